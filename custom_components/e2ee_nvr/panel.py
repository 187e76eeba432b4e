"""The sidebar panel: serves the built frontend bundle and registers <e2ee-nvr-panel>.

The bundle (frontend/ built by frontend/scripts/build.mjs) is one ES module holding the panel,
the dashboard card (custom:e2ee-nvr-clips-card) and the endpoint crypto. Its URL carries a hash
of its bytes, so browsers fetch a new release instead of a cached old one.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Final

from homeassistant.components import frontend, panel_custom
from homeassistant.components.http import StaticPathConfig
from homeassistant.core import HomeAssistant

from .const import DOMAIN

BUNDLE_DIR: Final = Path(__file__).parent / "frontend"
BUNDLE_NAME: Final = "e2ee-nvr.js"
STATIC_URL: Final = "/e2ee_nvr_static"
PANEL_URL_PATH: Final = "e2ee-nvr"
PANEL_ELEMENT: Final = "e2ee-nvr-panel"
PANEL_TITLE: Final = "E2EE NVR"
PANEL_ICON: Final = "mdi:shield-lock"
_STATIC_REGISTERED: Final = f"{DOMAIN}_static_registered"


def bundle_version(path: Path = BUNDLE_DIR / BUNDLE_NAME) -> str:
    """The first 16 hex digits of the bundle's SHA-256: the cache-busting query."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def module_url(version: str) -> str:
    return f"{STATIC_URL}/{BUNDLE_NAME}?v={version}"


async def async_register_panel(hass: HomeAssistant) -> None:
    """Serve the bundle (once per HA run: static routes cannot be removed) and add the panel."""
    version = await hass.async_add_executor_job(bundle_version)
    if not hass.data.get(_STATIC_REGISTERED):
        await hass.http.async_register_static_paths(
            [StaticPathConfig(STATIC_URL, str(BUNDLE_DIR), cache_headers=True)]
        )
        hass.data[_STATIC_REGISTERED] = True
    if PANEL_URL_PATH in hass.data.get(frontend.DATA_PANELS, {}):
        return
    await panel_custom.async_register_panel(
        hass,
        frontend_url_path=PANEL_URL_PATH,
        webcomponent_name=PANEL_ELEMENT,
        sidebar_title=PANEL_TITLE,
        sidebar_icon=PANEL_ICON,
        module_url=module_url(version),
        embed_iframe=False,
        require_admin=False,
        config={},
    )


def async_remove_panel(hass: HomeAssistant) -> None:
    frontend.async_remove_panel(hass, PANEL_URL_PATH, warn_if_unknown=False)
