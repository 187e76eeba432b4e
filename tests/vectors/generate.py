"""Write the shared protocol vectors, tests/vectors/<name>.json (docs/protocol.md section 14).

Run from the repository root as `python -m tests.vectors.generate` (or
`python tests/vectors/generate.py`). Both the Python package (tests/protocol/test_vectors.py)
and the TypeScript endpoint run every case of every file.

Each file is `{"description", "spec", "cases": [{"name", "input", "expect", "output"}]}`, where
`expect` is "ok" (and `output` is what the runner must return exactly) or the name of a class
in protocol/errors.py (and `output` is empty). Binary values are unpadded base64url, private
keys PKCS#8 DER, public keys SubjectPublicKeyInfo DER, certificates DER, identifiers hex.

Reproducibility. Everything the generator chooses is fixed: passphrases, salts, secrets, clip
keys, clip ids, content, timestamps, and every P-256 key (derived from a fixed scalar, so ECIES
wraps made here are byte-for-byte reproducible). What pyca/cryptography cannot reproduce is RSA
key generation, PSS salts, OAEP seeds, certificate serials, CSR signatures and PKCS#12 salts:
so the RSA keys are generated once into tests/vectors/keys.json (TEST-ONLY keys, committed, and
reused by every later run), and a rerun may change signature, certificate, PKCS#12 and OAEP
bytes. The committed JSON files are the reference; every case of a regenerated file still holds,
because the generator runs each case through tests/vectors/runners.py before writing it and
stops if any case does not give the expected result.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_der_private_key,
)
from cryptography.x509.oid import ExtensionOID

from e2ee_nvr_protocol import (
    backup,
    certs,
    clip,
    envelope,
    errors,
    kdf,
    manifest,
    pairing,
    passphrase,
    primitives,
    recipients,
    stream,
    stream_format,
    wrap,
)
from e2ee_nvr_protocol.account import AccountDocument, InstanceEntry
from e2ee_nvr_protocol.encoding import b64encode, dumps
from e2ee_nvr_protocol.identifiers import key_id

VECTOR_DIR = Path(__file__).resolve().parent
REPO_ROOT = VECTOR_DIR.parents[1]
if str(REPO_ROOT) not in sys.path:  # run as a script: make `tests.vectors` importable
    sys.path.insert(0, str(REPO_ROOT))

from tests.protocol import cert_builders  # noqa: E402
from tests.protocol.cert_builders import ExtensionEdit, name, profile_extensions, replacing  # noqa: E402
from tests.vectors.runners import RUNNERS  # noqa: E402

Json = dict[str, Any]

KEYS_FILE = VECTOR_DIR / "keys.json"
NOW = 1_764_450_000
NOT_BEFORE = datetime.datetime(2025, 11, 29, 20, 55, tzinfo=datetime.UTC)
# The cheapest KDF parameters section 4 allows: real derivations, fast vectors.
KDF_N_LOG2 = 15
KDF_ITERATIONS = 10_000

# name -> (bits, public exponent). TEST-ONLY keys, kept in keys.json across runs.
RSA_KEYS: dict[str, tuple[int, int]] = {
    "a-signing": (2048, 65537),
    "a-recovery": (2048, 65537),
    "a-data": (2048, 65537),
    "a-device": (2048, 65537),
    "a-device-2": (2048, 65537),
    "b-signing": (2048, 65537),
    "b-data": (2048, 65537),
    "weak-1024": (1024, 65537),
    "exponent-3": (2048, 3),
}


def fixed(label: str, length: int = 16) -> bytes:
    """Fixed 'random' bytes for a label: SHA-256 of it, cut to length."""
    return hashlib.sha256(b"e2ee-nvr vectors/" + label.encode("ascii")).digest()[:length]


def b64json(value: Json) -> str:
    return b64encode(dumps(value))


def flip(raw: bytes, index: int = -1, mask: int = 0x01) -> bytes:
    """Flip bits of one byte (default: the lowest bit of the last byte)."""
    data = bytearray(raw)
    data[index] ^= mask
    return bytes(data)


# --- keys ---------------------------------------------------------------------------------------


class Keys:
    """RSA keys from keys.json (made on first use), P-256 and P-384 keys from fixed scalars."""

    def __init__(self) -> None:
        self._stored: dict[str, str] = {}
        if KEYS_FILE.exists():
            self._stored = json.loads(KEYS_FILE.read_text("utf-8"))["rsa_pkcs8"]
        self._changed = False

    def rsa_key(self, name: str) -> rsa.RSAPrivateKey:
        bits, exponent = RSA_KEYS[name]
        if name not in self._stored:
            generated = rsa.generate_private_key(public_exponent=exponent, key_size=bits)
            self._stored[name] = pkcs8(generated)
            self._changed = True
        key = load_der_private_key(_unb64(self._stored[name]), password=None)
        if not isinstance(key, rsa.RSAPrivateKey) or key.key_size != bits:
            raise RuntimeError(f"keys.json: {name} is not a {bits}-bit RSA key")
        return key

    @staticmethod
    def ec_key(name: str, curve: ec.EllipticCurve | None = None) -> ec.EllipticCurvePrivateKey:
        chosen = curve or ec.SECP256R1()
        order = _ORDERS[chosen.name]
        scalar = int.from_bytes(fixed("ec/" + name, 48), "big") % (order - 1) + 1
        return ec.derive_private_key(scalar, chosen)

    def save(self) -> None:
        if not self._changed and KEYS_FILE.exists():
            return
        document = {
            "description": (
                "TEST-ONLY RSA private keys for the protocol vectors (PKCS#8 DER, base64url). "
                "Generated once by tests/vectors/generate.py and reused so that the vectors stay "
                "stable; published, so never use them for anything else."
            ),
            "rsa_pkcs8": dict(sorted(self._stored.items())),
        }
        KEYS_FILE.write_text(json.dumps(document, indent=1) + "\n", "utf-8")


_ORDERS = {
    "secp256r1": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    "secp384r1": int(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973",
        16,
    ),
}


def _unb64(text: str) -> bytes:
    from e2ee_nvr_protocol.encoding import b64decode

    return b64decode(text)


def pkcs8(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return b64encode(key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption()))


def der(cert: x509.Certificate) -> str:
    return b64encode(certs.cert_der(cert))


# --- hand-built certificates (bypassing certs.issue, for the refusals) --------------------------


def build_cert(
    public_key: certs.CertifiedKey, signing_key: rsa.RSAPrivateKey, **parts: Any
) -> x509.Certificate:
    """cert_builders.build_cert with a serial fixed per subject and a fixed start, so that
    the files come out the same on every run."""
    serial = int.from_bytes(fixed("serial/" + str(parts["subject"])), "big") >> 1 | 1
    return cert_builders.build_cert(
        public_key, signing_key, serial_number=serial, not_before=NOT_BEFORE, **parts
    )


def end_entity(
    root: x509.Certificate,
    root_key: rsa.RSAPrivateKey,
    role: certs.Role,
    public_key: certs.CertifiedKey,
    *,
    ou: str | None = None,
    cn: str | None = None,
    edit: ExtensionEdit = lambda extensions: extensions,
    rsa_padding: padding.PSS | padding.PKCS1v15 | None = None,
) -> x509.Certificate:
    return build_cert(
        public_key,
        root_key,
        subject=name(ou or role.value, cn or key_id(public_key)),
        issuer=root.subject,
        extensions=edit(profile_extensions(role, public_key, root)),
        rsa_padding=rsa_padding,
    )


# --- the accounts every file draws on -----------------------------------------------------------


@dataclass
class Account:
    signing: rsa.RSAPrivateKey
    recovery: rsa.RSAPrivateKey
    data: rsa.RSAPrivateKey
    instance: ec.EllipticCurvePrivateKey
    root: x509.Certificate
    recovery_cert: x509.Certificate
    data_cert: x509.Certificate
    instance_cert: x509.Certificate

    @property
    def account_id(self) -> str:
        return key_id(self.signing.public_key())

    @property
    def data_key_id(self) -> str:
        return key_id(self.data.public_key())


def make_account(keys: Keys, prefix: str) -> Account:
    signing = keys.rsa_key(f"{prefix}-signing")
    data = keys.rsa_key(f"{prefix}-data")
    recovery = keys.rsa_key("a-recovery") if prefix == "a" else data  # B needs no recovery key
    instance = keys.ec_key(f"{prefix}-instance")
    root = certs.make_root(signing)
    return Account(
        signing=signing,
        recovery=recovery,
        data=data,
        instance=instance,
        root=root,
        recovery_cert=certs.issue(root, signing, recovery.public_key(), certs.Role.recovery),
        data_cert=certs.issue(root, signing, data.public_key(), certs.Role.data),
        instance_cert=certs.issue(root, signing, instance.public_key(), certs.Role.instance),
    )


def ecies_wrap(
    recipient: ec.EllipticCurvePublicKey, key_bytes: bytes, context: bytes, ephemeral: str
) -> wrap.WrappedKey:
    """Section 7.1 with a fixed ephemeral key, so the wrap is reproducible (and any length)."""
    eph = Keys.ec_key("ephemeral/" + ephemeral)
    epk = primitives.p256_public_bytes(eph.public_key())
    shared = primitives.ecdh_p256(eph, recipient)
    kek = primitives.hkdf_sha256(
        shared,
        salt=epk + primitives.p256_public_bytes(recipient),
        info=wrap.ECIES_INFO,
        length=wrap.ECIES_KEK_BYTES,
    )
    ct = primitives.aes_gcm_encrypt(kek, wrap.ECIES_NONCE, key_bytes, context)
    return wrap.WrappedKey(key_id(recipient), wrap.WrapAlg.ECIES_P256, epk, ct)


def oaep_wrap(recipient: rsa.RSAPublicKey, key_bytes: bytes, context: bytes) -> wrap.WrappedKey:
    """Section 7.2 without the length check, for the wrong-length refusal."""
    ct = primitives.rsa_oaep_encrypt(recipient, key_bytes, label=context)
    return wrap.WrappedKey(key_id(recipient), wrap.WrapAlg.RSA_OAEP, None, ct)


def sign_raw(object_type: str, payload: bytes, key: rsa.RSAPrivateKey, signer: str = "") -> Json:
    """A signed envelope over exact payload bytes (the producer's checks bypassed)."""
    signature = primitives.rsa_pss_sign(key, envelope.label_bytes(object_type) + payload)
    return {
        "payload": b64encode(payload),
        "signature": b64encode(signature),
        "signer": signer or key_id(key.public_key()),
    }


def set_payload(
    account_id: str, epoch: int, entries: Sequence[tuple[str, x509.Certificate]]
) -> Json:
    """A recipient-set payload, sorted by key_id as section 6 requires."""
    items = sorted(
        (
            {"role": role, "key_id": key_id(cert.public_key()), "cert": der(cert)}
            for role, cert in entries
        ),
        key=lambda item: item["key_id"],
    )
    return {
        "v": 1,
        "type": recipients.OBJECT_TYPE,
        "account_id": account_id,
        "epoch": epoch,
        "issued_at": NOW + epoch,
        "recipients": items,
    }


@dataclass
class World:
    keys: Keys
    a: Account
    b: Account
    device: rsa.RSAPrivateKey
    device_cert: x509.Certificate
    instance_2: ec.EllipticCurvePrivateKey
    instance_2_cert: x509.Certificate
    set_1: Json  # epoch 1: data + instance
    set_2: Json  # epoch 2: data + instance + instance_2
    passphrase: str
    pdk_params: kdf.KdfParams
    rdk_params: kdf.KdfParams
    rdk_secret: bytes
    pdk: bytes
    rdk: bytes


def make_world(keys: Keys) -> World:
    a = make_account(keys, "a")
    b = make_account(keys, "b")
    device = keys.rsa_key("a-device")
    instance_2 = keys.ec_key("a-instance-2")
    instance_2_cert = certs.issue(a.root, a.signing, instance_2.public_key(), certs.Role.instance)
    set_1 = envelope.sign(
        recipients.OBJECT_TYPE,
        set_payload(a.account_id, 1, [("data", a.data_cert), ("instance", a.instance_cert)]),
        a.signing,
    ).to_json()
    set_2 = envelope.sign(
        recipients.OBJECT_TYPE,
        set_payload(
            a.account_id,
            2,
            [("data", a.data_cert), ("instance", a.instance_cert), ("instance", instance_2_cert)],
        ),
        a.signing,
    ).to_json()
    words = passphrase.filtered_wordlist()
    phrase = " ".join(words[i] for i in (17, 1234, 2025, 3141, 4242, 5000, 5555, 6000, 6789, 7000))
    pdk_params = kdf_params("pdk")
    rdk_params = kdf_params("rdk")
    rdk_secret = fixed("rdk-secret", 32)
    return World(
        keys=keys,
        a=a,
        b=b,
        device=device,
        device_cert=certs.issue(a.root, a.signing, device.public_key(), certs.Role.device),
        instance_2=instance_2,
        instance_2_cert=instance_2_cert,
        set_1=set_1,
        set_2=set_2,
        passphrase=phrase,
        pdk_params=pdk_params,
        rdk_params=rdk_params,
        rdk_secret=rdk_secret,
        pdk=kdf.derive_key(phrase.encode("utf-8"), pdk_params),
        rdk=kdf.derive_key(rdk_secret, rdk_params),
    )


def kdf_params(label: str) -> kdf.KdfParams:
    return kdf.KdfParams(
        alg=kdf.ALG,
        scrypt_n_log2=KDF_N_LOG2,
        scrypt_r=kdf.SCRYPT_R,
        scrypt_p=kdf.SCRYPT_P,
        scrypt_salt=fixed(f"{label}/scrypt-salt"),
        pbkdf2_iterations=KDF_ITERATIONS,
        pbkdf2_salt=fixed(f"{label}/pbkdf2-salt"),
    )


# --- vector files -------------------------------------------------------------------------------


class VectorFile:
    """One file's cases; `write` runs each through its runner before saving."""

    def __init__(self, name: str, section: str, description: str) -> None:
        self.name = name
        self.section = section
        self.description = description
        self.cases: list[Json] = []

    def ok(self, case_name: str, case_input: Json, output: Json) -> None:
        self._add(case_name, case_input, "ok", output)

    def ok_as_run(self, case_name: str, case_input: Json) -> None:
        """An ok case recorded with the output this file's runner (the Python implementation)
        gives for it: every other implementation must give the same."""
        self.ok(case_name, case_input, RUNNERS[self.name](case_input))

    def refuse(self, case_name: str, case_input: Json, error: type[errors.ProtocolError]) -> None:
        self._add(case_name, case_input, error.__name__, {})

    def _add(self, case_name: str, case_input: Json, expect: str, output: Json) -> None:
        if any(case["name"] == case_name for case in self.cases):
            raise ValueError(f"{self.name}: duplicate case {case_name}")
        self.cases.append(
            {"name": case_name, "input": case_input, "expect": expect, "output": output}
        )

    def check(self) -> None:
        runner = RUNNERS[self.name]
        for case in self.cases:
            # A round trip through JSON, so the runner sees exactly what the file holds.
            case_input = json.loads(json.dumps(case["input"]))
            where = f"{self.name}.json case {case['name']!r}"
            try:
                output = runner(case_input)
            except errors.ProtocolError as err:
                if case["expect"] != type(err).__name__:
                    raise RuntimeError(f"{where}: {type(err).__name__} ({err})") from err
                continue
            if case["expect"] != "ok":
                raise RuntimeError(f"{where}: expected {case['expect']}, got ok")
            if json.loads(json.dumps(output)) != case["output"]:
                raise RuntimeError(f"{where}: output {output} != {case['output']}")

    def write(self) -> None:
        self.check()
        document = {
            "description": self.description,
            "spec": f"docs/protocol.md section {self.section}",
            "cases": self.cases,
        }
        path = VECTOR_DIR / f"{self.name}.json"
        path.write_text(json.dumps(document, indent=1) + "\n", "utf-8")


# --- section 3 ----------------------------------------------------------------------------------


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "a" <= c <= "z" else c for c in text)


def passphrase_file(world: World) -> VectorFile:
    out = VectorFile(
        "passphrase",
        "3",
        "Typed passphrase -> canonical form (NFKC, casefold, runs of non a-z -> one space, "
        f"trimmed; exactly {passphrase.WORD_COUNT} words of the filtered EFF list, "
        f"{len(passphrase.filtered_wordlist())} words, SHA-256 of the list joined by newlines "
        f"{passphrase.FILTERED_WORDLIST_SHA256}), or InvalidPassphrase.",
    )
    canonical = world.passphrase
    words = canonical.split(" ")
    ok = {"canonical": canonical}
    out.ok("canonical", {"typed": canonical}, ok)
    out.ok("upper-case", {"typed": canonical.upper()}, ok)
    out.ok("title-case-and-padding", {"typed": "  " + canonical.title() + " \n"}, ok)
    out.ok("hyphens", {"typed": "-".join(words)}, ok)
    out.ok(
        "tabs-newlines-and-runs",
        {"typed": "\t".join(words[:5]) + " \r\n  " + " ".join(words[5:])},
        ok,
    )
    out.ok("digits-and-punctuation-separate", {"typed": "1. " + ", 2.".join(words) + "!"}, ok)
    out.ok("nfkc-fullwidth-letters", {"typed": fullwidth(canonical)}, ok)
    out.ok(
        "nfkc-fullwidth-space-and-hyphen",
        {"typed": "\u3000".join(words[:5]) + "\uff0d" + "\uff0d".join(words[5:])},
        ok,
    )
    with_s = next(i for i, word in enumerate(words) if "s" in word)
    long_s = [w.replace("s", "\u017f") if i == with_s else w for i, w in enumerate(words)]
    out.ok("nfkc-long-s-folds-to-s", {"typed": " ".join(long_s)}, ok)
    # Casefold, not lower-case: U+00DF folds to "ss" (JavaScript's toLowerCase keeps it).
    listed = passphrase.filtered_wordlist()
    with_ss = next(word for word in listed if "ss" in word)
    ss_canonical = " ".join([with_ss, *words[1:]])
    out.ok(
        "casefold-sharp-s-to-ss",
        {"typed": " ".join([with_ss.replace("ss", "\u00df", 1), *words[1:]])},
        {"canonical": ss_canonical},
    )
    with_fi = next(word for word in listed if "fi" in word)
    out.ok(
        "nfkc-fi-ligature",
        {"typed": " ".join([with_fi.replace("fi", "\ufb01", 1), *words[1:]])},
        {"canonical": " ".join([with_fi, *words[1:]])},
    )
    dotted = [w.replace("i", "\u0130", 1) if "i" in w else w for w in words]
    if dotted != words:
        # U+0130 casefolds to "i" + U+0307 (combining dot): the dot is not a-z, so it splits
        # the word and the result is not W list words.
        out.refuse(
            "casefold-dotted-capital-i-splits",
            {"typed": " ".join(dotted)},
            errors.InvalidPassphrase,
        )
    accented = [words[0].replace("e", "\u00e9", 1) if "e" in words[0] else words[0] + "\u00e9"]
    out.refuse(
        "accented-letter-is-not-a-z",
        {"typed": " ".join(accented + words[1:])},
        errors.InvalidPassphrase,
    )
    out.refuse("nine-words", {"typed": " ".join(words[:9])}, errors.InvalidPassphrase)
    out.refuse("eleven-words", {"typed": canonical + " " + words[0]}, errors.InvalidPassphrase)
    out.refuse("empty", {"typed": ""}, errors.InvalidPassphrase)
    out.refuse("only-separators", {"typed": " - 1 2 3 -- "}, errors.InvalidPassphrase)
    typo = [words[0][:-1] + ("x" if words[0][-1] != "x" else "y"), *words[1:]]
    out.refuse("typo-unknown-word", {"typed": " ".join(typo)}, errors.InvalidPassphrase)
    denied = sorted(set(_eff_words()) - set(passphrase.filtered_wordlist()))[0]
    out.refuse(
        "denylisted-eff-word",
        {"typed": " ".join([denied, *words[1:]])},
        errors.InvalidPassphrase,
    )
    out.refuse(
        "joined-without-separator",
        {"typed": "".join(words[:2]) + " " + " ".join(words[2:]) + " " + words[0]},
        errors.InvalidPassphrase,
    )
    out.refuse("over-1024-characters", {"typed": canonical + " " * 1100}, errors.InvalidPassphrase)
    return out


def _eff_words() -> list[str]:
    from importlib import resources

    text = (
        resources.files("e2ee_nvr_protocol")
        .joinpath("wordlists")
        .joinpath(passphrase.WORDLIST_FILE)
        .read_text("utf-8")
    )
    return text.splitlines()


# --- section 4 ----------------------------------------------------------------------------------


def kdf_file(world: World) -> VectorFile:
    out = VectorFile(
        "kdf",
        "4",
        "KDF(secret, params) = PBKDF2-HMAC-SHA256(scrypt(secret)); `password` is the PKCS#12 "
        "password form hex(key); `check` = HMAC-SHA256(key, 'e2ee-nvr/v1/key-check' || 0x00 || "
        "account_id). With `check` in the input it is verified (WrongPassphrase). Parameters "
        "out of bounds are MalformedObject, another alg UnsupportedVersion.",
    )
    account_id = world.a.account_id

    def expected(secret: bytes, params: kdf.KdfParams) -> Json:
        key = kdf.derive_key(secret, params)
        return {
            "key": key.hex(),
            "password": key.hex(),
            "check": b64encode(kdf.key_check(key, account_id)),
        }

    pdk_input = {
        "secret": b64encode(world.passphrase.encode("utf-8")),
        "params": world.pdk_params.to_json(),
        "account_id": account_id,
    }
    rdk_input = {
        "secret": b64encode(world.rdk_secret),
        "params": world.rdk_params.to_json(),
        "account_id": account_id,
    }
    pdk_out = expected(world.passphrase.encode("utf-8"), world.pdk_params)
    if pdk_out["key"] != world.pdk.hex():
        raise RuntimeError("PDK differs")
    out.ok("pdk-from-canonical-passphrase", pdk_input, pdk_out)
    out.ok("rdk-from-random-secret", rdk_input, expected(world.rdk_secret, world.rdk_params))
    out.ok(
        "pdk-with-stored-check",
        {**pdk_input, "check": pdk_out["check"]},
        pdk_out,
    )
    other = kdf_params("other")
    out.ok(
        "other-salts-n16-iterations-12345",
        {
            **pdk_input,
            "params": replace(other, scrypt_n_log2=16, pbkdf2_iterations=12345).to_json(),
        },
        expected(
            world.passphrase.encode("utf-8"),
            replace(other, scrypt_n_log2=16, pbkdf2_iterations=12345),
        ),
    )
    out.refuse(
        "wrong-passphrase-check",
        {**pdk_input, "secret": b64encode(b"not the passphrase"), "check": pdk_out["check"]},
        errors.WrongPassphrase,
    )
    out.refuse(
        "check-for-another-account",
        {**pdk_input, "account_id": world.b.account_id, "check": pdk_out["check"]},
        errors.WrongPassphrase,
    )
    base = world.pdk_params.to_json()
    bad_params: list[tuple[str, Json, type[errors.ProtocolError]]] = [
        ("scrypt-n-log2-14", {**base, "scrypt_n_log2": 14}, errors.MalformedObject),
        ("scrypt-n-log2-21", {**base, "scrypt_n_log2": 21}, errors.MalformedObject),
        ("scrypt-r-16", {**base, "scrypt_r": 16}, errors.MalformedObject),
        ("scrypt-p-2", {**base, "scrypt_p": 2}, errors.MalformedObject),
        ("pbkdf2-iterations-9999", {**base, "pbkdf2_iterations": 9999}, errors.MalformedObject),
        (
            "pbkdf2-iterations-10000001",
            {**base, "pbkdf2_iterations": 10_000_001},
            errors.MalformedObject,
        ),
        (
            "scrypt-salt-15-bytes",
            {**base, "scrypt_salt": b64encode(bytes(15))},
            errors.MalformedObject,
        ),
        (
            "pbkdf2-salt-17-bytes",
            {**base, "pbkdf2_salt": b64encode(bytes(17))},
            errors.MalformedObject,
        ),
        (
            "salt-padded-base64",
            {**base, "scrypt_salt": b64encode(bytes(16)) + "=="},
            errors.MalformedObject,
        ),
        ("iterations-as-string", {**base, "pbkdf2_iterations": "10000"}, errors.MalformedObject),
        ("n-log2-as-boolean", {**base, "scrypt_n_log2": True}, errors.MalformedObject),
        (
            "missing-field",
            {k: v for k, v in base.items() if k != "pbkdf2_salt"},
            errors.MalformedObject,
        ),
        ("unknown-field", {**base, "memory": 1}, errors.MalformedObject),
        ("alg-argon2id", {**base, "alg": "argon2id"}, errors.UnsupportedVersion),
    ]
    for case_name, params, error in bad_params:
        out.refuse(case_name, {**pdk_input, "params": params}, error)
    return out


# --- section 5 ----------------------------------------------------------------------------------


def certs_file(world: World) -> VectorFile:
    out = VectorFile(
        "certs",
        "5",
        "Certificate + role checked against the pinned root (role 'root': cert checked as a "
        "self-signed root, root_cert is the same) -> key_id of the certified key, or "
        "UntrustedKey for any break of the profile; MalformedObject when the DER does not parse.",
    )
    a, b = world.a, world.b
    root = der(a.root)

    def case(cert: x509.Certificate | str, role: str, pinned: str = root) -> Json:
        return {
            "root_cert": pinned,
            "cert": cert if isinstance(cert, str) else der(cert),
            "role": role,
        }

    def kid(cert: x509.Certificate) -> Json:
        return {"key_id": key_id(cert.public_key())}

    out.ok("root", case(a.root, "root"), {"key_id": a.account_id})
    out.ok("recovery", case(a.recovery_cert, "recovery"), kid(a.recovery_cert))
    out.ok("data", case(a.data_cert, "data"), kid(a.data_cert))
    out.ok("instance-p256", case(a.instance_cert, "instance"), kid(a.instance_cert))
    out.ok("device", case(world.device_cert, "device"), kid(world.device_cert))
    device_pub = world.device.public_key()
    untrusted = errors.UntrustedKey
    b_device = certs.issue(b.root, b.signing, device_pub, certs.Role.device)
    out.refuse("issued-by-another-root", case(b_device, "device"), untrusted)
    forged = end_entity(a.root, b.signing, certs.Role.device, device_pub)
    out.refuse("root-names-but-other-key-signs", case(forged, "device"), untrusted)
    out.refuse("data-cert-as-recovery", case(a.data_cert, "recovery"), untrusted)
    out.refuse("device-cert-as-instance", case(world.device_cert, "instance"), untrusted)
    out.refuse("instance-cert-as-device", case(a.instance_cert, "device"), untrusted)
    ku = ExtensionOID.KEY_USAGE
    bc = ExtensionOID.BASIC_CONSTRAINTS

    def refuse_device(case_name: str, key: certs.CertifiedKey = device_pub, **change: Any) -> None:
        """A device certificate from A's root, but for one change: a verifier refuses it."""
        cert = end_entity(a.root, a.signing, certs.Role.device, key, **change)
        out.refuse(case_name, case(cert, "device"), untrusted)

    refuse_device(
        "leaf-with-ca-true", edit=replacing(bc, x509.BasicConstraints(ca=True, path_length=0))
    )
    refuse_device(
        "basic-constraints-not-critical",
        edit=replacing(bc, x509.BasicConstraints(ca=False, path_length=None), critical=False),
    )
    refuse_device("no-basic-constraints", edit=replacing(bc, None))
    extra_usage = replace_usage(certs.KEY_USAGE[certs.Role.device], key_encipherment=True)
    refuse_device("key-usage-extra-bit", edit=replacing(ku, extra_usage))
    refuse_device(
        "key-usage-not-critical",
        edit=replacing(ku, certs.KEY_USAGE[certs.Role.device], critical=False),
    )
    refuse_device("signed-pkcs1v15", rsa_padding=padding.PKCS1v15())
    salt20 = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=20)
    refuse_device("signed-pss-salt-20", rsa_padding=salt20)
    refuse_device("rsa-1024-key", world.keys.rsa_key("weak-1024").public_key())
    refuse_device("rsa-exponent-3", world.keys.rsa_key("exponent-3").public_key())
    p384 = Keys.ec_key("p384-instance", ec.SECP384R1()).public_key()
    out.refuse(
        "instance-on-p384",
        case(end_entity(a.root, a.signing, certs.Role.instance, p384), "instance"),
        untrusted,
    )
    refuse_device("cn-is-not-the-key-id", cn=key_id(world.keys.rsa_key("a-device-2").public_key()))
    san = x509.SubjectAlternativeName([x509.DNSName("camera.example")])
    refuse_device("unknown-extension", edit=lambda extensions: [*extensions, (san, False)])
    wrong_aki = x509.AuthorityKeyIdentifier(fixed("aki", 20), None, None)
    refuse_device(
        "aki-does-not-name-root",
        edit=replacing(ExtensionOID.AUTHORITY_KEY_IDENTIFIER, wrong_aki, critical=False),
    )
    root_pub = a.signing.public_key()
    root_no_ca = build_cert(
        root_pub,
        a.signing,
        subject=a.root.subject,
        issuer=a.root.subject,
        extensions=replacing(bc, x509.BasicConstraints(ca=False, path_length=None))(
            profile_extensions(certs.Role.root, root_pub, None)
        ),
    )
    out.refuse("root-without-ca", case(root_no_ca, "root", der(root_no_ca)), untrusted)
    root_cn = build_cert(
        root_pub,
        a.signing,
        subject=name("root", b.account_id),
        issuer=name("root", b.account_id),
        extensions=profile_extensions(certs.Role.root, root_pub, None),
    )
    out.refuse("root-cn-is-not-its-key-id", case(root_cn, "root", der(root_cn)), untrusted)
    root_pkcs1 = build_cert(
        root_pub,
        a.signing,
        subject=a.root.subject,
        issuer=a.root.subject,
        extensions=profile_extensions(certs.Role.root, root_pub, None),
        rsa_padding=padding.PKCS1v15(),
    )
    out.refuse("root-signed-pkcs1v15", case(root_pkcs1, "root", der(root_pkcs1)), untrusted)
    out.refuse(
        "end-entity-pinned-as-root",
        case(world.device_cert, "device", der(world.device_cert)),
        untrusted,
    )
    out.refuse("end-entity-as-root", case(a.data_cert, "root", der(a.data_cert)), untrusted)
    raw = certs.cert_der(world.device_cert)
    out.refuse("truncated-der", case(b64encode(raw[:-10]), "device"), errors.MalformedObject)
    out.refuse("not-der", case(b64encode(b"not a certificate"), "device"), errors.MalformedObject)
    return out


def replace_usage(usage: x509.KeyUsage, **changes: bool) -> x509.KeyUsage:
    fields = {
        "digital_signature": usage.digital_signature,
        "content_commitment": usage.content_commitment,
        "key_encipherment": usage.key_encipherment,
        "data_encipherment": usage.data_encipherment,
        "key_agreement": usage.key_agreement,
        "key_cert_sign": usage.key_cert_sign,
        "crl_sign": usage.crl_sign,
        "encipher_only": False,
        "decipher_only": False,
    }
    fields.update(changes)
    return x509.KeyUsage(**fields)


# --- section 11: backups ------------------------------------------------------------------------


@dataclass
class Backups:
    signing: backup.KeyBackup
    recovery: backup.KeyBackup
    data: backup.KeyBackup


def make_backups(world: World) -> Backups:
    a = world.a
    return Backups(
        signing=backup.make_backup(
            "signing", a.account_id, a.signing, a.root, world.pdk, world.pdk_params
        ),
        recovery=backup.make_backup(
            "recovery", a.account_id, a.recovery, a.recovery_cert, world.pdk, world.pdk_params
        ),
        data=backup.make_backup(
            "data", a.account_id, a.data, a.data_cert, world.rdk, world.rdk_params
        ),
    )


def backup_file(world: World, backups: Backups) -> VectorFile:
    out = VectorFile(
        "backup",
        "11",
        "Open one key backup with its derived key (hex; normally from the KDF of `backup.kdf`), "
        "for the account_id of the verified root, requiring the key the account names "
        "(`expected_cert`) -> SPKI of the private key inside; WrongPassphrase when the key check "
        "fails, BackupMismatch for another account, a PKCS#12 that does not open, or another key.",
    )
    a = world.a

    def case(
        item: backup.KeyBackup | Json, key: bytes, cert: x509.Certificate, account: str = ""
    ) -> Json:
        document = item if isinstance(item, dict) else item.to_json()
        return {
            "backup": document,
            "derived_key": key.hex(),
            "account_id": account or a.account_id,
            "expected_cert": der(cert),
        }

    def public(key: rsa.RSAPrivateKey) -> Json:
        return {"public_key": _spki(key.public_key())}

    out.ok("signing", case(backups.signing, world.pdk, a.root), public(a.signing))
    out.ok("recovery", case(backups.recovery, world.pdk, a.recovery_cert), public(a.recovery))
    out.ok("data", case(backups.data, world.rdk, a.data_cert), public(a.data))
    out.refuse(
        "wrong-derived-key", case(backups.signing, world.rdk, a.root), errors.WrongPassphrase
    )
    flipped_check = replace(backups.signing, check=flip(backups.signing.check))
    out.refuse("check-altered", case(flipped_check, world.pdk, a.root), errors.WrongPassphrase)
    swapped = replace(backups.signing, p12=backups.recovery.p12)
    out.refuse(
        "recovery-p12-in-signing-backup", case(swapped, world.pdk, a.root), errors.BackupMismatch
    )
    out.refuse(
        "expected-cert-of-another-role",
        case(backups.signing, world.pdk, a.recovery_cert),
        errors.BackupMismatch,
    )
    other_key = backup.make_backup(
        "signing", a.account_id, world.b.signing, world.b.root, world.pdk, world.pdk_params
    )
    out.refuse(
        "other-accounts-key-under-matching-check",
        case(other_key, world.pdk, a.root),
        errors.BackupMismatch,
    )
    other_account = backup.make_backup(
        "signing", world.b.account_id, world.b.signing, world.b.root, world.pdk, world.pdk_params
    )
    out.refuse(
        "backup-of-another-account", case(other_account, world.pdk, a.root), errors.BackupMismatch
    )
    other_password = backup.make_backup(
        "data", a.account_id, a.data, a.data_cert, world.pdk, world.rdk_params
    )
    p12_other_password = replace(backups.data, p12=other_password.p12)
    out.refuse(
        "p12-under-another-password",
        case(p12_other_password, world.rdk, a.data_cert),
        errors.BackupMismatch,
    )
    damaged = replace(backups.data, p12=flip(backups.data.p12, len(backups.data.p12) // 2))
    out.refuse("p12-damaged", case(damaged, world.rdk, a.data_cert), errors.BackupMismatch)
    document = backups.signing.to_json()
    out.refuse(
        "version-2", case({**document, "v": 2}, world.pdk, a.root), errors.UnsupportedVersion
    )
    out.refuse(
        "type-account",
        case({**document, "type": "account"}, world.pdk, a.root),
        errors.MalformedObject,
    )
    out.refuse(
        "unknown-role",
        case({**document, "role": "device"}, world.pdk, a.root),
        errors.MalformedObject,
    )
    out.refuse(
        "unknown-field", case({**document, "note": "x"}, world.pdk, a.root), errors.MalformedObject
    )
    weak_kdf = {**document, "kdf": {**document["kdf"], "pbkdf2_iterations": 1}}
    out.refuse(
        "kdf-params-out-of-bounds", case(weak_kdf, world.pdk, a.root), errors.MalformedObject
    )
    return out


def _spki(public_key: Any) -> str:
    from tests.vectors.runners import spki

    return spki(public_key)


# --- section 7 ----------------------------------------------------------------------------------


def wrap_file(world: World) -> VectorFile:
    out = VectorFile(
        "wrap",
        "7",
        "Unwrap with the recipient's private key (PKCS#8) under context = "
        "'e2ee-nvr/v1/wrap/' || purpose || 0x00 || subject (`subject` b64 raw: 16 clip_id bytes "
        "or the account_id ASCII). `private_key` + `wrapped`: one wrap (UnwrapFailed on any "
        "failure); `private_keys` + `wrapped_keys`: the first wrap addressed to a held key "
        "(NoRecipientKey when none is). ECIES wraps here use fixed ephemeral keys.",
    )
    a = world.a
    clip_id = fixed("wrap/clip-1")
    other_clip = fixed("wrap/clip-2")
    clip_key = fixed("wrap/clip-key")
    account = a.account_id.encode("ascii")
    clip_ctx = wrap.wrap_context(wrap.WrapPurpose.CLIP_KEY, clip_id)
    pdk_ctx = wrap.wrap_context(wrap.WrapPurpose.PDK, account)
    rdk_ctx = wrap.wrap_context(wrap.WrapPurpose.RDK, account)
    inst = a.instance.public_key()

    ecies_clip = ecies_wrap(inst, clip_key, clip_ctx, "wrap-1")
    ecies_pdk = ecies_wrap(inst, world.pdk, pdk_ctx, "wrap-2")
    ecies_rdk = ecies_wrap(inst, world.rdk, rdk_ctx, "wrap-3")
    oaep_clip = wrap.wrap_to_rsa(a.data.public_key(), clip_key, clip_ctx)
    oaep_rdk = wrap.wrap_to_rsa(a.recovery.public_key(), world.rdk, rdk_ctx)

    def one(key: Any, wrapped: wrap.WrappedKey | Json, purpose: str, subject: bytes) -> Json:
        document = wrapped if isinstance(wrapped, dict) else wrapped.to_json()
        return {
            "private_key": pkcs8(key),
            "purpose": purpose,
            "subject": b64encode(subject),
            "wrapped": document,
        }

    def opened(context: bytes, key: bytes) -> Json:
        return {"context": b64encode(context), "key": b64encode(key)}

    failed = errors.UnwrapFailed
    out.ok(
        "ecies-clip-key",
        one(a.instance, ecies_clip, "clip-key", clip_id),
        opened(clip_ctx, clip_key),
    )
    out.ok("ecies-pdk", one(a.instance, ecies_pdk, "pdk", account), opened(pdk_ctx, world.pdk))
    out.ok("ecies-rdk", one(a.instance, ecies_rdk, "rdk", account), opened(rdk_ctx, world.rdk))
    out.ok(
        "oaep-clip-key-to-data",
        one(a.data, oaep_clip, "clip-key", clip_id),
        opened(clip_ctx, clip_key),
    )
    out.ok(
        "oaep-rdk-to-recovery",
        one(a.recovery, oaep_rdk, "rdk", account),
        opened(rdk_ctx, world.rdk),
    )
    out.refuse("ecies-other-clip", one(a.instance, ecies_clip, "clip-key", other_clip), failed)
    out.refuse("ecies-pdk-opened-as-rdk", one(a.instance, ecies_pdk, "rdk", account), failed)
    out.refuse("oaep-other-clip", one(a.data, oaep_clip, "clip-key", other_clip), failed)
    out.refuse(
        "ecies-ct-flipped",
        one(a.instance, replace(ecies_clip, ct=flip(ecies_clip.ct, 3)), "clip-key", clip_id),
        failed,
    )
    out.refuse(
        "ecies-tag-flipped",
        one(a.instance, replace(ecies_clip, ct=flip(ecies_clip.ct)), "clip-key", clip_id),
        failed,
    )
    out.refuse(
        "oaep-ct-flipped",
        one(a.data, replace(oaep_clip, ct=flip(oaep_clip.ct, 100)), "clip-key", clip_id),
        failed,
    )
    out.refuse(
        "ecies-epk-swapped",
        one(a.instance, replace(ecies_clip, epk=ecies_pdk.epk), "clip-key", clip_id),
        failed,
    )
    off_curve = b"\x04" + bytes(64)
    out.refuse(
        "ecies-epk-not-on-curve",
        one(a.instance, replace(ecies_clip, epk=off_curve), "clip-key", clip_id),
        failed,
    )
    assert ecies_clip.epk is not None
    compressed_tag = b"\x02" + ecies_clip.epk[1:]
    out.refuse(
        "ecies-epk-not-uncompressed",
        one(a.instance, replace(ecies_clip, epk=compressed_tag), "clip-key", clip_id),
        failed,
    )
    long_ecies = ecies_wrap(inst, fixed("wrap/32", 32), clip_ctx, "wrap-4")
    out.refuse(
        "ecies-32-bytes-as-clip-key", one(a.instance, long_ecies, "clip-key", clip_id), failed
    )
    long_oaep = oaep_wrap(a.data.public_key(), fixed("wrap/32", 32), clip_ctx)
    out.refuse("oaep-32-bytes-as-clip-key", one(a.data, long_oaep, "clip-key", clip_id), failed)
    to_other = ecies_wrap(world.instance_2.public_key(), clip_key, clip_ctx, "wrap-5")
    out.refuse(
        "ecies-addressed-to-another-key",
        one(a.instance, to_other, "clip-key", clip_id),
        failed,
    )
    misfit = wrap.WrappedKey(key_id(inst), wrap.WrapAlg.RSA_OAEP, None, oaep_clip.ct)
    out.refuse("oaep-alg-for-p256-key", one(a.instance, misfit, "clip-key", clip_id), failed)
    out.refuse(
        "unknown-alg",
        one(a.instance, {**ecies_clip.to_json(), "alg": "ecies-x25519"}, "clip-key", clip_id),
        errors.UnsupportedVersion,
    )
    out.refuse(
        "oaep-with-epk",
        one(a.data, {**oaep_clip.to_json(), "epk": b64encode(off_curve)}, "clip-key", clip_id),
        errors.MalformedObject,
    )

    def many(keys: Sequence[Any], wraps: Sequence[wrap.WrappedKey]) -> Json:
        return {
            "private_keys": [pkcs8(k) for k in keys],
            "purpose": "clip-key",
            "subject": b64encode(clip_id),
            "wrapped_keys": [w.to_json() for w in wraps],
        }

    out.ok(
        "any-data-key-held",
        many([world.instance_2, a.data], [ecies_clip, oaep_clip]),
        opened(clip_ctx, clip_key),
    )
    out.refuse(
        "any-no-wrap-for-held-key",
        many([world.instance_2], [ecies_clip, oaep_clip]),
        errors.NoRecipientKey,
    )
    out.refuse(
        "any-addressed-wrap-fails",
        many([a.instance], [replace(ecies_clip, ct=flip(ecies_clip.ct)), oaep_clip]),
        failed,
    )
    return out


# --- section 9 ----------------------------------------------------------------------------------


def encrypt(clip_key: bytes, clip_id: bytes, kind: str, chunk_size: int, plaintext: bytes) -> bytes:
    encryptor = stream.StreamEncryptor(
        clip_key, clip_id, stream_format.ContentKind(kind), chunk_size
    )
    return encryptor.update(plaintext) + encryptor.finalize()


def content(label: str, size: int) -> bytes:
    """Fixed content of any size (SHA-256 in counter mode)."""
    blocks = (hashlib.sha256(f"{label}/{i}".encode()).digest() for i in range(size // 32 + 1))
    return b"".join(blocks)[:size]


def stream_file() -> VectorFile:
    out = VectorFile(
        "stream",
        "9",
        "aes128gcm-stream. op 'decrypt': the reader expects `clip_id` (hex) and `kind` and "
        "derives the content key from them; it decrypts `ciphertext` (whole, and fed in 7-byte "
        "pieces) -> plaintext and the content key; the plaintext encrypted with `chunk_size` "
        "gives the ciphertext back. op 'chunk': a range read of chunk `index` with `header`, "
        "`chunk_count` and `ciphertext_size` from the manifest -> its byte range [start, end) "
        "and plaintext.",
    )
    clip_key = fixed("stream/clip-key")
    clip_id = fixed("stream/clip-id")
    other_id = fixed("stream/other-clip-id")

    def decrypt_case(
        ciphertext: bytes, kind: str = "video", chunk_size: int = 64, expect_id: bytes = clip_id
    ) -> Json:
        return {
            "op": "decrypt",
            "clip_key": b64encode(clip_key),
            "clip_id": expect_id.hex(),
            "kind": kind,
            "chunk_size": chunk_size,
            "ciphertext": b64encode(ciphertext),
        }

    def result(plaintext: bytes, kind: str = "video", expect_id: bytes = clip_id) -> Json:
        key = stream_format.content_key(clip_key, expect_id, stream_format.ContentKind(kind))
        return {"content_key": b64encode(key), "plaintext": b64encode(plaintext)}

    for case_name, kind, chunk_size, size in (
        ("empty-video", "video", 64, 0),
        ("one-byte-video", "video", 64, 1),
        ("exactly-one-chunk", "video", 64, 64),
        ("one-chunk-and-one-byte", "video", 64, 65),
        ("two-full-chunks", "video", 64, 128),
        ("thumbnail-four-chunks", "thumbnail", 64, 200),
        ("events-default-chunk-size", "events", stream_format.DEFAULT_CHUNK_SIZE, 100),
        ("video-chunk-128", "video", 128, 300),
    ):
        plaintext = content(f"stream/{case_name}", size)
        ciphertext = encrypt(clip_key, clip_id, kind, chunk_size, plaintext)
        out.ok(case_name, decrypt_case(ciphertext, kind, chunk_size), result(plaintext, kind))

    plain = content("stream/base", 200)  # 4 chunks of 64: 64, 64, 64, 8
    base = encrypt(clip_key, clip_id, "video", 64, plain)
    unit = 64 + 16
    chunks = [base[32 + i * unit : 32 + (i + 1) * unit] for i in range(4)]
    header = base[:32]
    two = encrypt(clip_key, clip_id, "video", 64, plain[:128])  # full last chunk
    auth = errors.ChunkAuthFailed
    out.refuse("bit-flip-in-chunk-1", decrypt_case(flip(base, 32 + unit + 5)), auth)
    out.refuse("bit-flip-in-last-tag", decrypt_case(flip(base)), auth)
    reordered = header + chunks[1] + chunks[0] + chunks[2] + chunks[3]
    out.refuse("chunks-0-and-1-swapped", decrypt_case(reordered), auth)
    other = encrypt(clip_key, other_id, "video", 64, plain)
    spliced = header + chunks[0] + other[32 + unit : 32 + 2 * unit] + chunks[2] + chunks[3]
    out.refuse("chunk-from-another-clip", decrypt_case(spliced), auth)
    thumb = encrypt(clip_key, clip_id, "thumbnail", 64, plain)
    spliced_kind = header + chunks[0] + thumb[32 + unit : 32 + 2 * unit] + chunks[2] + chunks[3]
    out.refuse("chunk-from-the-clips-thumbnail", decrypt_case(spliced_kind), auth)
    out.refuse("cut-inside-last-chunk", decrypt_case(base[:-3]), auth)
    out.refuse(
        "cut-at-chunk-boundary", decrypt_case(header + b"".join(chunks[:3])), errors.Truncated
    )
    out.refuse("cut-after-first-of-two-full", decrypt_case(two[: 32 + unit]), errors.Truncated)
    out.refuse("header-only", decrypt_case(header), errors.Truncated)
    out.refuse("cut-inside-header", decrypt_case(header[:20]), errors.Truncated)
    out.refuse("empty-object", decrypt_case(b""), errors.Truncated)
    out.refuse("one-byte-after-full-last-chunk", decrypt_case(two + b"\x00"), errors.TrailingData)
    out.refuse(
        "chunk-appended-after-last",
        decrypt_case(two + two[32 : 32 + unit]),
        errors.TrailingData,
    )
    key = stream_format.content_key(clip_key, clip_id, stream_format.ContentKind.VIDEO)
    empty_last = (
        header
        + primitives.aes_gcm_encrypt(
            key, stream_format.chunk_nonce(0, last=False), plain[:64], header
        )
        + primitives.aes_gcm_encrypt(key, stream_format.chunk_nonce(1, last=True), b"", header)
    )
    out.refuse("empty-last-chunk-of-two", decrypt_case(empty_last), errors.MalformedObject)

    def with_header(index: int, value: bytes) -> bytes:
        return base[:index] + value + base[index + len(value) :]

    malformed = errors.MalformedObject
    out.refuse("magic-e2eenvr2", decrypt_case(with_header(0, b"E2EENVR2")), malformed)
    out.refuse("kind-4", decrypt_case(with_header(8, b"\x04")), malformed)
    out.refuse("suite-2", decrypt_case(with_header(9, b"\x02")), errors.UnsupportedVersion)
    out.refuse("reserved-not-zero", decrypt_case(with_header(11, b"\x01")), malformed)
    out.refuse("chunk-size-32", decrypt_case(with_header(12, (32).to_bytes(4, "big"))), malformed)
    out.refuse(
        "chunk-size-not-power-of-two",
        decrypt_case(with_header(12, (96).to_bytes(4, "big"))),
        malformed,
    )
    out.refuse(
        "chunk-size-2-pow-25",
        decrypt_case(with_header(12, (1 << 25).to_bytes(4, "big"))),
        malformed,
    )
    out.refuse(
        "reader-expects-other-clip", decrypt_case(base, expect_id=other_id), errors.HeaderMismatch
    )
    out.refuse(
        "reader-expects-thumbnail", decrypt_case(base, kind="thumbnail"), errors.HeaderMismatch
    )

    def chunk_case(
        index: int, chunk: bytes, count: int = 4, size: int = len(base), head: bytes = header
    ) -> Json:
        return {
            "op": "chunk",
            "clip_key": b64encode(clip_key),
            "clip_id": clip_id.hex(),
            "kind": "video",
            "header": b64encode(head),
            "index": index,
            "chunk_count": count,
            "ciphertext_size": size,
            "chunk": b64encode(chunk),
        }

    def chunk_result(index: int) -> Json:
        start = 32 + index * unit
        end = min(start + unit, len(base))
        return {
            "content_key": b64encode(key),
            "range": [start, end],
            "plaintext": b64encode(plain[index * 64 : index * 64 + 64]),
        }

    out.ok("range-read-chunk-1", chunk_case(1, chunks[1]), chunk_result(1))
    out.ok("range-read-last-chunk", chunk_case(3, chunks[3]), chunk_result(3))
    out.refuse(
        "range-read-middle-chunk-told-last",
        chunk_case(1, chunks[1], count=2, size=32 + 2 * unit),
        auth,
    )
    out.refuse("range-read-chunk-at-wrong-index", chunk_case(2, chunks[1]), auth)
    out.refuse(
        "range-read-size-disagrees", chunk_case(1, chunks[1], size=len(base) + 100), malformed
    )
    out.refuse(
        "range-read-header-of-other-clip",
        chunk_case(1, chunks[1], head=other[:32]),
        errors.HeaderMismatch,
    )
    return out


# --- section 6 ----------------------------------------------------------------------------------


def recipient_set_file(world: World) -> VectorFile:
    out = VectorFile(
        "recipient_set",
        "6",
        "Recipient set checked by a device (or endpoint) holding the pinned root, the data key "
        "pinned at pairing (null: none yet) and the highest accepted epoch and its payload "
        "(null: none) -> epoch, whether it advances the stored epoch, the data key_id and the "
        "key_ids in set order; or BadSignature, RolledBack, UntrustedKey, MissingDataKey.",
    )
    a, b = world.a, world.b
    set_1_payload = world.set_1["payload"]

    def case(
        env: Json,
        stored: int | None = None,
        stored_payload: str | None = None,
        pinned: str | None = "",
    ) -> Json:
        return {
            "root_cert": der(a.root),
            "pinned_data_key_id": a.data_key_id if pinned == "" else pinned,
            "highest_epoch": stored,
            "highest_payload": stored_payload,
            "envelope": env,
        }

    def ids(*cert_list: x509.Certificate) -> list[str]:
        return sorted(key_id(c.public_key()) for c in cert_list)

    out.ok(
        "epoch-1-first-set",
        case(world.set_1),
        {
            "epoch": 1,
            "advances": True,
            "data_key_id": a.data_key_id,
            "key_ids": ids(a.data_cert, a.instance_cert),
        },
    )
    out.ok(
        "epoch-1-nothing-pinned-yet",
        case(world.set_1, pinned=None),
        {
            "epoch": 1,
            "advances": True,
            "data_key_id": a.data_key_id,
            "key_ids": ids(a.data_cert, a.instance_cert),
        },
    )
    all_ids = ids(a.data_cert, a.instance_cert, world.instance_2_cert)
    out.ok(
        "epoch-2-after-1",
        case(world.set_2, 1, set_1_payload),
        {"epoch": 2, "advances": True, "data_key_id": a.data_key_id, "key_ids": all_ids},
    )
    out.ok(
        "same-set-again",
        case(world.set_2, 2, world.set_2["payload"]),
        {"epoch": 2, "advances": False, "data_key_id": a.data_key_id, "key_ids": all_ids},
    )
    bad = errors.BadSignature
    out.refuse(
        "signature-flipped",
        case({**world.set_1, "signature": b64encode(flip(_b(world.set_1["signature"]), 7))}),
        bad,
    )
    payload_1 = set_payload(a.account_id, 1, [("data", a.data_cert), ("instance", a.instance_cert)])
    by_b = envelope.sign(
        recipients.OBJECT_TYPE, {**payload_1, "account_id": b.account_id}, b.signing
    )
    out.refuse("signed-by-another-account", case(by_b.to_json()), bad)
    forged_signer = sign_raw(
        recipients.OBJECT_TYPE, dumps(payload_1), b.signing, signer=a.account_id
    )
    out.refuse("other-key-claims-the-root-as-signer", case(forged_signer), bad)
    claims_b = envelope.sign(
        recipients.OBJECT_TYPE, {**payload_1, "account_id": b.account_id}, a.signing
    )
    out.refuse("account-id-of-another-account", case(claims_b.to_json()), bad)
    manifest_label = sign_raw(manifest.MANIFEST_TYPE, dumps(payload_1), a.signing)
    out.refuse("signed-under-manifest-label", case(manifest_label), bad)
    out.refuse("epoch-1-after-2", case(world.set_1, 2, world.set_2["payload"]), errors.RolledBack)
    other_2 = envelope.sign(
        recipients.OBJECT_TYPE,
        set_payload(a.account_id, 2, [("data", a.data_cert), ("instance", a.instance_cert)]),
        a.signing,
    ).to_json()
    out.refuse("epoch-2-other-content", case(other_2, 2, world.set_2["payload"]), errors.RolledBack)
    out.refuse("epoch-equal-without-stored-payload", case(world.set_2, 2, None), errors.RolledBack)
    b_instance = certs.issue(b.root, b.signing, world.instance_2.public_key(), certs.Role.instance)

    def signed(entries: list[Json], epoch: int = 1) -> Json:
        payload = {**payload_1, "epoch": epoch, "recipients": entries}
        return sign_raw(recipients.OBJECT_TYPE, dumps(payload), a.signing)

    def entry(role: str, cert: x509.Certificate, listed: str = "") -> Json:
        return {"role": role, "key_id": listed or key_id(cert.public_key()), "cert": der(cert)}

    def sort(entries: list[Json]) -> list[Json]:
        return sorted(entries, key=lambda item: item["key_id"])

    out.refuse(
        "instance-cert-of-another-root",
        case(signed(sort([entry("data", a.data_cert), entry("instance", b_instance)]))),
        errors.UntrustedKey,
    )
    wrong_id = key_id(world.instance_2.public_key())
    out.refuse(
        "key-id-differs-from-cert",
        case(
            signed(sort([entry("data", a.data_cert), entry("instance", a.instance_cert, wrong_id)]))
        ),
        errors.UntrustedKey,
    )
    out.refuse(
        "device-cert-listed-as-instance",
        case(signed(sort([entry("data", a.data_cert), entry("instance", world.device_cert)]))),
        errors.UntrustedKey,
    )
    out.refuse(
        "recovery-cert-listed-as-data",
        case(
            signed(sort([entry("data", a.recovery_cert), entry("instance", a.instance_cert)])),
            pinned=None,
        ),
        errors.UntrustedKey,
    )
    out.refuse(
        "no-data-entry",
        case(signed([entry("instance", a.instance_cert)])),
        errors.MissingDataKey,
    )
    out.refuse(
        "data-key-differs-from-pinned",
        case(world.set_1, pinned=key_id(b.data.public_key())),
        errors.MissingDataKey,
    )
    b_data_in_a = certs.issue(a.root, a.signing, b.data.public_key(), certs.Role.data)
    out.refuse(
        "data-key-swapped",
        case(signed(sort([entry("data", b_data_in_a), entry("instance", a.instance_cert)]))),
        errors.MissingDataKey,
    )
    unsorted = sort([entry("data", a.data_cert), entry("instance", a.instance_cert)])[::-1]
    out.refuse("recipients-not-sorted", case(signed(unsorted)), errors.MalformedObject)
    dup = sort(
        [
            entry("data", a.data_cert),
            entry("instance", a.instance_cert),
            entry("instance", a.instance_cert),
        ]
    )
    out.refuse("duplicate-key-id", case(signed(dup)), errors.MalformedObject)
    two_data = sort([entry("data", a.data_cert), entry("data", b_data_in_a)])
    out.refuse("two-data-entries", case(signed(two_data)), errors.MalformedObject)
    out.refuse(
        "epoch-0",
        case(
            signed(sort([entry("data", a.data_cert), entry("instance", a.instance_cert)]), epoch=0)
        ),
        errors.MalformedObject,
    )
    out.refuse(
        "unknown-field",
        case(sign_raw(recipients.OBJECT_TYPE, dumps({**payload_1, "note": "x"}), a.signing)),
        errors.MalformedObject,
    )
    # Protocol v2 made "v": 2 a real recipient-set version: v1 fields under it are malformed
    # (no prev_sha256, revoked or cameras). Unknown versions are in recipient_set_v2.json.
    out.refuse(
        "v1-fields-marked-version-2",
        case(sign_raw(recipients.OBJECT_TYPE, dumps({**payload_1, "v": 2}), a.signing)),
        errors.MalformedObject,
    )
    return out


def _b(text: str) -> bytes:
    return _unb64(text)


# --- section 8 ----------------------------------------------------------------------------------

PAIRING_CODE = "KB7QIO3M2XPZ4H5NRT6J"


def pairing_file(world: World) -> VectorFile:
    out = VectorFile(
        "pairing",
        "8",
        "Pairing. op 'normalise': typed code -> 20 base32 characters. op 'derive': typed code -> "
        "session_id and MAC keys. op 'open_request' (endpoint): request envelope + typed code + "
        "now -> what the device sent. op 'accept_grant' (device): grant envelope + its code, the "
        "request payload it sent, its key, expires_at, now, already_used -> what it pins.",
    )
    code = PAIRING_CODE
    formatted = pairing.format_code(code)
    typed_variants = {
        "formatted": formatted,
        "lower-case-spaces": " ".join(formatted.lower().split("-")),
        "confusables-0-1-8": "k87q-1o3m-2xpz-4h5n-rt6j".replace("1o", "10"),
    }
    for variant, typed in typed_variants.items():
        out.ok(f"normalise-{variant}", {"op": "normalise", "typed": typed}, {"code": code})
    for case_name, typed in (
        ("19-characters", code[:-1]),
        ("digit-9", code[:-1] + "9"),
        ("fullwidth-letter", "\uff2b" + code[1:]),
        ("dotless-i", code.replace("I", "\u0131")),
        ("underscore-separators", "_".join(code[i : i + 4] for i in range(0, 20, 4))),
    ):
        out.refuse(
            f"normalise-{case_name}", {"op": "normalise", "typed": typed}, errors.MalformedObject
        )
    keys = pairing.derive_pairing_keys(code)
    derived = {
        "session_id": keys.session_id,
        "request_mac_key": b64encode(keys.request_mac_key),
        "grant_mac_key": b64encode(keys.grant_mac_key),
    }
    out.ok("derive-formatted", {"op": "derive", "typed": formatted}, derived)
    out.ok(
        "derive-confusables",
        {"op": "derive", "typed": typed_variants["confusables-0-1-8"]},
        derived,
    )
    out.refuse(
        "derive-malformed-code", {"op": "derive", "typed": code + "A"}, errors.MalformedObject
    )

    cameras = [
        pairing.PairingCamera("front-door", "Front door"),
        pairing.PairingCamera("garage", "Garage"),
    ]
    request_env, request = pairing.make_pairing_request(
        code, world.device, "garage box", cameras, NOW
    )
    request_json = request_env.to_json()
    opened = {
        "session_id": keys.session_id,
        "device_key_id": key_id(world.device.public_key()),
        "agent_name": "garage box",
        "cameras": [{"camera_id": c.camera_id, "name": c.name} for c in cameras],
        "expires_at": NOW + pairing.CODE_TTL_SECONDS,
    }

    def open_case(env: Json, typed: str = formatted, now: int = NOW + 30) -> Json:
        return {"op": "open_request", "typed_code": typed, "now": now, "request": env}

    out.ok("open-request", open_case(request_json), opened)
    out.ok(
        "open-request-typed-with-confusables",
        open_case(request_json, typed_variants["confusables-0-1-8"]),
        opened,
    )
    other_code = "ABCDEFGHIJKLMNOPQRS2"
    out.refuse(
        "open-request-wrong-code", open_case(request_json, other_code), errors.PairingMacMismatch
    )
    altered = dumps({**json.loads(request_env.payload), "agent_name": "evil box"})
    out.refuse(
        "open-request-altered-by-relay",
        open_case({**request_json, "payload": b64encode(altered)}),
        errors.PairingMacMismatch,
    )
    out.refuse(
        "open-request-at-expiry",
        open_case(request_json, now=NOW + pairing.CODE_TTL_SECONDS),
        errors.PairingExpired,
    )
    base_payload = json.loads(request_env.payload)

    def remac(payload: Json) -> Json:
        return envelope.mac(pairing.REQUEST_TYPE, payload, keys.request_mac_key).to_json()

    other_session = pairing.derive_pairing_keys(other_code).session_id
    out.refuse(
        "open-request-session-of-another-code",
        open_case(remac({**base_payload, "session_id": other_session})),
        errors.PairingMacMismatch,
    )
    bad_sig_csr = flip(request.csr_der)
    out.refuse(
        "open-request-csr-signature-fails",
        open_case(remac({**base_payload, "csr": b64encode(bad_sig_csr)})),
        errors.UntrustedKey,
    )
    weak = world.keys.rsa_key("weak-1024")
    out.refuse(
        "open-request-csr-rsa-1024",
        open_case(remac({**base_payload, "csr": b64encode(_csr(weak, primitives.pss_padding()))})),
        errors.UntrustedKey,
    )
    out.refuse(
        "open-request-csr-pkcs1v15",
        open_case(
            remac({**base_payload, "csr": b64encode(_csr(world.device, padding.PKCS1v15()))})
        ),
        errors.UntrustedKey,
    )
    out.refuse(
        "open-request-unknown-field",
        open_case(remac({**base_payload, "firmware": "1.0"})),
        errors.MalformedObject,
    )

    # --- grants (device side) ---
    a, b = world.a, world.b
    grant_env, _device_cert = pairing.make_pairing_grant(
        request_env,
        pairing.open_pairing_request(request_env, formatted, NOW),
        formatted,
        a.root,
        a.signing,
        envelope.SignedEnvelope.from_json(world.set_1),
        a.data_key_id,
    )
    accepted = {
        "account_id": a.account_id,
        "data_key_id": a.data_key_id,
        "device_id": key_id(world.device.public_key()),
        "epoch": 1,
    }

    def grant_case(
        env: Json, *, now: int = NOW + 60, used: bool = False, sent: bytes = request_env.payload
    ) -> Json:
        return {
            "op": "accept_grant",
            "code": code,
            "request_payload": b64encode(sent),
            "device_private_key": pkcs8(world.device),
            "expires_at": NOW + pairing.CODE_TTL_SECONDS,
            "now": now,
            "already_used": used,
            "grant": env,
        }

    grant_json = grant_env.to_json()
    out.ok("accept-grant", grant_case(grant_json), accepted)
    out.refuse(
        "accept-grant-code-already-used", grant_case(grant_json, used=True), errors.PairingExpired
    )
    out.refuse(
        "accept-grant-after-expiry",
        grant_case(grant_json, now=NOW + pairing.CODE_TTL_SECONDS),
        errors.PairingExpired,
    )
    grant_payload = json.loads(grant_env.payload)
    other_keys = pairing.derive_pairing_keys(other_code)
    wrong_mac = envelope.mac(pairing.GRANT_TYPE, grant_payload, other_keys.grant_mac_key).to_json()
    out.refuse("accept-grant-mac-of-another-code", grant_case(wrong_mac), errors.PairingMacMismatch)
    request_mac_used = envelope.mac(
        pairing.GRANT_TYPE, grant_payload, keys.request_mac_key
    ).to_json()
    out.refuse(
        "accept-grant-under-request-mac-key",
        grant_case(request_mac_used),
        errors.PairingMacMismatch,
    )
    other_request, _ = pairing.make_pairing_request(
        code, world.keys.rsa_key("a-device-2"), "other", cameras, NOW
    )
    out.refuse(
        "accept-grant-for-another-request",
        grant_case(grant_json, sent=other_request.payload),
        errors.PairingMacMismatch,
    )

    def regrant(**changes: Any) -> Json:
        return envelope.mac(
            pairing.GRANT_TYPE, {**grant_payload, **changes}, keys.grant_mac_key
        ).to_json()

    out.refuse(
        "accept-grant-session-of-another-code",
        grant_case(regrant(session_id=other_session)),
        errors.PairingMacMismatch,
    )
    other_device_cert = certs.issue(
        a.root, a.signing, world.keys.rsa_key("a-device-2").public_key(), certs.Role.device
    )
    out.refuse(
        "accept-grant-device-cert-for-another-key",
        grant_case(regrant(device_cert=der(other_device_cert))),
        errors.UntrustedKey,
    )
    b_device = certs.issue(b.root, b.signing, world.device.public_key(), certs.Role.device)
    out.refuse(
        "accept-grant-device-cert-of-another-root",
        grant_case(regrant(device_cert=der(b_device))),
        errors.UntrustedKey,
    )
    out.refuse(
        "accept-grant-data-cert-as-device-cert",
        grant_case(regrant(device_cert=der(a.data_cert))),
        errors.UntrustedKey,
    )
    out.refuse(
        "accept-grant-root-is-an-end-entity",
        grant_case(regrant(root_cert=der(world.device_cert))),
        errors.UntrustedKey,
    )
    out.refuse(
        "accept-grant-set-signed-by-another-root",
        grant_case(regrant(root_cert=der(b.root), device_cert=der(b_device))),
        errors.BadSignature,
    )
    out.refuse(
        "accept-grant-data-key-id-not-the-sets",
        grant_case(regrant(data_key_id=key_id(b.data.public_key()))),
        errors.MissingDataKey,
    )
    out.refuse(
        "accept-grant-unknown-field",
        grant_case(regrant(note="x")),
        errors.MalformedObject,
    )
    return out


def _csr(key: rsa.RSAPrivateKey, pad: padding.PSS | padding.PKCS1v15) -> bytes:
    builder = x509.CertificateSigningRequestBuilder().subject_name(
        certs.subject_name(certs.Role.device, key_id(key.public_key()))
    )
    return builder.sign(key, hashes.SHA256(), rsa_padding=pad).public_bytes(Encoding.DER)


# --- section 10 ---------------------------------------------------------------------------------


def manifest_file(world: World) -> VectorFile:
    out = VectorFile(
        "manifest",
        "10",
        "Clip manifest checked by an endpoint: the device certificate must chain to the pinned "
        "root for role device, the signature verify over the received payload bytes, and the "
        "account_id be the root's -> the parsed manifest (blobs as in JSON, wrapped keys by "
        "key_id); or BadSignature, UntrustedKey, MalformedObject, UnsupportedVersion.",
    )
    a = world.a
    device_id = key_id(world.device.public_key())
    clip_id = fixed("manifest/clip-id")
    clip_key = fixed("manifest/clip-key")
    blobs: dict[str, manifest.BlobRef] = {}
    for kind, size, chunk_size in (
        ("video", 1000, 256),
        ("thumbnail", 120, 1 << 18),
        ("events", 90, 1 << 18),
    ):
        encryptor = stream.StreamEncryptor(
            clip_key, clip_id, stream_format.ContentKind(kind), chunk_size
        )
        encryptor.update(content(f"manifest/{kind}", size))
        encryptor.finalize()
        codecs = "avc1.64001f,mp4a.40.2" if kind == "video" else None
        blobs[kind] = manifest.BlobRef(
            manifest.MIME_BY_KIND[stream_format.ContentKind(kind)], encryptor.summary, codecs
        )
    context = wrap.wrap_context(wrap.WrapPurpose.CLIP_KEY, clip_id)
    wrapped = [
        ecies_wrap(a.instance.public_key(), clip_key, context, "manifest-1"),
        wrap.wrap_to_rsa(a.data.public_key(), clip_key, context),
    ]
    wrapped.sort(key=lambda w: w.key_id)
    payload = manifest.build_manifest(
        clip_id=clip_id.hex(),
        account_id=a.account_id,
        device_id=device_id,
        camera_id="front-door",
        start_ms=NOW * 1000,
        end_ms=NOW * 1000 + 30_000,
        recipient_epoch=1,
        visible_events=["motion"],
        video=blobs["video"],
        thumbnail=blobs["thumbnail"],
        events=blobs["events"],
        wrapped_keys=wrapped,
    )

    def summary(p: Json) -> Json:
        return {
            "clip_id": p["clip_id"],
            "account_id": p["account_id"],
            "device_id": p["device_id"],
            "camera_id": p["camera_id"],
            "start_ms": p["start_ms"],
            "end_ms": p["end_ms"],
            "recipient_epoch": p["recipient_epoch"],
            "visible_events": p["visible_events"],
            "video": p["video"],
            "thumbnail": p["thumbnail"],
            "events": p["events"],
            "wrapped_key_ids": [w["key_id"] for w in p["wrapped_keys"]],
        }

    def case(env: Json, device_cert: x509.Certificate = world.device_cert) -> Json:
        return {"root_cert": der(a.root), "device_cert": der(device_cert), "envelope": env}

    def signed(
        p: Json, key: rsa.RSAPrivateKey = world.device, label: str = manifest.MANIFEST_TYPE
    ) -> Json:
        return sign_raw(label, dumps(p), key, signer=key_id(key.public_key()))

    full = manifest.sign_manifest(payload, world.device).to_json()
    out.ok("full-clip", case(full), summary(payload))
    video_only = {**payload, "thumbnail": None, "events": None, "visible_events": []}
    out.ok("video-only", case(signed(video_only)), summary(video_only))
    bad = errors.BadSignature
    out.refuse(
        "signature-flipped",
        case({**full, "signature": b64encode(flip(_b(full["signature"]), 9))}),
        bad,
    )
    out.refuse(
        "payload-altered",
        case({**full, "payload": b64encode(dumps({**payload, "camera_id": "garage"}))}),
        bad,
    )
    out.refuse(
        "signed-under-recipient-set-label", case(signed(payload, label=recipients.OBJECT_TYPE)), bad
    )
    device_2 = world.keys.rsa_key("a-device-2")
    device_2_cert = certs.issue(a.root, a.signing, device_2.public_key(), certs.Role.device)
    out.refuse("signed-by-another-device", case(signed(payload, device_2), device_2_cert), bad)
    out.refuse(
        "account-id-of-another-account",
        case(signed({**payload, "account_id": world.b.account_id})),
        bad,
    )
    b_device = certs.issue(
        world.b.root, world.b.signing, world.device.public_key(), certs.Role.device
    )
    out.refuse("device-cert-of-another-root", case(full, b_device), errors.UntrustedKey)
    out.refuse("data-cert-as-device-cert", case(full, a.data_cert), errors.UntrustedKey)
    malformed = errors.MalformedObject
    video = payload["video"]
    for case_name, changed in (
        (
            "ciphertext-size-disagrees",
            {"video": {**video, "ciphertext_size": video["ciphertext_size"] + 1}},
        ),
        ("chunk-count-disagrees", {"video": {**video, "chunk_count": video["chunk_count"] + 1}}),
        ("chunk-size-not-power-of-two", {"video": {**video, "chunk_size": 1000}}),
        ("video-mime-not-mp4", {"video": {**video, "mime": "video/webm"}}),
        ("codecs-break-out-of-mime", {"video": {**video, "codecs": 'avc1.64001f"; x=1'}}),
        ("end-before-start", {"end_ms": NOW * 1000 - 1}),
        ("no-wrapped-keys", {"wrapped_keys": []}),
        ("two-wraps-for-one-key", {"wrapped_keys": [payload["wrapped_keys"][0]] * 2}),
        ("visible-event-upper-case", {"visible_events": ["Motion"]}),
        ("camera-id-upper-case", {"camera_id": "Front"}),
        ("unknown-field", {"note": "x"}),
    ):
        out.refuse(case_name, case(signed({**payload, **changed})), malformed)
    out.refuse("version-2", case(signed({**payload, "v": 2})), errors.UnsupportedVersion)
    return out


# --- sections 9-11: a whole clip ----------------------------------------------------------------


def fake_jpeg() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + content("clip/jpeg", 240) + b"\xff\xd9"


def clip_file(world: World) -> VectorFile:
    out = VectorFile(
        "clip",
        "9, 10, 11",
        "A whole clip as the device code (clip.ClipEncryptor) makes it. An endpoint verifies the "
        "manifest against the device certificate and pinned root, unwraps the clip key with the "
        "keys it holds (PKCS#8: the instance key, or the account data key for old clips), and "
        "decrypts video, thumbnail and events, each checked against its manifest entry -> "
        "clip key and plaintexts (the video is synthetic bytes, not a playable MP4).",
    )
    a = world.a
    current = recipients.verify_recipient_set(
        envelope.SignedEnvelope.from_json(world.set_1), a.root, pinned_data_key_id=a.data_key_id
    )
    device_id = key_id(world.device.public_key())
    video = content("clip/video", 5000)
    jpeg = fake_jpeg()
    events = [
        clip.ClipEvent("motion", 0, 4200, "front-door-pir"),
        clip.ClipEvent("person", 800, None, "frigate"),
    ]

    def seal(start_ms: int) -> tuple[Json, bytes, bytes, bytes, bytes]:
        encryptor = clip.ClipEncryptor(
            recipient_set=current,
            device_id=device_id,
            camera_id="front-door",
            start_ms=start_ms,
            chunk_size=1024,
        )
        clip_key = encryptor._key()
        ciphertext = encryptor.update(video) + encryptor.finish_video()
        thumb = encryptor.encrypt_thumbnail(jpeg)
        events_ct = encryptor.encrypt_events(events)
        signed = encryptor.seal(
            world.device,
            end_ms=start_ms + 30_000,
            codecs="avc1.64001f,mp4a.40.2",
            visible_events=["motion"],
        )
        return signed.to_json(), ciphertext, thumb, events_ct, clip_key

    env, video_ct, thumb_ct, events_ct, clip_key = seal(NOW * 1000)
    _, other_video, _, _, _ = seal(NOW * 1000 + 60_000)
    clip_id = json.loads(_b(env["payload"]))["clip_id"]

    def case(
        keys: Sequence[Any],
        *,
        manifest_env: Json = env,
        video_bytes: bytes = video_ct,
        device_cert: x509.Certificate = world.device_cert,
    ) -> Json:
        return {
            "root_cert": der(a.root),
            "device_cert": der(device_cert),
            "manifest": manifest_env,
            "video": b64encode(video_bytes),
            "thumbnail": b64encode(thumb_ct),
            "events": b64encode(events_ct),
            "private_keys": [pkcs8(k) for k in keys],
        }

    opened = {
        "clip_id": clip_id,
        "clip_key": b64encode(clip_key),
        "video": b64encode(video),
        "thumbnail": b64encode(jpeg),
        "events": b64encode(clip.pad_events(events)),
        "events_parsed": [e.to_json() for e in events],
    }
    out.ok("open-with-instance-key", case([a.instance]), opened)
    out.ok("open-with-data-key", case([a.data]), opened)
    out.refuse("held-key-not-a-recipient", case([world.instance_2]), errors.NoRecipientKey)
    unit = 1024 + 16
    out.refuse(
        "video-chunk-2-flipped",
        case([a.instance], video_bytes=flip(video_ct, 32 + 2 * unit + 40)),
        errors.ChunkAuthFailed,
    )
    out.refuse(
        "video-last-chunk-dropped",
        case([a.instance], video_bytes=video_ct[: 32 + 4 * unit]),
        errors.Truncated,
    )
    out.refuse(
        "video-one-byte-appended",
        case([a.instance], video_bytes=video_ct + b"\x00"),
        errors.TrailingData,
    )
    out.refuse(
        "video-of-another-clip", case([a.instance], video_bytes=other_video), errors.HeaderMismatch
    )
    out.refuse(
        "thumbnail-served-as-video", case([a.instance], video_bytes=thumb_ct), errors.HeaderMismatch
    )
    # Made with the clip key itself: every chunk authenticates, only the manifest's size and
    # hash show that this is not the video the device signed.
    same_size = encrypt(
        clip_key, bytes.fromhex(clip_id), "video", 1024, content("clip/other", 5000)
    )
    out.refuse(
        "video-other-content-same-key",
        case([a.instance], video_bytes=same_size),
        errors.HeaderMismatch,
    )
    out.refuse(
        "manifest-signature-flipped",
        case(
            [a.instance],
            manifest_env={**env, "signature": b64encode(flip(_b(env["signature"]), 5))},
        ),
        errors.BadSignature,
    )
    b_device = certs.issue(
        world.b.root, world.b.signing, world.device.public_key(), certs.Role.device
    )
    out.refuse(
        "device-cert-of-another-root", case([a.instance], device_cert=b_device), errors.UntrustedKey
    )
    return out


# --- section 11: a whole account ----------------------------------------------------------------


def account_document(world: World, backups: Backups) -> AccountDocument:
    a = world.a
    account = a.account_id.encode("ascii")
    pdk_ctx = wrap.wrap_context(wrap.WrapPurpose.PDK, account)
    rdk_ctx = wrap.wrap_context(wrap.WrapPurpose.RDK, account)
    instance = InstanceEntry(
        key_id=key_id(a.instance.public_key()),
        cert_der=certs.cert_der(a.instance_cert),
        pdk_wrapped=ecies_wrap(a.instance.public_key(), world.pdk, pdk_ctx, "account-pdk"),
        rdk_wrapped=ecies_wrap(a.instance.public_key(), world.rdk, rdk_ctx, "account-rdk"),
    )
    return AccountDocument(
        account_id=a.account_id,
        root_cert_der=certs.cert_der(a.root),
        recovery_cert_der=certs.cert_der(a.recovery_cert),
        data_cert_der=certs.cert_der(a.data_cert),
        backups={"signing": backups.signing, "recovery": backups.recovery, "data": backups.data},
        rdk_wrapped_to_recovery=wrap.wrap_to_rsa(a.recovery.public_key(), world.rdk, rdk_ctx),
        instances=(instance,),
        recipient_set=envelope.SignedEnvelope.from_json(world.set_1),
    )


def account_file(world: World, backups: Backups) -> VectorFile:
    out = VectorFile(
        "account",
        "11",
        "A whole account document and a typed passphrase -> unlock as an endpoint enrolling with "
        "the passphrase: PDK from the signing backup's params, key check, signing and recovery "
        "backups, RDK from rdk_wrapped_to_recovery, data backup under the RDK -> the public keys "
        "and the RDK; or InvalidPassphrase, WrongPassphrase, BackupMismatch, UnwrapFailed, "
        "UntrustedKey, MalformedObject, UnsupportedVersion.",
    )
    a = world.a
    document = account_document(world, backups)
    doc = document.to_json()

    def case(account_doc: Json, typed: str = world.passphrase) -> Json:
        return {"account": account_doc, "passphrase": typed}

    unlocked = {
        "account_id": a.account_id,
        "signing_public_key": _spki(a.signing.public_key()),
        "recovery_public_key": _spki(a.recovery.public_key()),
        "data_public_key": _spki(a.data.public_key()),
        "rdk": b64encode(world.rdk),
    }
    words = world.passphrase.split(" ")
    out.ok("unlock", case(doc), unlocked)
    out.ok("unlock-typed-upper-case-hyphens", case(doc, "-".join(words).upper() + "\n"), unlocked)
    other_words = passphrase.filtered_wordlist()[100:110]
    out.refuse("other-passphrase", case(doc, " ".join(other_words)), errors.WrongPassphrase)
    out.refuse(
        "passphrase-words-swapped",
        case(doc, " ".join([words[1], words[0], *words[2:]])),
        errors.WrongPassphrase,
    )
    out.refuse("typo", case(doc, world.passphrase + "x"), errors.InvalidPassphrase)
    out.refuse("nine-words", case(doc, " ".join(words[:9])), errors.InvalidPassphrase)
    backups_json = doc["backups"]
    swapped_p12 = {**backups_json["signing"], "p12": backups_json["recovery"]["p12"]}
    out.refuse(
        "signing-backup-holds-recovery-key",
        case({**doc, "backups": {**backups_json, "signing": swapped_p12}}),
        errors.BackupMismatch,
    )
    other_data = backup.make_backup(
        "data", a.account_id, world.b.data, world.b.data_cert, world.rdk, world.rdk_params
    )
    out.refuse(
        "data-backup-holds-another-key",
        case({**doc, "backups": {**backups_json, "data": other_data.to_json()}}),
        errors.BackupMismatch,
    )
    rdk_wrap = doc["rdk_wrapped_to_recovery"]
    out.refuse(
        "rdk-wrap-flipped",
        case(
            {
                **doc,
                "rdk_wrapped_to_recovery": {
                    **rdk_wrap,
                    "ct": b64encode(flip(_b(rdk_wrap["ct"]), 50)),
                },
            }
        ),
        errors.UnwrapFailed,
    )
    out.refuse(
        "root-of-another-account",
        case({**doc, "root_cert": der(world.b.root)}),
        errors.UntrustedKey,
    )
    out.refuse(
        "backups-filed-under-wrong-names",
        case(
            {
                **doc,
                "backups": {
                    **backups_json,
                    "signing": backups_json["recovery"],
                    "recovery": backups_json["signing"],
                },
            }
        ),
        errors.MalformedObject,
    )
    out.refuse("unknown-field", case({**doc, "note": "x"}), errors.MalformedObject)
    out.refuse("version-2", case({**doc, "v": 2}), errors.UnsupportedVersion)
    return out


# --- main ---------------------------------------------------------------------------------------


def main() -> None:
    keys = Keys()
    world = make_world(keys)
    keys.save()
    backups = make_backups(world)
    files = [
        passphrase_file(world),
        kdf_file(world),
        certs_file(world),
        backup_file(world, backups),
        wrap_file(world),
        stream_file(),
        recipient_set_file(world),
        pairing_file(world),
        manifest_file(world),
        clip_file(world),
        account_file(world, backups),
    ]
    keys.save()
    # The v2 files are written by tests/vectors/generate_v2.py, live.json by generate_live.py.
    missing = (
        set(RUNNERS)
        - {f.name for f in files}
        - {"recipient_set_v2", "events_padding", "withholding", "account_v2", "live"}
    )
    if missing:
        raise RuntimeError(f"runners without a file: {sorted(missing)}")
    for vector_file in files:
        vector_file.write()
        kinds = sum(case["expect"] == "ok" for case in vector_file.cases)
        print(f"{vector_file.name}.json: {len(vector_file.cases)} cases ({kinds} ok)")


if __name__ == "__main__":
    main()
