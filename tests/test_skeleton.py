"""Checks of the packaging itself: one protocol, one import name, in the agent's process.

The protocol package is the folder Home Assistant ships (custom_components/e2ee_nvr/protocol/);
the agent's distribution installs that same folder as `e2ee_nvr_protocol`. A module importable
under two names would be two modules: an error raised under one name would slip past the other's
`except ProtocolError`. tests/packaging/test_protocol_identity.py checks the Home Assistant side.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

import pytest

import camera_agent
import e2ee_nvr_protocol
from camera_agent.state import AgentState
from camera_agent.trust import RecordingBlocked, TrustKeeper
from tests.packaging.loaded_modules import names_loaded_from
from tests.protocol.account_setup import new_account, pair_device

REPO_ROOT = Path(__file__).resolve().parent.parent
PROTOCOL_DIR = REPO_ROOT / "custom_components" / "e2ee_nvr" / "protocol"


def test_protocol_package_is_the_integration_folder() -> None:
    # Not a copy in site-packages: the agent and the tests run the very code that HACS installs
    # (the strict editable install is a tree of links to it).
    module_file = Path(e2ee_nvr_protocol.__file__ or "").resolve()
    assert module_file == PROTOCOL_DIR / "__init__.py"


def test_the_agent_process_knows_the_protocol_by_one_name() -> None:
    # Import every module of the agent, as `e2ee-nvr-agent run` and `recover` would.
    loaded_from_protocol = names_loaded_from(PROTOCOL_DIR, camera_agent)
    assert loaded_from_protocol
    assert {name.split(".")[0] for name in loaded_from_protocol} == {"e2ee_nvr_protocol"}
    # Home Assistant's name for the package cannot even be imported here.
    assert importlib.util.find_spec("homeassistant") is None


def test_an_error_raised_in_the_protocol_is_caught_by_the_agents_name(tmp_path: Path) -> None:
    # A pinned trust whose device certificate is for another key: the protocol raises
    # UntrustedKey deep in its certificate checks, and the agent's own `except ProtocolError`
    # (camera_agent/state.py) must catch it, blocking recording instead of crashing.
    state = AgentState(tmp_path)
    state.ensure_folder()
    state.create_device_key()
    state.save_trust(pair_device(new_account()).trust)
    keeper = TrustKeeper(state)
    keeper.load()
    assert keeper.blocked_reason is not None
    assert "UntrustedKey" in keeper.blocked_reason
    with pytest.raises(RecordingBlocked):
        keeper.current_set()
