"""The account a malicious HA attacks: protocol v2, two browsers, one paired camera agent.

The owner's browser (`owner`) and a laptop (`laptop`) are enrolled; the agent is paired to the
owner's set by the real pairing exchange. Attack sets are signed here the way an attacker
could get them: by a key of its own, or by the account signing key (a v1-era thief, or a
second endpoint HA tricked into signing), so each refusal shown is the rule, not a bad MAC.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from e2ee_nvr_protocol import (
    certs,
    endpoint_v2,
    envelope,
    kdf,
    pairing,
    primitives,
    recipients,
)
from e2ee_nvr_protocol.account_build_v2 import create_account_v2
from e2ee_nvr_protocol.account_v2 import AccountDocumentV2
from e2ee_nvr_protocol.device import DeviceTrust
from e2ee_nvr_protocol.envelope import MacedEnvelope, SignedEnvelope
from e2ee_nvr_protocol.passphrase import generate_passphrase
from e2ee_nvr_protocol.recipients import Recipient
from tests.agent.agent_setup import write_state

FAST = kdf.KdfParams.new_default(scrypt_n_log2=15, pbkdf2_iterations=10_000)
CAMERA_ID = "front"


@dataclass
class TrustWorld:
    passphrase: str
    document: AccountDocumentV2
    owner: endpoint_v2.EndpointV2
    laptop: endpoint_v2.EndpointV2
    device_key: rsa.RSAPrivateKey
    trust: DeviceTrust
    epoch_2_set: SignedEnvelope  # the genuine set from before any revocation

    @property
    def signing(self) -> rsa.RSAPrivateKey:
        return endpoint_v2.unlock(self.document, self.passphrase).signing

    @property
    def held(self) -> recipients.VerifiedRecipientSet:
        return self.owner.held

    def write_agent_state(self, folder: Path) -> None:
        """The state folder `pair` leaves: device key (0600) and the pinned trust."""
        write_state(folder, self.device_key, self.trust)

    def revoke_laptop(self, *, signed_ago_seconds: int = 0) -> None:
        """The owner revokes the laptop (rotating the data key); optionally signed a while ago,
        so a clip recorded now is past the withholding grace of section 10.1."""
        real_now = endpoint_v2._now
        endpoint_v2._now = lambda: int(time.time()) - signed_ago_seconds
        try:
            self.document, self.owner = endpoint_v2.revoke(
                self.document, self.owner, self.passphrase, [self.laptop.instance_key_id]
            )
        finally:
            endpoint_v2._now = real_now


def build_world() -> TrustWorld:
    passphrase = generate_passphrase()
    document, owner = create_account_v2(passphrase, pdk_params=FAST)
    document, owner, laptop = endpoint_v2.enrol(document, owner, passphrase)
    device_key, trust = pair_device(document, owner, passphrase)
    return TrustWorld(
        passphrase, document, owner, laptop, device_key, trust, document.recipient_set
    )


def pair_device(
    document: AccountDocumentV2, owner: endpoint_v2.EndpointV2, passphrase: str
) -> tuple[rsa.RSAPrivateKey, DeviceTrust]:
    """The whole section 8 exchange, as the agent and the owner's panel run it."""
    device_key = primitives.rsa_generate()
    code = pairing.new_pairing_code()
    now = int(time.time())
    request, opened_request = pairing.make_pairing_request(
        code, device_key, "security box", [pairing.PairingCamera(CAMERA_ID, "Front")], now
    )
    grant, _device_cert = grant_for(document, owner, passphrase, request, code, now)
    accepted = pairing.accept_pairing_grant(
        grant, code=code, request_payload_bytes=request.payload, device_key=device_key,
        expires_at=opened_request.expires_at, now=now + 1, already_used=False,
    )  # fmt: skip
    return device_key, DeviceTrust.from_grant(accepted)


def grant_for(
    document: AccountDocumentV2,
    owner: endpoint_v2.EndpointV2,
    passphrase: str,
    request: MacedEnvelope,
    code: str,
    now: int,
) -> tuple[MacedEnvelope, x509.Certificate]:
    """What the owner's panel posts once the user typed the code: the grant and device cert."""
    opened = pairing.open_pairing_request(request, code, now)
    granted = owner.grant_set(document)
    signing = endpoint_v2.unlock(document, passphrase).signing
    return pairing.make_pairing_grant(
        request, opened, code, owner.root_cert, signing, granted.envelope, granted.data_key_id
    )


def resign(
    base: recipients.VerifiedRecipientSet,
    key: rsa.RSAPrivateKey,
    *,
    epoch: int | None = None,
    add: tuple[Recipient, ...] = (),
    drop_roles: tuple[str, ...] = (),
    revoked: tuple[str, ...] | None = None,
    prev_sha256: bytes | None = None,
) -> SignedEnvelope:
    """A set built by hand from `base` and signed by `key`: how an attacker forges one."""
    current = base.recipient_set
    members = [r for r in current.recipients if r.role not in drop_roles] + list(add)
    # Built field by field, not with build_recipient_set_v2, which would refuse some forgeries
    # before they ever reach the party under test.
    forged = recipients.RecipientSet(
        current.account_id,
        current.epoch if epoch is None else epoch,
        # Never the base's own time: a fork must differ from the base even within one second.
        max(int(time.time()), current.issued_at + 1),
        tuple(sorted(members, key=lambda r: r.key_id)),
        version=current.version,
        prev_sha256=base.payload_sha256 if prev_sha256 is None else prev_sha256,
        revoked=tuple(current.revoked) if revoked is None else revoked,
    )
    return envelope.sign(recipients.OBJECT_TYPE, forged.to_payload(), key)


def attacker_instance(world: TrustWorld) -> Recipient:
    """An eavesdropper's P-256 key, certified by a root the attacker made itself."""
    attacker = primitives.rsa_generate()
    root = certs.make_root(attacker)
    key = primitives.p256_generate()
    cert = certs.issue(root, attacker, key.public_key(), certs.Role.instance)
    return Recipient.from_cert("instance", certs.cert_der(cert))


def trust_answer(signed: SignedEnvelope, world: TrustWorld) -> bytes:
    """The body of GET /trust carrying `signed`, as the honest store would send it."""
    return json.dumps(
        {"recipient_set": signed.to_json(), "root_cert": world.document.root_cert_der.hex()}
    ).encode()
