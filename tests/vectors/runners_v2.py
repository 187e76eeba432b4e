"""Runners for the protocol v2 vector files (docs/protocol.md sections 6, 9.3, 10.1)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_private_key

from e2ee_nvr_protocol import certs, endpoint, endpoint_v2, kdf
from e2ee_nvr_protocol.account import AccountDocument
from e2ee_nvr_protocol.account_v2 import AccountDocumentV2
from e2ee_nvr_protocol.clip import ClipEvent, decode_events, pad_events, verify_clip_manifest
from e2ee_nvr_protocol.encoding import b64decode, b64encode
from e2ee_nvr_protocol.envelope import SignedEnvelope
from e2ee_nvr_protocol.recipients import (
    ALL_CAMERAS,
    HeldSet,
    VerifiedRecipientSet,
    check_own_membership,
    check_succession,
    verify_recipient_set,
)
from e2ee_nvr_protocol.withholding import check_delivery
from e2ee_nvr_protocol.wrap import WrapPurpose, data_rdk_context, unwrap

Json = dict[str, Any]


def _held(root_der: str, held: Json | None) -> VerifiedRecipientSet | None:
    if held is None:
        return None
    root = certs.load_cert(b64decode(root_der))
    return verify_recipient_set(SignedEnvelope.from_json(held), root, pinned_data_key_id=None)


def run_recipient_set_v2(case: Json) -> Json:
    """H from `held` (a set the verifier accepted, or null), then N (`envelope`) against it.

    `own_key_id` (or null) adds the endpoint's grant/membership check (NotEnrolled). Output:
    epoch, advances (false: the held set again), data_key_id, key_ids, revoked, cameras.
    """
    root = certs.load_cert(b64decode(case["root_cert"]))
    held = _held(case["root_cert"], case["held"])
    pinned = held.data_key_id if held is not None and held.version == 1 else None
    verified = verify_recipient_set(
        SignedEnvelope.from_json(case["envelope"]), root, pinned_data_key_id=pinned
    )
    advances = check_succession(verified, None if held is None else HeldSet.of(held))
    if case["own_key_id"] is not None:
        check_own_membership(verified, case["own_key_id"])
    return {
        "epoch": verified.epoch,
        "advances": advances,
        "data_key_id": verified.data_key_id,
        "key_ids": [r.key_id for r in verified.recipient_set.recipients],
        "revoked": list(verified.revoked),
        "cameras": [
            r.cameras if r.cameras == ALL_CAMERAS else list(r.cameras)
            for r in verified.recipient_set.recipients
        ],
    }


def run_events_padding(case: Json) -> Json:
    """`encode`: events -> padded plaintext; `decode`: plaintext -> events (section 9.3)."""
    if case["op"] == "encode":
        events = [
            ClipEvent(e["kind"], e["start_ms"], e["end_ms"], e["source"]) for e in case["events"]
        ]
        return {"plaintext": b64encode(pad_events(events))}
    decoded = decode_events(b64decode(case["plaintext"]))
    return {"events": [e.to_json() for e in decoded]}


def run_withholding(case: Json) -> Json:
    """A verified manifest checked against the endpoint's H: {} when in order (section 10.1)."""
    root = certs.load_cert(b64decode(case["root_cert"]))
    held = _held(case["root_cert"], case["held"])
    assert held is not None
    manifest = verify_clip_manifest(
        SignedEnvelope.from_json(case["manifest"]),
        certs.load_cert(b64decode(case["device_cert"])),
        root,
    )
    check_delivery(held, manifest)
    return {}


def _spki_id(key: Any) -> str:
    from e2ee_nvr_protocol.identifiers import key_id

    return key_id(key.public_key())


def run_account_v2(case: Json) -> Json:
    """Sections 4, 7 and 11 of a v2 account, by `op`:
    `passphrase-check` (pdk, account_id) -> check; `key-check` (key, account_id, role,
    generation) -> check; `data-rdk-context` (account_id, generation) -> context;
    `open` (account, passphrase) -> key ids of signing, recovery and every data generation;
    `read` (account, instance_pkcs8, generation) -> the data key id that generation's RDK,
    unwrapped with the instance key, opens; `open-v1` (a v1 account, passphrase) -> key ids
    (section 11.4: a swapped signing backup is BackupMismatch, not WrongPassphrase).
    """
    op = case["op"]
    if op == "passphrase-check":
        return {
            "check": b64encode(kdf.passphrase_check(b64decode(case["pdk"]), case["account_id"]))
        }
    if op == "key-check":
        check = kdf.key_check_v2(
            b64decode(case["key"]), case["account_id"], case["role"], case["generation"]
        )
        return {"check": b64encode(check)}
    if op == "data-rdk-context":
        return {"context": b64encode(data_rdk_context(case["account_id"], case["generation"]))}
    if op == "open-v1":
        v1 = AccountDocument.from_json(case["account"])
        keys = endpoint.unlock_with_passphrase(v1, case["passphrase"])
        return {
            "account_id": v1.account_id,
            "signing_key_id": _spki_id(keys.signing),
            "recovery_key_id": _spki_id(keys.recovery),
        }
    document = AccountDocumentV2.from_json(case["account"])
    if op == "open":
        unlocked = endpoint_v2.unlock(document, case["passphrase"])
        return {
            "account_id": document.account_id,
            "signing_key_id": _spki_id(unlocked.signing),
            "recovery_key_id": _spki_id(unlocked.recovery),
            "data_key_ids": [
                _spki_id(endpoint_v2.open_data_key(document, g, rdk))
                for g, rdk in zip(document.data_keys, unlocked.rdks, strict=True)
            ],
        }
    instance = load_der_private_key(b64decode(case["instance_pkcs8"]), password=None)
    assert isinstance(instance, ec.EllipticCurvePrivateKey)
    entry = document.instance(_spki_id(instance))
    generation = document.data_keys[case["generation"] - 1]
    assert entry is not None
    rdk = unwrap(
        instance,
        entry.rdk_wrapped[generation.generation - 1],
        data_rdk_context(document.account_id, generation.generation),
        WrapPurpose.DATA_RDK,
    )
    return {"data_key_id": _spki_id(endpoint_v2.open_data_key(document, generation, rdk))}


V2_RUNNERS: dict[str, Callable[[Json], Json]] = {
    "account_v2": run_account_v2,
    "recipient_set_v2": run_recipient_set_v2,
    "events_padding": run_events_padding,
    "withholding": run_withholding,
}
