"""Builders for agent tests: a real account, a paired agent state folder, a served fake store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from camera_agent.encrypting_sink import EncryptingSink
from camera_agent.ha_client import HaClient
from camera_agent.health import AgentStatus
from camera_agent.spool import Spool
from camera_agent.state import AgentState, atomic_write
from camera_agent.supervise import BackoffSettings
from camera_agent.trust import TrustKeeper
from camera_agent.uploader import Uploader, UploaderSettings
from devstack.ports import free_port as free_port  # re-exported: older tests import it here
from e2ee_nvr_protocol import certs, endpoint
from e2ee_nvr_protocol.device import DeviceTrust
from e2ee_nvr_protocol.passphrase import generate_passphrase
from tests.agent.fake_store import FakeStore, RunningStore
from tests.protocol.account_setup import AccountFixture, PairedDevice, fast_kdf_params, pair_device

FAST_UPLOADS = UploaderSettings(
    heartbeat_interval_seconds=0.2,
    trust_refresh_seconds=0.5,
    refused_retry_seconds=0.2,
    backoff=BackoffSettings(initial_seconds=0.05, max_seconds=0.3),
)


def new_account() -> AccountFixture:
    passphrase = generate_passphrase()
    document, first = endpoint.create_account(passphrase, kdf_params=fast_kdf_params())
    return AccountFixture(passphrase, document, first)


def write_state(folder: Path, device_key: rsa.RSAPrivateKey, trust: DeviceTrust) -> AgentState:
    """A state folder as `pair` leaves it: device key (0600) and pinned trust."""
    state = AgentState(folder)
    state.ensure_folder()
    pem = device_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    atomic_write(folder / "device_key.pem", pem)
    state.save_trust(trust)
    return state


def paired_state(folder: Path, account: AccountFixture) -> tuple[AgentState, PairedDevice]:
    """A device paired to `account`, and its state folder as `pair` leaves it."""
    device = pair_device(account)
    return write_state(folder, device.key, device.trust), device


@dataclass
class AgentParts:
    """The agent's pipeline below capture, wired as `run` wires it."""

    state: AgentState
    device: PairedDevice
    trust: TrustKeeper
    spool: Spool
    sink: EncryptingSink
    status: AgentStatus


def agent_parts(tmp_path: Path, account: AccountFixture, max_bytes: int = 1 << 30) -> AgentParts:
    state, device = paired_state(tmp_path / "state", account)
    trust = TrustKeeper(state)
    trust.load()
    spool = Spool(tmp_path / "spool", max_bytes)
    spool.open()
    sink = EncryptingSink(spool=spool, trust=trust, visible_event_types=["motion"])
    return AgentParts(state, device, trust, spool, sink, AgentStatus())


@asynccontextmanager
async def served_store(tmp_path: Path, account: AccountFixture) -> AsyncIterator[RunningStore]:
    folder = tmp_path / "store"
    folder.mkdir()
    store = FakeStore(folder, account.first.root_cert, account.document.recipient_set)
    running = RunningStore(store, free_port())
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


def uploader_for(
    parts: AgentParts,
    running: RunningStore,
    on_events_visible: Callable[[bool], None] | None = None,
) -> tuple[Uploader, HaClient]:
    cert = certs.load_cert(parts.device.trust.device_cert_der)
    client = HaClient(running.url, running.store.register_agent(cert))
    uploader = Uploader(
        client=client,
        spool=parts.spool,
        trust=parts.trust,
        status=parts.status,
        settings=FAST_UPLOADS,
        on_events_visible=on_events_visible,
    )
    return uploader, client
