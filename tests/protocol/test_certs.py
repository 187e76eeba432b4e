"""Certificates under the account root: profile, issuance and every refusal (protocol section 5)."""

from __future__ import annotations

import datetime
from functools import cache

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtensionOID, SignatureAlgorithmOID
from hypothesis import given
from hypothesis import strategies as st

from e2ee_nvr_protocol import certs, primitives
from e2ee_nvr_protocol.certs import Role
from e2ee_nvr_protocol.errors import MalformedObject, UntrustedKey
from e2ee_nvr_protocol.identifiers import key_id
from tests.protocol.cert_builders import (
    ExtensionEdit,
    build_cert,
    name,
    profile_extensions,
    replacing,
)

END_ENTITY_ROLES = [Role.recovery, Role.data, Role.instance, Role.device]


@cache
def rsa_key(name: str, bits: int = 2048, exponent: int = 65537) -> rsa.RSAPrivateKey:
    """One key per name for the whole module: RSA generation is the slow part of these tests."""
    del name
    return rsa.generate_private_key(public_exponent=exponent, key_size=bits)


@cache
def ec_key(name: str, curve: type[ec.EllipticCurve] = ec.SECP256R1) -> ec.EllipticCurvePrivateKey:
    del name
    return ec.generate_private_key(curve())


@cache
def root() -> x509.Certificate:
    return certs.make_root(rsa_key("root"))


def subject_key(role: Role) -> rsa.RSAPublicKey | ec.EllipticCurvePublicKey:
    if role is Role.instance:
        return ec_key("instance").public_key()
    return rsa_key(role.value).public_key()


def build_end_entity(
    role: Role,
    public_key: certs.CertifiedKey | None = None,
    *,
    ou: str | None = None,
    cn: str | None = None,
    signing_key: rsa.RSAPrivateKey | None = None,
    edit: ExtensionEdit = lambda extensions: extensions,
    rsa_padding: padding.PSS | padding.PKCS1v15 | None = None,
) -> x509.Certificate:
    key = subject_key(role) if public_key is None else public_key
    subject = name(ou or role.value, cn or key_id(key))
    return build_cert(
        key,
        signing_key or rsa_key("root"),
        subject=subject,
        issuer=root().subject,
        extensions=edit(profile_extensions(role, key, root())),
        rsa_padding=rsa_padding,
    )


# --- what make_root and issue produce -----------------------------------------------------------


def test_root_profile() -> None:
    cert = root()
    account_id = key_id(rsa_key("root").public_key())
    assert cert.subject == cert.issuer == name("root", account_id)
    assert cert.version is x509.Version.v3
    assert cert.signature_algorithm_oid == SignatureAlgorithmOID.RSASSA_PSS
    assert 0 < cert.serial_number < 2**127
    assert cert.not_valid_after_utc == datetime.datetime(
        9999, 12, 31, 23, 59, 59, tzinfo=datetime.UTC
    )
    age = datetime.datetime.now(datetime.UTC) - cert.not_valid_before_utc
    assert datetime.timedelta(minutes=4) < age < datetime.timedelta(minutes=6)
    constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca and constraints.value.path_length == 0
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.key_cert_sign and usage.value.crl_sign
    assert usage.value.digital_signature and not usage.value.key_encipherment
    root_key = certs.verify_root(cert)
    assert key_id(root_key) == account_id


@pytest.mark.parametrize("role", END_ENTITY_ROLES)
def test_issued_certificates_verify_for_their_role(role: Role) -> None:
    key = subject_key(role)
    cert = certs.issue(root(), rsa_key("root"), key, role)
    assert cert.subject == name(role.value, key_id(key))
    assert cert.issuer == root().subject
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert cert.extensions.get_extension_for_class(x509.KeyUsage).value == certs.KEY_USAGE[role]
    assert key_id(certs.verify_issued(cert, root(), role)) == key_id(key)
    # Through DER and back, as a verifier receives it.
    loaded = certs.load_cert(certs.cert_der(cert))
    assert key_id(certs.verify_issued(loaded, root(), role)) == key_id(key)


def test_issue_refuses_keys_outside_the_role_and_misuse() -> None:
    with pytest.raises(UntrustedKey):
        certs.issue(root(), rsa_key("root"), rsa_key("weak", 1024).public_key(), Role.device)
    with pytest.raises(UntrustedKey):
        certs.issue(root(), rsa_key("root"), ec_key("instance").public_key(), Role.data)
    with pytest.raises(UntrustedKey):
        certs.issue(root(), rsa_key("root"), rsa_key("data").public_key(), Role.instance)
    with pytest.raises(ValueError):
        certs.issue(root(), rsa_key("root"), rsa_key("data").public_key(), Role.root)
    with pytest.raises(ValueError):
        certs.issue(root(), rsa_key("other-root"), rsa_key("data").public_key(), Role.data)


# --- refusals of end-entity certificates --------------------------------------------------------


def test_hand_built_standard_certificate_verifies() -> None:
    # The builder below is faithful: without any alteration it passes, so each refusal that
    # follows is caused by its one alteration.
    cert = build_end_entity(Role.data)
    assert key_id(certs.verify_issued(cert, root(), Role.data)) == key_id(subject_key(Role.data))


def test_wrong_issuer_key() -> None:
    cert = build_end_entity(Role.data, signing_key=rsa_key("other-root"))
    with pytest.raises(UntrustedKey, match="signature"):
        certs.verify_issued(cert, root(), Role.data)


def test_certificate_of_another_root() -> None:
    other_root = certs.make_root(rsa_key("other-root"))
    cert = certs.issue(other_root, rsa_key("other-root"), subject_key(Role.data), Role.data)
    with pytest.raises(UntrustedKey, match="issuer"):
        certs.verify_issued(cert, root(), Role.data)


@pytest.mark.parametrize(
    ("issued_as", "checked_as"),
    [(Role.recovery, Role.data), (Role.data, Role.recovery), (Role.device, Role.data)],
)
def test_wrong_role(issued_as: Role, checked_as: Role) -> None:
    cert = certs.issue(root(), rsa_key("root"), rsa_key("shared").public_key(), issued_as)
    with pytest.raises(UntrustedKey):
        certs.verify_issued(cert, root(), checked_as)


def test_wrong_role_ou_with_the_role_s_key_usage() -> None:
    # Usage and key fit the data row, only the OU says recovery: the subject check refuses it.
    cert = build_end_entity(Role.data, ou="recovery")
    with pytest.raises(UntrustedKey, match="subject"):
        certs.verify_issued(cert, root(), Role.data)


BASIC_CONSTRAINTS = ExtensionOID.BASIC_CONSTRAINTS


@pytest.mark.parametrize(
    ("role", "edit", "match"),
    [
        pytest.param(
            Role.device,
            replacing(BASIC_CONSTRAINTS, x509.BasicConstraints(ca=True, path_length=None), True),
            "basicConstraints",
            id="end-entity-with-ca-true",
        ),
        pytest.param(
            Role.data,
            replacing(BASIC_CONSTRAINTS, None),
            "extensions",
            id="basic-constraints-missing",
        ),
        pytest.param(
            Role.data,
            replacing(BASIC_CONSTRAINTS, x509.BasicConstraints(ca=False, path_length=None), False),
            "basicConstraints",
            id="basic-constraints-not-critical",
        ),
        pytest.param(
            Role.data, replacing(ExtensionOID.KEY_USAGE, None), "extensions", id="key-usage-missing"
        ),
        pytest.param(
            Role.data,
            replacing(ExtensionOID.KEY_USAGE, certs.KEY_USAGE[Role.data], False),
            "keyUsage",
            id="key-usage-not-critical",
        ),
    ],
)
def test_refused_constraints_and_key_usage(role: Role, edit: ExtensionEdit, match: str) -> None:
    cert = build_end_entity(role, edit=edit)
    with pytest.raises(UntrustedKey, match=match):
        certs.verify_issued(cert, root(), role)


@pytest.mark.parametrize(
    ("role", "usage_of"),
    [
        (Role.data, Role.device),  # an encryption key presented as a signer
        (Role.device, Role.root),  # a device key presented as a certificate authority
        (Role.instance, Role.data),
        (Role.recovery, Role.instance),
    ],
)
def test_wrong_key_usage(role: Role, usage_of: Role) -> None:
    cert = build_end_entity(
        role, edit=replacing(ExtensionOID.KEY_USAGE, certs.KEY_USAGE[usage_of], True)
    )
    with pytest.raises(UntrustedKey, match="keyUsage"):
        certs.verify_issued(cert, root(), role)


def test_key_usage_with_one_extra_bit() -> None:
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=True,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    cert = build_end_entity(Role.data, edit=replacing(ExtensionOID.KEY_USAGE, usage, True))
    with pytest.raises(UntrustedKey, match="keyUsage"):
        certs.verify_issued(cert, root(), Role.data)


@pytest.mark.parametrize("role", [Role.data, Role.recovery, Role.device])
def test_ec_key_claimed_as_rsa_role(role: Role) -> None:
    cert = build_end_entity(role, ec_key("instance").public_key())
    with pytest.raises(UntrustedKey):
        certs.verify_issued(cert, root(), role)


def test_rsa_key_claimed_as_instance() -> None:
    cert = build_end_entity(Role.instance, rsa_key("data").public_key())
    with pytest.raises(UntrustedKey, match="P-256"):
        certs.verify_issued(cert, root(), Role.instance)


def test_instance_key_on_another_curve() -> None:
    cert = build_end_entity(Role.instance, ec_key("p384", ec.SECP384R1).public_key())
    with pytest.raises(UntrustedKey, match="P-256"):
        certs.verify_issued(cert, root(), Role.instance)


def test_1024_bit_rsa() -> None:
    cert = build_end_entity(Role.device, rsa_key("weak", 1024).public_key())
    with pytest.raises(UntrustedKey, match="2048-4096"):
        certs.verify_issued(cert, root(), Role.device)


def test_rsa_exponent_other_than_65537() -> None:
    cert = build_end_entity(Role.data, rsa_key("e3", 2048, 3).public_key())
    with pytest.raises(UntrustedKey, match="e=65537"):
        certs.verify_issued(cert, root(), Role.data)


def test_cn_is_not_the_key_id() -> None:
    cert = build_end_entity(Role.data, cn=key_id(rsa_key("device").public_key()))
    with pytest.raises(UntrustedKey, match="subject"):
        certs.verify_issued(cert, root(), Role.data)


def test_subject_with_another_organisation() -> None:
    key = subject_key(Role.data)
    cert = build_cert(
        key,
        rsa_key("root"),
        subject=name("data", key_id(key), organization="Someone Else"),
        issuer=root().subject,
        extensions=profile_extensions(Role.data, key, root()),
    )
    with pytest.raises(UntrustedKey, match="subject"):
        certs.verify_issued(cert, root(), Role.data)


def test_signed_with_pkcs1v15_instead_of_pss() -> None:
    cert = build_end_entity(Role.data, rsa_padding=padding.PKCS1v15())
    assert cert.signature_algorithm_oid == SignatureAlgorithmOID.RSA_WITH_SHA256
    with pytest.raises(UntrustedKey, match="not signed with rsa-pss-sha256"):
        certs.verify_issued(cert, root(), Role.data)


def test_signed_with_pss_of_another_salt_length() -> None:
    other_salt = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=20)
    cert = build_end_entity(Role.data, rsa_padding=other_salt)
    with pytest.raises(UntrustedKey, match="salt"):
        certs.verify_issued(cert, root(), Role.data)


def test_unknown_extension_is_refused() -> None:
    san = x509.SubjectAlternativeName([x509.DNSName("camera.example")])
    cert = build_end_entity(Role.device, edit=lambda extensions: [*extensions, (san, False)])
    with pytest.raises(UntrustedKey, match="extensions"):
        certs.verify_issued(cert, root(), Role.device)


def test_authority_key_identifier_must_name_the_root() -> None:
    other = x509.AuthorityKeyIdentifier(
        key_identifier=bytes(20), authority_cert_issuer=None, authority_cert_serial_number=None
    )
    cert = build_end_entity(
        Role.data, edit=replacing(ExtensionOID.AUTHORITY_KEY_IDENTIFIER, other, False)
    )
    with pytest.raises(UntrustedKey, match="authorityKeyIdentifier"):
        certs.verify_issued(cert, root(), Role.data)


def test_verify_issued_refuses_a_broken_pinned_root() -> None:
    cert = certs.issue(root(), rsa_key("root"), subject_key(Role.data), Role.data)
    with pytest.raises(UntrustedKey):
        certs.verify_issued(cert, cert, Role.data)
    with pytest.raises(ValueError):
        certs.verify_issued(root(), root(), Role.root)


# --- refusals of roots --------------------------------------------------------------------------


def build_root(
    key: rsa.RSAPrivateKey | None = None,
    *,
    cn: str | None = None,
    issuer: x509.Name | None = None,
    signing_key: rsa.RSAPrivateKey | None = None,
    edit: ExtensionEdit = lambda extensions: extensions,
    rsa_padding: padding.PSS | padding.PKCS1v15 | None = None,
) -> x509.Certificate:
    key = key or rsa_key("root")
    subject = name("root", cn or key_id(key.public_key()))
    return build_cert(
        key.public_key(),
        signing_key or key,
        subject=subject,
        issuer=issuer or subject,
        extensions=edit(profile_extensions(Role.root, key.public_key(), None)),
        rsa_padding=rsa_padding,
    )


def test_hand_built_root_verifies() -> None:
    assert key_id(certs.verify_root(build_root())) == key_id(rsa_key("root").public_key())


def test_root_not_self_signed() -> None:
    with pytest.raises(UntrustedKey, match="signature"):
        certs.verify_root(build_root(signing_key=rsa_key("other-root")))


def test_root_issued_by_someone_else() -> None:
    issuer = name("root", key_id(rsa_key("other-root").public_key()))
    with pytest.raises(UntrustedKey, match="self-signed"):
        certs.verify_root(build_root(issuer=issuer, signing_key=rsa_key("other-root")))


def test_root_cn_is_not_its_key_id() -> None:
    with pytest.raises(UntrustedKey, match="subject"):
        certs.verify_root(build_root(cn=key_id(rsa_key("other-root").public_key())))


def test_root_without_ca() -> None:
    edit = replacing(
        ExtensionOID.BASIC_CONSTRAINTS, x509.BasicConstraints(ca=False, path_length=None), True
    )
    with pytest.raises(UntrustedKey, match="basicConstraints"):
        certs.verify_root(build_root(edit=edit))


def test_root_with_wrong_key_usage() -> None:
    edit = replacing(ExtensionOID.KEY_USAGE, certs.KEY_USAGE[Role.device], True)
    with pytest.raises(UntrustedKey, match="keyUsage"):
        certs.verify_root(build_root(edit=edit))


def test_root_signed_with_pkcs1v15() -> None:
    with pytest.raises(UntrustedKey, match="not signed with rsa-pss-sha256"):
        certs.verify_root(build_root(rsa_padding=padding.PKCS1v15()))


def test_root_with_weak_key() -> None:
    with pytest.raises(UntrustedKey, match="2048-4096"):
        certs.verify_root(build_root(rsa_key("weak", 1024)))


def test_end_entity_is_not_a_root() -> None:
    cert = certs.issue(root(), rsa_key("root"), subject_key(Role.device), Role.device)
    with pytest.raises(UntrustedKey):
        certs.verify_root(cert)


# --- one certificate, one encoding -------------------------------------------------------------

OID_PSS = bytes.fromhex("06092a864886f70d01010a")
OID_SHA256 = bytes.fromhex("0609608648016503040201")
OID_MGF1 = bytes.fromhex("06092a864886f70d010108")


def tlv(tag: int, content: bytes) -> bytes:
    length = len(content)
    if length < 0x80:
        return bytes([tag, length]) + content
    size = (length.bit_length() + 7) // 8
    return bytes([tag, 0x80 | size]) + length.to_bytes(size, "big") + content


def pss_algorithm(*, with_nulls: bool) -> bytes:
    sha256 = tlv(0x30, OID_SHA256 + (b"\x05\x00" if with_nulls else b""))
    params = (
        tlv(0xA0, sha256) + tlv(0xA1, tlv(0x30, OID_MGF1 + sha256)) + tlv(0xA2, b"\x02\x01\x20")
    )
    return tlv(0x30, OID_PSS + tlv(0x30, params))


def reassemble(cert: x509.Certificate, algorithm: bytes, unused_bits: int = 0) -> bytes:
    bits = tlv(0x03, bytes([unused_bits]) + cert.signature)
    return tlv(0x30, cert.tbs_certificate_bytes + algorithm + bits)


def test_reassembly_reproduces_the_issued_encoding() -> None:
    cert = certs.issue(root(), rsa_key("root"), subject_key(Role.data), Role.data)
    assert reassemble(cert, pss_algorithm(with_nulls=True)) == certs.cert_der(cert)


def test_declared_algorithm_must_equal_the_signed_one() -> None:
    # Same parameters spelled without the NULLs: the signature still verifies, but the outer
    # (unsigned) AlgorithmIdentifier differs from the one inside the signed tbsCertificate.
    cert = certs.issue(root(), rsa_key("root"), subject_key(Role.data), Role.data)
    respelled = certs.load_cert(reassemble(cert, pss_algorithm(with_nulls=False)))
    with pytest.raises(UntrustedKey, match="algorithms differ"):
        certs.verify_issued(respelled, root(), Role.data)


def test_signature_bit_string_must_have_no_unused_bits() -> None:
    for _ in range(64):
        cert = certs.issue(root(), rsa_key("root"), subject_key(Role.data), Role.data)
        if cert.signature[-1] & 1 == 0:
            break
    padded = certs.load_cert(reassemble(cert, pss_algorithm(with_nulls=True), unused_bits=1))
    with pytest.raises(UntrustedKey, match="signature encoding"):
        certs.verify_issued(padded, root(), Role.data)


# --- DER ----------------------------------------------------------------------------------------


def test_load_cert_round_trip_and_junk() -> None:
    der = certs.cert_der(root())
    assert der == root().public_bytes(Encoding.DER)
    assert certs.load_cert(der) == root()
    with pytest.raises(MalformedObject):
        certs.load_cert(b"not a certificate")
    with pytest.raises(MalformedObject):
        certs.load_cert(b"")
    with pytest.raises(MalformedObject):
        certs.load_cert(der + b"\x00")
    with pytest.raises(MalformedObject):
        certs.load_cert(der[:-1])
    with pytest.raises(MalformedObject):
        certs.load_cert(bytes(certs.MAX_CERT_BYTES + 1))


# --- certificate signing requests ---------------------------------------------------------------


def test_csr_round_trip() -> None:
    der = certs.make_csr(rsa_key("device"))
    csr = x509.load_der_x509_csr(der)
    assert csr.signature_algorithm_oid == SignatureAlgorithmOID.RSASSA_PSS
    assert key_id(certs.verify_csr(der)) == key_id(rsa_key("device").public_key())


def _csr(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, **sign: object) -> bytes:
    builder = x509.CertificateSigningRequestBuilder().subject_name(x509.Name([]))
    return builder.sign(key, hashes.SHA256(), **sign).public_bytes(Encoding.DER)  # type: ignore[arg-type]


def test_csr_refusals() -> None:
    with pytest.raises(MalformedObject):
        certs.verify_csr(b"junk")
    with pytest.raises(UntrustedKey, match="rsa-pss-sha256"):
        certs.verify_csr(_csr(rsa_key("device"), rsa_padding=padding.PKCS1v15()))
    with pytest.raises(UntrustedKey):
        certs.verify_csr(_csr(ec_key("instance")))
    with pytest.raises(UntrustedKey, match="2048-4096"):
        certs.verify_csr(_csr(rsa_key("weak", 1024), rsa_padding=primitives.pss_padding()))


def test_csr_with_a_forged_signature() -> None:
    der = bytearray(certs.make_csr(rsa_key("device")))
    der[-1] ^= 0x01  # the signature BIT STRING ends the DER
    with pytest.raises(UntrustedKey, match="signature"):
        certs.verify_csr(bytes(der))


@given(st.binary(max_size=2048))
def test_arbitrary_bytes_never_load_as_a_certificate_or_csr(junk: bytes) -> None:
    with pytest.raises(MalformedObject):
        certs.load_cert(junk)
    with pytest.raises(MalformedObject):
        certs.verify_csr(junk)


@given(st.integers(min_value=0, max_value=2000), st.integers(min_value=1, max_value=255))
def test_any_flipped_byte_of_an_issued_certificate_is_refused(index: int, mask: int) -> None:
    der = bytearray(certs.cert_der(certs_for_fuzzing()))
    der[index % len(der)] ^= mask
    with pytest.raises((MalformedObject, UntrustedKey)):
        certs.verify_issued(certs.load_cert(bytes(der)), root(), Role.device)


@cache
def certs_for_fuzzing() -> x509.Certificate:
    return certs.issue(root(), rsa_key("root"), subject_key(Role.device), Role.device)
