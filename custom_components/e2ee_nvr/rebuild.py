"""Rebuild the clip index from the media folder, when the index file is lost."""

from __future__ import annotations

import json
import logging

from .clip_index import ClipIndex, ClipRow
from .clip_store import ClipStore
from .ingest import row_for
from .protocol.envelope import SignedEnvelope
from .protocol.errors import ProtocolError
from .protocol.manifest import parse_manifest

_LOGGER = logging.getLogger(__name__)
BATCH = 1000


def rebuild_index(clips: ClipStore, index: ClipIndex, events_visible: bool) -> int:
    """Index every committed clip whose manifest parses and whose objects are all present.

    Manifests were verified when they arrived; here they only need to parse, since what a
    rebuild can be fooled into listing is ciphertext that the endpoint verifies anyway.
    """
    batch: list[ClipRow] = []
    count = 0
    for rel_dir, clip_id, raw in clips.scan():
        try:
            manifest = parse_manifest(SignedEnvelope.from_json(json.loads(raw)).payload)
        except (ProtocolError, ValueError):
            _LOGGER.warning("Skipping clip %s in %s: its manifest does not parse", clip_id, rel_dir)
            continue
        row = row_for(manifest, raw, rel_dir, events_visible)
        if manifest.clip_id != clip_id or not all(
            clips.clip_path(rel_dir, clip_id, kind).is_file() for kind in row.kinds
        ):
            _LOGGER.warning("Skipping clip %s in %s: files missing or misnamed", clip_id, rel_dir)
            continue
        batch.append(row)
        if len(batch) >= BATCH:
            index.add(batch)
            count += len(batch)
            batch = []
    index.add(batch)
    return count + len(batch)
