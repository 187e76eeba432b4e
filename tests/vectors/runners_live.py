"""Runner for tests/vectors/live.json: live view (docs/protocol.md section 18), by `op`."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_private_key

from e2ee_nvr_protocol import certs, live
from e2ee_nvr_protocol.encoding import b64decode, b64encode
from e2ee_nvr_protocol.envelope import SignedEnvelope
from e2ee_nvr_protocol.errors import ProtocolError
from e2ee_nvr_protocol.identifiers import key_id
from e2ee_nvr_protocol.live_records import confirm_key, media_key
from e2ee_nvr_protocol.recipients import verify_recipient_set

Json = dict[str, Any]
# Streams are also fed in pieces of this many bytes: the reader must give the same answer
# however the bytes arrive.
SMALL_PIECE = 7


def _b(value: object) -> bytes:
    return b64decode(value, field="vector")


def _derive(case: Json) -> Json:
    live_key, session_id = _b(case["live_key"]), bytes.fromhex(case["session_id"])
    return {
        "k_media": b64encode(media_key(live_key, session_id)),
        "k_confirm": b64encode(confirm_key(live_key, session_id)),
        "context": b64encode(live.live_key_context(session_id, _b(case["request_nonce"]))),
    }


def _check_request(case: Json) -> Json:
    root = certs.load_cert(_b(case["root_cert"]))
    held = case["recipient_set"]
    verified = (
        None
        if held is None
        else verify_recipient_set(SignedEnvelope.from_json(held), root, pinned_data_key_id=None)
    )
    public = live.LiveSession.check_request(
        live.LiveRequest.from_json(case["request"]),
        account_id=case["account_id"],
        device_id=case["device_id"],
        camera_ids=case["camera_ids"],
        recipient_set=verified,
    )
    return {"key_id": key_id(public)}


def _verify_offer(case: Json) -> Json:
    private = load_der_private_key(_b(case["instance_pkcs8"]), password=None)
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    verified = live.verify_live_offer(
        SignedEnvelope.from_json(case["offer"]),
        root_cert=certs.load_cert(_b(case["root_cert"])),
        device_cert=certs.load_cert(_b(case["device_cert"])),
        request=live.LiveRequest.from_json(case["request"]),
        own_private_key=private,
        held_epoch=case["held_epoch"],
        held_sha256=_b(case["held_sha256"]),
    )
    return {
        "session_id": verified.session_id.hex(),
        "live_key": b64encode(verified.live_key),
        "recipient_epoch": verified.recipient_epoch,
        "withheld": verified.withheld,
    }


def _confirm(case: Json) -> Json:
    verified = live.VerifiedOffer(
        session_id=bytes.fromhex(case["session_id"]),
        live_key=_b(case["live_key"]),
        recipient_epoch=1,
        withheld=False,
    )
    return {"confirm": live.confirm_for(verified, case["key_id"], _b(case["request_nonce"]))}


def _check_confirm(case: Json) -> Json:
    confirmed, _ = live.verify_confirm(
        case["confirm"],
        session_id=bytes.fromhex(case["session_id"]),
        live_key=_b(case["live_key"]),
        offers={(o["key_id"], _b(o["request_nonce"])) for o in case["offers"]},
    )
    return {"key_id": confirmed}


def _read(session_id: bytes, live_key: bytes, stream: bytes, piece: int) -> Json:
    reader = live.LiveRecordReader(session_id, live_key)
    records: list[Json] = []
    for start in range(0, len(stream), piece):
        for opened in reader.feed(stream[start : start + piece]):
            records.append({"type": opened.record_type, "plaintext": b64encode(opened.plaintext)})
    reader.close()
    return {
        "records": records,
        "last_seq": reader.last_seq,
        "gaps": reader.gaps,
        "ended": reader.ended,
    }


def _open(case: Json) -> Json:
    session_id, live_key = bytes.fromhex(case["session_id"]), _b(case["live_key"])
    stream = _b(case["stream"])
    try:
        whole = _read(session_id, live_key, stream, max(1, len(stream)))
    except ProtocolError as err:
        # The same refusal when the bytes arrive a few at a time.
        try:
            _read(session_id, live_key, stream, SMALL_PIECE)
        except ProtocolError as piecewise:
            assert type(piecewise) is type(err), (piecewise, err)
            raise err from None
        raise AssertionError(f"read piecewise, accepted what whole was refused: {err}") from err
    assert _read(session_id, live_key, stream, SMALL_PIECE) == whole
    return whole


def _header(case: Json) -> Json:
    header = live.parse_record_header(_b(case["record"]))
    return {
        "type": header.record_type,
        "session_id": header.session_id.hex(),
        "seq": header.seq,
        "ct_len": header.ct_len,
    }


_OPS = {
    "derive": _derive,
    "check-request": _check_request,
    "verify-offer": _verify_offer,
    "confirm": _confirm,
    "check-confirm": _check_confirm,
    "open": _open,
    "header": _header,
}


def run_live(case: Json) -> Json:
    """Section 18 by `op`; see live.json's description for each op's input and output."""
    return _OPS[case["op"]](case)
