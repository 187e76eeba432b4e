"""Rebuild the clip index from the primary store (folder or bucket), when the index is lost."""

from __future__ import annotations

import json
import logging

from .clip_index import ClipIndex, ClipRow
from .clip_objects import ClipObjects
from .ingest import row_for
from .protocol.envelope import SignedEnvelope
from .protocol.errors import ProtocolError
from .protocol.manifest import parse_manifest

_LOGGER = logging.getLogger(__name__)
BATCH = 1000


def rebuild_index(objects: ClipObjects, index: ClipIndex, events_visible: bool) -> int:
    """Index every committed clip whose manifest parses and whose objects are all present.

    Manifests were verified when they arrived; here they only need to parse, since what a
    rebuild can be fooled into listing is ciphertext that the endpoint verifies anyway.
    """
    batch: list[ClipRow] = []
    count = 0
    for found in objects.scan():
        rel_dir, clip_id, raw = found.rel_dir, found.clip_id, found.manifest
        try:
            manifest = parse_manifest(SignedEnvelope.from_json(json.loads(raw)).payload)
        except (ProtocolError, ValueError):
            _LOGGER.warning("Skipping clip %s in %s: its manifest does not parse", clip_id, rel_dir)
            continue
        row = row_for(manifest, raw, rel_dir, events_visible)
        if manifest.clip_id != clip_id or not set(row.kinds) <= found.kinds:
            _LOGGER.warning("Skipping clip %s in %s: files missing or misnamed", clip_id, rel_dir)
            continue
        batch.append(row)
        if len(batch) >= BATCH:
            index.add(batch)
            count += len(batch)
            batch = []
    index.add(batch)
    return count + len(batch)
