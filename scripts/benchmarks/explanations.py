"""Hand-written text for docs/benchmarks.md: what each section measures, and why a target is
missed with what would close it (kept apart from the figures, which only a run writes)."""

from __future__ import annotations

# Keyed by the section number at the start of a step's title.
SECTION_NOTES: dict[str, str] = {}

# Keyed by figure name.
EXPLANATIONS: dict[str, str] = {}
