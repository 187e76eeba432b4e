"""Issue 15's browser check: a real hass whose primary storage is a real S3 bucket (SeaweedFS).

The bucket is chosen through the integration's options flow over HA's REST API, as the UI does;
the agent uploads to HA, HA writes the objects to the bucket, the panel in Debian's Chromium plays
the clip and downloads it (bytes equal the clip decrypted in Python from the passphrase), and
every object in the bucket is scanned for the camera's plaintext marker. Screens are PNGs in
test-artifacts/e2e/s3-ui-flow/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from devstack.browser_driver import BrowserDriver, record_clip, wait_integration_loaded
from devstack.camera_sim import MARKER
from devstack.flow_driver import start_recording
from devstack.ports import free_port
from devstack.stack import DOMAIN, StackSettings, running_stack
from devstack.weed import WeedServer
from tests.e2e.ui_checks import artifact_dir, assert_screenshots, files_containing

pytestmark = pytest.mark.slow
CAMERA_NAME = "front-door"


async def test_the_panel_plays_and_downloads_a_clip_stored_in_a_bucket(tmp_path: Path) -> None:
    shots = artifact_dir("s3-ui-flow")
    with WeedServer(tmp_path / "weed") as weed:
        bucket = weed.new_bucket()
        async with running_stack(StackSettings(tmp_path, free_port())) as stack:
            # Storage -> bucket, through the options flow; the entry reloads onto the bucket.
            entry_id = await stack.api.entry_id(DOMAIN)
            saved = await stack.api.run_options_flow(
                entry_id, "storage", {"backend": "s3"}, weed.settings(bucket, prefix="nvr/")
            )
            assert saved["type"] == "create_entry"
            await wait_integration_loaded(stack)

            driver = BrowserDriver(shots, tmp_path / "profiles")
            await driver.turn_on(stack)
            await driver.pair(stack, await stack.agent.start_pairing())
            await start_recording(stack)
            clip_id = await record_clip(stack, 1)

            # The clip's objects are in the bucket, not in HA's media folder.
            stored = weed.objects(bucket)
            assert all(key.startswith("nvr/") for key in stored), sorted(stored)
            clip_keys = [key for key in stored if clip_id in key]
            assert any(key.endswith(f"{clip_id}.video") for key in clip_keys), sorted(stored)
            assert any(key.endswith(f"{clip_id}.manifest.json") for key in clip_keys)
            assert [p for p in stack.storage_dir.rglob(f"*{clip_id}*") if p.is_file()] == []

            # Play and download in Chromium: play_and_download checks the browser's file equals
            # the clip decrypted in Python with the passphrase, and holds the camera's marker.
            downloaded = await driver.play_and_download(stack, clip_id)
            assert downloaded[4:8] == b"ftyp" and MARKER in downloaded

            # The plaintext-marker scan over every object in the bucket (read after playback,
            # so anything the panel's reads could have written is included), and HA's folders.
            stored = weed.objects(bucket)
            assert stored, "the bucket is empty"
            assert [key for key, body in stored.items() if MARKER in body] == []
            # Object names carry no camera names: the owner of the bucket learns no names.
            assert [key for key in stored if CAMERA_NAME in key] == []
            assert files_containing(stack.hass.layout.config_dir, MARKER) == []
            assert files_containing(stack.hass.layout.media_dir, MARKER) == []

    assert_screenshots(shots, ("passphrase", "paired", "playing-clip", "downloaded"))
