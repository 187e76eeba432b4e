"""Clip uploads over the real agent views: stored once, verified, and refused without a trace."""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from tests.integration.nvr_helpers import (
    AGENT,
    Agent,
    SealedClip,
    seal_clip,
    seal_clip_to_file,
    upload_clip,
    ws_ok,
)


def _files(root: Path) -> list[Path]:
    """Every file under the media folder except the index database."""
    return sorted(p for p in root.rglob("*") if p.is_file() and ".index" not in p.parts)


async def _clip_ids(ws: Any) -> list[str]:
    result = await ws_ok(ws, type="e2ee_nvr/clips/list")
    return [c["clip_id"] for c in result["clips"]]


async def test_clip_upload_commits_once(
    media_root: Path,
    client: TestClient[Any, Any],
    ws: Any,
    agent: Agent,
) -> None:
    clip = seal_clip(agent, thumbnail=b"\xff\xd8 jpeg")
    body = await upload_clip(client, agent, clip)
    assert body == {"stored": True, "missing": []}
    files = _files(media_root)
    assert [p.name for p in files] == sorted(
        f"{clip.clip_id}.{k}" for k in ("manifest.json", "video", "thumbnail", "events")
    )
    assert files[0].parent.parent.parent.name == agent.device_id
    assert (media_root / "nvr" / agent.device_id / "front-door").is_dir()
    # The same clip again: the manifest says "stored", objects are not taken twice.
    again = await upload_clip(client, agent, clip)
    assert again == {"stored": True, "missing": []}
    assert _files(media_root) == files
    assert await _clip_ids(ws) == [clip.clip_id]
    stored = (media_root / "nvr").rglob(f"{clip.clip_id}.video")
    assert next(stored).read_bytes() == clip.objects["video"]


async def test_large_streamed_upload_bounded_memory(
    media_root: Path,
    tmp_path: Path,
    client: TestClient[Any, Any],
    hass_ws_client: WebSocketGenerator,
    agent: Agent,
) -> None:
    ciphertext = tmp_path / "clip.video"
    clip = seal_clip_to_file(agent, 200 << 20, ciphertext)
    size = ciphertext.stat().st_size
    response = await client.put(
        f"{AGENT}/clips/{clip.clip_id}/manifest", json=clip.manifest_json, headers=agent.auth
    )
    assert response.status == 201
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        with ciphertext.open("rb") as handle:
            response = await client.put(
                f"{AGENT}/clips/{clip.clip_id}/video", data=handle, headers=agent.auth
            )
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status == 201, await response.text()
    print(f"200 MiB upload: peak traced memory growth {peak / (1 << 20):.1f} MiB")
    assert peak < 32 << 20
    stored = next((media_root / "nvr").rglob(f"{clip.clip_id}.video"))
    assert stored.stat().st_size == size
    # A new socket: under tracemalloc on a loaded machine the upload can outlast the first
    # one's heartbeat.
    assert await _clip_ids(await hass_ws_client()) == [clip.clip_id]


async def _put(
    client: Any, agent: Agent, clip: SealedClip, kind: str, data: bytes, **headers: str
) -> Any:
    return await client.put(
        f"{AGENT}/clips/{clip.clip_id}/{kind}", data=data, headers={**agent.auth, **headers}
    )


async def _assert_nothing_stored(ws: Any, media_root: Path, clip: SealedClip) -> None:
    assert await _clip_ids(ws) == []
    leftovers = [p for p in _files(media_root) if p.name != "manifest.json"]
    assert leftovers == [], leftovers


async def test_bad_objects_refused_without_trace(
    media_root: Path,
    client: TestClient[Any, Any],
    ws: Any,
    agent: Agent,
) -> None:
    clip = seal_clip(agent)
    other = seal_clip(agent)
    response = await client.put(
        f"{AGENT}/clips/{clip.clip_id}/manifest", json=clip.manifest_json, headers=agent.auth
    )
    assert response.status == 201
    assert (await response.json()) == {"stored": False, "missing": ["video", "events"]}
    video = clip.objects["video"]
    flipped = bytearray(video)
    flipped[100] ^= 1
    cases: list[tuple[bytes, int, str]] = [
        (video[:-10], 400, "size_mismatch"),  # truncated body, honest length
        (video + b"x" * 10, 413, "size_mismatch"),  # oversized
        (bytes(flipped), 400, "hash_mismatch"),  # altered ciphertext
        (other.objects["video"], 400, "header_mismatch"),  # replayed object of another clip
        (clip.objects["events"], 400, "size_mismatch"),  # another kind's object
    ]
    for data, status, code in cases:
        response = await _put(client, agent, clip, "video", data)
        assert response.status == status, (code, await response.text())
        assert (await response.json())["error"] == code
        await _assert_nothing_stored(ws, media_root, clip)

    # Without Content-Length (chunked), the store cannot bound the body in advance.
    async def chunks() -> Any:
        yield video

    response = await client.put(
        f"{AGENT}/clips/{clip.clip_id}/video", data=chunks(), headers=agent.auth
    )
    assert response.status == 411
    await _assert_nothing_stored(ws, media_root, clip)
    # After every refusal the right bytes are still accepted.
    body = await upload_clip(client, agent, clip)
    assert body == {"stored": True, "missing": []}
    assert await _clip_ids(ws) == [clip.clip_id]


async def test_bad_manifests_and_credentials_refused(
    media_root: Path,
    client: TestClient[Any, Any],
    ws: Any,
    agent: Agent,
    second_agent: Agent,
) -> None:
    intruder = second_agent  # another paired agent of the same account
    clip = seal_clip(agent)
    forged = dict(clip.manifest_json)
    forged["signature"] = seal_clip(agent).manifest_json["signature"]
    path = f"{AGENT}/clips/{clip.clip_id}/manifest"
    cases: list[tuple[str, Any, dict[str, str], int, str]] = [
        (path, forged, agent.auth, 403, "bad_signature"),
        # Another paired agent replays this device's manifest as its own.
        (path, clip.manifest_json, intruder.auth, 403, "bad_signature"),
        (path, clip.manifest_json, {"Authorization": "Bearer not-a-token"}, 401, "unauthorized"),
        (path, clip.manifest_json, {}, 401, "unauthorized"),
        # A valid manifest replayed under another clip id.
        (f"{AGENT}/clips/{'0' * 32}/manifest", clip.manifest_json, agent.auth, 400, "malformed"),
        (path, {"payload": "x"}, agent.auth, 400, "malformed"),
        (f"{AGENT}/clips/{'A' * 32}/manifest", clip.manifest_json, agent.auth, 400, "bad_path"),
    ]
    for url, body, headers, status, code in cases:
        response = await client.put(url, json=body, headers=headers)
        assert response.status == status, (code, await response.text())
        assert (await response.json())["error"] == code
        assert _files(media_root) == []
    # Traversal: HA's own security filter refuses `..` before our view; our view refuses any
    # clip id that is not 32 lowercase hex (above), so no path is ever built from input.
    for url in (f"{AGENT}/clips/..%2F..%2Fetc/manifest", f"{AGENT}/clips/%2e%2e/manifest"):
        response = await client.put(url, json=clip.manifest_json, headers=agent.auth)
        assert response.status in (400, 404)
        assert _files(media_root) == []
    # Objects before (or without) a manifest, a kind off the list, and a traversal kind.
    for kind, status in (("video", 409), ("secrets", 400)):
        response = await _put(client, agent, clip, kind, clip.objects["video"])
        assert response.status == status
    response = await client.put(
        f"{AGENT}/clips/{clip.clip_id}/..%2F..%2Fx", data=b"x", headers=agent.auth
    )
    assert response.status in (400, 404)
    assert _files(media_root) == []
    assert await _clip_ids(ws) == []
    # Another agent cannot complete this device's staged clip either.
    await client.put(path, json=clip.manifest_json, headers=agent.auth)
    response = await _put(client, intruder, clip, "video", clip.objects["video"])
    assert response.status == 403
    # A different manifest for a clip id already staged is a conflict.
    changed = seal_clip(agent)
    response = await client.put(
        f"{AGENT}/clips/{changed.clip_id}/manifest", json=changed.manifest_json, headers=agent.auth
    )
    assert response.status == 201
    assert await _clip_ids(ws) == []
