"""The ClipSink capture writes into: encrypts each clip as its bytes arrive, into the spool.

Plaintext exists only in memory: the protocol's stream encryptor holds at most one chunk, and
only ciphertext reaches `<clip_id>.video.part`. The manifest is written last, after every
object is fsynced and renamed into place, so the spool never shows a clip that is not whole.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import replace
from typing import BinaryIO

from e2ee_nvr_protocol.clip import ClipEncryptor, ClipEvent

from .spool import Spool
from .state import atomic_write, fsync_dir
from .trust import RecordingBlocked, TrustKeeper

LOG = logging.getLogger(__name__)
VIDEO_MIME = "video/mp4"
MAX_EVENTS_PER_CLIP = 256


class EventLog:
    """Detections per camera (from ONVIF), handed to the clip that covers them, encrypted."""

    def __init__(self) -> None:
        self._events: dict[str, list[ClipEvent]] = {}

    def record(self, camera_id: str, event: ClipEvent) -> None:
        events = self._events.setdefault(camera_id, [])
        events.append(event)
        del events[:-MAX_EVENTS_PER_CLIP]

    def close(self, camera_id: str, opened: ClipEvent, end_ms: int) -> None:
        """Give an open event (end_ms None) its end."""
        events = self._events.get(camera_id, [])
        for index, event in enumerate(events):
            if event is opened:
                events[index] = replace(opened, end_ms=end_ms)

    def between(self, camera_id: str, start_ms: int, end_ms: int) -> list[ClipEvent]:
        """Events overlapping [start_ms, end_ms]; older ones are forgotten."""
        events = self._events.get(camera_id, [])
        kept = [e for e in events if e.end_ms is None or e.end_ms >= start_ms]
        self._events[camera_id] = kept
        return [e for e in kept if e.start_ms <= end_ms]


class EncryptedClipWriter:
    """One clip: plaintext MP4 bytes in, ciphertext into the spool (implements ClipWriter)."""

    def __init__(
        self, sink: EncryptingSink, encryptor: ClipEncryptor, codecs: str, handle: BinaryIO
    ) -> None:
        self._sink = sink
        self._encryptor: ClipEncryptor | None = encryptor
        self._codecs = codecs
        self._handle = handle
        self.clip_id = encryptor.clip_id

    def _active(self) -> ClipEncryptor:
        if self._encryptor is None:
            raise RuntimeError(f"clip {self.clip_id} is already finished or aborted")
        return self._encryptor

    async def write(self, data: bytes) -> None:
        ciphertext = self._active().update(data)
        if ciphertext:
            # Off the event loop: a slow SD card must not stall the capture pipes.
            await asyncio.to_thread(self._handle.write, ciphertext)

    async def finish(self, *, end_ms: int, thumbnail_jpeg: bytes | None) -> None:
        encryptor = self._active()
        self._encryptor = None
        spool = self._sink.spool
        try:
            await asyncio.to_thread(self._close_video, encryptor.finish_video())
            os.replace(spool.part_path(self.clip_id), spool.object_path(self.clip_id, "video"))
            if thumbnail_jpeg is not None:
                atomic_write(
                    spool.object_path(self.clip_id, "thumbnail"),
                    encryptor.encrypt_thumbnail(thumbnail_jpeg),
                )
            events = self._sink.events.between(encryptor.camera_id, encryptor.start_ms, end_ms)
            # Always written, padded to a bucket (section 9.3): its presence and size tell the
            # store nothing about whether, or how many, events happened.
            atomic_write(
                spool.object_path(self.clip_id, "events"), encryptor.encrypt_events(events)
            )
            manifest = encryptor.seal(
                self._sink.trust.device_key,
                end_ms=end_ms,
                codecs=self._codecs,
                visible_events=self._sink.visible_kinds(events),
            )
            atomic_write(
                spool.manifest_path(self.clip_id), json.dumps(manifest.to_json()).encode("ascii")
            )
        except BaseException:
            self._sink.discard(self.clip_id)
            raise
        LOG.info(
            "clip %s (%s) sealed: %d plaintext bytes encrypted",
            self.clip_id,
            encryptor.camera_id,
            encryptor.video_plaintext_size,
        )
        spool.clip_completed(self.clip_id)

    def _close_video(self, last_ciphertext: bytes) -> None:
        self._handle.write(last_ciphertext)
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()

    async def abort(self, reason: str) -> None:
        if self._encryptor is None:
            return
        self._encryptor = None
        LOG.warning("clip %s aborted (%s): its partial ciphertext is deleted", self.clip_id, reason)
        self._handle.close()
        self._sink.discard(self.clip_id)


class EncryptingSink:
    """Implements capture's ClipSink: every clip is encrypted to the current recipient set."""

    def __init__(
        self,
        *,
        spool: Spool,
        trust: TrustKeeper,
        visible_event_types: Sequence[str] = (),
        events: EventLog | None = None,
    ) -> None:
        self.spool = spool
        self.trust = trust
        self.events = events or EventLog()
        self._visible = frozenset(visible_event_types)
        # Two locks, both needed: the agent's own list and the integration's option, which
        # arrives with each heartbeat answer. Closed until Home Assistant says otherwise.
        self.ha_events_visible = False

    def set_ha_events_visible(self, visible: bool) -> None:
        self.ha_events_visible = visible

    def visible_kinds(self, events: Sequence[ClipEvent]) -> list[str]:
        """Event kinds the owner lets Home Assistant see (for automations), sorted, unique."""
        if not self.ha_events_visible:
            return []
        return sorted({e.kind for e in events} & self._visible)

    async def start_clip(
        self, *, camera_id: str, start_ms: int, codecs: str, mime: str
    ) -> EncryptedClipWriter:
        """Begin a clip; RecordingBlocked (with the reason) when no verified set is held."""
        if mime != VIDEO_MIME:
            raise ValueError(f"only {VIDEO_MIME} clips are supported, not {mime!r}")
        recipient_set = self.trust.current_set()
        encryptor = ClipEncryptor(
            recipient_set=recipient_set,
            device_id=self.trust.device_id,
            camera_id=camera_id,
            start_ms=start_ms,
        )
        path = self.spool.part_path(encryptor.clip_id)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        LOG.debug(
            "clip %s started for %s (epoch %d)", encryptor.clip_id, camera_id, recipient_set.epoch
        )
        return EncryptedClipWriter(self, encryptor, codecs, os.fdopen(descriptor, "wb"))

    def discard(self, clip_id: str) -> None:
        """Delete every file of an unfinished clip (the manifest never got written)."""
        self.spool.manifest_path(clip_id).unlink(missing_ok=True)
        self.spool.part_path(clip_id).unlink(missing_ok=True)
        for kind in ("video", "thumbnail", "events"):
            self.spool.object_path(clip_id, kind).unlink(missing_ok=True)
        fsync_dir(self.spool.folder)


__all__ = ["EncryptedClipWriter", "EncryptingSink", "EventLog", "RecordingBlocked"]
