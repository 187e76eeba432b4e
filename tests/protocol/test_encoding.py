"""Strict JSON and base64url (section 1.1): every refusal a parser differential could exploit."""

from __future__ import annotations

import pytest

from e2ee_nvr_protocol.encoding import (
    MAX_DEPTH,
    Fields,
    b64decode,
    b64encode,
    check_version_and_type,
    loads,
)
from e2ee_nvr_protocol.errors import MalformedObject, UnsupportedVersion


@pytest.mark.parametrize(
    "raw",
    [
        b'{"a":1,"a":2}',  # duplicate key: JSON.parse keeps the last, a differential
        b'{"a":1.5}',
        b'{"a":NaN}',
        b'{"a":Infinity}',
        b'{"a":9007199254740992}',  # 2^53: not exactly representable in JavaScript
        b'{"a":' + b"9" * 5000 + b"}",  # longer than Python's int() accepts
        b'{"a":"\xff"}',  # invalid UTF-8
        b"[1,2]",  # not an object
        b'{"a":1',
        b"{" + b'"a":[' * MAX_DEPTH + b"]" * MAX_DEPTH + b"}",
    ],
)
def test_strict_json_refusals(raw: bytes) -> None:
    with pytest.raises(MalformedObject):
        loads(raw)


def test_nesting_up_to_the_limit_is_accepted() -> None:
    # The object is level 1; its value and the arrays inside it reach level MAX_DEPTH exactly.
    depth = MAX_DEPTH - 1
    value = loads(b'{"a":' + b"[" * depth + b"]" * depth + b"}")["a"]
    for _ in range(depth - 1):
        assert isinstance(value, list) and len(value) == 1
        value = value[0]
    assert value == []


def test_size_limit() -> None:
    with pytest.raises(MalformedObject):
        loads(b'{"a":"' + b"x" * 100 + b'"}', max_bytes=50)


@pytest.mark.parametrize(
    ("document", "error"),
    [
        ({"v": True, "type": "x"}, MalformedObject),
        ({"v": "1", "type": "x"}, MalformedObject),
        ({"v": 2, "type": "x"}, UnsupportedVersion),
        ({"v": 1, "type": "y"}, MalformedObject),
        ({"type": "x"}, MalformedObject),
    ],
)
def test_version_and_type(document: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        check_version_and_type(document, "x")
    check_version_and_type({"v": 1, "type": "x"}, "x")


@pytest.mark.parametrize("text", ["AA==", "A", "AB", "A+", "A/", " AA", "AB=="])
def test_base64url_refuses_non_canonical_forms(text: str) -> None:
    with pytest.raises(MalformedObject):
        b64decode(text)


def test_base64url_round_trip() -> None:
    for length in range(40):
        raw = bytes(range(length))
        assert b64decode(b64encode(raw)) == raw


def test_fields_refuse_unknown_missing_and_mistyped() -> None:
    fields = Fields({"n": 1, "extra": 2}, where="doc")
    assert fields.int("n") == 1
    with pytest.raises(MalformedObject, match="unknown fields"):
        fields.done()
    with pytest.raises(MalformedObject, match="missing"):
        Fields({}, where="doc").str("s")
    with pytest.raises(MalformedObject):
        Fields({"n": True}, where="doc").int("n")
    with pytest.raises(MalformedObject):
        Fields({"s": "x" * 300}, where="doc").str("s")
