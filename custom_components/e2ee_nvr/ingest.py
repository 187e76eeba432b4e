"""Clip uploads from agents: verify the manifest, stream each object to staging, commit.

Nothing becomes visible before the whole clip is checked: the manifest against the uploading
agent's device certificate (chained to the account root), and every stream object's header,
size and SHA-256 against the signed manifest. Bodies are streamed to a temporary file in
bounded pieces, so a 200 MiB clip never sits in memory; a refused or interrupted body leaves
no file behind.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .agents import AgentRecord
from .clip_index import ClipRow
from .clip_objects import StorageUnavailable, folder_for
from .clip_store import check_clip_id, check_kind
from .const import CLIP_KINDS, UPLOAD_READ_BYTES
from .protocol import certs
from .protocol.clip import verify_clip_manifest
from .protocol.envelope import SignedEnvelope
from .protocol.errors import BadSignature, HeaderMismatch, ProtocolError, UntrustedKey
from .protocol.manifest import BlobRef, ClipManifest, check_stream_against_manifest, parse_manifest
from .protocol.stream_format import HEADER_BYTES, ContentKind
from .retention import enforce
from .runtime import E2eeRuntimeData

MAX_MANIFEST_BYTES = 1 << 20


class UploadRefused(Exception):
    """An upload the store refuses; status and code follow docs/agent-api.md."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


@dataclass(frozen=True)
class UploadState:
    """The answer to every upload call: is the clip stored, and what is still missing."""

    status: int
    stored: bool
    missing: tuple[str, ...]


def manifest_digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def expected_kinds(manifest: ClipManifest) -> tuple[str, ...]:
    return tuple(k for k in CLIP_KINDS if manifest.blob(ContentKind(k)) is not None)


class ClipIngest:
    """The two upload steps of docs/agent-api.md, for one loaded entry."""

    def __init__(self, runtime: E2eeRuntimeData) -> None:
        self._rt = runtime

    def _lock(self, clip_id: str) -> AbstractAsyncContextManager[None]:
        return self._rt.upload_locks.hold(clip_id)

    def _verify(self, agent: AgentRecord, raw: bytes) -> ClipManifest:
        state = self._rt.account.state
        device_der = agent.device_cert_der()
        if state is None or device_der is None:
            raise UploadRefused(409, "no_account", "E2EE is off or this agent is not granted")
        try:
            signed = SignedEnvelope.from_json(json.loads(raw))
            return verify_clip_manifest(
                signed, certs.load_cert(device_der), state.document.root_cert()
            )
        except (BadSignature, UntrustedKey) as err:
            raise UploadRefused(403, "bad_signature", str(err)) from err
        except (ProtocolError, ValueError) as err:
            raise UploadRefused(400, "malformed", str(err)) from err

    async def put_manifest(self, agent: AgentRecord, clip_id: str, raw: bytes) -> UploadState:
        check_clip_id(clip_id)
        if len(raw) > MAX_MANIFEST_BYTES:
            raise UploadRefused(413, "too_large", "a manifest is at most 1 MiB")
        manifest = await self._rt.hass.async_add_executor_job(self._verify, agent, raw)
        if manifest.clip_id != clip_id:
            raise UploadRefused(400, "malformed", "the manifest is for another clip id")
        if agent.camera(manifest.camera_id) is None:
            raise UploadRefused(400, "unknown_camera", "this camera was not paired")
        async with self._lock(clip_id):
            state = await self._rt.hass.async_add_executor_job(self._stage_manifest, manifest, raw)
            if not state.stored and not state.missing:
                # Every object is staged but the commit did not happen (the bucket was down,
                # or HA stopped in between): the agent's retry starts here, so commit now,
                # or it would be told "nothing missing, not stored" for ever.
                return await self._maybe_commit(manifest)
            return state

    def _stage_manifest(self, manifest: ClipManifest, raw: bytes) -> UploadState:
        clip_id = manifest.clip_id
        existing = self._rt.index.get(clip_id)
        if existing is not None:
            if not hmac.compare_digest(existing.manifest_sha256, manifest_digest(raw)):
                raise UploadRefused(409, "conflict", "another manifest is stored for this clip")
            return UploadState(200, True, ())
        staged = self._rt.clips.staged_manifest(clip_id)
        if staged is not None and staged != raw:
            raise UploadRefused(409, "conflict", "another manifest is staged for this clip")
        if staged is None:
            self._rt.clips.stage_manifest(clip_id, raw)
        return self._missing(manifest, 201)

    def _missing(self, manifest: ClipManifest, status: int) -> UploadState:
        present = self._rt.clips.staged_kinds(manifest.clip_id)
        missing = tuple(k for k in expected_kinds(manifest) if k not in present)
        return UploadState(status, False, missing)

    def _staged(self, agent: AgentRecord, clip_id: str) -> ClipManifest | None:
        """The staged manifest (already verified on arrival), or None if the clip is stored."""
        raw = self._rt.clips.staged_manifest(clip_id)
        if raw is None:
            if self._rt.index.get(clip_id) is not None:
                return None
            raise UploadRefused(409, "no_manifest", "upload the manifest first")
        manifest = parse_manifest(SignedEnvelope.from_json(json.loads(raw)).payload)
        if manifest.device_id != agent.device_id:
            raise UploadRefused(403, "bad_signature", "this clip belongs to another device")
        return manifest

    async def put_object(
        self,
        agent: AgentRecord,
        clip_id: str,
        kind: str,
        content_length: int | None,
        body: AsyncIterator[bytes],
    ) -> UploadState:
        check_clip_id(clip_id)
        check_kind(kind)
        async with self._lock(clip_id):
            manifest = await self._rt.hass.async_add_executor_job(self._staged, agent, clip_id)
            if manifest is None:
                return UploadState(200, True, ())
            blob = manifest.blob(ContentKind(kind))
            if blob is None:
                raise UploadRefused(400, "malformed", f"the manifest lists no {kind}")
            if content_length is None:
                raise UploadRefused(411, "length_required", "Content-Length is required")
            if content_length > blob.stream.ciphertext_size:
                raise UploadRefused(413, "size_mismatch", "larger than the manifest says")
            if content_length != blob.stream.ciphertext_size:
                raise UploadRefused(400, "size_mismatch", "not the size the manifest says")
            await self._check_room(content_length)
            if kind not in self._rt.clips.staged_kinds(clip_id):
                await self._receive(manifest, kind, body)
            return await self._maybe_commit(manifest)

    async def _check_room(self, content_length: int) -> None:
        """Refuse a body that would push incomplete uploads past the storage cap.

        Retention frees space by deleting committed clips, but it cannot shrink staging: staged
        bytes count against the cap (retention.py), and here they are kept below it, so a flood
        of uploads that never complete cannot fill the disk.
        """
        staged = await self._rt.hass.async_add_executor_job(self._rt.clips.staged_bytes)
        if staged + content_length > self._rt.settings.storage_cap_bytes:
            raise UploadRefused(507, "storage_full", "incomplete uploads fill the storage cap")

    async def _receive(self, manifest: ClipManifest, kind: str, body: AsyncIterator[bytes]) -> None:
        blob = _blob(manifest, kind)
        hass = self._rt.hass
        part = await hass.async_add_executor_job(self._rt.clips.new_part, manifest.clip_id, kind)
        receiver = _Receiver(part, blob.stream.ciphertext_size)
        accepted = False
        try:
            with _disk_full_is_507():
                await self._write(receiver, manifest, kind, body)
            await hass.async_add_executor_job(
                self._rt.clips.accept_part, part, manifest.clip_id, kind
            )
            accepted = True
        finally:
            if not accepted:
                await hass.async_add_executor_job(_discard, part, receiver)

    async def _write(
        self, receiver: _Receiver, manifest: ClipManifest, kind: str, body: AsyncIterator[bytes]
    ) -> None:
        """Stream the body into the staged part, checking its header as soon as it is in."""
        hass = self._rt.hass
        await hass.async_add_executor_job(receiver.open)
        async for piece in _batched(body, UPLOAD_READ_BYTES):
            await hass.async_add_executor_job(receiver.write, piece)
            if receiver.header is not None and not receiver.header_checked:
                _check_header(receiver, manifest, kind)
        await hass.async_add_executor_job(receiver.close)
        receiver.finish(_blob(manifest, kind).stream.ciphertext_sha256)
        if not receiver.header_checked:
            _check_header(receiver, manifest, kind)

    async def _maybe_commit(self, manifest: ClipManifest) -> UploadState:
        state = await self._rt.hass.async_add_executor_job(self._missing, manifest, 200)
        if state.missing:
            return state
        try:
            with _disk_full_is_507():
                row = await self._rt.hass.async_add_executor_job(self._commit, manifest)
        except StorageUnavailable as err:
            # The staged clip stays; the agent keeps it in its spool and uploads it again.
            raise UploadRefused(503, "storage_unavailable", str(err)) from err
        if self._rt.offsite is not None:
            self._rt.offsite.wake()
        # The size cap is checked at every commit, not only hourly: a busy camera must not
        # fill the disk between two maintenance runs.
        await self._rt.hass.async_add_executor_job(enforce, self._rt)
        self._rt.clip_committed(row)
        return UploadState(201, True, ())

    def _commit(self, manifest: ClipManifest) -> ClipRow:
        clips = self._rt.clips
        raw = clips.staged_manifest(manifest.clip_id)
        if raw is None:
            raise UploadRefused(409, "no_manifest", "the staged manifest vanished")
        objects = self._rt.objects
        rel_dir = folder_for(
            objects.layout, manifest.device_id, manifest.camera_id, manifest.start_ms
        )
        clips.commit(manifest.clip_id, rel_dir, objects)
        row = row_for(manifest, raw, rel_dir, self._rt.settings.events_visible)
        self._rt.index.add([row])
        if self._rt.offsite is not None:
            # Only a row in the queue: the copy itself never holds up an upload.
            self._rt.offsite.enqueue([row])
        return row


@contextlib.contextmanager
def _disk_full_is_507() -> Iterator[None]:
    """A full disk (or quota) under HA's storage is the agent's cue to keep the clip and retry.

    Without this it surfaced as an unnamed 500; 507 with a code tells the agent and its user
    what is wrong, and the clip stays in the agent's spool until space is freed.
    """
    try:
        yield
    except OSError as err:
        if err.errno in (errno.ENOSPC, errno.EDQUOT):
            raise UploadRefused(507, "storage_full", "Home Assistant's storage is full") from err
        raise


def row_for(manifest: ClipManifest, raw: bytes, rel_dir: str, events_visible: bool) -> ClipRow:
    """The index row of a committed clip; events only when the user lets HA see them."""
    kinds = expected_kinds(manifest)
    size = len(raw) + sum(
        blob.stream.ciphertext_size for k in kinds if (blob := manifest.blob(ContentKind(k)))
    )
    return ClipRow(
        clip_id=manifest.clip_id,
        device_id=manifest.device_id,
        camera_id=manifest.camera_id,
        start_ms=manifest.start_ms,
        end_ms=manifest.end_ms,
        size_bytes=size,
        events=manifest.visible_events if events_visible else (),
        kinds=kinds,
        rel_dir=rel_dir,
        manifest_sha256=manifest_digest(raw),
    )


class _Receiver:
    """One object being written: counts, hashes and keeps the first 32 bytes (the header)."""

    def __init__(self, path: Path, limit: int) -> None:
        self.path = path
        self.limit = limit
        self.received = 0
        self.hasher = hashlib.sha256()
        self.head = bytearray()
        self.header: bytes | None = None
        self.header_checked = False
        self._handle: IO[bytes] | None = None

    def open(self) -> None:
        self._handle = self.path.open("xb")

    def write(self, piece: bytes) -> None:
        self.received += len(piece)
        if self.received > self.limit:
            raise UploadRefused(400, "size_mismatch", "more bytes than the manifest says")
        if self.header is None:
            self.head += piece[: HEADER_BYTES - len(self.head)]
            if len(self.head) == HEADER_BYTES:
                self.header = bytes(self.head)
        self.hasher.update(piece)
        if self._handle is None:
            raise RuntimeError("write before open")
        self._handle.write(piece)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def finish(self, expected_sha256: bytes) -> None:
        if self.received != self.limit:
            raise UploadRefused(400, "size_mismatch", "fewer bytes than the manifest says")
        if not hmac.compare_digest(self.hasher.digest(), expected_sha256):
            raise UploadRefused(400, "hash_mismatch", "SHA-256 differs from the manifest's")


def _blob(manifest: ClipManifest, kind: str) -> BlobRef:
    blob = manifest.blob(ContentKind(kind))
    if blob is None:
        raise UploadRefused(400, "malformed", f"the manifest lists no {kind}")
    return blob


def _check_header(receiver: _Receiver, manifest: ClipManifest, kind: str) -> None:
    blob = _blob(manifest, kind)
    if receiver.header is None:
        raise UploadRefused(400, "size_mismatch", "shorter than a stream header")
    try:
        check_stream_against_manifest(receiver.header, blob, manifest.clip_id, ContentKind(kind))
    except HeaderMismatch as err:
        raise UploadRefused(400, "header_mismatch", str(err)) from err
    except ProtocolError as err:
        raise UploadRefused(400, "malformed", str(err)) from err
    receiver.header_checked = True


def _discard(part: Path, receiver: _Receiver) -> None:
    receiver.close()
    with contextlib.suppress(FileNotFoundError):
        part.unlink()


async def _batched(body: AsyncIterator[bytes], size: int) -> AsyncIterator[bytes]:
    """Pieces of about `size` bytes, so each executor hop moves a useful amount of data."""
    buffer = bytearray()
    async for piece in body:
        buffer += piece
        if len(buffer) >= size:
            yield bytes(buffer)
            buffer.clear()
    if buffer:
        yield bytes(buffer)
