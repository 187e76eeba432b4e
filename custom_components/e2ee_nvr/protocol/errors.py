"""Sentinel error types, one per way a protocol object can be refused.

Callers (the agent, the integration, the recovery tool) branch on the type, never on the
message: a wrong passphrase, a rolled-back recipient set and a forged manifest need different
answers for the user, so each has its own class.
"""

from __future__ import annotations


class ProtocolError(Exception):
    """Base of every refusal raised by the protocol package."""


class MalformedObject(ProtocolError):
    """An object does not parse: bad JSON, a missing or unknown field, a wrong type or size."""


class UnsupportedVersion(ProtocolError):
    """An object names a protocol version or suite this implementation does not speak."""


class BadSignature(ProtocolError):
    """A signature does not verify under the key it claims."""


class UntrustedKey(ProtocolError):
    """A certificate or key does not chain to the pinned root, or breaks its role's profile."""


class RolledBack(ProtocolError):
    """A recipient set is older than one already seen (or differs at the same epoch)."""


class MissingDataKey(ProtocolError):
    """A recipient set lacks the account data key (or carries a different one than pinned)."""


class WrongPassphrase(ProtocolError):
    """The passphrase (or derived key) does not match the account's key check."""


class InvalidPassphrase(ProtocolError):
    """A typed passphrase is not made of the expected number of list words."""


class BackupMismatch(ProtocolError):
    """A key backup opens to a key other than the one the account's certificates name."""


class UnwrapFailed(ProtocolError):
    """A wrapped key does not open with this recipient key and context."""


class NoRecipientKey(ProtocolError):
    """A clip carries no wrapped key for any key the caller holds."""


class PairingMacMismatch(ProtocolError):
    """A pairing message's MAC does not verify: wrong code, or altered in transit."""


class PairingExpired(ProtocolError):
    """A pairing code is past its expiry or was already used."""


class ChunkAuthFailed(ProtocolError):
    """A chunk's AES-GCM tag does not verify: altered, reordered, moved or under another key."""


class Truncated(ProtocolError):
    """A stream ends before its last chunk (no chunk carries the last-chunk flag)."""


class TrailingData(ProtocolError):
    """Bytes follow the chunk that carries the last-chunk flag."""


class HeaderMismatch(ProtocolError):
    """A clip header disagrees with its manifest (clip id, kind, suite or chunk size)."""


class Replayed(ProtocolError):
    """A live record's sequence number is not above the last one accepted: replayed or reordered.

    Section 18: the store may drop live records, never repeat or reorder them.
    """


class Readmitted(ProtocolError):
    """A recipient set lists a revoked key, or drops a key id from the revoked list held."""


class NotEnrolled(ProtocolError):
    """A verified recipient set does not list this endpoint's instance key (revoked?)."""


class RevocationWithheld(ProtocolError):
    """A clip went to a revoked key or an old epoch: the store withholds a revocation.

    A warning condition (section 10.1): the clip still opens, but the user must be told.
    """
