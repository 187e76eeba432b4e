"""The shared vector files (tests/vectors/*.json, docs/protocol.md section 14) against Python.

Every case of every file runs through its runner in tests/vectors/runners.py: an "ok" case must
give exactly the recorded output, a refusal must raise the protocol error of exactly the recorded
class name. The TypeScript endpoint runs the same files. Regenerate them with
`python -m tests.vectors.generate`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from e2ee_nvr_protocol import errors
from tests.vectors.runners import RUNNERS

VECTOR_DIR = Path(__file__).resolve().parents[1] / "vectors"
# Not a vector file: the TEST-ONLY RSA keys the generator reuses across runs.
NOT_VECTORS = {"keys.json"}
ERROR_NAMES = {
    name
    for name, value in vars(errors).items()
    if isinstance(value, type) and issubclass(value, errors.ProtocolError)
}


def vector_files() -> list[Path]:
    return sorted(p for p in VECTOR_DIR.glob("*.json") if p.name not in NOT_VECTORS)


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return document


def all_cases() -> list[Any]:
    params = []
    for path in vector_files():
        for case in load(path)["cases"]:
            params.append(pytest.param(path.stem, case, id=f"{path.stem}-{case['name']}"))
    return params


@pytest.mark.parametrize(("file_name", "case"), all_cases())
def test_vector(file_name: str, case: dict[str, Any]) -> None:
    runner = RUNNERS[file_name]
    expect = case["expect"]
    if expect == "ok":
        assert runner(case["input"]) == case["output"]
        return
    assert expect in ERROR_NAMES, f"{expect} is not a class of protocol/errors.py"
    assert case["output"] == {}
    with pytest.raises(errors.ProtocolError) as caught:
        runner(case["input"])
    assert type(caught.value).__name__ == expect, str(caught.value)


def test_every_file_has_a_runner_and_every_runner_a_file() -> None:
    names = {path.stem for path in vector_files()}
    assert names == set(RUNNERS)


@pytest.mark.parametrize("path", vector_files(), ids=lambda path: path.stem)
def test_file_shape(path: Path) -> None:
    document = load(path)
    assert set(document) == {"description", "spec", "cases"}
    assert document["spec"].startswith("docs/protocol.md section ")
    cases = document["cases"]
    names = [case["name"] for case in cases]
    assert len(names) == len(set(names)), "duplicate case names"
    for case in cases:
        assert set(case) == {"name", "input", "expect", "output"}
    expects = {case["expect"] for case in cases}
    assert "ok" in expects, "no success case"
    assert expects - {"ok"}, "no refusal case"
