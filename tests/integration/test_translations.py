"""Home Assistant serves the integration's texts in German, and English where it has none."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.translation import async_get_translations
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.e2ee_nvr.const import DOMAIN

MOTION = f"component.{DOMAIN}.entity.event.clip.state_attributes.event_type.state.motion"
SILENT_TITLE = f"component.{DOMAIN}.issues.agent_silent.title"
CAP_LABEL = f"component.{DOMAIN}.config.step.user.data.storage_cap_gb"


async def test_german_texts_reach_home_assistant(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    entity = await async_get_translations(hass, "de", "entity", {DOMAIN})
    assert entity[MOTION] == "Bewegung"
    issues = await async_get_translations(hass, "de", "issues", {DOMAIN})
    assert issues[SILENT_TITLE] == "Kamera-Agent {agent} meldet sich nicht mehr"
    config = await async_get_translations(hass, "de", "config", {DOMAIN})
    assert config[CAP_LABEL] == "Gesamte Speichergrenze (GB)"


async def test_a_language_without_a_catalogue_gets_english(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    entity = await async_get_translations(hass, "fr", "entity", {DOMAIN})
    assert entity[MOTION] == "Motion"
