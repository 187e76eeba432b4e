"""The agent's state folder: device key, pinned trust, agent token and pairing session.

Every file is written atomically (temporary file, fsync, rename, fsync of the folder), so a
power cut leaves the old version or the new one, never half of either; every file is mode 0600
because the device key signs manifests and the token uploads them.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from e2ee_nvr_protocol import primitives
from e2ee_nvr_protocol.device import DeviceTrust
from e2ee_nvr_protocol.encoding import b64decode, b64encode
from e2ee_nvr_protocol.errors import ProtocolError
from e2ee_nvr_protocol.identifiers import key_id

DEVICE_KEY_FILE = "device_key.pem"
TRUST_FILE = "trust.json"
TOKEN_FILE = "agent_token"  # noqa: S105 (a file name, not a secret)
PAIRING_FILE = "pairing.json"
FILE_MODE = 0o600
DIR_MODE = 0o700


class StateError(RuntimeError):
    """The state folder holds something unusable (a damaged key, trust for another key...)."""


def atomic_write(path: Path, content: bytes, mode: int = FILE_MODE) -> None:
    """Replace `path` with `content` so that a crash leaves either the old or the new file."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    # O_EXCL + mode at creation: the secret never exists, even briefly, with wider permissions.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make a rename or unlink in `folder` durable."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@dataclass(frozen=True)
class PairingSession:
    """A pairing in progress: what the device needs to check the grant, and the single-use flag.

    `code_used` is persisted before a grant is verified (protocol section 8.4): a crash between
    burning the code and the verdict must not allow a second attempt with the same code.
    """

    code: str
    session_id: str
    request_payload: bytes
    expires_at: int
    code_used: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "session_id": self.session_id,
            "request_payload": b64encode(self.request_payload),
            "expires_at": self.expires_at,
            "code_used": self.code_used,
        }

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> PairingSession:
        return cls(
            code=str(document["code"]),
            session_id=str(document["session_id"]),
            request_payload=b64decode(document["request_payload"], field="request_payload"),
            expires_at=int(document["expires_at"]),
            code_used=bool(document["code_used"]),
        )


class AgentState:
    """Typed access to the files of one state folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def ensure_folder(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
        os.chmod(self.folder, DIR_MODE)

    def _path(self, name: str) -> Path:
        return self.folder / name

    # -- device key ---------------------------------------------------------------------------
    def has_device_key(self) -> bool:
        return self._path(DEVICE_KEY_FILE).exists()

    def load_device_key(self) -> rsa.RSAPrivateKey:
        try:
            pem = self._path(DEVICE_KEY_FILE).read_bytes()
            key = serialization.load_pem_private_key(pem, password=None)
        except (OSError, ValueError) as err:
            raise StateError(f"device key {self._path(DEVICE_KEY_FILE)}: {err}") from err
        if not isinstance(key, rsa.RSAPrivateKey):
            raise StateError("device key is not an RSA key")
        return key

    def create_device_key(self) -> rsa.RSAPrivateKey:
        """A new RSA-2048 device key, written as PKCS#8 PEM (replaces any old key: re-pairing)."""
        self.ensure_folder()
        key = primitives.rsa_generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        atomic_write(self._path(DEVICE_KEY_FILE), pem)
        return key

    def device_id(self) -> str | None:
        if not self.has_device_key():
            return None
        return key_id(self.load_device_key().public_key())

    # -- trust --------------------------------------------------------------------------------
    def load_trust(self) -> DeviceTrust | None:
        """The pinned trust, re-verified; None when unpaired, StateError when it fails."""
        path = self._path(TRUST_FILE)
        if not path.exists():
            return None
        try:
            trust = DeviceTrust.from_json(json.loads(path.read_bytes()))
            trust.check_device_key(self.load_device_key())
        except (OSError, ValueError, ProtocolError) as err:
            raise StateError(f"{path}: {type(err).__name__}: {err}") from err
        return trust

    def save_trust(self, trust: DeviceTrust) -> None:
        """Persist before use: the highest epoch must survive a crash (protocol section 6)."""
        self.ensure_folder()
        atomic_write(self._path(TRUST_FILE), json.dumps(trust.to_json()).encode("utf-8"))

    def clear_trust(self) -> None:
        """Forget the pinned trust and the token (a new pairing replaces the identity)."""
        for name in (TRUST_FILE, TOKEN_FILE):
            self._path(name).unlink(missing_ok=True)
        if self.folder.exists():
            fsync_dir(self.folder)

    # -- agent token --------------------------------------------------------------------------
    def load_token(self) -> str | None:
        path = self._path(TOKEN_FILE)
        return path.read_text(encoding="ascii").strip() if path.exists() else None

    def save_token(self, token: str) -> None:
        self.ensure_folder()
        atomic_write(self._path(TOKEN_FILE), token.encode("ascii"))

    # -- pairing session ----------------------------------------------------------------------
    def load_pairing(self) -> PairingSession | None:
        path = self._path(PAIRING_FILE)
        if not path.exists():
            return None
        try:
            return PairingSession.from_json(json.loads(path.read_bytes()))
        except (OSError, ValueError, KeyError, ProtocolError) as err:
            raise StateError(f"{path}: {err}") from err

    def save_pairing(self, session: PairingSession) -> None:
        self.ensure_folder()
        atomic_write(self._path(PAIRING_FILE), json.dumps(session.to_json()).encode("utf-8"))

    def clear_pairing(self) -> None:
        self._path(PAIRING_FILE).unlink(missing_ok=True)
        if self.folder.exists():
            fsync_dir(self.folder)
