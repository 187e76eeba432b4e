"""Home Assistant's media folder full when a clip arrives: the clip waits, then lands whole.

A real `hass` with the integration (devstack/stack.py) stores clips in media/e2ee_nvr, here
a real tmpfs (`mount -t tmpfs`, root) as large as the integration's 1 GB cap, so it sets up;
then a filler file leaves 64 KiB free. The first motion clip does not fit: the agent keeps it
in its spool. Once the filler is deleted (an admin freeing space), the clip is stored once,
verifies and plays through the Python endpoint, and HA's folder holds no half-written object.
Issue 11 "fault injection" (disk full on HA's media).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from devstack.flow_driver import PythonEndpointDriver, run_flow
from devstack.stack import STORAGE_FOLDER, StackSettings, running_stack
from tests.agent.agent_setup import free_port

pytestmark = pytest.mark.slow
FULL_LIMIT_SECONDS = 120.0  # a guard against a hung test, never a measurement
UPLOAD_FAILED = ("Home Assistant unavailable", "refused clip")


def _mount(folder: Path, options: str) -> None:
    subprocess.run(  # noqa: S603 - fixed arguments
        ["/usr/bin/mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], check=True
    )


async def _wait_for_failed_upload(log: Path) -> str:
    for _poll in range(int(FULL_LIMIT_SECONDS / 0.5)):
        text = log.read_text("utf-8", errors="replace") if log.exists() else ""
        failed = [ln for ln in text.splitlines() if any(word in ln for word in UPLOAD_FAILED)]
        if failed:
            return failed[0]
        await asyncio.sleep(0.5)
    raise AssertionError(f"no failed upload in {log}")


async def test_ha_media_folder_full_when_a_clip_arrives(tmp_path: Path) -> None:
    storage = tmp_path / "media" / STORAGE_FOLDER
    storage.mkdir(parents=True)
    _mount(storage, "size=1100m,mode=0755")
    try:
        async with running_stack(StackSettings(tmp_path, free_port())) as stack:
            assert stack.storage_dir == storage
            filler = storage / "filler"
            free = shutil.disk_usage(storage).free
            with filler.open("wb") as handle:  # tmpfs really allocates these pages
                os.posix_fallocate(handle.fileno(), 0, free - 64 * 1024)
            driver = PythonEndpointDriver(fast_kdf=True)
            try:
                flow = asyncio.create_task(run_flow(stack, driver))
                failure = await _wait_for_failed_upload(stack.agent.log_path("run"))
                assert not flow.done()
                filler.unlink()  # an admin frees space; HA is not restarted
                played = await flow
            finally:
                await driver.close()
            socket = await stack.api.websocket()
            listed = (await socket.call("e2ee_nvr/clips/list"))["clips"]
            await socket.close()
            ids = [c["clip_id"] for c in listed]
            assert played.clip_id in ids and len(ids) == len(set(ids))
            # The integration stages uploads under .staging/<clip_id>/ and commits by rename:
            # nothing may be left there once the clip is stored.
            staged = [p for p in (storage / ".staging").rglob("*") if p.is_file()]
            assert staged == [], f"half-written objects in HA's folder: {staged}"
            # The agent saw the full folder as a named refusal (507 storage_full), and retried.
            assert "storage_full" in failure, failure
    finally:
        subprocess.run(["/usr/bin/umount", "-l", str(storage)], check=False)  # noqa: S603
