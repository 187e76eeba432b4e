"""Onboard a fresh Home Assistant: the owner user, an access token and a long-lived token."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp

from devstack.ha_api import HaApi, HaApiError

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "e2ee-nvr-demo"  # noqa: S105 (a throwaway local demo login, printed to the user)


@dataclass(frozen=True)
class Owner:
    """The owner's login and the tokens obtained for it."""

    username: str
    password: str
    access_token: str
    long_lived_token: str


async def onboard(
    base_url: str, username: str = DEMO_USERNAME, password: str = DEMO_PASSWORD
) -> Owner:
    """Create the owner through onboarding (only the `user` step is left; see hass_process),
    trade the auth code for an access token, then make a long-lived token over the websocket."""
    client_id = f"{base_url}/"
    async with aiohttp.ClientSession() as session:
        user = {
            "client_id": client_id,
            "name": "Demo Owner",
            "username": username,
            "password": password,
            "language": "en",
        }
        async with session.post(f"{base_url}/api/onboarding/users", json=user) as response:
            if response.status != 200:
                raise HaApiError(f"onboarding refused the owner: {await response.text()}")
            auth_code = (await response.json())["auth_code"]
        form = {"grant_type": "authorization_code", "code": auth_code, "client_id": client_id}
        async with session.post(f"{base_url}/auth/token", data=form) as response:
            if response.status != 200:
                raise HaApiError(f"/auth/token refused the code: {await response.text()}")
            access_token: str = (await response.json())["access_token"]
    async with HaApi(base_url, access_token) as api:
        socket = await api.websocket()
        try:
            long_lived: str = await socket.call(
                "auth/long_lived_access_token", client_name="e2ee-nvr e2e", lifespan=365
            )
        finally:
            await socket.close()
    return Owner(username, password, access_token, long_lived)


async def login(base_url: str, username: str, password: str) -> str:
    """An access token through HA's login flow, as the login page gets one (for a second
    client of a running HA, e.g. someone else's demo)."""
    client_id = f"{base_url}/"
    async with aiohttp.ClientSession() as session:
        start = {
            "client_id": client_id,
            "handler": ["homeassistant", None],
            "redirect_uri": f"{base_url}/?auth_callback=1",
        }
        async with session.post(f"{base_url}/auth/login_flow", json=start) as response:
            flow_id = (await response.json())["flow_id"]
        form = {"username": username, "password": password, "client_id": client_id}
        async with session.post(f"{base_url}/auth/login_flow/{flow_id}", json=form) as response:
            result = await response.json()
        if result.get("type") != "create_entry":
            raise HaApiError(f"login refused for {username!r}: {result.get('errors')}")
        token_form = {"grant_type": "authorization_code", "code": result["result"]}
        token_form["client_id"] = client_id
        async with session.post(f"{base_url}/auth/token", data=token_form) as response:
            token: str = (await response.json())["access_token"]
    return token
