"""One protocol, one import name, in Home Assistant's process (runs in the HA venvs only).

Home Assistant imports the integration as `custom_components.e2ee_nvr`, and the integration
reaches its protocol package relatively. The HA venvs do not install this project, so the
agent's name for the same folder, `e2ee_nvr_protocol`, does not exist there: no test or module
can load a second copy whose ProtocolError the integration's `except` would not catch.
tests/test_skeleton.py checks the agent's side.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

import pytest

import custom_components.e2ee_nvr
from custom_components.e2ee_nvr.protocol.account import AccountDocument
from custom_components.e2ee_nvr.protocol.errors import ProtocolError
from tests.packaging.loaded_modules import names_loaded_from

PROTOCOL_DIR = Path(custom_components.e2ee_nvr.__file__).resolve().parent / "protocol"


def test_the_agents_name_for_the_protocol_does_not_exist_here() -> None:
    assert importlib.util.find_spec("e2ee_nvr_protocol") is None


def test_home_assistants_process_knows_the_protocol_by_one_name() -> None:
    loaded_from_protocol = names_loaded_from(PROTOCOL_DIR, custom_components.e2ee_nvr)
    assert "custom_components.e2ee_nvr.protocol.errors" in loaded_from_protocol
    assert all(
        name.startswith("custom_components.e2ee_nvr.protocol") for name in loaded_from_protocol
    )


def test_an_error_raised_in_the_protocol_is_caught_by_the_integrations_name() -> None:
    # An account document that does not parse, as the store's websocket command receives it:
    # the protocol raises, and the integration's own name for ProtocolError catches it.
    with pytest.raises(ProtocolError) as refused:
        AccountDocument.from_json({"v": 1, "type": "account"})
    assert type(refused.value).__module__.startswith("custom_components.e2ee_nvr.protocol.")
