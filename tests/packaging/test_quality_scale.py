"""quality_scale.yaml: every rule of the Integration Quality Scale, in hassfest's schema."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from tests.packaging.rules import INTEGRATION_DIR, QUALITY_SCALE_RULES

ALL_RULES = [rule for rules in QUALITY_SCALE_RULES.values() for rule in rules]


@pytest.fixture
def rules() -> dict[str, Any]:
    path = INTEGRATION_DIR / "quality_scale.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    assert set(data) == {"rules"}
    assert isinstance(data["rules"], dict)
    return data["rules"]


def test_the_rule_list_itself() -> None:
    # 20 bronze, 10 silver, 21 gold, 3 platinum, no rule twice.
    assert {tier: len(names) for tier, names in QUALITY_SCALE_RULES.items()} == {
        "bronze": 20,
        "silver": 10,
        "gold": 21,
        "platinum": 3,
    }
    assert len(set(ALL_RULES)) == len(ALL_RULES)


def test_every_rule_is_listed(rules: dict[str, Any]) -> None:
    assert sorted(set(ALL_RULES) - rules.keys()) == []


def test_no_unknown_rule(rules: dict[str, Any]) -> None:
    assert sorted(rules.keys() - set(ALL_RULES)) == []


def test_rules_follow_hassfest_schema(rules: dict[str, Any]) -> None:
    # hassfest accepts "todo" / "done", or {status, comment}; "exempt" only with a comment.
    bad = {}
    for name, value in rules.items():
        if isinstance(value, str):
            ok = value in ("todo", "done")
        else:
            ok = (
                isinstance(value, dict)
                and set(value) == {"status", "comment"}
                and value["status"] in ("todo", "done", "exempt")
                and isinstance(value["comment"], str)
            )
        if not ok:
            bad[name] = value
    assert bad == {}


def test_every_rule_says_why(rules: dict[str, Any]) -> None:
    # Our own rule, stricter than hassfest's: every status comes with its reason.
    silent = [
        name
        for name, value in rules.items()
        if not (isinstance(value, dict) and str(value.get("comment", "")).strip())
    ]
    assert silent == []


def test_brands_done_means_brand_images(rules: dict[str, Any]) -> None:
    value = rules.get("brands")
    status = value.get("status") if isinstance(value, dict) else value
    if status == "done":
        assert (INTEGRATION_DIR / "brand" / "icon.png").is_file()
