"""Config flow (single instance), options flow and reconfigure for the e2ee_nvr integration."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Final

import voluptuous as vol
from homeassistant.config_entries import ConfigEntryState, ConfigFlow, ConfigFlowResult, OptionsFlow
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)

from .const import (
    BACKEND_MEDIA_FOLDER,
    BACKEND_S3,
    CONF_BACKEND,
    CONF_CAMERA_RETENTION,
    CONF_EVENTS_VISIBLE,
    CONF_FOLDER,
    CONF_MEDIA_DIR,
    CONF_OFFSITE,
    CONF_RETENTION_DAYS,
    CONF_S3,
    CONF_STORAGE_CAP_GB,
    DEFAULT_EVENTS_VISIBLE,
    DEFAULT_FOLDER,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_STORAGE_CAP_GB,
    DOMAIN,
    MAX_RETENTION_DAYS,
    OFFSITE_FOLDER,
)
from .runtime import E2eeConfigEntry, camera_key
from .storage_location import FolderError, check_writable, storage_path
from .storage_options import (
    backend_schema,
    folder_schema,
    offsite_schema,
    s3_schema,
    validate_bucket,
    validate_folder,
)

CONF_CAMERA: Final = "camera"


async def validate_location(hass: HomeAssistant, user_input: dict[str, Any]) -> dict[str, str]:
    """Form errors for a media folder choice; empty when it is usable."""
    try:
        path = storage_path(hass, user_input[CONF_MEDIA_DIR], user_input[CONF_FOLDER])
        await hass.async_add_executor_job(check_writable, path)
    except FolderError as err:
        return {CONF_FOLDER: str(err)}
    return {}


def _location_schema(hass: HomeAssistant, defaults: dict[str, Any]) -> vol.Schema:
    media_dirs = list(hass.config.media_dirs)
    return vol.Schema(
        {
            vol.Required(
                CONF_MEDIA_DIR, default=defaults.get(CONF_MEDIA_DIR, media_dirs[0])
            ): vol.In(media_dirs),
            vol.Required(CONF_FOLDER, default=defaults.get(CONF_FOLDER, DEFAULT_FOLDER)): str,
        }
    )


def _settings_schema(defaults: dict[str, Any]) -> dict[vol.Marker, Any]:
    return {
        vol.Required(
            CONF_RETENTION_DAYS, default=defaults.get(CONF_RETENTION_DAYS, DEFAULT_RETENTION_DAYS)
        ): vol.All(vol.Coerce(int), vol.Range(min=1, max=MAX_RETENTION_DAYS)),
        vol.Required(
            CONF_STORAGE_CAP_GB, default=defaults.get(CONF_STORAGE_CAP_GB, DEFAULT_STORAGE_CAP_GB)
        ): vol.All(vol.Coerce(float), vol.Range(min=0.1)),
        vol.Required(
            CONF_EVENTS_VISIBLE, default=defaults.get(CONF_EVENTS_VISIBLE, DEFAULT_EVENTS_VISIBLE)
        ): bool,
    }


class E2eeNvrConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up the one E2EE NVR store: where clips go, how long they stay."""

    VERSION = 1

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        if not self.hass.config.media_dirs:
            return self.async_abort(reason="no_media_dirs")
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = await validate_location(self.hass, user_input)
            if not errors:
                location = {k: user_input[k] for k in (CONF_MEDIA_DIR, CONF_FOLDER)}
                settings = {k: v for k, v in user_input.items() if k not in location}
                return self.async_create_entry(title="E2EE NVR", data=location, options=settings)
        defaults = user_input or {}
        schema = _location_schema(self.hass, defaults).extend(_settings_schema(defaults))
        return self.async_show_form(step_id="user", data_schema=schema, errors=errors)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = await validate_location(self.hass, user_input)
            if not errors:
                return self.async_update_reload_and_abort(entry, data_updates=user_input)
        defaults = user_input or dict(entry.data)
        return self.async_show_form(
            step_id="reconfigure", data_schema=_location_schema(self.hass, defaults), errors=errors
        )

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: E2eeConfigEntry) -> E2eeNvrOptionsFlow:
        return E2eeNvrOptionsFlow()


class E2eeNvrOptionsFlow(OptionsFlow):
    """Retention (default and per camera), storage cap, event visibility, backend, off-site."""

    _offsite: dict[str, Any]

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        return self.async_show_menu(
            step_id="init", menu_options=["settings", "camera_retention", "storage", "offsite"]
        )

    def _save(self, **changes: Any) -> ConfigFlowResult:
        return self.async_create_entry(data={**self.config_entry.options, **changes})

    async def async_step_storage(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Where committed clips go: the media folder, or a bucket (next step)."""
        if user_input is not None:
            if user_input[CONF_BACKEND] == BACKEND_S3:
                return await self.async_step_storage_s3()
            return self._save(**{CONF_BACKEND: BACKEND_MEDIA_FOLDER})
        current = self.config_entry.options.get(CONF_BACKEND, BACKEND_MEDIA_FOLDER)
        return self.async_show_form(step_id="storage", data_schema=backend_schema(current))

    async def async_step_storage_s3(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return await self._checked_step(
            "storage_s3",
            user_input,
            validate_bucket,
            s3_schema(user_input or dict(self.config_entry.options.get(CONF_S3, {}))),
            lambda bucket: self._save(**{CONF_BACKEND: BACKEND_S3, CONF_S3: bucket}),
        )

    async def async_step_offsite(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The off-site copy: none, a bucket or a folder, and how long it keeps clips."""
        current = dict(self.config_entry.options.get(CONF_OFFSITE, {}))
        if user_input is not None:
            self._offsite = {**current, **user_input}
            if user_input["target"] == BACKEND_S3:
                return await self.async_step_offsite_s3()
            if user_input["target"] == OFFSITE_FOLDER:
                return await self.async_step_offsite_folder()
            return self._save(**{CONF_OFFSITE: self._offsite})
        return self.async_show_form(step_id="offsite", data_schema=offsite_schema(current))

    async def async_step_offsite_s3(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        schema = s3_schema(user_input or self._offsite)
        return await self._checked_step(
            "offsite_s3", user_input, validate_bucket, schema, self._save_offsite
        )

    async def async_step_offsite_folder(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        schema = folder_schema(self.hass, user_input or self._offsite)
        return await self._checked_step(
            "offsite_folder", user_input, validate_folder, schema, self._save_offsite
        )

    def _save_offsite(self, target: dict[str, Any]) -> ConfigFlowResult:
        return self._save(**{CONF_OFFSITE: {**self._offsite, **target}})

    async def _checked_step(
        self,
        step_id: str,
        user_input: dict[str, Any] | None,
        validate: Callable[[HomeAssistant, dict[str, Any]], Awaitable[dict[str, str]]],
        schema: vol.Schema,
        save: Callable[[dict[str, Any]], ConfigFlowResult],
    ) -> ConfigFlowResult:
        """A form saved only once `validate` reached what it names (a bucket, a folder)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = await validate(self.hass, user_input)
            if not errors:
                return save(user_input)
        return self.async_show_form(step_id=step_id, data_schema=schema, errors=errors)

    async def async_step_settings(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        if user_input is not None:
            return self.async_create_entry(data={**self.config_entry.options, **user_input})
        schema = vol.Schema(_settings_schema(dict(self.config_entry.options)))
        return self.async_show_form(step_id="settings", data_schema=schema)

    def _cameras(self) -> list[SelectOptionDict]:
        entry: E2eeConfigEntry = self.config_entry
        if entry.state is not ConfigEntryState.LOADED:
            return []
        return [
            SelectOptionDict(
                value=camera_key(record.device_id, camera.camera_id),
                label=f"{camera.name} ({record.agent_name})",
            )
            for record in entry.runtime_data.agents.active()
            for camera in record.cameras
        ]

    async def async_step_camera_retention(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """One camera's retention in days; 0 returns it to the default."""
        cameras = self._cameras()
        if not cameras:
            return self.async_abort(reason="no_cameras")
        overrides = dict(self.config_entry.options.get(CONF_CAMERA_RETENTION, {}))
        if user_input is not None:
            days = user_input[CONF_RETENTION_DAYS]
            if days:
                overrides[user_input[CONF_CAMERA]] = days
            else:
                overrides.pop(user_input[CONF_CAMERA], None)
            return self.async_create_entry(
                data={**self.config_entry.options, CONF_CAMERA_RETENTION: overrides}
            )
        schema = vol.Schema(
            {
                vol.Required(CONF_CAMERA): SelectSelector(
                    SelectSelectorConfig(options=cameras, mode=SelectSelectorMode.DROPDOWN)
                ),
                vol.Required(CONF_RETENTION_DAYS, default=0): vol.All(
                    vol.Coerce(int), vol.Range(min=0, max=MAX_RETENTION_DAYS)
                ),
            }
        )
        return self.async_show_form(
            step_id="camera_retention",
            data_schema=schema,
            description_placeholders={
                "default_days": str(
                    self.config_entry.options.get(CONF_RETENTION_DAYS, DEFAULT_RETENTION_DAYS)
                ),
                "overrides": ", ".join(f"{k}: {v} d" for k, v in sorted(overrides.items()))
                or "none",
            },
        )
