"""Issue 14's browser check of the look: the card added through HA's card picker, and the panel
and card at desktop and phone width, light and dark, English and German, against a real hass.

Debian's Chromium turns E2EE on, pairs the real agent and a clip is recorded. Then, as a user
would: a dashboard in edit mode, "Add card", the picker searched for "E2EE", our entry picked,
the number of clips and the mode changed in its visual editor, saved; HA stores exactly that
config and the card shows the clip inside HA's own <ha-card>. Then 32 pictures (panel and card x
1280x800 and 390x844 x light and dark x English and German, and the panel's other four tabs at
390x844) in test-artifacts/e2e/screenshots/<venv>/, each checked: nothing of ours past the
right edge at phone width (the page does not scroll sideways), a dark surface in the dark theme
and a light one in the light theme, German words in German and English ones in English. On
Home Assistant 2025.4 and 2026.2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from devstack.browser_driver import (
    BrowserDriver,
    dashboard_cards,
    record_clip,
    save_dashboard,
)
from devstack.flow_driver import start_recording
from devstack.hass_process import REPO_ROOT
from devstack.ports import free_port
from devstack.stack import Stack, StackSettings, running_stack
from tests.e2e.ui_checks import artifact_dir

pytestmark = pytest.mark.slow
PICKER_NAME = "E2EE NVR clips"
# A dashboard of its own: HA 2026 shows its new overview in place of the default one.
DASHBOARD = "dashboard-clips"
PHONE_WIDTH = 390
# Words each language shows, by what is pictured: the panel's tab names, the card's event kind.
WORDS = {
    ("panel", "en"): ["Clips", "Devices", "Pair a camera"],
    ("panel", "de"): ["Aufnahmen", "Geräte", "Kamera koppeln"],
    ("card", "en"): ["Motion"],
    ("card", "de"): ["Bewegung"],
}
# Relative luminance of the surface: HA's default dark theme is near 0.1, the light one near 1.
DARK_BELOW = 0.3
LIGHT_ABOVE = 0.7
MAX_PNG_BYTES = 200_000
# (panel + card) x 2 widths x 2 themes x 2 languages, and 4 more tabs at phone width in each.
PICTURES = 2 * 2 * 2 * 2 + 4 * 2 * 2


async def paired_with_clip(driver: BrowserDriver, stack: Stack) -> str:
    """E2EE turned on in the panel, the agent paired by its code, one clip recorded: its id."""
    await driver.turn_on(stack)
    await driver.pair(stack, await stack.agent.start_pairing())
    await start_recording(stack)
    return await record_clip(stack, 1)


def check_shot(shot: dict[str, Any], folder: Path) -> list[str]:
    """What is wrong with one picture (empty when nothing is)."""
    name = shot["name"]
    if not shot["found"]:
        return [f"{name}: our element is not on the page"]
    problems = []
    if shot["lang"] != shot["language"]:
        problems.append(f"{name}: <html lang> is {shot['lang']!r}")
    problems += [
        f"{name}: missing {word!r}"
        for word in WORDS[(shot["kind"], shot["language"])]
        if word not in shot["text"]
    ]
    dark = shot["theme"] == "dark"
    if shot["darkMode"] is not dark:
        problems.append(f"{name}: HA's darkMode is {shot['darkMode']}")
    if (shot["luminance"] >= DARK_BELOW) if dark else (shot["luminance"] <= LIGHT_ABOVE):
        problems.append(f"{name}: surface luminance {shot['luminance']:.2f}")
    if shot["overflowing"]:
        problems.append(f"{name}: past the right edge: {shot['overflowing']}")
    if shot["size"] == "phone" and (
        shot["scrollWidth"] > PHONE_WIDTH or shot["ourWidth"] > PHONE_WIDTH
    ):
        problems.append(f"{name}: {shot['scrollWidth']} px of page, {shot['ourWidth']} of ours")
    size = (folder / name).stat().st_size
    if size > MAX_PNG_BYTES:
        problems.append(f"{name}: {size} bytes")
    return problems


# The oldest Home Assistant supported and the newest tested: the card picker, the dashboards and
# the theme and language settings differ between them.
@pytest.mark.parametrize("ha", ["ha2025", "ha2026"])
async def test_the_card_is_added_through_the_picker_and_every_screen_fits_phone_and_theme(
    tmp_path: Path, ha: str
) -> None:
    settings = StackSettings(tmp_path, free_port(), ha_venv=REPO_ROOT / ".venv" / ha)
    async with running_stack(settings) as stack:
        driver = BrowserDriver(artifact_dir(f"look/{ha}"), tmp_path / "profiles")
        clip = await paired_with_clip(driver, stack)

        # An empty dashboard; the card goes on it through the picker and its editor.
        dashboard = await save_dashboard(stack, [], DASHBOARD)
        added = await driver.scenario(
            stack,
            "card-picker",
            dashboardPath=dashboard,
            pickerName=PICKER_NAME,
            count=3,
            clipId=clip,
        )
        assert any(entry.startswith(PICKER_NAME) for entry in added["pickerEntries"]), added
        assert "Number of clips" in added["editorLabels"], added
        assert "Day timeline under the clips" in added["editorLabels"], added
        assert added["tiles"] == 1 and added["inHaCard"], added
        (card,) = await dashboard_cards(stack, DASHBOARD)
        assert card["type"] == "custom:e2ee-nvr-clips-card", card
        assert (card["count"], card["mode"], card["timeline"]) == (3, "clips", False), card

        shots = artifact_dir(f"screenshots/{ha}")
        pictured = await driver.scenario(
            stack,
            "screenshots",
            dashboardPath=dashboard,
            clipId=clip,
            screenshotDir=str(shots),
            languages=["en", "de"],
            themes=["light", "dark"],
        )
    names = sorted(shot["name"] for shot in pictured["shots"])
    assert len(names) == PICTURES and names == sorted(p.name for p in shots.glob("*.png")), names
    problems = [problem for shot in pictured["shots"] for problem in check_shot(shot, shots)]
    assert not problems, problems
