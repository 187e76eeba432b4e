"""The sidebar panel and the dashboard card: serves the built frontend, registers both.

The bundle (frontend/ built by frontend/scripts/build.mjs) is one ES module entry holding the
panel, the dashboard card (custom:e2ee-nvr-clips-card) and the endpoint crypto, plus content-hashed
chunks it imports on demand. The entry's URL carries a hash of its bytes (which name every chunk),
so browsers fetch a new release instead of a cached old one. The card is loaded on every page
through the same URL as the panel (frontend.add_extra_js_url): one URL means one module copy per
page, and nobody has to add a dashboard resource by hand.
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
_CARD_MODULE_URL: Final = f"{DOMAIN}_card_module_url"


def bundle_version(path: Path = BUNDLE_DIR / BUNDLE_NAME) -> str:
    """The first 16 hex digits of the bundle's SHA-256: the cache-busting query."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def module_url(version: str) -> str:
    return f"{STATIC_URL}/{BUNDLE_NAME}?v={version}"


async def async_register_panel(hass: HomeAssistant) -> None:
    """Serve the bundle (once per HA run: static routes cannot be removed), add panel and card."""
    version = await hass.async_add_executor_job(bundle_version)
    url = module_url(version)
    if not hass.data.get(_STATIC_REGISTERED):
        await hass.http.async_register_static_paths(
            [StaticPathConfig(STATIC_URL, str(BUNDLE_DIR), cache_headers=True)]
        )
        hass.data[_STATIC_REGISTERED] = True
    _register_card_module(hass, url)
    if PANEL_URL_PATH in hass.data.get(frontend.DATA_PANELS, {}):
        return
    await panel_custom.async_register_panel(
        hass,
        frontend_url_path=PANEL_URL_PATH,
        webcomponent_name=PANEL_ELEMENT,
        sidebar_title=PANEL_TITLE,
        sidebar_icon=PANEL_ICON,
        module_url=url,
        embed_iframe=False,
        require_admin=False,
        config={},
    )


def _register_card_module(hass: HomeAssistant, url: str) -> None:
    """Load the module on every page (for the card) by the panel's exact URL, once."""
    previous: str | None = hass.data.get(_CARD_MODULE_URL)
    if previous == url:
        return
    if previous is not None:
        frontend.remove_extra_js_url(hass, previous)
    frontend.add_extra_js_url(hass, url)
    hass.data[_CARD_MODULE_URL] = url


def async_remove_panel(hass: HomeAssistant) -> None:
    """Remove the panel and stop loading the card module (open pages keep what they loaded)."""
    frontend.async_remove_panel(hass, PANEL_URL_PATH, warn_if_unknown=False)
    previous: str | None = hass.data.pop(_CARD_MODULE_URL, None)
    if previous is not None:
        frontend.remove_extra_js_url(hass, previous)
