"""A 1 GiB clip streams through encryption and decryption in bounded memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import e2ee_nvr_protocol

PROBE = Path(__file__).with_name("stream_memory_probe.py")
CLIP_BYTES = 1 << 30
MAX_GROWTH_BYTES = 32 << 20


def test_one_gib_clip_round_trips_in_bounded_memory() -> None:
    # A fresh interpreter, so the peak RSS it reports is this job's alone. It must import the
    # package under test, wherever this run found it.
    package_parent = str(Path(e2ee_nvr_protocol.__file__).parent.parent)
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [package_parent, environment.get("PYTHONPATH")])
    )
    completed = subprocess.run(  # noqa: S603 (our own probe, run by this interpreter)
        [sys.executable, str(PROBE), str(CLIP_BYTES)],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
        timeout=600,
    )
    print(completed.stderr.strip())
    result = json.loads(completed.stdout)
    assert result["decrypted_bytes"] == CLIP_BYTES
    assert result["digests_match"]
    assert result["summaries_match"]
    assert result["peak_growth_bytes"] < MAX_GROWTH_BYTES
    assert result["traced_peak_bytes"] < MAX_GROWTH_BYTES
