"""The agent's command line: one sub-command per job (`recover` today; run/pair/status later)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from . import recover


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m camera_agent",
        description="E2EE NVR camera agent: encrypts camera clips for Home Assistant.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    recover.add_arguments(
        commands.add_parser(
            "recover",
            help="decrypt clips from an export archive with the passphrase alone (no HA needed)",
            description=recover.DESCRIPTION,
        )
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "recover":
        return recover.run(args)
    raise AssertionError(f"unhandled command {args.command!r}")
