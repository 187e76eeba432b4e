"""The whole agent: `python -m camera_agent run` as a real process, real cameras, a fake HA.

One agent run is shared by the tests of this module, in file order (each test checks its own
preconditions, so any one of them also runs alone): pairing through `pair`, continuous clips,
G.711 and silent cameras, `status` and `doctor`, an ONVIF event clip with its pre-roll, a
dropped camera stream, Home Assistant away and back, a SIGKILL mid-clip, and finally the
bookkeeping over the whole run (every sealed clip arrived exactly once, all decrypt) and the
scan of every folder the agent could write for the plaintext marker.

The cameras carry MARKER in an SEI NAL unit of every keyframe (devstack/rtsp_server.py);
decrypted clips are checked to contain it, so the final scan finding nothing means something.
Plaintext is only ever held in memory here: ffprobe reads it from a pipe.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from devstack.rtsp_camera import MARKER
from tests.agent.ffprobe import ffprobe
from tests.agent.run_rig import (
    CLIP_SECONDS,
    CONTINUOUS_CAMERAS,
    EVENT_CAMERA,
    POSTROLL_SECONDS,
    PREROLL_SECONDS,
    SEALED,
    OpenedClip,
    Rig,
    StoredClip,
    build_rig,
    wait_for,
)

pytestmark = pytest.mark.slow

GOP_SECONDS = 1.0  # the test cameras' keyframe interval (rtsp_server.py)
PEOPLE_TOPIC = "tns1:RuleEngine/MyRuleDetector/PeopleDetect"
ABORTED = re.compile(r"^clip ([0-9a-f]{32}) aborted")


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    with build_rig(tmp_path_factory.mktemp("agent-run")) as built:
        built.pair_output = built.pair()
        built.agent.start()
        yield built


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def clips_of(rig: Rig, camera_id: str, count: int, *, after_ms: int = 0) -> list[StoredClip]:
    """Wait until the store has committed `count` clips of a camera starting after `after_ms`."""

    def found() -> list[StoredClip] | None:
        clips = [
            c
            for c in rig.committed()
            if c.manifest.camera_id == camera_id and c.manifest.start_ms > after_ms
        ]
        return clips if len(clips) >= count else None

    return wait_for(found, f"{count} clips of {camera_id} at the store", explain=rig.agent.tail)


def ensure_running(rig: Rig) -> None:
    """Store up and agent running, as a test that failed half-way may have left neither."""
    if not rig.store_up:
        rig.start_store()
    if rig.agent.process is not None:
        assert rig.agent.running(), f"the agent died by itself\n{rig.agent.tail()}"
    else:
        rig.agent.start()


def status_json(rig: Rig) -> dict[str, Any]:
    done = rig.agent.cli("status", "--json")
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def status_when(rig: Rig, condition: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
    """Run `status --json` until its report meets `condition`."""

    def check() -> dict[str, Any] | None:
        report = status_json(rig)
        return report if condition(report) else None

    return wait_for(check, what, explain=rig.agent.tail)


def spool_ids(rig: Rig, suffix: str) -> set[str]:
    return {p.name.split(".", 1)[0] for p in rig.spool_dir.iterdir() if p.name.endswith(suffix)}


def assert_continuous_clip(opened: OpenedClip, *, audio: str | None) -> None:
    """Plays alone, carries the marker, and was cut by length: within one GOP of CLIP_SECONDS."""
    assert opened.video[4:8] == b"ftyp"
    assert MARKER in opened.video
    probe = ffprobe(opened.video)
    assert probe.codecs == {"video": "h264"} | ({"audio": audio} if audio else {})
    assert probe.starts_with_keyframe
    assert CLIP_SECONDS <= round(probe.video_seconds, 3) < CLIP_SECONDS + GOP_SECONDS + 0.2
    assert CLIP_SECONDS - 0.2 <= probe.format_seconds < CLIP_SECONDS + GOP_SECONDS + 0.3
    length_ms = opened.manifest.end_ms - opened.manifest.start_ms
    assert CLIP_SECONDS * 1000 <= length_ms < (CLIP_SECONDS + GOP_SECONDS) * 1000 + 200
    codecs = opened.manifest.video.codecs or ""
    assert codecs.startswith("avc1.")
    assert codecs.endswith(",mp4a.40.2") if audio else "," not in codecs
    assert opened.thumbnail is not None
    assert opened.thumbnail.startswith(b"\xff\xd8") and opened.thumbnail.endswith(b"\xff\xd9")
    assert opened.manifest.visible_events == ()


def test_pair_pins_the_account_and_the_agent_records(rig: Rig) -> None:
    assert "Enter this code" in rig.pair_output
    assert f"Paired with account {rig.account.document.account_id}" in rig.pair_output
    for name in ("device_key.pem", "trust.json", "agent_token"):
        assert (rig.state_dir / name).stat().st_mode & 0o777 == 0o600, name
    assert not (rig.state_dir / "pairing.json").exists()
    clips_of(rig, "front", 1)


def test_continuous_clips_decrypt_to_mp4s_of_the_configured_length(rig: Rig) -> None:
    ensure_running(rig)
    clips = clips_of(rig, "front", 3)[:3]
    opened = [rig.open(clip) for clip in clips]
    for clip in opened:
        assert clip.manifest.camera_id == "front"
        assert clip.manifest.recipient_epoch == 1
        assert_continuous_clip(clip, audio="aac")
    # Back to back: each clip starts where the one before it ended.
    for before, after in itertools.pairwise(opened):
        assert abs(after.manifest.start_ms - before.manifest.end_ms) <= 2


def test_a_g711_camera_and_a_camera_without_audio_both_record(rig: Rig) -> None:
    ensure_running(rig)
    assert CONTINUOUS_CAMERAS == {"front": "aac", "g711": "pcma", "silent": "none"}
    for clip in clips_of(rig, "g711", 2)[:2]:
        assert_continuous_clip(rig.open(clip), audio="aac")  # A-law transcoded to AAC
    for clip in clips_of(rig, "silent", 2)[:2]:
        assert_continuous_clip(rig.open(clip), audio=None)
    messages = rig.agent.messages()
    assert "camera g711: audio pcm_alaw does not fit MP4: transcoding it to AAC" in messages
    assert not any(m.startswith("camera silent: audio") for m in messages)


def test_status_and_doctor_describe_the_running_agent(rig: Rig) -> None:
    ensure_running(rig)
    clips_of(rig, "front", 1)
    report = status_when(
        rig, lambda r: r["last_upload_unix"] is not None, "status to show an upload"
    )
    assert report["agent_status"] == "ok"
    assert report["trust"] == {
        "paired": True,
        "account_id": rig.account.document.account_id,
        "epoch": 1,
    }
    assert report["health_age_seconds"] is not None and report["health_age_seconds"] <= 30
    states = {c["camera_id"]: c["state"] for c in report["cameras"]}
    assert states == dict.fromkeys([*CONTINUOUS_CAMERAS, EVENT_CAMERA], "recording")
    assert report["spool"]["clips"] >= 0 and report["spool"]["bytes"] >= 0

    text = rig.agent.cli("status")
    assert text.returncode == 0
    assert f"paired to account {rig.account.document.account_id}" in text.stdout
    assert "camera front (Front camera): recording" in text.stdout
    assert "last upload: never" not in text.stdout

    doctor = rig.agent.cli("doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    lines = doctor.stdout.splitlines()
    assert any(line.startswith("[ok] ffmpeg: ffmpeg version") for line in lines)
    assert any(line.startswith("[ok] Home Assistant: http://127.0.0.1:") for line in lines)
    for camera_id in CONTINUOUS_CAMERAS:
        assert f"[ok] camera {camera_id}: RTSP stream answers: video h264" in lines
    assert f"[ok] camera {EVENT_CAMERA}: ONVIF E2EE NVR tests Fake ONVIF" in lines
    assert not any(line.startswith("[FAIL]") for line in lines)

    # The store heard the agent's heartbeat (sent at start, then every 30 s).
    beats = rig.heartbeats()
    assert beats and beats[-1]["recipient_epoch"] == 1
    assert {"agent_version", "spool_clips", "spool_bytes", "cameras"} <= set(beats[-1])


def test_an_onvif_motion_event_makes_a_clip_with_its_preroll(rig: Rig) -> None:
    ensure_running(rig)
    wait_for(
        lambda: any(
            m.startswith(f"camera {EVENT_CAMERA}: streaming") for m in rig.agent.messages()
        ),
        "the event camera to stream",
        explain=rig.agent.tail,
    )
    time.sleep(PREROLL_SECONDS + 2)  # let the pre-roll fill: more than preroll_seconds of stream
    assert not [c for c in rig.committed() if c.manifest.camera_id == EVENT_CAMERA]

    motion_ms = now_ms()
    rig.motion(True)
    rig.motion(True, topic=PEOPLE_TOPIC, item="IsPeople")
    time.sleep(1.5)
    motion_end_ms = now_ms()
    rig.motion(False)
    rig.motion(False, topic=PEOPLE_TOPIC, item="IsPeople")

    (stored,) = clips_of(rig, EVENT_CAMERA, 1)
    opened = rig.open(stored)
    manifest = opened.manifest
    # The clip begins about preroll_seconds before the motion (whole GOPs held in memory).
    preroll_ms = motion_ms - manifest.start_ms
    assert (PREROLL_SECONDS - 1.5) * 1000 <= preroll_ms <= (PREROLL_SECONDS + 2.5) * 1000
    assert manifest.end_ms >= motion_end_ms + POSTROLL_SECONDS * 1000 - 500
    probe = ffprobe(opened.video)
    assert probe.codecs == {"video": "h264", "audio": "aac"} and probe.starts_with_keyframe
    assert probe.video_seconds >= PREROLL_SECONDS + POSTROLL_SECONDS
    assert MARKER in opened.video
    # The encrypted events stream carries both detections; HA may see only "motion".
    kinds = {event.kind: event for event in opened.events}
    assert set(kinds) == {"motion", "person"}
    motion = kinds["motion"]
    assert motion.source == "onvif" and motion.end_ms is not None
    # ONVIF UtcTime has whole seconds.
    assert motion_ms - 1500 <= motion.start_ms <= motion_ms + 2000
    assert manifest.start_ms <= motion.start_ms <= manifest.end_ms
    assert manifest.visible_events == ("motion",)


def test_a_dropped_stream_reconnects_and_recording_resumes(rig: Rig) -> None:
    ensure_running(rig)
    clips_of(rig, "front", 1)
    seen = len(rig.agent.messages())
    rig.cameras["front"].kill()
    wait_for(
        lambda: any(m.startswith("camera front: stream") for m in rig.agent.messages()[seen:]),
        "the agent to notice the lost stream",
        explain=rig.agent.tail,
    )
    aborted = {match.group(1) for m in rig.agent.messages()[seen:] if (match := ABORTED.match(m))}
    cut_short = {
        match.group(1)
        for m in rig.agent.messages()[seen:]
        if (match := SEALED.match(m)) and match.group(2) == "front"
    }
    back_ms = now_ms()
    rig.cameras["front"].start()  # the camera comes back on the same port
    (resumed, *_) = clips_of(rig, "front", 1, after_ms=back_ms)
    opened = rig.open(resumed)
    assert MARKER in opened.video
    assert ffprobe(opened.video).starts_with_keyframe
    # The clip cut short by the drop was kept: sealed as a short clip and stored by HA.
    assert not aborted, "a dropped stream must not discard the clip it cut short"
    assert cut_short, "the open clip should have been sealed short"
    wait_for(
        lambda: cut_short <= set(rig.commits()),
        "the short clip to be stored",
        explain=rig.agent.tail,
    )


def test_home_assistant_away_then_back_every_clip_arrives_once(rig: Rig) -> None:
    ensure_running(rig)
    clips_of(rig, "front", 1)
    rig.stop_store()
    report = status_when(
        rig, lambda r: bool(r["spool"]["clips"] >= 3), "clips to pile up in the spool"
    )
    assert report["spool"]["bytes"] > 0
    doctor = rig.agent.cli("doctor")
    assert doctor.returncode == 1
    assert any(
        line.startswith("[FAIL] Home Assistant:") and "unreachable" in line
        for line in doctor.stdout.splitlines()
    )
    waiting = spool_ids(rig, ".manifest.json")
    assert len(waiting) >= 3
    rig.start_store()

    def arrived() -> bool:
        return waiting <= set(rig.commits())

    wait_for(arrived, "the spooled clips to reach the store", explain=rig.agent.tail)
    commits = rig.commits()
    assert len(commits) == len(set(commits)), "a clip was committed twice"
    for stored in rig.committed():
        if stored.clip_id in waiting:
            assert MARKER in rig.open(stored).video
    wait_for(lambda: not (waiting & spool_ids(rig, "")), "the uploaded clips to leave the spool")


def test_sigkill_mid_clip_then_restart_resumes_the_spool(rig: Rig) -> None:
    ensure_running(rig)
    clips_of(rig, "front", 1)
    rig.stop_store()  # so that complete clips wait in the spool when the agent dies
    wait_for(
        lambda: len(spool_ids(rig, ".manifest.json")) >= 2 and spool_ids(rig, ".part"),
        "complete clips and an open one in the spool",
        explain=rig.agent.tail,
    )
    rig.agent.kill()
    partial = spool_ids(rig, ".video.part")
    complete = spool_ids(rig, ".manifest.json")
    assert partial, "a clip was being written when the agent died"
    sealed_before = set(rig.agent.sealed())
    assert not partial & sealed_before

    rig.agent.start()
    wait_for(
        lambda: any(
            m.startswith("deleted ") and "incomplete spool files from an interrupted run" in m
            for m in rig.agent.messages()
        ),
        "the restarted agent to clear the crash leftovers",
        explain=rig.agent.tail,
    )
    # The partial clips are gone for good; the complete ones wait for Home Assistant.
    for clip_id in partial:
        assert not list(rig.spool_dir.glob(f"{clip_id}*")), clip_id
    assert complete <= spool_ids(rig, ".manifest.json")

    back_ms = now_ms()
    rig.start_store()
    wait_for(
        lambda: complete <= set(rig.commits()),
        "the clips spooled before the crash to arrive",
        explain=rig.agent.tail,
    )
    (after, *_) = clips_of(rig, "front", 1, after_ms=back_ms)
    assert MARKER in rig.open(after).video
    committed = set(rig.commits())
    assert not partial & committed
    assert not partial & set(rig.agent.sealed())
    received = set(rig.services.call(lambda: list(rig.store.store.clips)))
    assert not partial & received  # not even a manifest of them reached the store


def test_every_clip_arrived_exactly_once_and_no_plaintext_on_disk(rig: Rig) -> None:
    ensure_running(rig)
    clips_of(rig, "front", 1)
    assert rig.agent.stop() == 0  # SIGTERM: a clean, prompt shutdown
    messages = rig.agent.messages()
    for camera_id in [*CONTINUOUS_CAMERAS, EVENT_CAMERA]:
        assert f"camera {camera_id}: capture stopped" in messages

    sealed = rig.agent.sealed()
    commits = rig.commits()
    left = spool_ids(rig, ".manifest.json")
    assert len(commits) == len(set(commits)), "a clip was committed twice"
    assert set(commits) <= set(sealed), "the store has a clip the agent never sealed"
    assert set(sealed) <= set(commits) | left, "a sealed clip was lost"
    assert not spool_ids(rig, ".part")

    # Every clip at the store verifies and decrypts completely, and plays.
    stored = rig.committed()
    assert len(stored) >= 10
    for clip in stored:
        opened = rig.open(clip)
        assert opened.manifest.camera_id == sealed[clip.clip_id]
        assert MARKER in opened.video
        assert ffprobe(opened.video).starts_with_keyframe

    # No plaintext anywhere: state, spool, the agent's TMPDIR and cwd, logs, the store.
    for folder in rig.agent_folders():
        assert folder.is_dir()
    assert any(rig.spool_dir.iterdir()) or not left
    found, scanned = rig.files_with_marker()
    assert found == []
    assert scanned >= 5
    # ... nor at any moment of the run: every file version the watcher read while it ran.
    assert rig.watch is not None
    rig.watch.stop()
    assert rig.watch.hits == []
    assert any(name.endswith(".video.part") for name in rig.watch.seen), "watched mid-clip"
    assert any(name.endswith(".thumbnail") for name in rig.watch.seen)
    assert all(p.stat().st_size > 0 for p in (rig.state_dir / "trust.json", rig.agent.log_path))
