// Sentinel error types, one per way a protocol object can be refused (protocol/errors.py).
//
// Callers branch on the class (or on `name`, which equals the Python class name so vector files
// name failures identically in both implementations), never on the message.

export class ProtocolError extends Error {
  override name = "ProtocolError";
}

/** An object does not parse: bad JSON, a missing or unknown field, a wrong type or size. */
export class MalformedObject extends ProtocolError {
  override name = "MalformedObject";
}
/** An object names a protocol version or suite this implementation does not speak. */
export class UnsupportedVersion extends ProtocolError {
  override name = "UnsupportedVersion";
}
/** A signature does not verify under the key it claims. */
export class BadSignature extends ProtocolError {
  override name = "BadSignature";
}
/** A certificate or key does not chain to the pinned root, or breaks its role's profile. */
export class UntrustedKey extends ProtocolError {
  override name = "UntrustedKey";
}
/** A recipient set is older than one already seen (or differs at the same epoch). */
export class RolledBack extends ProtocolError {
  override name = "RolledBack";
}
/** A recipient set lacks the account data key (or carries a different one than pinned). */
export class MissingDataKey extends ProtocolError {
  override name = "MissingDataKey";
}
/** The passphrase (or derived key) does not match the account's key check. */
export class WrongPassphrase extends ProtocolError {
  override name = "WrongPassphrase";
}
/** A typed passphrase is not made of the expected number of list words. */
export class InvalidPassphrase extends ProtocolError {
  override name = "InvalidPassphrase";
}
/** A key backup opens to a key other than the one the account's certificates name. */
export class BackupMismatch extends ProtocolError {
  override name = "BackupMismatch";
}
/** A wrapped key does not open with this recipient key and context. */
export class UnwrapFailed extends ProtocolError {
  override name = "UnwrapFailed";
}
/** A clip carries no wrapped key for any key the caller holds. */
export class NoRecipientKey extends ProtocolError {
  override name = "NoRecipientKey";
}
/** A pairing message's MAC does not verify: wrong code, or altered in transit. */
export class PairingMacMismatch extends ProtocolError {
  override name = "PairingMacMismatch";
}
/** A pairing code is past its expiry or was already used. */
export class PairingExpired extends ProtocolError {
  override name = "PairingExpired";
}
/** A chunk's AES-GCM tag does not verify: altered, reordered, moved or under another key. */
export class ChunkAuthFailed extends ProtocolError {
  override name = "ChunkAuthFailed";
}
/** A stream ends before its last chunk (no chunk carries the last-chunk flag). */
export class Truncated extends ProtocolError {
  override name = "Truncated";
}
/** Bytes follow the chunk that carries the last-chunk flag. */
export class TrailingData extends ProtocolError {
  override name = "TrailingData";
}
/** A clip header disagrees with its manifest (clip id, kind, suite or chunk size). */
export class HeaderMismatch extends ProtocolError {
  override name = "HeaderMismatch";
}
/** A recipient set lists a key its own `revoked` names, or drops a revoked id the verifier holds. */
export class Readmitted extends ProtocolError {
  override name = "Readmitted";
}
/** A verified set does not list this endpoint's instance key: it must not grant, sign or read. */
export class NotEnrolled extends ProtocolError {
  override name = "NotEnrolled";
}
/**
 * A clip went to a revoked key or an old epoch: the store withholds a revocation (section 10.1).
 * A warning, not a refusal: the clip still opens, but the user must be told loudly.
 */
export class RevocationWithheld extends ProtocolError {
  override name = "RevocationWithheld";
}
/** A live record's seq is not above the last one accepted: replayed or reordered (section 18). */
export class Replayed extends ProtocolError {
  override name = "Replayed";
}
