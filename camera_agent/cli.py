"""The agent's command line: `run`, `pair`, `status`, `doctor` and `recover`.

Sub-command modules are imported only when chosen, so `recover` works where the agent's
runtime packages (aiohttp, onvif-zeep-async) are not installed.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from . import commands, recover


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m camera_agent",
        description="E2EE NVR camera agent: encrypts camera clips for Home Assistant.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, text in (
        ("run", "record, encrypt and upload until stopped"),
        ("pair", "pair this agent with Home Assistant (shows a one-time code and QR code)"),
        ("status", "cameras, spool depth, last upload and trust state"),
        ("doctor", "check ffmpeg, cameras and Home Assistant, and explain codec limits"),
    ):
        command = sub.add_parser(name, help=text, description=text)
        commands.add_config_argument(command)
        if name == "status":
            command.add_argument("--json", action="store_true", help="machine-readable output")
    recover.add_arguments(
        sub.add_parser(
            "recover",
            help="decrypt clips from an export archive with the passphrase alone (no HA needed)",
            description=recover.DESCRIPTION,
        )
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handlers = {
        "run": commands.run,
        "pair": commands.pair,
        "status": commands.status,
        "doctor": commands.doctor,
        "recover": recover.run,
    }
    return handlers[args.command](args)
