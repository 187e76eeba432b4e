"""The delete_clips and export_archive actions; the export is decrypted by `recover` offline."""

from __future__ import annotations

import asyncio
import sys
import tarfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest.mock import patch

import pytest
from aiohttp.test_utils import TestClient
from homeassistant.auth.models import User
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError, Unauthorized
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.e2ee_nvr.const import DOMAIN
from custom_components.e2ee_nvr.protocol.archive import write_archive
from tests.integration.nvr_helpers import (
    MARKER,
    AccountFixture,
    Agent,
    SealedClip,
    create_account,
    seal_clip,
    upload_clip,
    ws_ok,
)

AGENT_CAMERAS = ("front-door", "garage")  # the cameras the `agent` fixture offers
REPO_ROOT = Path(__file__).resolve().parents[2]
# The recovery tool runs where a user would run it: the agent's own Python 3.11 venv, with no
# Home Assistant. A missing venv is a failure, not a skip: ./scripts/test builds it.
RECOVER_PYTHON = REPO_ROOT / ".venv" / "py311" / "bin" / "python"
HOUR_MS = 3_600_000


async def _call(hass: HomeAssistant, service: str, **data: Any) -> Any:
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=True
    )


async def _listed(ws: Any) -> set[str]:
    return {c["clip_id"] for c in (await ws_ok(ws, type="e2ee_nvr/clips/list"))["clips"]}


def _camera_device(hass: HomeAssistant, agent: Agent, camera_id: str) -> str:
    device = dr.async_get(hass).async_get_device({(DOMAIN, f"{agent.device_id}:{camera_id}")})
    assert device is not None
    return device.id


async def test_delete_clips(
    hass: HomeAssistant, client: TestClient[Any, Any], ws: Any, agent: Agent
) -> None:
    now = int(time.time() * 1000)
    clips: dict[str, SealedClip] = {}
    for name, camera, age_hours in (
        ("front_old", "front-door", 5),
        ("front_new", "front-door", 1),
        ("garage_old", "garage", 5),
        ("garage_new", "garage", 1),
        ("garage_mid", "garage", 3),
    ):
        clips[name] = seal_clip(agent, camera_id=camera, start_ms=now - age_hours * HOUR_MS)
        await upload_clip(client, agent, clips[name])
    garage = _camera_device(hass, agent, "garage")
    front = _camera_device(hass, agent, "front-door")
    cutoff = datetime.fromtimestamp((now - 4 * HOUR_MS) / 1000, tz=UTC)

    # Camera AND before: only the garage's old clip.
    result = await _call(hass, "delete_clips", camera=garage, before=cutoff.isoformat())
    assert result == {"deleted": 1}
    assert clips["garage_old"].clip_id not in await _listed(ws)
    # Before alone, as a naive local time: every camera's clips older than it.
    naive = dt_util.as_local(cutoff).replace(tzinfo=None)
    assert await _call(hass, "delete_clips", before=naive.isoformat()) == {"deleted": 1}
    # Ids, narrowed by camera: the front-door id is not the garage's and stays.
    result = await _call(
        hass,
        "delete_clips",
        clip_ids=[clips["garage_mid"].clip_id, clips["front_new"].clip_id, "0" * 32],
        camera=garage,
    )
    assert result == {"deleted": 1}
    # Ids narrowed by time: a clip newer than `before` stays.
    result = await _call(
        hass, "delete_clips", clip_ids=[clips["front_new"].clip_id], before=cutoff.isoformat()
    )
    assert result == {"deleted": 0}
    # A camera alone: all of its clips.
    assert await _call(hass, "delete_clips", camera=front) == {"deleted": 1}
    assert await _listed(ws) == {clips["garage_new"].clip_id}

    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "delete_clips", camera="not-a-device")
    assert err.value.translation_key == "unknown_camera"
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "delete_clips", camera=_agent_device(hass, agent))
    assert err.value.translation_key == "unknown_camera"
    # At least one criterion: an empty call would otherwise mean "everything".
    with pytest.raises(vol_invalid()):
        await _call(hass, "delete_clips")
    with pytest.raises(vol_invalid()):
        await _call(hass, "delete_clips", clip_ids=["../../etc"])
    assert await _listed(ws) == {clips["garage_new"].clip_id}


def vol_invalid() -> type[Exception]:
    import voluptuous as vol

    return vol.Invalid


def _agent_device(hass: HomeAssistant, agent: Agent) -> str:
    device = dr.async_get(hass).async_get_device({(DOMAIN, agent.device_id)})
    assert device is not None
    return device.id


async def test_actions_need_a_loaded_entry(
    hass: HomeAssistant, init_integration: MockConfigEntry, tmp_path: Path
) -> None:
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    for service, data in (
        ("delete_clips", {"clip_ids": ["0" * 32]}),
        ("export_archive", {"path": str(tmp_path / "x.tar")}),
    ):
        with pytest.raises(ServiceValidationError) as err:
            await _call(hass, service, **data)
        assert err.value.translation_key == "not_loaded"


async def _recover(archive: Path, passphrase: str, out: Path, tmp_path: Path) -> str:
    assert RECOVER_PYTHON.is_file(), f"{RECOVER_PYTHON} is missing: run ./scripts/test"
    passphrase_file = tmp_path / "passphrase.txt"
    passphrase_file.write_text(passphrase, encoding="utf-8")
    process = await asyncio.create_subprocess_exec(
        str(RECOVER_PYTHON),
        "-m",
        "camera_agent",
        "recover",
        "--archive",
        str(archive),
        "--passphrase-file",
        str(passphrase_file),
        "--out",
        str(out),
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, output.decode(errors="replace")
    return output.decode(errors="replace")


async def test_export_archive_recovers_every_clip(
    hass: HomeAssistant,
    media_root: Path,
    tmp_path: Path,
    client: TestClient[Any, Any],
    ws: Any,
    account: AccountFixture,
    agent: Agent,
    second_agent: Agent,
) -> None:
    # A second agent, unpaired before the export: its clips must still be recoverable, so the
    # archive carries every device certificate ever granted, not only the active ones.
    retired = second_agent
    plaintexts: dict[str, bytes] = {}
    for source, camera in ((agent, "front-door"), (agent, "garage"), (retired, "back-yard")):
        plaintext = MARKER + camera.encode() * 3000
        clip = seal_clip(source, plaintext, camera_id=camera, thumbnail=b"\xff\xd8 thumb")
        await upload_clip(client, source, clip)
        plaintexts[clip.clip_id] = plaintext
    await ws_ok(ws, type="e2ee_nvr/cameras/unpair", device_id=retired.device_id)

    archive = media_root / "export.tar"
    result = await _call(hass, "export_archive", path=str(archive))
    assert result["clips"] == 3
    assert result["bytes"] == archive.stat().st_size
    assert archive.stat().st_mode & 0o777 == 0o600
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert len([n for n in names if n.endswith(".video")]) == 3
    # Nothing in the archive is plaintext.
    assert MARKER not in archive.read_bytes()

    out = tmp_path / "recovered"
    await _recover(archive, account.passphrase, out, tmp_path)
    recovered = {p.stem.rsplit("_", 1)[1]: p.read_bytes() for p in out.rglob("*.mp4")}
    assert recovered == plaintexts

    # Only the account: recover opens it and finds no clips to write.
    bare = media_root / "account-only.tar"
    result = await _call(hass, "export_archive", path=str(bare), include_clips=False)
    assert result["clips"] == 0
    with tarfile.open(bare) as tar:
        assert tar.getnames() == ["e2ee-nvr-export/account.json"]


@pytest.mark.usefixtures("init_integration")
async def test_export_archive_refusals(
    hass: HomeAssistant,
    media_root: Path,
    tmp_path: Path,
    hass_ws_client: WebSocketGenerator,
    account: AccountFixture,
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "export_archive", path=str(media_root / "a.tar"))
    assert err.value.translation_key == "no_account"
    await create_account(await hass_ws_client(), account)
    outside = tmp_path / "outside"
    outside.mkdir()
    (media_root / "taken.tar").write_bytes(b"")
    for path, key in (
        ("relative.tar", "export_path_not_allowed"),
        (str(outside / "a.tar"), "export_path_not_allowed"),
        (str(media_root / "missing" / "a.tar"), "export_path_not_allowed"),
        (str(media_root / "nvr" / ".."), "export_path_not_allowed"),
        (str(media_root / "taken.tar"), "export_exists"),
    ):
        with pytest.raises(ServiceValidationError) as err:
            await _call(hass, "export_archive", path=path)
        assert err.value.translation_key == key, path
    # A folder HA's allowlist names is fine, as are the media folders and the store.
    hass.config.allowlist_external_dirs = {str(outside)}
    await _call(hass, "export_archive", path=str(outside / "a.tar"))
    assert (outside / "a.tar").is_file()
    # A write that fails leaves no partial file behind, and the last good archive stays.
    with (
        patch(
            "custom_components.e2ee_nvr.archive_export.write_archive",
            side_effect=OSError("disk full"),
        ),
        pytest.raises(HomeAssistantError) as failed,
    ):
        await _call(hass, "export_archive", path=str(outside / "c.tar"))
    assert failed.value.translation_key == "export_failed"
    assert sorted(p.name for p in outside.iterdir()) == ["a.tar"]


async def test_repeated_exports_cannot_fill_the_disk(
    hass: HomeAssistant,
    media_root: Path,
    agent: Agent,
    client: Any,
) -> None:
    """Attack: call export_archive again and again, each time to a new file, to fill the disk.

    Only one archive is kept: a new export removes the one this action wrote before (also
    after a restart: the path is in HA's Store), the same path may be exported again, an
    export that would not fit is refused before a byte is written, and two never run at once.
    """
    await upload_clip(client, agent, seal_clip(agent))
    first = media_root / "first.tar"
    await _call(hass, "export_archive", path=str(first))
    await _call(hass, "export_archive", path=str(first))
    assert first.is_file()
    for name in ("second.tar", "third.tar"):
        await _call(hass, "export_archive", path=str(media_root / name))
    assert sorted(p.name for p in media_root.glob("*.tar")) == ["third.tar"]

    with (
        patch(
            "custom_components.e2ee_nvr.archive_export.shutil.disk_usage",
            return_value=SimpleNamespace(total=10**9, used=10**9, free=1 << 20),
        ),
        pytest.raises(ServiceValidationError) as err,
    ):
        await _call(hass, "export_archive", path=str(media_root / "fourth.tar"))
    assert err.value.translation_key == "export_no_space"
    assert sorted(p.name for p in media_root.glob("*.tar")) == ["third.tar"]

    # While one export runs, a second is refused rather than writing a second copy.
    started, release = asyncio.Event(), threading.Event()
    real = write_archive

    def slow_write(*args: Any) -> None:
        hass.loop.call_soon_threadsafe(started.set)
        release.wait(30)
        real(*args)

    with patch("custom_components.e2ee_nvr.archive_export.write_archive", slow_write):
        running = hass.async_create_task(
            _call(hass, "export_archive", path=str(media_root / "fifth.tar"))
        )
        await started.wait()
        with pytest.raises(ServiceValidationError) as err:
            await _call(hass, "export_archive", path=str(media_root / "sixth.tar"))
        release.set()
        await running
    assert err.value.translation_key == "export_running"
    assert sorted(p.name for p in media_root.glob("*.tar")) == ["fifth.tar"]


@pytest.mark.parametrize(
    ("service", "data"),
    [("delete_clips", {"before": "2099-01-01 00:00:00"}), ("export_archive", {"path": "/x.tar"})],
)
async def test_actions_are_admin_only(
    hass: HomeAssistant,
    hass_admin_user: User,
    account_ws: Any,
    agent: Agent,
    client: Any,
    service: str,
    data: dict[str, Any],
) -> None:
    """Attack: a non-admin HA user deletes every clip, or copies them all to disk.

    The panel's own delete is admin-only; the actions must be too. The clip survives.
    """
    sealed = seal_clip(agent)
    await upload_clip(client, agent, sealed)
    hass_admin_user.groups = []
    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            DOMAIN,
            service,
            data,
            blocking=True,
            return_response=True,
            context=Context(user_id=hass_admin_user.id),
        )
    assert await _listed(account_ws) == {sealed.clip_id}


def test_recover_python_is_the_agent_venv() -> None:
    # The subprocess above must not silently run in HA's interpreter.
    assert Path(sys.executable).resolve() != RECOVER_PYTHON.resolve()
