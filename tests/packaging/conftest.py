"""Fixtures of the packaging tests: the two JSON files HACS and hassfest read first."""

from __future__ import annotations

from typing import Any

import pytest

from tests.packaging.rules import INTEGRATION_DIR, REPO_ROOT, load_json_object


@pytest.fixture
def hacs_json() -> dict[str, Any]:
    return load_json_object(REPO_ROOT / "hacs.json")


@pytest.fixture
def manifest() -> dict[str, Any]:
    return load_json_object(INTEGRATION_DIR / "manifest.json")
