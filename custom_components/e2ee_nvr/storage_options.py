"""Options-flow forms for the storage backend (media folder or bucket) and the off-site copy.

A bucket is checked before it is saved: the options flow lists its prefix with the given
credentials, so a typo shows in the form rather than as a failing entry. The secret stays in
the config entry, like every other credential HA keeps for an integration.
"""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import (
    SelectSelector,
    SelectSelectorConfig,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .clip_objects import StorageUnavailable
from .const import (
    BACKEND_MEDIA_FOLDER,
    BACKEND_S3,
    DEFAULT_OFFSITE_RETENTION_DAYS,
    MAX_RETENTION_DAYS,
    OFFSITE_FOLDER,
    OFFSITE_NONE,
)
from .s3_objects import S3ClipObjects, S3Settings, S3SettingsError
from .storage_location import FolderError, check_writable, storage_path

S3_FIELDS = ("endpoint_url", "region", "bucket", "prefix", "access_key_id", "secret_access_key")


def backend_schema(current: str) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required("backend", default=current): SelectSelector(
                SelectSelectorConfig(
                    options=[BACKEND_MEDIA_FOLDER, BACKEND_S3], translation_key="backend"
                )
            )
        }
    )


def s3_schema(defaults: dict[str, Any]) -> vol.Schema:
    password = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
    return vol.Schema(
        {
            vol.Required("endpoint_url", default=defaults.get("endpoint_url", "")): str,
            vol.Optional("region", default=defaults.get("region", "us-east-1")): str,
            vol.Required("bucket", default=defaults.get("bucket", "")): str,
            vol.Optional("prefix", default=defaults.get("prefix", "")): str,
            vol.Required("access_key_id", default=defaults.get("access_key_id", "")): str,
            vol.Required(
                "secret_access_key", default=defaults.get("secret_access_key", "")
            ): password,
        }
    )


def offsite_schema(defaults: dict[str, Any]) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required("target", default=defaults.get("target", OFFSITE_NONE)): SelectSelector(
                SelectSelectorConfig(
                    options=[OFFSITE_NONE, BACKEND_S3, OFFSITE_FOLDER], translation_key="offsite"
                )
            ),
            vol.Required(
                "retention_days",
                default=defaults.get("retention_days", DEFAULT_OFFSITE_RETENTION_DAYS),
            ): vol.All(vol.Coerce(int), vol.Range(min=1, max=MAX_RETENTION_DAYS)),
        }
    )


def folder_schema(hass: HomeAssistant, defaults: dict[str, Any]) -> vol.Schema:
    media_dirs = list(hass.config.media_dirs)
    return vol.Schema(
        {
            vol.Required("media_dir", default=defaults.get("media_dir", media_dirs[0])): vol.In(
                media_dirs
            ),
            vol.Required("folder", default=defaults.get("folder", "e2ee_nvr_offsite")): str,
        }
    )


def _check_bucket(user_input: dict[str, Any]) -> None:
    S3ClipObjects(S3Settings.from_options(user_input)).check()


async def validate_bucket(hass: HomeAssistant, user_input: dict[str, Any]) -> dict[str, str]:
    """Form errors for bucket settings; empty when the bucket answers to these credentials."""
    try:
        await hass.async_add_executor_job(_check_bucket, user_input)
    except S3SettingsError as err:
        return {"base": str(err)}
    except StorageUnavailable:
        return {"base": "bucket_unreachable"}
    return {}


async def validate_folder(hass: HomeAssistant, user_input: dict[str, Any]) -> dict[str, str]:
    try:
        path = storage_path(hass, user_input["media_dir"], user_input["folder"])
        await hass.async_add_executor_job(check_writable, path)
    except FolderError as err:
        return {"folder": str(err)}
    return {}
