"""The export archive (section 12): an account and its clips in one tar, openable offline.

The store writes it; the recovery tool reads it with the passphrase alone. Reading never
extracts to disk: members are streamed, and names are matched against the exact layout, so
absolute paths, `..`, links and devices are refused rather than followed.
"""

from __future__ import annotations

import io
import re
import tarfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .account import AccountDocument
from .account_v2 import AccountDocumentV2
from .encoding import Fields, b64encode, dumps, loads
from .envelope import PROTOCOL_VERSION, SignedEnvelope
from .errors import MalformedObject

ROOT = "e2ee-nvr-export"
ACCOUNT_MEMBER = f"{ROOT}/account.json"
CLIPS_DIR = f"{ROOT}/clips"
EXPORT_TYPE = "account-export"
SUFFIXES = ("manifest.json", "video", "thumbnail", "events")
_CLIP_MEMBER_RE = re.compile(r"([0-9a-f]{32})\.(manifest\.json|video|thumbnail|events)")
MAX_DEVICE_CERTS = 1024
MAX_ACCOUNT_BYTES = 8 << 20


@dataclass(frozen=True)
class AccountExport:
    """account.json: the account document and the certificate of every device ever paired."""

    account: AccountDocument | AccountDocumentV2  # v1 in archives written before migration
    device_certs: tuple[bytes, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "v": PROTOCOL_VERSION,
            "type": EXPORT_TYPE,
            "account": self.account.to_json(),
            "device_certs": [b64encode(der) for der in self.device_certs],
        }

    @classmethod
    def from_json(cls, document: object) -> AccountExport:
        with Fields.typed(document, EXPORT_TYPE, PROTOCOL_VERSION) as fields:
            return cls(
                account=parse_any_account(fields.raw("account")),
                device_certs=tuple(
                    Fields({"c": item}, where="device_certs").bytes("c", max_len=8192)
                    for item in fields.list("device_certs", max_items=MAX_DEVICE_CERTS)
                ),
            )


@dataclass
class ClipFiles:
    """Where one clip's parts are: a path on disk, or a member of an open tar."""

    clip_id: str
    sources: dict[str, Path | tarfile.TarInfo] = field(default_factory=dict)


def _add_bytes(tar: tarfile.TarFile, name: str, raw: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(raw)
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(raw))


def write_archive(
    destination: IO[bytes], export: AccountExport, clips: Iterable[ClipFiles]
) -> None:
    """Stream an archive: account.json, then each clip's files (copied, never decrypted)."""
    with tarfile.open(fileobj=destination, mode="w|", format=tarfile.USTAR_FORMAT) as tar:
        _add_bytes(tar, ACCOUNT_MEMBER, dumps(export.to_json()))
        for clip in clips:
            for suffix, source in clip.sources.items():
                if suffix not in SUFFIXES or not isinstance(source, Path):
                    raise ValueError(f"cannot export {suffix!r} of clip {clip.clip_id}")
                info = tar.gettarinfo(str(source), arcname=f"{CLIPS_DIR}/{clip.clip_id}.{suffix}")
                info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
                with source.open("rb") as handle:
                    tar.addfile(info, handle)


def manifest_from_bytes(raw: bytes) -> SignedEnvelope:
    return SignedEnvelope.from_json(loads(raw))


class ArchiveReader:
    """Random access to an archive's members without extracting anything."""

    def __init__(self, path: Path) -> None:
        # An archive is another party's bytes: tarfile's own errors (empty, bad header,
        # truncated) become the protocol's MalformedObject, so callers branch on one type.
        try:
            self._tar = tarfile.open(path, mode="r:")  # noqa: SIM115 - closed by close()
        except tarfile.TarError as err:
            raise MalformedObject(f"archive does not open as a tar: {err}") from err
        self.clips: dict[str, ClipFiles] = {}
        self._account: tarfile.TarInfo | None = None
        try:
            for member in self._tar.getmembers():
                self._index(member)
            if self._account is None:
                raise MalformedObject(f"archive has no {ACCOUNT_MEMBER}")
        except (tarfile.TarError, MalformedObject) as err:
            self._tar.close()
            if isinstance(err, MalformedObject):
                raise
            raise MalformedObject(f"archive is damaged: {err}") from err

    def _index(self, member: tarfile.TarInfo) -> None:
        if member.isdir() and member.name.rstrip("/") in (ROOT, CLIPS_DIR):
            return
        if not member.isfile():
            raise MalformedObject(f"archive member {member.name!r} is not a regular file")
        if member.name == ACCOUNT_MEMBER:
            self._account = member
            return
        directory, _, base = member.name.rpartition("/")
        match = _CLIP_MEMBER_RE.fullmatch(base)
        if directory != CLIPS_DIR or match is None:
            raise MalformedObject(f"unexpected archive member {member.name!r}")
        clip = self.clips.setdefault(match.group(1), ClipFiles(match.group(1)))
        clip.sources[match.group(2)] = member

    def account_export(self) -> AccountExport:
        if self._account is None:  # the constructor refuses such archives; this keeps mypy sure
            raise MalformedObject(f"archive has no {ACCOUNT_MEMBER}")
        raw = self.read_member(self._account, max_bytes=MAX_ACCOUNT_BYTES)
        return AccountExport.from_json(loads(raw, max_bytes=MAX_ACCOUNT_BYTES))

    def read_member(self, member: tarfile.TarInfo, *, max_bytes: int) -> bytes:
        if member.size > max_bytes:
            raise MalformedObject(f"archive member {member.name!r} is too large")
        try:
            handle = self._tar.extractfile(member)
            if handle is None:
                raise MalformedObject(f"archive member {member.name!r} has no content")
            return handle.read()
        except tarfile.TarError as err:
            raise MalformedObject(f"archive member {member.name!r} is damaged: {err}") from err

    def open_member(self, member: tarfile.TarInfo) -> IO[bytes]:
        handle = self._tar.extractfile(member)
        if handle is None:
            raise MalformedObject(f"archive member {member.name!r} has no content")
        return handle

    def close(self) -> None:
        self._tar.close()


def clips_in_folder(folder: Path) -> Iterator[ClipFiles]:
    """Clips laid out like the archive's clips/ folder; other files are ignored."""
    found: dict[str, ClipFiles] = {}
    for path in sorted(folder.iterdir()):
        match = _CLIP_MEMBER_RE.fullmatch(path.name)
        if match is not None and path.is_file() and not path.is_symlink():
            clip = found.setdefault(match.group(1), ClipFiles(match.group(1)))
            clip.sources[match.group(2)] = path
    yield from found.values()


def parse_any_account(document: object) -> AccountDocument | AccountDocumentV2:
    """Section 12: an archive's account is a v2 document, or v1 from before migration."""
    if isinstance(document, dict) and document.get("v") == 2:
        return AccountDocumentV2.from_json(document)
    return AccountDocument.from_json(document)
