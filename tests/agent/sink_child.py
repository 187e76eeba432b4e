"""Run by test_sink_spool in a subprocess: start a clip, write part of it, wait to be killed.

Usage: python tests/agent/sink_child.py STATE_DIR SPOOL_DIR. Prints "WRITING <clip_id>" once
ciphertext for the first bytes has reached the .part file, then blocks until SIGKILL.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from camera_agent.encrypting_sink import EncryptingSink
from camera_agent.spool import Spool
from camera_agent.state import AgentState
from camera_agent.trust import TrustKeeper

MARKER = b"PLAINTEXT-MARKER-7f3a9c"


async def main(state_dir: Path, spool_dir: Path) -> None:
    trust = TrustKeeper(AgentState(state_dir))
    trust.load()
    spool = Spool(spool_dir, 1 << 30)
    spool.open()
    sink = EncryptingSink(spool=spool, trust=trust)
    writer = await sink.start_clip(
        camera_id="front-door", start_ms=1_000, codecs="avc1.64001f", mime="video/mp4"
    )
    # More than one 256 KiB chunk, so ciphertext really is on its way to the disk.
    await writer.write(MARKER * 40_000)
    print("WRITING", writer.clip_id, flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2])))
