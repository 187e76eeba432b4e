"""Fuzz targets for the protocol parsers: every object a store, agent or endpoint sends another.

Each `fuzz_<name>(data)` feeds the bytes to the real parser, then (where the parse succeeds)
to the real verification against the seed world, exactly as the receiving party would. The
only exception a target may raise is ProtocolError (a named refusal); anything else, a crash,
a hang or runaway memory is a finding. ./scripts/fuzz (atheris) and tests/fuzz/test_fuzz_short.py
(Hypothesis) call them.
"""

from __future__ import annotations

import os
import tempfile
from functools import cache
from pathlib import Path

from e2ee_nvr_protocol import pairing, recipients
from e2ee_nvr_protocol.account import AccountDocument
from e2ee_nvr_protocol.account_v2 import AccountDocumentV2
from e2ee_nvr_protocol.archive import ArchiveReader
from e2ee_nvr_protocol.backup import KeyBackup
from e2ee_nvr_protocol.backup_v2 import KeyBackupV2, open_backup_v2
from e2ee_nvr_protocol.clip import decode_events, verify_clip_manifest
from e2ee_nvr_protocol.encoding import loads
from e2ee_nvr_protocol.envelope import MacedEnvelope, SignedEnvelope
from e2ee_nvr_protocol.errors import ProtocolError
from e2ee_nvr_protocol.manifest import parse_manifest
from e2ee_nvr_protocol.recipients import HeldSet
from e2ee_nvr_protocol.stream import StreamDecryptor
from e2ee_nvr_protocol.stream_format import ContentKind

from .seeds import NOW, world

DOCUMENTED_ERRORS: tuple[type[BaseException], ...] = (ProtocolError,)
# Archive bytes go through a real file, as the recovery tool reads one; tmpfs keeps it cheap.
_SHM = "/dev/shm"  # noqa: S108 - a private mkdtemp inside it, mode 0700
_SCRATCH_DIR = _SHM if os.path.isdir(_SHM) else None


def fuzz_stream(data: bytes) -> None:
    """Stream header and chunks (section 9) under the clip's real key, as the endpoint reads."""
    w = world()
    decryptor = StreamDecryptor(w.clip_key, w.clip_id, ContentKind.VIDEO)
    middle = len(data) // 2
    decryptor.update(data[:middle])
    decryptor.update(data[middle:])
    decryptor.finalize()


def fuzz_manifest(data: bytes) -> None:
    """A clip manifest as the store and the endpoint receive it: envelope, payload, signature."""
    w = world()
    signed = SignedEnvelope.from_json(loads(data))
    parse_manifest(signed.payload)
    verify_clip_manifest(signed, w.device_cert, w.root_cert)


def fuzz_recipient_set(data: bytes) -> None:
    """A recipient set as an agent or endpoint fetches it: verify, then the succession rules."""
    w = world()
    signed = SignedEnvelope.from_json(loads(data))
    verified = recipients.verify_recipient_set(
        signed, w.root_cert, pinned_data_key_id=w.held_set.data_key_id
    )
    recipients.check_succession(verified, HeldSet.of(w.held_set))


def fuzz_account_document(data: bytes) -> None:
    """The account document HA serves to an endpoint (v1 and v2 shapes)."""
    document = loads(data, max_bytes=8 << 20)
    if document.get("v") == 2:
        AccountDocumentV2.from_json(document).root_cert()
    else:
        AccountDocument.from_json(document)


def fuzz_pairing_request(data: bytes) -> None:
    """A pairing request as the store relays it and the endpoint opens it with the code."""
    w = world()
    maced = MacedEnvelope.from_json(loads(data))
    pairing.read_relayed_request(maced)
    pairing.open_pairing_request(maced, w.pairing_code, NOW)


def fuzz_pairing_grant(data: bytes) -> None:
    """A pairing grant as the store relays it and the agent accepts it."""
    w = world()
    maced = MacedEnvelope.from_json(loads(data))
    pairing.read_relayed_grant(maced)
    pairing.accept_pairing_grant(
        maced, code=w.pairing_code, request_payload_bytes=w.request_payload,
        device_key=w.device_key, expires_at=w.request_expires_at, now=NOW + 1,
        already_used=False,
    )  # fmt: skip


def fuzz_backup(data: bytes) -> None:
    """A key backup from the account document (v1 and v2), and opening a v2 one."""
    w = world()
    document = loads(data)
    if "generation" in document:
        backup = KeyBackupV2.from_json(document)
        open_backup_v2(
            backup, bytes(32), account_id=backup.account_id, role=backup.role,
            generation=backup.generation, expected_cert=w.root_cert,
        )  # fmt: skip
    else:
        KeyBackup.from_json(document)


def fuzz_events(data: bytes) -> None:
    """Decrypted event details (section 9.3) as the endpoint decodes them."""
    decode_events(data)


@cache
def _scratch() -> Path:
    return Path(tempfile.mkdtemp(prefix="fuzz-archive-", dir=_SCRATCH_DIR)) / "archive.tar"


def fuzz_export_tar(data: bytes) -> None:
    """An export archive as the offline recovery tool opens it."""
    path = _scratch()
    path.write_bytes(data)
    reader = ArchiveReader(path)
    try:
        reader.account_export()
        for clip in reader.clips.values():
            for member in clip.sources.values():
                if not isinstance(member, Path):
                    reader.read_member(member, max_bytes=1 << 16)
    finally:
        reader.close()
