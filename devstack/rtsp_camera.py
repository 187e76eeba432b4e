"""A test camera for capture tests: devstack/rtsp_server.py run as a child process."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

SERVER_SCRIPT = Path(__file__).with_name("rtsp_server.py")
# The server needs PyGObject (gi), which only the system interpreter has; a venv cannot import it.
SYSTEM_PYTHON = "/usr/bin/python3"
# Must equal MARKER in rtsp_server.py, which the venv cannot import (it imports gi at the top).
MARKER = b"E2EE-NVR-PLAINTEXT-MARKER"


class RtspCamera:
    """Serves rtsp://127.0.0.1:<port>/cam; kill() and start() again simulate a dropped camera."""

    def __init__(
        self, *, video: str = "h264", audio: str = "aac", user: str = "", password: str = ""
    ) -> None:
        self.video = video
        self.audio = audio
        self.user = user
        self.password = password
        self.port = 0  # the first start picks a free port; restarts reuse it
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"rtsp://127.0.0.1:{self.port}/cam"

    def url_with(self, user: str, password: str, path: str = "/cam") -> str:
        """The camera URL with credentials in its userinfo, as a user configures it."""
        return f"rtsp://{user}:{password}@127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        command = [SYSTEM_PYTHON, str(SERVER_SCRIPT), "--port", str(self.port)]
        command += ["--video", self.video, "--audio", self.audio]
        env = None
        if self.user:
            command += ["--user", self.user]
            env = {**os.environ, "RTSP_PASSWORD": self.password}
        process = subprocess.Popen(  # noqa: S603
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, env=env
        )
        if process.stdout is None:
            raise RuntimeError("no stdout pipe")
        line = process.stdout.readline().decode().split()
        if len(line) != 2 or line[0] != "READY":
            process.kill()
            process.wait()
            raise RuntimeError(f"RTSP server did not start: {line!r}")
        self.port = int(line[1])
        self._process = process

    def kill(self) -> None:
        """SIGKILL: the camera vanishes without a goodbye, as a power cut would do."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            if self._process.stdout is not None:
                self._process.stdout.close()
            self._process = None

    def __enter__(self) -> RtspCamera:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.kill()
