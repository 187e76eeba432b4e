"""The user played by Debian's Chromium clicking through the real panel and dashboard card.

BrowserDriver implements FlowDriver (turn on, pair, play) for run_flow, `./scripts/demo --auto`
and the acceptance tests, and adds what only the UI tests need (download, a second browser
profile enrolled by passphrase, revoke, the card, turn off). Each action is one scenario of
frontend/e2e/scenarios/ in a fresh Chromium on a persistent profile folder: one folder per
"browser", so its IndexedDB (the instance key) survives between actions as in a real browser.
Every screen is kept as a PNG under `screenshot_dir`, numbered in the order the flow saw it.

What the browser shows is checked against the Python side: a downloaded clip must equal the
clip as decrypted in Python from the passphrase alone (PassphraseReader), so equal bytes prove
the browser verified and decrypted it correctly; the plaintext itself is nowhere on disk.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from pathlib import Path
from typing import Any

from devstack.browser import BrowserFailed, BrowserUser, run_scenario
from devstack.camera_sim import MARKER
from devstack.endpoint_user import EndpointUserError, PassphraseReader
from devstack.flow_driver import CLIP_TIMEOUT_SECONDS, MOTION_BURST_SECONDS, PlayedClip
from devstack.ha_api import HaApiError
from devstack.stack import DOMAIN, Stack

OWNER_PROFILE = "owner"
BUNDLE_URL = "/e2ee_nvr_static/e2ee-nvr.js"
DASHBOARD_VIEW = "clips"
CARD_TITLE = "Recent clips"
POLL_SECONDS = 0.5


def failure_context(stack: Stack) -> str:
    """The last lines of HA's and the agent's logs, for a failure message."""
    return (
        f"\n--- hass log (last lines) ---\n{stack.hass.log_tail(40)}"
        f"\n--- agent run log ---\n{stack.agent.log_tail('run', 25)}"
        f"\n--- agent pair log ---\n{stack.agent.log_tail('pair', 10)}"
    )


async def clip_rows(stack: Stack) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (await stack.api.call_once(f"{DOMAIN}/clips/list"))["clips"]
    return rows


async def wait_integration_loaded(stack: Stack, timeout: float = 60.0) -> None:
    """After a (re)start: /api/ answers before the integration registers its commands."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            await clip_rows(stack)
            return
        except HaApiError as err:
            if time.monotonic() > deadline:
                raise EndpointUserError(
                    f"e2ee_nvr is not loaded {timeout:.0f} s after HA started: {err}"
                    + failure_context(stack)
                ) from None
        await asyncio.sleep(POLL_SECONDS)


async def wait_for_clip_count(
    stack: Stack, count: int, timeout: float = CLIP_TIMEOUT_SECONDS
) -> list[dict[str, Any]]:
    """HA's clip list (newest first) once it holds at least `count` clips."""
    deadline = time.monotonic() + timeout
    rows: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        rows = await clip_rows(stack)
        if len(rows) >= count:
            return rows
        await asyncio.sleep(POLL_SECONDS)
    raise EndpointUserError(
        f"HA lists {len(rows)} clips after {timeout:.0f} s, expected {count}"
        + failure_context(stack)
    )


async def record_clip(stack: Stack, count: int) -> str:
    """Motion on the camera; the id of HA's newest clip once it lists `count` clips."""
    await stack.camera.motion_burst(MOTION_BURST_SECONDS)
    stack.agent.check_running()
    return str((await wait_for_clip_count(stack, count))[0]["clip_id"])


class BrowserDriver:
    """FlowDriver through the real UI, plus the UI-only checks; screenshots of every screen."""

    name = "Chromium through the panel"

    def __init__(self, screenshot_dir: Path, profiles_dir: Path) -> None:
        self.screenshot_dir = screenshot_dir
        self.profiles_dir = profiles_dir
        self.passphrase: str | None = None
        self.results: dict[str, dict[str, Any]] = {}
        self._step = 0

    def profile(self, name: str) -> Path:
        return self.profiles_dir / name

    async def scenario(
        self, stack: Stack, name: str, profile: str = OWNER_PROFILE, **fields: Any
    ) -> dict[str, Any]:
        """One scenario as `profile`; a failure carries HA's and the agent's log tails."""
        self._step += 1
        user = BrowserUser(
            stack.hass.url,
            stack.owner.username,
            stack.owner.password,
            self.screenshot_dir,
            self.profile(profile),
        )
        try:
            result = await run_scenario(
                name, user, shotPrefix=f"{self._step:02d}-{profile}", **fields
            )
        except BrowserFailed as err:
            raise BrowserFailed(f"[{profile}] {err}{failure_context(stack)}") from None
        self.results[f"{self._step:02d}-{profile}-{name}"] = result
        return result

    # FlowDriver

    async def turn_on(self, stack: Stack) -> None:
        result = await self.scenario(stack, "turn-on")
        self.passphrase = str(result["passphrase"])

    async def pair(self, stack: Stack, code: str) -> None:
        # Protocol v2: certifying the camera needs the signing key, so the passphrase.
        await self.scenario(stack, "pair", code=code, passphrase=self.typed_passphrase())

    async def play_latest_clip(self, stack: Stack) -> PlayedClip:
        """The newest clip plays in the panel and downloads as the very MP4 the camera made."""
        newest = (await wait_for_clip_count(stack, 1))[0]
        download = await self.play_and_download(stack, newest["clip_id"])
        return PlayedClip(
            newest["clip_id"], newest["camera_id"], len(download), tuple(newest.get("events", ()))
        )

    async def close(self) -> None:
        """Nothing stays running between scenarios: each one's Chromium exits with it."""

    # UI-only checks

    def reader(self, socket: Any, stack: Stack) -> PassphraseReader:
        if self.passphrase is None:
            raise EndpointUserError("turn E2EE on first: the passphrase comes from its screen")
        return PassphraseReader(stack.api, socket, self.passphrase)

    async def play(
        self, stack: Stack, clip_id: str, profile: str = OWNER_PROFILE, label: str = "clip"
    ) -> dict[str, Any]:
        result = await self.scenario(stack, "play", profile, clipId=clip_id, label=label)
        if result["video"]["frames"] <= 0:
            raise AssertionError(f"clip {clip_id} decoded no frames: {result['video']}")
        return result

    async def play_and_download(
        self, stack: Stack, clip_id: str, profile: str = OWNER_PROFILE
    ) -> bytes:
        """Play, then Download: the file must equal the clip decrypted in Python."""
        target = self.profiles_dir / "downloads" / f"{clip_id}.mp4"
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            result = await self.scenario(
                stack, "play", profile, clipId=clip_id, label="clip", downloadPath=str(target)
            )
            if result["video"]["frames"] <= 0:
                raise AssertionError(f"clip {clip_id} decoded no frames: {result['video']}")
            downloaded = target.read_bytes()
        finally:
            # The decrypted MP4 is evidence only in memory: never left on disk.
            target.unlink(missing_ok=True)
        socket = await stack.api.websocket()
        try:
            expected = (await self.reader(socket, stack).open_clip(clip_id)).video
        finally:
            await socket.close()
        if downloaded != expected:
            raise AssertionError(
                f"the browser's download of {clip_id} ({len(downloaded)} bytes, sha256 "
                f"{hashlib.sha256(downloaded).hexdigest()[:16]}) differs from the clip decrypted "
                f"with the passphrase ({len(expected)} bytes, "
                f"{hashlib.sha256(expected).hexdigest()[:16]})"
            )
        if expected[4:8] != b"ftyp" or MARKER not in expected:
            raise AssertionError(f"clip {clip_id} is not the camera's MP4 (no ftyp or marker)")
        return downloaded

    async def enrol(self, stack: Stack, profile: str, name: str) -> dict[str, Any]:
        if self.passphrase is None:
            raise EndpointUserError("turn E2EE on first")
        return await self.scenario(
            stack, "enrol", profile, passphrase=self.passphrase, browserName=name
        )

    def typed_passphrase(self) -> str:
        if self.passphrase is None:
            raise EndpointUserError("turn E2EE on first: the passphrase comes from its screen")
        return self.passphrase

    async def revoke(
        self, stack: Stack, name: str, wrong_passphrase: str | None = None
    ) -> dict[str, Any]:
        """Revoke `name` with the passphrase (after `wrong_passphrase`, if given, is refused)."""
        fields: dict[str, Any] = {"passphrase": self.typed_passphrase()}
        if wrong_passphrase is not None:
            fields["wrongPassphrase"] = wrong_passphrase
        return await self.scenario(stack, "revoke", browserName=name, **fields)

    async def upgrade(self, stack: Stack, wrong_passphrase: str | None = None) -> dict[str, Any]:
        """Answer the v1 account's upgrade prompt with the passphrase (section 17)."""
        fields: dict[str, Any] = {"passphrase": self.typed_passphrase()}
        if wrong_passphrase is not None:
            fields["wrongPassphrase"] = wrong_passphrase
        return await self.scenario(stack, "upgrade", **fields)

    async def revoked_screen(self, stack: Stack, profile: str) -> dict[str, Any]:
        return await self.scenario(stack, "revoked", profile)

    async def turn_off(self, stack: Stack) -> dict[str, Any]:
        return await self.scenario(stack, "turn-off")

    async def add_card(
        self, stack: Stack, mode: str | None = "clips", timeline: bool = False
    ) -> str:
        """The card on the default (storage-mode) dashboard; the path of the view that shows it.

        No dashboard resource: the integration loads the module on every page by the panel's
        URL, and a manual resource would load a second copy (the card scenario checks one).
        `mode` None leaves the card's own default (live view with the clips under it);
        `timeline` adds the day timeline under the clips."""
        card: dict[str, Any] = {
            "type": "custom:e2ee-nvr-clips-card",
            "title": CARD_TITLE,
            "count": 6,
        }
        if mode is not None:
            card["mode"] = mode
        if timeline:
            card["timeline"] = True
        return await save_dashboard(stack, [card])

    async def play_in_card(
        self, stack: Stack, dashboard_path: str, clip_id: str, profile: str = OWNER_PROFILE
    ) -> dict[str, Any]:
        result = await self.scenario(
            stack, "card", profile, dashboardPath=dashboard_path, clipId=clip_id
        )
        if result["video"]["frames"] <= 0:
            raise AssertionError(f"the card decoded no frames of {clip_id}: {result['video']}")
        check_one_module_copy(result["modules"])
        return result


async def save_dashboard(
    stack: Stack, cards: list[dict[str, Any]], url_path: str | None = None
) -> str:
    """A dashboard of one masonry view holding `cards`; the view's path. `url_path` None is the
    default dashboard (/lovelace, which HA 2026 hides behind its new overview); a name creates
    a storage-mode dashboard of that name first, as Settings -> Dashboards does."""
    socket = await stack.api.websocket()
    try:
        resources = await socket.call("lovelace/resources")
        manual = [r for r in resources if r.get("url", "").startswith(BUNDLE_URL)]
        if manual:
            raise BrowserFailed(f"a manual dashboard resource would load a second copy: {manual}")
        where: dict[str, Any] = {}
        if url_path is not None:
            await socket.call(
                "lovelace/dashboards/create",
                url_path=url_path,
                title="Clips",
                mode="storage",
                show_in_sidebar=True,
                require_admin=False,
            )
            where = {"url_path": url_path}
        view = {"title": "Clips", "path": DASHBOARD_VIEW, "cards": cards}
        config = {"title": "Home", "views": [view]}
        await socket.call("lovelace/config/save", config=config, **where)
    finally:
        await socket.close()
    return f"/{url_path or 'lovelace'}/{DASHBOARD_VIEW}"


async def dashboard_cards(stack: Stack, url_path: str | None = None) -> list[dict[str, Any]]:
    """The cards of a dashboard's first view, as HA stored them (`url_path` as save_dashboard)."""
    socket = await stack.api.websocket()
    try:
        where = {} if url_path is None else {"url_path": url_path}
        config = await socket.call("lovelace/config", **where)
    finally:
        await socket.close()
    cards: list[dict[str, Any]] = config["views"][0].get("cards", [])
    return cards


def check_one_module_copy(modules: dict[str, Any]) -> None:
    """The card's page, with the panel opened in it too, ran the bundle once, by the panel's URL."""
    panel_url = modules["panelModuleUrl"]
    copies = modules["copies"]
    fetched = {str(url) for url in modules["entryFetches"]}
    one_copy = (
        len(copies) == 1 and isinstance(panel_url, str) and str(copies[0]).endswith(panel_url)
    )
    if not (modules["cardDefined"] and modules["panelDefined"] and one_copy):
        raise AssertionError(f"expected one module copy, by the panel's URL: {modules}")
    if len(fetched) != 1 or not next(iter(fetched)).endswith(panel_url):
        raise AssertionError(f"the entry was fetched by another URL than the panel's: {modules}")
