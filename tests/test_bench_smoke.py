"""The benchmark framework at a minimal size: every step it runs prints well-formed lines.

The benchmarks themselves never run in the test suite (./scripts/bench, minutes long); this
runs two cheap steps end to end, as ./scripts/bench would, and checks the line format both ways.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.benchmarks.docs import RunInfo, merge_docs, read_sections, write_docs
from scripts.benchmarks.report import BadBenchLine, Figure, Target, not_measured, parse_line

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_lines_round_trip_and_state_their_status() -> None:
    figures = [
        Figure("pipeline.stream_vs_bound", 0.85, "ratio", Target(">=", 0.8), "bound = SHA-256"),
        Figure("bundle.card_initial_load_bytes", 1_619_056, "bytes", Target("<=", 400_000)),
        Figure("key_wrap.per_clip_8_recipients", 1.2, "ms"),
        not_measured("browser.first_frame_s", "s", Target("<=", 0.5), "no browser script"),
    ]
    lines = [figure.line() for figure in figures]
    assert lines[0].endswith("target=>=0.8 met -- bound = SHA-256")
    assert lines[1] == (
        "bench: bundle.card_initial_load_bytes value=1619056 unit=bytes target=<=400000 missed"
    )
    assert lines[2] == "bench: key_wrap.per_clip_8_recipients value=1.2 unit=ms target=none met"
    assert "value=none" in lines[3] and " missed -- not measured: no browser script" in lines[3]
    assert [parse_line(line) for line in lines] == figures


@pytest.mark.parametrize(
    "line",
    [
        "bench: x value=1 unit=s target=<=0.5 met",  # 1 > 0.5: claims a target it misses
        "bench: x value=none unit=s target=none met",  # nothing measured cannot be met
        "bench: x value=1 unit=s target=~1 met",
        "bench: X value=1 unit=s target=none met",
    ],
)
def test_lines_that_lie_or_break_the_format_are_refused(line: str) -> None:
    with pytest.raises(BadBenchLine):
        parse_line(line)


def test_quick_run_of_two_steps_prints_only_well_formed_lines() -> None:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "scripts.benchmarks.run_all",
            "--quick",
            "--only",
            "key_wrap,bundle",
        ],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    figures = [parse_line(line) for line in completed.stdout.splitlines()]
    names = {figure.name for figure in figures}
    assert {"key_wrap.per_clip_1_recipients", "key_wrap.per_clip_63_recipients"} <= names
    assert "bundle.card_initial_load_bytes" in names
    assert all(figure.value is not None for figure in figures)


def test_a_bare_target_from_another_tool_keeps_its_stated_status() -> None:
    # The frontend's browser script writes `target=0.7`: only it knows which way is better.
    missed = parse_line(
        "bench: chromium_stream_decrypt_ratio value=0.05 unit=ratio target=0.7 missed"
    )
    met = parse_line("bench: chromium_decrypt_longest_task value=12 unit=ms target=50 met")
    assert (missed.met, met.met) == (False, True)
    assert missed.line().endswith("target=0.7 missed")


def test_merge_keeps_other_sections_and_replaces_the_rerun_ones(tmp_path: Path) -> None:
    # --merge rewrites docs/benchmarks.md from its own tables plus the steps run now.
    info = RunInfo.collect(["run_all"]).finished(1.0)
    kept = Figure("key_wrap.per_clip_1_recipients", 0.16, "ms", note="a | b")
    bare = Figure("chromium_decrypt_longest_task", 12, "ms", Target("", 50), stated_met=True)
    stale = not_measured("browser.first_frame_s", "s", Target("<=", 0.5), "no script")
    docs = tmp_path / "benchmarks.md"
    write_docs(docs, info, [("7. Keys", [kept]), ("1. Old", [bare]), ("4. Play", [stale])], 1, 1)
    assert read_sections(docs.read_text("utf-8"))["7. Keys"] == [kept]
    assert read_sections(docs.read_text("utf-8"))["1. Old"] == [bare]
    fresh = Figure("browser.first_frame_s", 0.14, "s", Target("<=", 0.5))
    merge_docs(docs, info, [("4. Play", [fresh])], ["7. Keys", "4. Play"], 1, 1)
    text = docs.read_text("utf-8")
    assert read_sections(text) == {"7. Keys": [kept], "4. Play": [fresh]}
    assert "Sections re-measured later (4)" in text and "None." in text  # nothing missed now
    merge_docs(docs, info, [("4. Play", [fresh])], ["7. Keys", "4. Play"], 1, 1)
    assert docs.read_text("utf-8").count("re-measured later") == 1  # the older line replaced
    before = docs.read_text("utf-8")
    merge_docs(docs, info, [], ["7. Keys", "4. Play"], 1, 1)  # --rewrite-docs
    assert docs.read_text("utf-8") == before
