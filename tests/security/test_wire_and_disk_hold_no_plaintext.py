"""After every scenario: no plaintext crossed the wire to HA or rested on any disk.

The test camera stamps each frame with a marker (tests/agent/rtsp_camera.MARKER) that the
control scenario finds in the decrypted video. Here it must appear nowhere else: not in any
request or answer body the malicious HA (the proxy) saw, nor in any file the agent or the
store wrote, read as they were written (tests/agent/run_rig.PlaintextWatch).
"""

from __future__ import annotations

import pytest

from devstack.rtsp_camera import MARKER
from tests.security.agent_stack import AgentStack
from tests.security.scenario_steps import new_clips, restart_agent

pytestmark = pytest.mark.slow


def test_no_plaintext_on_the_wire_or_on_disk(stack: AgentStack) -> None:
    if not stack.committed_ids():  # run alone: record something first
        restart_agent(stack)
        new_clips(stack, [], 2)
    bodies = stack.services.call(lambda: list(stack.proxy.seen))
    assert sum(len(b) for b in bodies) > 0
    assert not [b for b in bodies if MARKER in b]
    stack.watch.scan_once()
    assert stack.watch.seen, "the watch read the agent's and the store's files"
    assert stack.watch.hits == []
