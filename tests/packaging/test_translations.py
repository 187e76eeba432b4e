"""strings.json and translations/en.json carry the same texts.

Home Assistant reads a custom integration's texts from translations/<language>.json only;
strings.json is the source hassfest and core's translation scripts work from. When both exist,
en.json must be strings.json with its [%key:...%] references resolved: same keys, same texts.
"""

from __future__ import annotations

from typing import Any

from tests.packaging.rules import INTEGRATION_DIR, load_json_object

STRINGS = INTEGRATION_DIR / "strings.json"
EN = INTEGRATION_DIR / "translations" / "en.json"


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, child in value.items():
            flat.update(_flatten(child, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: value}


def test_translations_are_json_objects() -> None:
    paths = sorted((INTEGRATION_DIR / "translations").glob("*.json"))
    assert paths, "the integration ships no translations"
    for path in paths:
        load_json_object(path)


def test_strings_json_has_an_english_translation() -> None:
    assert STRINGS.is_file(), "strings.json is missing"
    assert EN.is_file(), "HA loads translations/en.json, not strings.json"


def test_en_json_matches_strings_json() -> None:
    strings = _flatten(load_json_object(STRINGS))
    english = _flatten(load_json_object(EN))
    assert sorted(strings.keys() ^ english.keys()) == []
    differ = {
        key: (value, english[key])
        for key, value in strings.items()
        if not (isinstance(value, str) and "[%key:" in value) and value != english[key]
    }
    assert differ == {}
    unresolved = sorted(k for k, v in english.items() if isinstance(v, str) and "[%key:" in v)
    assert unresolved == []
