"""The documented rules of HACS and hassfest, written down as data, and the helpers to read files.

Neither HACS's validator nor hassfest can be installed here (no registry serves them), so the
packaging tests carry their rules. Sources, so that the next person can re-check them:

- hacs.json and the integration manifest: HACS, custom_components/hacs/utils/validate.py
  (HACS_MANIFEST_JSON_SCHEMA, extra keys rejected; INTEGRATION_MANIFEST_JSON_SCHEMA), and
  https://hacs.xyz/docs/publish/start (zip_release needs filename).
- manifest.json: home-assistant/core script/hassfest/manifest.py
  (CUSTOM_INTEGRATION_MANIFEST_SCHEMA, SUPPORTED_IOT_CLASSES, custom_documentation_url,
  verify_version, sort_manifest).
- quality_scale.yaml: home-assistant/core script/hassfest/quality_scale.py (ALL_RULES, SCHEMA) and
  https://developers.home-assistant.io/docs/core/integration-quality-scale/rules
- brand images: https://developers.home-assistant.io/blog/2026/02/24/brands-proxy-api (brand/
  inside a custom integration, HA >= 2026.3) with the size rules of the home-assistant/brands
  README (icon 256x256 and 512x512 @2x; logo shortest side 128-256, @2x 256-512).
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CUSTOM_COMPONENTS = REPO_ROOT / "custom_components"
DOMAIN = "e2ee_nvr"
INTEGRATION_DIR = CUSTOM_COMPONENTS / DOMAIN

# The oldest Home Assistant the integration supports (issue 3); tested on 2025.4.4 and 2026.2.3.
MINIMUM_HOMEASSISTANT = "2025.4.0"

# ------------------------------------------------------------------------------------- HACS
HACS_JSON_REQUIRED = frozenset({"name"})
HACS_JSON_OPTIONAL: dict[str, type | tuple[type, ...]] = {
    "content_in_root": bool,
    "country": (str, list),
    "filename": str,
    "hacs": str,
    "hide_default_branch": bool,
    "homeassistant": str,
    "persistent_directory": str,
    "render_readme": bool,
    "zip_release": bool,
}
# What HACS requires of an integration's manifest.json (INTEGRATION_MANIFEST_JSON_SCHEMA).
HACS_MANIFEST_REQUIRED = (
    "domain",
    "documentation",
    "issue_tracker",
    "codeowners",
    "name",
    "version",
)

# ------------------------------------------------------------------------------------- hassfest
SUPPORTED_IOT_CLASSES = frozenset(
    {"assumed_state", "calculated", "cloud_polling", "cloud_push", "local_polling", "local_push"}
)
# integration_type values a non-virtual integration may declare.
INTEGRATION_TYPES = frozenset(
    {"device", "entity", "hardware", "helper", "hub", "service", "system"}
)
SUPPORTED_QUALITY_SCALES = frozenset({"internal", "bronze", "silver", "gold", "platinum"})
CORE_DOCUMENTATION_BASE = "https://www.home-assistant.io/integrations"
# Every key CUSTOM_INTEGRATION_MANIFEST_SCHEMA knows; voluptuous rejects any other.
MANIFEST_KEYS = frozenset(
    {
        "after_dependencies",
        "bluetooth",
        "codeowners",
        "config_flow",
        "dependencies",
        "dhcp",
        "disabled",
        "documentation",
        "domain",
        "homekit",
        "import_executor",
        "integration_type",
        "iot_class",
        "issue_tracker",
        "loggers",
        "mqtt",
        "name",
        "preview_features",
        "quality_scale",
        "requirements",
        "single_config_entry",
        "ssdp",
        "usb",
        "version",
        "zeroconf",
    }
)
# hassfest's verify_version: AwesomeVersion must recognise one of these strategies.
VERSION_STRATEGIES = ("CALVER", "SEMVER", "SIMPLEVER", "BUILDVER", "PEP440")

# hassfest ALL_RULES, tier by tier, in its order.
QUALITY_SCALE_RULES: dict[str, tuple[str, ...]] = {
    "bronze": (
        "action-setup",
        "appropriate-polling",
        "brands",
        "common-modules",
        "config-flow",
        "config-flow-test-coverage",
        "dependency-transparency",
        "docs-actions",
        "docs-conditions",
        "docs-high-level-description",
        "docs-installation-instructions",
        "docs-removal-instructions",
        "docs-triggers",
        "entity-event-setup",
        "entity-unique-id",
        "has-entity-name",
        "runtime-data",
        "test-before-configure",
        "test-before-setup",
        "unique-config-entry",
    ),
    "silver": (
        "action-exceptions",
        "config-entry-unloading",
        "docs-configuration-parameters",
        "docs-installation-parameters",
        "entity-unavailable",
        "integration-owner",
        "log-when-unavailable",
        "parallel-updates",
        "reauthentication-flow",
        "test-coverage",
    ),
    "gold": (
        "devices",
        "diagnostics",
        "discovery",
        "discovery-update-info",
        "docs-data-update",
        "docs-examples",
        "docs-known-limitations",
        "docs-supported-devices",
        "docs-supported-functions",
        "docs-troubleshooting",
        "docs-use-cases",
        "dynamic-devices",
        "entity-category",
        "entity-device-class",
        "entity-disabled-by-default",
        "entity-translations",
        "exception-translations",
        "icon-translations",
        "reconfiguration-flow",
        "repair-issues",
        "stale-devices",
    ),
    "platinum": ("async-dependency", "inject-websession", "strict-typing"),
}

# ------------------------------------------------------------------------------------- brand
# name -> (min, max) of the shortest side, and whether the image must be square.
BRAND_IMAGES: dict[str, tuple[int, int, bool]] = {
    "icon.png": (256, 256, True),
    "icon@2x.png": (512, 512, True),
    "dark_icon.png": (256, 256, True),
    "dark_icon@2x.png": (512, 512, True),
    "logo.png": (128, 256, False),
    "logo@2x.png": (256, 512, False),
    "dark_logo.png": (128, 256, False),
    "dark_logo@2x.png": (256, 512, False),
}
REQUIRED_BRAND_IMAGES = ("icon.png", "icon@2x.png", "logo.png")


# ------------------------------------------------------------------------------------- helpers
def load_json_object(path: Path) -> dict[str, Any]:
    """The JSON object in `path`, keys in file order; fails the test if there is none."""
    if not path.is_file():
        pytest.fail(f"{path.relative_to(REPO_ROOT)} does not exist")
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        pytest.fail(f"{path.relative_to(REPO_ROOT)} is not a JSON object")
    return data


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (no imaging library needed)."""
    with path.open("rb") as png:
        head = png.read(24)
    if len(head) < 24 or head[:8] != PNG_SIGNATURE or head[12:16] != b"IHDR":
        pytest.fail(f"{path.relative_to(REPO_ROOT)} is not a PNG file")
    width, height = struct.unpack(">II", head[16:24])
    return width, height
