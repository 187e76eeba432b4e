"""The panel and card: one hashed module URL for both, bundle and chunks served, unloaded."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from homeassistant.components import frontend
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.e2ee_nvr import panel

BUNDLE = Path(panel.__file__).parent / "frontend" / "e2ee-nvr.js"


@pytest.mark.usefixtures("init_integration")
async def test_panel_registered_and_bundle_served(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
) -> None:
    panels = hass.data[frontend.DATA_PANELS]
    assert panel.PANEL_URL_PATH in panels
    registered = panels[panel.PANEL_URL_PATH]
    assert registered.component_name == "custom"
    assert registered.sidebar_title == "E2EE NVR"
    assert registered.sidebar_icon == "mdi:shield-lock"
    assert registered.require_admin is False
    assert registered.config is not None
    custom = registered.config["_panel_custom"]
    assert custom["name"] == "e2ee-nvr-panel"
    assert custom["embed_iframe"] is False
    version = hashlib.sha256(BUNDLE.read_bytes()).hexdigest()[:16]
    assert custom["module_url"] == f"/e2ee_nvr_static/e2ee-nvr.js?v={version}"

    client = await hass_client()
    response = await client.get(custom["module_url"])
    assert response.status == 200
    assert response.content_type in ("application/javascript", "text/javascript")
    body = await response.read()
    assert body == BUNDLE.read_bytes()
    assert b'"e2ee-nvr-panel"' in body
    assert b'"e2ee-nvr-clips-card"' in body

    # The chunks the entry imports are served from beside it, under their content-hashed names.
    chunks = sorted((BUNDLE.parent / "chunks").glob("*.js"))
    assert chunks
    for chunk in chunks:
        served = await client.get(f"/e2ee_nvr_static/chunks/{chunk.name}")
        assert served.status == 200
        assert await served.read() == chunk.read_bytes()


@pytest.mark.usefixtures("init_integration")
async def test_card_module_loaded_by_the_panels_url(hass: HomeAssistant) -> None:
    """The card needs no manual resource: every page loads the module by the panel's URL."""
    config = hass.data[frontend.DATA_PANELS][panel.PANEL_URL_PATH].config
    assert config is not None
    custom = config["_panel_custom"]
    extra = hass.data[frontend.DATA_EXTRA_MODULE_URL].urls
    assert custom["module_url"] in extra
    assert [url for url in extra if url.startswith("/e2ee_nvr_static/")] == [custom["module_url"]]


async def test_panel_removed_on_unload_and_back_on_reload(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert panel.PANEL_URL_PATH not in hass.data.get(frontend.DATA_PANELS, {})
    assert not [
        url
        for url in hass.data[frontend.DATA_EXTRA_MODULE_URL].urls
        if url.startswith("/e2ee_nvr_static/")
    ]
    assert await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done()
    assert panel.PANEL_URL_PATH in hass.data[frontend.DATA_PANELS]
    config = hass.data[frontend.DATA_PANELS][panel.PANEL_URL_PATH].config
    assert config is not None
    reloaded = config["_panel_custom"]
    assert [
        url
        for url in hass.data[frontend.DATA_EXTRA_MODULE_URL].urls
        if url.startswith("/e2ee_nvr_static/")
    ] == [reloaded["module_url"]]
