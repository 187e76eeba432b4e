"""The only module that calls pyca `cryptography` primitives directly.

Every construction in the protocol goes through these few functions, so the Wycheproof files
exercise exactly the calls the protocol makes, with the parameters it makes them with.
Nothing here is a primitive of our own: each function pins one algorithm and its parameters.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

GCM_NONCE_BYTES = 12
GCM_TAG_BYTES = 16
P256_POINT_BYTES = 65  # uncompressed SEC1 point: 0x04 || X || Y
RSA_PUBLIC_EXPONENT = 65537
RSA_MIN_BITS = 2048
RSA_MAX_BITS = 4096
PSS_SALT_BYTES = 32


class PrimitiveFailure(Exception):
    """A primitive refused its input (bad tag, bad signature, invalid point, bad padding).

    Internal: the protocol modules translate it into the named error of their context.
    """


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def aes_gcm_encrypt(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """AES-GCM with a 96-bit nonce and a 128-bit tag appended; key of 16 or 32 bytes."""
    if len(nonce) != GCM_NONCE_BYTES:
        raise ValueError("AES-GCM nonce must be 12 bytes")
    return AESGCM(key).encrypt(nonce, plaintext, aad)


def aes_gcm_decrypt(key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
    if len(nonce) != GCM_NONCE_BYTES or len(ciphertext) < GCM_TAG_BYTES:
        raise PrimitiveFailure("AES-GCM input too short")
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, aad)
    except InvalidTag as err:
        raise PrimitiveFailure("AES-GCM tag mismatch") from err


def hkdf_sha256(ikm: bytes, *, salt: bytes, info: bytes, length: int) -> bytes:
    """RFC 5869 extract-then-expand, the shape WebCrypto's HKDF deriveBits computes."""
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def hmac_sha256_verify(key: bytes, message: bytes, tag: bytes) -> bool:
    # compare_digest: a MAC check must not leak, through timing, how many bytes matched.
    return hmac.compare_digest(hmac_sha256(key, message), tag)


def pbkdf2_sha256(password: bytes, *, salt: bytes, iterations: int, length: int) -> bytes:
    return PBKDF2HMAC(
        algorithm=hashes.SHA256(), length=length, salt=salt, iterations=iterations
    ).derive(password)


def scrypt(password: bytes, *, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    # hashlib's scrypt is OpenSSL's; maxmem must cover 128 * n * r bytes plus slack.
    return hashlib.scrypt(
        password, salt=salt, n=n, r=r, p=p, dklen=length, maxmem=129 * n * r * p + (1 << 20)
    )


def p256_generate() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def p256_public_bytes(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)


def p256_public_from_bytes(point: bytes) -> ec.EllipticCurvePublicKey:
    """Parse an uncompressed P-256 point; the library checks it lies on the curve."""
    if len(point) != P256_POINT_BYTES or point[0] != 0x04:
        raise PrimitiveFailure("not an uncompressed P-256 point")
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError as err:
        raise PrimitiveFailure("invalid P-256 point") from err


def ecdh_p256(private: ec.EllipticCurvePrivateKey, public: ec.EllipticCurvePublicKey) -> bytes:
    if not isinstance(public.curve, ec.SECP256R1) or not isinstance(private.curve, ec.SECP256R1):
        raise PrimitiveFailure("ECDH key is not on P-256")
    try:
        return private.exchange(ec.ECDH(), public)
    except ValueError as err:
        raise PrimitiveFailure("ECDH failed") from err


def rsa_generate(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=RSA_PUBLIC_EXPONENT, key_size=bits)


def rsa_check_public(key: object) -> rsa.RSAPublicKey:
    """Suite 1 accepts RSA keys of 2048 to 4096 bits with e = 65537 and nothing else."""
    if not isinstance(key, rsa.RSAPublicKey):
        raise PrimitiveFailure("not an RSA key")
    numbers = key.public_numbers()
    if numbers.e != RSA_PUBLIC_EXPONENT or not RSA_MIN_BITS <= key.key_size <= RSA_MAX_BITS:
        raise PrimitiveFailure("RSA key outside suite 1 (2048-4096 bits, e=65537)")
    return key


def _oaep(label: bytes) -> padding.OAEP:
    # WebCrypto's RSA-OAEP uses MGF1 with the OAEP hash, so both are SHA-256 here.
    return padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=label)


def rsa_oaep_encrypt(public: rsa.RSAPublicKey, plaintext: bytes, *, label: bytes) -> bytes:
    return public.encrypt(plaintext, _oaep(label))


def rsa_oaep_decrypt(private: rsa.RSAPrivateKey, ciphertext: bytes, *, label: bytes) -> bytes:
    try:
        return private.decrypt(ciphertext, _oaep(label))
    except ValueError as err:
        raise PrimitiveFailure("RSA-OAEP decryption failed") from err


def _pss() -> padding.PSS:
    return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=PSS_SALT_BYTES)


def rsa_pss_sign(private: rsa.RSAPrivateKey, message: bytes) -> bytes:
    return private.sign(message, _pss(), hashes.SHA256())


def rsa_pss_verify(public: rsa.RSAPublicKey, message: bytes, signature: bytes) -> None:
    try:
        public.verify(signature, message, _pss(), hashes.SHA256())
    except InvalidSignature as err:
        raise PrimitiveFailure("RSA-PSS signature does not verify") from err


def pss_padding() -> padding.PSS:
    """The PSS parameters certificates are signed with (same as every other signature)."""
    return _pss()
