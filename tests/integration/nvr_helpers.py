"""Play the other two roles over the real HTTP and websocket APIs: a camera agent and a panel."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key

# The protocol by the one name Home Assistant's process knows it by: these venvs do not install
# `e2ee_nvr_protocol` (see pyproject.toml), so the tests share the integration's classes.
from custom_components.e2ee_nvr.protocol import endpoint, kdf, pairing, primitives
from custom_components.e2ee_nvr.protocol.account import AccountDocument
from custom_components.e2ee_nvr.protocol.clip import ClipEncryptor, ClipEvent
from custom_components.e2ee_nvr.protocol.device import DeviceTrust
from custom_components.e2ee_nvr.protocol.envelope import MacedEnvelope, SignedEnvelope
from custom_components.e2ee_nvr.protocol.identifiers import key_id
from custom_components.e2ee_nvr.protocol.passphrase import generate_passphrase
from tests.integration.panel_api_schema import check_panel_response

AGENT = "/api/e2ee_nvr/agent"
MARKER = b"E2EE-NVR-PLAINTEXT-MARKER-7f3a"
CODECS = "avc1.64001f"
FIXTURES = Path(__file__).parent / "fixtures"
DAY_MS = 86_400_000


@dataclass
class AccountFixture:
    """A real account as the panel makes it: passphrase, store document, first endpoint."""

    passphrase: str
    document: AccountDocument
    first: endpoint.Endpoint


def new_account() -> AccountFixture:
    """A real account with a fresh passphrase and the cheapest KDF parameters section 4 allows
    (real derivations at test-suite speed). tests/protocol/account_setup.py builds the same for
    the 3.11 venv, under the name the agent imports the protocol by."""
    fast = kdf.KdfParams.new_default(scrypt_n_log2=15, pbkdf2_iterations=10_000)
    passphrase = generate_passphrase()
    document, first = endpoint.create_account(passphrase, kdf_params=(fast, fast))
    return AccountFixture(passphrase, document, first)


async def ws_call(ws: Any, **message: Any) -> dict[str, Any]:
    """One websocket command; returns the whole response (success or error).

    Every response is checked against the panel's schema (docs/panel-api.schema.json).
    """
    await ws.send_json_auto_id(message)
    response: dict[str, Any] = await ws.receive_json()
    check_panel_response(message["type"], response)
    return response


async def ws_ok(ws: Any, **message: Any) -> Any:
    response = await ws_call(ws, **message)
    assert response["success"], response
    return response["result"]


@dataclass
class Agent:
    """A paired device as the camera agent holds it."""

    key: rsa.RSAPrivateKey
    trust: DeviceTrust
    token: str
    session_id: str

    @property
    def device_id(self) -> str:
        return key_id(self.key.public_key())

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def create_account(ws: Any, account: AccountFixture) -> dict[str, Any]:
    result: dict[str, Any] = await ws_ok(
        ws,
        type="e2ee_nvr/account/create",
        account=account.document.to_json(),
        instance_name="Laptop",
    )
    return result


async def start_pairing(
    client: TestClient[Any, Any],
    cameras: tuple[str, ...] = ("front-door",),
    key: rsa.RSAPrivateKey | None = None,
) -> tuple[str, rsa.RSAPrivateKey, MacedEnvelope, pairing.PairingRequest, dict[str, Any]]:
    code = pairing.new_pairing_code()
    key = primitives.rsa_generate() if key is None else key
    maced, request = pairing.make_pairing_request(
        code,
        key,
        "garage box",
        [pairing.PairingCamera(c, c.replace("-", " ").title()) for c in cameras],
        int(time.time()),
    )
    response = await client.post(f"{AGENT}/pairing", json={"request": maced.to_json()})
    assert response.status == 201, await response.text()
    return code, key, maced, request, await response.json()


def make_grant(
    document: AccountDocument, account: AccountFixture, request_json: dict[str, Any], code: str
) -> MacedEnvelope:
    """The panel's side: open the relayed request with the typed code and certify the device."""
    maced = MacedEnvelope.from_json(request_json)
    opened = pairing.open_pairing_request(maced, pairing.format_code(code), int(time.time()))
    keys = endpoint.unlock_with_instance(document, account.first)
    data_key_id = endpoint.verify_current_set(document, account.first).data_key_id
    grant, _cert = pairing.make_pairing_grant(
        maced,
        opened,
        code,
        account.first.root_cert,
        keys.signing,
        document.recipient_set,
        data_key_id,
    )
    return grant


async def pair_agent(
    client: TestClient[Any, Any],
    ws: Any,
    account: AccountFixture,
    cameras: tuple[str, ...] = ("front-door",),
    key: rsa.RSAPrivateKey | None = None,
) -> Agent:
    """The whole pairing exchange over the real views and websocket commands."""
    code, key, maced, request, started = await start_pairing(client, cameras, key)
    sessions = (await ws_ok(ws, type="e2ee_nvr/pairing/list"))["sessions"]
    relayed = next(s for s in sessions if s["session_id"] == started["session_id"])
    grant = make_grant(account.document, account, relayed["request"], code)
    await ws_ok(
        ws, type="e2ee_nvr/pairing/grant", session_id=started["session_id"], grant=grant.to_json()
    )
    auth = {"Authorization": f"Bearer {started['agent_token']}"}
    polled = await client.get(f"{AGENT}/pairing/{started['session_id']}", headers=auth)
    assert polled.status == 200
    accepted = pairing.accept_pairing_grant(
        MacedEnvelope.from_json((await polled.json())["grant"]),
        code=code,
        request_payload_bytes=maced.payload,
        device_key=key,
        expires_at=request.expires_at,
        now=int(time.time()),
        already_used=False,
    )
    result = await client.post(
        f"{AGENT}/pairing/{started['session_id']}/result", json={"accepted": True}, headers=auth
    )
    assert result.status == 200
    return Agent(
        key, DeviceTrust.from_grant(accepted), started["agent_token"], started["session_id"]
    )


@dataclass
class SealedClip:
    """A clip as the agent spools it: manifest and ciphertext objects."""

    clip_id: str
    manifest: SignedEnvelope
    objects: dict[str, bytes]

    @property
    def manifest_json(self) -> dict[str, str]:
        return self.manifest.to_json()


def seal_clip(
    agent: Agent,
    plaintext: bytes = MARKER * 1000,
    *,
    camera_id: str = "front-door",
    start_ms: int | None = None,
    age_ms: int = 0,
    thumbnail: bytes | None = None,
    visible_events: tuple[str, ...] = ("motion",),
    chunk_size: int = 1 << 12,
    with_events: bool = True,
) -> SealedClip:
    """A clip sealed as `agent` records it, starting at `start_ms` or else `age_ms` before now."""
    start = int(time.time() * 1000) - age_ms if start_ms is None else start_ms
    encryptor = ClipEncryptor(
        recipient_set=agent.trust.current_set(),
        device_id=agent.device_id,
        camera_id=camera_id,
        start_ms=start,
        chunk_size=chunk_size,
    )
    video = encryptor.update(plaintext) + encryptor.finish_video()
    objects = {"video": video}
    if thumbnail is not None:
        objects["thumbnail"] = encryptor.encrypt_thumbnail(thumbnail)
    if with_events:
        objects["events"] = encryptor.encrypt_events([ClipEvent("motion", start, None, "onvif")])
    manifest = encryptor.seal(
        agent.key, end_ms=start + 30_000, codecs=CODECS, visible_events=visible_events
    )
    return SealedClip(encryptor.clip_id, manifest, objects)


def seal_clip_to_file(agent: Agent, size: int, path: Path) -> SealedClip:
    """A large clip whose ciphertext goes straight to a file (never whole in memory)."""
    encryptor = ClipEncryptor(
        recipient_set=agent.trust.current_set(),
        device_id=agent.device_id,
        camera_id="front-door",
        start_ms=int(time.time() * 1000),
    )
    piece = (MARKER * ((1 << 20) // len(MARKER) + 1))[: 1 << 20]
    with path.open("wb") as handle:
        remaining = size
        while remaining > 0:
            handle.write(encryptor.update(piece[: min(remaining, len(piece))]))
            remaining -= len(piece)
        handle.write(encryptor.finish_video())
    manifest = encryptor.seal(agent.key, end_ms=encryptor.start_ms + 60_000, codecs=CODECS)
    return SealedClip(encryptor.clip_id, manifest, {})


async def upload_clip(
    client: TestClient[Any, Any], agent: Agent, clip: SealedClip
) -> dict[str, Any]:
    response = await client.put(
        f"{AGENT}/clips/{clip.clip_id}/manifest", json=clip.manifest_json, headers=agent.auth
    )
    assert response.status in (200, 201), await response.text()
    body: dict[str, Any] = await response.json()
    for kind, data in clip.objects.items():
        response = await client.put(
            f"{AGENT}/clips/{clip.clip_id}/{kind}",
            data=data,
            headers={**agent.auth, "Content-Type": "application/octet-stream"},
        )
        assert response.status in (200, 201), await response.text()
        body = await response.json()
    return body


def fixed_device_key() -> rsa.RSAPrivateKey:
    """A device key that is the same in every run (a test-only key), for snapshot tests."""
    key = load_pem_private_key((FIXTURES / "device_key.pem").read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def heartbeat_body(cameras: tuple[str, ...] = ("front-door",)) -> dict[str, Any]:
    """A valid heartbeat from an agent whose `cameras` all record."""
    return {
        "agent_version": "0.1.0",
        "recipient_epoch": 1,
        "spool_clips": 0,
        "spool_bytes": 0,
        "cameras": [{"camera_id": c, "state": "recording", "detail": ""} for c in cameras],
    }


HEARTBEAT = heartbeat_body()


async def send_heartbeat(
    client: TestClient[Any, Any], agent: Agent, cameras: tuple[str, ...] = ("front-door",)
) -> None:
    heartbeat = heartbeat_body(cameras)
    response = await client.post(f"{AGENT}/heartbeat", json=heartbeat, headers=agent.auth)
    assert response.status == 200, await response.text()
