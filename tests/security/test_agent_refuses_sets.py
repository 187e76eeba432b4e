"""A malicious HA serves the real agent recipient sets: every forgery is refused by name.

Run through `python -m camera_agent run` behind the tampering proxy (tests/security/
agent_stack.py). Each attack restarts the agent (it fetches the set at start) with the proxy
answering GET /trust with the forgery, then reads the refusal from the agent's own log and
checks that no clip ever went to a key outside the genuine sets. The scenarios run in order
and share one account: the owner revokes the laptop half way, as a user would.
Threat model A2 and issue 10 "Why" 1-4; protocol sections 6.1-6.5 and 10.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from camera_agent.state import AgentState
from devstack.rtsp_camera import MARKER
from e2ee_nvr_protocol import endpoint_v2, primitives
from e2ee_nvr_protocol.clip import decrypt_blob, open_clip_key
from e2ee_nvr_protocol.errors import NoRecipientKey, RevocationWithheld, UnwrapFailed
from e2ee_nvr_protocol.recipients import VerifiedRecipientSet
from e2ee_nvr_protocol.stream_format import ContentKind
from e2ee_nvr_protocol.withholding import check_delivery
from e2ee_nvr_protocol.wrap import WrapPurpose, data_rdk_context, unwrap
from tests.agent.run_rig import wait_for
from tests.security.agent_stack import AgentStack
from tests.security.scenario_steps import (
    log_after,
    new_clips,
    refusal_after,
    restart_agent,
    serve_set,
    stored_manifest,
    stored_objects,
    wrapped_ids,
)
from tests.security.trust_world import attacker_instance, resign

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def story() -> dict[str, Any]:
    """What earlier scenarios leave for later ones (the genuine sets, the laptop's loot)."""
    return {"genuine": []}


@pytest.fixture(autouse=True)
def honest_proxy(stack: AgentStack) -> Iterator[None]:
    yield
    stack.clear_rules()


def _agent_epoch(stack: AgentStack) -> int:
    trust = AgentState(stack.root / "state").load_trust()
    assert trust is not None
    return trust.current_set().epoch


def _no_clip_outside(stack: AgentStack, genuine: list[VerifiedRecipientSet]) -> None:
    """Every clip the agent ever committed went only to keys of a genuinely signed set."""
    allowed = {k.key_id for s in genuine for k in s.keys}
    for clip_id in stack.committed_ids():
        manifest = stored_manifest(stack, clip_id)
        assert wrapped_ids(manifest) <= allowed, clip_id


def _attack(stack: AgentStack, story: dict[str, Any], forged: Any, expected: str) -> None:
    held_epoch = _agent_epoch(stack)
    serve_set(stack, forged)
    before = restart_agent(stack)
    assert refusal_after(stack, before) == expected
    assert _agent_epoch(stack) == held_epoch  # nothing persisted: the epoch did not move
    _no_clip_outside(stack, story["genuine"])


def test_honest_store_gets_clips_only_the_signed_set_opens(
    stack: AgentStack, story: dict[str, Any]
) -> None:
    """Control: without tampering the agent records to the owner's set and the owner plays it."""
    story["genuine"].append(stack.world.held)
    restart_agent(stack)
    clip_id = new_clips(stack, [])[0]
    manifest = stored_manifest(stack, clip_id)
    assert wrapped_ids(manifest) == {k.key_id for k in stack.world.held.keys}
    clip_key = endpoint_v2.open_clip(stack.world.document, stack.world.owner, manifest)
    video = decrypt_blob(
        manifest, clip_key, ContentKind.VIDEO, stored_objects(stack, clip_id)["video"]
    )
    assert MARKER in video and video[4:8] == b"ftyp"


def test_set_signed_by_another_key_is_refused(stack: AgentStack, story: dict[str, Any]) -> None:
    """HA swaps in an eavesdropper's set signed by a key of its own: BadSignature."""
    forged = resign(
        stack.world.held, primitives.rsa_generate(), epoch=stack.world.held.epoch + 1,
        add=(attacker_instance(stack.world),),
    )  # fmt: skip
    _attack(stack, story, forged, "BadSignature")


def test_eavesdropper_key_not_from_the_pinned_root_is_refused(
    stack: AgentStack, story: dict[str, Any]
) -> None:
    """A genuinely signed set (a tricked endpoint) listing a key from another root: UntrustedKey."""
    forged = resign(
        stack.world.held, stack.world.signing, epoch=stack.world.held.epoch + 1,
        add=(attacker_instance(stack.world),),
    )  # fmt: skip
    _attack(stack, story, forged, "UntrustedKey")


def test_set_without_the_data_key_is_refused(stack: AgentStack, story: dict[str, Any]) -> None:
    """Cutting the owner's recovery path off new clips: MissingDataKey."""
    forged = resign(
        stack.world.held, stack.world.signing, epoch=stack.world.held.epoch + 1,
        drop_roles=("data",),
    )  # fmt: skip
    _attack(stack, story, forged, "MissingDataKey")


def test_withheld_revocation_shows_on_the_clip(stack: AgentStack, story: dict[str, Any]) -> None:
    """The owner revokes the laptop; HA keeps the new set from the agent. The agent's signed
    manifest shows the old epoch and the laptop's key: the endpoint raises RevocationWithheld."""
    world = stack.world
    story["old_set"] = world.held
    entry = world.document.instance(world.laptop.instance_key_id)
    assert entry is not None
    # The thief copies out everything the laptop can reach before the revocation.
    rdks = [
        unwrap(world.laptop.instance_key, w, data_rdk_context(world.document.account_id, g),
               WrapPurpose.DATA_RDK)
        for g, w in enumerate(entry.rdk_wrapped, start=1)
    ]  # fmt: skip
    story["loot"] = [world.laptop.instance_key] + [
        endpoint_v2.open_data_key(world.document, g, rdk)
        for g, rdk in zip(world.document.data_keys, rdks, strict=True)
    ]
    world.revoke_laptop(signed_ago_seconds=20 * 60)
    story["genuine"].append(world.held)
    before_ids = stack.committed_ids()
    restart_agent(stack)  # the store still serves the old set: nothing tells the agent
    manifest = stored_manifest(stack, new_clips(stack, before_ids)[0])
    assert manifest.recipient_epoch == story["old_set"].epoch
    with pytest.raises(RevocationWithheld, match=world.laptop.instance_key_id):
        check_delivery(world.held, manifest)


def test_delivered_revocation_leaves_the_revoked_laptop_nothing(
    stack: AgentStack, story: dict[str, Any]
) -> None:
    """HA delivers the revocation: the next clip opens with none of the laptop's copied keys."""
    world = stack.world
    stack.services.call(
        lambda: setattr(stack.store.store, "recipient_set", world.document.recipient_set)
    )
    before_ids = stack.committed_ids()
    before = restart_agent(stack)
    log_after(stack, before, rf"recipient set epoch {world.held.epoch} accepted")
    # A clip begun before the set arrived rightly went to the old epoch; wait for one after.
    manifest = wait_for(
        lambda: next(
            (m for c in stack.committed_ids() if c not in before_ids
             if (m := stored_manifest(stack, c)).recipient_epoch == world.held.epoch),
            None,
        ),
        "a clip recorded to the new epoch",
        explain=stack.agent.tail,
    )  # fmt: skip
    check_delivery(world.held, manifest)  # in order: no warning
    for key in story["loot"]:
        with pytest.raises((NoRecipientKey, UnwrapFailed)):
            open_clip_key(manifest, [key])
    assert endpoint_v2.open_clip(world.document, world.owner, manifest)


def test_replayed_old_set_is_refused(stack: AgentStack, story: dict[str, Any]) -> None:
    """HA replays the genuine pre-revocation set (laptop included): RolledBack."""
    _attack(stack, story, story["old_set"].envelope, "RolledBack")


def test_same_epoch_equivocation_is_refused(stack: AgentStack, story: dict[str, Any]) -> None:
    """A second, different set under the held epoch (two endpoints made to sign): RolledBack."""
    held = stack.world.held
    forged = resign(held, stack.world.signing, prev_sha256=held.recipient_set.prev_sha256)
    _attack(stack, story, forged, "RolledBack")


def test_readmitting_the_revoked_laptop_is_refused(
    stack: AgentStack, story: dict[str, Any]
) -> None:
    """A v1-era thief with the signing key signs a set that lists the laptop again: Readmitted."""
    laptop = next(
        r for r in story["old_set"].recipient_set.recipients
        if r.key_id == stack.world.laptop.instance_key_id
    )  # fmt: skip
    forged = resign(
        stack.world.held, stack.world.signing, epoch=stack.world.held.epoch + 1, add=(laptop,)
    )
    _attack(stack, story, forged, "Readmitted")


def test_dropping_a_key_from_the_revoked_list_is_refused(
    stack: AgentStack, story: dict[str, Any]
) -> None:
    """The next set forgets the laptop was revoked (to re-add it later): Readmitted."""
    forged = resign(
        stack.world.held, stack.world.signing, epoch=stack.world.held.epoch + 1, revoked=()
    )
    _attack(stack, story, forged, "Readmitted")


def test_set_from_another_history_is_refused(stack: AgentStack, story: dict[str, Any]) -> None:
    """The next epoch chained to a predecessor the agent never held (a fork): RolledBack."""
    forged = resign(
        stack.world.held, stack.world.signing, epoch=stack.world.held.epoch + 1,
        prev_sha256=bytes(32),
    )  # fmt: skip
    _attack(stack, story, forged, "RolledBack")
