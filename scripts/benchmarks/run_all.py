"""Run every benchmark as its own child process, print the figures, write docs/benchmarks.md.

Usage (through ./scripts/bench, which builds the venvs first):
    python -m scripts.benchmarks.run_all [--quick] [--only a,b] [--camera-seconds S]
                                         [--ingest-seconds S] [--no-docs] [--list]
                                         [--only a,b --merge] [--rewrite-docs]

Each benchmark is a module of this package run in the venv it needs (the clip index imports
the integration, so it runs in Home Assistant's venv) with a timeout; its `bench:` lines are
passed through, and a module that fails or times out becomes a missed figure saying so.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scripts.benchmarks.docs import RunInfo, SavedRun, merge_docs, write_docs
from scripts.benchmarks.report import BadBenchLine, Figure, Target, emit, parse_line

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCS = REPO_ROOT / "docs" / "benchmarks.md"
# Every run's figures and machine facts, so docs/benchmarks.md can be written again from them
# (--render-only) after its explanations are edited, without measuring for 20 minutes again.
LAST_RUN = REPO_ROOT / "test-artifacts" / "bench" / "last-run.json"
DEFAULT_CAMERA_SECONDS = 120
DEFAULT_INGEST_SECONDS = 120
DEFAULT_SECONDS = (DEFAULT_CAMERA_SECONDS, DEFAULT_INGEST_SECONDS)


@dataclass(frozen=True)
class Options:
    quick: bool
    camera_seconds: int
    ingest_seconds: int


@dataclass(frozen=True)
class Step:
    """One benchmark module: where it runs, its arguments, how long it may take."""

    name: str
    title: str
    module: str
    venv: str
    arguments: Callable[[Options], list[str]]
    timeout_seconds: Callable[[Options], float]


STEPS = (
    Step(
        "pipeline",
        "2. Agent pipeline against raw AES-GCM",
        "scripts.benchmarks.pipeline",
        "py311",
        lambda o: ["8" if o.quick else "256"],
        lambda o: 300,
    ),
    Step(
        "age",
        "3. Clip encrypt and decrypt of 1 GiB against age",
        "scripts.benchmarks.versus_age",
        "py311",
        lambda o: ["8" if o.quick else "1024"],
        lambda o: 600,
    ),
    Step(
        "cameras",
        "5. The agent with 1, 4 and 8 simulated 1080p 4 Mbit/s cameras",
        "scripts.benchmarks.agent_cameras",
        "py311",
        lambda o: ["--seconds", str(o.camera_seconds), *(["--counts", "1"] if o.quick else [])],
        lambda o: 3 * o.camera_seconds + 600,
    ),
    Step(
        "ingest",
        "6. Home Assistant ingest with 32 cameras at 8 Mbit/s",
        "scripts.benchmarks.ha_ingest",
        "py311",
        lambda o: ["--seconds", str(o.ingest_seconds), *(["--cameras", "2"] if o.quick else [])],
        lambda o: o.ingest_seconds + 600,
    ),
    Step(
        "ingest_s3",
        "6b. Home Assistant ingest with 32 cameras at 8 Mbit/s into an S3 bucket",
        "scripts.benchmarks.ha_ingest",
        "py311",
        lambda o: [
            "--bucket",
            "--seconds",
            str(o.ingest_seconds),
            *(["--cameras", "2"] if o.quick else []),
        ],
        lambda o: o.ingest_seconds + 600,
    ),
    Step(
        "key_wrap",
        "7. Key wrapping per clip (Python)",
        "scripts.benchmarks.key_wrap",
        "py311",
        lambda o: [],
        lambda o: 300,
    ),
    Step(
        "index",
        "8. The clip index at 100,000 clips and integration start-up",
        "scripts.benchmarks.clip_index",
        "ha2025",
        lambda o: ["2000" if o.quick else "100000"],
        lambda o: 600,
    ),
    Step(
        "bundle",
        "9. Bundle sizes",
        "scripts.benchmarks.bundle",
        "py311",
        lambda o: [],
        lambda o: 60,
    ),
    Step(
        "browser",
        "1. Chromium: clip decryption against raw WebCrypto",
        "scripts.benchmarks.browser",
        "py311",
        lambda o: [],
        lambda o: 1200,
    ),
    Step(
        "browser_flow",
        "4 and 7. Chromium through the panel: first frame and seek, enrolment and pairing",
        "scripts.benchmarks.browser_flow",
        "py311",
        lambda o: [],
        # Making the 10-minute clip the first time (cached after) takes a few minutes.
        lambda o: 1500,
    ),
    Step(
        "day_load",
        "11. Chromium: a day of clips for the timeline against raw WebCrypto",
        "scripts.benchmarks.day_load",
        "py311",
        lambda o: ["100" if o.quick else "1440"],
        lambda o: 900,
    ),
    Step(
        "live",
        "10. Live view: camera-to-screen latency and the agent's CPU per viewer",
        "scripts.benchmarks.live_view",
        "py311",
        lambda o: ["10" if o.quick else "30"],
        lambda o: 600,
    ),
)


def run_step(step: Step, options: Options) -> list[Figure]:
    """The step's figures; a crash, a timeout or a malformed line is a missed figure."""
    python = REPO_ROOT / ".venv" / step.venv / "bin" / "python"
    command = [str(python), "-m", step.module, *step.arguments(options)]
    print(f"== {step.title}: {' '.join(command[1:])}", file=sys.stderr, flush=True)
    figures: list[Figure] = []
    try:
        completed = subprocess.run(  # noqa: S603 (our own modules)
            command,
            cwd=REPO_ROOT,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
            stdout=subprocess.PIPE,
            text=True,
            timeout=step.timeout_seconds(options),
            check=False,
        )
    except subprocess.TimeoutExpired:
        failure = f"timed out after {step.timeout_seconds(options):.0f} s"
        return [Figure(f"{step.name}.run", None, "exit", Target("<=", 0), failure)]
    for line in completed.stdout.splitlines():
        if not line.startswith("bench:"):
            print(line, file=sys.stderr)
            continue
        try:
            figure = parse_line(line)
        except BadBenchLine as err:
            figure = Figure(f"{step.name}.bad_line", None, "line", Target("<=", 0), str(err))
        emit(figure)
        figures.append(figure)
    if completed.returncode != 0:
        figure = Figure(
            f"{step.name}.run",
            completed.returncode,
            "exit",
            Target("<=", 0),
            "the benchmark failed: its stderr above says why",
        )
        emit(figure)
        figures.append(figure)
    return figures


def parse_arguments(argv: list[str]) -> tuple[Options, list[Step], bool, bool]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="minimal sizes: the machinery only")
    parser.add_argument("--only", default="", help="comma-separated step names")
    parser.add_argument("--camera-seconds", type=int, default=DEFAULT_CAMERA_SECONDS)
    parser.add_argument("--ingest-seconds", type=int, default=DEFAULT_INGEST_SECONDS)
    parser.add_argument("--no-docs", action="store_true", help="leave docs/benchmarks.md alone")
    parser.add_argument("--list", action="store_true", help="print the step names and exit")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="with --only: put these steps' figures into docs/benchmarks.md, keep the rest",
    )
    parser.add_argument(
        "--render-only", action="store_true", help=f"rewrite the docs from {LAST_RUN.name}"
    )
    parser.add_argument(
        "--rewrite-docs",
        action="store_true",
        help="rewrite docs/benchmarks.md from its own figures (after editing explanations.py)",
    )
    args = parser.parse_args(argv)
    if args.rewrite_docs:
        info = RunInfo.collect(sys.argv)
        merge_docs(DOCS, info, [], [step.title for step in STEPS], *DEFAULT_SECONDS)
        raise SystemExit(0)
    if args.render_only:
        render_last_run()
        raise SystemExit(0)
    if args.list:
        for step in STEPS:
            print(f"{step.name}: {step.title}")
        raise SystemExit(0)
    names = {name for name in args.only.split(",") if name}
    unknown = names - {step.name for step in STEPS}
    if unknown:
        parser.error(f"unknown step(s) {sorted(unknown)}; see --list")
    steps = [step for step in STEPS if not names or step.name in names]
    camera_seconds = (
        20 if args.quick and args.camera_seconds == DEFAULT_CAMERA_SECONDS else args.camera_seconds
    )
    ingest_seconds = (
        20 if args.quick and args.ingest_seconds == DEFAULT_INGEST_SECONDS else args.ingest_seconds
    )
    options = Options(args.quick, camera_seconds, ingest_seconds)
    # Partial or quick runs never overwrite the committed figures; --merge replaces only the
    # sections of the steps it ran (a full run takes most of half an hour on this machine).
    if args.merge and (not names or args.quick or args.no_docs):
        parser.error("--merge needs --only, and no --quick or --no-docs")
    write = not args.no_docs and not names and not args.quick
    return options, steps, write, args.merge


def render_last_run() -> None:
    saved = SavedRun.from_json(LAST_RUN.read_text("utf-8"))
    write_docs(DOCS, saved.info, saved.results, saved.camera_seconds, saved.ingest_seconds)
    print(f"wrote {DOCS.relative_to(REPO_ROOT)} from {LAST_RUN}", file=sys.stderr)


def main(argv: list[str]) -> int:
    options, steps, write, merge = parse_arguments(argv)
    info = RunInfo.collect(sys.argv)
    started = time.monotonic()
    results: list[tuple[str, list[Figure]]] = []
    for step in steps:
        results.append((step.title, run_step(step, options)))
    info = info.finished(time.monotonic() - started)
    saved = SavedRun(info, options.camera_seconds, options.ingest_seconds, results)
    LAST_RUN.parent.mkdir(parents=True, exist_ok=True)
    LAST_RUN.write_text(saved.to_json(), "utf-8")
    if write:
        write_docs(DOCS, info, results, options.camera_seconds, options.ingest_seconds)
        print(f"wrote {DOCS.relative_to(REPO_ROOT)}", file=sys.stderr)
    if merge:
        titles = [step.title for step in STEPS]
        merge_docs(DOCS, info, results, titles, options.camera_seconds, options.ingest_seconds)
        print(f"merged this run's sections into {DOCS.relative_to(REPO_ROOT)}", file=sys.stderr)
    missed = sum(not f.met for _, figures in results for f in figures)
    print(f"{missed} figure(s) missed their target or were not measured", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
