"""Certificates built by hand, bypassing certs.issue: the profile's parts for a test to change.

The certificate tests and the vector generator both need certificates that break exactly one
rule of section 5 (a flag not critical, an extension missing, PKCS#1 v1.5 instead of PSS), so
they assemble the profile themselves here instead of asking the code under test for it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from e2ee_nvr_protocol import certs, primitives

Extension = tuple[x509.ExtensionType, bool]
ExtensionEdit = Callable[[list[Extension]], list[Extension]]


def name(ou: str, cn: str, organization: str = certs.ORGANIZATION) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def profile_extensions(
    role: certs.Role, public_key: certs.CertifiedKey, issuer: x509.Certificate | None
) -> list[Extension]:
    """The extensions the profile prescribes for `role` (issuer None: the root's own)."""
    is_root = role is certs.Role.root
    extensions: list[Extension] = [
        (x509.BasicConstraints(ca=is_root, path_length=0 if is_root else None), True),
        (certs.KEY_USAGE[role], True),
        (x509.SubjectKeyIdentifier.from_public_key(public_key), False),
    ]
    if issuer is not None:
        ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)
        extensions.append((aki, False))
    return extensions


def build_cert(
    public_key: certs.CertifiedKey,
    signing_key: rsa.RSAPrivateKey,
    *,
    subject: x509.Name,
    issuer: x509.Name,
    extensions: Sequence[Extension],
    rsa_padding: padding.PSS | padding.PKCS1v15 | None = None,
    serial_number: int | None = None,
    not_before: datetime.datetime | None = None,
) -> x509.Certificate:
    """A certificate from exactly these parts, signed with RSA-PSS unless `rsa_padding` says
    otherwise; a random serial and a start five minutes ago (as certs.issue) unless given."""
    if not_before is None:
        not_before = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number() if serial_number is None else serial_number)
        .not_valid_before(not_before)
        .not_valid_after(certs.NOT_AFTER)
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    chosen = primitives.pss_padding() if rsa_padding is None else rsa_padding
    return builder.sign(signing_key, hashes.SHA256(), rsa_padding=chosen)


def replacing(
    oid: x509.ObjectIdentifier, extension: x509.ExtensionType | None, critical: bool = True
) -> ExtensionEdit:
    """Replace the extension with this oid, in its place (None: drop it)."""

    def edit(extensions: list[Extension]) -> list[Extension]:
        result: list[Extension] = []
        for current, current_critical in extensions:
            if current.oid != oid:
                result.append((current, current_critical))
            elif extension is not None:
                result.append((extension, critical))
        return result

    return edit
