"""Repair issues: storage running low, a silent camera agent, an off-site copy behind.

Both are raised and cleared by the coordinator's checks; neither has a fix flow, since the fix
(free some space, restart the agent or its network) happens outside Home Assistant.
"""

from __future__ import annotations

from pathlib import Path

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .agents import AgentRecord
from .const import AGENT_SILENT_SECONDS, DOMAIN, LOW_FREE_SPACE_BYTES

ISSUE_LOW_STORAGE = "low_storage"
ISSUE_AGENT_SILENT = "agent_silent"
ISSUE_OFFSITE_BEHIND = "offsite_behind"
ISSUE_OFFSITE_UNUSABLE = "offsite_unusable"


def agent_issue_id(device_id: str) -> str:
    return f"{ISSUE_AGENT_SILENT}_{device_id}"


def check_free_space(hass: HomeAssistant, free_bytes: int, folder: Path) -> None:
    if free_bytes >= LOW_FREE_SPACE_BYTES:
        ir.async_delete_issue(hass, DOMAIN, ISSUE_LOW_STORAGE)
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        ISSUE_LOW_STORAGE,
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=ISSUE_LOW_STORAGE,
        translation_placeholders={
            "folder": str(folder),
            "free_gb": f"{free_bytes / 1e9:.1f}",
            "threshold_gb": f"{LOW_FREE_SPACE_BYTES / 1e9:.0f}",
        },
    )


def agent_silent(hass: HomeAssistant, record: AgentRecord) -> None:
    ir.async_create_issue(
        hass,
        DOMAIN,
        agent_issue_id(record.device_id),
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=ISSUE_AGENT_SILENT,
        translation_placeholders={
            "agent": record.agent_name,
            "minutes": str(AGENT_SILENT_SECONDS // 60),
        },
    )


def agent_back(hass: HomeAssistant, device_id: str) -> None:
    ir.async_delete_issue(hass, DOMAIN, agent_issue_id(device_id))


def check_offsite(hass: HomeAssistant, behind: bool, waiting: int, error: str | None) -> None:
    """Raise the issue while the off-site copy's oldest waiting clip is too old; else clear it."""
    if not behind:
        ir.async_delete_issue(hass, DOMAIN, ISSUE_OFFSITE_BEHIND)
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        ISSUE_OFFSITE_BEHIND,
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=ISSUE_OFFSITE_BEHIND,
        translation_placeholders={"waiting": str(waiting), "error": error or "none"},
    )


def offsite_unusable(hass: HomeAssistant, reason: str) -> None:
    ir.async_create_issue(
        hass,
        DOMAIN,
        ISSUE_OFFSITE_UNUSABLE,
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key=ISSUE_OFFSITE_UNUSABLE,
        translation_placeholders={"reason": reason},
    )


def offsite_usable(hass: HomeAssistant) -> None:
    ir.async_delete_issue(hass, DOMAIN, ISSUE_OFFSITE_UNUSABLE)


def clear_all(hass: HomeAssistant) -> None:
    """Forget this integration's issues (the entry unloads; nobody would clear them)."""
    registry = ir.async_get(hass)
    for domain, issue_id in list(registry.issues):
        if domain == DOMAIN:
            ir.async_delete_issue(hass, domain, issue_id)
