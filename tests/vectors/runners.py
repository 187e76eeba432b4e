"""How each vector file's cases run against the Python protocol package (docs/protocol.md 14).

One runner per file: it takes a case's `input` and returns the `output` the case expects, or
raises the ProtocolError the case names in `expect`. The generator runs every case through these
before writing a file, and tests/protocol/test_vectors.py runs the committed files through them.
The TypeScript endpoint has its own runners with the same contract; this module documents what
each input field means.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_der_private_key,
)

from e2ee_nvr_protocol import (
    backup,
    certs,
    clip,
    endpoint,
    kdf,
    manifest,
    pairing,
    passphrase,
    recipients,
    stream,
    stream_format,
    wrap,
)
from e2ee_nvr_protocol.account import AccountDocument
from e2ee_nvr_protocol.encoding import b64decode, b64encode
from e2ee_nvr_protocol.envelope import MacedEnvelope, SignedEnvelope
from e2ee_nvr_protocol.identifiers import key_id

Json = dict[str, Any]
Runner = Callable[[Json], Json]
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

# Streams are also fed in pieces of this many bytes: a push-style reader must give the same
# answer however the bytes arrive.
SMALL_PIECE = 7


def b64(value: object) -> bytes:
    return b64decode(value, field="vector")


def private_key(text: object) -> PrivateKey:
    """A PKCS#8 DER private key (b64); vectors hold RSA and P-256 keys only."""
    key = load_der_private_key(b64(text), password=None)
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise TypeError("vector key is neither RSA nor EC")
    return key


def rsa_private_key(text: object) -> rsa.RSAPrivateKey:
    key = private_key(text)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise TypeError("vector key is not RSA")
    return key


def spki(public_key: Any) -> str:
    """SubjectPublicKeyInfo DER, b64: how a vector names a public key."""
    return b64encode(public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo))


def cert(text: object) -> Any:
    return certs.load_cert(b64(text))


# --- section 3 ----------------------------------------------------------------------------------


def run_passphrase(case: Json) -> Json:
    """typed text -> canonical form."""
    return {"canonical": passphrase.canonical_passphrase(case["typed"])}


# --- section 4 ----------------------------------------------------------------------------------


def run_kdf(case: Json) -> Json:
    """secret + params -> key, its PKCS#12 password form, and its key check for account_id.

    With `check` in the input the stored check is verified as well (WrongPassphrase).
    """
    params = kdf.KdfParams.from_json(case["params"])
    key = kdf.derive_key(b64(case["secret"]), params)
    if "check" in case:
        kdf.verify_key_check(key, case["account_id"], b64(case["check"]))
    return {
        "key": key.hex(),
        "password": kdf.password_for(key).decode("ascii"),
        "check": b64encode(kdf.key_check(key, case["account_id"])),
    }


# --- section 5 ----------------------------------------------------------------------------------


def run_certs(case: Json) -> Json:
    """root_cert + cert + role -> key_id of the certified key. Role "root" checks cert as a root."""
    role = certs.Role(case["role"])
    subject = cert(case["cert"])
    if role is certs.Role.root:
        return {"key_id": key_id(certs.verify_root(subject))}
    return {"key_id": key_id(certs.verify_issued(subject, cert(case["root_cert"]), role))}


# --- section 11: one backup -----------------------------------------------------------------------


def run_backup(case: Json) -> Json:
    """backup + derived key (hex) + account_id + expected cert -> SPKI of the key inside."""
    opened = backup.open_backup(
        backup.KeyBackup.from_json(case["backup"]),
        bytes.fromhex(case["derived_key"]),
        account_id=case["account_id"],
        expected_cert=cert(case["expected_cert"]),
    )
    return {"public_key": spki(opened.public_key())}


# --- section 7 ----------------------------------------------------------------------------------


def run_wrap(case: Json) -> Json:
    """Unwrap with the recipient's private key(s) under purpose and subject (b64 raw bytes).

    `private_key` + `wrapped`: one wrap opened with one key (wrap.unwrap).
    `private_keys` + `wrapped_keys`: the first wrap addressed to a held key (wrap.unwrap_any),
    NoRecipientKey when none is.
    """
    purpose = wrap.WrapPurpose(case["purpose"])
    context = wrap.wrap_context(purpose, b64(case["subject"]))
    if "wrapped" in case:
        key = wrap.unwrap(
            private_key(case["private_key"]),
            wrap.WrappedKey.from_json(case["wrapped"]),
            context,
            purpose,
        )
    else:
        key = wrap.unwrap_any(
            [private_key(k) for k in case["private_keys"]],
            [wrap.WrappedKey.from_json(w) for w in case["wrapped_keys"]],
            context,
            purpose,
        )
    return {"context": b64encode(context), "key": b64encode(key)}


# --- section 9 ----------------------------------------------------------------------------------


def _decrypt_stream(clip_key: bytes, clip_id: bytes, kind: Any, ciphertext: bytes) -> bytes:
    whole = stream.StreamDecryptor(clip_key, clip_id, kind)
    plaintext = whole.update(ciphertext) + whole.finalize()
    pieces = stream.StreamDecryptor(clip_key, clip_id, kind)
    parts = [
        pieces.update(ciphertext[i : i + SMALL_PIECE])
        for i in range(0, len(ciphertext), SMALL_PIECE)
    ]
    parts.append(pieces.finalize())
    if b"".join(parts) != plaintext:
        raise AssertionError("piecewise decryption differs from whole decryption")
    return plaintext


def run_stream(case: Json) -> Json:
    """Decrypt a stream object, or (op "chunk") one chunk of it for a range read.

    `clip_id` (hex) and `kind` are what the reader expects (from the manifest); the content
    key is derived from them, never from the header. For "decrypt", the output plaintext must
    also encrypt back to the input ciphertext under `chunk_size` (encryption is deterministic).
    """
    clip_key = b64(case["clip_key"])
    clip_id = bytes.fromhex(case["clip_id"])
    kind = stream_format.ContentKind(case["kind"])
    content_key = b64encode(stream_format.content_key(clip_key, clip_id, kind))
    if case["op"] == "chunk":
        header_bytes = b64(case["header"])
        header = stream_format.StreamHeader.parse(header_bytes)
        start, end = stream_format.chunk_range(
            case["index"], header.chunk_size, case["chunk_count"], case["ciphertext_size"]
        )
        plaintext = stream_format.decrypt_chunk(
            clip_key,
            header_bytes,
            case["index"],
            b64(case["chunk"]),
            case["chunk_count"],
            clip_id=clip_id,
            kind=kind,
        )
        return {
            "content_key": content_key,
            "range": [start, end],
            "plaintext": b64encode(plaintext),
        }
    ciphertext = b64(case["ciphertext"])
    plaintext = _decrypt_stream(clip_key, clip_id, kind, ciphertext)
    encryptor = stream.StreamEncryptor(clip_key, clip_id, kind, case["chunk_size"])
    if encryptor.update(plaintext) + encryptor.finalize() != ciphertext:
        raise AssertionError("re-encrypting the plaintext does not give the vector's ciphertext")
    return {"content_key": content_key, "plaintext": b64encode(plaintext)}


# --- section 6 ----------------------------------------------------------------------------------


def run_recipient_set(case: Json) -> Json:
    """Section 6 rules 1, 3, 4 against the pinned root and data key, then rule 2 against state.

    `advances` is true when the set raises the highest accepted epoch (false: the same set again).
    """
    stored = case["highest_payload"]
    verified = recipients.verify_recipient_set(
        SignedEnvelope.from_json(case["envelope"]),
        cert(case["root_cert"]),
        pinned_data_key_id=case["pinned_data_key_id"],
    )
    advances = recipients.check_epoch(
        verified, case["highest_epoch"], None if stored is None else b64(stored)
    )
    return {
        "epoch": verified.epoch,
        "advances": advances,
        "data_key_id": verified.data_key_id,
        "key_ids": [k.key_id for k in verified.keys],
    }


# --- section 8 ----------------------------------------------------------------------------------


def run_pairing(case: Json) -> Json:
    """op "normalise" | "derive" (endpoint and device), "open_request" (endpoint), "accept_grant"
    (device)."""
    op = case["op"]
    if op == "normalise":
        return {"code": pairing.normalise_code(case["typed"])}
    if op == "derive":
        keys = pairing.derive_pairing_keys(case["typed"])
        return {
            "session_id": keys.session_id,
            "request_mac_key": b64encode(keys.request_mac_key),
            "grant_mac_key": b64encode(keys.grant_mac_key),
        }
    if op == "open_request":
        request = pairing.open_pairing_request(
            MacedEnvelope.from_json(case["request"]), case["typed_code"], case["now"]
        )
        return {
            "session_id": request.session_id,
            "device_key_id": key_id(request.device_public_key),
            "agent_name": request.agent_name,
            "cameras": [{"camera_id": c.camera_id, "name": c.name} for c in request.cameras],
            "expires_at": request.expires_at,
        }
    if op == "accept_grant":
        accepted = pairing.accept_pairing_grant(
            MacedEnvelope.from_json(case["grant"]),
            code=case["code"],
            request_payload_bytes=b64(case["request_payload"]),
            device_key=rsa_private_key(case["device_private_key"]),
            expires_at=case["expires_at"],
            now=case["now"],
            already_used=case["already_used"],
        )
        return {
            "account_id": accepted.account_id,
            "data_key_id": accepted.data_key_id,
            "device_id": key_id(accepted.device_cert.public_key()),
            "epoch": accepted.recipient_set.epoch,
        }
    raise ValueError(f"unknown pairing op {op!r}")


# --- section 10 ---------------------------------------------------------------------------------


def manifest_summary(parsed: manifest.ClipManifest) -> Json:
    blobs = {
        name: None if blob is None else blob.to_json()
        for name, blob in (
            ("video", parsed.video),
            ("thumbnail", parsed.thumbnail),
            ("events", parsed.events),
        )
    }
    return {
        "clip_id": parsed.clip_id,
        "account_id": parsed.account_id,
        "device_id": parsed.device_id,
        "camera_id": parsed.camera_id,
        "start_ms": parsed.start_ms,
        "end_ms": parsed.end_ms,
        "recipient_epoch": parsed.recipient_epoch,
        "visible_events": list(parsed.visible_events),
        **blobs,
        "wrapped_key_ids": [w.key_id for w in parsed.wrapped_keys],
    }


def run_manifest(case: Json) -> Json:
    """Endpoint check: device cert chained to the pinned root, signature, then account_id."""
    parsed = clip.verify_clip_manifest(
        SignedEnvelope.from_json(case["envelope"]),
        cert(case["device_cert"]),
        cert(case["root_cert"]),
    )
    return manifest_summary(parsed)


# --- sections 9-11: a whole clip ----------------------------------------------------------------


def run_clip(case: Json) -> Json:
    """Verify the manifest, unwrap the clip key with the held keys, decrypt every stream.

    Each stream is checked against its manifest entry (sizes and hash) as it is decrypted.
    """
    parsed = clip.verify_clip_manifest(
        SignedEnvelope.from_json(case["manifest"]),
        cert(case["device_cert"]),
        cert(case["root_cert"]),
    )
    clip_key = clip.open_clip_key(parsed, [private_key(k) for k in case["private_keys"]])
    output: Json = {"clip_id": parsed.clip_id, "clip_key": b64encode(clip_key)}
    for kind in stream_format.ContentKind:
        ciphertext = case[kind.value]
        if ciphertext is None:
            output[kind.value] = None
            continue
        output[kind.value] = b64encode(clip.decrypt_blob(parsed, clip_key, kind, b64(ciphertext)))
    if output["events"] is not None:
        events = clip.decode_events(b64(output["events"]))
        output["events_parsed"] = [e.to_json() for e in events]
    return output


# --- section 11: a whole account ----------------------------------------------------------------


def run_account(case: Json) -> Json:
    """Unlock with the passphrase: signing and recovery keys, the RDK, then the data key."""
    document = AccountDocument.from_json(case["account"])
    keys = endpoint.unlock_with_passphrase(document, case["passphrase"])
    data_key = endpoint.open_data_key(document, keys.rdk)
    return {
        "account_id": document.account_id,
        "signing_public_key": spki(keys.signing.public_key()),
        "recovery_public_key": spki(keys.recovery.public_key()),
        "data_public_key": spki(data_key.public_key()),
        "rdk": b64encode(keys.rdk),
    }


RUNNERS: dict[str, Runner] = {
    "passphrase": run_passphrase,
    "kdf": run_kdf,
    "certs": run_certs,
    "backup": run_backup,
    "wrap": run_wrap,
    "stream": run_stream,
    "recipient_set": run_recipient_set,
    "pairing": run_pairing,
    "manifest": run_manifest,
    "clip": run_clip,
    "account": run_account,
}

# Protocol v2 files (tests/vectors/runners_v2.py), run by the same test and generator check.
from tests.vectors.runners_v2 import V2_RUNNERS  # noqa: E402

RUNNERS.update(V2_RUNNERS)

# Live view (section 18), tests/vectors/runners_live.py.
from tests.vectors.runners_live import run_live  # noqa: E402

RUNNERS["live"] = run_live
