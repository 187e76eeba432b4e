"""The state folder: secrets are 0600, writes are atomic, and the pairing flag survives."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from camera_agent.state import AgentState, PairingSession, StateError, atomic_write
from e2ee_nvr_protocol.identifiers import key_id
from tests.agent.agent_setup import new_account, paired_state


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_device_key_is_pkcs8_pem_mode_0600(tmp_path: Path) -> None:
    state = AgentState(tmp_path / "state")
    key = state.create_device_key()
    path = tmp_path / "state" / "device_key.pem"
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert _mode(path) == 0o600
    assert _mode(tmp_path / "state") == 0o700
    assert key_id(state.load_device_key().public_key()) == key_id(key.public_key())


def test_atomic_write_leaves_no_temporary_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "file"
    atomic_write(target, b"old")
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["file"]
    assert _mode(target) == 0o600


def test_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "file"
    atomic_write(target, b"old")
    with pytest.raises(TypeError):
        atomic_write(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_trust_round_trip_and_files_are_private(tmp_path: Path) -> None:
    state, device = paired_state(tmp_path / "state", new_account())
    state.save_token("secret-token")
    loaded = state.load_trust()
    assert loaded is not None
    assert loaded.current_set().epoch == device.trust.current_set().epoch
    assert state.load_token() == "secret-token"
    for path in (tmp_path / "state").iterdir():
        assert _mode(path) == 0o600, path


def test_trust_for_another_key_is_refused(tmp_path: Path) -> None:
    state, _device = paired_state(tmp_path / "state", new_account())
    state.create_device_key()  # the pinned device certificate no longer matches
    with pytest.raises(StateError, match="UntrustedKey"):
        state.load_trust()


def test_tampered_trust_file_is_refused(tmp_path: Path) -> None:
    state, _device = paired_state(tmp_path / "state", new_account())
    path = tmp_path / "state" / "trust.json"
    document = json.loads(path.read_bytes())
    document["data_key_id"] = "0" * 32
    path.write_text(json.dumps(document))
    with pytest.raises(StateError):
        state.load_trust()


def test_pairing_session_persists_code_used(tmp_path: Path) -> None:
    state = AgentState(tmp_path / "state")
    session = PairingSession("A" * 20, "ab" * 16, b"payload", 1_800_000_000, code_used=False)
    state.save_pairing(session)
    state.save_pairing(PairingSession(**{**session.__dict__, "code_used": True}))
    loaded = state.load_pairing()
    assert loaded is not None and loaded.code_used and loaded.request_payload == b"payload"
    assert _mode(tmp_path / "state" / "pairing.json") == 0o600
    state.clear_pairing()
    assert state.load_pairing() is None
