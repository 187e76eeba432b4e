"""Byte and JSON encodings shared by every protocol object.

Signed and MACed objects travel as their exact bytes (base64url) beside the signature, so a
verifier never re-serialises: what was signed is what is parsed. JSON parsing is strict
(duplicate keys, non-finite numbers and oversized integers are refused) because two parsers
that disagree on one document are a parser differential waiting to happen.
"""

from __future__ import annotations

import base64
import binascii
import builtins
import json
import re
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any

from .errors import MalformedObject, UnsupportedVersion

# Integers a JSON number may carry: the range JavaScript represents exactly (2^53 - 1).
MAX_SAFE_INTEGER = 2**53 - 1
# Nesting depth both implementations accept; v1 documents need fewer than 10 levels.
MAX_DEPTH = 64

_B64URL_RE = re.compile(r"^[A-Za-z0-9_-]*$")
_HEX_RE = re.compile(r"^[0-9a-f]*$")


def b64encode(raw: bytes) -> str:
    """base64url without padding (RFC 4648 section 5)."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64decode(text: object, *, field: str = "value", length: int | None = None) -> bytes:
    """Decode canonical unpadded base64url; refuse padding, other alphabets and slack bits."""
    if not isinstance(text, str) or not _B64URL_RE.match(text) or len(text) % 4 == 1:
        raise MalformedObject(f"{field}: not unpadded base64url")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as err:
        raise MalformedObject(f"{field}: not base64url") from err
    if b64encode(raw) != text:
        # Non-canonical encodings (non-zero slack bits) would give one value two spellings.
        raise MalformedObject(f"{field}: non-canonical base64url")
    if length is not None and len(raw) != length:
        raise MalformedObject(f"{field}: expected {length} bytes, got {len(raw)}")
    return raw


def hex_id(text: object, *, field: str, length_bytes: int) -> str:
    """Check a lowercase hex identifier of exactly length_bytes bytes and return it."""
    if not isinstance(text, str) or len(text) != 2 * length_bytes or not _HEX_RE.match(text):
        raise MalformedObject(f"{field}: expected {2 * length_bytes} lowercase hex digits")
    return text


def dumps(document: Mapping[str, Any]) -> bytes:
    """Serialise a document the way every producer in this protocol does.

    Sorted keys, no insignificant white space, UTF-8. Verifiers never depend on this form
    (they check the bytes they were given), but one form keeps vectors reproducible.
    """
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def _no_duplicates(pairs: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise MalformedObject(f"duplicate key {key!r}")
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise MalformedObject(f"non-finite number {name}")


def _parse_int(text: str) -> int:
    value = int(text)
    if abs(value) > MAX_SAFE_INTEGER:
        raise MalformedObject("integer outside the exactly representable range")
    return value


def _refuse_float(text: str) -> Any:
    raise MalformedObject(f"fractional number {text} (the protocol uses integers only)")


def loads(raw: bytes, *, max_bytes: int = 1 << 20) -> dict[str, Any]:
    """Parse one JSON object strictly: UTF-8, no duplicate keys, integers only, bounded size."""
    if len(raw) > max_bytes:
        raise MalformedObject(f"document larger than {max_bytes} bytes")
    try:
        text = raw.decode("utf-8")
        value = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_constant=_refuse_constant,
            parse_int=_parse_int,
            parse_float=_refuse_float,
        )
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise MalformedObject(f"not a JSON document: {err}") from err
    except ValueError as err:
        # int() refuses literals over 4,300 digits with a plain ValueError.
        raise MalformedObject(f"not a JSON document: {err}") from err
    if not isinstance(value, dict):
        raise MalformedObject("expected a JSON object")
    _check_depth(value, 1)
    return value


def _check_depth(value: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise MalformedObject(f"JSON nested deeper than {MAX_DEPTH} levels")
    children = (
        value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    )
    for child in children:
        _check_depth(child, depth + 1)


def check_version_and_type(document: Mapping[str, Any], object_type: str, version: int = 1) -> None:
    """`v` must be the JSON integer `version` (else UnsupportedVersion; a non-integer is
    malformed) and `type` must be `object_type` (else MalformedObject)."""
    found = document.get("v")
    if isinstance(found, bool) or not isinstance(found, int):
        raise MalformedObject(f"{object_type}: v is not an integer")
    if found != version:
        raise UnsupportedVersion(f"{object_type}: unsupported version {found}")
    if document.get("type") != object_type:
        raise MalformedObject(f"expected a {object_type}, got {document.get('type')!r}")


class Fields:
    """Typed, exhaustive access to one parsed JSON object.

    Every field is read through a typed getter, and `done()` refuses any field nobody read:
    v1 objects carry no unknown fields, so a verifier never ignores something a signer meant.
    As a context manager it calls `done()` when the block completes:

        with Fields.typed(document, "key-backup", 1) as fields:
            return KeyBackup(role=fields.str("role"), ...)
    """

    def __init__(self, document: object, *, where: builtins.str) -> None:
        if not isinstance(document, dict):
            raise MalformedObject(f"{where}: expected an object")
        self._document: dict[builtins.str, Any] = document
        self._where = where
        self._read: set[builtins.str] = set()

    @classmethod
    def typed(
        cls, document: object, object_type: builtins.str, version: builtins.int = 1
    ) -> Fields:
        """The fields of a document that must be of `object_type` and `version` (both read)."""
        fields = cls(document, where=object_type)
        fields.version_and_type(object_type, version)
        return fields

    def __enter__(self) -> Fields:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # Leftover fields are refused only after a complete read: an earlier error says more.
        if exc_type is None:
            self.done()

    def _get(self, name: builtins.str) -> Any:
        if name not in self._document:
            raise MalformedObject(f"{self._where}: missing field {name!r}")
        self._read.add(name)
        return self._document[name]

    def version_and_type(self, object_type: builtins.str, version: builtins.int = 1) -> None:
        """Read `v` and `type`: another version is UnsupportedVersion, another type malformed."""
        self._get("v")
        self._get("type")
        check_version_and_type(self._document, object_type, version)

    def has(self, name: builtins.str) -> bool:
        return name in self._document

    def str(
        self,
        name: builtins.str,
        *,
        max_len: builtins.int = 256,
        pattern: re.Pattern[builtins.str] | None = None,
    ) -> builtins.str:
        value = self._get(name)
        if not isinstance(value, str) or len(value) > max_len:
            raise MalformedObject(f"{self._where}.{name}: expected a string of <= {max_len}")
        if pattern is not None and not pattern.fullmatch(value):
            raise MalformedObject(f"{self._where}.{name}: malformed")
        return value

    def int(
        self,
        name: builtins.str,
        *,
        minimum: builtins.int = 0,
        maximum: builtins.int = MAX_SAFE_INTEGER,
    ) -> builtins.int:
        value = self._get(name)
        # bool is an int subclass in Python; JSON true is not a number here.
        if isinstance(value, bool) or not isinstance(value, int):
            raise MalformedObject(f"{self._where}.{name}: expected an integer")
        if not minimum <= value <= maximum:
            raise MalformedObject(f"{self._where}.{name}: {value} outside [{minimum}, {maximum}]")
        return value

    def bytes(
        self,
        name: builtins.str,
        *,
        length: builtins.int | None = None,
        max_len: builtins.int = 1 << 20,
    ) -> builtins.bytes:
        raw = b64decode(self._get(name), field=f"{self._where}.{name}", length=length)
        if len(raw) > max_len:
            raise MalformedObject(f"{self._where}.{name}: longer than {max_len} bytes")
        return raw

    def hex(self, name: builtins.str, *, length_bytes: builtins.int) -> builtins.str:
        return hex_id(self._get(name), field=f"{self._where}.{name}", length_bytes=length_bytes)

    def obj(self, name: builtins.str) -> Fields:
        return Fields(self._get(name), where=f"{self._where}.{name}")

    def optional_obj(self, name: builtins.str) -> Fields | None:
        value = self._get(name)
        return None if value is None else Fields(value, where=f"{self._where}.{name}")

    def list(self, name: builtins.str, *, max_items: builtins.int = 256) -> builtins.list[Any]:
        value = self._get(name)
        if not isinstance(value, list) or len(value) > max_items:
            raise MalformedObject(f"{self._where}.{name}: expected a list of <= {max_items}")
        return value

    def raw(self, name: builtins.str) -> Any:
        return self._get(name)

    def done(self) -> None:
        unknown = set(self._document) - self._read
        if unknown:
            raise MalformedObject(f"{self._where}: unknown fields {sorted(unknown)}")
