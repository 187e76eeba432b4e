"""Checks every panel websocket response against docs/panel-api.schema.json.

The schema is generated from the zod schemas the panel validates with
(frontend/scripts/panel-api-schema.mjs), so a response that passes here is one the browser
accepts. nvr_helpers.ws_call runs this on every response a test receives.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]  # (no stubs)

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "panel-api.schema.json"


@cache
def panel_api_schema() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(document)
    return document


@cache
def _validator(pointer: str) -> Draft202012Validator:
    """A validator of one part of the document (its $refs resolve within the document)."""
    document = panel_api_schema()
    return Draft202012Validator({**document, "$ref": pointer})


def check_panel_response(command: str, response: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError unless `response` is what the panel accepts."""
    if not command.startswith("e2ee_nvr/"):
        return
    if not response.get("success"):
        _validator("#/error").validate(response["error"])
        return
    if command not in panel_api_schema()["responses"]:
        raise AssertionError(f"{command} is not in docs/panel-api.schema.json")
    _validator(f"#/responses/{command.replace('/', '~1')}").validate(response["result"])
