"""`recover`: decrypt an export archive's clips with the passphrase, no Home Assistant needed.

This is the proof that nobody's recordings are locked in: the passphrase opens the recovery
key, which opens the RDK, which opens the account data key that every clip is wrapped to.
Every manifest is still verified against a device certificate chained to the archive's root,
so a tampered archive cannot smuggle in foreign clips.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from cryptography import x509

from e2ee_nvr_protocol import certs, endpoint, endpoint_v2
from e2ee_nvr_protocol.account_v2 import AccountDocumentV2
from e2ee_nvr_protocol.archive import ArchiveReader, ClipFiles, clips_in_folder, manifest_from_bytes
from e2ee_nvr_protocol.clip import decryptor_for, open_clip_key, verify_clip_manifest
from e2ee_nvr_protocol.errors import InvalidPassphrase, ProtocolError, WrongPassphrase
from e2ee_nvr_protocol.identifiers import key_id
from e2ee_nvr_protocol.stream_format import ContentKind

DESCRIPTION = (
    "Decrypt clips exported from Home Assistant. Needs the export archive (account.json and "
    "optionally clips) and the account passphrase; writes one MP4 per clip."
)
EXIT_OK = 0
EXIT_SOME_CLIPS_FAILED = 1
EXIT_PASSPHRASE = 2
EXIT_UNREADABLE_ARCHIVE = 3
READ_BYTES = 1 << 20
MAX_MANIFEST_BYTES = 1 << 20
LOG = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--archive", type=Path, required=True, help="export archive (.tar)")
    parser.add_argument(
        "--clips",
        type=Path,
        help="folder of clips: flat like the archive's clips/ folder, or nested (a copy of the "
        "media folder, a synced bucket or the off-site folder)",
    )
    parser.add_argument("--out", type=Path, required=True, help="folder for the decrypted MP4s")
    parser.add_argument(
        "--passphrase-file",
        type=Path,
        help="read the passphrase from this file instead of asking (avoid: it sits on disk)",
    )


def _read_passphrase(args: argparse.Namespace) -> str:
    if args.passphrase_file is not None:
        return str(args.passphrase_file.read_text(encoding="utf-8"))
    if sys.stdin.isatty():
        return getpass.getpass("Passphrase (10 words): ")
    return sys.stdin.readline()


@dataclass(frozen=True)
class OpenedAccount:
    root_cert: x509.Certificate
    device_certs: dict[str, x509.Certificate]
    # Every data key of the account's history (v2: one per generation; v1: the one): each clip
    # is wrapped to the generation current when it was recorded.
    data_keys: tuple[object, ...]


def _device_certs(
    ders: tuple[bytes, ...], root_cert: x509.Certificate
) -> dict[str, x509.Certificate]:
    found: dict[str, x509.Certificate] = {}
    for der in ders:
        cert = certs.load_cert(der)
        try:
            public = certs.verify_issued(cert, root_cert, certs.Role.device)
        except ProtocolError as err:
            LOG.warning("ignoring a device certificate not issued by this account: %s", err)
            continue
        found[key_id(public)] = cert
    return found


@contextmanager
def _source(reader: ArchiveReader, source: Path | tarfile.TarInfo) -> Iterator[IO[bytes]]:
    if isinstance(source, Path):
        with source.open("rb") as handle:
            yield handle
    else:
        yield reader.open_member(source)


def _clips_in_tree(root: Path) -> Iterator[ClipFiles]:
    """Clips anywhere under `root`: a flat folder, the media folder's nested layout, or a synced
    bucket or off-site folder (`<device>/<day>/`). Symlinks are not followed, so a planted link
    cannot pull files from elsewhere; a clip's parts must sit in one folder."""
    for folder, subfolders, _files in os.walk(root):
        subfolders.sort()
        yield from clips_in_folder(Path(folder))


def _output_path(out: Path, camera_id: str, start_ms: int, clip_id: str) -> Path:
    stamp = datetime.fromtimestamp(start_ms / 1000, tz=UTC).strftime("%Y%m%dT%H%M%SZ")
    return out / camera_id / f"{stamp}_{clip_id}.mp4"


def _recover_clip(
    reader: ArchiveReader, clip: ClipFiles, account: OpenedAccount, out: Path
) -> Path:
    if "manifest.json" not in clip.sources or "video" not in clip.sources:
        raise ProtocolError(f"clip {clip.clip_id}: manifest or video missing")
    with _source(reader, clip.sources["manifest.json"]) as handle:
        signed = manifest_from_bytes(handle.read(MAX_MANIFEST_BYTES + 1))
    device_cert = account.device_certs.get(signed.signer)
    if device_cert is None:
        raise ProtocolError(f"clip {clip.clip_id}: signed by a device this account never paired")
    manifest = verify_clip_manifest(signed, device_cert, account.root_cert)
    if manifest.clip_id != clip.clip_id:
        raise ProtocolError(f"clip {clip.clip_id}: manifest names clip {manifest.clip_id}")
    clip_key = open_clip_key(manifest, list(account.data_keys))
    decryptor = decryptor_for(manifest, clip_key, ContentKind.VIDEO)
    target = _output_path(out, manifest.camera_id, manifest.start_ms, manifest.clip_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target and renamed only once every chunk authenticated, so a
    # tampered clip never leaves a half-decrypted file that looks like a recording.
    fd, temp_name = tempfile.mkstemp(dir=target.parent, suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as sink, _source(reader, clip.sources["video"]) as handle:
            while block := handle.read(READ_BYTES):
                sink.write(decryptor.update(block))
            sink.write(decryptor.finalize())
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return target


def _open_account(reader: ArchiveReader, passphrase: str) -> OpenedAccount:
    export = reader.account_export()
    document = export.account
    root_cert = document.root_cert()
    if isinstance(document, AccountDocumentV2):
        # Passphrase -> PDK -> recovery key -> RDK_g of every generation -> every data key.
        unlocked = endpoint_v2.unlock(document, passphrase)
        data_keys: tuple[object, ...] = tuple(
            endpoint_v2.open_data_key(document, generation, rdk)
            for generation, rdk in zip(document.data_keys, unlocked.rdks, strict=True)
        )
    else:
        keys = endpoint.unlock_with_passphrase(document, passphrase)
        data_keys = (endpoint.open_data_key(document, keys.rdk),)
    return OpenedAccount(
        root_cert=root_cert,
        device_certs=_device_certs(export.device_certs, root_cert),
        data_keys=data_keys,
    )


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        reader = ArchiveReader(args.archive)
    except (ProtocolError, OSError) as err:
        # A damaged, truncated or missing archive is a message, not a traceback.
        print(f"error: cannot read the archive {args.archive}: {err}", file=sys.stderr)
        return EXIT_UNREADABLE_ARCHIVE
    try:
        try:
            account = _open_account(reader, _read_passphrase(args))
        except InvalidPassphrase as err:
            print(f"error: that is not a valid passphrase: {err}", file=sys.stderr)
            return EXIT_PASSPHRASE
        except WrongPassphrase:
            print(
                "error: wrong passphrase: it does not open this account's backups.",
                file=sys.stderr,
            )
            return EXIT_PASSPHRASE
        clips = dict(reader.clips)
        if args.clips is not None:
            clips.update({c.clip_id: c for c in _clips_in_tree(args.clips)})
        failed = 0
        for clip in clips.values():
            try:
                written = _recover_clip(reader, clip, account, args.out)
            except ProtocolError as err:
                failed += 1
                print(
                    f"clip {clip.clip_id}: refused ({type(err).__name__}: {err})", file=sys.stderr
                )
            else:
                print(f"clip {clip.clip_id}: {written}")
        print(f"recovered {len(clips) - failed} of {len(clips)} clips into {args.out}")
        return EXIT_SOME_CLIPS_FAILED if failed else EXIT_OK
    finally:
        reader.close()
