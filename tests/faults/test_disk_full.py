"""The agent's spool on a real, tiny filesystem fills up while HA is away.

The spool folder is a 64 KiB tmpfs (`mount -t tmpfs -o size=64k`, as root, which the test
machines and CI are): a few one-second clips fill it, the next write fails with ENOSPC. When HA
comes back the spool drains; the agent must still be running and recording, and every clip it
sealed must be stored once and play. Issue 11 "fault injection" (disk full on the spool).
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.ledger import assert_nothing_lost_duplicated_or_corrupt
from tests.security.agent_stack import AgentStack
from tests.security.scenario_steps import new_clips, restart_agent

pytestmark = pytest.mark.slow
SPOOL_SIZE = "64k"
FULL_SECONDS = 8.0  # long enough to fill 64 KiB with ~15 KiB clips, then hit ENOSPC


@pytest.fixture
def tiny_spool(stack: AgentStack) -> Iterator[Path]:
    spool = stack.root / "spool"
    spool.mkdir(exist_ok=True)
    subprocess.run(  # noqa: S603 - fixed arguments
        ["/usr/bin/mount", "-t", "tmpfs", "-o", f"size={SPOOL_SIZE},mode=0700", "tmpfs",
         str(spool)],
        check=True,
    )  # fmt: skip
    try:
        yield spool
    finally:
        if stack.agent.running():
            stack.agent.kill()
        subprocess.run(["/usr/bin/umount", "-l", str(spool)], check=False)  # noqa: S603


def test_spool_disk_full_while_ha_is_away(stack: AgentStack, tiny_spool: Path) -> None:
    restart_agent(stack)
    new_clips(stack, [])
    stack.services.run(stack.proxy.stop())
    time.sleep(FULL_SECONDS)  # the outage, not a measurement
    used = subprocess.run(  # noqa: S603
        ["/usr/bin/df", "--output=avail", str(tiny_spool)], capture_output=True, text=True,
        check=True,
    ).stdout.split()[-1]  # fmt: skip
    assert int(used) < 16, f"the spool should be (nearly) full, {used} KiB free"
    stack.services.run(stack.proxy.start())
    assert stack.agent.running(), stack.agent.tail()
    new_clips(stack, stack.committed_ids(), 3)  # it records again once there is room
    stack.agent.stop()
    assert_nothing_lost_duplicated_or_corrupt(stack, at_least=4)
    leftovers = [p.name for p in tiny_spool.rglob("*") if p.is_file()]
    assert leftovers == [], f"files left in the spool: {leftovers}"
