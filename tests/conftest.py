"""Test-wide settings: Hypothesis profiles, and Home Assistant tests only where HA is installed."""

from __future__ import annotations

import importlib.util
import os

from hypothesis import settings

# A 2-core CI machine has noisy timing, so no example has a deadline. In CI every run draws the
# same examples (derandomize), so a red run is reproducible and never depends on luck.
_IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
settings.register_profile("ci", deadline=None, derandomize=_IN_CI, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if _IN_CI else "dev"))

# tests/integration/ imports homeassistant, which only the Python 3.13 HA venv has: where HA is
# missing, pytest's walk of tests/ leaves the folder out. (A file in it named on the command line is
# still imported; scripts/test keeps such arguments away from the 3.11 venv.)
collect_ignore: list[str] = []
if importlib.util.find_spec("homeassistant") is None:
    collect_ignore.append("integration")
    collect_ignore.append("packaging/test_manifest_against_ha.py")
    collect_ignore.append("packaging/test_protocol_identity.py")
# tests/agent/ needs the agent's extra (onvif-zeep-async wants a newer aiohttp than HA 2025.4.4
# pins), so it runs in the agent's Python 3.11 venv only: the agent never runs inside HA.
if importlib.util.find_spec("onvif") is None:
    collect_ignore.append("agent")
# tests/e2e/ runs `hass` and the agent as child processes from their own venvs and reuses
# tests/agent's camera pieces, so it runs in the agent's venv too; in the HA venvs the HA test
# plugin blocks the sockets it needs (scripts/test also keeps named e2e paths away from them).
if "agent" in collect_ignore or importlib.util.find_spec("homeassistant") is not None:
    collect_ignore.append("e2e")
