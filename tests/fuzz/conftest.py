"""tests/fuzz runs where the agent's extra is installed (the 3.11 venv), like tests/agent."""

from __future__ import annotations

import importlib.util

collect_ignore: list[str] = []
if importlib.util.find_spec("onvif") is None:
    collect_ignore.append("test_fuzz_short.py")
