"""Builders for protocol tests: a real account, an enrolled endpoint and a paired device."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from e2ee_nvr_protocol import endpoint, endpoint_v2, kdf, pairing, primitives
from e2ee_nvr_protocol.account import AccountDocument
from e2ee_nvr_protocol.account_v2 import AccountDocumentV2
from e2ee_nvr_protocol.device import DeviceTrust
from e2ee_nvr_protocol.envelope import MacedEnvelope
from e2ee_nvr_protocol.passphrase import generate_passphrase

NOW = 1_764_450_000


def fast_kdf_params() -> tuple[kdf.KdfParams, kdf.KdfParams]:
    """The cheapest parameters section 4 allows: real derivations, test-suite speed."""
    return (
        kdf.KdfParams.new_default(scrypt_n_log2=15, pbkdf2_iterations=10_000),
        kdf.KdfParams.new_default(scrypt_n_log2=15, pbkdf2_iterations=10_000),
    )


@dataclass
class AccountFixture:
    passphrase: str
    document: AccountDocument
    first: endpoint.Endpoint


@dataclass
class PairedDevice:
    key: rsa.RSAPrivateKey
    trust: DeviceTrust

    @property
    def device_id(self) -> str:
        from e2ee_nvr_protocol.identifiers import key_id

        return key_id(self.key.public_key())


def grant_pairing(
    account: AccountFixture,
    request_envelope: MacedEnvelope,
    opened: pairing.PairingRequest,
    code: str,
) -> tuple[MacedEnvelope, x509.Certificate]:
    """The endpoint's grant of an opened request: the account's signing key issues the device
    certificate, and the grant names the current set and data key (section 8)."""
    keys = endpoint.unlock_with_instance(account.document, account.first)
    data_key_id = endpoint.verify_current_set(account.document, account.first).data_key_id
    return pairing.make_pairing_grant(
        request_envelope,
        opened,
        code,
        account.first.root_cert,
        keys.signing,
        account.document.recipient_set,
        data_key_id,
    )


def pair_device(account: AccountFixture, *, now: int = NOW) -> PairedDevice:
    """Run the whole pairing exchange (section 8) as device and endpoint would."""
    device_key = primitives.rsa_generate()
    code = pairing.new_pairing_code()
    request_envelope, request = pairing.make_pairing_request(
        code,
        device_key,
        "garage box",
        [pairing.PairingCamera("front-door", "Front door")],
        now,
    )
    opened = pairing.open_pairing_request(request_envelope, pairing.format_code(code), now)
    grant, _cert = grant_pairing(account, request_envelope, opened, code)
    accepted = pairing.accept_pairing_grant(
        grant,
        code=code,
        request_payload_bytes=request_envelope.payload,
        device_key=device_key,
        expires_at=request.expires_at,
        now=now + 5,
        already_used=False,
    )
    return PairedDevice(device_key, DeviceTrust.from_grant(accepted))


def new_account() -> AccountFixture:
    """A real account with a fresh passphrase, as the panel makes it (fast KDF parameters)."""
    passphrase = generate_passphrase()
    document, first = endpoint.create_account(passphrase, kdf_params=fast_kdf_params())
    return AccountFixture(passphrase, document, first)


def pair_v2(
    document: AccountDocumentV2, owner: endpoint_v2.EndpointV2, passphrase: str
) -> PairedDevice:
    """Pairing with the passphrase (section 8.4): the grant carries the endpoint's H."""
    device_key = primitives.rsa_generate()
    code = pairing.new_pairing_code()
    request_envelope, request = pairing.make_pairing_request(
        code, device_key, "box", [pairing.PairingCamera("front-door", "Front door")], NOW
    )
    opened = pairing.open_pairing_request(request_envelope, code, NOW)
    granted = owner.grant_set(document)
    signing = endpoint_v2.unlock(document, passphrase).signing
    grant, _ = pairing.make_pairing_grant(
        request_envelope, opened, code, owner.root_cert, signing, granted.envelope,
        granted.data_key_id,
    )  # fmt: skip
    accepted = pairing.accept_pairing_grant(
        grant, code=code, request_payload_bytes=request_envelope.payload, device_key=device_key,
        expires_at=request.expires_at, now=NOW + 1, already_used=False,
    )  # fmt: skip
    return PairedDevice(device_key, DeviceTrust.from_grant(accepted))
