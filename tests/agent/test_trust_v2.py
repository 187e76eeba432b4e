"""The agent under protocol v2: migration without re-pairing, rotation on revoke, refusals.

Plays issue 10's thief against the real agent pipeline (TrustKeeper, state folder,
EncryptingSink, spool): a revoked browser's every secret, copied out before the revocation,
opens nothing the agent records after it.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from camera_agent.trust import RecordingBlocked, TrustKeeper
from e2ee_nvr_protocol import certs, endpoint_v2, recipients
from e2ee_nvr_protocol.account_build_v2 import migrate_v1
from e2ee_nvr_protocol.account_v2 import AccountDocumentV2
from e2ee_nvr_protocol.clip import decrypt_blob, open_clip_key, verify_clip_manifest
from e2ee_nvr_protocol.endpoint_v2 import EndpointV2
from e2ee_nvr_protocol.envelope import SignedEnvelope
from e2ee_nvr_protocol.errors import NoRecipientKey, Readmitted, RolledBack, UnwrapFailed
from e2ee_nvr_protocol.manifest import ClipManifest
from e2ee_nvr_protocol.stream_format import ContentKind
from e2ee_nvr_protocol.wrap import WrapPurpose, data_rdk_context, unwrap
from tests.agent.agent_setup import AgentParts, agent_parts, new_account
from tests.protocol.account_setup import fast_kdf_params

MARKER = b"V2-AGENT-CLIP-"


def _paired_then_migrated(tmp_path: Path) -> tuple[AgentParts, str, AccountDocumentV2, EndpointV2]:
    """An agent paired to a v1 account, and that account migrated to v2 (not yet admitted)."""
    account = new_account()
    parts = agent_parts(tmp_path, account)
    document, owner = migrate_v1(
        account.document, account.first, account.passphrase, pdk_params=fast_kdf_params()[0]
    )
    return parts, account.passphrase, document, owner


async def _record(parts: AgentParts, start_ms: int) -> tuple[ClipManifest, bytes]:
    writer = await parts.sink.start_clip(
        camera_id="front-door", start_ms=start_ms, codecs="avc1.64001f", mime="video/mp4"
    )
    await writer.write(MARKER * 20_000)
    await writer.finish(end_ms=start_ms + 30_000, thumbnail_jpeg=None)
    signed = SignedEnvelope.from_json(
        json.loads(parts.spool.manifest_path(writer.clip_id).read_bytes())
    )
    manifest = verify_clip_manifest(
        signed, certs.load_cert(parts.device.trust.device_cert_der), parts.device.trust.root_cert
    )
    return manifest, parts.spool.object_path(writer.clip_id, "video").read_bytes()


async def test_revoked_browser_with_every_copied_key_cannot_open_new_agent_clips(
    tmp_path: Path,
) -> None:
    parts, phrase, document, owner = _paired_then_migrated(tmp_path)
    # Migration (section 17): the paired agent accepts the v2 set, no re-pairing.
    assert parts.trust.admit(document.recipient_set) == 2
    document, owner, victim = endpoint_v2.enrol(document, owner, phrase)
    parts.trust.admit(document.recipient_set)
    before, _ = await _record(parts, 1_000)
    assert open_clip_key(before, [victim.instance_key])

    # The thief copies out everything the victim browser can reach.
    entry = document.instance(victim.instance_key_id)
    assert entry is not None
    rdks = [
        unwrap(
            victim.instance_key,
            wrap,
            data_rdk_context(document.account_id, g),
            WrapPurpose.DATA_RDK,
        )
        for g, wrap in enumerate(entry.rdk_wrapped, start=1)
    ]
    data_keys = [
        endpoint_v2.open_data_key(document, generation, rdk)
        for generation, rdk in zip(document.data_keys, rdks, strict=True)
    ]
    stolen = [victim.instance_key, *data_keys]

    document, owner = endpoint_v2.revoke(document, owner, phrase, [victim.instance_key_id])
    parts.trust.admit(document.recipient_set)
    # The accepted set survives a restart: a fresh TrustKeeper reads it from the state folder.
    reloaded = TrustKeeper(parts.state)
    reloaded.load()
    assert reloaded.epoch == document_epoch(document)
    after, video = await _record(parts, 60_000)
    for key in stolen:
        with pytest.raises((NoRecipientKey, UnwrapFailed)):
            open_clip_key(after, [key])
    clip_key = endpoint_v2.open_clip(document, owner, after)
    assert decrypt_blob(after, clip_key, ContentKind.VIDEO, video) == MARKER * 20_000
    # The old clip stays readable to the owner through the key history.
    assert endpoint_v2.open_clip(document, owner, before)


async def test_agent_refuses_readmission_and_rollback_and_stops_recording(
    tmp_path: Path,
) -> None:
    parts, phrase, document, owner = _paired_then_migrated(tmp_path)
    document, owner, victim = endpoint_v2.enrol(document, owner, phrase)
    enrolled = document
    document, owner = endpoint_v2.revoke(document, owner, phrase, [victim.instance_key_id])
    parts.trust.admit(document.recipient_set)
    with pytest.raises(RolledBack):
        parts.trust.admit(enrolled.recipient_set)
    with pytest.raises(RecordingBlocked):
        parts.trust.current_set()
    # A set the root really signed that drops the revoked id is still refused.
    signing = endpoint_v2.unlock(document, phrase).signing
    forgetful = dataclasses.replace(
        recipients.next_recipient_set(owner.held, 1_764_450_000), revoked=()
    )
    with pytest.raises(Readmitted):
        parts.trust.admit(recipients.sign_recipient_set(forgetful, signing))
    # The genuine current set resumes recording.
    assert parts.trust.admit(document.recipient_set) == document_epoch(document)
    parts.trust.current_set()


def document_epoch(document: AccountDocumentV2) -> int:
    return recipients.verify_recipient_set(
        document.recipient_set, document.root_cert(), pinned_data_key_id=None
    ).epoch
