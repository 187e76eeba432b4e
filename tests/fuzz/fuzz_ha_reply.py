"""Fuzz target for what the agent reads from Home Assistant: answer bodies of the agent API.

`fuzz_ha_reply(data)` may raise only HaError (the agent's named failure for a call). The first
byte picks the HTTP status, the rest is the body, read through the same parser and field
readers the agent uses (camera_agent/ha_client.py).
"""

from __future__ import annotations

from camera_agent.ha_client import (
    HaError,
    heartbeat_answer,
    pairing_started,
    parse_answer,
    upload_status,
)

STATUSES = (200, 201, 202, 400, 401, 403, 404, 409, 413, 429, 500, 503)
DOCUMENTED_ERRORS = (HaError,)


def fuzz_ha_reply(data: bytes) -> None:
    """Raises only HaError."""
    status = STATUSES[data[0] % len(STATUSES)] if data else 200
    document = parse_answer(status, data[1:], (200, 201, 202))
    heartbeat_answer(document)
    upload_status(document)
    pairing_started(document)
