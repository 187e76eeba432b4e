"""Write tests/vectors/live.json (section 18): `python -m tests.vectors.generate_live`.

Reuses the v1 generator's TEST-ONLY keys and world and the v2 generator's sets. Live keys,
session ids, nonces, ephemeral keys and contents are fixed, so wraps and records are
byte-for-byte reproducible; RSA-PSS signatures over offers change between runs.
"""

from __future__ import annotations

import hashlib
from typing import Any

from e2ee_nvr_protocol import certs, errors, wrap
from e2ee_nvr_protocol.encoding import b64encode, dumps
from e2ee_nvr_protocol.identifiers import key_id
from e2ee_nvr_protocol.live import (
    RECORD_END,
    RECORD_INIT,
    RECORD_MEDIA,
    LiveRequest,
    VerifiedOffer,
    confirm_for,
    live_key_context,
)
from e2ee_nvr_protocol.live_records import RecordHeader, media_key, seal_record
from tests.vectors.generate import (
    NOW,
    Keys,
    VectorFile,
    World,
    der,
    ecies_wrap,
    fixed,
    flip,
    make_world,
    pkcs8,
    sign_raw,
)
from tests.vectors.generate_v2 import Sets, _entry, _payload, _sha, _sign

Json = dict[str, Any]
CAMERAS = ["back", "front-door"]


class LiveWorld:
    """Account a's device, a set at epoch 3 with a member scoped to one camera, two sessions."""

    def __init__(self, world: World, keys: Keys) -> None:
        self.world = world
        self.sets = Sets(world, keys)
        a = world.a
        self.device_id = key_id(world.device.public_key())
        self.instance_3 = keys.ec_key("a-instance-3")
        instance_3_cert = certs.issue(
            a.root, a.signing, self.instance_3.public_key(), certs.Role.instance
        )
        self.instance_id = self.sets.instance_id
        self.instance_3_id = key_id(self.instance_3.public_key())
        entries = [
            *self.sets.e2_entries,
            _entry("instance", instance_3_cert, [f"{self.device_id}/back"]),
        ]
        self.set_3 = _sign(
            world, _payload(world, 3, entries, _sha(self.sets.s2), self.sets.revoked_2)
        )
        self.set_3_sha = _sha(self.set_3)
        self.session_id = fixed("live/session-id")
        self.live_key = fixed("live/live-key")
        self.nonce = fixed("live/nonce-1")

    def request(self, key: str = "", camera: str = "front-door", **changes: Any) -> Json:
        document = LiveRequest(
            account_id=self.world.a.account_id,
            camera_ref=f"{self.device_id}/{camera}",
            key_id=key or self.instance_id,
            nonce=self.nonce,
        ).to_json()
        return {**document, **changes}


def _offer_payload(lw: LiveWorld, **changes: Any) -> Json:
    context = live_key_context(lw.session_id, lw.nonce)
    wrapped = ecies_wrap(lw.world.a.instance.public_key(), lw.live_key, context, "live/1")
    payload = {
        "v": 1,
        "type": "live-offer",
        "account_id": lw.world.a.account_id,
        "device_id": lw.device_id,
        "camera_id": "front-door",
        "session_id": lw.session_id.hex(),
        "request_nonce": b64encode(lw.nonce),
        "recipient_epoch": 3,
        "recipient_sha256": b64encode(lw.set_3_sha),
        "issued_at_ms": NOW * 1000,
        "wrapped_key": wrapped.to_json(),
    }
    return {**payload, **changes}


def request_cases(out: VectorFile, lw: LiveWorld) -> None:
    root = der(lw.world.a.root)

    def case(request: Json, held: Json | None = lw.set_3, **changes: Any) -> Json:
        base = {
            "op": "check-request",
            "root_cert": root,
            "recipient_set": held,
            "account_id": lw.world.a.account_id,
            "device_id": lw.device_id,
            "camera_ids": CAMERAS,
            "request": request,
        }
        return {**base, **changes}

    out.ok("request-owner", case(lw.request()), {"key_id": lw.instance_id})
    out.ok(
        "request-scoped-member-own-camera",
        case(lw.request(lw.instance_3_id, "back")),
        {"key_id": lw.instance_3_id},
    )
    refuse = out.refuse
    refuse(
        "request-scoped-member-other-camera",
        case(lw.request(lw.instance_3_id)),
        errors.NotEnrolled,
    )
    refuse("request-revoked-key", case(lw.request(lw.sets.instance_2_id)), errors.NotEnrolled)
    outsider = key_id(lw.world.b.instance.public_key())
    refuse("request-key-outside-set", case(lw.request(outsider)), errors.NotEnrolled)
    data_2 = key_id(lw.sets.data_2_cert.public_key())
    refuse("request-data-key", case(lw.request(data_2)), errors.NotEnrolled)
    refuse("request-no-verified-set", case(lw.request(), None), errors.NotEnrolled)
    refuse(
        "request-other-account",
        case(lw.request(account_id=lw.world.b.account_id)),
        errors.HeaderMismatch,
    )
    refuse(
        "request-other-device",
        case(lw.request(camera_ref=f"{'0' * 32}/front-door")),
        errors.HeaderMismatch,
    )
    refuse("request-unknown-camera", case(lw.request(camera="garage")), errors.HeaderMismatch)
    refuse(
        "request-short-nonce",
        case(lw.request(nonce=b64encode(bytes(15)))),
        errors.MalformedObject,
    )
    refuse("request-unknown-field", case(lw.request(cameras="*")), errors.MalformedObject)
    refuse(
        "request-camera-ref-malformed",
        case(lw.request(camera_ref="front-door")),
        errors.MalformedObject,
    )
    refuse("request-version-2", case(lw.request(v=2)), errors.UnsupportedVersion)


def offer_cases(out: VectorFile, lw: LiveWorld, keys: Keys) -> None:
    world = lw.world
    device = world.device

    def signed(payload: Json, key: Any = device, object_type: str = "live-offer") -> Json:
        return sign_raw(object_type, dumps(payload), key)

    def case(offer: Json, **changes: Any) -> Json:
        base = {
            "op": "verify-offer",
            "root_cert": der(world.a.root),
            "device_cert": der(world.device_cert),
            "request": lw.request(),
            "instance_pkcs8": pkcs8(world.a.instance),
            "held_epoch": 3,
            "held_sha256": b64encode(lw.set_3_sha),
            "offer": offer,
        }
        return {**base, **changes}

    expected = {
        "session_id": lw.session_id.hex(),
        "live_key": b64encode(lw.live_key),
        "recipient_epoch": 3,
        "withheld": False,
    }
    out.ok("offer-current-set", case(signed(_offer_payload(lw))), expected)
    s2_sha = b64encode(_sha(lw.sets.s2))
    out.ok(
        "offer-older-set-withheld",
        case(signed(_offer_payload(lw, recipient_epoch=2, recipient_sha256=s2_sha))),
        {**expected, "recipient_epoch": 2, "withheld": True},
    )
    out.ok(
        "offer-newer-set",
        case(signed(_offer_payload(lw, recipient_epoch=4, recipient_sha256=s2_sha))),
        {**expected, "recipient_epoch": 4},
    )
    refuse = out.refuse
    refuse(
        "offer-same-epoch-other-set",
        case(signed(_offer_payload(lw, recipient_sha256=s2_sha))),
        errors.RolledBack,
    )
    device_2 = keys.rsa_key("a-device-2")
    device_2_cert = certs.issue(
        world.a.root, world.a.signing, device_2.public_key(), certs.Role.device
    )
    refuse(
        "offer-signed-by-another-device",
        case(signed(_offer_payload(lw), device_2)),
        errors.BadSignature,
    )
    forged = {**signed(_offer_payload(lw), device_2), "signer": lw.device_id}
    refuse("offer-signature-by-another-key", case(forged), errors.BadSignature)
    refuse(
        "offer-v1-label",
        case(
            {
                **signed(_offer_payload(lw), device, "clip-manifest"),
                "signer": lw.device_id,
            }
        ),
        errors.BadSignature,
    )
    refuse(
        "offer-cert-of-another-device",
        case(signed(_offer_payload(lw), device_2), device_cert=der(device_2_cert)),
        errors.UntrustedKey,
    )
    foreign_cert = certs.issue(
        world.b.root, world.b.signing, device.public_key(), certs.Role.device
    )
    refuse(
        "offer-cert-from-another-root",
        case(signed(_offer_payload(lw)), device_cert=der(foreign_cert)),
        errors.UntrustedKey,
    )
    refuse(
        "offer-for-another-account",
        case(signed(_offer_payload(lw, account_id=world.b.account_id))),
        errors.BadSignature,
    )
    refuse(
        "offer-device-id-not-signer",
        case(signed(_offer_payload(lw, device_id=key_id(device_2.public_key())))),
        errors.BadSignature,
    )
    refuse(
        "offer-other-camera",
        case(signed(_offer_payload(lw, camera_id="back"))),
        errors.HeaderMismatch,
    )
    refuse(
        "offer-other-nonce",
        case(signed(_offer_payload(lw, request_nonce=b64encode(fixed("live/nonce-2"))))),
        errors.HeaderMismatch,
    )
    to_other = ecies_wrap(
        lw.instance_3.public_key(), lw.live_key, live_key_context(lw.session_id, lw.nonce), "l/2"
    )
    refuse(
        "offer-wrapped-to-another-key",
        case(signed(_offer_payload(lw, wrapped_key=to_other.to_json()))),
        errors.UnwrapFailed,
    )
    other_session = ecies_wrap(
        world.a.instance.public_key(),
        lw.live_key,
        live_key_context(fixed("live/other-session"), lw.nonce),
        "live/3",
    )
    refuse(
        "offer-wrap-for-another-session",
        case(signed(_offer_payload(lw, wrapped_key=other_session.to_json()))),
        errors.UnwrapFailed,
    )
    clip_context = wrap.wrap_context(wrap.WrapPurpose.CLIP_KEY, lw.session_id)
    as_clip = ecies_wrap(world.a.instance.public_key(), lw.live_key, clip_context, "live/4")
    refuse(
        "offer-wrap-under-clip-key-context",
        case(signed(_offer_payload(lw, wrapped_key=as_clip.to_json()))),
        errors.UnwrapFailed,
    )
    refuse(
        "offer-unknown-field",
        case(signed(_offer_payload(lw, viewers=["everyone"]))),
        errors.MalformedObject,
    )
    missing = {k: v for k, v in _offer_payload(lw).items() if k != "recipient_sha256"}
    refuse("offer-missing-field", case(signed(missing)), errors.MalformedObject)
    refuse("offer-version-2", case(signed(_offer_payload(lw, v=2))), errors.UnsupportedVersion)


def confirm_cases(out: VectorFile, lw: LiveWorld) -> None:
    verified = VerifiedOffer(lw.session_id, lw.live_key, 3, False)
    base = {"session_id": lw.session_id.hex(), "live_key": b64encode(lw.live_key)}
    nonce_2 = fixed("live/nonce-2")
    for name, key, nonce in (
        ("confirm-owner", lw.instance_id, lw.nonce),
        ("confirm-second-viewer", lw.instance_3_id, nonce_2),
    ):
        value = {"op": "confirm", **base, "key_id": key, "request_nonce": b64encode(nonce)}
        out.ok(name, value, {"confirm": confirm_for(verified, key, nonce)})
    offers = [
        {"key_id": lw.instance_id, "request_nonce": b64encode(lw.nonce)},
        {"key_id": lw.instance_3_id, "request_nonce": b64encode(nonce_2)},
    ]
    good = confirm_for(verified, lw.instance_id, lw.nonce)

    def case(confirm: Json) -> Json:
        return {"op": "check-confirm", **base, "offers": offers, "confirm": confirm}

    out.ok("check-confirm-owner", case(good), {"key_id": lw.instance_id})
    refuse = out.refuse
    wrong = {**good, "proof": b64encode(flip(bytes.fromhex(hashlib.sha256(b"x").hexdigest())))}
    refuse("check-confirm-wrong-proof", case(wrong), errors.BadSignature)
    unknown = confirm_for(verified, lw.instance_id, fixed("live/nonce-3"))
    refuse("check-confirm-no-such-offer", case(unknown), errors.BadSignature)
    crossed = {**good, "key_id": lw.instance_3_id, "request_nonce": b64encode(nonce_2)}
    refuse("check-confirm-proof-of-another-viewer", case(crossed), errors.BadSignature)
    other = VerifiedOffer(fixed("live/other-session"), lw.live_key, 3, False)
    refuse(
        "check-confirm-other-session",
        case(confirm_for(other, lw.instance_id, lw.nonce)),
        errors.HeaderMismatch,
    )
    refuse(
        "check-confirm-missing-proof",
        case({k: v for k, v in good.items() if k != "proof"}),
        errors.MalformedObject,
    )


class Records:
    """One session's records: init, media, media, init (capture restart), media, end."""

    def __init__(self, session_id: bytes, live_key: bytes, label: str) -> None:
        self.session_id = session_id
        self.live_key = live_key
        self.key = media_key(live_key, session_id)
        plan = [
            (RECORD_INIT, b"ftyp+moov " + fixed(label + "/init", 24)),
            (RECORD_MEDIA, b"moof+mdat 1 " + fixed(label + "/media-1", 32)),
            (RECORD_MEDIA, b"moof+mdat 2 " + fixed(label + "/media-2", 32)),
            (RECORD_INIT, b"ftyp+moov again " + fixed(label + "/init-2", 24)),
            (RECORD_MEDIA, b"moof+mdat 3 " + fixed(label + "/media-3", 32)),
            (RECORD_END, dumps({"reason": "stopped"})),
        ]
        self.plain = plan
        self.r = [self.seal(seq, kind, pt) for seq, (kind, pt) in enumerate(plan)]

    def seal(self, seq: int, kind: int, plaintext: bytes) -> bytes:
        return seal_record(self.key, self.session_id, seq, kind, plaintext)

    def expect(self, indexes: list[int], gaps: int = 0) -> Json:
        last = self.plain[indexes[-1]] if indexes else None
        return {
            "records": [
                {"type": self.plain[i][0], "plaintext": b64encode(self.plain[i][1])}
                for i in indexes
            ],
            "last_seq": indexes[-1] if indexes else None,
            "gaps": gaps,
            "ended": "stopped" if last is not None and last[0] == RECORD_END else None,
        }


def _rewrite(record: bytes, **changes: Any) -> bytes:
    from e2ee_nvr_protocol.live_records import parse_record_header

    header = parse_record_header(record)
    fields = {
        "record_type": header.record_type,
        "session_id": header.session_id,
        "seq": header.seq,
        "ct_len": header.ct_len,
        **changes,
    }
    return RecordHeader(**fields).to_bytes() + record[36:]


def record_cases(out: VectorFile, lw: LiveWorld) -> None:
    rec = Records(lw.session_id, lw.live_key, "live/a")
    other = Records(fixed("live/other-session"), fixed("live/other-key"), "live/b")
    base = {"op": "open", "session_id": lw.session_id.hex(), "live_key": b64encode(lw.live_key)}
    r = rec.r

    def case(*records: bytes) -> Json:
        return {**base, "stream": b64encode(b"".join(records))}

    out.ok("open-whole-session", case(*r), rec.expect([0, 1, 2, 3, 4, 5]))
    out.ok("open-empty-stream", case(), rec.expect([]))
    out.ok("open-stopped-by-store-at-boundary", case(*r[:2]), rec.expect([0, 1]))
    out.ok("open-gap-accepted", case(r[0], r[2], r[3], r[5]), rec.expect([0, 2, 3, 5], gaps=2))
    out.ok("open-joiner-latest-init", case(*r[3:]), rec.expect([3, 4, 5]))
    sealed_end = rec.seal(1, RECORD_END, dumps({"reason": "camera-offline"}))
    out.ok(
        "open-end-camera-offline",
        case(r[0], sealed_end),
        {
            **rec.expect([0]),
            "records": [
                *rec.expect([0])["records"],
                {"type": RECORD_END, "plaintext": b64encode(dumps({"reason": "camera-offline"}))},
            ],
            "last_seq": 1,
            "ended": "camera-offline",
        },
    )
    refuse = out.refuse
    refuse("open-replayed", case(r[0], r[1], r[1]), errors.Replayed)
    refuse("open-reordered", case(r[0], r[2], r[1]), errors.Replayed)
    refuse("open-replayed-init", case(r[0], r[1], r[0]), errors.Replayed)
    refuse(
        "open-spliced-from-another-session",
        case(r[0], r[1], other.r[2]),
        errors.HeaderMismatch,
    )
    refuse(
        "open-spliced-header-rewritten",
        case(r[0], r[1], _rewrite(other.r[2], session_id=lw.session_id)),
        errors.ChunkAuthFailed,
    )
    refuse("open-seq-rewritten", case(r[0], _rewrite(r[1], seq=7)), errors.ChunkAuthFailed)
    refuse(
        "open-type-rewritten",
        case(r[0], _rewrite(r[1], record_type=RECORD_INIT)),
        errors.ChunkAuthFailed,
    )
    refuse("open-flipped-ciphertext-bit", case(r[0], flip(r[1])), errors.ChunkAuthFailed)
    refuse("open-flipped-tag-bit", case(r[0], flip(r[1], -3, 0x80)), errors.ChunkAuthFailed)
    refuse("open-truncated-inside-record", case(r[0], r[1][:-5]), errors.Truncated)
    refuse("open-truncated-inside-header", case(r[0], r[1][:20]), errors.Truncated)
    refuse(
        "open-record-after-end", case(*r, rec.seal(6, RECORD_MEDIA, b"late")), errors.TrailingData
    )
    refuse("open-byte-after-end", case(*r, b"\x00"), errors.TrailingData)
    refuse("open-media-before-init", case(r[1], r[2]), errors.MalformedObject)
    refuse("open-bad-reserved", case(r[0][:5] + b"\x00\x01\x00" + r[0][8:]), errors.MalformedObject)
    refuse("open-bad-magic", case(b"E2LW" + r[0][4:]), errors.MalformedObject)
    refuse("open-unknown-type", case(r[0][:4] + b"\x04" + r[0][5:]), errors.MalformedObject)
    refuse("open-ct-len-below-tag", case(_rewrite(r[0], ct_len=15)), errors.MalformedObject)
    refuse(
        "open-ct-len-over-limit",
        case(_rewrite(r[0], ct_len=(1 << 24) + 17)),
        errors.MalformedObject,
    )
    refuse(
        "open-end-unknown-reason",
        case(r[0], rec.seal(1, RECORD_END, dumps({"reason": "bored"}))),
        errors.MalformedObject,
    )
    refuse(
        "open-end-extra-field",
        case(r[0], rec.seal(1, RECORD_END, dumps({"reason": "idle", "at": 1}))),
        errors.MalformedObject,
    )
    refuse(
        "open-end-not-json",
        case(r[0], rec.seal(1, RECORD_END, b"stopped")),
        errors.MalformedObject,
    )
    hdr = {"op": "header"}
    out.ok(
        "header-media",
        {**hdr, "record": b64encode(r[1][:36])},
        {
            "type": RECORD_MEDIA,
            "session_id": lw.session_id.hex(),
            "seq": 1,
            "ct_len": len(r[1]) - 36,
        },
    )
    refuse("header-short", {**hdr, "record": b64encode(r[1][:35])}, errors.Truncated)
    refuse(
        "header-bad-magic",
        {**hdr, "record": b64encode(b"E2EE" + r[1][4:36])},
        errors.MalformedObject,
    )


def derive_cases(out: VectorFile, lw: LiveWorld) -> None:
    value = {
        "op": "derive",
        "live_key": b64encode(lw.live_key),
        "session_id": lw.session_id.hex(),
        "request_nonce": b64encode(lw.nonce),
    }
    out.ok_as_run("derive-keys-and-context", value)


DESCRIPTION = (
    "Live view (section 18), by `op`. Binary values b64 (unpadded base64url), ids hex, keys "
    "PKCS#8/DER as in the other files. "
    "`derive` {live_key, session_id (32 hex), request_nonce} -> {k_media, k_confirm, context}: "
    "the two HKDF outputs and the section 7 live-key wrap context. "
    "`check-request` (device, step 1) {root_cert, recipient_set (the device's H, a signed v2 set "
    "verified against root_cert, or null), account_id, device_id, camera_ids (the device's "
    "cameras), request (a live-request)} -> {key_id} of the instance key to wrap to; refusals "
    "NotEnrolled, HeaderMismatch, MalformedObject, UnsupportedVersion. "
    "`verify-offer` (endpoint, step 2) {root_cert, device_cert, request (the live-request sent), "
    "instance_pkcs8 (own P-256 key), held_epoch, held_sha256 (the endpoint's H), offer (signed "
    "envelope)} -> {session_id, live_key, recipient_epoch, withheld (true: the device uses an "
    "older set, RevocationWithheld as a warning)}; refusals UntrustedKey, BadSignature, "
    "MalformedObject, UnsupportedVersion, HeaderMismatch, UnwrapFailed, RolledBack. "
    "`confirm` (endpoint, step 3) {session_id, live_key, key_id, request_nonce} -> {confirm: the "
    "live-confirm document}. `check-confirm` (device) {session_id, live_key, offers: [{key_id, "
    "request_nonce}] (offers made in this session), confirm} -> {key_id}; refusals BadSignature, "
    "HeaderMismatch, MalformedObject. "
    "`open` (endpoint reader) {session_id, live_key, stream (concatenated records)} -> {records: "
    "[{type, plaintext}], last_seq (or null), gaps (sequence numbers skipped after the first "
    "accepted record), ended (the end reason, or null when the stream stopped at a record "
    "boundary)}; the stream MUST give the same answer fed whole or in pieces (the Python runner "
    "also feeds it 7 bytes at a time); refusals Replayed, HeaderMismatch, ChunkAuthFailed, "
    "Truncated, TrailingData, MalformedObject. "
    "`header` (store) {record (its first bytes)} -> {type, session_id, seq, ct_len}; refusals "
    "MalformedObject, Truncated."
)


def live_file(world: World, keys: Keys) -> VectorFile:
    out = VectorFile("live", "18", DESCRIPTION)
    lw = LiveWorld(world, keys)
    derive_cases(out, lw)
    request_cases(out, lw)
    offer_cases(out, lw, keys)
    confirm_cases(out, lw)
    record_cases(out, lw)
    return out


def main() -> None:
    keys = Keys()
    world = make_world(keys)
    vector_file = live_file(world, keys)
    vector_file.write()
    keys.save()
    print(f"{vector_file.name}.json: {len(vector_file.cases)} cases")


if __name__ == "__main__":
    main()
