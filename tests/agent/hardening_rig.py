"""A small whole-agent rig for the hardening tests: one paired agent process, a fake store.

Unlike run_rig.build_rig (three cameras and an ONVIF camera, paired through `pair`), this one
writes a paired state folder directly and runs only the cameras a test names, so each hardening
test starts in seconds and owns its agent.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devstack.agent_process import write_agent_yaml
from devstack.ports import free_port
from e2ee_nvr_protocol import certs
from tests.agent.agent_setup import new_account, paired_state
from tests.agent.fake_store import FakeStore, RunningStore
from tests.agent.run_rig import AgentProcess, Services


@dataclass
class SmallRig:
    root: Path
    services: Services
    store: RunningStore
    agent: AgentProcess
    config_path: Path

    def heartbeats(self) -> list[dict[str, Any]]:
        return self.services.call(lambda: list(self.store.store.heartbeats))

    def commits(self) -> list[str]:
        return self.services.call(lambda: list(self.store.store.commits))

    def set_events_visible(self, visible: bool) -> None:
        def change() -> None:
            self.store.store.events_visible = visible

        self.services.call(change)


@contextlib.contextmanager
def small_rig(root: Path, cameras: list[dict[str, Any]], **overrides: Any) -> Iterator[SmallRig]:
    """A paired agent (not started) configured with `cameras`, and a served fake store."""
    services = Services()
    agent: AgentProcess | None = None
    running: RunningStore | None = None
    try:
        account = new_account()
        state, device = paired_state(root / "state", account)
        (root / "store").mkdir()
        store = FakeStore(root / "store", account.first.root_cert, account.document.recipient_set)
        running = RunningStore(store, free_port())
        services.run(running.start())
        token = services.call(
            lambda: store.register_agent(certs.load_cert(device.trust.device_cert_der))
        )
        state.save_token(token)
        config_path = write_agent_yaml(
            root, running.url, "hardening test agent", cameras, log_format="json", **overrides
        )
        for folder in ("agent-tmp", "agent-cwd", "logs"):
            (root / folder).mkdir()
        env = dict(os.environ)
        env.update({"TMPDIR": str(root / "agent-tmp"), "PYTHONDONTWRITEBYTECODE": "1"})
        agent = AgentProcess(config_path, root / "agent-cwd", env, root / "logs" / "agent.log")
        yield SmallRig(root, services, running, agent, config_path)
    finally:
        if agent is not None:
            agent.end_process_groups()
        if running is not None:
            services.run(running.stop())
        services.close()
