"""Figure 3: clip encryption and decryption of one file against `age` on the same file.

Usage: python -m scripts.benchmarks.versus_age [MiB]   (default 1024: the issue's 1 GiB)

Both sides go file to file in the same temporary folder: ours through the protocol's
encrypt_file/decrypt_file (what the agent and the recovery tool run, the SHA-256 for the
manifest included), `age` (Debian's, an X25519 recipient) as a child process. The ratio is age's
time over ours, so >= 1 means we are at least as fast. Each side is timed twice and the faster
run kept, alternating, so the page cache favours neither.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from e2ee_nvr_protocol.stream import ContentKind, decrypt_file, encrypt_file
from scripts.benchmarks.report import Figure, Target, emit, not_measured

WRITE_BLOCK = 1 << 20
ROUNDS = 2


def write_random_file(path: Path, total_bytes: int) -> None:
    block = bytearray(os.urandom(WRITE_BLOCK))
    with path.open("wb") as handle:
        for offset in range(0, total_bytes, WRITE_BLOCK):
            block[:8] = offset.to_bytes(8, "big")  # no two blocks alike
            handle.write(block[: min(WRITE_BLOCK, total_bytes - offset)])


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def file_sha256(path: Path) -> bytes:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").digest()


def run(command: list[str]) -> None:
    subprocess.run(command, check=True, capture_output=True)  # noqa: S603 (age, our own arguments)


def main() -> None:
    mebibytes = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
    age, keygen = shutil.which("age"), shutil.which("age-keygen")
    if age is None or keygen is None:
        for name in ("versus_age.encrypt_ratio", "versus_age.decrypt_ratio"):
            emit(not_measured(name, "ratio", Target(">=", 1), "`age` is not installed"))
        return
    clip_key, clip_id = os.urandom(16), os.urandom(16)
    with tempfile.TemporaryDirectory(prefix="bench-age-") as folder:
        work = Path(folder)
        plain, ours, ours_out = work / "clip.mp4", work / "clip.ours", work / "clip.ours.out"
        theirs, theirs_out = work / "clip.age", work / "clip.age.out"
        identity = work / "key.txt"
        write_random_file(plain, mebibytes << 20)
        run([keygen, "-o", str(identity)])
        recipient = subprocess.run(  # noqa: S603
            [keygen, "-y", str(identity)], check=True, capture_output=True, text=True
        ).stdout.strip()

        def ours_encrypt() -> None:
            with plain.open("rb") as src, ours.open("wb") as dst:
                encrypt_file(src, dst, clip_key, clip_id, ContentKind.VIDEO)

        def ours_decrypt() -> None:
            with ours.open("rb") as src, ours_out.open("wb") as dst:
                decrypt_file(src, dst, clip_key, clip_id, ContentKind.VIDEO)

        def age_encrypt() -> None:
            run([age, "-r", recipient, "-o", str(theirs), str(plain)])

        def age_decrypt() -> None:
            run([age, "-d", "-i", str(identity), "-o", str(theirs_out), str(theirs)])

        best = {"ours_enc": float("inf"), "age_enc": float("inf")}
        best |= {"ours_dec": float("inf"), "age_dec": float("inf")}
        for _ in range(ROUNDS):
            best["ours_enc"] = min(best["ours_enc"], timed(ours_encrypt))
            best["age_enc"] = min(best["age_enc"], timed(age_encrypt))
            best["ours_dec"] = min(best["ours_dec"], timed(ours_decrypt))
            best["age_dec"] = min(best["age_dec"], timed(age_decrypt))
        original = file_sha256(plain)
        if file_sha256(ours_out) != original or file_sha256(theirs_out) != original:
            raise RuntimeError("a round trip did not give back the original file")
    size = mebibytes << 20
    for direction, key in (("encrypt", "enc"), ("decrypt", "dec")):
        ours_s, age_s = best[f"ours_{key}"], best[f"age_{key}"]
        note = f"{mebibytes} MiB file to file; age {age_s:.2f} s, ours {ours_s:.2f} s"
        emit(Figure(f"versus_age.{direction}_mb_s", size / ours_s / 1e6, "MB/s"))
        emit(Figure(f"versus_age.age_{direction}_mb_s", size / age_s / 1e6, "MB/s"))
        emit(
            Figure(f"versus_age.{direction}_ratio", age_s / ours_s, "ratio", Target(">=", 1), note)
        )


if __name__ == "__main__":
    main()
