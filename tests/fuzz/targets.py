"""The fuzz targets ./scripts/fuzz and the short test run: name, function, errors, seeds.

One entry per parser that takes input from another party (issue 11). A target's seeds are the
honest objects of tests/fuzz/seeds.py; its allowed errors are the named refusals it documents.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import fuzz_agent_api, fuzz_fmp4, fuzz_ha_reply, fuzz_protocol
from .seeds import world


@dataclass(frozen=True)
class Target:
    name: str
    run: Callable[[bytes], None]
    allowed: tuple[type[BaseException], ...]
    seeds: Callable[[], list[bytes]]


def _protocol_target(run: Callable[[bytes], None], seeds: Callable[[], list[bytes]]) -> Target:
    """A protocol parser's target: named after its fuzz_<name> function, and allowed only the
    protocol's named refusals, which every parser shares."""
    return Target(run.__name__.removeprefix("fuzz_"), run, fuzz_protocol.DOCUMENTED_ERRORS, seeds)


def _fmp4_seeds() -> list[bytes]:
    stream = fuzz_fmp4.seed_stream()
    return [stream[:4096], stream]


TARGETS = (
    Target("fmp4", fuzz_fmp4.fuzz_fmp4_stream, fuzz_fmp4.DOCUMENTED_ERRORS, _fmp4_seeds),
    _protocol_target(
        fuzz_protocol.fuzz_stream,
        lambda: [world().video_ciphertext[:3000], world().video_ciphertext],
    ),
    _protocol_target(fuzz_protocol.fuzz_manifest, lambda: [world().manifest_bytes]),
    _protocol_target(
        fuzz_protocol.fuzz_recipient_set,
        lambda: [
            _envelope_bytes(world().document_v1.recipient_set.to_json()),
            _envelope_bytes(world().document_v2.recipient_set.to_json()),
        ],
    ),
    _protocol_target(
        fuzz_protocol.fuzz_account_document,
        lambda: [
            _envelope_bytes(world().document_v1.to_json()),
            _envelope_bytes(world().document_v2.to_json()),
        ],
    ),
    _protocol_target(fuzz_protocol.fuzz_pairing_request, lambda: [world().request_bytes]),
    _protocol_target(fuzz_protocol.fuzz_pairing_grant, lambda: [world().grant_bytes]),
    _protocol_target(
        fuzz_protocol.fuzz_backup,
        lambda: [
            _envelope_bytes(next(iter(world().document_v1.backups.values())).to_json()),
            _envelope_bytes(world().document_v2.data_keys[0].backup.to_json()),
        ],
    ),
    _protocol_target(fuzz_protocol.fuzz_events, lambda: [world().events_plaintext]),
    _protocol_target(fuzz_protocol.fuzz_export_tar, lambda: [world().archive_bytes]),
    Target(
        "agent_api",
        fuzz_agent_api.fuzz_agent_api,
        fuzz_agent_api.DOCUMENTED_ERRORS,
        lambda: [
            b'{"session_id": "' + b"ab" * 16 + b'", "agent_token": "t", "expires_at": 1}',
            b'{"recipient_epoch": 3, "events_visible": true}',
            b'{"state": "granted", "grant": ' + world().grant_bytes + b"}",
            b'{"recipient_set": ' + _lazy_set() + b"}",
            b'{"stored": true, "missing": ["video"]}',
        ],
    ),
    # The agent engineer's target: status codes and bodies through the pure answer parsers.
    Target(
        "ha_reply",
        fuzz_ha_reply.fuzz_ha_reply,
        fuzz_ha_reply.DOCUMENTED_ERRORS,
        lambda: [b"\x00" + b'{"recipient_epoch": 3, "events_visible": true}', b"\x05{}"],
    ),
)
BY_NAME = {target.name: target for target in TARGETS}


def _envelope_bytes(document: object) -> bytes:
    from e2ee_nvr_protocol.encoding import dumps

    assert isinstance(document, dict)
    return dumps(document)


def _lazy_set() -> bytes:
    return _envelope_bytes(world().document_v1.recipient_set.to_json())
