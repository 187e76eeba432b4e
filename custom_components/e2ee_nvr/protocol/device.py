"""The device role's trust state: pinned root and data key, device certificate, highest epoch.

A device persists this after pairing and after each recipient set it accepts. Every set it
uses is re-verified against the pinned root, and the epoch only grows (section 6), so a store
can neither add an eavesdropper nor bring back a revoked browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from . import certs
from .encoding import Fields, b64encode
from .envelope import PROTOCOL_VERSION, SignedEnvelope
from .errors import UntrustedKey
from .identifiers import KEY_ID_RE, key_id
from .pairing import AcceptedGrant
from .recipients import HeldSet, VerifiedRecipientSet, check_succession, verify_recipient_set

OBJECT_TYPE = "device-trust"
MAX_CERT_BYTES = 8192


@dataclass(frozen=True)
class DeviceTrust:
    """What a paired device pins, with the highest recipient set it has accepted."""

    root_cert_der: bytes
    device_cert_der: bytes
    data_key_id: str
    recipient_set: SignedEnvelope

    @classmethod
    def from_grant(cls, grant: AcceptedGrant) -> DeviceTrust:
        return cls(
            root_cert_der=certs.cert_der(grant.root_cert),
            device_cert_der=certs.cert_der(grant.device_cert),
            data_key_id=grant.data_key_id,
            recipient_set=grant.recipient_set.envelope,
        )

    @property
    def root_cert(self) -> x509.Certificate:
        return certs.load_cert(self.root_cert_der)

    @property
    def account_id(self) -> str:
        return key_id(certs.verify_root(self.root_cert))

    def current_set(self) -> VerifiedRecipientSet:
        """The stored set, verified again: state on disk is not trusted blindly either."""
        return verify_recipient_set(
            self.recipient_set, self.root_cert, pinned_data_key_id=self.data_key_id
        )

    def admit(self, signed: SignedEnvelope) -> tuple[DeviceTrust, VerifiedRecipientSet]:
        """Verify a fetched set (section 6.2, every rule); return the state to persist.

        The caller MUST persist the returned state before encrypting to the new set.
        """
        current = self.current_set()
        # The data key is pinned only while the held set is v1; after that a v1 set is
        # RolledBack (section 6.2 rule 3) whatever data key it names.
        pinned = self.data_key_id if current.version == 1 else None
        verified = verify_recipient_set(signed, self.root_cert, pinned_data_key_id=pinned)
        if check_succession(verified, HeldSet.of(current)):
            # A v2 set may rotate the data key (section 6.4): what the device keeps is the
            # data key of its current set, never a pin for ever.
            return DeviceTrust(
                self.root_cert_der, self.device_cert_der, verified.data_key_id, signed
            ), verified
        return self, current

    def check_device_key(self, device_key: rsa.RSAPrivateKey) -> None:
        """Refuse state whose device certificate is not for this key or not from the root."""
        public = certs.verify_issued(
            certs.load_cert(self.device_cert_der), self.root_cert, certs.Role.device
        )
        if key_id(public) != key_id(device_key.public_key()):
            raise UntrustedKey("device certificate is for another key")

    def to_json(self) -> dict[str, Any]:
        return {
            "v": PROTOCOL_VERSION,
            "type": OBJECT_TYPE,
            "root_cert": b64encode(self.root_cert_der),
            "device_cert": b64encode(self.device_cert_der),
            "data_key_id": self.data_key_id,
            "recipient_set": self.recipient_set.to_json(),
        }

    @classmethod
    def from_json(cls, document: object) -> DeviceTrust:
        with Fields.typed(document, OBJECT_TYPE, PROTOCOL_VERSION) as fields:
            trust = cls(
                root_cert_der=fields.bytes("root_cert", max_len=MAX_CERT_BYTES),
                device_cert_der=fields.bytes("device_cert", max_len=MAX_CERT_BYTES),
                data_key_id=fields.str("data_key_id", pattern=KEY_ID_RE),
                recipient_set=SignedEnvelope.from_json(fields.raw("recipient_set")),
            )
        trust.current_set()
        return trust
