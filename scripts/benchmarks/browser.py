"""Figure 1: run the frontend's browser decryption benchmark, or say why not.

Usage: python -m scripts.benchmarks.browser

Chromium decryption against raw WebCrypto is measured by the frontend's own script(s),
frontend/scripts/bench*.mjs (Node driving Debian's Chromium through playwright-core), which
print `bench:` lines themselves; this hook runs each one and passes its lines through. When
no such script exists, every figure is reported as not measured, with the reason: never a
made-up number.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from scripts.benchmarks.report import BadBenchLine, Figure, Target, emit, not_measured, parse_line

REPO_ROOT = Path(__file__).resolve().parents[2]
# Another checkout's frontend/ (say, a branch not merged yet) can stand in for this one's.
FRONTEND = Path(os.environ.get("E2EE_NVR_BENCH_FRONTEND", REPO_ROOT / "frontend"))
SCRIPT_TIMEOUT_SECONDS = 900
# Each issue figure, and the word a browser script's figure name holds when it measures it.
# First frame, seek, enrolment and pairing need a running hass: scripts/benchmarks/browser_flow.py.
EXPECTED = (("decrypt", "browser.decrypt_vs_webcrypto", "ratio", Target(">=", 0.7)),)


def browser_scripts() -> list[Path]:
    return sorted((FRONTEND / "scripts").glob("bench*.mjs"))


def run_script(node: str, script: Path, arguments: Sequence[str] = ()) -> list[str]:
    """Pass the script's figures through; return their names."""
    env = {**os.environ, "E2EE_NVR_REPO": str(REPO_ROOT)}
    completed = subprocess.run(  # noqa: S603 (the repository's own script)
        [node, str(script), *arguments],
        cwd=FRONTEND,
        env=env,
        capture_output=True,
        text=True,
        timeout=SCRIPT_TIMEOUT_SECONDS,
        check=False,
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith("bench:")]
    names = []
    for line in lines:
        try:
            figure = parse_line(line)
        except BadBenchLine as err:
            figure = not_measured(
                f"browser.{script.stem.replace('-', '_')}_line", "none", None, str(err)
            )
        emit(figure)
        names.append(figure.name)
    if completed.returncode != 0 or not lines:
        tail = " | ".join(completed.stderr.strip().splitlines()[-3:])
        emit(
            Figure(
                f"browser.{script.stem.replace('-', '_')}_exit",
                None,
                "code",
                Target("<=", 0),
                f"{script.name} exited {completed.returncode} with {len(lines)} lines: {tail}",
            )
        )
    return names


def main() -> None:
    found = browser_scripts()
    node = shutil.which("node")
    if not found or node is None:
        reason = (
            "node is not installed"
            if node is None
            else "no frontend/scripts/bench*.mjs in this checkout (the frontend's browser "
            "benchmark has not landed)"
        )
        for _, name, unit, target in EXPECTED:
            emit(not_measured(name, unit, target, reason))
        return
    measured: list[str] = []
    for script in found:
        print(f"running {script}", file=sys.stderr)
        measured += run_script(node, script)
    scripts_run = ", ".join(script.name for script in found)
    for word, name, unit, target in EXPECTED:
        if not any(word in figure for figure in measured):
            reason = f"no browser benchmark measures this yet (ran {scripts_run})"
            emit(not_measured(name, unit, target, reason))


if __name__ == "__main__":
    main()
