"""Write the protocol v2 vector files: `python -m tests.vectors.generate_v2`.

Reuses the v1 generator's TEST-ONLY keys and world, and writes only the v2 files, so the
committed v1 files (the reference for both implementations) are not rewritten.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from e2ee_nvr_protocol import certs, envelope, errors, recipients
from e2ee_nvr_protocol.clip import ClipEvent, encode_events, pad_events
from e2ee_nvr_protocol.encoding import b64encode, dumps
from e2ee_nvr_protocol.manifest import BlobRef, build_manifest, sign_manifest
from e2ee_nvr_protocol.stream import StreamEncryptor
from e2ee_nvr_protocol.stream_format import ContentKind
from e2ee_nvr_protocol.wrap import WrapPurpose, wrap_context, wrap_for
from tests.vectors.generate import NOW, Keys, VectorFile, World, fixed, make_world, sign_raw
from tests.vectors.runners import RUNNERS

Json = dict[str, Any]


def _entry(role: str, cert: Any, cameras: Any = "*") -> Json:
    der = certs.cert_der(cert)
    return {
        "role": role,
        "key_id": recipients.Recipient.from_cert("data", der).key_id,
        "cert": b64encode(der),
        "cameras": cameras,
    }


def _payload(
    world: World, epoch: int, entries: list[Json], prev: bytes | None, revoked: list[str]
) -> Json:
    return {
        "v": 2,
        "type": "recipient-set",
        "account_id": world.a.account_id,
        "epoch": epoch,
        "issued_at": NOW + 100 * epoch,
        "prev_sha256": None if prev is None else b64encode(prev),
        "recipients": sorted(entries, key=lambda e: e["key_id"]),
        "revoked": sorted(revoked),
    }


def _sign(world: World, payload: Json, key: Any = None) -> Json:
    return sign_raw("recipient-set", dumps(payload), key or world.a.signing)


def _sha(signed: Json) -> bytes:
    return hashlib.sha256(envelope.SignedEnvelope.from_json(signed).payload).digest()


class Sets:
    """Epoch 1 (data 1, instance, instance 2), epoch 2 (instance 2 revoked, data rotated)."""

    def __init__(self, world: World, keys: Keys) -> None:
        a = world.a
        self.data_2_cert = certs.issue(
            a.root, a.signing, keys.rsa_key("b-data").public_key(), certs.Role.data
        )
        self.instance_id = _entry("instance", a.instance_cert)["key_id"]
        self.instance_2_id = _entry("instance", world.instance_2_cert)["key_id"]
        self.data_1_id = _entry("data", a.data_cert)["key_id"]
        self.e1_entries = [
            _entry("data", a.data_cert),
            _entry("instance", a.instance_cert),
            _entry("instance", world.instance_2_cert),
        ]
        self.s1 = _sign(world, _payload(world, 1, self.e1_entries, None, []))
        self.e2_entries = [_entry("data", self.data_2_cert), _entry("instance", a.instance_cert)]
        self.revoked_2 = [self.instance_2_id, self.data_1_id]
        self.p2 = _payload(world, 2, self.e2_entries, _sha(self.s1), self.revoked_2)
        self.s2 = _sign(world, self.p2)
        self.p3 = _payload(world, 3, self.e2_entries, _sha(self.s2), self.revoked_2)
        self.s3 = _sign(world, self.p3)


def recipient_set_v2_file(world: World, sets: Sets) -> VectorFile:
    out = VectorFile(
        "recipient_set_v2",
        "6",
        "A verifier holding the pinned root and H (`held`: the signed set it accepted, or null) "
        "checks a new signed set (`envelope`); `own_key_id` (or null) adds the endpoint's "
        "membership check (sections 6.5 and 8.4). Output: epoch, advances (false: H again), "
        "data_key_id, key_ids and cameras in set order, revoked. Refusals: BadSignature, "
        "MalformedObject, MissingDataKey, Readmitted, RolledBack, UntrustedKey, NotEnrolled, "
        "UnsupportedVersion.",
    )
    root = b64encode(certs.cert_der(world.a.root))

    def case(envelope_json: Json, held: Json | None = None, own: str | None = None) -> Json:
        return {"root_cert": root, "held": held, "envelope": envelope_json, "own_key_id": own}

    p2 = sets.p2
    out.ok_as_run("genesis", case(sets.s1))
    out.ok_as_run("same-set-again", case(sets.s1, sets.s1))
    out.ok_as_run("revoke-and-rotate", case(sets.s2, sets.s1))
    out.ok_as_run("skipped-epoch", case(sets.s3, sets.s1))
    out.ok_as_run("grant-lists-own-key", case(sets.s2, sets.s1, sets.instance_id))
    scoped = [
        sets.e2_entries[0],
        {**sets.e2_entries[1], "cameras": ["0" * 32 + "/back", "0" * 32 + "/front-door"]},
    ]
    out.ok_as_run(
        "scoped-cameras",
        case(
            _sign(world, {**p2, "recipients": sorted(scoped, key=lambda e: e["key_id"])}), sets.s1
        ),
    )
    v1_held = world.set_1
    migrated = _payload(world, 2, sets.e2_entries, _sha(v1_held), [sets.data_1_id])
    out.ok_as_run("migration-after-v1-set", case(_sign(world, migrated), v1_held))
    refuse = out.refuse
    refuse("rolled-back", case(sets.s1, sets.s2), errors.RolledBack)
    refuse(
        "same-epoch-other-bytes",
        case(_sign(world, {**p2, "issued_at": NOW + 1}), sets.s2),
        errors.RolledBack,
    )
    refuse(
        "forked-prev",
        case(_sign(world, {**p2, "prev_sha256": b64encode(fixed("fork", 32))}), sets.s1),
        errors.RolledBack,
    )
    v1_later = sign_raw(
        "recipient-set",
        dumps(
            {
                "v": 1,
                "type": "recipient-set",
                "account_id": world.a.account_id,
                "epoch": 5,
                "issued_at": NOW,
                "recipients": [
                    {k: e[k] for k in ("role", "key_id", "cert")}
                    for e in sorted(sets.e2_entries, key=lambda e: e["key_id"])
                ],
            }
        ),
        world.a.signing,
    )
    refuse("v1-after-v2", case(v1_later, sets.s2), errors.RolledBack)
    readmit = sorted(
        [*sets.e2_entries, _entry("instance", world.instance_2_cert)], key=lambda e: e["key_id"]
    )
    refuse(
        "revoked-key-listed", case(_sign(world, {**p2, "recipients": readmit})), errors.Readmitted
    )
    refuse(
        "revoked-id-dropped",
        case(_sign(world, {**sets.p3, "revoked": [sets.data_1_id]}), sets.s2),
        errors.Readmitted,
    )
    refuse("not-enrolled", case(sets.s2, sets.s1, sets.instance_2_id), errors.NotEnrolled)
    refuse(
        "prev-null-after-epoch-1",
        case(_sign(world, {**p2, "prev_sha256": None})),
        errors.MalformedObject,
    )
    s1_payload = envelope.SignedEnvelope.from_json(sets.s1).payload
    refuse(
        "prev-at-epoch-1",
        case(
            _sign(
                world, {**__import__("json").loads(s1_payload), "prev_sha256": b64encode(bytes(32))}
            )
        ),
        errors.MalformedObject,
    )
    data_scoped = [
        {**sets.e2_entries[0], "cameras": ["0" * 32 + "/front-door"]},
        sets.e2_entries[1],
    ]
    refuse(
        "data-key-scoped",
        case(_sign(world, {**p2, "recipients": sorted(data_scoped, key=lambda e: e["key_id"])})),
        errors.MalformedObject,
    )
    for name, cameras in (
        ("cameras-unsorted", ["0" * 32 + "/z", "0" * 32 + "/a"]),
        ("camera-ref-malformed", ["front-door"]),
        ("cameras-empty", []),
    ):
        entries = [sets.e2_entries[0], {**sets.e2_entries[1], "cameras": cameras}]
        refuse(
            name,
            case(_sign(world, {**p2, "recipients": sorted(entries, key=lambda e: e["key_id"])})),
            errors.MalformedObject,
        )
    refuse(
        "revoked-unsorted",
        case(_sign(world, {**p2, "revoked": sorted(sets.revoked_2, reverse=True)})),
        errors.MalformedObject,
    )
    refuse(
        "revoked-missing",
        case(_sign(world, {k: v for k, v in p2.items() if k != "revoked"})),
        errors.MalformedObject,
    )
    refuse("version-3", case(_sign(world, {**p2, "v": 3})), errors.UnsupportedVersion)
    refuse("signed-by-another-root", case(_sign(world, p2, world.b.signing)), errors.BadSignature)
    foreign = certs.issue(world.b.root, world.b.signing, world.b.data.public_key(), certs.Role.data)
    other_data = [_entry("data", foreign), sets.e2_entries[1]]
    refuse(
        "data-key-from-another-root",
        case(_sign(world, {**p2, "recipients": sorted(other_data, key=lambda e: e["key_id"])})),
        errors.UntrustedKey,
    )
    return out


def events_padding_file() -> VectorFile:
    out = VectorFile(
        "events_padding",
        "9.3",
        "Padded event details: op `encode` turns `events` into `plaintext` (b64); op `decode` "
        "turns `plaintext` into `events` (a plaintext starting with `{` is a v1 agent's "
        "unpadded document). Refusals: MalformedObject.",
    )

    def events(count: int, source: str = "onvif") -> list[Json]:
        return [
            ClipEvent(
                "motion", NOW * 1000 + i, None if i % 2 else NOW * 1000 + 500 + i, source
            ).to_json()
            for i in range(count)
        ]

    for name, count, source in (
        ("none", 0, "onvif"),
        ("one", 1, "onvif"),
        ("two", 2, "onvif"),
        ("bucket-1024", 6, "onvif"),
        ("overflow-drops-events", 256, "s" * 64),
    ):
        out.ok_as_run(f"encode-{name}", {"op": "encode", "events": events(count, source)})
        plaintext = RUNNERS["events_padding"]({"op": "encode", "events": events(count, source)})
        out.ok_as_run(f"decode-{name}", {"op": "decode", **plaintext})
    legacy = encode_events([ClipEvent("person", NOW * 1000, None, "onvif")])
    out.ok_as_run("decode-v1-unpadded", {"op": "decode", "plaintext": b64encode(legacy)})
    padded = pad_events([ClipEvent("motion", NOW * 1000, None, "onvif")])
    bad = {
        "size-not-a-bucket": padded + b"\x00",
        "non-zero-padding": padded[:-1] + b"\x01",
        "length-beyond-bucket": (300).to_bytes(4, "big") + padded[4:],
        "not-clip-events": len(b"{}").to_bytes(4, "big") + b"{}" + bytes(250),
    }
    for name, raw in bad.items():
        out.refuse(
            f"decode-{name}", {"op": "decode", "plaintext": b64encode(raw)}, errors.MalformedObject
        )
    return out


def withholding_file(world: World, sets: Sets) -> VectorFile:
    out = VectorFile(
        "withholding",
        "10.1",
        "An endpoint holding H (`held`, signed set) checks a clip manifest (`manifest`, signed "
        "by the device of `device_cert`) for a withheld revocation. Output {} when in order. "
        "Warnings/refusals: RevocationWithheld, RolledBack.",
    )
    device_der = certs.cert_der(world.device_cert)
    device_id = recipients.Recipient.from_cert("data", device_der).key_id
    root = b64encode(certs.cert_der(world.a.root))
    clip_key = fixed("withholding/clip-key")
    clip_id = fixed("withholding/clip-id")
    encryptor = StreamEncryptor(clip_key, clip_id, ContentKind.VIDEO, 1 << 12)
    encryptor.update(b"video")
    encryptor.finalize()
    video = BlobRef("video/mp4", encryptor.summary, "avc1.64001f")
    publics = {
        sets.data_1_id: world.a.data.public_key(),
        sets.instance_id: world.a.instance.public_key(),
        sets.instance_2_id: world.instance_2.public_key(),
        _entry("data", sets.data_2_cert)["key_id"]: sets.data_2_cert.public_key(),
    }
    context = wrap_context(WrapPurpose.CLIP_KEY, clip_id)

    def manifest(epoch: int, key_ids: list[str], start_ms: int) -> Json:
        payload = build_manifest(
            clip_id=clip_id.hex(),
            account_id=world.a.account_id,
            device_id=device_id,
            camera_id="front-door",
            start_ms=start_ms,
            end_ms=start_ms + 1000,
            recipient_epoch=epoch,
            visible_events=[],
            video=video,
            thumbnail=None,
            events=None,
            wrapped_keys=[wrap_for(publics[k], clip_key, context) for k in sorted(key_ids)],
        )
        return sign_manifest(payload, world.device).to_json()

    def case(signed: Json, held: Json) -> Json:
        return {
            "root_cert": root,
            "held": held,
            "device_cert": b64encode(device_der),
            "manifest": signed,
        }

    t2 = (NOW + 200) * 1000
    current = [_entry("data", sets.data_2_cert)["key_id"], sets.instance_id]
    old = [sets.data_1_id, sets.instance_id, sets.instance_2_id]
    out.ok("current-epoch", case(manifest(2, current, t2), sets.s2), {})
    out.ok("old-epoch-before-grace", case(manifest(1, old, t2 + 60_000), sets.s2), {})
    out.refuse(
        "old-epoch-after-grace",
        case(manifest(1, old, t2 + 3_600_000), sets.s2),
        errors.RevocationWithheld,
    )
    out.refuse(
        "current-epoch-revoked-key",
        case(manifest(2, [*current, sets.instance_2_id], t2), sets.s2),
        errors.RevocationWithheld,
    )
    out.refuse(
        "current-epoch-missing-key",
        case(manifest(2, current[:1], t2), sets.s2),
        errors.RevocationWithheld,
    )
    out.refuse("newer-epoch-than-held", case(manifest(2, current, t2), sets.s1), errors.RolledBack)
    return out


def account_v2_file(world: World) -> VectorFile:
    from cryptography.hazmat.primitives import serialization

    from e2ee_nvr_protocol import endpoint, endpoint_v2, kdf
    from e2ee_nvr_protocol.account_build_v2 import create_account_v2, migrate_v1
    from e2ee_nvr_protocol.wrap import data_rdk_context

    out = VectorFile(
        "account_v2",
        "11",
        "A v2 account by `op`: `passphrase-check` (pdk, account_id) and `key-check` (key, "
        "account_id, role, generation) give the section 4 HMACs; `data-rdk-context` "
        "(account_id, generation) the section 7 wrap context; `open` (account, passphrase) "
        "the key ids of the signing, recovery and every data key; `read` (account, "
        "instance_pkcs8, generation) the data key id that generation's RDK, unwrapped with "
        "the instance key, opens; `open-v1` (a v1 account, passphrase) its signing and recovery "
        "key ids (section 11.4). Refusals: WrongPassphrase, InvalidPassphrase, "
        "BackupMismatch, UnwrapFailed, MalformedObject, UnsupportedVersion.",
    )
    account_id = world.a.account_id
    out.ok_as_run(
        "passphrase-check",
        {"op": "passphrase-check", "pdk": b64encode(world.pdk), "account_id": account_id},
    )
    for role, generation in (("signing", 0), ("recovery", 0), ("data", 1), ("data", 12)):
        out.ok_as_run(
            f"key-check-{role}-{generation}",
            {
                "op": "key-check",
                "key": b64encode(world.rdk),
                "account_id": account_id,
                "role": role,
                "generation": generation,
            },
        )
    for generation in (1, 2, 64):
        out.ok_as_run(
            f"data-rdk-context-{generation}",
            {"op": "data-rdk-context", "account_id": account_id, "generation": generation},
        )
    assert data_rdk_context(account_id, 2).endswith(b"/2")

    phrase = world.passphrase
    fast = kdf.KdfParams.new_default(scrypt_n_log2=15, pbkdf2_iterations=10_000)
    document, owner = create_account_v2(phrase, pdk_params=fast)
    document, owner, other = endpoint_v2.enrol(document, owner, phrase)
    document, owner = endpoint_v2.revoke(document, owner, phrase, [other.instance_key_id])
    account = document.to_json()
    pkcs8 = b64encode(
        owner.instance_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    out.ok_as_run("open-two-generations", {"op": "open", "account": account, "passphrase": phrase})
    out.ok_as_run(
        "open-typed-in-capitals", {"op": "open", "account": account, "passphrase": phrase.upper()}
    )
    for generation in (1, 2):
        out.ok_as_run(
            f"read-generation-{generation}",
            {"op": "read", "account": account, "instance_pkcs8": pkcs8, "generation": generation},
        )
    v1_document, v1_first = endpoint.create_account(phrase, kdf_params=(fast, fast))
    migrated, _ = migrate_v1(v1_document, v1_first, phrase, pdk_params=fast)
    out.ok_as_run(
        "open-migrated-v1-account",
        {"op": "open", "account": migrated.to_json(), "passphrase": phrase},
    )

    def refuse(name: str, value: Json, error: type[errors.ProtocolError]) -> None:
        out.refuse(name, value, error)

    v1_json = v1_document.to_json()
    out.ok_as_run("open-v1", {"op": "open-v1", "account": v1_json, "passphrase": phrase})
    stranger, _ = endpoint.create_account(phrase, kdf_params=(fast, fast))
    relabelled = {
        **stranger.to_json()["backups"]["signing"],
        "account_id": v1_document.account_id,
        "kdf": v1_json["backups"]["signing"]["kdf"],
    }
    v1_swapped = {**v1_json, "backups": {**v1_json["backups"], "signing": relabelled}}
    refuse(
        "open-v1-foreign-signing-backup",
        {"op": "open-v1", "account": v1_swapped, "passphrase": phrase},
        errors.BackupMismatch,
    )

    words = phrase.split()
    refuse(
        "open-wrong-passphrase",
        {"op": "open", "account": account, "passphrase": " ".join(reversed(words))},
        errors.WrongPassphrase,
    )
    refuse(
        "open-typo",
        {"op": "open", "account": account, "passphrase": phrase + "x"},
        errors.InvalidPassphrase,
    )
    other_doc = migrated.to_json()
    foreign = {**other_doc["backups"]["signing"], "account_id": document.account_id}
    swapped = {**account, "backups": {**account["backups"], "signing": foreign}}
    refuse(
        "open-foreign-signing-backup",
        {"op": "open", "account": swapped, "passphrase": phrase},
        errors.BackupMismatch,
    )
    roles = {**account["backups"]["signing"], "role": "recovery"}
    slot = {**account, "backups": {**account["backups"], "recovery": roles}}
    refuse(
        "open-signing-backup-in-recovery-slot",
        {"op": "open", "account": slot, "passphrase": phrase},
        errors.BackupMismatch,
    )
    gens = account["data_keys"]
    moved = [{**gens[0], "backup": {**gens[1]["backup"], "generation": 1}}, gens[1]]
    refuse(
        "open-data-backup-in-another-generation",
        {"op": "open", "account": {**account, "data_keys": moved}, "passphrase": phrase},
        errors.BackupMismatch,
    )
    bad_check = {**account["passphrase"], "check": b64encode(bytes(32))}
    refuse(
        "open-passphrase-check-altered",
        {"op": "open", "account": {**account, "passphrase": bad_check}, "passphrase": phrase},
        errors.WrongPassphrase,
    )
    entry = account["instances"][0]
    crossed = {**entry, "rdk_wrapped": list(reversed(entry["rdk_wrapped"]))}
    refuse(
        "read-wraps-crossed-between-generations",
        {
            "op": "read",
            "account": {**account, "instances": [crossed]},
            "instance_pkcs8": pkcs8,
            "generation": 1,
        },
        errors.UnwrapFailed,
    )
    short = {**entry, "rdk_wrapped": entry["rdk_wrapped"][:1]}
    refuse(
        "instance-missing-a-generation",
        {"op": "open", "account": {**account, "instances": [short]}, "passphrase": phrase},
        errors.MalformedObject,
    )
    with_pdk = {**entry, "pdk_wrapped": entry["rdk_wrapped"][0]}
    refuse(
        "instance-with-a-pdk-wrap",
        {"op": "open", "account": {**account, "instances": [with_pdk]}, "passphrase": phrase},
        errors.MalformedObject,
    )
    refuse(
        "version-3",
        {"op": "open", "account": {**account, "v": 3}, "passphrase": phrase},
        errors.UnsupportedVersion,
    )
    return out


def main() -> None:
    """Write every v2 file, or only those named on the command line (committed files are the
    reference: rewrite one only on purpose, since signatures and wraps change each run)."""
    import sys

    keys = Keys()
    world = make_world(keys)
    sets = Sets(world, keys)
    makers: dict[str, Callable[[], VectorFile]] = {
        "account_v2": lambda: account_v2_file(world),
        "recipient_set_v2": lambda: recipient_set_v2_file(world, sets),
        "events_padding": events_padding_file,
        "withholding": lambda: withholding_file(world, sets),
    }
    for name in sys.argv[1:] or list(makers):  # names of files to rewrite, or all
        vector_file = makers[name]()
        vector_file.write()
        print(f"{vector_file.name}.json: {len(vector_file.cases)} cases")


if __name__ == "__main__":
    main()
