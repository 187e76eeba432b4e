"""Home Assistant down or restarting while the real agent records: nothing lost or doubled.

HA is the tampering proxy in front of the store (tests/security/agent_stack.py): stopping
the proxy makes HA unreachable (connection refused), and a proxy rule slows uploads to 64 KiB
per second so a restart lands inside one. Issue 11 "fault injection".
"""

from __future__ import annotations

import time

import pytest

from tests.faults.ledger import assert_nothing_lost_duplicated_or_corrupt
from tests.security.agent_stack import AgentStack
from tests.security.scenario_steps import new_clips, restart_agent, restart_inside_a_slow_upload

pytestmark = pytest.mark.slow
OUTAGE_SECONDS = 5.0  # several one-second clips are sealed while HA is away


def test_ha_down_through_a_recording_period(stack: AgentStack) -> None:
    restart_agent(stack)
    new_clips(stack, [])
    stack.services.run(stack.proxy.stop())
    sealed_before = len(stack.agent.sealed())
    time.sleep(OUTAGE_SECONDS)  # the outage itself, not a measurement
    assert len(stack.agent.sealed()) > sealed_before, "the agent kept recording into its spool"
    stack.services.run(stack.proxy.start())
    stack.agent.stop()
    assert_nothing_lost_duplicated_or_corrupt(stack, at_least=3)


def test_ha_restarted_inside_an_upload(stack: AgentStack) -> None:
    restart_inside_a_slow_upload(stack)
    # HA goes away while that upload's body is still arriving, then comes back.
    stack.services.run(stack.store.stop())
    stack.services.run(stack.store.start())
    stack.clear_rules()
    new_clips(stack, [], 3)
    stack.agent.stop()
    assert_nothing_lost_duplicated_or_corrupt(stack, at_least=3)
