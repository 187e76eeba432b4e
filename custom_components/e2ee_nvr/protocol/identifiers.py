"""Identifiers of keys, accounts, devices, cameras and clips (protocol section 1.3)."""

from __future__ import annotations

import re
import secrets

from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .primitives import sha256

KEY_ID_BYTES = 16
CLIP_ID_BYTES = 16
CAMERA_ID_RE = re.compile(r"[a-z0-9_-]{1,32}")
KEY_ID_RE = re.compile(r"[0-9a-f]{32}")


def key_id(public_key: PublicKeyTypes) -> str:
    """First 16 bytes of SHA-256 over the SubjectPublicKeyInfo DER, as lowercase hex."""
    spki = public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return sha256(spki)[:KEY_ID_BYTES].hex()


def new_clip_id() -> str:
    return secrets.token_bytes(CLIP_ID_BYTES).hex()
