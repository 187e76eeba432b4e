"""docs/benchmarks.md from one run: the machine, how to reproduce, every figure, every miss."""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from scripts.benchmarks.explanations import EXPLANATIONS, SECTION_NOTES
from scripts.benchmarks.report import Figure, Target, format_value, parse_line

REPO_ROOT = Path(__file__).resolve().parents[2]


def _output(command: list[str]) -> str:
    if shutil.which(command[0]) is None:
        return "not installed"
    try:
        completed = subprocess.run(  # noqa: S603 (version queries of fixed tools)
            command, capture_output=True, text=True, timeout=30, check=False, cwd=REPO_ROOT
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"unavailable ({err})"
    return (
        (completed.stdout or completed.stderr).strip().splitlines()[0]
        if completed.stdout or completed.stderr
        else ""
    )


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text("utf-8").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text("utf-8").splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / (1 << 20)
    return float("nan")


def _stand_ins() -> tuple[str, ...]:
    """Another checkout's frontend standing in for this one's, said in the docs."""
    notes = []
    for variable, what in (
        ("E2EE_NVR_BENCH_FRONTEND", "browser figures"),
        ("E2EE_NVR_BENCH_BUNDLE", "bundle sizes"),
    ):
        folder = os.environ.get(variable)
        if folder:
            commit = _output(["git", "-C", folder, "log", "-1", "--format=%h %s"])
            notes.append(
                f"The {what} came from `{folder}` ({variable}; that checkout at `{commit}`, "
                "with any uncommitted work in it), not from this checkout."
            )
    return tuple(notes)


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text("utf-8").split()[:3])


@dataclass(frozen=True)
class RunInfo:
    """What a reader needs to judge the figures: when, where, with what, under what load."""

    started_utc: str
    commit: str
    command: str
    cpu: str
    cores: int
    memory_gib: float
    kernel: str
    load_at_start: str
    tools: tuple[tuple[str, str], ...]
    notes: tuple[str, ...] = ()
    load_at_end: str = ""
    seconds: float = 0.0

    @classmethod
    def collect(cls, argv: list[str]) -> RunInfo:
        python = REPO_ROOT / ".venv" / "py311" / "bin" / "python"
        tools = (
            ("Python (agent venv)", _output([str(python), "--version"])),
            (
                "cryptography / its OpenSSL",
                _output(
                    [
                        str(python),
                        "-c",
                        "import cryptography; from cryptography.hazmat.backends.openssl "
                        "import backend; "
                        "print(cryptography.__version__, '/', backend.openssl_version_text())",
                    ]
                ),
            ),
            ("age", _output(["age", "--version"])),
            ("ffmpeg", _output(["ffmpeg", "-hide_banner", "-version"])),
            ("Node", _output(["node", "--version"])),
            ("Chromium", _output(["chromium", "--version"])),
        )
        return cls(
            started_utc=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            commit=_output(["git", "rev-parse", "--short", "HEAD"]),
            command="./scripts/bench " + " ".join(argv[1:]),
            cpu=_cpu_model(),
            cores=os.cpu_count() or 0,
            memory_gib=_memory_gib(),
            kernel=platform.release(),
            load_at_start=_load(),
            tools=tools,
            notes=_stand_ins(),
        )

    def finished(self, seconds: float) -> RunInfo:
        return replace(self, load_at_end=_load(), seconds=seconds)


@dataclass(frozen=True)
class SavedRun:
    """One run as JSON: its facts and its figures (as their lines), per step title."""

    info: RunInfo
    camera_seconds: int
    ingest_seconds: int
    results: list[tuple[str, list[Figure]]]

    def to_json(self) -> str:
        document = {
            "info": asdict(self.info),
            "camera_seconds": self.camera_seconds,
            "ingest_seconds": self.ingest_seconds,
            "results": [[title, [f.line() for f in figures]] for title, figures in self.results],
        }
        return json.dumps(document, indent=1)

    @classmethod
    def from_json(cls, text: str) -> SavedRun:
        document = json.loads(text)
        raw_info = document["info"]
        raw_info["tools"] = tuple(tuple(pair) for pair in raw_info["tools"])
        results = [
            (title, [parse_line(line) for line in lines]) for title, lines in document["results"]
        ]
        return cls(
            RunInfo(**raw_info), document["camera_seconds"], document["ingest_seconds"], results
        )


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _table(figures: list[Figure]) -> list[str]:
    lines = ["| Figure | Value | Unit | Target | | Note |", "|---|---:|---|---|---|---|"]
    for figure in figures:
        value = "not measured" if figure.value is None else format_value(figure.value)
        target = "-" if figure.target is None else str(figure.target)
        status = "met" if figure.met else "**missed**"
        cells = (f"`{figure.name}`", value, figure.unit, target, status, _cell(figure.note))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def render(
    info: RunInfo,
    results: list[tuple[str, list[Figure]]],
    camera_seconds: int,
    ingest_seconds: int,
) -> str:
    out = [
        "# Benchmarks",
        "",
        "Written by `./scripts/bench` (issue 12); do not edit the figures by hand, run it again.",
        "Each figure is also printed as `bench: NAME value=V unit=U target=T met|missed`; a figure",
        "the issue sets no target for shows `target=none` and counts as met. Where a baseline",
        "exists (raw AES-GCM, `age`, a full table scan) it is measured in the same run and the",
        "figure is a ratio against it, so the ratios hold better than the absolute rates.",
        "",
        "## The machine and this run",
        "",
        f"- Run started {info.started_utc} at commit `{info.commit}`, took "
        f"{info.seconds / 60:.1f} min: `{info.command.strip()}`",
        f"- {info.cores} cores ({info.cpu}), {info.memory_gib:.1f} GiB RAM, Linux {info.kernel}",
        f"- Load average (1, 5, 15 min) at start {info.load_at_start}, at end {info.load_at_end}.",
        "  The machine is shared by about eight engineers' builds and tests at once, and the bench",
        "  runs under `nice -n 10`: absolute rates are lower and noisier than on an idle machine,",
        "  and anything that needs a second idle core (the overlapped hash) suffers most.",
    ]
    out += [f"- {name}: {version}" for name, version in info.tools]
    out += [f"- {note}" for note in info.notes]
    out += [
        "",
        "## How to reproduce",
        "",
        "```",
        "./scripts/bench                       # everything; rewrites this file",
        "./scripts/bench --list                # the step names",
        "./scripts/bench --only pipeline,age   # some steps; prints, leaves this file alone",
        "./scripts/bench --only age --merge    # some steps, their sections replaced here",
        "./scripts/bench --rewrite-docs        # this file again from its own figures",
        f"./scripts/bench --camera-seconds 300  # issue: 5 min per agent run ({camera_seconds})",
        f"./scripts/bench --ingest-seconds 300  # a longer HA ingest run ({ingest_seconds})",
        "./scripts/bench --quick               # minimal sizes: checks the machinery only",
        "```",
        "",
        "Never part of `./scripts/test` (too slow for CI); `tests/test_bench_smoke.py` runs the",
        "framework at a minimal size and checks the line format.",
    ]
    missed: list[Figure] = []
    for title, figures in results:
        out += ["", f"## {title}", ""]
        note = SECTION_NOTES.get(title.split(".", 1)[0])
        if note:
            out += [note, ""]
        out += _table(figures) if figures else ["No figures (the step printed none)."]
        missed += [f for f in figures if not f.met]
    out += ["", "## Missed targets: why, and what would close them", ""]
    if not missed:
        out.append("None.")
    for figure in missed:
        explanation = EXPLANATIONS.get(figure.name, "No explanation recorded for this figure yet.")
        out += [f"- `{figure.name}`: {explanation}"]
    return "\n".join(out) + "\n"


def write_docs(
    path: Path,
    info: RunInfo,
    results: list[tuple[str, list[Figure]]],
    camera_seconds: int,
    ingest_seconds: int,
) -> None:
    path.write_text(render(info, results, camera_seconds, ingest_seconds), "utf-8")


_TARGET_CELL = re.compile(r"^(?P<op>>=|<=|)(?P<bound>[0-9.e+-]+)$")
_MACHINE = "## The machine and this run"
_REPRODUCE = "## How to reproduce"
_MERGED = "Sections re-measured later"
_MERGED_LINE = re.compile(r"^- Sections re-measured later \((?P<numbers>[^)]*)\)")


def _split_cells(row: str) -> list[str]:
    """The cells of a table row, `\\|` inside a cell kept as a plain `|`."""
    cells = re.split(r"(?<!\\)\|", row.strip().strip("|"))
    return [cell.strip().replace("\\|", "|") for cell in cells]


def _row_figure(row: str) -> Figure:
    name, value, unit, target, status, note = _split_cells(row)
    bound = _TARGET_CELL.match(target)
    parsed_target = (
        None if target == "-" or bound is None else Target(bound["op"], float(bound["bound"]))
    )
    bare = parsed_target is not None and parsed_target.op == ""
    return Figure(
        name.strip("`"),
        None if value == "not measured" else float(value),
        unit,
        parsed_target,
        note,
        status == "met" if bare else None,
    )


def read_sections(text: str) -> dict[str, list[Figure]]:
    """Each figure section of a written docs/benchmarks.md, by title, as its Figures."""
    sections: dict[str, list[Figure]] = {}
    title: str | None = None
    for line in text.splitlines():
        if line.startswith("## "):
            title = line[3:].strip()
            heading = title.split(".", 1)[0]
            is_figures = heading[:1].isdigit()
            if is_figures:
                sections[title] = []
            else:
                title = None
        elif title is not None and line.startswith("| `"):
            sections[title].append(_row_figure(line))
    return sections


def merge_docs(
    path: Path,
    info: RunInfo,
    fresh: list[tuple[str, list[Figure]]],
    titles: list[str],
    camera_seconds: int,
    ingest_seconds: int,
) -> None:
    """Rewrite `path` with the `fresh` sections measured now and every other section of
    `titles` as the file already states it (the full run's figures and machine facts kept,
    with a line saying which sections this later run replaced); a section whose title is no
    longer in `titles` is dropped."""
    text = path.read_text("utf-8")
    old = read_sections(text)
    fresh_titles = {title for title, _ in fresh}
    by_title = dict(fresh)
    results = [
        (title, by_title[title] if title in fresh_titles else old[title])
        for title in titles
        if title in fresh_titles or title in old
    ]
    rendered = render(info, results, camera_seconds, ingest_seconds)
    old_machine = text[text.index(_MACHINE) : text.index(_REPRODUCE)].rstrip("\n")
    numbers = [title.split(".", 1)[0] for title in titles if title in fresh_titles]
    merged_note = (
        f"- {_MERGED} ({'; '.join(numbers)}) {info.started_utc} at commit `{info.commit}` "
        f"(load {info.load_at_start} at start), took {info.seconds / 60:.1f} min: "
        f"`{info.command.strip()}`; every other section is from the run above."
    )
    if not fresh:
        # Only re-rendered (the explanations changed): no run to state.
        merged_note = ""
    kept = []
    for line in old_machine.splitlines():
        # The full run's browser figures may have come from another checkout: not these.
        if "E2EE_NVR_BENCH_FRONTEND" in line and "1" in numbers:
            continue
        # An earlier merge's line goes once every section it names is measured again.
        earlier = _MERGED_LINE.match(line)
        if earlier and set(earlier["numbers"].split("; ")) <= set(numbers):
            continue
        kept.append(line)
    old_machine = "\n".join(kept)
    if fresh:
        merged_note = "\n" + merged_note + "".join(f"\n- {note}" for note in info.notes)
    new_machine = rendered[rendered.index(_MACHINE) : rendered.index(_REPRODUCE)]
    path.write_text(rendered.replace(new_machine, old_machine + merged_note + "\n\n"), "utf-8")
