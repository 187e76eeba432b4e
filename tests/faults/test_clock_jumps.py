"""The agent's wall clock jumps back an hour, then forward two, while it records.

Run under Debian's libfaketime (LD_PRELOAD) with the offset read from a file on every call
(FAKETIME_NO_CACHE), so the test moves the agent's clock mid-run as NTP or a dead RTC would;
the monotonic clock is left alone (DONT_FAKE_MONOTONIC), as the kernel leaves it. ffmpeg, a
child of the agent, sees the same jumps. Nothing may be lost, doubled or corrupt.
Issue 11 "fault injection".
"""

from __future__ import annotations

import itertools
from datetime import datetime
from pathlib import Path

import pytest

from tests.faults.ledger import assert_nothing_lost_duplicated_or_corrupt
from tests.security.agent_stack import AgentStack
from tests.security.scenario_steps import new_clips, restart_agent, stored_manifest

pytestmark = pytest.mark.slow
LIBFAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")


def test_clock_jumping_back_and_forward(stack: AgentStack) -> None:
    assert LIBFAKETIME.exists(), "scripts/test installs Debian's faketime package"
    offset = stack.root / "clock-offset"
    offset.write_text("+0s\n", encoding="ascii")
    stack.agent.env.update(
        {
            "LD_PRELOAD": str(LIBFAKETIME),
            "FAKETIME_TIMESTAMP_FILE": str(offset),
            "FAKETIME_NO_CACHE": "1",
            "DONT_FAKE_MONOTONIC": "1",
        }
    )
    restart_agent(stack)
    new_clips(stack, [], 2)
    offset.write_text("-1h\n", encoding="ascii")
    back = new_clips(stack, stack.committed_ids(), 2)
    offset.write_text("+2h\n", encoding="ascii")
    new_clips(stack, stack.committed_ids(), 2)
    stack.agent.stop()
    assert back
    assert_nothing_lost_duplicated_or_corrupt(stack, at_least=6)
    # The jumps reached the agent (its own log's wall-clock times step back and forward)...
    stamps = [
        datetime.fromisoformat(str(e["time"])).timestamp()
        for e in stack.agent.log_entries()
        if "time" in e
    ]
    steps = [b - a for a, b in itertools.pairwise(stamps)]
    assert min(steps) < -1800 and max(steps) > 3600
    # ...yet clip times come from stream time, so the signed start times stay in order.
    starts = [stored_manifest(stack, c).start_ms for c in stack.committed_ids()]
    assert starts == sorted(starts)
