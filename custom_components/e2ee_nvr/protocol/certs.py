"""X.509 certificates under the account root, their profile and verifier (protocol section 5)."""

from __future__ import annotations

import datetime
import enum
import secrets
from typing import Final, TypeAlias

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtensionOID, NameOID, SignatureAlgorithmOID

from . import primitives
from .errors import MalformedObject, UntrustedKey
from .identifiers import key_id

CertifiedKey: TypeAlias = rsa.RSAPublicKey | ec.EllipticCurvePublicKey

ORGANIZATION: Final = "E2EE NVR"
MAX_CERT_BYTES: Final = 8192
BACKDATE: Final = datetime.timedelta(minutes=5)
# RFC 5280 4.1.2.5: "no well-defined expiration date". Keys leave service through the signed
# recipient set, never through clocks that a camera may not have.
NOT_AFTER: Final = datetime.datetime(9999, 12, 31, 23, 59, 59, tzinfo=datetime.UTC)


class Role(enum.Enum):
    """The OU of a certificate: what its key is for."""

    root = "root"
    recovery = "recovery"
    data = "data"
    instance = "instance"
    device = "device"


def _usage(
    *,
    digital_signature: bool = False,
    key_encipherment: bool = False,
    key_agreement: bool = False,
    key_cert_sign: bool = False,
    crl_sign: bool = False,
) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=key_encipherment,
        data_encipherment=False,
        key_agreement=key_agreement,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )


# One purpose per key: a certificate whose usage set differs from its row is refused, so a data
# key can never be presented as a signer, nor a device key as a certificate authority.
KEY_USAGE: Final[dict[Role, x509.KeyUsage]] = {
    Role.root: _usage(key_cert_sign=True, crl_sign=True, digital_signature=True),
    Role.recovery: _usage(key_encipherment=True),
    Role.data: _usage(key_encipherment=True),
    Role.instance: _usage(key_agreement=True),
    Role.device: _usage(digital_signature=True),
}
ROOT_EXTENSIONS: Final = frozenset(
    {ExtensionOID.BASIC_CONSTRAINTS, ExtensionOID.KEY_USAGE, ExtensionOID.SUBJECT_KEY_IDENTIFIER}
)
END_ENTITY_EXTENSIONS: Final = ROOT_EXTENSIONS | {ExtensionOID.AUTHORITY_KEY_IDENTIFIER}


def subject_name(role: Role, subject_key_id: str) -> x509.Name:
    """O=E2EE NVR, OU=<role>, CN=<key_id>: identities only; device and browser names stay out."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, role.value),
            x509.NameAttribute(NameOID.COMMON_NAME, subject_key_id),
        ]
    )


def check_role_key(key: object, role: Role) -> CertifiedKey:
    """The key type of the role's row (section 2): P-256 for instances, suite-1 RSA otherwise."""
    if role is Role.instance:
        if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(
            key.curve, ec.SECP256R1
        ):
            raise UntrustedKey(f"{role.value}: expected a P-256 key")
        return key
    return check_rsa_key(key, role)


def check_rsa_key(key: object, role: Role) -> rsa.RSAPublicKey:
    """Suite-1 RSA (2048-4096 bits, e = 65537) for every role but instance."""
    if role is Role.instance:
        raise UntrustedKey(f"{role.value}: expected a P-256 key, not RSA")
    try:
        return primitives.rsa_check_public(key)
    except primitives.PrimitiveFailure as err:
        raise UntrustedKey(f"{role.value}: {err}") from err


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: CertifiedKey
) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        # A random positive serial of up to 127 bits: never zero, never negative, fits 16 bytes.
        .serial_number(max(1, secrets.randbits(127)))
        .not_valid_before(now - BACKDATE)
        .not_valid_after(NOT_AFTER)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def _sign(builder: x509.CertificateBuilder, signing_key: rsa.RSAPrivateKey) -> x509.Certificate:
    return builder.sign(signing_key, hashes.SHA256(), rsa_padding=primitives.pss_padding())


def make_root(signing_key: rsa.RSAPrivateKey) -> x509.Certificate:
    """The self-signed account root; its CN is the account_id."""
    public_key = check_rsa_key(signing_key.public_key(), Role.root)
    name = subject_name(Role.root, key_id(public_key))
    builder = (
        _builder(name, name, public_key)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(KEY_USAGE[Role.root], critical=True)
    )
    return _sign(builder, signing_key)


def issue(
    root_cert: x509.Certificate,
    signing_key: rsa.RSAPrivateKey,
    subject_public_key: object,
    role: Role,
) -> x509.Certificate:
    """Issue an end-entity certificate for role from a public key alone (nothing else copied)."""
    if role is Role.root:
        raise ValueError("a root is made with make_root, not issued")
    if key_id(signing_key.public_key()) != key_id(root_cert.public_key()):
        raise ValueError("the signing key is not the root certificate's key")
    public_key = check_role_key(subject_public_key, role)
    root_ski = root_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    builder = (
        _builder(subject_name(role, key_id(public_key)), root_cert.subject, public_key)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(KEY_USAGE[role], critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(root_ski), critical=False
        )
    )
    return _sign(builder, signing_key)


def cert_der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(Encoding.DER)


# What pyca raises on damaged input: some fields (names, extensions, the key) are parsed only
# when first read, and a name with an unknown string tag surfaces as a KeyError.
_PARSE_ERRORS: Final = (
    ValueError,
    KeyError,
    TypeError,
    UnsupportedAlgorithm,
    x509.InvalidVersion,
    x509.DuplicateExtension,
    x509.UnsupportedGeneralNameType,
)


def _parse_fully(cert: x509.Certificate) -> None:
    """Read every lazily parsed field once, so damage shows up here and not mid-verification."""
    _ = (cert.version, cert.subject, cert.issuer, cert.public_key(), list(cert.extensions))


def load_cert(der: bytes) -> x509.Certificate:
    """Parse one DER certificate; refuse junk, oversize input and non-canonical encodings."""
    if len(der) > MAX_CERT_BYTES:
        raise MalformedObject(f"certificate larger than {MAX_CERT_BYTES} bytes")
    try:
        cert = x509.load_der_x509_certificate(der)
        _parse_fully(cert)
    except _PARSE_ERRORS as err:
        raise MalformedObject(f"not a DER certificate: {err}") from err
    # key_ids and pinned roots are compared by these bytes: one certificate, one encoding.
    if cert_der(cert) != der:
        raise MalformedObject("certificate is not in canonical DER")
    return cert


def _der_element(der: bytes, offset: int, what: str) -> tuple[int, int]:
    """(content start, end) of the DER element at offset, for the few one-byte tags used here."""
    if offset + 2 > len(der):
        raise UntrustedKey(f"{what}: truncated DER")
    length, start = der[offset + 1], offset + 2
    if length & 0x80:
        count = length & 0x7F
        if not 1 <= count <= 3 or start + count > len(der):
            raise UntrustedKey(f"{what}: unsupported DER length")
        length, start = int.from_bytes(der[start : start + count], "big"), start + count
    if start + length > len(der):
        raise UntrustedKey(f"{what}: truncated DER")
    return start, start + length


def _signed_parts(der: bytes, what: str) -> tuple[bytes, bytes, bytes]:
    """Split SEQUENCE { signed part, signatureAlgorithm, BIT STRING } into its three values.

    The library ignores the BIT STRING's unused-bits byte, so a signature whose encoding says
    "one unused bit" would still verify: one certificate, two encodings. Only 0 is accepted.
    """
    start, end = _der_element(der, 0, what)
    signed_end = _der_element(der, start, what)[1]
    algorithm_end = _der_element(der, signed_end, what)[1]
    bits_start, bits_end = _der_element(der, algorithm_end, what)
    if end != len(der) or bits_end != end or der[algorithm_end] != 0x03 or der[bits_start] != 0:
        raise UntrustedKey(f"{what}: malformed signature encoding")
    return der[start:signed_end], der[signed_end:algorithm_end], der[bits_start + 1 : bits_end]


def _tbs_algorithm(tbs: bytes, what: str) -> bytes:
    """The signature AlgorithmIdentifier inside a v3 tbsCertificate (after version and serial)."""
    position = _der_element(tbs, 0, what)[0]
    if tbs[position] != 0xA0:
        raise UntrustedKey(f"{what}: not an X.509 v3 certificate")
    position = _der_element(tbs, position, what)[1]  # [0] version
    position = _der_element(tbs, position, what)[1]  # serialNumber
    return tbs[position : _der_element(tbs, position, what)[1]]


def _check_pss(
    signed: x509.Certificate | x509.CertificateSigningRequest,
    signer: rsa.RSAPublicKey,
    what: str,
) -> bytes:
    """Verify an rsa-pss-sha256 signature; return the signatureAlgorithm DER it declares.

    The verification pins SHA-256, MGF1-SHA-256 and a 32-byte salt (OpenSSL checks the salt
    length exactly), so it alone enforces the suite; the declared parameters are compared too,
    so an object that says one thing and does another is refused as well. PKCS#1 v1.5 is not
    accepted in any form.
    """
    if signed.signature_algorithm_oid != SignatureAlgorithmOID.RSASSA_PSS:
        raise UntrustedKey(f"{what}: not signed with rsa-pss-sha256")
    try:
        declared = signed.signature_algorithm_parameters
        declared_hash = signed.signature_hash_algorithm
    except (ValueError, UnsupportedAlgorithm) as err:
        raise UntrustedKey(f"{what}: unsupported PSS parameters") from err
    if not isinstance(declared_hash, hashes.SHA256) or not isinstance(declared, padding.PSS):
        raise UntrustedKey(f"{what}: PSS parameters other than SHA-256")
    # pyca exposes these two only as private attributes; if they ever move, the getattr
    # defaults leave the check to the verification below, which enforces them regardless.
    mgf_hash = getattr(declared.mgf, "_algorithm", hashes.SHA256())
    salt = getattr(declared, "_salt_length", primitives.PSS_SALT_BYTES)
    if not isinstance(mgf_hash, hashes.SHA256) or salt != primitives.PSS_SALT_BYTES:
        raise UntrustedKey(f"{what}: PSS parameters other than MGF1-SHA-256, salt 32")
    tbs, algorithm, signature = _signed_parts(signed.public_bytes(Encoding.DER), what)
    try:
        primitives.rsa_pss_verify(signer, tbs, signature)
    except primitives.PrimitiveFailure as err:
        raise UntrustedKey(f"{what}: signature does not verify") from err
    return algorithm


def _check_signature(cert: x509.Certificate, issuer_key: rsa.RSAPublicKey, what: str) -> None:
    """rsa-pss-sha256 by the issuer, and the signed algorithm equal to the declared one.

    RFC 5280 4.1.1.2: the unsigned signatureAlgorithm must equal the signed one inside the
    tbsCertificate, or the same certificate could travel under several encodings.
    """
    algorithm = _check_pss(cert, issuer_key, what)
    if _tbs_algorithm(cert.tbs_certificate_bytes, what) != algorithm:
        raise UntrustedKey(f"{what}: signed and declared signature algorithms differ")


def _check_extensions(
    cert: x509.Certificate, role: Role, expected: frozenset[x509.ObjectIdentifier]
) -> None:
    """Exactly the profile's extensions; basicConstraints and keyUsage critical and exact.

    Unknown extensions are refused rather than ignored: a v1 verifier never skips something
    the signer put in a certificate.
    """
    extensions = cert.extensions  # parsed by _check_profile, which runs first
    present = [extension.oid for extension in extensions]
    if len(present) != len(expected) or set(present) != expected:
        raise UntrustedKey(f"{role.value}: extensions differ from the profile")
    constraints = extensions.get_extension_for_class(x509.BasicConstraints)
    is_root = role is Role.root
    wanted = x509.BasicConstraints(ca=is_root, path_length=0 if is_root else None)
    if not constraints.critical or constraints.value != wanted:
        raise UntrustedKey(f"{role.value}: basicConstraints not critical {wanted}")
    usage = extensions.get_extension_for_class(x509.KeyUsage)
    if not usage.critical or usage.value != KEY_USAGE[role]:
        raise UntrustedKey(f"{role.value}: keyUsage not critical and exactly the role's")
    for extension in extensions:
        if extension.oid not in (ExtensionOID.BASIC_CONSTRAINTS, ExtensionOID.KEY_USAGE) and (
            extension.critical
        ):
            raise UntrustedKey(f"{role.value}: {extension.oid.dotted_string} must not be critical")


def _check_profile(cert: x509.Certificate, role: Role) -> CertifiedKey:
    """Version, key type for the role, and subject = O=E2EE NVR, OU=role, CN=key_id(key)."""
    try:
        _parse_fully(cert)
    except _PARSE_ERRORS as err:
        raise UntrustedKey(f"{role.value}: damaged or unsupported certificate") from err
    if cert.version is not x509.Version.v3:
        raise UntrustedKey(f"{role.value}: not an X.509 v3 certificate")
    public_key = check_role_key(cert.public_key(), role)
    if cert.subject != subject_name(role, key_id(public_key)):
        raise UntrustedKey(f"{role.value}: subject is not O={ORGANIZATION}, OU=role, CN=key_id")
    return public_key


def verify_root(cert: x509.Certificate) -> rsa.RSAPublicKey:
    """Accept a root (self-signed under rsa-pss-sha256, CA:TRUE, CN = its key_id); return its key.

    The key's key_id is the account_id.
    """
    public_key = check_rsa_key(_check_profile(cert, Role.root), Role.root)
    if cert.issuer != cert.subject:
        raise UntrustedKey("root: issuer differs from subject (not self-signed)")
    _check_extensions(cert, Role.root, ROOT_EXTENSIONS)
    _check_signature(cert, public_key, "root")
    return public_key


def verify_issued(cert: x509.Certificate, root_cert: x509.Certificate, role: Role) -> CertifiedKey:
    """Check an end-entity certificate for role against the pinned root; return its key.

    Everything in the section-5 verifier rule: signature by the root key with rsa-pss-sha256,
    issuer equal to the root's subject, exact subject, exact critical basicConstraints and
    keyUsage, the authorityKeyIdentifier naming the root, and a key fitting the role.
    """
    if role is Role.root:
        raise ValueError("verify a root with verify_root")
    root_key = verify_root(root_cert)
    public_key = _check_profile(cert, role)
    if cert.issuer != root_cert.subject:
        raise UntrustedKey(f"{role.value}: issuer is not the pinned root")
    _check_extensions(cert, role, END_ENTITY_EXTENSIONS)
    root_ski = root_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    authority = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    if authority.key_identifier != root_ski.digest:
        raise UntrustedKey(f"{role.value}: authorityKeyIdentifier does not name the root")
    _check_signature(cert, root_key, role.value)
    return public_key


def make_csr(device_key: rsa.RSAPrivateKey) -> bytes:
    """A PKCS#10 request (DER) for the device key, self-signed with rsa-pss-sha256."""
    public_key = check_rsa_key(device_key.public_key(), Role.device)
    request = x509.CertificateSigningRequestBuilder().subject_name(
        subject_name(Role.device, key_id(public_key))
    )
    csr = request.sign(device_key, hashes.SHA256(), rsa_padding=primitives.pss_padding())
    return csr.public_bytes(Encoding.DER)


def verify_csr(der: bytes) -> rsa.RSAPublicKey:
    """Return the device key of a CSR whose PSS self-signature verifies (proof of possession).

    Only the public key is used by the issuer; the CSR's subject and attributes are ignored.
    """
    if len(der) > MAX_CERT_BYTES:
        raise MalformedObject(f"CSR larger than {MAX_CERT_BYTES} bytes")
    try:
        csr = x509.load_der_x509_csr(der)
        raw_key = csr.public_key()
    except _PARSE_ERRORS as err:
        raise MalformedObject(f"not a DER certificate request: {err}") from err
    public_key = check_rsa_key(raw_key, Role.device)
    _check_pss(csr, public_key, "CSR")
    return public_key
