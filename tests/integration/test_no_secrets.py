"""After a full flow, nothing the integration wrote holds a private key or plaintext video."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from homeassistant.core import HomeAssistant

from custom_components.e2ee_nvr.protocol import endpoint
from tests.integration.nvr_helpers import (
    MARKER,
    AccountFixture,
    Agent,
    seal_clip,
    upload_clip,
    ws_ok,
)


def _pkcs8(key: object) -> bytes:
    return key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())  # type: ignore[attr-defined,no-any-return]


async def test_nothing_written_is_secret(
    hass: HomeAssistant,
    media_root: Path,
    client: TestClient[Any, Any],
    ws: Any,
    account: AccountFixture,
    agent: Agent,
) -> None:
    enrolled, _second = endpoint.enrol_with_passphrase(account.document, account.passphrase)
    await ws_ok(ws, type="e2ee_nvr/account/enrol", account=enrolled.to_json())
    thumbnail = b"\xff\xd8\xff\xe0" + MARKER * 10
    for _ in range(3):
        await upload_clip(client, agent, seal_clip(agent, MARKER * 5000, thumbnail=thumbnail))
    assert len((await ws_ok(ws, type="e2ee_nvr/clips/list"))["clips"]) == 3

    keys = endpoint.unlock_with_instance(account.document, account.first)
    data_key = endpoint.open_data_key(account.document, keys.rdk)
    secrets = {
        "signing key": _pkcs8(keys.signing),
        "recovery key": _pkcs8(keys.recovery),
        "data key": _pkcs8(data_key),
        "instance key": _pkcs8(account.first.instance_key),
        "device key": _pkcs8(agent.key),
        "RDK": keys.rdk,
        "plaintext marker": MARKER,
        "PEM private key": b"PRIVATE KEY",
    }
    written = [
        p
        for folder in (media_root, Path(hass.config.path(".storage")))
        for p in folder.rglob("*")
        if p.is_file()
    ]
    assert any(p.name == "account.json" for p in written)
    assert any(p.suffix == ".video" for p in written)
    for path in written:
        content = path.read_bytes()
        for name, secret in secrets.items():
            assert secret not in content, f"{name} found in {path}"
