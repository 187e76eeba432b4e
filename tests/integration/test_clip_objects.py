"""The two clip-object backends, side by side: the same operations, the same answers.

Run against real files and a real S3 server; names outside the layout are refused before any
I/O, and foreign objects in the folder or under the prefix are ignored by scans.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from custom_components.e2ee_nvr.clip_objects import (
    ClipObjects,
    FolderClipObjects,
    ObjectMissing,
    StorageUnavailable,
    check_rel_dir,
    folder_for,
)
from custom_components.e2ee_nvr.clip_store import UnsafePath
from custom_components.e2ee_nvr.s3_objects import S3ClipObjects, S3Settings
from tests.integration.s3_server import WeedServer

DEVICE = "ab" * 16
CLIP = "cd" * 16
OTHER = "ef" * 16
START_MS = 1_764_806_400_000  # 2025-12-04T00:00:00Z
BODY = bytes(range(256)) * 40


@pytest.fixture(params=["folder", "bucket"])
def objects(
    request: pytest.FixtureRequest, tmp_path: Path, weed: WeedServer, socket_enabled: None
) -> Iterator[ClipObjects]:
    if request.param == "folder":
        yield FolderClipObjects(tmp_path / "store", "device")
    else:
        yield S3ClipObjects(S3Settings.from_options(weed.settings(weed.new_bucket(), "p/q")))


def _staged(tmp_path: Path, name: str, body: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(body)
    return path


def test_store_read_range_scan_delete(objects: ClipObjects, tmp_path: Path) -> None:
    rel_dir = folder_for(objects.layout, DEVICE, "front-door", START_MS)
    assert rel_dir == f"{DEVICE}/2025-12-04"
    objects.adopt(rel_dir, CLIP, "video", _staged(tmp_path, "v", BODY))
    objects.put_copy(rel_dir, CLIP, "events", _staged(tmp_path, "e", b"events"))
    # A clip without its manifest (an interrupted commit or copy) is no clip to a scan.
    assert list(objects.scan()) == []
    objects.adopt(rel_dir, CLIP, "manifest", _staged(tmp_path, "m", b"{}"))
    objects.finish_clip(rel_dir)
    objects.put_copy(rel_dir, OTHER, "video", _staged(tmp_path, "o", b"orphan"))

    assert objects.read(rel_dir, CLIP, "manifest") == b"{}"
    assert objects.size(rel_dir, CLIP, "video") == len(BODY)
    assert b"".join(objects.read_range(rel_dir, CLIP, "video", 100, 5000)) == BODY[100:5000]
    assert b"".join(objects.read_range(rel_dir, CLIP, "video", 7, 7)) == b""
    with objects.as_file(rel_dir, CLIP, "video", tmp_path / "scratch") as path:
        assert path.read_bytes() == BODY
    assert not any((tmp_path / "scratch").glob("*"))
    (found,) = objects.scan()
    assert (found.rel_dir, found.clip_id, found.manifest) == (rel_dir, CLIP, b"{}")
    assert found.kinds == {"video", "events"}

    for missing in (
        lambda: objects.read(rel_dir, OTHER, "manifest"),
        lambda: objects.size(rel_dir, OTHER, "thumbnail"),
        lambda: objects.read_range(rel_dir, OTHER, "thumbnail", 0, 10),
    ):
        with pytest.raises(ObjectMissing):
            missing()
    with (
        pytest.raises(ObjectMissing),
        objects.as_file(rel_dir, OTHER, "events", tmp_path / "scratch"),
    ):
        pass

    objects.delete_clip(rel_dir, CLIP)
    assert list(objects.scan()) == []
    objects.delete_all()
    with pytest.raises(ObjectMissing):
        objects.read(rel_dir, OTHER, "video")


def test_names_outside_the_layout_are_refused(objects: ClipObjects, tmp_path: Path) -> None:
    source = _staged(tmp_path, "v", b"x")
    for rel_dir in ("../etc/2025-12-04", f"{DEVICE}/front-door/2025-12-04", f"{DEVICE}/today"):
        with pytest.raises(UnsafePath):
            objects.put_copy(rel_dir, CLIP, "video", source)
    with pytest.raises(UnsafePath):
        objects.put_copy(f"{DEVICE}/2025-12-04", "../" + CLIP[3:], "video", source)
    with pytest.raises(UnsafePath):
        objects.put_copy(f"{DEVICE}/2025-12-04", CLIP, "passwd", source)


def test_camera_layout_keeps_the_media_folder_of_old(tmp_path: Path) -> None:
    store = FolderClipObjects(tmp_path, "camera")
    rel_dir = folder_for("camera", DEVICE, "front-door", START_MS)
    assert rel_dir == f"{DEVICE}/front-door/2025-12-04"
    assert check_rel_dir("camera", rel_dir) == rel_dir
    store.put_copy(rel_dir, CLIP, "manifest", _staged(tmp_path, "m", b"{}"))
    (tmp_path / DEVICE / "front-door" / "notes.txt").write_text("not a clip")
    assert store.describe() == f"folder {tmp_path}"
    assert [(f.rel_dir, f.clip_id) for f in store.scan()] == [(rel_dir, CLIP)]
    store.delete_clip(rel_dir, CLIP)
    assert not (tmp_path / DEVICE / "front-door" / "2025-12-04").exists()


def test_unreachable_bucket_is_storage_unavailable(
    tmp_path: Path, weed: WeedServer, socket_enabled: None
) -> None:
    settings = {**weed.settings("any"), "endpoint_url": "http://127.0.0.1:9"}
    store = S3ClipObjects(S3Settings.from_options(settings))
    assert "127.0.0.1:9" in store.describe()
    with pytest.raises(StorageUnavailable):
        store.check()
    with pytest.raises(StorageUnavailable):
        store.put_copy(f"{DEVICE}/2025-12-04", CLIP, "video", _staged(tmp_path, "v", b"x"))
