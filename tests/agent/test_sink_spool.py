"""Encrypting sink and spool: ciphertext only on disk, whole clips only, crash leftovers gone."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from camera_agent.encrypting_sink import EncryptingSink
from camera_agent.spool import Spool
from camera_agent.state import AgentState
from camera_agent.trust import RecordingBlocked, TrustKeeper
from e2ee_nvr_protocol import certs
from e2ee_nvr_protocol.clip import (
    ClipEvent,
    decode_events,
    decrypt_blob,
    open_clip_key,
    verify_clip_manifest,
)
from e2ee_nvr_protocol.envelope import SignedEnvelope
from e2ee_nvr_protocol.stream_format import ContentKind
from tests.agent.agent_setup import AgentParts, agent_parts, new_account
from tests.agent.sink_child import MARKER
from tests.protocol.account_setup import AccountFixture

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def account() -> AccountFixture:
    return new_account()


def _every_file(*folders: Path) -> list[Path]:
    return [p for folder in folders for p in folder.rglob("*") if p.is_file()]


async def _record(parts: AgentParts, plaintext: bytes, thumbnail: bytes | None) -> str:
    writer = await parts.sink.start_clip(
        camera_id="front-door", start_ms=1_000, codecs="avc1.64001f", mime="video/mp4"
    )
    for offset in range(0, len(plaintext), 100_000):  # pieces as a pipe would deliver them
        await writer.write(plaintext[offset : offset + 100_000])
    await writer.finish(end_ms=31_000, thumbnail_jpeg=thumbnail)
    return writer.clip_id


def _open(parts: AgentParts, account: AccountFixture, clip_id: str, kind: ContentKind) -> bytes:
    signed = SignedEnvelope.from_json(json.loads(parts.spool.manifest_path(clip_id).read_bytes()))
    manifest = verify_clip_manifest(
        signed, certs.load_cert(parts.device.trust.device_cert_der), account.first.root_cert
    )
    clip_key = open_clip_key(manifest, [account.first.instance_key])
    ciphertext = parts.spool.object_path(clip_id, kind.value).read_bytes()
    return decrypt_blob(manifest, clip_key, kind, ciphertext)


async def test_only_ciphertext_reaches_the_disk(tmp_path: Path, account: AccountFixture) -> None:
    parts = agent_parts(tmp_path, account)
    parts.sink.set_ha_events_visible(True)  # the integration's option is on
    plaintext = MARKER * 50_000  # about 1.1 MiB: several chunks
    parts.sink.events.record("front-door", ClipEvent("motion", 2_000, 5_000, "onvif"))
    clip_id = await _record(parts, plaintext, b"\xff\xd8JPEG" + MARKER)

    files = _every_file(tmp_path / "state", tmp_path / "spool")
    assert {p.name for p in files if p.parent.name == "spool"} == {
        f"{clip_id}.video",
        f"{clip_id}.thumbnail",
        f"{clip_id}.events",
        f"{clip_id}.manifest.json",
    }
    for path in files:
        assert MARKER not in path.read_bytes(), path
    # ... and the ciphertext is the real clip for an enrolled endpoint.
    assert _open(parts, account, clip_id, ContentKind.VIDEO) == plaintext
    assert _open(parts, account, clip_id, ContentKind.THUMBNAIL) == b"\xff\xd8JPEG" + MARKER
    events = decode_events(_open(parts, account, clip_id, ContentKind.EVENTS))
    assert events == (ClipEvent("motion", 2_000, 5_000, "onvif"),)
    manifest = json.loads(
        SignedEnvelope.from_json(
            json.loads(parts.spool.manifest_path(clip_id).read_bytes())
        ).payload
    )
    assert manifest["visible_events"] == ["motion"]
    assert parts.spool.depth().clips == 1


async def test_abort_deletes_the_partial_ciphertext(
    tmp_path: Path, account: AccountFixture
) -> None:
    parts = agent_parts(tmp_path, account)
    writer = await parts.sink.start_clip(
        camera_id="front-door", start_ms=1, codecs="avc1.64001f", mime="video/mp4"
    )
    await writer.write(MARKER * 20_000)
    assert parts.spool.part_path(writer.clip_id).exists()
    await writer.abort("stream lost")
    assert list((tmp_path / "spool").iterdir()) == []


async def test_no_verified_set_means_no_recording(tmp_path: Path) -> None:
    trust = TrustKeeper(AgentState(tmp_path / "unpaired"))
    trust.load()
    parts_spool = Spool(tmp_path / "spool", 1 << 20)
    parts_spool.open()
    sink = EncryptingSink(spool=parts_spool, trust=trust)
    with pytest.raises(RecordingBlocked, match="not paired"):
        await sink.start_clip(camera_id="c", start_ms=1, codecs="avc1.64001f", mime="video/mp4")
    assert list((tmp_path / "spool").iterdir()) == []


async def test_restart_deletes_partial_clips(tmp_path: Path, account: AccountFixture) -> None:
    parts = agent_parts(tmp_path, account)
    complete = await _record(parts, MARKER * 1000, None)
    writer = await parts.sink.start_clip(
        camera_id="front-door", start_ms=1, codecs="avc1.64001f", mime="video/mp4"
    )
    await writer.write(MARKER * 20_000)  # the process "dies" here: no finish, no abort
    orphan = parts.spool.object_path("ab" * 16, "video")
    orphan.write_bytes(b"renamed but its manifest never written")

    restarted = Spool(tmp_path / "spool", 1 << 30)
    assert restarted.open() == 2
    assert [c.clip_id for c in restarted.clips()] == [complete]


def test_sigkill_mid_clip_leaves_nothing_uploadable(
    tmp_path: Path, account: AccountFixture
) -> None:
    parts = agent_parts(tmp_path, account)
    child = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            str(REPO_ROOT / "tests/agent/sink_child.py"),
            str(tmp_path / "state"),
            str(tmp_path / "spool"),
        ],
        stdout=subprocess.PIPE,
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    assert child.stdout is not None
    line = child.stdout.readline().decode().split()
    clip_id = line[1]
    assert parts.spool.part_path(clip_id).stat().st_size > 0
    child.send_signal(signal.SIGKILL)
    child.wait()
    for path in _every_file(tmp_path / "spool"):
        assert MARKER not in path.read_bytes()

    restarted = Spool(tmp_path / "spool", 1 << 30)
    restarted.open()
    assert restarted.clips() == []
    assert list((tmp_path / "spool").iterdir()) == []


async def test_size_cap_evicts_oldest_first(
    tmp_path: Path, account: AccountFixture, caplog: pytest.LogCaptureFixture
) -> None:
    parts = agent_parts(tmp_path, account, max_bytes=250_000)
    first = await _record(parts, os.urandom(100_000), None)
    second = await _record(parts, os.urandom(100_000), None)
    third = await _record(parts, os.urandom(100_000), None)
    remaining = [c.clip_id for c in parts.spool.clips()]
    assert first not in remaining
    assert remaining == [second, third]
    assert "SPOOL FULL" in caplog.text
    assert parts.spool.total_bytes() <= 250_000
