"""A malicious store lies to an endpoint (the Python endpoint role, v2): each lie is refused.

The store double is the account document HA serves: these scenarios hand the owner's
endpoint an altered one, as HA's websocket would, and check the named refusal and that
nothing the lie aimed at (a readmitted browser, a passphrase back-off) happens. Threat model
A2; issue 10 "Why" 1-4; protocol sections 6.3-6.5, 8.4 and 11.
"""

from __future__ import annotations

import dataclasses
import time

import pytest

from e2ee_nvr_protocol import endpoint_v2, pairing, primitives
from e2ee_nvr_protocol.account_v2 import InstanceEntryV2
from e2ee_nvr_protocol.encoding import dumps, loads
from e2ee_nvr_protocol.envelope import MacedEnvelope, SignedEnvelope
from e2ee_nvr_protocol.errors import (
    BackupMismatch,
    NotEnrolled,
    PairingMacMismatch,
    RolledBack,
    WrongPassphrase,
)
from e2ee_nvr_protocol.passphrase import generate_passphrase
from e2ee_nvr_protocol.recipients import verify_recipient_set
from tests.security.trust_world import TrustWorld, build_world, resign


@pytest.fixture(scope="module")
def world() -> TrustWorld:
    """Owner and laptop enrolled (epoch 2), then the laptop revoked (epoch 3)."""
    built = build_world()
    built.revoke_laptop()
    return built


def test_older_set_from_the_store_is_refused(world: TrustWorld) -> None:
    """HA serves the pre-revocation set (laptop included) to the owner's endpoint: RolledBack."""
    replayed = dataclasses.replace(world.document, recipient_set=_epoch_2_set(world))
    with pytest.raises(RolledBack):
        world.owner.admit(replayed.recipient_set)


def test_same_epoch_fork_from_the_store_is_refused(world: TrustWorld) -> None:
    held = world.held
    fork = resign(held, world.signing, prev_sha256=held.recipient_set.prev_sha256)
    with pytest.raises(RolledBack):
        world.owner.admit(fork)


def test_revoked_browser_planted_in_instances_is_not_readmitted(world: TrustWorld) -> None:
    """HA lists the revoked laptop in the document's `instances`; the owner's next enrol builds
    the set from the verified one, so the laptop stays out (issue 10 "Why" 1)."""
    planted = InstanceEntryV2(world.laptop.instance_key_id, _laptop_cert(world), ())
    poisoned = dataclasses.replace(world.document, instances=(*world.document.instances, planted))
    document, owner, _tablet = endpoint_v2.enrol(poisoned, world.owner, world.passphrase)
    assert world.laptop.instance_key_id not in owner.held.instance_key_ids
    assert world.laptop.instance_key_id in owner.held.revoked
    assert world.laptop.instance_key_id not in {i.key_id for i in document.instances}


def test_grant_with_an_old_set_is_refused(world: TrustWorld) -> None:
    """HA pairs a new camera to the set that still holds the laptop: RolledBack."""
    old = dataclasses.replace(world.document, recipient_set=_epoch_2_set(world))
    with pytest.raises(RolledBack):
        world.owner.grant_set(old)


def test_grant_by_a_revoked_browser_is_refused(world: TrustWorld) -> None:
    """The revoked laptop (through a session it kept) tries to grant a pairing: NotEnrolled."""
    with pytest.raises(NotEnrolled):
        world.laptop.grant_set(world.document)


def test_swapped_backups_are_backup_mismatch_not_wrong_passphrase(world: TrustWorld) -> None:
    """HA swaps the signing and recovery backups: BackupMismatch, which spends no back-off."""
    swapped = dataclasses.replace(
        world.document,
        signing_backup=world.document.recovery_backup,
        recovery_backup=world.document.signing_backup,
    )
    with pytest.raises(BackupMismatch):
        endpoint_v2.unlock(swapped, world.passphrase)
    with pytest.raises(WrongPassphrase):  # control: only a wrong passphrase says so
        endpoint_v2.unlock(world.document, generate_passphrase())


def test_data_backup_of_another_generation_is_refused(world: TrustWorld) -> None:
    """HA serves generation 1's backup in generation 2's slot: BackupMismatch."""
    first, second = world.document.data_keys[:2]
    moved = dataclasses.replace(second, backup=first.backup)
    swapped = dataclasses.replace(world.document, data_keys=(first, moved))
    with pytest.raises(BackupMismatch):
        endpoint_v2.unlock(swapped, world.passphrase)


def test_pairing_request_with_a_swapped_device_key_is_refused(world: TrustWorld) -> None:
    """HA relays the agent's request with its own CSR in it: the panel's MAC check refuses."""
    code = pairing.new_pairing_code()
    now = int(time.time())
    request, _opened = pairing.make_pairing_request(
        code, primitives.rsa_generate(), "box", [pairing.PairingCamera("front", "Front")], now
    )
    _other, _ = pairing.make_pairing_request(
        code, primitives.rsa_generate(), "box", [pairing.PairingCamera("front", "Front")], now
    )
    payload = loads(request.payload)
    payload["csr"] = loads(_other.payload)["csr"]
    swapped = MacedEnvelope(payload=dumps(payload), mac=request.mac)
    with pytest.raises(PairingMacMismatch):
        pairing.open_pairing_request(swapped, code, now)


def _epoch_2_set(world: TrustWorld) -> SignedEnvelope:
    """The genuine epoch-2 set, kept by the store from before the revocation."""
    return world.epoch_2_set


def _laptop_cert(world: TrustWorld) -> bytes:
    verified = verify_recipient_set(
        world.epoch_2_set, world.owner.root_cert, pinned_data_key_id=None
    )
    return next(
        r.cert_der
        for r in verified.recipient_set.recipients
        if r.key_id == world.laptop.instance_key_id
    )
