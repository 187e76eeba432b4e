"""Figure 11: a day of clips for the timeline in Chromium against raw WebCrypto, or say why not.

Usage: python -m scripts.benchmarks.day_load [CLIPS]

frontend/scripts/day-load-bench.mjs opens CLIPS clips (a day of 1-minute clips by default)
through the timeline's batch path (`clips/manifests`, every manifest verified, every clip key
unwrapped, every events object decrypted) and the same number of bare WebCrypto verifies,
unwraps and decrypts, and prints their ratio; this hook runs it and passes its lines through.
"""

from __future__ import annotations

import shutil
import sys

from scripts.benchmarks.browser import FRONTEND, run_script
from scripts.benchmarks.report import emit, not_measured

DAY_OF_MINUTE_CLIPS = 1440
FIGURE = "chromium_day_load_vs_raw_webcrypto"


def main(argv: list[str]) -> None:
    clips = int(argv[0]) if argv else DAY_OF_MINUTE_CLIPS
    script = FRONTEND / "scripts" / "day-load-bench.mjs"
    node = shutil.which("node")
    if node is None or not script.exists():
        reason = "node is not installed" if node is None else f"no {script} in this checkout"
        emit(not_measured(FIGURE, "ratio", None, reason))
        return
    run_script(node, script, ["--clips", str(clips)])


if __name__ == "__main__":
    main(sys.argv[1:])
