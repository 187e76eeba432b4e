"""A malicious store alters clips the real agent recorded: the endpoint refuses each by name.

Two clips come from `python -m camera_agent run` (tests/security/agent_stack.py); the store
then serves them altered, and the Python endpoint role opens them as the panel would (verify
the manifest against the device certificate and the pinned root, unwrap, stream-decrypt).
Nothing is released for a refused clip. Threat model A2 "forge, swap or truncate clips";
protocol sections 9 and 10.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable

import pytest

from e2ee_nvr_protocol import certs, endpoint_v2, primitives
from e2ee_nvr_protocol.clip import (
    ClipEncryptor,
    decrypt_blob,
    open_clip_key,
    verify_clip_manifest,
)
from e2ee_nvr_protocol.envelope import SignedEnvelope
from e2ee_nvr_protocol.errors import (
    BadSignature,
    ChunkAuthFailed,
    HeaderMismatch,
    ProtocolError,
    TrailingData,
    Truncated,
    UntrustedKey,
    UnwrapFailed,
)
from e2ee_nvr_protocol.identifiers import key_id
from e2ee_nvr_protocol.manifest import ClipManifest, sign_manifest
from e2ee_nvr_protocol.stream_format import ContentKind
from tests.security.agent_stack import AgentStack
from tests.security.clip_tamper import (
    drop_last_chunk,
    flip_bit,
    splice_first_chunk,
    swap_first_chunks,
    swap_header,
)
from tests.security.scenario_steps import (
    new_clips,
    restart_agent,
    stored_envelope,
    stored_manifest,
    stored_objects,
)
from tests.security.trust_world import CAMERA_ID

pytestmark = pytest.mark.slow
CHUNK = 4096
Clip = tuple[SignedEnvelope, dict[str, bytes]]


@pytest.fixture(scope="module")
def chunked(stack: AgentStack, clips: tuple[Clip, Clip]) -> tuple[Clip, Clip]:
    """The same two videos sealed by the paired device key in 4 KiB chunks.

    The agent's 256 KiB chunks hold a one-second test clip in one chunk; reordering and
    splicing need several, so these are made with the protocol's ClipEncryptor and the real
    device key and set, exactly as the agent's sink makes them, only with smaller chunks.
    """
    made = []
    for envelope, objects in clips:
        plaintext = _play(stack, envelope, objects["video"])
        encryptor = ClipEncryptor(
            recipient_set=stack.world.trust.current_set(),
            device_id=key_id(stack.world.device_key.public_key()),
            camera_id=CAMERA_ID, start_ms=int(time.time() * 1000), chunk_size=CHUNK,
        )  # fmt: skip
        video = encryptor.update(plaintext) + encryptor.finish_video()
        encryptor.encrypt_events([])
        sealed = encryptor.seal(stack.world.device_key, end_ms=encryptor.start_ms + 1000,
                                codecs="avc1.64001f")  # fmt: skip
        made.append((sealed, {"video": video}))
    return made[0], made[1]


@pytest.fixture(scope="module")
def clips(stack: AgentStack) -> tuple[Clip, Clip]:
    """Two clips of the real agent the owner can open (recorded now if need be)."""

    def openable() -> list[str]:
        found = []
        for clip_id in stack.committed_ids():
            manifest = stored_manifest(stack, clip_id)
            try:
                endpoint_v2.open_clip(stack.world.document, stack.world.owner, manifest)
            except ProtocolError:
                continue
            found.append(clip_id)
        return found

    if len(openable()) < 2:
        stack.clear_rules()
        restart_agent(stack)
        new_clips(stack, stack.committed_ids(), 2)
    first, second = openable()[:2]
    return (
        (stored_envelope(stack, first), stored_objects(stack, first)),
        (stored_envelope(stack, second), stored_objects(stack, second)),
    )


def _play(stack: AgentStack, envelope: SignedEnvelope, video: bytes) -> bytes:
    """The endpoint's whole path from what the store serves to plaintext."""
    device_cert = certs.load_cert(stack.world.trust.device_cert_der)
    manifest = verify_clip_manifest(envelope, device_cert, stack.world.owner.root_cert)
    clip_key = endpoint_v2.open_clip(stack.world.document, stack.world.owner, manifest)
    return decrypt_blob(manifest, clip_key, ContentKind.VIDEO, video)


def _chunk_size(envelope: SignedEnvelope) -> int:
    return int(json.loads(envelope.payload)["video"]["chunk_size"])


def test_untouched_clips_play(stack: AgentStack, clips: tuple[Clip, Clip]) -> None:
    for envelope, objects in clips:
        assert _play(stack, envelope, objects["video"])[4:8] == b"ftyp"


# How the store alters clip A's video: (A's video, clip B's video, A's chunk size) -> served.
VideoTamper = Callable[[bytes, bytes, int], bytes]
Refusal = type[ProtocolError] | tuple[type[ProtocolError], ...]
# Each alteration: the clips it alters (the agent's, or `chunked`: several chunks), the
# tampering, and the refusal the endpoint must name.
ALTERATIONS: dict[str, tuple[str, VideoTamper, Refusal]] = {
    "flipped-bit": ("clips", lambda a, _b, _n: flip_bit(a, len(a) // 2), ChunkAuthFailed),
    "truncated": ("chunked", lambda a, _b, n: drop_last_chunk(a, n), Truncated),
    "reordered-chunks": ("chunked", lambda a, _b, n: swap_first_chunks(a, n), ChunkAuthFailed),
    "chunk-spliced-from-another-clip": ("chunked", splice_first_chunk, ChunkAuthFailed),
    "trailing-bytes": ("clips", lambda a, _b, _n: a + bytes(64), (TrailingData, HeaderMismatch)),
    "header-from-another-clip": ("clips", lambda a, b, _n: swap_header(a, b), HeaderMismatch),
    # HA serves clip B's video under clip A's manifest (its index row points at A).
    "manifests-swapped-between-clips": ("clips", lambda _a, b, _n: b, HeaderMismatch),
}


@pytest.mark.parametrize(
    ("made_by", "tamper", "error"), ALTERATIONS.values(), ids=ALTERATIONS.keys()
)
def test_altered_video_is_refused(
    request: pytest.FixtureRequest,
    stack: AgentStack,
    made_by: str,
    tamper: VideoTamper,
    error: Refusal,
) -> None:
    pair: tuple[Clip, Clip] = request.getfixturevalue(made_by)
    (envelope, objects), (_other, donor) = pair
    altered = tamper(objects["video"], donor["video"], _chunk_size(envelope))
    with pytest.raises(error):
        _play(stack, envelope, altered)


def test_relabelled_manifest_is_refused(stack: AgentStack, clips: tuple[Clip, Clip]) -> None:
    """HA rewrites the camera and start time inside the signed manifest: BadSignature."""
    envelope, objects = clips[0]
    payload = json.loads(envelope.payload)
    payload["camera_id"], payload["start_ms"] = "back-garden", payload["start_ms"] - 86_400_000
    relabelled = dataclasses.replace(envelope, payload=json.dumps(payload).encode())
    with pytest.raises(BadSignature):
        _play(stack, relabelled, objects["video"])


def test_clip_signed_by_a_device_of_another_root_is_refused(
    stack: AgentStack, clips: tuple[Clip, Clip]
) -> None:
    """HA forges a clip with a device key and certificate of its own making: UntrustedKey."""
    envelope, objects = clips[0]
    attacker = primitives.rsa_generate()
    attacker_root = certs.make_root(attacker)
    device_key = primitives.rsa_generate()
    device_cert = certs.issue(attacker_root, attacker, device_key.public_key(), certs.Role.device)
    forged = sign_manifest(json.loads(envelope.payload), device_key)
    with pytest.raises(UntrustedKey):
        verify_clip_manifest(forged, device_cert, stack.world.owner.root_cert)
    with pytest.raises((BadSignature, UntrustedKey)):
        _play(stack, forged, objects["video"])


def test_key_wrap_moved_from_another_clip_does_not_open(
    stack: AgentStack, clips: tuple[Clip, Clip]
) -> None:
    """Even a device-key holder cannot reuse clip B's wrapped key for clip A: its context names
    clip B, so unwrapping under A's context fails (UnwrapFailed)."""
    device_cert = certs.load_cert(stack.world.trust.device_cert_der)
    root = stack.world.owner.root_cert
    first = verify_clip_manifest(clips[0][0], device_cert, root)
    second = verify_clip_manifest(clips[1][0], device_cert, root)
    moved: ClipManifest = dataclasses.replace(first, wrapped_keys=second.wrapped_keys)
    with pytest.raises(UnwrapFailed):
        open_clip_key(moved, [stack.world.owner.instance_key])
