"""Issue 10's migration through the real panel: a protocol-v1 account, made by the v1 endpoint
code (the Python endpoint, as the panel made them before v2), with a paired camera and a clip.

A browser enrols with the passphrase (into the v1 account), sees the upgrade prompt, refuses a
wrong passphrase, and migrates with the right one. Then the account is v2 with the v1 data key
as generation 1 and a fresh generation 2; the camera, never re-paired, accepts the new set and
wraps its next clip to generation 2; the browser plays the clip from before the upgrade and the
one after. Screens go to test-artifacts/e2e/ui-upgrade/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from devstack.browser_driver import BrowserDriver, record_clip
from devstack.endpoint_user import EndpointUser, PassphraseReader
from devstack.flow_driver import start_recording
from devstack.ports import free_port
from devstack.stack import StackSettings, running_stack
from tests.e2e.ui_checks import account_info, artifact_dir, assert_screenshots, wait_agent_epoch

pytestmark = pytest.mark.slow
OWNER = "owner"


async def test_a_v1_account_upgrades_in_the_panel_keeping_clips_and_cameras(
    tmp_path: Path,
) -> None:
    shots = artifact_dir("ui-upgrade")
    async with running_stack(StackSettings(tmp_path, free_port())) as stack:
        # The v1 account and its camera, made by the v1 endpoint code.
        socket = await stack.api.websocket()
        try:
            v1 = EndpointUser(stack.api, socket)
            passphrase = await v1.create_account()
            await v1.grant_pairing(await stack.agent.start_pairing())
        finally:
            await socket.close()
        await start_recording(stack)
        older = await record_clip(stack, 1)
        before = await account_info(stack)
        assert before["account"]["v"] == 1, before["account"]

        # A browser enrols with the passphrase and is shown the upgrade prompt.
        driver = BrowserDriver(shots, tmp_path / "profiles")
        driver.passphrase = passphrase
        await driver.enrol(stack, OWNER, "Owner browser")
        wrong = " ".join(reversed(passphrase.split()))
        upgraded = await driver.upgrade(stack, wrong_passphrase=wrong)
        assert "clips stay readable" in upgraded["text"], upgraded
        assert "turn E2EE off and on again" in upgraded["text"], upgraded
        assert upgraded["wrongRefused"] and "not the passphrase" in upgraded["wrongRefused"]

        # v2 now: generation 1 is the v1 data key, generation 2 fresh; every instance kept.
        after = await account_info(stack)
        document = after["account"]
        assert document["v"] == 2 and len(document["data_keys"]) == 2, document
        assert document["data_keys"][0]["cert"] == before["account"]["data_cert"]
        before_ids = {i["key_id"] for i in before["instances"]}
        assert before_ids < {i["key_id"] for i in after["instances"]}  # plus the browser
        assert after["epoch"] == before["epoch"] + 2  # the browser's enrolment, then migration

        # The camera, not re-paired, takes the v2 set and wraps its next clip to generation 2.
        await wait_agent_epoch(stack.agent, after["epoch"])
        newer = await record_clip(stack, 2)
        socket = await stack.api.websocket()
        try:
            reader = PassphraseReader(stack.api, socket, passphrase)
            generation_1, generation_2 = await reader.data_key_ids()
            wrapped_to = await reader.recipient_key_ids(newer)
            # The passphrase alone still opens the clip from before the upgrade.
            assert (await reader.open_clip(older)).video[4:8] == b"ftyp"
        finally:
            await socket.close()
        assert generation_2 in wrapped_to and generation_1 not in wrapped_to, wrapped_to

        # The browser plays the clip from before the upgrade and the one after.
        assert (await driver.play(stack, older, label="before-upgrade"))["clipId"] == older
        assert (await driver.play(stack, newer, label="after-upgrade"))["clipId"] == newer

    assert_screenshots(shots, ("enrolled", "upgrade-prompt", "upgraded", "playing-before-upgrade"))
