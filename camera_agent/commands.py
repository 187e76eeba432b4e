"""The agent's sub-commands other than `recover`: run, pair, status, doctor."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time
from pathlib import Path
from typing import Any

from .config import AgentConfig, ConfigError, load_config
from .logs import setup_logging
from .redact import SECRETS

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG = 2
DEFAULT_CONFIG = Path("/etc/e2ee-nvr/agent.yaml")
# The health file is rewritten every 5 s; older than this, the agent is not running (or stuck).
STALE_HEALTH_SECONDS = 60
LOG = logging.getLogger(__name__)


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", type=Path, default=DEFAULT_CONFIG, help=f"YAML file (default {DEFAULT_CONFIG})"
    )
    parser.add_argument("--json-logs", action="store_true", help="log as JSON lines")


def _load(args: argparse.Namespace) -> AgentConfig | None:
    try:
        config = load_config(args.config)
    except ConfigError as err:
        setup_logging("text")
        LOG.error("configuration refused: %s", err)
        return None
    register_secrets(config)
    setup_logging("json" if args.json_logs else config.log_format)
    return config


def register_secrets(config: AgentConfig) -> None:
    """Every camera password, so the log filter masks it even where it appears outside a URL."""
    for camera in config.cameras:
        if camera.rtsp_url is not None:
            SECRETS.add_url(camera.rtsp_url)
        if camera.onvif is not None:
            SECRETS.add(camera.onvif.password)


def run(args: argparse.Namespace) -> int:
    config = _load(args)
    if config is None:
        return EXIT_CONFIG
    from .run import run_agent

    return asyncio.run(run_agent(config))


def pair(args: argparse.Namespace) -> int:
    config = _load(args)
    if config is None:
        return EXIT_CONFIG
    from .ha_client import HaClient
    from .pairing_flow import PairingFailed, pair_agent
    from .state import AgentState

    async def go() -> int:
        client = HaClient(config.ha_url)
        try:
            trust = await pair_agent(config, AgentState(config.state_dir), client)
        except PairingFailed as err:
            LOG.error("pairing failed: %s", err)
            return EXIT_FAILED
        finally:
            await client.close()
        print(f"Paired with account {trust.account_id}. Start recording with `run`.")
        return EXIT_OK

    return asyncio.run(go())


def status_report(config: AgentConfig) -> dict[str, Any]:
    """Everything `status` shows, from the files a running agent keeps (no network)."""
    from .health import read_health
    from .spool import Spool
    from .state import AgentState, StateError

    state = AgentState(config.state_dir)
    trust: dict[str, Any] = {"paired": False}
    try:
        pinned = state.load_trust()
    except StateError as err:
        trust = {"paired": False, "error": str(err)}
    else:
        if pinned is not None:
            trust = {
                "paired": True,
                "account_id": pinned.account_id,
                "epoch": pinned.current_set().epoch,
            }
    spool_dir = config.spool_dir
    depth = Spool(spool_dir, config.spool_max_bytes).depth() if spool_dir.exists() else None
    health = read_health(config.state_dir) or {}
    age = None if "updated_unix" not in health else round(time.time() - health["updated_unix"])
    agent_status = health.get("status", "not running")
    if age is not None and age > STALE_HEALTH_SECONDS and agent_status != "stopped":
        # A killed or hung agent cannot say so: its last word is not its state now.
        agent_status = f"not running (no report for {age} s)"
    return {
        "cameras": [
            {
                "camera_id": c.camera_id,
                "name": c.name,
                **health.get("cameras", {}).get(c.camera_id, {}),
            }
            for c in config.cameras
        ],
        "spool": {"clips": depth.clips if depth else 0, "bytes": depth.size_bytes if depth else 0},
        "last_upload_unix": health.get("last_upload_unix"),
        "agent_status": agent_status,
        "health_age_seconds": age,
        "trust": trust,
    }


def status(args: argparse.Namespace) -> int:
    config = _load(args)
    if config is None:
        return EXIT_CONFIG
    report = status_report(config)
    if args.json:
        print(json.dumps(report, indent=2))
        return EXIT_OK
    trust = report["trust"]
    print(f"agent: {report['agent_status']} (health file {report['health_age_seconds']} s old)")
    if trust["paired"]:
        print(
            f"trust: paired to account {trust['account_id']}, recipient set epoch {trust['epoch']}"
        )
    else:
        print(f"trust: NOT PAIRED {trust.get('error', '(run `pair`)')}")
    print(f"spool: {report['spool']['clips']} clips, {report['spool']['bytes']} bytes")
    last = report["last_upload_unix"]
    print(
        "last upload: "
        + (time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(last)) if last else "never")
    )
    for camera in report["cameras"]:
        state = f"{camera.get('state', 'unknown')} {camera.get('detail', '')}".strip()
        print(f"camera {camera['camera_id']} ({camera['name']}): {state}")
    return EXIT_OK


def doctor(args: argparse.Namespace) -> int:
    config = _load(args)
    if config is None:
        return EXIT_CONFIG
    from .doctor import run_doctor

    findings = asyncio.run(run_doctor(config))
    for finding in findings:
        print(finding.line())
    return EXIT_OK if all(f.ok for f in findings) else EXIT_FAILED
