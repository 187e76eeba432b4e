"""Simulated cameras for the agent benchmark: an RTSP server replaying one MP4, never re-encoding.

Run by the system interpreter (/usr/bin/python3 has `gi`; a venv cannot import it):

    /usr/bin/python3 scripts/benchmarks/rtsp_replay.py --file cam.mp4 --cameras 8

Serves rtsp://127.0.0.1:<port>/cam0 ... /cam<N-1>, each client its own pipeline reading the
file from the start in real time (the server paces by the samples' timestamps), and prints
`READY <port>` once it listens. Demuxing and packetising cost a little CPU here, in this
process, never in the agent being measured.
"""

from __future__ import annotations

import argparse
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def launch_line(path: str) -> str:
    # SPS/PPS in-band with every keyframe, as IP cameras send them.
    return (
        f'( filesrc location="{path}" ! qtdemux ! h264parse config-interval=-1 ! '
        "video/x-h264,stream-format=byte-stream,alignment=au ! "
        "rtph264pay name=pay0 pt=96 config-interval=0 )"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--file", required=True, help="an H.264 MP4 to replay")
    parser.add_argument("--cameras", type=int, default=1)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    args = parser.parse_args()
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    for index in range(args.cameras):
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(launch_line(args.file))
        factory.set_shared(False)
        server.get_mount_points().add_factory(f"/cam{index}", factory)
    if server.attach(None) == 0:
        print("could not listen", file=sys.stderr)
        return 1
    print(f"READY {server.get_bound_port()}", flush=True)
    GLib.MainLoop().run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
