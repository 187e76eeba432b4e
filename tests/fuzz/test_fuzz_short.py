"""A short run of every fuzz target (the long, coverage-guided run is ./scripts/fuzz).

Each target gets its honest seeds, then Hypothesis mutations of them (bytes set, cut, inserted,
a byte range repeated) and raw bytes. The assertion is the fuzzing contract: the parser either
accepts or raises its own named refusal; any other exception fails the test with the input.
"""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.targets import TARGETS, Target

EXAMPLES_PER_TARGET = 150
Edit = tuple[float, str, int]


def _mutate(seed: bytes, edits: list[Edit]) -> bytes:
    data = bytearray(seed)
    for where, how, value in edits:
        at = int(where * len(data)) if data else 0
        if how == "set" and data:
            data[min(at, len(data) - 1)] = value & 0xFF
        elif how == "cut":
            del data[at : at + 1 + value % 64]
        elif how == "insert":
            data[at:at] = value.to_bytes(4, "big")
        elif how == "repeat":
            data[at:at] = data[at : at + 1 + value % 32] * (1 + value % 4)
    return bytes(data)


edits = st.lists(
    st.tuples(
        st.floats(0, 1, exclude_max=True),
        st.sampled_from(["set", "cut", "insert", "repeat"]),
        st.integers(0, 0xFFFFFFFF),
    ),
    max_size=6,
)


def _check(target: Target, data: bytes) -> None:
    with contextlib.suppress(*target.allowed):
        target.run(data)


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
def test_seeds_parse_or_refuse_by_name(target: Target) -> None:
    for seed in target.seeds():
        _check(target, seed)


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
def test_mutated_seeds_raise_only_named_refusals(target: Target) -> None:
    seeds = target.seeds()

    @settings(
        max_examples=EXAMPLES_PER_TARGET,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(index=st.integers(0, len(seeds) - 1), changes=edits, raw=st.binary(max_size=64))
    def mutated(index: int, changes: list[Edit], raw: bytes) -> None:
        _check(target, _mutate(seeds[index], changes))
        _check(target, raw)

    mutated()
