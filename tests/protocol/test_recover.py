"""`python -m camera_agent recover`: byte-identical clips from the passphrase and an archive."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from e2ee_nvr_protocol import endpoint
from e2ee_nvr_protocol.archive import AccountExport, ArchiveReader, ClipFiles, write_archive
from e2ee_nvr_protocol.clip import ClipEncryptor
from e2ee_nvr_protocol.device import DeviceTrust
from e2ee_nvr_protocol.passphrase import generate_passphrase
from tests.protocol.account_setup import (
    NOW,
    AccountFixture,
    PairedDevice,
    fast_kdf_params,
    pair_device,
)

REPO = Path(__file__).resolve().parents[2]


def _clip_bytes(index: int) -> bytes:
    # Not a playable movie, but the recovery promise is byte identity, which this tests exactly.
    return b"\x00\x00\x00\x18ftypisom" + f"E2EE-NVR-TEST-MARKER clip {index} ".encode() * (
        900 + index
    )


def _store_clip(device: PairedDevice, plaintext: bytes, folder: Path, start_ms: int) -> ClipFiles:
    encryptor = ClipEncryptor(
        recipient_set=device.trust.current_set(),
        device_id=device.device_id,
        camera_id="front-door",
        start_ms=start_ms,
        chunk_size=1 << 10,
    )
    video = encryptor.update(plaintext) + encryptor.finish_video()
    signed = encryptor.seal(device.key, end_ms=start_ms + 10_000, codecs="avc1.64001f")
    files = ClipFiles(encryptor.clip_id)
    for suffix, raw in (
        ("manifest.json", json.dumps(signed.to_json()).encode()),
        ("video", video),
    ):
        path = folder / f"{encryptor.clip_id}.{suffix}"
        path.write_bytes(raw)
        files.sources[suffix] = path
    return files


def _account_only(archive: Path, tmp_path: Path) -> Path:
    """The account part of `archive` alone, as an export without clips."""
    account_only = tmp_path / "account-only.tar"
    reader = ArchiveReader(archive)
    with account_only.open("wb") as handle:
        write_archive(handle, reader.account_export(), [])
    reader.close()
    return account_only


def _recover(
    archive: Path, out: Path, passphrase: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    secret = out.parent / "passphrase.txt"
    secret.write_text(passphrase, encoding="utf-8")
    return subprocess.run(  # noqa: S603 - our own CLI with test arguments
        [
            sys.executable,
            "-m",
            "camera_agent",
            "recover",
            "--archive",
            str(archive),
            "--out",
            str(out),
            "--passphrase-file",
            str(secret),
            *extra,
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
        timeout=120,
    )


def _first_clip(tmp_path: Path) -> tuple[AccountFixture, PairedDevice, Path, list[ClipFiles]]:
    """A new account, a device paired to it, and its first clip in the store folder."""
    passphrase = generate_passphrase()
    document, first = endpoint.create_account(passphrase, kdf_params=fast_kdf_params())
    account = AccountFixture(passphrase, document, first)
    device = pair_device(account)
    store = tmp_path / "store"
    store.mkdir()
    return account, device, store, [_store_clip(device, _clip_bytes(0), store, NOW * 1000)]


@pytest.fixture
def exported(tmp_path: Path) -> tuple[AccountFixture, Path, Path, dict[str, bytes]]:
    """An account with two endpoints, clips encrypted to both, exported to an archive."""
    account, device, store, clips = _first_clip(tmp_path)
    account.document, _second = endpoint.enrol_with_passphrase(account.document, account.passphrase)
    trust, _ = device.trust.admit(account.document.recipient_set)
    device = PairedDevice(device.key, trust)
    clips.append(_store_clip(device, _clip_bytes(1), store, NOW * 1000 + 60_000))
    archive = tmp_path / "export.tar"
    with archive.open("wb") as handle:
        write_archive(
            handle, AccountExport(account.document, (device.trust.device_cert_der,)), clips
        )
    expected = {clips[0].clip_id: _clip_bytes(0), clips[1].clip_id: _clip_bytes(1)}
    assert isinstance(device.trust, DeviceTrust)
    return account, archive, store, expected


def test_recover_gives_byte_identical_clips(
    exported: tuple[AccountFixture, Path, Path, dict[str, bytes]], tmp_path: Path
) -> None:
    account, archive, _store, expected = exported
    out = tmp_path / "out"
    result = _recover(archive, out, account.passphrase.upper())
    assert result.returncode == 0, result.stderr
    written = sorted(out.rglob("*.mp4"))
    assert len(written) == 2
    for path in written:
        clip_id = path.stem.split("_")[-1]
        assert path.read_bytes() == expected[clip_id]
    assert "recovered 2 of 2 clips" in result.stdout


def test_recover_with_clips_in_a_separate_folder(
    exported: tuple[AccountFixture, Path, Path, dict[str, bytes]], tmp_path: Path
) -> None:
    account, _archive, store, expected = exported
    account_only = _account_only(_archive, tmp_path)
    out = tmp_path / "out"
    result = _recover(account_only, out, account.passphrase, "--clips", str(store))
    assert result.returncode == 0, result.stderr
    assert sorted(p.read_bytes() for p in out.rglob("*.mp4")) == sorted(expected.values())


def test_wrong_passphrase_exits_2_with_a_clear_message(
    exported: tuple[AccountFixture, Path, Path, dict[str, bytes]], tmp_path: Path
) -> None:
    account, archive, _store, _expected = exported
    words = account.passphrase.split()
    out = tmp_path / "out"
    result = _recover(archive, out, " ".join(reversed(words)))
    assert result.returncode == 2
    assert "wrong passphrase" in result.stderr
    assert not out.exists() or not any(out.rglob("*.mp4"))


def test_a_damaged_archive_exits_3_with_a_message_not_a_traceback(
    exported: tuple[AccountFixture, Path, Path, dict[str, bytes]], tmp_path: Path
) -> None:
    """A fuzz finding: a damaged tar used to end the recovery tool in a traceback."""
    account, archive, _store, _expected = exported
    damaged = tmp_path / "damaged.tar"
    damaged.write_bytes(archive.read_bytes()[:700] + b"\xff" * 300)
    out = tmp_path / "out"
    result = _recover(damaged, out, account.passphrase)
    assert result.returncode == 3, result.stderr
    assert "cannot read the archive" in result.stderr
    assert "Traceback" not in result.stderr


def test_tampered_clip_is_refused_and_leaves_no_file(
    exported: tuple[AccountFixture, Path, Path, dict[str, bytes]], tmp_path: Path
) -> None:
    account, _archive, store, expected = exported
    victim = next(iter(expected))
    video = store / f"{victim}.video"
    raw = bytearray(video.read_bytes())
    raw[len(raw) // 2] ^= 1
    video.write_bytes(bytes(raw))
    account_only = _account_only(_archive, tmp_path)
    out = tmp_path / "out"
    result = _recover(account_only, out, account.passphrase, "--clips", str(store))
    assert result.returncode == 1
    assert f"clip {victim}: refused" in result.stderr
    names = [p.name for p in out.rglob("*")]
    assert not any(victim in name for name in names)
    assert len(list(out.rglob("*.mp4"))) == 1


def test_recover_a_migrated_v2_account_through_its_key_history(tmp_path: Path) -> None:
    """One clip per data generation: v1 (gen 1), after migration (gen 2), after a revoke (gen 3)."""
    from e2ee_nvr_protocol import endpoint_v2
    from e2ee_nvr_protocol.account_build_v2 import migrate_v1

    account, device, store, clips = _first_clip(tmp_path)
    passphrase = account.passphrase
    migrated, owner = migrate_v1(
        account.document, account.first, passphrase, pdk_params=fast_kdf_params()[0]
    )
    device = PairedDevice(device.key, device.trust.admit(migrated.recipient_set)[0])
    clips.append(_store_clip(device, _clip_bytes(1), store, NOW * 1000 + 60_000))
    migrated, owner, other = endpoint_v2.enrol(migrated, owner, passphrase)
    migrated, owner = endpoint_v2.revoke(migrated, owner, passphrase, [other.instance_key_id])
    device = PairedDevice(device.key, device.trust.admit(migrated.recipient_set)[0])
    clips.append(_store_clip(device, _clip_bytes(2), store, NOW * 1000 + 120_000))
    assert len(migrated.data_keys) == 3
    archive = tmp_path / "export.tar"
    with archive.open("wb") as handle:
        write_archive(handle, AccountExport(migrated, (device.trust.device_cert_der,)), clips)
    out = tmp_path / "out"
    result = _recover(archive, out, passphrase)
    assert result.returncode == 0, result.stderr
    written = {p.stem.split("_")[-1]: p.read_bytes() for p in out.rglob("*.mp4")}
    assert written == {c.clip_id: _clip_bytes(i) for i, c in enumerate(clips)}


def test_recover_with_clips_in_a_nested_bucket_folder(
    exported: tuple[AccountFixture, Path, Path, dict[str, bytes]], tmp_path: Path
) -> None:
    """`--clips` over a synced bucket or off-site folder: `<device>/<day>/<clip>.*`, and the
    media folder's `<device>/<camera>/<day>/` beside it."""
    account, archive, store, expected = exported
    account_only = _account_only(archive, tmp_path)
    synced = tmp_path / "synced"
    first, second = sorted(expected)
    for clip_id, folder in (
        (first, "a" * 32 + "/2026-12-01"),
        (second, "b" * 32 + "/cam/2026-12-02"),
    ):
        (synced / folder).mkdir(parents=True)
        for path in store.glob(f"{clip_id}.*"):
            (synced / folder / path.name).write_bytes(path.read_bytes())
    out = tmp_path / "out"
    result = _recover(account_only, out, account.passphrase, "--clips", str(synced))
    assert result.returncode == 0, result.stderr
    assert sorted(p.read_bytes() for p in out.rglob("*.mp4")) == sorted(expected.values())
    assert "recovered 2 of 2 clips" in result.stdout
