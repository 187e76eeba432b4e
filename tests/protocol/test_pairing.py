"""Pairing through an untrusted relay (protocol section 8): round trip and every relay attack."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import given
from hypothesis import strategies as st

from e2ee_nvr_protocol import certs, envelope, primitives
from e2ee_nvr_protocol.encoding import b64encode, dumps
from e2ee_nvr_protocol.envelope import MacedEnvelope, SignedEnvelope
from e2ee_nvr_protocol.errors import (
    MalformedObject,
    MissingDataKey,
    PairingExpired,
    PairingMacMismatch,
    UntrustedKey,
)
from e2ee_nvr_protocol.identifiers import key_id
from e2ee_nvr_protocol.pairing import (
    CODE_ALPHABET,
    PairingCamera,
    PairingRequest,
    accept_pairing_grant,
    code_from_uri,
    derive_pairing_keys,
    format_code,
    make_pairing_grant,
    make_pairing_request,
    new_pairing_code,
    normalise_code,
    open_pairing_request,
    pairing_uri,
)
from e2ee_nvr_protocol.recipients import (
    Recipient,
    build_recipient_set,
    sign_recipient_set,
)

NOW = 1_764_450_000
CODE = "ABCD2EFGH3IJKL4MNOP5"
WRONG_CODE = "ABCD2EFGH3IJKL4MNOP6"
CAMERAS = (PairingCamera("front-door", "Front door"), PairingCamera("yard_2", "Yard"))


@dataclass(frozen=True)
class Account:
    signing_key: rsa.RSAPrivateKey
    root_cert: x509.Certificate
    data_key_id: str
    recipient_set: SignedEnvelope


@cache
def account(index: int) -> Account:
    signing_key = primitives.rsa_generate()
    root = certs.make_root(signing_key)
    data_key = primitives.rsa_generate()
    instance_key = primitives.p256_generate()
    data_cert = certs.issue(root, signing_key, data_key.public_key(), certs.Role.data)
    instance_cert = certs.issue(root, signing_key, instance_key.public_key(), certs.Role.instance)
    recipients = [
        Recipient.from_cert("data", certs.cert_der(data_cert)),
        Recipient.from_cert("instance", certs.cert_der(instance_cert)),
    ]
    rs = build_recipient_set(key_id(signing_key.public_key()), 4, NOW, recipients)
    return Account(
        signing_key=signing_key,
        root_cert=root,
        data_key_id=key_id(data_key.public_key()),
        recipient_set=sign_recipient_set(rs, signing_key),
    )


@cache
def rsa_key(index: int) -> rsa.RSAPrivateKey:
    return primitives.rsa_generate()


def device_key() -> rsa.RSAPrivateKey:
    return rsa_key(0)


def relay_key() -> rsa.RSAPrivateKey:
    return rsa_key(1)


@cache
def request_pair() -> tuple[MacedEnvelope, PairingRequest]:
    return make_pairing_request(CODE, device_key(), "Garage agent", CAMERAS, NOW)


@cache
def grant_pair() -> tuple[MacedEnvelope, x509.Certificate]:
    maced, _ = request_pair()
    opened = open_pairing_request(maced, CODE.lower(), NOW + 10)
    acct = account(0)
    return make_pairing_grant(
        maced,
        opened,
        CODE,
        acct.root_cert,
        acct.signing_key,
        acct.recipient_set,
        acct.data_key_id,
    )


def accept(grant: MacedEnvelope, **overrides: Any) -> Any:
    _, request = request_pair()
    arguments: dict[str, Any] = {
        "code": CODE,
        "request_payload_bytes": request.payload,
        "device_key": device_key(),
        "expires_at": request.expires_at,
        "now": NOW + 20,
        "already_used": False,
    }
    arguments.update(overrides)
    return accept_pairing_grant(grant, **arguments)


def payload_of(maced: MacedEnvelope) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(maced.payload)
    return document


def remac(object_type: str, payload: dict[str, Any], code: str) -> MacedEnvelope:
    """MAC a payload under some code's key: the relay with a guessed code, or a buggy peer."""
    keys = derive_pairing_keys(code)
    key = keys.request_mac_key if object_type == "pairing-request" else keys.grant_mac_key
    return envelope.mac(object_type, payload, key)


# --- the code ---------------------------------------------------------------------------------


def test_new_code_shape_and_spread() -> None:
    codes = [new_pairing_code() for _ in range(2000)]
    assert all(len(c) == 20 and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert len(set(codes)) == len(codes)
    counts = Counter("".join(codes))
    # 40,000 characters, 1,250 expected per symbol: every symbol appears, none wildly off.
    assert set(counts) == set(CODE_ALPHABET)
    assert all(1000 < n < 1500 for n in counts.values())


def test_format_and_uri() -> None:
    assert format_code(CODE) == "ABCD-2EFG-H3IJ-KL4M-NOP5"
    assert normalise_code(format_code(CODE)) == CODE
    assert pairing_uri(CODE) == "e2ee-nvr-pair:" + CODE
    assert code_from_uri(pairing_uri(CODE)) == CODE
    with pytest.raises(MalformedObject):
        code_from_uri("https://example.com/" + CODE)


@pytest.mark.parametrize(
    "typed",
    [
        "abcd2efgh3ijkl4mnop5",
        "abcd-2efg-h3ij-kl4m-nop5",
        " ABCD 2EFG H3IJ KL4M NOP5 ",
        "A8CD2EFGH3IJKL4MN0P5",  # 8 -> B, 0 -> O
        "ABCD2EFGH3lJKL4MNOP5".replace("l", "1"),  # 1 -> I
    ],
)
def test_normalise_accepts_typed_forms(typed: str) -> None:
    assert normalise_code(typed) == CODE


@pytest.mark.parametrize(
    "typed",
    [
        "ABCD2EFGH3IJKL4MNOP",  # 19
        "ABCD2EFGH3IJKL4MNOP55",  # 21
        "ABCD2EFGH3IJKL4MNOP9",  # 9 is not base32
        "ABCD2EFGH3IJKL4MNOP_",
        "ABCD2EFGH3\u0131JKL4MNOP5",  # dotless i upper-cases to I: refused, not mapped
        "ABCD2EFGH3IJKL4MNOP\uff15",  # fullwidth 5
        "",
    ],
)
def test_normalise_refuses(typed: str) -> None:
    with pytest.raises(MalformedObject):
        normalise_code(typed)


def test_keys_follow_section_8_2() -> None:
    keys = derive_pairing_keys("abcd-2efg-h3ij-kl4m-nop5")

    def hkdf(name: bytes, length: int) -> bytes:
        return HKDF(
            hashes.SHA256(), length, b"e2ee-nvr/v1/pairing", b"e2ee-nvr/v1/pairing/" + name
        ).derive(CODE.encode("ascii"))

    assert keys.session_id == hkdf(b"session-id", 16).hex()
    assert keys.request_mac_key == hkdf(b"request-mac", 32)
    assert keys.grant_mac_key == hkdf(b"grant-mac", 32)
    assert keys.request_mac_key.hex() not in repr(keys)
    assert derive_pairing_keys(WRONG_CODE).session_id != keys.session_id


# --- request ----------------------------------------------------------------------------------


def test_request_round_trip() -> None:
    maced, sent = request_pair()
    relayed = MacedEnvelope.from_json(maced.to_json())
    opened = open_pairing_request(relayed, format_code(CODE).lower(), NOW + 599)
    assert opened == sent
    assert opened.cameras == CAMERAS
    assert opened.expires_at == NOW + 600
    assert key_id(opened.device_public_key) == key_id(device_key().public_key())
    assert payload_of(maced)["session_id"] == derive_pairing_keys(CODE).session_id


def test_request_wrong_code_refused() -> None:
    maced, _ = request_pair()
    with pytest.raises(PairingMacMismatch):
        open_pairing_request(maced, WRONG_CODE, NOW)


def test_request_csr_swapped_by_relay_refused() -> None:
    maced, _ = request_pair()
    payload = payload_of(maced)
    payload["csr"] = b64encode(certs.make_csr(relay_key()))
    with pytest.raises(PairingMacMismatch):
        open_pairing_request(replace(maced, payload=dumps(payload)), CODE, NOW)
    # The relay cannot MAC under the real code, so it MACs under a guess.
    with pytest.raises(PairingMacMismatch):
        open_pairing_request(remac("pairing-request", payload, WRONG_CODE), CODE, NOW)


def flip_one_byte(data: st.DataObject, maced: MacedEnvelope) -> MacedEnvelope:
    """`maced` with one byte of its payload or MAC (hypothesis picks which, and how) changed."""
    wire = bytearray(maced.payload + maced.mac)
    index = data.draw(st.integers(0, len(wire) - 1))
    wire[index] ^= data.draw(st.integers(1, 255))
    cut = len(maced.payload)
    return MacedEnvelope(payload=bytes(wire[:cut]), mac=bytes(wire[cut:]))


@given(data=st.data())
def test_request_any_byte_change_refused(data: st.DataObject) -> None:
    maced, _ = request_pair()
    with pytest.raises(PairingMacMismatch):
        open_pairing_request(flip_one_byte(data, maced), CODE, NOW)


def test_request_expired_refused() -> None:
    maced, _ = request_pair()
    with pytest.raises(PairingExpired):
        open_pairing_request(maced, CODE, NOW + 600)


def test_request_bad_csr_signature_refused() -> None:
    # Built by a faulty device that holds the code: the CSR's own signature is broken.
    maced, _ = request_pair()
    payload = payload_of(maced)
    csr = bytearray(certs.make_csr(device_key()))
    csr[-1] ^= 1  # the last byte lies inside the signature BIT STRING
    payload["csr"] = b64encode(bytes(csr))
    with pytest.raises(UntrustedKey):
        open_pairing_request(remac("pairing-request", payload, CODE), CODE, NOW)


def test_request_csr_key_outside_suite_refused() -> None:
    maced, _ = request_pair()
    payload = payload_of(maced)
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505
    # make_csr refuses such a key, so build the CSR as a non-conforming device would.
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([]))
        .sign(small, hashes.SHA256(), rsa_padding=primitives.pss_padding())
    )
    payload["csr"] = b64encode(csr.public_bytes(Encoding.DER))
    with pytest.raises(UntrustedKey):
        open_pairing_request(remac("pairing-request", payload, CODE), CODE, NOW)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda p: p.update(cameras=[{"camera_id": "Front", "name": "x"}]),
        lambda p: p.update(cameras=[{"camera_id": "a" * 33, "name": "x"}]),
        lambda p: p.update(cameras=[{"camera_id": "a", "name": "x" * 65}]),
        lambda p: p.update(cameras=[{"camera_id": "a", "name": "x"}] * 2),
        lambda p: p.update(cameras=[{"camera_id": f"c{i}", "name": "x"} for i in range(33)]),
        lambda p: p.update(cameras=[{"camera_id": "a", "name": "x", "url": "rtsp://"}]),
        lambda p: p.update(agent_name="x" * 65),
        lambda p: p.update(agent_nonce=b64encode(b"n" * 15)),
        lambda p: p.update(extra=True),
        lambda p: p.pop("expires_at"),
    ],
)
def test_request_malformed_refused(mutate: Any) -> None:
    maced, _ = request_pair()
    payload = payload_of(maced)
    mutate(payload)
    with pytest.raises(MalformedObject):
        open_pairing_request(remac("pairing-request", payload, CODE), CODE, NOW)


def test_request_producer_checks() -> None:
    with pytest.raises(MalformedObject):
        make_pairing_request(CODE, device_key(), "a", [PairingCamera("Bad Id", "x")], NOW)
    with pytest.raises(ValueError, match="600"):
        make_pairing_request(CODE, device_key(), "a", CAMERAS, NOW, ttl_seconds=601)


# --- grant ------------------------------------------------------------------------------------


def test_grant_round_trip() -> None:
    grant, device_cert = grant_pair()
    acct = account(0)
    accepted = accept(MacedEnvelope.from_json(grant.to_json()))
    assert certs.cert_der(accepted.root_cert) == certs.cert_der(acct.root_cert)
    assert certs.cert_der(accepted.device_cert) == certs.cert_der(device_cert)
    assert key_id(accepted.device_cert.public_key()) == key_id(device_key().public_key())
    assert accepted.data_key_id == acct.data_key_id
    assert accepted.account_id == key_id(acct.signing_key.public_key())
    assert accepted.recipient_set.epoch == 4
    assert accepted.recipient_set.payload == acct.recipient_set.payload
    assert set(payload_of(grant)) == {
        "v",
        "type",
        "session_id",
        "request_sha256",
        "root_cert",
        "device_cert",
        "data_key_id",
        "recipient_set",
    }


def test_grant_expired_or_used_refused() -> None:
    grant, _ = grant_pair()
    _, request = request_pair()
    with pytest.raises(PairingExpired):
        accept(grant, now=request.expires_at)
    with pytest.raises(PairingExpired):
        accept(grant, already_used=True)


def test_grant_wrong_code_refused() -> None:
    grant, _ = grant_pair()
    with pytest.raises(PairingMacMismatch):
        accept(grant, code=WRONG_CODE)


def _swap_recipient_set(payload: dict[str, Any]) -> None:
    payload["recipient_set"] = account(1).recipient_set.to_json()


def _swap_device_cert(payload: dict[str, Any]) -> None:
    acct = account(0)
    forged = certs.issue(
        acct.root_cert, acct.signing_key, relay_key().public_key(), certs.Role.device
    )
    payload["device_cert"] = b64encode(certs.cert_der(forged))


def _swap_root(payload: dict[str, Any]) -> None:
    payload["root_cert"] = b64encode(certs.cert_der(account(1).root_cert))


SWAPS = [_swap_recipient_set, _swap_device_cert, _swap_root]


@pytest.mark.parametrize("swap", SWAPS)
def test_grant_altered_by_relay_refused(swap: Any) -> None:
    grant, _ = grant_pair()
    payload = payload_of(grant)
    swap(payload)
    with pytest.raises(PairingMacMismatch):
        accept(replace(grant, payload=dumps(payload)))
    with pytest.raises(PairingMacMismatch):
        accept(remac("pairing-grant", payload, WRONG_CODE))


@given(data=st.data())
def test_grant_any_byte_change_refused(data: st.DataObject) -> None:
    grant, _ = grant_pair()
    with pytest.raises(PairingMacMismatch):
        accept(flip_one_byte(data, grant))


def test_grant_for_another_request_refused() -> None:
    # The device restarted pairing under the same code; a grant for the first request (the
    # relay's choice of CSR) must not be accepted by the second.
    grant, _ = grant_pair()
    _, second = make_pairing_request(CODE, device_key(), "Garage agent", CAMERAS, NOW + 5)
    with pytest.raises(PairingMacMismatch):
        accept(grant, request_payload_bytes=second.payload)


def test_request_mac_cannot_pass_as_grant() -> None:
    maced, _ = request_pair()
    with pytest.raises(PairingMacMismatch):
        accept(maced)


# A peer that knows the code but sends a bad grant (a buggy or compromised endpoint): the MAC
# verifies, and the device's own checks must still refuse it.


def _root_is_device_cert(payload: dict[str, Any]) -> None:
    payload["root_cert"] = payload["device_cert"]


def _data_key_not_in_set(payload: dict[str, Any]) -> None:
    payload["data_key_id"] = "0" * 32


def _other_session(payload: dict[str, Any]) -> None:
    payload["session_id"] = derive_pairing_keys(WRONG_CODE).session_id


@pytest.mark.parametrize(
    ("tamper", "refusal"),
    [
        pytest.param(_swap_device_cert, UntrustedKey, id="device-cert-for-other-key"),
        pytest.param(_swap_root, UntrustedKey, id="root-not-chaining"),
        pytest.param(_root_is_device_cert, UntrustedKey, id="root-not-a-root"),
        pytest.param(_data_key_not_in_set, MissingDataKey, id="data-key-id-not-in-set"),
        pytest.param(_other_session, PairingMacMismatch, id="other-session"),
    ],
)
def test_bad_grant_with_the_right_code_refused(
    tamper: Callable[[dict[str, Any]], None], refusal: type[Exception]
) -> None:
    grant, _ = grant_pair()
    payload = payload_of(grant)
    tamper(payload)
    with pytest.raises(refusal):
        accept(remac("pairing-grant", payload, CODE))


def test_grant_maker_refuses_inconsistent_inputs() -> None:
    maced, _ = request_pair()
    opened = open_pairing_request(maced, CODE, NOW)
    acct, other = account(0), account(1)

    def grant(
        code: str = CODE,
        signer: rsa.RSAPrivateKey = acct.signing_key,
        data_key: str = acct.data_key_id,
    ) -> None:
        make_pairing_grant(
            maced, opened, code, acct.root_cert, signer, acct.recipient_set, data_key
        )

    with pytest.raises(PairingMacMismatch):
        grant(code=WRONG_CODE)
    with pytest.raises(ValueError, match="signing key"):
        grant(signer=other.signing_key)
    with pytest.raises(MissingDataKey):
        grant(data_key=other.data_key_id)


def test_grant_maker_ignores_a_forged_request_object() -> None:
    # The certificate follows the CSR the device MACed, never a key handed in beside it.
    maced, _ = request_pair()
    forged = replace(
        open_pairing_request(maced, CODE, NOW), device_public_key=relay_key().public_key()
    )
    acct = account(0)
    with pytest.raises(ValueError, match="request"):
        make_pairing_grant(
            maced,
            forged,
            CODE,
            acct.root_cert,
            acct.signing_key,
            acct.recipient_set,
            acct.data_key_id,
        )


def test_device_cert_holds_only_the_csr_key() -> None:
    _, device_cert = grant_pair()
    subject = device_cert.subject.rfc4514_string()
    assert f"CN={key_id(device_key().public_key())}" in subject
    assert "OU=device" in subject
    assert isinstance(device_cert.public_key(), rsa.RSAPublicKey)
    assert not isinstance(device_cert.public_key(), ec.EllipticCurvePublicKey)
