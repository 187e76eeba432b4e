"""Project Wycheproof vectors against the primitives layer (e2ee_nvr_protocol.primitives).

The vectors are Project Wycheproof's own files, not copied into this repository: the folder is
named by E2EE_NVR_WYCHEPROOF, else `shared/vectors/wycheproof/` beside the checkout
(`<repo>/../shared/`), where CI places a copy of the project's shared folder. In CI, or when the
variable is set, they are part of the required suite: a missing folder or file FAILS. A bare
clone elsewhere (no variable, no folder) skips this module and says how to provide the files.

Only the parameter sets the protocol uses are run (docs/protocol.md, sections 3, 7 and 9):
AES-GCM with 128- and 256-bit keys, 96-bit nonces and 128-bit tags; ECDH on P-256; HKDF,
HMAC and PBKDF2 with SHA-256; RSA-OAEP and RSA-PSS with SHA-256, MGF1-SHA-256 (PSS salt 32
bytes) on 2048-bit keys. Vectors with other AES-GCM nonce sizes are not skipped: they check
that the wrapper refuses any nonce that is not 12 bytes. The groups left out are listed in
EXCLUSIONS below with their reason, and test_vector_file_counts checks, per file, that the
cases generated here are exactly numberOfTests minus the excluded groups.

Wycheproof results: "valid" must be accepted with the expected output, "invalid" must be
refused. "acceptable" (only in the DER-encoded ECDH file) may go either way; each such test
records which way it went (property "outcome" in the JUnit report, and a per-flag summary
printed by test_vector_file_counts), and if the key is accepted the shared secret must match.
"""

from __future__ import annotations

import base64
import functools
import json
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import (
    load_der_private_key,
    load_der_public_key,
)

from e2ee_nvr_protocol import primitives
from e2ee_nvr_protocol.primitives import PrimitiveFailure

# tests/protocol/test_wycheproof.py -> parents[2] is the repository root; shared/ is beside it.
REPO_ROOT = Path(__file__).resolve().parents[2]
_NAMED_DIR = os.environ.get("E2EE_NVR_WYCHEPROOF", "")
VECTOR_DIR = (
    Path(_NAMED_DIR) if _NAMED_DIR else REPO_ROOT.parent / "shared" / "vectors" / "wycheproof"
)
_REQUIRED = bool(_NAMED_DIR) or os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
if not _REQUIRED and not VECTOR_DIR.is_dir():
    pytest.skip(
        f"Wycheproof files not found at {VECTOR_DIR}: set E2EE_NVR_WYCHEPROOF to the folder "
        "holding Project Wycheproof's testvectors_v1 JSON files (CI always runs them)",
        allow_module_level=True,
    )

JsonObj = dict[str, Any]
ExclusionRule = Callable[[JsonObj], str | None]
RecordProperty = Callable[[str, object], None]


# --- which groups each file contributes -----------------------------------------------------


def _exclude_aes_gcm(group: JsonObj) -> str | None:
    if group["keySize"] not in (128, 256):
        return f"AES-{group['keySize']}: the protocol uses AES-128-GCM and AES-256-GCM only"
    if group["tagSize"] != 128:
        return f"{group['tagSize']}-bit tag: the wrapper has a fixed 128-bit tag, no tag size"
    return None


def _exclude_ecdh(group: JsonObj) -> str | None:
    if group["curve"] not in ("secp256r1", "P-256"):
        return f"curve {group['curve']}: the protocol uses P-256 only"
    return None


def _exclude_rsa(group: JsonObj) -> str | None:
    hashes_ok = group["sha"] == "SHA-256" and group.get("mgfSha", "SHA-256") == "SHA-256"
    if not hashes_ok or group.get("mgf", "MGF1") != "MGF1" or group["keySize"] != 2048:
        return "RSA parameters other than 2048 bits, SHA-256, MGF1-SHA-256"
    if group.get("sLen", 32) != 32:
        return f"PSS salt of {group['sLen']} bytes: the protocol's salt is 32 bytes"
    return None


def _exclude_none(group: JsonObj) -> str | None:
    return None


@dataclass(frozen=True)
class VectorFile:
    name: str  # file name in VECTOR_DIR
    prefix: str  # test id prefix: "<prefix>-tc<N>"
    exclude: ExclusionRule


FILES: tuple[VectorFile, ...] = (
    VectorFile("aes_gcm_test.json", "aes_gcm", _exclude_aes_gcm),
    VectorFile("ecdh_secp256r1_test.json", "ecdh_der", _exclude_ecdh),
    VectorFile("ecdh_secp256r1_webcrypto_test.json", "ecdh_webcrypto", _exclude_ecdh),
    VectorFile("hkdf_sha256_test.json", "hkdf", _exclude_none),
    VectorFile("hmac_sha256_test.json", "hmac", _exclude_none),
    VectorFile("pbkdf2_hmacsha256_test.json", "pbkdf2", _exclude_none),
    VectorFile("rsa_oaep_2048_sha256_mgf1sha256_test.json", "rsa_oaep", _exclude_rsa),
    VectorFile("rsa_pss_2048_sha256_mgf1_32_test.json", "rsa_pss", _exclude_rsa),
)


# --- loading --------------------------------------------------------------------------------


@dataclass
class Loaded:
    """One vector file: its generated cases, its excluded groups, or why it could not load."""

    spec: VectorFile
    number_of_tests: int = 0
    cases: list[Any] = field(default_factory=list)  # pytest ParameterSet objects
    excluded: list[tuple[str, int]] = field(default_factory=list)  # (reason, test count)
    error: str | None = None


def _load(spec: VectorFile) -> Loaded:
    loaded = Loaded(spec)
    path = VECTOR_DIR / spec.name
    try:
        data: JsonObj = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        loaded.error = (
            f"Wycheproof vector file missing: {path}. The vectors are part of the required "
            f"suite; set E2EE_NVR_WYCHEPROOF to the folder holding them, or put a copy of the "
            f"project's shared/ folder beside the repository."
        )
        return loaded
    loaded.number_of_tests = int(data["numberOfTests"])
    for group in data["testGroups"]:
        reason = spec.exclude(group)
        if reason is not None:
            loaded.excluded.append((reason, len(group["tests"])))
            continue
        for test in group["tests"]:
            test_id = f"{spec.prefix}-tc{test['tcId']}"
            loaded.cases.append(pytest.param(group, test, id=test_id))
    return loaded


LOADED: dict[str, Loaded] = {spec.prefix: _load(spec) for spec in FILES}


def _cases(prefix: str) -> list[Any]:
    return LOADED[prefix].cases


def _hex(value: str) -> bytes:
    return bytes.fromhex(value)


def _b64url(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


# --- the folder and the counts --------------------------------------------------------------


def test_vector_folder_present() -> None:
    assert VECTOR_DIR.is_dir(), (
        f"Wycheproof vector folder not found at {VECTOR_DIR}. It is required (not optional): "
        f"set E2EE_NVR_WYCHEPROOF, or put shared/vectors/wycheproof/ beside the repository."
    )


@pytest.mark.parametrize("prefix", [spec.prefix for spec in FILES])
def test_vector_file_counts(prefix: str) -> None:
    loaded = LOADED[prefix]
    assert loaded.error is None, loaded.error
    excluded = sum(count for _, count in loaded.excluded)
    print(f"{loaded.spec.name}: numberOfTests={loaded.number_of_tests}, run={len(loaded.cases)}")
    reasons: Counter[str] = Counter()
    for reason, count in loaded.excluded:
        reasons[reason] += count
    for reason, count in sorted(reasons.items()):
        print(f"  excluded {count}: {reason}")
    if prefix == "aes_gcm":
        refusals = sum(1 for case in loaded.cases if case.values[0]["ivSize"] != 96)
        print(f"  of which {refusals} check that a nonce other than 12 bytes is refused")
    if prefix == "ecdh_der":
        # Where each non-valid DER key was stopped (or, for "acceptable", whether it was).
        outcomes: Counter[str] = Counter()
        for case in loaded.cases:
            test = case.values[1]
            if test["result"] != "valid":
                flags = "+".join(test["flags"])
                outcomes[f"{test['result']} {flags}: {_ecdh_der_outcome(test)[0]}"] += 1
        for line, count in sorted(outcomes.items()):
            print(f"  {count:4} {line}")
    ids = [case.id for case in loaded.cases]
    assert len(ids) == len(set(ids)), "duplicate tcId in " + loaded.spec.name
    assert len(loaded.cases) > 0, f"{loaded.spec.name}: no case runs"
    assert len(loaded.cases) == loaded.number_of_tests - excluded


# --- AES-GCM --------------------------------------------------------------------------------


@pytest.mark.parametrize(("group", "test"), _cases("aes_gcm"))
def test_aes_gcm(group: JsonObj, test: JsonObj) -> None:
    key, iv, aad, msg = _hex(test["key"]), _hex(test["iv"]), _hex(test["aad"]), _hex(test["msg"])
    sealed = _hex(test["ct"]) + _hex(test["tag"])
    if group["ivSize"] != 96:
        # The protocol only ever uses 12-byte nonces; the wrapper must refuse any other size,
        # whatever the vector's verdict (GHASH-derived counters for other sizes are never used).
        assert len(iv) != primitives.GCM_NONCE_BYTES
        with pytest.raises(ValueError):
            primitives.aes_gcm_encrypt(key, iv, msg, aad)
        with pytest.raises(PrimitiveFailure):
            primitives.aes_gcm_decrypt(key, iv, sealed, aad)
        return
    if test["result"] == "valid":
        assert primitives.aes_gcm_encrypt(key, iv, msg, aad) == sealed
        assert primitives.aes_gcm_decrypt(key, iv, sealed, aad) == msg
    else:
        assert test["result"] == "invalid", test["result"]
        with pytest.raises(PrimitiveFailure):
            primitives.aes_gcm_decrypt(key, iv, sealed, aad)


# --- ECDH P-256, DER/SPKI public keys -------------------------------------------------------


def _p256_private(d: int) -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(d, ec.SECP256R1())


def _ecdh_der_outcome(test: JsonObj) -> tuple[str, bytes | None]:
    """("accepted", secret) or ("refused by <stage>", None) for one DER-encoded ECDH vector."""
    private = _p256_private(int.from_bytes(_hex(test["private"]), "big"))
    try:
        public = load_der_public_key(_hex(test["public"]))
    except (ValueError, UnsupportedAlgorithm):
        return "refused by load_der_public_key", None
    if not isinstance(public, ec.EllipticCurvePublicKey):
        # ecdh_p256 takes an EC key by type; a non-EC SPKI never reaches it in the protocol.
        return f"refused: not an EC key ({type(public).__name__})", None
    try:
        return "accepted", primitives.ecdh_p256(private, public)
    except PrimitiveFailure:
        return "refused by ecdh_p256", None


@pytest.mark.parametrize(("group", "test"), _cases("ecdh_der"))
def test_ecdh_der(group: JsonObj, test: JsonObj, record_property: RecordProperty) -> None:
    outcome, secret = _ecdh_der_outcome(test)
    record_property("outcome", outcome)
    expected = _hex(test["shared"])
    if test["result"] == "valid":
        assert outcome == "accepted"
        assert secret == expected
    elif test["result"] == "invalid":
        assert secret is None, f"invalid public key accepted ({test['flags']})"
    else:
        assert test["result"] == "acceptable", test["result"]
        # Either outcome is allowed; an accepted key must still give the right secret.
        if secret is not None:
            assert secret == expected


# --- ECDH P-256, WebCrypto JWK keys ---------------------------------------------------------


@pytest.mark.parametrize(("group", "test"), _cases("ecdh_webcrypto"))
def test_ecdh_webcrypto(group: JsonObj, test: JsonObj) -> None:
    jwk_private, jwk_public = test["private"], test["public"]
    private = _p256_private(int.from_bytes(_b64url(jwk_private["d"]), "big"))
    # The private JWK's own x, y must be the public half of its d.
    own_point = b"\x04" + _b64url(jwk_private["x"]) + _b64url(jwk_private["y"])
    assert primitives.p256_public_bytes(private.public_key()) == own_point
    # The peer key goes through the same parser the protocol uses for epk / instance points.
    point = b"\x04" + _b64url(jwk_public["x"]) + _b64url(jwk_public["y"])
    if test["result"] == "valid":
        public = primitives.p256_public_from_bytes(point)
        assert primitives.ecdh_p256(private, public) == _hex(test["shared"])
    else:
        assert test["result"] == "invalid", test["result"]
        with pytest.raises(PrimitiveFailure):
            primitives.ecdh_p256(private, primitives.p256_public_from_bytes(point))


# --- HKDF-SHA256 ----------------------------------------------------------------------------


@pytest.mark.parametrize(("group", "test"), _cases("hkdf"))
def test_hkdf_sha256(group: JsonObj, test: JsonObj) -> None:
    ikm, salt, info = _hex(test["ikm"]), _hex(test["salt"]), _hex(test["info"])
    if test["result"] == "valid":
        okm = primitives.hkdf_sha256(ikm, salt=salt, info=info, length=test["size"])
        assert okm == _hex(test["okm"])
    else:
        # The only invalid HKDF vectors ask for more than 255 * 32 bytes (SizeTooLarge).
        assert test["result"] == "invalid", test["result"]
        with pytest.raises((ValueError, PrimitiveFailure)):
            primitives.hkdf_sha256(ikm, salt=salt, info=info, length=test["size"])


# --- HMAC-SHA256 ----------------------------------------------------------------------------


@pytest.mark.parametrize(("group", "test"), _cases("hmac"))
def test_hmac_sha256(group: JsonObj, test: JsonObj) -> None:
    key, msg, tag = _hex(test["key"]), _hex(test["msg"]), _hex(test["tag"])
    assert len(tag) * 8 == group["tagSize"]
    full = primitives.hmac_sha256(key, msg)
    if test["result"] == "valid":
        assert full[: len(tag)] == tag
        # The protocol's MACs are full 32-byte tags; its verifier must refuse a truncated tag
        # even when the truncation is correct.
        assert primitives.hmac_sha256_verify(key, msg, tag) is (len(tag) == len(full))
    else:
        assert test["result"] == "invalid", test["result"]
        assert full[: len(tag)] != tag
        assert primitives.hmac_sha256_verify(key, msg, tag) is False


# --- PBKDF2-HMAC-SHA256 ---------------------------------------------------------------------


@pytest.mark.parametrize(("group", "test"), _cases("pbkdf2"))
def test_pbkdf2_sha256(group: JsonObj, test: JsonObj) -> None:
    assert test["result"] == "valid", "this file only has valid vectors"
    dk = primitives.pbkdf2_sha256(
        _hex(test["password"]),
        salt=_hex(test["salt"]),
        iterations=test["iterationCount"],
        length=test["dkLen"],
    )
    assert dk == _hex(test["dk"])


# --- RSA-OAEP-SHA256 (MGF1-SHA256), 2048 bits -----------------------------------------------


@functools.cache
def _rsa_private(pkcs8_hex: str) -> rsa.RSAPrivateKey:
    key = load_der_private_key(_hex(pkcs8_hex), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


@functools.cache
def _rsa_public(der_hex: str) -> rsa.RSAPublicKey:
    return primitives.rsa_check_public(load_der_public_key(_hex(der_hex)))


@pytest.mark.parametrize(("group", "test"), _cases("rsa_oaep"))
def test_rsa_oaep(group: JsonObj, test: JsonObj) -> None:
    private = _rsa_private(group["privateKeyPkcs8"])
    public = primitives.rsa_check_public(private.public_key())  # suite 1 accepts the key
    assert public.key_size == group["keySize"]
    msg, label, ct = _hex(test["msg"]), _hex(test["label"]), _hex(test["ct"])
    if test["result"] == "valid":
        assert primitives.rsa_oaep_decrypt(private, ct, label=label) == msg
        again = primitives.rsa_oaep_encrypt(public, msg, label=label)
        assert primitives.rsa_oaep_decrypt(private, again, label=label) == msg
    else:
        assert test["result"] == "invalid", test["result"]
        with pytest.raises(PrimitiveFailure):
            primitives.rsa_oaep_decrypt(private, ct, label=label)


# --- RSA-PSS-SHA256 (MGF1-SHA256, salt 32), 2048 bits ---------------------------------------


@pytest.mark.parametrize(("group", "test"), _cases("rsa_pss"))
def test_rsa_pss(group: JsonObj, test: JsonObj) -> None:
    public = _rsa_public(group["publicKeyDer"])  # rsa_check_public accepts the 2048-bit key
    assert public.key_size == group["keySize"]
    msg, sig = _hex(test["msg"]), _hex(test["sig"])
    if test["result"] == "valid":
        primitives.rsa_pss_verify(public, msg, sig)
    else:
        assert test["result"] == "invalid", test["result"]
        with pytest.raises(PrimitiveFailure):
            primitives.rsa_pss_verify(public, msg, sig)
