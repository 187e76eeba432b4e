"""HA alters the pairing grant it relays to the real agent: `camera_agent pair` refuses it.

The agent runs `python -m camera_agent pair` against the tampering proxy; the owner's endpoint
grants honestly (it typed the code), and the proxy swaps the grant's recipient set for the
owner's set plus an eavesdropper's key. The MAC keyed from the code no longer
verifies: the agent refuses with PairingMacMismatch, burns the code and pins nothing.
Threat model A2 "swap keys during pairing"; protocol section 8.4.
"""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from camera_agent.state import AgentState
from e2ee_nvr_protocol import pairing, primitives
from e2ee_nvr_protocol.encoding import b64decode, b64encode, dumps
from e2ee_nvr_protocol.envelope import SignedEnvelope
from tests.agent.run_rig import PAIR_LIMIT_SECONDS, read_pairing_code
from tests.security.agent_stack import AgentStack, write_agent_config
from tests.security.tampering_proxy import Tamper
from tests.security.trust_world import attacker_instance, grant_for, resign

pytestmark = pytest.mark.slow
_FORGED: dict[str, SignedEnvelope] = {}


def _swap_grant_set(stack: AgentStack, answer: bytes) -> bytes:
    document = json.loads(answer)
    if document.get("state") != "granted":
        return answer
    grant = document["grant"]
    payload = json.loads(b64decode(grant["payload"], field="payload"))
    payload["recipient_set"] = _eavesdropping_set(stack).to_json()
    grant["payload"] = b64encode(dumps(payload))
    return json.dumps(document).encode()


def _eavesdropping_set(stack: AgentStack) -> SignedEnvelope:
    """The owner's set plus an eavesdropper's key, signed by HA's own key (made once)."""
    world = stack.world
    if world.document.account_id not in _FORGED:
        _FORGED[world.document.account_id] = resign(
        world.held, primitives.rsa_generate(), epoch=world.held.epoch + 1,
        add=(attacker_instance(world),),
        )  # fmt: skip
    return _FORGED[world.document.account_id]


def test_altered_grant_is_refused_by_the_agent(stack: AgentStack) -> None:
    if stack.agent.running():
        stack.agent.stop()
    root = stack.root / "pairing-agent"
    root.mkdir()
    config = write_agent_config(root, stack.proxy.url, stack.camera)
    rule = Tamper(
        r"GET /api/e2ee_nvr/agent/pairing/[0-9a-f]+",
        answer=lambda body: _swap_grant_set(stack, body),
    )
    stack.add_rule(rule)
    process = subprocess.Popen(  # noqa: S603
        [*stack.agent.command("pair")[:-1], str(config)],
        cwd=stack.agent.cwd, env=stack.agent.env, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    code = read_pairing_code(process)
    assert code is not None, "pair showed no code"
    session_id = pairing.derive_pairing_keys(code).session_id
    request = stack.services.call(lambda: stack.store.store.pending_request(session_id))
    world = stack.world
    grant, device_cert = grant_for(
        world.document, world.owner, world.passphrase, request, code, int(time.time())
    )
    stack.services.call(lambda: stack.store.store.grant(session_id, grant, device_cert))
    out, err = process.communicate(timeout=PAIR_LIMIT_SECONDS)
    assert process.returncode != 0
    assert "PairingMacMismatch" in out + err
    assert rule.hits >= 1
    assert AgentState(root / "state").load_trust() is None  # nothing pinned
    result = stack.services.call(lambda: stack.store.store.pairings[session_id].result)
    assert result is not None and result["accepted"] is False
