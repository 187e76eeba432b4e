"""manifest.json, as hassfest (custom integration schema), HACS and HA's loader check it."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

from tests.packaging.rules import (
    CORE_DOCUMENTATION_BASE,
    HACS_MANIFEST_REQUIRED,
    INTEGRATION_DIR,
    INTEGRATION_TYPES,
    MANIFEST_KEYS,
    SUPPORTED_IOT_CLASSES,
    SUPPORTED_QUALITY_SCALES,
)


def test_required_keys(manifest: dict[str, Any]) -> None:
    missing = [key for key in HACS_MANIFEST_REQUIRED if key not in manifest]
    assert missing == []


def test_only_known_keys(manifest: dict[str, Any]) -> None:
    assert manifest.keys() - MANIFEST_KEYS == set()


def test_keys_sorted_domain_name_then_alphabetical(manifest: dict[str, Any]) -> None:
    # hassfest: "Manifest keys are not sorted correctly: domain, name, then alphabetical order".
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])


def test_domain_is_the_folder_name(manifest: dict[str, Any]) -> None:
    assert manifest["domain"] == INTEGRATION_DIR.name
    # HA's loader imports custom_components.<domain>: it must be a valid, lower-case identifier.
    assert re.fullmatch(r"[a-z][a-z0-9_]*", manifest["domain"])


def test_name_is_text(manifest: dict[str, Any]) -> None:
    assert isinstance(manifest["name"], str)
    assert manifest["name"].strip()


def _is_https_url(value: object) -> bool:
    if not isinstance(value, str):
        return False
    parsed = urlparse(value)
    return parsed.scheme == "https" and bool(parsed.netloc)


def test_documentation_url(manifest: dict[str, Any]) -> None:
    # hassfest's custom_documentation_url: https, and not the core integrations' documentation.
    assert _is_https_url(manifest["documentation"])
    assert not manifest["documentation"].startswith(CORE_DOCUMENTATION_BASE)


def test_issue_tracker_url(manifest: dict[str, Any]) -> None:
    assert _is_https_url(manifest["issue_tracker"])


def test_codeowners_are_github_handles(manifest: dict[str, Any]) -> None:
    codeowners = manifest["codeowners"]
    assert isinstance(codeowners, list)
    assert codeowners, "at least one code owner (quality scale rule integration-owner)"
    assert all(
        isinstance(owner, str) and re.fullmatch(r"@[\w.-]+(/[\w.-]+)?", owner)
        for owner in codeowners
    )


def test_config_flow(manifest: dict[str, Any]) -> None:
    # The integration is set up from the UI only (issue 3), and config_flow.py is where HA
    # looks for the flow once the manifest says so.
    assert manifest.get("config_flow") is True


def test_iot_class(manifest: dict[str, Any]) -> None:
    # hassfest: "Domain is missing an IoT Class" unless the domain is a built-in helper.
    assert manifest.get("iot_class") in SUPPORTED_IOT_CLASSES


def test_optional_keys_have_valid_values(manifest: dict[str, Any]) -> None:
    if "integration_type" in manifest:
        assert manifest["integration_type"] in INTEGRATION_TYPES
    if "quality_scale" in manifest:
        assert manifest["quality_scale"] in SUPPORTED_QUALITY_SCALES
    for key in ("single_config_entry", "import_executor"):
        if key in manifest:
            assert isinstance(manifest[key], bool), key
    for key in ("requirements", "dependencies", "after_dependencies", "loggers"):
        value = manifest.get(key, [])
        assert isinstance(value, list), key
        assert all(isinstance(item, str) for item in value), key
