"""A short fuzz run of the fMP4 reader on mutated real streams (the long run is ./scripts/fuzz).

The attack: a hostile camera (or one with broken firmware) sends boxes with wrong sizes, short
fields, bad text and absurd counts. On main 137 of 20,000 mutated streams raised struct.error or
UnicodeDecodeError instead of the parser's own BoxError, and a trun announcing 2^32 samples with
no per-sample fields looped four billion times.
"""

from __future__ import annotations

import contextlib
import struct

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from camera_agent.capture.boxes import BoxError
from tests.fuzz import fuzz_fmp4 as fuzz

SEED: bytes = fuzz.seed_stream()

mutations = st.lists(
    st.tuples(st.integers(0, len(SEED) - 1), st.sampled_from(["set", "cut", "insert", "word"]),
              st.integers(0, 0xFFFFFFFF)),
    min_size=1,
    max_size=8,
)  # fmt: skip


def mutate(seed: bytes, steps: list[tuple[int, str, int]]) -> bytes:
    data = bytearray(seed)
    for position, kind, value in steps:
        position %= max(len(data), 1)
        if kind == "set":
            data[position : position + 1] = bytes([value & 0xFF])
        elif kind == "cut":
            del data[position:]
        elif kind == "insert":
            data[position:position] = value.to_bytes(4, "big")
        else:  # overwrite a 32-bit field: sizes, counts, flags, track ids
            data[position : position + 4] = value.to_bytes(4, "big")
    return bytes(data)


def test_the_seed_parses_cleanly() -> None:
    fuzz.fuzz_fmp4_stream(SEED)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(mutations)
def test_mutated_streams_raise_only_box_error(steps: list[tuple[int, str, int]]) -> None:
    """Fault: mutated camera streams; only the documented BoxError may come out."""
    with contextlib.suppress(*fuzz.DOCUMENTED_ERRORS):
        fuzz.fuzz_fmp4_stream(mutate(SEED, steps))


def test_a_huge_trun_sample_count_is_refused_not_looped() -> None:
    """Attack: a trun that announces 2^32 - 1 samples and carries none."""
    index = SEED.index(b"trun")
    # full box header (version+flags) then the sample count: keep flags, zero per-sample fields
    patched = bytearray(SEED)
    patched[index + 4 : index + 8] = b"\x00\x00\x00\x00"
    patched[index + 8 : index + 12] = struct.pack(">I", 0xFFFFFFFF)
    with contextlib.suppress(BoxError):
        fuzz.fuzz_fmp4_stream(bytes(patched))


@given(st.binary(max_size=2048))
def test_random_bytes_raise_only_box_error(data: bytes) -> None:
    with contextlib.suppress(*fuzz.DOCUMENTED_ERRORS):
        fuzz.fuzz_fmp4_stream(data)
