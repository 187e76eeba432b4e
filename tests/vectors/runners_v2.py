"""Runners for the protocol v2 vector files (docs/protocol.md sections 6, 9.3, 10.1)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from e2ee_nvr_protocol import certs
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


V2_RUNNERS: dict[str, Callable[[Json], Json]] = {
    "recipient_set_v2": run_recipient_set_v2,
    "events_padding": run_events_padding,
    "withholding": run_withholding,
}
