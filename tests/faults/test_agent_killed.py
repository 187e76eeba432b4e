"""The real agent killed (SIGKILL, a power cut) mid-clip and mid-upload: nothing lost or doubled.

After the kill the agent is started again on the same spool and state. Every clip it had
sealed must reach the store exactly once; the clip it was recording dies with it (its
plaintext was only ever in memory), and no half-written object is ever stored.
Issue 11 "fault injection".
"""

from __future__ import annotations

import pytest

from tests.faults.ledger import assert_nothing_lost_duplicated_or_corrupt
from tests.security.agent_stack import AgentStack
from tests.security.scenario_steps import new_clips, restart_agent, restart_inside_a_slow_upload

pytestmark = pytest.mark.slow


def test_agent_killed_mid_clip(stack: AgentStack) -> None:
    restart_agent(stack)
    new_clips(stack, [], 2)
    stack.agent.kill()  # inside the next clip: one-second clips are always being recorded
    restart_agent(stack)
    new_clips(stack, stack.committed_ids(), 2)
    stack.agent.stop()
    assert_nothing_lost_duplicated_or_corrupt(stack, at_least=4)


def test_agent_killed_mid_upload(stack: AgentStack) -> None:
    restart_inside_a_slow_upload(stack)
    stack.agent.kill()
    stack.clear_rules()
    restart_agent(stack)
    new_clips(stack, [], 3)
    stack.agent.stop()
    assert_nothing_lost_duplicated_or_corrupt(stack, at_least=3)
