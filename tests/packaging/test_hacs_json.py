"""hacs.json and the repository layout, as HACS's validator checks them."""

from __future__ import annotations

from typing import Any

from tests.packaging.rules import (
    CUSTOM_COMPONENTS,
    DOMAIN,
    HACS_JSON_OPTIONAL,
    HACS_JSON_REQUIRED,
    MINIMUM_HOMEASSISTANT,
)


def test_hacs_json_has_a_name(hacs_json: dict[str, Any]) -> None:
    missing = HACS_JSON_REQUIRED - hacs_json.keys()
    assert missing == set()
    assert isinstance(hacs_json["name"], str)
    assert hacs_json["name"].strip()


def test_hacs_json_has_only_known_keys(hacs_json: dict[str, Any]) -> None:
    # HACS_MANIFEST_JSON_SCHEMA uses PREVENT_EXTRA: an unknown key fails validation.
    unknown = hacs_json.keys() - HACS_JSON_REQUIRED - HACS_JSON_OPTIONAL.keys()
    assert unknown == set()


def test_hacs_json_value_types(hacs_json: dict[str, Any]) -> None:
    wrong = {
        key: type(value).__name__
        for key, value in hacs_json.items()
        if key in HACS_JSON_OPTIONAL and not isinstance(value, HACS_JSON_OPTIONAL[key])
    }
    assert wrong == {}


def test_zip_release_names_its_file(hacs_json: dict[str, Any]) -> None:
    if hacs_json.get("zip_release"):
        assert hacs_json.get("filename"), "zip_release needs filename"


def test_minimum_home_assistant(hacs_json: dict[str, Any]) -> None:
    # The oldest HA this integration supports and is tested on (the 2025.4.4 venv).
    assert hacs_json.get("homeassistant") == MINIMUM_HOMEASSISTANT


def test_content_lives_in_custom_components(hacs_json: dict[str, Any]) -> None:
    # HACS installs custom_components/<domain>/ only, and manages the first integration folder
    # it finds: there must be exactly one.
    assert not hacs_json.get("content_in_root", False)
    folders = sorted(
        p.name
        for p in CUSTOM_COMPONENTS.iterdir()
        if p.is_dir() and not p.name.startswith((".", "__"))
    )
    assert folders == [DOMAIN]
