"""Live view (section 18) played between the real Python roles, and the attacks on it.

A real v2 account with two enrolled browsers and a paired device; the store is the test, which
relays, rewrites, replays and splices as a malicious Home Assistant could.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from e2ee_nvr_protocol import certs, endpoint_v2, envelope, kdf, primitives, recipients
from e2ee_nvr_protocol.account_build_v2 import create_account_v2
from e2ee_nvr_protocol.account_v2 import AccountDocumentV2
from e2ee_nvr_protocol.encoding import b64encode, loads
from e2ee_nvr_protocol.envelope import SignedEnvelope
from e2ee_nvr_protocol.errors import (
    BadSignature,
    ChunkAuthFailed,
    HeaderMismatch,
    MalformedObject,
    NotEnrolled,
    Replayed,
    RevocationWithheld,
    RolledBack,
    TrailingData,
    Truncated,
    UntrustedKey,
    UnwrapFailed,
)
from e2ee_nvr_protocol.identifiers import key_id
from e2ee_nvr_protocol.live import (
    RECORD_END,
    RECORD_INIT,
    RECORD_MEDIA,
    LiveRecordReader,
    LiveRequest,
    LiveSession,
    VerifiedOffer,
    check_withheld,
    confirm_for,
    new_live_request,
    parse_record_header,
    verify_live_offer,
)
from e2ee_nvr_protocol.passphrase import generate_passphrase
from tests.protocol.account_setup import PairedDevice, pair_v2

FAST = kdf.KdfParams.new_default(scrypt_n_log2=15, pbkdf2_iterations=10_000)
CAMERAS = ("front-door", "back")
INIT = b"\x00\x00\x00\x18ftypisom" + b"moov" * 40
FRAGMENTS = [b"moof" + bytes([i]) * 300 + b"mdat" for i in range(5)]


@dataclass
class Live:
    passphrase: str
    document: AccountDocumentV2
    owner: endpoint_v2.EndpointV2
    other: endpoint_v2.EndpointV2
    device: PairedDevice

    def camera_ref(self, camera: str = "front-door") -> str:
        return f"{self.device.device_id}/{camera}"

    def request(self, viewer: endpoint_v2.EndpointV2, camera: str = "front-door") -> LiveRequest:
        return new_live_request(viewer.account_id, self.camera_ref(camera), viewer.instance_key_id)

    def offer(self, session: LiveSession, request: LiveRequest) -> SignedEnvelope:
        return session.offer(
            request,
            device_key=self.device.key,
            account_id=self.owner.account_id,
            camera_ids=CAMERAS,
            recipient_set=self.device.trust.current_set(),
        )

    def check(self, request: LiveRequest) -> ec.EllipticCurvePublicKey:
        return LiveSession.check_request(
            request,
            account_id=self.owner.account_id,
            device_id=self.device.device_id,
            camera_ids=CAMERAS,
            recipient_set=self.device.trust.current_set(),
        )

    def verify(
        self,
        viewer: endpoint_v2.EndpointV2,
        signed: SignedEnvelope,
        request: LiveRequest,
        device_cert_der: bytes | None = None,
    ) -> VerifiedOffer:
        return verify_live_offer(
            signed,
            root_cert=viewer.root_cert,
            device_cert=certs.load_cert(device_cert_der or self.device.trust.device_cert_der),
            request=request,
            own_private_key=viewer.instance_key,
            held_epoch=viewer.held.epoch,
            held_sha256=viewer.held.payload_sha256,
        )


def new_world() -> Live:
    passphrase = generate_passphrase()
    document, owner = create_account_v2(passphrase, pdk_params=FAST)
    document, owner, other = endpoint_v2.enrol(document, owner, passphrase)
    device = pair_v2(document, owner, passphrase)
    return Live(passphrase, document, owner, other, device)


@pytest.fixture(scope="module")
def world() -> Live:
    return new_world()


def start_viewing(world: Live, viewer: endpoint_v2.EndpointV2, session: LiveSession) -> bytes:
    """Request, offer, verify, confirm: the live key the viewer ends up with."""
    request = world.request(viewer)
    verified = world.verify(viewer, world.offer(session, request), request)
    assert session.check_confirm(confirm_for(verified, viewer.instance_key_id, request.nonce)) == (
        viewer.instance_key_id
    )
    return verified.live_key


def read_all(session_id: bytes, live_key: bytes, stream: bytes) -> LiveRecordReader:
    reader = LiveRecordReader(session_id, live_key)
    reader.feed(stream)
    reader.close()
    return reader


def test_round_trip_two_viewers_share_one_session(world: Live) -> None:
    session = LiveSession.start()
    owner_key = start_viewing(world, world.owner, session)
    other_key = start_viewing(world, world.other, session)
    assert owner_key == other_key  # one session, one L, two wraps
    assert session.confirmed_key_ids == {world.owner.instance_key_id, world.other.instance_key_id}
    stream = session.seal(RECORD_INIT, INIT)
    stream += b"".join(session.seal(RECORD_MEDIA, f) for f in FRAGMENTS)
    stream += session.end("stopped")
    reader = LiveRecordReader(session.session_id, owner_key)
    opened = []
    for start in range(0, len(stream), 97):  # as chunks arrive from the relay
        opened += reader.feed(stream[start : start + 97])
    reader.close()
    assert [(r.record_type, r.plaintext) for r in opened] == [
        (RECORD_INIT, INIT),
        *((RECORD_MEDIA, f) for f in FRAGMENTS),
        (RECORD_END, b'{"reason":"stopped"}'),
    ]
    assert (reader.ended, reader.gaps, reader.last_seq) == ("stopped", 0, len(FRAGMENTS) + 1)
    # The session's key is gone: nothing more is offered or sealed under it.
    with pytest.raises(ValueError, match="ended"):
        world.offer(session, world.request(world.owner))
    with pytest.raises(ValueError, match="ended"):
        session.seal(RECORD_MEDIA, b"late")


def test_the_store_splits_records_by_header_without_a_key(world: Live) -> None:
    session = LiveSession.start()
    stream = session.seal(RECORD_INIT, INIT) + session.seal(RECORD_MEDIA, FRAGMENTS[0])
    first = parse_record_header(stream)
    second = parse_record_header(stream[first.record_bytes :])
    assert (first.record_type, first.seq, second.record_type, second.seq) == (1, 0, 2, 1)
    assert first.session_id == second.session_id == session.session_id
    assert first.record_bytes + second.record_bytes == len(stream)


# --- the offer: a store cannot forge, redirect or replay one ------------------------------------


def resign(signed: SignedEnvelope, key: rsa.RSAPrivateKey, **changes: object) -> SignedEnvelope:
    """The offer's payload with fields changed, signed again (by the device or another key)."""
    return envelope.sign("live-offer", {**loads(signed.payload), **changes}, key)


def test_offer_signed_by_another_key_is_refused(world: Live) -> None:
    session = LiveSession.start()
    request = world.request(world.owner)
    signed = world.offer(session, request)
    stranger = primitives.rsa_generate()
    with pytest.raises(BadSignature):
        world.verify(world.owner, resign(signed, stranger), request)
    forged_signer = dataclasses.replace(resign(signed, stranger), signer=signed.signer)
    with pytest.raises(BadSignature):
        world.verify(world.owner, forged_signer, request)
    # A certificate for the stranger's key from the store is refused before any signature.
    other = new_world()
    other_cert = certs.cert_der(
        certs.issue(
            other.owner.root_cert,
            endpoint_v2.unlock(other.document, other.passphrase).signing,
            stranger.public_key(),
            certs.Role.device,
        )
    )
    with pytest.raises(UntrustedKey):
        world.verify(world.owner, resign(signed, stranger), request, other_cert)


def test_offer_for_another_account_nonce_or_camera_is_refused(world: Live) -> None:
    session = LiveSession.start()
    request = world.request(world.owner)
    signed = world.offer(session, request)
    key = world.device.key
    with pytest.raises(BadSignature):
        world.verify(world.owner, resign(signed, key, account_id="0" * 32), request)
    with pytest.raises(BadSignature):
        world.verify(world.owner, resign(signed, key, device_id="1" * 32), request)
    # The device's genuine offer, shown to the same viewer as the answer to another request.
    later = world.request(world.owner)
    with pytest.raises(HeaderMismatch):
        world.verify(world.owner, signed, later)
    back = world.request(world.owner, "back")
    back_offer = world.offer(LiveSession.start(), back)
    with pytest.raises(HeaderMismatch):
        world.verify(world.owner, back_offer, request)
    # Another viewer's offer (its own wrap), handed to this one under this request's nonce.
    other_request = dataclasses.replace(world.request(world.other), nonce=request.nonce)
    other_offer = world.offer(session, other_request)
    with pytest.raises(UnwrapFailed):
        world.verify(world.owner, other_offer, request)


def test_offer_epoch_against_the_viewers_set(world: Live) -> None:
    session = LiveSession.start()
    request = world.request(world.owner)
    signed = world.offer(session, request)
    key = world.device.key
    held = world.owner.held
    forked = resign(signed, key, recipient_sha256=b64encode(bytes(32)))
    with pytest.raises(RolledBack):
        world.verify(world.owner, forked, request)
    assert held.epoch == 2  # created, then the second browser enrolled
    # The device still encrypts to epoch 1: the store withheld the newer set from it.
    verified = world.verify(world.owner, resign(signed, key, recipient_epoch=1), request)
    assert verified.withheld
    with pytest.raises(RevocationWithheld):
        check_withheld(verified)
    newer = world.verify(world.owner, resign(signed, key, recipient_epoch=held.epoch + 1), request)
    assert not newer.withheld
    assert world.verify(world.owner, signed, request).recipient_epoch == held.epoch


# --- the request: the store cannot make the device wrap L to anyone else ------------------------


def scoped_world() -> tuple[Live, endpoint_v2.EndpointV2, ec.EllipticCurvePrivateKey]:
    """A world where the owner revoked `other` and added a member scoped to camera "back"."""
    world = new_world()
    revoked = world.other
    document, owner = endpoint_v2.revoke(
        world.document, world.owner, world.passphrase, [revoked.instance_key_id]
    )
    member = primitives.p256_generate()
    signing = endpoint_v2.unlock(document, world.passphrase).signing
    member_cert = certs.issue(owner.root_cert, signing, member.public_key(), certs.Role.instance)
    scoped = recipients.Recipient.from_cert(
        "instance", certs.cert_der(member_cert), (world.camera_ref("back"),)
    )
    next_set = recipients.next_recipient_set(owner.held, 1_764_460_000, add=[scoped])
    signed = recipients.sign_recipient_set(next_set, signing)
    world.device.trust, _ = world.device.trust.admit(document.recipient_set)
    world.device.trust, _ = world.device.trust.admit(signed)
    return dataclasses.replace(world, document=document, owner=owner.admit(signed)), revoked, member


def test_request_from_revoked_outside_or_other_camera_key_is_not_enrolled() -> None:
    world, revoked, member = scoped_world()
    member_id = key_id(member.public_key())
    ref = world.camera_ref()
    outsider = key_id(primitives.p256_generate().public_key())
    data_key = world.device.trust.current_set().data_key_id
    for _why, requester in (
        ("revoked browser", revoked.instance_key_id),
        ("key outside the set", outsider),
        ("member scoped to another camera", member_id),
        ("the account data key", data_key),
    ):
        request = new_live_request(world.owner.account_id, ref, requester)
        with pytest.raises(NotEnrolled):
            world.check(request)
        # offer() checks again: no caller can wrap L past the set.
        with pytest.raises(NotEnrolled):
            world.offer(LiveSession.start(), request)
    # The scoped member may watch its own camera, and the owner any camera.
    back = new_live_request(world.owner.account_id, world.camera_ref("back"), member_id)
    assert key_id(world.check(back)) == member_id
    assert key_id(world.check(world.request(world.owner))) == world.owner.instance_key_id


def test_request_naming_another_account_device_or_camera_is_refused(world: Live) -> None:
    good = world.request(world.owner)
    for bad in (
        dataclasses.replace(good, account_id="0" * 32),
        dataclasses.replace(good, camera_ref=f"{'0' * 32}/front-door"),
        dataclasses.replace(good, camera_ref=world.camera_ref("garage")),
    ):
        with pytest.raises(HeaderMismatch):
            world.check(bad)
    with pytest.raises(NotEnrolled):
        LiveSession.check_request(
            good,
            account_id=world.owner.account_id,
            device_id=world.device.device_id,
            camera_ids=CAMERAS,
            recipient_set=None,
        )
    for doc in (
        {**good.to_json(), "nonce": b64encode(bytes(15))},
        {**good.to_json(), "recipients": ["0" * 32]},
        {k: v for k, v in good.to_json().items() if k != "key_id"},
    ):
        with pytest.raises(MalformedObject):
            LiveRequest.from_json(doc)


def test_a_new_set_that_drops_a_key_holding_l_ends_the_session() -> None:
    world = new_world()
    ref = world.camera_ref()
    confirmed, unconfirmed, owner_only = (LiveSession.start() for _ in range(3))
    start_viewing(world, world.other, confirmed)
    # The revoked-to-be browser unwrapped L but never confirmed, and its offer was forgotten:
    # it still decrypts every record, so it counts as much as a confirmed viewer.
    world.offer(unconfirmed, world.request(world.other))
    assert unconfirmed.expire_offers(now=unconfirmed.started_at + 3600) == 1
    start_viewing(world, world.owner, owner_only)
    current = world.device.trust.current_set()
    assert all(s.viewers_still_listed(current, ref) for s in (confirmed, unconfirmed, owner_only))
    document, _ = endpoint_v2.revoke(
        world.document, world.owner, world.passphrase, [world.other.instance_key_id]
    )
    world.device.trust, new_set = world.device.trust.admit(document.recipient_set)
    assert not confirmed.viewers_still_listed(new_set, ref)
    assert not unconfirmed.viewers_still_listed(new_set, ref)
    assert owner_only.viewers_still_listed(new_set, ref)
    end = confirmed.end("rekey")
    assert parse_record_header(end).record_type == RECORD_END
    assert confirmed.wrapped_to == frozenset()  # L and its recipients are forgotten


# --- the confirm: only the holder of the instance key can be counted ----------------------------


def test_confirm_with_a_wrong_proof_or_for_no_offer_is_refused(world: Live) -> None:
    session = LiveSession.start()
    request = world.request(world.owner)
    verified = world.verify(world.owner, world.offer(session, request), request)
    good = confirm_for(verified, world.owner.instance_key_id, request.nonce)
    guessed = VerifiedOffer(session.session_id, bytes(16), verified.recipient_epoch, False)
    for bad in (
        {**good, "proof": b64encode(bytes(32))},
        confirm_for(guessed, world.owner.instance_key_id, request.nonce),  # store without L
        confirm_for(verified, world.owner.instance_key_id, bytes(16)),  # no such offer
        confirm_for(verified, world.other.instance_key_id, request.nonce),  # nobody offered it
    ):
        with pytest.raises(BadSignature):
            session.check_confirm(bad)
    assert session.confirmed_key_ids == frozenset()
    with pytest.raises(HeaderMismatch):
        session.check_confirm({**good, "session_id": "ab" * 16})
    assert session.check_confirm(good) == world.owner.instance_key_id


def test_an_unconfirmed_offer_is_forgotten_after_15_seconds(world: Live) -> None:
    session = LiveSession.start()
    request = world.request(world.owner)
    verified = world.verify(world.owner, world.offer(session, request), request)
    assert session.expire_offers(now=session.started_at) == 0
    assert session.expire_offers(now=session.started_at + 3600) == 1
    with pytest.raises(BadSignature):
        session.check_confirm(confirm_for(verified, world.owner.instance_key_id, request.nonce))


# --- records: what a relaying store can and cannot do ---------------------------------------------


@pytest.fixture(scope="module")
def recorded() -> tuple[LiveSession, bytes, list[bytes]]:
    session = LiveSession(b"\x05" * 16, b"\x06" * 16)
    records = [session.seal(RECORD_INIT, INIT)]
    records += [session.seal(RECORD_MEDIA, f) for f in FRAGMENTS]
    return session, b"\x06" * 16, records


def rewrite(record: bytes, **changes: object) -> bytes:
    header = dataclasses.replace(parse_record_header(record), **changes)  # type: ignore[arg-type]
    return header.to_bytes() + record[36:]


def test_gap_is_accepted_and_counted(recorded: tuple[LiveSession, bytes, list[bytes]]) -> None:
    session, live_key, r = recorded
    reader = read_all(session.session_id, live_key, r[0] + r[1] + r[4] + r[5])
    assert (reader.gaps, reader.last_seq, reader.ended) == (2, 5, None)


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("replayed", Replayed),
        ("reordered", Replayed),
        ("spliced", HeaderMismatch),
        ("spliced-rewritten", ChunkAuthFailed),
        ("seq-rewritten", ChunkAuthFailed),
        ("flipped-bit", ChunkAuthFailed),
        ("flipped-header-bit", ChunkAuthFailed),
        ("truncated", Truncated),
        ("trailing-after-end", TrailingData),
        ("media-before-init", MalformedObject),
        ("reserved", MalformedObject),
    ],
)
def test_tampered_stream_is_refused_by_name(
    recorded: tuple[LiveSession, bytes, list[bytes]], name: str, error: type[Exception]
) -> None:
    session, live_key, r = recorded
    elsewhere = LiveSession.start()
    foreign = [elsewhere.seal(RECORD_INIT, INIT), elsewhere.seal(RECORD_MEDIA, FRAGMENTS[0])]
    ended = LiveSession(session.session_id, live_key)
    finished = ended.seal(RECORD_INIT, INIT) + ended.end("idle")
    flipped = bytearray(r[1])
    flipped[-20] ^= 0x04
    header_flipped = bytearray(r[1])
    header_flipped[24] ^= 0x80  # the high bit of seq: forward, so only the tag can tell
    streams = {
        "replayed": r[0] + r[1] + r[1],
        "reordered": r[0] + r[2] + r[1],
        "spliced": r[0] + foreign[1],
        "spliced-rewritten": r[0] + rewrite(foreign[1], session_id=session.session_id),
        "seq-rewritten": r[0] + rewrite(r[1], seq=2),
        "flipped-bit": r[0] + bytes(flipped),
        "flipped-header-bit": r[0] + bytes(header_flipped),
        "truncated": r[0] + r[1][:-1],
        "trailing-after-end": finished + r[2],
        "media-before-init": r[1],
        "reserved": r[0][:6] + b"\x01" + r[0][7:],
    }
    reader = LiveRecordReader(session.session_id, live_key)
    with pytest.raises(error):
        reader.feed(streams[name])
        reader.close()
    # A refused reader stays refused: nothing more is released from that stream.
    with pytest.raises(error):
        reader.feed(r[0])


def test_no_plaintext_is_released_before_the_tag(
    recorded: tuple[LiveSession, bytes, list[bytes]],
) -> None:
    session, live_key, r = recorded
    reader = LiveRecordReader(session.session_id, live_key)
    assert reader.feed(r[0]) == [(RECORD_INIT, INIT)]
    assert reader.feed(r[1][:-1]) == []  # everything but the last tag byte: nothing yet
    with pytest.raises(ChunkAuthFailed):
        reader.feed(bytes([r[1][-1] ^ 1]))


def test_end_record_carries_only_a_known_reason() -> None:
    session = LiveSession(b"\x07" * 16, b"\x08" * 16)
    with pytest.raises(ValueError, match="reason"):
        session.end("bored")
    record = session.end("camera-offline")
    reader = read_all(session.session_id, b"\x08" * 16, record)
    assert reader.ended == "camera-offline"
