"""Figure 9: the shipped frontend's sizes, raw and gzipped, per entry and what it loads at once.

Usage: python -m scripts.benchmarks.bundle

Reads whatever .js files custom_components/e2ee_nvr/frontend/ holds. The card entry is the
file named like *card*.js, the panel entry *panel*.js; a single bundle is both. An entry's
initial load is the entry plus every module it imports statically (followed recursively);
modules reached only through `import(...)` load later, when a screen needs them. Sizes are
bytes as served; gzip level 9, as a server or HA's own frontend would compress them.
"""

from __future__ import annotations

import gzip
import os
import re
from pathlib import Path

from scripts.benchmarks.report import Figure, Target, emit, not_measured

REPO_ROOT = Path(__file__).resolve().parents[2]
# Another checkout's built frontend can stand in for this one's (to compare before a merge).
SHIPPED = Path(
    os.environ.get(
        "E2EE_NVR_BENCH_BUNDLE", REPO_ROOT / "custom_components" / "e2ee_nvr" / "frontend"
    )
)
CARD_ENTRY_MAX_BYTES = 400_000
# `import "./x.js"`, `import {a} from "./x.js"`, `export * from "./x.js"` (minified or not);
# the lookbehind skips `import("./x.js")`, which is a dynamic import.
STATIC_IMPORT = re.compile(r"""(?:\bfrom|\bimport)(?!\s*\()\s*["'](\./[^"']+\.js)["']""")


def gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def initial_load(entry: Path) -> list[Path]:
    """The entry and every file it pulls in statically, each once."""
    seen: list[Path] = []
    pending = [entry]
    while pending:
        current = pending.pop()
        if current in seen or not current.is_file():
            continue
        seen.append(current)
        text = current.read_text("utf-8", errors="replace")
        pending.extend(current.parent / name for name in STATIC_IMPORT.findall(text))
    return seen


def entry_named(files: list[Path], word: str) -> Path | None:
    named = [f for f in files if word in f.name]
    if named:
        return min(named, key=lambda f: len(f.name))
    return files[0] if len(files) == 1 else None


def main() -> None:
    entries = sorted(SHIPPED.glob("*.js"))
    files = sorted(SHIPPED.rglob("*.js"))
    if not files:
        emit(
            not_measured(
                "bundle.card_entry_bytes",
                "bytes",
                Target("<=", CARD_ENTRY_MAX_BYTES),
                f"no .js in {SHIPPED}",
            )
        )
        return
    for path in files:
        data = path.read_bytes()
        stem = path.relative_to(SHIPPED).with_suffix("").as_posix()
        emit(
            Figure(
                f"bundle.file.{re.sub('[^a-z0-9]+', '_', stem.lower())}_bytes",
                len(data),
                "bytes",
                note=f"gzip {gzip_size(data)} bytes",
            )
        )
    for role in ("card", "panel"):
        entry = entry_named(entries, role)
        if entry is None:
            emit(
                not_measured(
                    f"bundle.{role}_entry_bytes",
                    "bytes",
                    None,
                    f"no {role} entry among {[f.name for f in files]}",
                )
            )
            continue
        loaded = initial_load(entry)
        raw = sum(p.stat().st_size for p in loaded)
        zipped = sum(gzip_size(p.read_bytes()) for p in loaded)
        target = Target("<=", CARD_ENTRY_MAX_BYTES) if role == "card" else None
        names = ", ".join(p.relative_to(SHIPPED).as_posix() for p in loaded)
        emit(
            Figure(
                f"bundle.{role}_initial_load_bytes",
                raw,
                "bytes",
                target,
                f"entry {entry.name}; loads {names}",
            )
        )
        emit(
            Figure(
                f"bundle.{role}_initial_load_gzip_bytes",
                zipped,
                "bytes",
                note=f"gzip -9 of {names}",
            )
        )


if __name__ == "__main__":
    main()
