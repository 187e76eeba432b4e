"""Figure 7 (Python side): wrapping one clip's key to 1, 8 and 63 recipients, as the agent does.

Usage: python -m scripts.benchmarks.key_wrap

Each recipient is a browser's P-256 instance key (ECIES, section 7.1): the agent wraps every
clip key once per recipient when it seals the clip. Reported per clip (the median of repeated
runs) with one unwrap, what an endpoint pays to open a clip, and the wrap's share of a 60 s
clip's time as a ratio. No target: the issue asks for the figures. Times are CPU time of this
process (single-threaded work): with other jobs on the two cores, wall time would mostly
measure how often the scheduler preempts a 10 ms job.
"""

from __future__ import annotations

import os
import time
from functools import partial

from cryptography.hazmat.primitives.asymmetric import ec

from e2ee_nvr_protocol.wrap import WrapPurpose, unwrap_p256, wrap_context, wrap_to_p256
from scripts.benchmarks.report import Figure, emit
from scripts.benchmarks.timing import median_seconds

RECIPIENT_COUNTS = (1, 8, 63)
REPEATS = 15


def wrap_all(publics: list[ec.EllipticCurvePublicKey], clip_key: bytes, context: bytes) -> None:
    for public in publics:
        wrap_to_p256(public, clip_key, context)


def main() -> None:
    keys = [ec.generate_private_key(ec.SECP256R1()) for _ in range(max(RECIPIENT_COUNTS))]
    publics = [key.public_key() for key in keys]
    clip_key, clip_id = os.urandom(16), os.urandom(16)
    context = wrap_context(WrapPurpose.CLIP_KEY, clip_id)
    for count in RECIPIENT_COUNTS:
        seconds = median_seconds(
            partial(wrap_all, publics[:count], clip_key, context), REPEATS, time.process_time
        )
        emit(
            Figure(
                f"key_wrap.per_clip_{count}_recipients",
                seconds * 1000,
                "ms",
                note=f"{seconds / count * 1e6:.0f} us per recipient; "
                f"{seconds / 60:.1e} of a 60 s clip's time on one core",
            )
        )
    wrapped = wrap_to_p256(publics[0], clip_key, context)
    seconds = median_seconds(
        lambda: unwrap_p256(keys[0], wrapped, context, WrapPurpose.CLIP_KEY), 51, time.process_time
    )
    emit(Figure("key_wrap.unwrap_one_clip_key", seconds * 1e6, "us"))


if __name__ == "__main__":
    main()
