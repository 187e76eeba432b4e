"""What the running agent reports about itself: the status shared by its jobs and the health file.

The health file (`<state_dir>/health.json`) is rewritten every loop with a timestamp, so a
supervisor or the add-on watchdog can tell a stuck agent (stale file) from a sick one (status).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .state import atomic_write

HEALTH_FILE = "health.json"
# What each camera is doing, as capture reports it: "recording" only once fragments flow.
CameraState = Literal["connecting", "recording", "failing", "stopped"]
# The heartbeat's camera states as the integration has always accepted them (http_agent.py);
# the heartbeat keeps sending these, with the reason in `detail`, so an integration of any
# version accepts it.
HEARTBEAT_STATE: dict[CameraState, str] = {
    "connecting": "reconnecting",
    "recording": "recording",
    "failing": "error",
    "stopped": "idle",
}


@dataclass
class CameraStatus:
    state: CameraState = "connecting"
    detail: str = ""


@dataclass
class AgentStatus:
    """Mutable, owned by the run command; each job updates its own part."""

    cameras: dict[str, CameraStatus] = field(default_factory=dict)
    needs_pairing: bool = False
    recording_blocked: str | None = None
    ha_reachable: bool = False
    last_upload_unix: float | None = None
    uploaded_clips: int = 0
    failed_upload_rounds: int = 0
    last_error: str | None = None
    # Set once the agent has stopped: it never claims "ok" for a process that is gone.
    stopped: bool = False
    # Live sessions by camera: {"session_id", "viewers", "confirmed"} (no key material).
    live: dict[str, dict[str, Any]] = field(default_factory=dict)

    def set_camera(self, camera_id: str, state: CameraState, detail: str = "") -> None:
        self.cameras[camera_id] = CameraStatus(state, detail)

    def overall(self) -> str:
        if self.stopped:
            return "stopped"
        if self.needs_pairing:
            return "needs_pairing"
        if self.recording_blocked is not None:
            return "not_recording"
        if any(c.state in ("failing", "stopped") for c in self.cameras.values()):
            return "degraded"
        return "ok"

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.overall(),
            "updated_unix": time.time(),
            "needs_pairing": self.needs_pairing,
            "recording_blocked": self.recording_blocked,
            "ha_reachable": self.ha_reachable,
            "last_upload_unix": self.last_upload_unix,
            "uploaded_clips": self.uploaded_clips,
            "failed_upload_rounds": self.failed_upload_rounds,
            "last_error": self.last_error,
            "cameras": {
                camera_id: {"state": c.state, "detail": c.detail}
                for camera_id, c in sorted(self.cameras.items())
            },
            "live": dict(sorted(self.live.items())),
        }


def write_health(state_dir: Path, status: AgentStatus) -> None:
    atomic_write(state_dir / HEALTH_FILE, json.dumps(status.to_json()).encode("utf-8"), 0o644)


def read_health(state_dir: Path) -> dict[str, Any] | None:
    path = state_dir / HEALTH_FILE
    if not path.exists():
        return None
    try:
        document = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) else None
