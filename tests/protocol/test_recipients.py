"""The signed recipient set (protocol section 6): every rule, each refusal by its named error."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from hypothesis import given
from hypothesis import strategies as st

from e2ee_nvr_protocol import certs, envelope, primitives
from e2ee_nvr_protocol.encoding import b64encode
from e2ee_nvr_protocol.envelope import SignedEnvelope
from e2ee_nvr_protocol.errors import (
    BadSignature,
    MalformedObject,
    MissingDataKey,
    RolledBack,
    UntrustedKey,
)
from e2ee_nvr_protocol.identifiers import key_id
from e2ee_nvr_protocol.recipients import (
    EpochGuard,
    Recipient,
    build_recipient_set,
    check_epoch,
    sign_recipient_set,
    verify_recipient_set,
)
from e2ee_nvr_protocol.wrap import WrapPurpose, unwrap, wrap_context

NOW = 1_764_450_000


@dataclass(frozen=True)
class Account:
    """An account as an endpoint holds it: root, data key, some instance keys."""

    signing_key: rsa.RSAPrivateKey
    root_cert: x509.Certificate
    data_key: rsa.RSAPrivateKey
    data_cert: x509.Certificate
    instance_keys: tuple[ec.EllipticCurvePrivateKey, ...]
    instance_certs: tuple[x509.Certificate, ...]

    @property
    def account_id(self) -> str:
        return key_id(self.signing_key.public_key())

    @property
    def data_key_id(self) -> str:
        return key_id(self.data_key.public_key())

    def recipients(self) -> list[Recipient]:
        entries = [Recipient.from_cert("data", certs.cert_der(self.data_cert))]
        entries += [Recipient.from_cert("instance", certs.cert_der(c)) for c in self.instance_certs]
        return entries

    def other_data_key(self) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
        """A new data key with a valid certificate from this root: not the one pinned."""
        key = primitives.rsa_generate()
        return key, certs.issue(self.root_cert, self.signing_key, key.public_key(), certs.Role.data)

    def signed_set(self, epoch: int = 1, recipients: list[Recipient] | None = None) -> Any:
        chosen = self.recipients() if recipients is None else recipients
        rs = build_recipient_set(self.account_id, epoch, NOW, chosen)
        return sign_recipient_set(rs, self.signing_key)


@cache
def account(index: int) -> Account:
    signing_key = primitives.rsa_generate()
    root = certs.make_root(signing_key)
    data_key = primitives.rsa_generate()
    instance_keys = (primitives.p256_generate(), primitives.p256_generate())
    return Account(
        signing_key=signing_key,
        root_cert=root,
        data_key=data_key,
        data_cert=certs.issue(root, signing_key, data_key.public_key(), certs.Role.data),
        instance_keys=instance_keys,
        instance_certs=tuple(
            certs.issue(root, signing_key, k.public_key(), certs.Role.instance)
            for k in instance_keys
        ),
    )


def sign_raw(payload: dict[str, Any], key: rsa.RSAPrivateKey) -> SignedEnvelope:
    """Sign any payload, bypassing build_recipient_set's checks, as a faulty signer would."""
    return envelope.sign("recipient-set", payload, key)


def good_payload(acct: Account, epoch: int = 1) -> dict[str, Any]:
    rs = build_recipient_set(acct.account_id, epoch, NOW, acct.recipients())
    return rs.to_payload()


def verify(acct: Account, signed: SignedEnvelope, pinned: str | None = "default") -> Any:
    pin = acct.data_key_id if pinned == "default" else pinned
    return verify_recipient_set(signed, acct.root_cert, pinned_data_key_id=pin)


def verify_payload(acct: Account, payload: dict[str, Any]) -> Any:
    """`payload` signed by the account's own key as is, then verified as a device would."""
    return verify(acct, sign_raw(payload, acct.signing_key))


def test_round_trip_and_wrap_to_every_recipient() -> None:
    acct = account(0)
    signed = acct.signed_set(epoch=3)
    parsed = SignedEnvelope.from_json(signed.to_json())
    verified = verify(acct, parsed)
    assert verified.epoch == 3
    assert verified.payload == signed.payload
    assert verified.data_key_id == acct.data_key_id
    ids = [k.key_id for k in verified.keys]
    assert ids == sorted(ids)
    assert len(ids) == 3
    context = wrap_context(WrapPurpose.CLIP_KEY, b"\x01" * 16)
    clip_key = secrets.token_bytes(16)
    wraps = verified.wrap_to_all(clip_key, context)
    holders: list[Any] = [acct.data_key, *acct.instance_keys]
    for holder in holders:
        (mine,) = [w for w in wraps if w.key_id == key_id(holder.public_key())]
        assert unwrap(holder, mine, context, WrapPurpose.CLIP_KEY) == clip_key


def test_payload_shape() -> None:
    acct = account(0)
    payload = envelope.parse_payload("recipient-set", acct.signed_set().payload)
    assert set(payload) == {"v", "type", "account_id", "epoch", "issued_at", "recipients"}
    assert payload["account_id"] == acct.account_id
    assert [r["role"] for r in payload["recipients"]].count("data") == 1


def test_no_pin_still_requires_data_key() -> None:
    acct = account(0)
    assert verify(acct, acct.signed_set(), pinned=None).data_key_id == acct.data_key_id
    payload = good_payload(acct)
    payload["recipients"] = [r for r in payload["recipients"] if r["role"] != "data"]
    with pytest.raises(MissingDataKey):
        verify(acct, sign_raw(payload, acct.signing_key), pinned=None)


def test_recipient_from_another_root_refused() -> None:
    acct, other = account(0), account(1)
    foreign = Recipient.from_cert("instance", certs.cert_der(other.instance_certs[0]))
    signed = acct.signed_set(recipients=[*acct.recipients(), foreign])
    with pytest.raises(UntrustedKey):
        verify(acct, signed)


def test_foreign_data_cert_under_pinned_id_refused() -> None:
    # The other account's data certificate, listed under our pinned data key_id.
    acct, other = account(0), account(1)
    payload = good_payload(acct)
    for entry in payload["recipients"]:
        if entry["role"] == "data":
            entry["cert"] = b64encode(certs.cert_der(other.data_cert))
    with pytest.raises(UntrustedKey):
        verify_payload(acct, payload)


def test_key_id_not_of_its_certificate_refused() -> None:
    acct = account(0)
    payload = good_payload(acct)
    instances = [e for e in payload["recipients"] if e["role"] == "instance"]
    instances[0]["cert"], instances[1]["cert"] = instances[1]["cert"], instances[0]["cert"]
    with pytest.raises(UntrustedKey):
        verify_payload(acct, payload)


def test_certificate_for_another_role_refused() -> None:
    # An instance certificate presented as the data key: section 5's role check refuses it.
    acct = account(0)
    instance_der = certs.cert_der(acct.instance_certs[0])
    as_data = Recipient("data", key_id(acct.instance_keys[0].public_key()), instance_der)
    payload = build_recipient_set(acct.account_id, 1, NOW, [as_data]).to_payload()
    with pytest.raises(UntrustedKey):
        verify(acct, sign_raw(payload, acct.signing_key), pinned=as_data.key_id)


def test_missing_data_key_refused() -> None:
    acct = account(0)
    payload = good_payload(acct)
    payload["recipients"] = [r for r in payload["recipients"] if r["role"] != "data"]
    with pytest.raises(MissingDataKey):
        verify_payload(acct, payload)


def test_different_data_key_than_pinned_refused() -> None:
    acct = account(0)
    _new_data, new_cert = acct.other_data_key()
    swapped = [r for r in acct.recipients() if r.role != "data"]
    swapped.append(Recipient.from_cert("data", certs.cert_der(new_cert)))
    # Properly signed by the account, chained to the root, but not the data key pinned.
    with pytest.raises(MissingDataKey):
        verify(acct, acct.signed_set(recipients=swapped))


def test_signed_by_another_account_refused() -> None:
    acct, other = account(0), account(1)
    # The other account's own, valid set, shown to a device pinned to acct.
    with pytest.raises(BadSignature):
        verify(acct, other.signed_set())
    # Our payload signed by the other key, with the signer relabelled as ours.
    forged = sign_raw(good_payload(acct), other.signing_key)
    with pytest.raises(BadSignature):
        verify(acct, replace(forged, signer=acct.account_id))


def test_account_id_differs_from_root_refused() -> None:
    acct, other = account(0), account(1)
    payload = good_payload(acct)
    payload["account_id"] = other.account_id
    with pytest.raises(BadSignature):
        verify_payload(acct, payload)


def test_signature_for_another_label_refused() -> None:
    acct = account(0)
    raw = acct.signed_set().payload
    signature = primitives.rsa_pss_sign(acct.signing_key, b"e2ee-nvr/v1/clip-manifest\x00" + raw)
    with pytest.raises(BadSignature):
        verify(acct, SignedEnvelope(raw, signature, acct.account_id))


@given(data=st.data())
def test_any_payload_byte_change_refused(data: st.DataObject) -> None:
    acct = account(0)
    signed = acct.signed_set()
    index = data.draw(st.integers(0, len(signed.payload) - 1))
    delta = data.draw(st.integers(1, 255))
    tampered = bytearray(signed.payload)
    tampered[index] ^= delta
    with pytest.raises(BadSignature):
        verify(acct, replace(signed, payload=bytes(tampered)))


@pytest.mark.parametrize(
    "mutate",
    [
        lambda p: p["recipients"].reverse(),
        lambda p: p["recipients"].append(dict(p["recipients"][-1])),
        lambda p: p.update(extra=1),
        lambda p: p["recipients"][0].update(extra=1),
        lambda p: p["recipients"][0].update(role="recovery"),
        lambda p: p.update(epoch=0),
        lambda p: p.update(epoch="2"),
        lambda p: p.pop("issued_at"),
        lambda p: p.update(recipients=p["recipients"] * 22),
    ],
)
def test_malformed_payload_refused(mutate: Any) -> None:
    acct = account(0)
    payload = good_payload(acct)
    mutate(payload)
    with pytest.raises(MalformedObject):
        verify_payload(acct, payload)


def test_two_data_entries_refused() -> None:
    acct = account(0)
    other_data, cert = acct.other_data_key()
    payload = good_payload(acct)
    payload["recipients"].append(
        {
            "role": "data",
            "key_id": key_id(other_data.public_key()),
            "cert": b64encode(certs.cert_der(cert)),
        }
    )
    payload["recipients"].sort(key=lambda r: r["key_id"])
    with pytest.raises(MalformedObject):
        verify_payload(acct, payload)


def test_build_refuses_bad_sets() -> None:
    acct = account(0)
    recipients = acct.recipients()
    with pytest.raises(MissingDataKey):
        build_recipient_set(acct.account_id, 1, NOW, recipients[1:])
    with pytest.raises(MalformedObject):
        build_recipient_set(acct.account_id, 1, NOW, [*recipients, recipients[0]])
    with pytest.raises(ValueError, match="epoch"):
        build_recipient_set(acct.account_id, 0, NOW, recipients)
    with pytest.raises(ValueError, match="signing key"):
        sign_recipient_set(
            build_recipient_set(acct.account_id, 1, NOW, recipients), account(1).signing_key
        )


def test_epoch_rules() -> None:
    acct = account(0)
    epoch5 = verify(acct, acct.signed_set(epoch=5))
    assert check_epoch(epoch5, None, None) is True
    assert check_epoch(epoch5, 4, b"older") is True
    # The very same set again is fine (a retry), and does not advance.
    assert check_epoch(epoch5, 5, epoch5.payload) is False
    with pytest.raises(RolledBack):
        check_epoch(epoch5, 6, b"newer")
    # Same epoch, other content: a store showing two devices two sets under one epoch.
    fewer = [r for r in acct.recipients() if r.key_id != key_id(acct.instance_keys[0].public_key())]
    other5 = verify(acct, acct.signed_set(epoch=5, recipients=fewer))
    with pytest.raises(RolledBack):
        check_epoch(other5, 5, epoch5.payload)
    with pytest.raises(RolledBack):
        check_epoch(epoch5, 5, None)


def test_epoch_guard_refuses_replayed_older_set() -> None:
    # Revocation: epoch 2 drops an instance; replaying epoch 1 must not bring it back.
    acct = account(0)
    with_both = verify(acct, acct.signed_set(epoch=1))
    revoked = [
        r for r in acct.recipients() if r.key_id != key_id(acct.instance_keys[1].public_key())
    ]
    without = verify(acct, acct.signed_set(epoch=2, recipients=revoked))
    guard = EpochGuard().admit(with_both).admit(without)
    assert guard.highest_epoch == 2
    assert guard.highest_payload == without.payload
    with pytest.raises(RolledBack):
        guard.admit(with_both)
    assert guard.admit(without) is guard
