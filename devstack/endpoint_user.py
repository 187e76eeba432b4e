"""The user, played by the Python endpoint over HA's real websocket and HTTP APIs.

It stands where the enrolled browser will stand: it creates the account (so it holds the
instance key), grants a pairing by code, and lists, downloads, verifies and decrypts clips.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from dataclasses import dataclass
from typing import Any

from devstack.ha_api import HaApi, HaWebsocket
from e2ee_nvr_protocol import certs, endpoint, endpoint_v2, kdf, pairing
from e2ee_nvr_protocol.account import AccountDocument
from e2ee_nvr_protocol.account_v2 import AccountDocumentV2
from e2ee_nvr_protocol.clip import (
    decode_events,
    decrypt_blob,
    decryptor_for,
    open_clip_key,
    verify_clip_manifest,
)
from e2ee_nvr_protocol.envelope import MacedEnvelope, SignedEnvelope
from e2ee_nvr_protocol.errors import ProtocolError
from e2ee_nvr_protocol.identifiers import key_id
from e2ee_nvr_protocol.passphrase import generate_passphrase
from e2ee_nvr_protocol.stream_format import ContentKind

DOMAIN = "e2ee_nvr"
POLL_SECONDS = 0.5


class EndpointUserError(RuntimeError):
    """The flow did not reach the state the user expected; the message says where it stopped."""


@dataclass(frozen=True)
class OpenedClip:
    """A clip the endpoint downloaded, verified and decrypted."""

    clip_id: str
    camera_id: str
    video: bytes
    events: tuple[str, ...]


def decode_der_b64(text: str) -> bytes:
    """A DER blob from HA's websocket: base64url without padding (the protocol's b64), or the
    standard alphabet with padding; both alphabets decode the same bytes."""
    cleaned = text.strip().rstrip("=")
    return base64.urlsafe_b64decode(
        cleaned.replace("+", "-").replace("/", "_") + "=" * (-len(cleaned) % 4)
    )


def fast_kdf_params() -> tuple[kdf.KdfParams, kdf.KdfParams]:
    """The cheapest parameters the protocol allows: the derivations are real, just faster."""
    fast = kdf.KdfParams.new_default(scrypt_n_log2=15, pbkdf2_iterations=10_000)
    return fast, fast


class EndpointUser:
    """An enrolled endpoint and the websocket it acts through."""

    def __init__(self, api: HaApi, socket: HaWebsocket) -> None:
        self.api = api
        self.socket = socket
        self.passphrase: str | None = None
        self.document: AccountDocument | None = None
        self.endpoint: endpoint.Endpoint | None = None

    def _enrolled(self) -> tuple[AccountDocument, endpoint.Endpoint]:
        if self.document is None or self.endpoint is None:
            raise EndpointUserError("turn E2EE on first (create_account)")
        return self.document, self.endpoint

    async def create_account(self, *, fast_kdf: bool = False) -> str:
        """Turn E2EE on: make the account here, upload only its public and sealed parts."""
        self.passphrase = generate_passphrase()
        params = fast_kdf_params() if fast_kdf else None
        passphrase = self.passphrase
        # Key generation and scrypt take a while: off the loop, so HA's socket stays served.
        document, me = await asyncio.get_running_loop().run_in_executor(
            None, lambda: endpoint.create_account(passphrase, kdf_params=params)
        )
        await self.socket.call(
            f"{DOMAIN}/account/create",
            account=document.to_json(),
            instance_name="Python endpoint (e2e)",
        )
        self.document, self.endpoint = document, me
        return passphrase

    async def grant_pairing(self, typed_code: str, timeout: float = 30.0) -> dict[str, Any]:
        """Find the pending request the code opens (HA cannot forge one) and certify it."""
        document, me = self._enrolled()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            sessions = (await self.socket.call(f"{DOMAIN}/pairing/list"))["sessions"]
            for session in sessions:
                if session.get("request") is None:
                    continue
                maced = MacedEnvelope.from_json(session["request"])
                try:
                    opened = pairing.open_pairing_request(maced, typed_code, int(time.time()))
                except ProtocolError:
                    continue  # another agent's request: this code does not open it
                keys = endpoint.unlock_with_instance(document, me)
                data_key_id = endpoint.verify_current_set(document, me).data_key_id
                grant, _cert = pairing.make_pairing_grant(
                    maced,
                    opened,
                    pairing.normalise_code(typed_code),
                    me.root_cert,
                    keys.signing,
                    document.recipient_set,
                    data_key_id,
                )
                result: dict[str, Any] = await self.socket.call(
                    f"{DOMAIN}/pairing/grant",
                    session_id=session["session_id"],
                    grant=grant.to_json(),
                )
                return result
            await asyncio.sleep(POLL_SECONDS)
        raise EndpointUserError(f"no pending pairing request opened with the code in {timeout} s")

    async def wait_for_clips(self, count: int = 1, timeout: float = 60.0) -> list[dict[str, Any]]:
        """Poll the clip list (newest first) until it holds `count` clips."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            clips: list[dict[str, Any]] = (await self.socket.call(f"{DOMAIN}/clips/list"))["clips"]
            if len(clips) >= count:
                return clips
            await asyncio.sleep(POLL_SECONDS)
        raise EndpointUserError(f"fewer than {count} clips in HA's list after {timeout:.0f} s")

    async def open_clip(self, clip_id: str) -> OpenedClip:
        """Verify the manifest against the pinned root, unwrap with the instance key, decrypt."""
        _document, me = self._enrolled()
        found = await self.socket.call(f"{DOMAIN}/clips/manifest", clip_id=clip_id)
        if found.get("device_cert") is None:
            raise EndpointUserError(f"HA has no device certificate for clip {clip_id}")
        signed = SignedEnvelope.from_json(json.loads(found["manifest"]))
        device_cert = certs.load_cert(decode_der_b64(found["device_cert"]))
        manifest = verify_clip_manifest(signed, device_cert, me.root_cert)
        clip_key = open_clip_key(manifest, [me.instance_key])
        ciphertext = await self.api.get_bytes(f"/api/{DOMAIN}/clips/{clip_id}/video")
        decryptor = decryptor_for(manifest, clip_key, ContentKind.VIDEO)
        video = decryptor.update(ciphertext) + decryptor.finalize()
        events: tuple[str, ...] = ()
        if "events" in found["clip"]["kinds"]:
            sealed = await self.api.get_bytes(f"/api/{DOMAIN}/clips/{clip_id}/events")
            plain = decrypt_blob(manifest, clip_key, ContentKind.EVENTS, sealed)
            events = tuple(event.kind for event in decode_events(plain))
        return OpenedClip(clip_id, found["clip"]["camera_id"], video, events)


class PassphraseReader:
    """Someone holding only the passphrase (as the browser's user does): it opens the account's
    data key from the backups HA stores, and with it any clip, to check what a browser shows."""

    def __init__(self, api: HaApi, socket: HaWebsocket, passphrase: str) -> None:
        self.api = api
        self.socket = socket
        self.passphrase = passphrase

    async def account(self) -> dict[str, Any]:
        info: dict[str, Any] = await self.socket.call(f"{DOMAIN}/account/get")
        if not info["enabled"]:
            raise EndpointUserError("E2EE is off: no account to unlock")
        return info

    async def manifest(self, clip_id: str, root: Any) -> tuple[Any, dict[str, Any]]:
        found = await self.socket.call(f"{DOMAIN}/clips/manifest", clip_id=clip_id)
        if found.get("device_cert") is None:
            raise EndpointUserError(f"HA has no device certificate for clip {clip_id}")
        signed = SignedEnvelope.from_json(json.loads(found["manifest"]))
        device_cert = certs.load_cert(decode_der_b64(found["device_cert"]))
        return verify_clip_manifest(signed, device_cert, root), found

    async def document(self) -> AccountDocument | AccountDocumentV2:
        """The store's account document, version 1 or 2 (the panel migrates v1 to v2)."""
        raw = (await self.account())["account"]
        if isinstance(raw, dict) and raw.get("v") == 2:
            return AccountDocumentV2.from_json(raw)
        return AccountDocument.from_json(raw)

    async def recipient_key_ids(self, clip_id: str) -> set[str]:
        """The key ids a clip's key is wrapped to: who can open it."""
        document = await self.document()
        manifest, _found = await self.manifest(clip_id, document.root_cert())
        return {wrapped.key_id for wrapped in manifest.wrapped_keys}

    async def data_key_ids(self) -> list[str]:
        """The data key id of each generation, oldest first (v1: its one data key)."""
        document = await self.document()
        if isinstance(document, AccountDocumentV2):
            return [key_id(certs.load_cert(g.cert_der).public_key()) for g in document.data_keys]
        return [key_id(certs.load_cert(document.data_cert_der).public_key())]

    async def open_clip(self, clip_id: str) -> OpenedClip:
        """Verify against the account's root, open the data keys with the passphrase, decrypt."""
        document = await self.document()
        passphrase = self.passphrase

        def data_keys() -> list[Any]:
            # scrypt with the account's real parameters: off the loop.
            if isinstance(document, AccountDocumentV2):
                unlocked = endpoint_v2.unlock(document, passphrase)
                return [
                    endpoint_v2.open_data_key(document, generation, rdk)
                    for generation, rdk in zip(document.data_keys, unlocked.rdks, strict=True)
                ]
            rdk = endpoint.unlock_with_passphrase(document, passphrase).rdk
            return [endpoint.open_data_key(document, rdk)]

        keys = await asyncio.get_running_loop().run_in_executor(None, data_keys)
        manifest, found = await self.manifest(clip_id, document.root_cert())
        clip_key = open_clip_key(manifest, keys)
        ciphertext = await self.api.get_bytes(f"/api/{DOMAIN}/clips/{clip_id}/video")
        decryptor = decryptor_for(manifest, clip_key, ContentKind.VIDEO)
        video = decryptor.update(ciphertext) + decryptor.finalize()
        return OpenedClip(clip_id, found["clip"]["camera_id"], video, ())
