"""Run one fuzz target under atheris (libFuzzer, coverage-guided): ./scripts/fuzz calls this.

Usage: python -m tests.fuzz.run_atheris TARGET RUNS WORKDIR

The protocol package, the agent and the stdlib tarfile are instrumented at import, so libFuzzer
sees which branches each input reaches. An input that raises anything but the target's named
refusals is a crash: libFuzzer writes it under WORKDIR and exits non-zero. Memory is bounded by
libFuzzer's -rss_limit_mb and -malloc_limit_mb, time per input by -timeout. libFuzzer ends the
process itself; its final stats (-print_final_stats) are what ./scripts/fuzz collects.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris  # type: ignore[import-not-found, import-untyped, unused-ignore]

RSS_LIMIT_MB = 2048
MALLOC_LIMIT_MB = 512
TIMEOUT_SECONDS = 10
MAX_LEN = 1 << 16

with atheris.instrument_imports(include=["e2ee_nvr_protocol", "camera_agent", "tarfile"]):
    from tests.fuzz.targets import BY_NAME


def main() -> int:
    name, runs, workdir = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    target = BY_NAME[name]
    corpus = workdir / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for index, seed in enumerate(target.seeds()):
        (corpus / f"seed-{index}").write_bytes(seed)

    def one_input(data: bytes) -> None:
        try:
            target.run(data)
        except target.allowed:
            return

    args = [
        sys.argv[0], f"-runs={runs}", f"-rss_limit_mb={RSS_LIMIT_MB}",
        f"-malloc_limit_mb={MALLOC_LIMIT_MB}", f"-timeout={TIMEOUT_SECONDS}",
        f"-max_len={MAX_LEN}", f"-artifact_prefix={workdir}/", "-print_final_stats=1",
        str(corpus),
    ]  # fmt: skip
    atheris.Setup(args, one_input)
    atheris.Fuzz()  # libFuzzer exits the process when the runs are done or on a finding
    return 0


if __name__ == "__main__":
    sys.exit(main())
