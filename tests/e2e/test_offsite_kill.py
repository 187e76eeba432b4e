"""Issue 15: killing HA in the middle of an off-site copy loses and duplicates nothing.

A real hass with clips in its media folder gets an off-site copy to a real bucket (SeaweedFS)
through the options flow; the moment the first copied object shows in the bucket, hass is
SIGKILLed (no clean shutdown). After a restart the copy resumes from its persisted queue: every
clip is then in the bucket exactly once, under exactly the keys of its files in the media
folder, byte for byte, and nothing else is there (no half-copied leftovers, no second copy
under another name).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from devstack.browser_driver import wait_for_clip_count, wait_integration_loaded
from devstack.camera_sim import MARKER
from devstack.flow_driver import MOTION_BURST_SECONDS, PythonEndpointDriver, run_flow
from devstack.ports import free_port
from devstack.stack import DOMAIN, Stack, StackSettings, running_stack
from devstack.weed import WeedServer

pytestmark = pytest.mark.slow
CLIPS = 3
PREFIX = "copy/"
CATCH_UP_SECONDS = 90.0


def primary_objects(stack: Stack) -> dict[str, bytes]:
    """The clip files in HA's media folder (DEVICE/CAMERA/DAY/CLIP.KIND; not its index), by
    file name: the copy drops the camera folder (the bucket's owner learns no names)."""
    return {
        path.name: path.read_bytes()
        for path in stack.storage_dir.rglob("*")
        if path.is_file() and not path.relative_to(stack.storage_dir).parts[0].startswith(".")
    }


def by_name(copied: dict[str, bytes]) -> dict[str, bytes]:
    """The copy's objects (PREFIX/DEVICE/DAY/CLIP.KIND) by file name; a name twice fails."""
    names: dict[str, bytes] = {}
    for key, body in copied.items():
        assert key.startswith(PREFIX) and len(key.split("/")) == 4, key
        name = key.rsplit("/", 1)[1]
        assert name not in names, f"{name} copied twice: {sorted(copied)}"
        names[name] = body
    return names


async def kill_at_first_copied_object(stack: Stack, weed: WeedServer, bucket: str) -> None:
    deadline = time.monotonic() + CATCH_UP_SECONDS
    while not weed.objects(bucket):
        if time.monotonic() > deadline:
            raise AssertionError(f"nothing was copied:\n{stack.hass.log_tail()}")
        await asyncio.sleep(0.01)
    stack.hass.kill()


async def test_killing_hass_mid_copy_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    with WeedServer(tmp_path / "weed") as weed:
        bucket = weed.new_bucket()
        async with running_stack(StackSettings(tmp_path, free_port())) as stack:
            driver = PythonEndpointDriver(fast_kdf=True)
            try:
                await run_flow(stack, driver)
            finally:
                await driver.close()
            for count in range(2, CLIPS + 1):
                await stack.camera.motion_burst(MOTION_BURST_SECONDS)
                await wait_for_clip_count(stack, count)
            clip_ids = {str(c["clip_id"]) for c in await wait_for_clip_count(stack, CLIPS)}
            await stack.agent.stop()  # no new clips while the copy is checked

            # Turn the copy on (the clips already stored are queued), kill hass mid-copy.
            entry_id = await stack.api.entry_id(DOMAIN)
            offsite = {"target": "s3", "retention_days": 90}
            await stack.api.run_options_flow(
                entry_id, "offsite", offsite, weed.settings(bucket, prefix=PREFIX)
            )
            await kill_at_first_copied_object(stack, weed, bucket)
            at_kill = weed.objects(bucket)
            manifests_at_kill = [k for k in at_kill if k.endswith(".manifest.json")]
            assert len(manifests_at_kill) < CLIPS, (
                f"the copy finished before hass was killed: {sorted(at_kill)}"
            )

            # Restart: the queue resumes; wait until every clip's manifest is there.
            await stack.hass.start()
            await wait_integration_loaded(stack)
            deadline = time.monotonic() + CATCH_UP_SECONDS
            while len([k for k in weed.objects(bucket) if k.endswith(".manifest.json")]) < CLIPS:
                if time.monotonic() > deadline:
                    raise AssertionError(
                        f"the copy did not catch up: {sorted(weed.objects(bucket))}\n"
                        f"{stack.hass.log_tail()}"
                    )
                await asyncio.sleep(0.5)

            copied = by_name(weed.objects(bucket))
            expected = primary_objects(stack)
            # Every clip's every object, once, under its one key, byte for byte; nothing else.
            assert sorted(copied) == sorted(expected)
            for key, body in expected.items():
                assert copied[key] == body, key
            assert {name.split(".", 1)[0] for name in copied} == clip_ids
            assert {f"{clip_id}.manifest.json" for clip_id in clip_ids} <= set(copied)
            assert [key for key, body in copied.items() if MARKER in body] == []
