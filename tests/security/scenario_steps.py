"""Steps the agent scenarios share: (re)start the agent, wait for a refusal or a clip, open it."""

from __future__ import annotations

import re
from collections.abc import Callable

from e2ee_nvr_protocol import certs, endpoint_v2
from e2ee_nvr_protocol.clip import verify_clip_manifest
from e2ee_nvr_protocol.envelope import SignedEnvelope
from e2ee_nvr_protocol.manifest import ClipManifest
from tests.agent.run_rig import wait_for
from tests.security.agent_stack import AgentStack
from tests.security.tampering_proxy import Tamper
from tests.security.trust_world import trust_answer

REFUSAL = re.compile(r"RECORDING STOPPED: Home Assistant sent a recipient set this agent must "
                     r"refuse \((\w+):")  # fmt: skip
TRUST_PATH = r"GET /api/e2ee_nvr/agent/trust"
VIDEO_UPLOAD_PATH = r"PUT /api/e2ee_nvr/agent/clips/[0-9a-f]+/video"


def restart_agent(stack: AgentStack) -> int:
    """Stop the agent if it runs, start it again; return how many log lines came before."""
    if stack.agent.running():
        stack.agent.stop()
    before = len(stack.agent.messages()) if stack.agent.log_path.exists() else 0
    stack.agent.start()
    return before


def restart_inside_a_slow_upload(stack: AgentStack) -> None:
    """Slow every video upload to a piece a second, restart the agent and return once one
    is under way: a fault injected now lands inside an upload."""
    slow = Tamper(VIDEO_UPLOAD_PATH, seconds_per_piece=1.0)
    stack.add_rule(slow)
    restart_agent(stack)
    wait_for(lambda: slow.hits >= 1, "a slowed video upload to start", explain=stack.agent.tail)


def serve_set(stack: AgentStack, signed: SignedEnvelope) -> Tamper:
    """From now on the malicious HA answers GET /trust with `signed`."""
    body = trust_answer(signed, stack.world)
    rule = Tamper(TRUST_PATH, answer=lambda _honest: body)
    stack.add_rule(rule)
    return rule


def refusal_after(stack: AgentStack, line_index: int) -> str:
    """The named error of the first refusal the agent logged after `line_index`."""

    def refused() -> str | None:
        for message in stack.agent.messages()[line_index:]:
            match = REFUSAL.match(message)
            if match:
                return match.group(1)
        return None

    return wait_for(refused, "the agent's refusal of the served set", explain=stack.agent.tail)


def log_after(stack: AgentStack, line_index: int, pattern: str) -> str:
    def found() -> str | None:
        return next((m for m in stack.agent.messages()[line_index:] if re.search(pattern, m)), None)

    return wait_for(found, f"the agent to log {pattern!r}", explain=stack.agent.tail)


def new_clips(stack: AgentStack, after: list[str], count: int = 1) -> list[str]:
    def fresh() -> list[str] | None:
        ids = [c for c in stack.committed_ids() if c not in after]
        return ids if len(ids) >= count else None

    return wait_for(fresh, f"{count} new committed clip(s)", explain=stack.agent.tail)


def stored_manifest(stack: AgentStack, clip_id: str) -> ClipManifest:
    """The clip's manifest as the owner's endpoint verifies it (device cert from the trust)."""
    envelope = stack.services.call(lambda: stack.store.store.clips[clip_id].manifest_envelope)
    device_cert = certs.load_cert(stack.world.trust.device_cert_der)
    return verify_clip_manifest(envelope, device_cert, stack.world.owner.root_cert)


def stored_objects(stack: AgentStack, clip_id: str) -> dict[str, bytes]:
    return stack.services.call(lambda: dict(stack.store.store.clips[clip_id].objects))


def stored_envelope(stack: AgentStack, clip_id: str) -> SignedEnvelope:
    return stack.services.call(lambda: stack.store.store.clips[clip_id].manifest_envelope)


def owner_clip_key(stack: AgentStack, manifest: ClipManifest) -> bytes:
    return endpoint_v2.open_clip(stack.world.document, stack.world.owner, manifest)


def wrapped_ids(manifest: ClipManifest) -> set[str]:
    return {w.key_id for w in manifest.wrapped_keys}


Step = Callable[[AgentStack], None]
