"""tests/faults runs the real agent, so only where the agent's extra is (the 3.11 venv)."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.security.agent_stack import AgentStack

collect_ignore_glob: list[str] = []
if importlib.util.find_spec("onvif") is None:
    collect_ignore_glob.append("test_*.py")


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[AgentStack]:
    """A fresh agent, store and proxy per fault: each fault starts from a clean spool."""
    from tests.security.agent_stack import agent_stack
    from tests.security.trust_world import build_world

    with agent_stack(tmp_path, build_world()) as running:
        yield running
