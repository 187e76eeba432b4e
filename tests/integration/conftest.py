"""Fixtures for the e2ee_nvr integration tests: a real HA with a media folder and the entry."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_socket  # type: ignore[import-untyped]  # no stubs; one call below
from aiohttp.test_utils import TestClient
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator, WebSocketGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.location import PyTestLocation

from custom_components.e2ee_nvr.const import (
    CONF_EVENTS_VISIBLE,
    CONF_FOLDER,
    CONF_MEDIA_DIR,
    CONF_RETENTION_DAYS,
    CONF_STORAGE_CAP_GB,
    DOMAIN,
)
from tests.integration.nvr_helpers import (
    AccountFixture,
    Agent,
    create_account,
    fixed_device_key,
    new_account,
    pair_agent,
    send_heartbeat,
)
from tests.integration.s3_server import WeedServer, running_weed

# Reads every object of a bucket, by key (the `bucket_objects` fixture).
BucketObjects = Callable[[], Awaitable[dict[str, bytes]]]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> Iterator[None]:
    yield


class NvrSnapshotExtension(HomeAssistantSnapshotExtension):
    """Snapshots in tests/integration/snapshots/ on every HA version.

    The HA 2025.4 test package keeps syrupy's `__snapshots__`, the 2026.2 one uses `snapshots`;
    one folder lets both venvs read the same .ambr files.
    """

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        return str(Path(test_location.filepath).parent / "snapshots")


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(NvrSnapshotExtension)


@pytest.fixture(scope="session")
def account() -> AccountFixture:
    """One real account (fast KDF parameters) shared by the tests, as the panel would make it."""
    return new_account()


@pytest.fixture(scope="session")
def other_account() -> AccountFixture:
    return new_account()


@pytest.fixture(scope="session")
def weed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WeedServer]:
    """A real S3 server (SeaweedFS) on loopback, shared by the session's bucket tests.

    HA's test plugin blocks sockets in every test; a bucket test asks for `socket_enabled`
    (pytest-socket), and the server starts with sockets allowed for its first test.
    """
    pytest_socket.enable_socket()
    yield from running_weed(tmp_path_factory.mktemp("weed"))


@pytest.fixture
def media_root(hass: HomeAssistant, tmp_path: Path) -> Path:
    """HA's media folder and config folder, both under the test's own tmp_path."""
    media = tmp_path / "media"
    media.mkdir()
    config = tmp_path / "config"
    config.mkdir()
    hass.config.media_dirs = {"local": str(media)}
    hass.config.config_dir = str(config)
    return media


def entry_options(**overrides: Any) -> dict[str, Any]:
    options: dict[str, Any] = {
        CONF_RETENTION_DAYS: 30,
        CONF_STORAGE_CAP_GB: 100.0,
        CONF_EVENTS_VISIBLE: True,
    }
    options.update(overrides)
    return options


def nvr_entry(**options: Any) -> MockConfigEntry:
    """The integration's entry: clips under the media folder's "nvr", with these options."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="E2EE NVR",
        data={CONF_MEDIA_DIR: "local", CONF_FOLDER: "nvr"},
        options=entry_options(**options),
    )


@pytest.fixture
def mock_config_entry(media_root: Path) -> MockConfigEntry:
    return nvr_entry()


@pytest.fixture
def bucket(weed: WeedServer, socket_enabled: None) -> str:
    """A fresh, empty bucket on the session's S3 server."""
    return weed.new_bucket()


@pytest.fixture
def bucket_objects(hass: HomeAssistant, weed: WeedServer, bucket: str) -> BucketObjects:
    """Reads every object of the test's bucket, by key, through S3 (off the event loop)."""

    async def read() -> dict[str, bytes]:
        objects: dict[str, bytes] = await hass.async_add_executor_job(weed.objects, bucket)
        return objects

    return read


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> AsyncIterator[MockConfigEntry]:
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    yield mock_config_entry


# ---------------------------------------------------------------------------- shared set-up
# The panel and agent roles most tests play, over the real HTTP views and websocket commands.


@pytest.fixture
async def client(
    init_integration: MockConfigEntry, hass_client: ClientSessionGenerator
) -> TestClient[Any, Any]:
    """An HTTP client of the loaded integration (as the agents reach it)."""
    return await hass_client()


@pytest.fixture
async def ws(init_integration: MockConfigEntry, hass_ws_client: WebSocketGenerator) -> Any:
    """A websocket of the loaded integration, signed in as an admin (as the panel is)."""
    return await hass_ws_client()


@pytest.fixture
async def account_ws(ws: Any, account: AccountFixture) -> Any:
    """The admin's websocket once E2EE is on (the shared account created)."""
    await create_account(ws, account)
    return ws


@pytest.fixture
def agent_cameras(request: pytest.FixtureRequest) -> tuple[str, ...]:
    """The cameras the `agent` fixture offers: the test module's AGENT_CAMERAS if it sets
    one, else the front door alone."""
    cameras: tuple[str, ...] = getattr(request.module, "AGENT_CAMERAS", ("front-door",))
    return cameras


@pytest.fixture
async def agent(
    client: TestClient[Any, Any],
    account_ws: Any,
    account: AccountFixture,
    agent_cameras: tuple[str, ...],
) -> Agent:
    """One agent with the cameras of `agent_cameras`, paired through the whole exchange."""
    return await pair_agent(client, account_ws, account, cameras=agent_cameras)


@pytest.fixture
async def second_agent(
    client: TestClient[Any, Any], account_ws: Any, account: AccountFixture, agent: Agent
) -> Agent:
    """Another agent of the same account, with a back-yard camera, paired after `agent`."""
    return await pair_agent(client, account_ws, account, cameras=("back-yard",))


@pytest.fixture
async def snapshot_agent(
    hass: HomeAssistant,
    client: TestClient[Any, Any],
    account_ws: Any,
    account: AccountFixture,
    agent_cameras: tuple[str, ...],
) -> Agent:
    """Like `agent`, with the fixed device key (so snapshots are stable), after one heartbeat."""
    agent = await pair_agent(
        client, account_ws, account, cameras=agent_cameras, key=fixed_device_key()
    )
    await send_heartbeat(client, agent, agent_cameras)
    await hass.async_block_till_done()
    return agent
