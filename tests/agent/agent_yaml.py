"""The agent's YAML for tests that run the real agent process: one folder holds it all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def write_agent_yaml(folder: Path, ha_url: str, **settings: Any) -> Path:
    """`folder`/agent.yaml (the schema of camera_agent/config.py) with the state and spool
    folders inside `folder`, then `settings` (agent_name, cameras, ...) in the order given."""
    folder.mkdir(parents=True, exist_ok=True)
    document = {
        "ha_url": ha_url,
        "state_dir": str(folder / "state"),
        "spool_dir": str(folder / "spool"),
        **settings,
    }
    path = folder / "agent.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path
