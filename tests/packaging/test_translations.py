"""strings.json and translations/en.json carry the same texts; every other language has them all.

Home Assistant reads a custom integration's texts from translations/<language>.json only;
strings.json is the source hassfest and core's translation scripts work from. When both exist,
en.json must be strings.json with its [%key:...%] references resolved: same keys, same texts.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.packaging.rules import INTEGRATION_DIR, load_json_object

STRINGS = INTEGRATION_DIR / "strings.json"
EN = INTEGRATION_DIR / "translations" / "en.json"
# Languages besides English: each must be complete against strings.json (no English fallback
# shows half a screen in another language).
TRANSLATED = ("de",)


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


# Texts that are the same word in German: names, units, technical terms.
SAME_IN_GERMAN = frozenset(
    {
        "entity.event.clip.state_attributes.event_type.state.person",
        "options.step.storage_s3.data.bucket",
        "options.step.storage_s3.data.region",
        "options.step.offsite_s3.data.bucket",
        "options.step.offsite_s3.data.region",
    }
)


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"\{(\w+)\}", text))


@pytest.mark.parametrize("language", TRANSLATED)
def test_translation_has_exactly_the_keys_and_placeholders_of_strings_json(
    language: str,
) -> None:
    strings = _flatten(load_json_object(STRINGS))
    translated = _flatten(load_json_object(INTEGRATION_DIR / "translations" / f"{language}.json"))
    assert sorted(strings.keys() ^ translated.keys()) == []
    wrong = {
        key: (_placeholders(text), _placeholders(translated[key]))
        for key, text in strings.items()
        if _placeholders(text) != _placeholders(translated[key])
    }
    assert wrong == {}
    assert [k for k, v in translated.items() if not isinstance(v, str) or not v.strip()] == []


def test_german_is_translated_not_copied() -> None:
    english = _flatten(load_json_object(EN))
    german = _flatten(load_json_object(INTEGRATION_DIR / "translations" / "de.json"))
    assert sorted(k for k, v in english.items() if german[k] == v) == sorted(SAME_IN_GERMAN)


def test_every_translation_file_is_checked_for_completeness() -> None:
    shipped = {p.stem for p in (INTEGRATION_DIR / "translations").glob("*.json")}
    assert shipped == {"en", *TRANSLATED}
