"""The recipient set the agent encrypts to: verified, persisted before use, or recording stops.

One TrustKeeper is shared by the encrypting sink (which asks for the current set at the start
of every clip) and the uploader (which hands it every set fetched from Home Assistant).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from cryptography.hazmat.primitives.asymmetric import rsa

from e2ee_nvr_protocol.device import DeviceTrust
from e2ee_nvr_protocol.envelope import SignedEnvelope
from e2ee_nvr_protocol.errors import ProtocolError
from e2ee_nvr_protocol.identifiers import key_id
from e2ee_nvr_protocol.recipients import VerifiedRecipientSet

from .state import AgentState, StateError

LOG = logging.getLogger(__name__)


class RecordingBlocked(RuntimeError):
    """The agent holds no recipient set it can verify, so it must not record (section 6)."""


class TrustKeeper:
    """The device key, the pinned trust and why recording is blocked, if it is."""

    def __init__(self, state: AgentState) -> None:
        self._state = state
        self._device_key: rsa.RSAPrivateKey | None = None
        self._trust: DeviceTrust | None = None
        self.blocked_reason: str | None = "not loaded yet"
        # Told every newly accepted set (live view ends sessions whose viewers it drops).
        self.listeners: list[Callable[[VerifiedRecipientSet], None]] = []

    def load(self) -> None:
        """Read key and trust from the state folder; an unpaired agent is blocked, not broken."""
        try:
            trust = self._state.load_trust()
        except StateError as err:
            self._block(f"the pinned trust in the state folder does not verify: {err}")
            return
        if trust is None:
            self._block("this agent is not paired: run `python -m camera_agent pair`")
            return
        self._device_key = self._state.load_device_key()
        self._trust = trust
        self.blocked_reason = None

    def _block(self, reason: str) -> None:
        if reason != self.blocked_reason:
            LOG.error("RECORDING STOPPED: %s", reason)
        self.blocked_reason = reason

    @property
    def trust(self) -> DeviceTrust | None:
        return self._trust

    @property
    def epoch(self) -> int:
        return 0 if self._trust is None else self._trust.current_set().epoch

    @property
    def device_key(self) -> rsa.RSAPrivateKey:
        if self._device_key is None:
            raise RecordingBlocked(self.blocked_reason or "no device key")
        return self._device_key

    @property
    def device_id(self) -> str:
        return key_id(self.device_key.public_key())

    def current_set(self) -> VerifiedRecipientSet:
        """The set a new clip is encrypted to; RecordingBlocked (with the reason) if none."""
        if self.blocked_reason is not None or self._trust is None:
            raise RecordingBlocked(self.blocked_reason or "no recipient set")
        try:
            return self._trust.current_set()
        except ProtocolError as err:
            self._block(f"the stored recipient set no longer verifies: {err}")
            raise RecordingBlocked(self.blocked_reason or "") from err

    def admit(self, signed: SignedEnvelope) -> int:
        """Verify a fetched set, persist it if newer, then use it; return the epoch in use.

        Any refusal (RolledBack, Readmitted, UntrustedKey, BadSignature, MissingDataKey) means
        the store is misbehaving or compromised: recording stops, loudly, until a valid set
        arrives. A valid v2 set may rotate the data key (protocol section 6.4).
        """
        if self._trust is None:
            raise RecordingBlocked(self.blocked_reason or "not paired")
        try:
            new_trust, verified = self._trust.admit(signed)
        except ProtocolError as err:
            self._block(
                f"Home Assistant sent a recipient set this agent must refuse "
                f"({type(err).__name__}: {err}); not recording until a valid one arrives"
            )
            raise
        if new_trust is not self._trust:
            # Persist before use (section 6): after a crash the epoch must not go back.
            self._state.save_trust(new_trust)
            self._trust = new_trust
            LOG.info("recipient set epoch %d accepted", verified.epoch)
            for listener in self.listeners:
                listener(verified)
        if self.blocked_reason is not None:
            LOG.warning("recording resumes: recipient set epoch %d verifies", verified.epoch)
            self.blocked_reason = None
        return verified.epoch
