"""Section 10.1: tell from a signed manifest that the store withholds a revocation.

The device signs which epoch and which keys each clip went to. An endpoint that holds a newer
set (H) can therefore see, per camera, that the agent never received the revocation, and must
say so loudly instead of playing the clip as if all were well.
"""

from __future__ import annotations

from .errors import RevocationWithheld, RolledBack
from .manifest import ClipManifest
from .recipients import VerifiedRecipientSet

# Agents refresh the set at least every 10 minutes (section 6.4); 15 leaves a margin.
GRACE_MS = 15 * 60 * 1000


def check_delivery(held: VerifiedRecipientSet, manifest: ClipManifest) -> None:
    """Raise RevocationWithheld (a warning) or RolledBack; return when the clip is in order.

    Call after the manifest verified, with H refreshed from the store first.
    """
    camera_ref = f"{manifest.device_id}/{manifest.camera_id}"
    wrapped = {w.key_id for w in manifest.wrapped_keys}
    if manifest.recipient_epoch > held.epoch:
        raise RolledBack(
            f"camera {camera_ref} uses epoch {manifest.recipient_epoch}; the store shows "
            f"this browser epoch {held.epoch}"
        )
    if manifest.recipient_epoch < held.epoch:
        # Older clips were rightly wrapped to the keys of their time; only a clip that started
        # well after the newest set was signed shows the agent never received it.
        if manifest.start_ms >= held.recipient_set.issued_at * 1000 + GRACE_MS:
            still_reading = sorted(wrapped & set(held.revoked))
            raise RevocationWithheld(
                f"camera {camera_ref} still records to epoch {manifest.recipient_epoch} "
                f"(current {held.epoch}); revoked keys that can read it: {still_reading}"
            )
        return
    if wrapped != set(held.key_ids_for(camera_ref)):
        raise RevocationWithheld(
            f"camera {camera_ref} claims epoch {held.epoch} but wraps to other keys"
        )
