"""tests/security runs the real agent, so only where the agent's extra is (the 3.11 venv)."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.security.agent_stack import AgentStack

collect_ignore_glob: list[str] = []
if importlib.util.find_spec("onvif") is None:
    collect_ignore_glob.append("test_*.py")


# The stack is shared by the scenario files: one agent, one store, one proxy per session. The
# imports live inside, since this file is also read where the agent is not installed.
@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AgentStack]:
    from tests.security.agent_stack import agent_stack
    from tests.security.trust_world import build_world

    with agent_stack(tmp_path_factory.mktemp("security"), build_world()) as running:
        yield running
