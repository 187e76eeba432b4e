"""One benchmark figure and its line: `bench: NAME value=V unit=U target=T met|missed`.

Every benchmark module prints its figures with `emit`; ./scripts/bench collects the lines from
each module's stdout with `parse_line` and writes docs/benchmarks.md from them. A figure the
issue sets no target for has `target=none` and counts as met (it is reported, not judged). A
figure that could not be measured has `value=none` and is missed, with the reason as its note:
never a made-up number. A line from another tool may give a bare target (`target=0.7`, no
direction): its own met/missed is then taken as stated.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

LINE = re.compile(
    r"^bench: (?P<name>[a-z0-9_.]+) value=(?P<value>\S+) unit=(?P<unit>\S+) "
    r"target=(?P<target>\S+) (?P<status>met|missed)(?: -- (?P<note>.*))?$"
)
_TARGET = re.compile(r"^(?P<op>>=|<=|)(?P<bound>[0-9.e+-]+)$")


class BadBenchLine(ValueError):
    """A line that starts with `bench:` but does not follow the format."""


@dataclass(frozen=True)
class Target:
    """`>=bound` (higher is better), `<=bound` (lower is better), or a bare bound whose
    direction only the line's author knows (`stated` on the Figure says whether it is met)."""

    op: str
    bound: float

    def __post_init__(self) -> None:
        if self.op not in (">=", "<=", ""):
            raise ValueError(f"target operator must be >=, <= or none, not {self.op!r}")

    def met_by(self, value: float) -> bool | None:
        if self.op == "":
            return None
        return value >= self.bound if self.op == ">=" else value <= self.bound

    def __str__(self) -> str:
        return f"{self.op}{format_value(self.bound)}"


@dataclass(frozen=True)
class Figure:
    """A measured value (None: not measured, see note) against an optional target."""

    name: str
    value: float | None
    unit: str
    target: Target | None = None
    note: str = ""
    stated_met: bool | None = None  # only for a bare target, as its line said

    @property
    def met(self) -> bool:
        if self.value is None or math.isnan(self.value):
            return False
        if self.target is None:
            return True
        judged = self.target.met_by(self.value)
        return bool(self.stated_met) if judged is None else judged

    def line(self) -> str:
        value = "none" if self.value is None else format_value(self.value)
        target = "none" if self.target is None else str(self.target)
        status = "met" if self.met else "missed"
        text = f"bench: {self.name} value={value} unit={self.unit} target={target} {status}"
        note = " ".join(self.note.split())
        return f"{text} -- {note}" if note else text


def format_value(value: float) -> str:
    """Whole numbers (byte counts) in full, anything else to four significant digits."""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.4g}"


def emit(figure: Figure) -> None:
    print(figure.line(), flush=True)


def not_measured(name: str, unit: str, target: Target | None, reason: str) -> Figure:
    return Figure(name, None, unit, target, f"not measured: {reason}")


def parse_line(line: str) -> Figure:
    """The Figure a `bench:` line states (its met/missed must agree with value and target)."""
    match = LINE.match(line.strip())
    if match is None:
        raise BadBenchLine(f"not a bench line: {line!r}")
    raw_value, raw_target = match["value"], match["target"]
    value = None if raw_value == "none" else float(raw_value)
    target = None
    if raw_target != "none":
        target_match = _TARGET.match(raw_target)
        if target_match is None:
            raise BadBenchLine(f"bad target {raw_target!r} in {line!r}")
        target = Target(target_match["op"], float(target_match["bound"]))
    stated = match["status"] == "met"
    bare = target is not None and target.op == ""
    figure = Figure(
        match["name"], value, match["unit"], target, match["note"] or "", stated if bare else None
    )
    if figure.met != stated:
        raise BadBenchLine(f"status disagrees with value and target: {line!r}")
    return figure
