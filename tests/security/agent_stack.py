"""The real agent (`python -m camera_agent run`) behind the tampering proxy, before an honest store.

camera (GStreamer RTSP) -> agent process -> TamperingProxy (the malicious HA) -> FakeStore.
The store and the proxy live on one background event loop (tests/agent/run_rig.Services), so
synchronous tests can change the proxy's rules while the agent runs.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from camera_agent.state import AgentState
from devstack.agent_process import write_agent_yaml
from devstack.rtsp_camera import RtspCamera
from e2ee_nvr_protocol import certs
from tests.agent.agent_setup import free_port
from tests.agent.fake_store import FakeStore, RunningStore
from tests.agent.run_rig import AgentProcess, PlaintextWatch, Services
from tests.security.tampering_proxy import TamperingProxy
from tests.security.trust_world import CAMERA_ID, TrustWorld

CLIP_SECONDS = 1.0


@dataclass
class AgentStack:
    root: Path
    world: TrustWorld
    services: Services
    store: RunningStore
    proxy: TamperingProxy
    camera: RtspCamera
    agent: AgentProcess
    watch: PlaintextWatch

    def committed_ids(self) -> list[str]:
        return self.services.call(lambda: list(self.store.store.commits))

    def add_rule(self, rule: object) -> None:
        self.services.call(lambda: self.proxy.add(rule))  # type: ignore[arg-type]

    def clear_rules(self) -> None:
        self.services.call(self.proxy.clear)


def write_agent_config(root: Path, ha_url: str, camera: RtspCamera) -> Path:
    return write_agent_yaml(
        root,
        ha_url,
        agent_name="security suite agent",
        visible_event_types=[],
        log_format="json",
        cameras=[
            {
                "name": "Front",
                "camera_id": CAMERA_ID,
                "rtsp_url": camera.url,
                "mode": {"continuous": {"clip_seconds": CLIP_SECONDS}},
            }
        ],
    )


@contextlib.contextmanager
def agent_stack(root: Path, world: TrustWorld) -> Iterator[AgentStack]:
    """Everything up and the agent paired (state written), but not started."""
    services = Services()
    camera = RtspCamera(video="h264", audio="aac")
    stack: AgentStack | None = None
    try:
        camera.start()
        (root / "store").mkdir()
        store = FakeStore(root / "store", world.owner.root_cert, world.document.recipient_set)
        running = RunningStore(store, free_port())
        services.run(running.start())
        proxy = TamperingProxy(running.url, free_port())
        services.run(proxy.start())
        world.write_agent_state(root / "state")
        token = services.call(
            lambda: store.register_agent(certs.load_cert(world.trust.device_cert_der))
        )
        AgentState(root / "state").save_token(token)
        config = write_agent_config(root, proxy.url, camera)
        for name in ("agent-tmp", "agent-cwd", "logs"):
            (root / name).mkdir()
        env = {**os.environ, "TMPDIR": str(root / "agent-tmp"), "PYTHONDONTWRITEBYTECODE": "1"}
        agent = AgentProcess(config, root / "agent-cwd", env, root / "logs" / "agent.log")
        watch = PlaintextWatch([root / "state", root / "spool", root / "agent-tmp", root / "store"])
        watch.start()
        stack = AgentStack(root, world, services, running, proxy, camera, agent, watch)
        yield stack
    finally:
        if stack is not None:
            stack.agent.end_process_groups()
            stack.watch.stop()
            services.run(stack.proxy.stop())
            services.run(stack.store.stop())
        camera.kill()
        services.close()
