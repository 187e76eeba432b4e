"""The faults' verdict: every clip the agent sealed is stored exactly once, whole and playable.

"Sealed" comes from the agent's own log (`clip <id> (<camera>) sealed`), "stored" from the
store's commit list; each stored clip is verified, decrypted by the owner's endpoint and read
by ffprobe, which must accept it as an MP4 starting on a keyframe.
"""

from __future__ import annotations

from e2ee_nvr_protocol import endpoint_v2
from e2ee_nvr_protocol.clip import decrypt_blob
from e2ee_nvr_protocol.stream_format import ContentKind
from tests.agent.ffprobe import ffprobe
from tests.agent.run_rig import wait_for
from tests.security.agent_stack import AgentStack
from tests.security.scenario_steps import stored_manifest, stored_objects


def all_sealed_stored(stack: AgentStack) -> list[str]:
    """Wait until every clip sealed so far is committed; return the sealed ids."""
    sealed = list(stack.agent.sealed())

    def stored() -> bool:
        return set(sealed) <= set(stack.committed_ids())

    wait_for(stored, f"the {len(sealed)} sealed clips to be stored", explain=stack.agent.tail)
    return sealed


def assert_nothing_lost_duplicated_or_corrupt(stack: AgentStack, at_least: int) -> None:
    sealed = all_sealed_stored(stack)
    commits = stack.committed_ids()
    assert len(commits) == len(set(commits)), "a clip was stored twice"
    assert len(sealed) >= at_least, f"only {len(sealed)} clips sealed"
    assert set(commits) <= set(sealed), "the store holds a clip the agent never sealed"
    for clip_id in commits:
        manifest = stored_manifest(stack, clip_id)
        clip_key = endpoint_v2.open_clip(stack.world.document, stack.world.owner, manifest)
        video = decrypt_blob(
            manifest, clip_key, ContentKind.VIDEO, stored_objects(stack, clip_id)["video"]
        )
        probe = ffprobe(video)
        assert probe.starts_with_keyframe and probe.video_seconds > 0, clip_id
