"""Issue 4's browser check: Debian's Chromium through the real panel against a real hass.

Turn E2EE on, confirm the passphrase, pair the real agent by its code, see its clip, play it
(the <video> decodes frames), download it (bytes equal the clip decrypted in Python from the
passphrase), enrol a second browser profile by passphrase and play the older clip there, revoke
it with the passphrase (a wrong one refused first) and show that a newer clip is not decryptable
by it: protocol v2 rotated the data key, so nothing the revoked browser held opens it. Turn E2EE
off. Every screen is a PNG in
test-artifacts/e2e/ui-flow/.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from devstack.browser_driver import record_clip
from devstack.endpoint_user import PassphraseReader
from devstack.flow_driver import start_recording
from devstack.stack import DOMAIN
from tests.e2e.ui_checks import (
    account_info,
    assert_screenshots,
    stack_with_browser,
    wait_agent_epoch,
)

pytestmark = pytest.mark.slow
SECOND = "second"
SECOND_NAME = "Second browser (e2e)"


def recover_clips(archive: Path, passphrase: str, out: Path) -> dict[str, bytes]:
    """Run `python -m camera_agent recover` as a user would; the MP4s it writes, by clip id."""
    secret = out.parent / "passphrase.txt"
    secret.write_text(passphrase, encoding="utf-8")
    command = [sys.executable, "-m", "camera_agent", "recover", "--archive", str(archive)]
    command += ["--out", str(out), "--passphrase-file", str(secret)]
    result = subprocess.run(  # noqa: S603 - our own CLI, arguments from the test
        command, capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    recovered = {path.stem.split("_")[-1]: path.read_bytes() for path in out.rglob("*.mp4")}
    shutil.rmtree(out)  # decrypted video: kept no longer than the comparison needs
    return recovered


async def test_the_panel_turns_on_pairs_plays_enrols_revokes_and_turns_off(
    tmp_path: Path,
) -> None:
    async with stack_with_browser(tmp_path, "ui-flow") as (stack, driver, shots):
        # Turn on and confirm the passphrase: one account, this browser its one instance.
        await driver.turn_on(stack)
        info = await account_info(stack)
        assert info["enabled"] and len(info["instances"]) == 1, info["instances"]
        assert driver.passphrase is not None and len(driver.passphrase.split()) == 10
        # The panel creates protocol-v2 accounts: one data-key generation, no PDK wraps.
        assert info["account"]["v"] == 2 and len(info["account"]["data_keys"]) == 1
        assert all("pdk_wrapped" not in i for i in info["account"]["instances"])

        # Pair with the code the agent shows; then it records on motion.
        await driver.pair(stack, await stack.agent.start_pairing())
        await start_recording(stack)
        older = await record_clip(stack, 1)

        # See it, play it, download it: the bytes equal the clip decrypted from the passphrase.
        downloaded = await driver.play_and_download(stack, older)
        assert downloaded[4:8] == b"ftyp"

        # The dashboard card plays it too, with no resource added by hand; with the panel opened
        # in the same page, the bundle ran once, by the panel's versioned URL.
        dashboard = await driver.add_card(stack)
        in_card = await driver.play_in_card(stack, dashboard, older)
        assert len(in_card["modules"]["copies"]) == 1, in_card["modules"]

        # A second browser profile, enrolled by passphrase, plays the older clip.
        await driver.enrol(stack, SECOND, SECOND_NAME)
        played = await driver.play(stack, older, SECOND, label="older-clip")
        assert played["clipId"] == older

        # Revoke it from the first browser, with the passphrase (a wrong one is refused and says
        # so); the agent picks up the new recipient set.
        wrong = " ".join(reversed(driver.passphrase.split()))
        revoked = await driver.revoke(stack, SECOND_NAME, wrong_passphrase=wrong)
        assert revoked["wrongRefused"] and "not the passphrase" in revoked["wrongRefused"], revoked
        assert revoked["after"] == revoked["before"] - 1
        info = await account_info(stack)
        assert revoked["keyId"] not in {i["key_id"] for i in info["instances"]}
        # The revoke rotated the data key: v2 with two generations, the set naming the second.
        assert info["account"]["v"] == 2 and len(info["account"]["data_keys"]) == 2, info["account"]
        await wait_agent_epoch(stack.agent, info["epoch"])
        newer = await record_clip(stack, 2)
        assert newer != older

        # The newer clip's key is wrapped to the first browser (and the account data key, which
        # only an enrolled instance or the passphrase opens), never to the revoked browser's key.
        socket = await stack.api.websocket()
        try:
            reader = PassphraseReader(stack.api, socket, driver.passphrase)
            wrapped_to = await reader.recipient_key_ids(newer)
            generation_1, generation_2 = await reader.data_key_ids()
        finally:
            await socket.close()
        assert revoked["keyId"] not in wrapped_to, wrapped_to
        # Nor to generation 1's data key, which the revoked browser could open through its own
        # wrap of RDK_1: only to generation 2, whose RDK was never wrapped to it.
        assert generation_2 in wrapped_to and generation_1 not in wrapped_to, wrapped_to
        assert {i["key_id"] for i in info["instances"]} <= wrapped_to, (
            info["instances"],
            wrapped_to,
        )
        # And its panel says it was removed, showing no clips, only "enrol again".
        screen = await driver.revoked_screen(stack, SECOND)
        assert screen["revokedNotice"] and screen["clipsTab"] == 0, screen
        # The first browser still plays the newer clip.
        await driver.play(stack, newer, label="newer-clip")

        # The browser made the account's keys and backups (pkijs PKCS#12): the offline recovery
        # tool opens an export with the passphrase alone and gives the bytes the browser did.
        archive = stack.hass.layout.media_dir / "export.tar"
        await stack.api.request(
            "POST", f"/api/services/{DOMAIN}/export_archive", {"path": str(archive)}
        )
        recovered = recover_clips(archive, driver.passphrase, tmp_path / "recovered")
        assert recovered[older] == downloaded

        # Turn E2EE off with the typed confirmation.
        off = await driver.turn_off(stack)
        assert off["disabledBefore"] is True
        assert (await account_info(stack))["enabled"] is False

    assert_screenshots(
        shots,
        [
            "turn-on-explained",
            "passphrase",
            "confirm-words",
            "turned-on-clips",
            "pair-code-typed",
            "paired",
            "playing-clip",
            "downloaded",
            "enrol",
            "enrolled",
            "playing-older-clip",
            "revoke-confirm",
            "revoke-wrong-passphrase",
            "revoke-passphrase",
            "revoked",
            "revoked-browser",
            "turn-off",
            "turned-off",
        ],
    )
