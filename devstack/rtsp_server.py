"""A test camera: a live GStreamer RTSP server whose video carries a known plaintext marker.

Run by the system interpreter (/usr/bin/python3, which has `gi`), never by a venv:

    /usr/bin/python3 devstack/rtsp_server.py --port 0 --video h264 --audio aac
    /usr/bin/python3 devstack/rtsp_server.py --replay cam.mp4 --cameras 8

It prints `READY <port>` on stdout once it listens, and serves rtsp://127.0.0.1:<port>/cam until
killed. Every keyframe carries MARKER as an SEI "user data unregistered" NAL unit. SEI travels
through `ffmpeg -c copy` into the MP4 samples unchanged, so a test can find MARKER in the
plaintext the agent captures: "no plaintext on disk" tests then know what to look for. After
MARKER the SEI carries ` T=<Unix ms>`, the camera's wall clock as the keyframe left the encoder,
in ASCII digits (no zero byte, so still no start-code emulation): the live-view benchmark reads
it from the decrypted fragment to measure camera-to-screen latency on one machine's clock.

With `--replay` it serves an H.264 MP4 instead (the agent benchmark's cameras), at /cam0 ...
/cam<N-1>, never re-encoding: each client its own pipeline reading the file from the start in
real time (the server paces by the samples' timestamps). Demuxing and packetising cost a little
CPU here, in this process, never in the agent being measured.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any, ClassVar

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, GObject, Gst, GstRtspServer  # noqa: E402

# The element class below builds pad templates at class creation, which needs an initialised Gst.
Gst.init(None)

MARKER = b"E2EE-NVR-PLAINTEXT-MARKER"
# Any 16 bytes identify unregistered user data; these contain no zero byte, so no start code
# emulation can arise inside the NAL unit and no emulation-prevention bytes are needed.
SEI_UUID = bytes(range(0x41, 0x51))
START_CODE = b"\x00\x00\x00\x01"

# 320x240 at 10 fps with a keyframe every 10 frames (one second): cheap on two cores, and clips can
# be cut to within a second.
VIDEO_SOURCE = (
    "videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=10/1"
)
VIDEO_ENCODERS = {
    "h264": (
        "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=10 bframes=0 ! "
        "h264parse ! video/x-h264,stream-format=byte-stream,alignment=au ! "
        "seimarker codec=h264 ! rtph264pay name=pay0 pt=96 config-interval=0"
    ),
    "h265": (
        "x265enc tune=zerolatency speed-preset=ultrafast key-int-max=10 ! "
        "h265parse ! video/x-h265,stream-format=byte-stream,alignment=au ! "
        "seimarker codec=h265 ! rtph265pay name=pay0 pt=96 config-interval=0"
    ),
}
AUDIO_SOURCE = "audiotestsrc is-live=true wave=sine freq=440 volume=0.2"
AUDIO_BRANCHES = {
    "none": "",
    "aac": f"{AUDIO_SOURCE} ! audio/x-raw,rate=16000,channels=1 ! avenc_aac ! "
    "rtpmp4gpay name=pay1 pt=97",
    "pcma": f"{AUDIO_SOURCE} ! audio/x-raw,rate=8000,channels=1 ! alawenc ! "
    "rtppcmapay name=pay1 pt=8",
    "pcmu": f"{AUDIO_SOURCE} ! audio/x-raw,rate=8000,channels=1 ! mulawenc ! "
    "rtppcmupay name=pay1 pt=0",
}


def sei_nal(codec: str, wall_ms: int) -> bytes:
    """An SEI NAL unit (Annex B) holding MARKER and the wall clock as user data unregistered
    (payload type 5)."""
    body = SEI_UUID + MARKER + b" T=" + str(wall_ms).encode("ascii")
    message = bytes([5, len(body)]) + body + b"\x80"  # 0x80: rbsp trailing bits
    # H.264 SEI is NAL type 6 (one header byte); H.265 prefix SEI is type 39 (two header bytes).
    header = b"\x06" if codec == "h264" else bytes([39 << 1, 0x01])
    return START_CODE + header + message


def is_slice(codec: str, nal_header: int) -> bool:
    if codec == "h264":
        return (nal_header & 0x1F) in (1, 5)
    return (nal_header >> 1) & 0x3F < 32


def insert_before_first_slice(access_unit: bytes, codec: str, nal: bytes) -> bytes:
    """Put `nal` after the parameter sets and before the first picture slice, where SEI belongs."""
    position = access_unit.find(b"\x00\x00\x01")
    while position != -1 and position + 3 < len(access_unit):
        if is_slice(codec, access_unit[position + 3]):
            start = position - 1 if position > 0 and access_unit[position - 1] == 0 else position
            return access_unit[:start] + nal + access_unit[start:]
        position = access_unit.find(b"\x00\x00\x01", position + 3)
    return access_unit


class SeiMarker(Gst.Element):  # type: ignore[misc]  # gi is untyped here
    """Adds the marker SEI to every keyframe access unit passing through."""

    __gstmetadata__ = ("SEI marker", "Filter/Video", "Adds a marker SEI to keyframes", "e2ee-nvr")
    __gsttemplates__ = (
        Gst.PadTemplate.new(
            "sink", Gst.PadDirection.SINK, Gst.PadPresence.ALWAYS, Gst.Caps.new_any()
        ),
        Gst.PadTemplate.new(
            "src", Gst.PadDirection.SRC, Gst.PadPresence.ALWAYS, Gst.Caps.new_any()
        ),
    )
    __gproperties__: ClassVar[dict[str, Any]] = {
        "codec": (str, "codec", "h264 or h265", "h264", GObject.ParamFlags.READWRITE),
    }

    def __init__(self) -> None:
        super().__init__()
        self.codec = "h264"
        self.sinkpad = Gst.Pad.new_from_template(self.get_pad_template("sink"), "sink")
        self.srcpad = Gst.Pad.new_from_template(self.get_pad_template("src"), "src")
        self.sinkpad.set_chain_function_full(self._chain, None)
        self.sinkpad.set_event_function_full(self._sink_event, None)
        # Caps and allocation queries pass straight through: this element changes no format.
        self.sinkpad.set_query_function_full(lambda _p, _e, q: self.srcpad.peer_query(q), None)
        self.srcpad.set_query_function_full(lambda _p, _e, q: self.sinkpad.peer_query(q), None)
        self.add_pad(self.sinkpad)
        self.add_pad(self.srcpad)

    def do_get_property(self, prop: Any) -> Any:
        return self.codec

    def do_set_property(self, prop: Any, value: Any) -> None:
        self.codec = value

    def _sink_event(self, _pad: Gst.Pad, _parent: Any, event: Gst.Event) -> bool:
        return bool(self.srcpad.push_event(event))

    def _chain(self, _pad: Gst.Pad, _parent: Any, buffer: Gst.Buffer) -> Gst.FlowReturn:
        if buffer.has_flags(Gst.BufferFlags.DELTA_UNIT):
            return self.srcpad.push(buffer)
        ok, mapped = buffer.map(Gst.MapFlags.READ)
        if not ok:
            return Gst.FlowReturn.ERROR
        try:
            nal = sei_nal(self.codec, time.time_ns() // 1_000_000)
            marked = insert_before_first_slice(bytes(mapped.data), self.codec, nal)
        finally:
            buffer.unmap(mapped)
        out = Gst.Buffer.new_wrapped(marked)
        out.pts, out.dts, out.duration = buffer.pts, buffer.dts, buffer.duration
        return self.srcpad.push(out)


def launch_line(video: str, audio: str) -> str:
    parts = [f"{VIDEO_SOURCE} ! {VIDEO_ENCODERS[video]}"]
    if AUDIO_BRANCHES[audio]:
        parts.append(AUDIO_BRANCHES[audio])
    return "( " + " ".join(parts) + " )"


def replay_launch_line(path: str) -> str:
    # SPS/PPS in-band with every keyframe, as IP cameras send them.
    return (
        f'( filesrc location="{path}" ! qtdemux ! h264parse config-interval=-1 ! '
        "video/x-h264,stream-format=byte-stream,alignment=au ! "
        "rtph264pay name=pay0 pt=96 config-interval=0 )"
    )


def new_factory(launch: str) -> Any:
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(launch)
    # One pipeline per client: a reconnecting agent gets a fresh encoder starting on a keyframe.
    factory.set_shared(False)
    return factory


def require_basic_auth(
    server: GstRtspServer.RTSPServer, factory: Any, user: str, password: str
) -> None:
    """Only `user` with `password` may DESCRIBE and PLAY: an unauthenticated client gets 401."""
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string("media.factory.role", "camera-user")
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
    server.set_auth(auth)
    factory.add_role_from_structure(
        Gst.Structure.from_string(
            "camera-user, media.factory.access=(boolean)true, media.factory.construct=(boolean)true"
        )[0]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--video", choices=sorted(VIDEO_ENCODERS), default="h264")
    parser.add_argument("--audio", choices=sorted(AUDIO_BRANCHES), default="aac")
    parser.add_argument("--user", default="", help="require RTSP Basic auth with this user")
    parser.add_argument("--replay", metavar="MP4", help="serve this H.264 MP4 instead")
    parser.add_argument("--cameras", type=int, default=1, help="with --replay: how many mounts")
    args = parser.parse_args()

    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    if args.replay:
        for index in range(args.cameras):
            factory = new_factory(replay_launch_line(args.replay))
            server.get_mount_points().add_factory(f"/cam{index}", factory)
    else:
        GObject.type_register(SeiMarker)
        Gst.Element.register(None, "seimarker", Gst.Rank.NONE, SeiMarker)
        factory = new_factory(launch_line(args.video, args.audio))
        if args.user:
            # From the environment, not argv: the hardening test scans every command line for it.
            require_basic_auth(server, factory, args.user, os.environ.get("RTSP_PASSWORD", ""))
        server.get_mount_points().add_factory("/cam", factory)
    if server.attach(None) == 0:
        print("could not listen", file=sys.stderr)
        return 1
    print(f"READY {server.get_bound_port()}", flush=True)
    GLib.MainLoop().run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
