"""Clip objects in an S3-compatible bucket, through botocore (AWS's maintained client).

botocore signs every request (SigV4) and is blocking, so every method here runs in HA's
executor, like the folder backend's file I/O. The bucket holds what the media folder holds:
ciphertext and signed manifests, named `<prefix><device_id>/<YYYY-MM-DD>/<clip_id>.<suffix>`
(the `device` layout: no camera names in object names). What its owner still learns is listed
in docs/threat-model.md.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from botocore.session import get_session

from .clip_objects import (
    OBJECT_NAME_RE,
    FoundClip,
    Layout,
    ObjectMissing,
    StorageUnavailable,
    check_rel_dir,
    kind_of,
    object_name,
)
from .clip_store import UnsafePath

PIECE_BYTES = 1 << 20
PREFIX_RE = re.compile(r"(?:[A-Za-z0-9_.-]+/)*")
MISSING_CODES = frozenset({"404", "NoSuchKey", "NotFound"})


class S3SettingsError(ValueError):
    """Bucket settings the options flow refuses; the message is the form's error key."""


@dataclass(frozen=True)
class S3Settings:
    """One bucket: endpoint, region, bucket, key prefix and credentials (kept in the entry)."""

    endpoint_url: str
    region: str
    bucket: str
    prefix: str
    access_key_id: str
    secret_access_key: str

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> S3Settings:
        prefix = str(options.get("prefix", "")).strip().strip("/")
        prefix = f"{prefix}/" if prefix else ""
        if not PREFIX_RE.fullmatch(prefix):
            raise S3SettingsError("invalid_prefix")
        endpoint = str(options["endpoint_url"]).strip()
        if not endpoint.startswith(("https://", "http://")):
            raise S3SettingsError("invalid_endpoint")
        return cls(
            endpoint_url=endpoint,
            region=str(options.get("region") or "us-east-1"),
            bucket=str(options["bucket"]).strip(),
            prefix=prefix,
            access_key_id=str(options["access_key_id"]),
            secret_access_key=str(options["secret_access_key"]),
        )

    def identity(self) -> str:
        """Which bucket and prefix, without credentials (logs, index file names)."""
        return f"{self.endpoint_url}/{self.bucket}/{self.prefix}"


class S3ClipObjects:
    """Clip objects in a bucket; one botocore client, shared by executor threads (thread-safe)."""

    layout: Layout = "device"

    def __init__(self, settings: S3Settings) -> None:
        self.settings = settings
        # Checksums only where S3 requires them: S3-compatible servers differ in what they accept
        # for the newer default (CRC32 trailers); integrity comes from the manifest's SHA-256.
        config = Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            retries={"max_attempts": 3, "mode": "standard"},
            connect_timeout=10,
            read_timeout=60,
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        self._client: Any = get_session().create_client(
            "s3",
            endpoint_url=settings.endpoint_url,
            region_name=settings.region,
            aws_access_key_id=settings.access_key_id,
            aws_secret_access_key=settings.secret_access_key,
            config=config,
        )

    def describe(self) -> str:
        return f"bucket {self.settings.bucket} at {self.settings.endpoint_url}"

    def key(self, rel_dir: str, clip_id: str, kind: str) -> str:
        return self.settings.prefix + object_name(
            check_rel_dir(self.layout, rel_dir), clip_id, kind
        )

    def _call(self, operation: str, **params: Any) -> Any:
        """One request; a missing object and an unreachable bucket get their own errors."""
        try:
            return getattr(self._client, operation)(Bucket=self.settings.bucket, **params)
        except ClientError as err:
            code = str(err.response.get("Error", {}).get("Code", ""))
            if code in MISSING_CODES:
                raise ObjectMissing(params.get("Key", "")) from err
            raise StorageUnavailable(f"{operation}: {code or err}") from err
        except BotoCoreError as err:
            raise StorageUnavailable(f"{operation}: {err}") from err

    def check(self) -> None:
        """Prove the bucket answers and these credentials may list it (the options flow)."""
        self._call("list_objects_v2", Prefix=self.settings.prefix, MaxKeys=1)

    def adopt(self, rel_dir: str, clip_id: str, kind: str, staged: Path) -> None:
        self.put_copy(rel_dir, clip_id, kind, staged)

    def put_copy(self, rel_dir: str, clip_id: str, kind: str, source: Path) -> None:
        # One PUT: S3 makes an object visible only once all of it arrived, so a reader (or a
        # rebuild) never meets half an object, and a repeated PUT replaces rather than adds.
        with source.open("rb") as body:
            self._call(
                "put_object",
                Key=self.key(rel_dir, clip_id, kind),
                Body=body,
                ContentLength=os.fstat(body.fileno()).st_size,
                ContentType="application/octet-stream",
            )

    def finish_clip(self, rel_dir: str) -> None:
        """Nothing to do: a PUT that returned is durable."""

    def read(self, rel_dir: str, clip_id: str, kind: str) -> bytes:
        answer = self._call("get_object", Key=self.key(rel_dir, clip_id, kind))
        with contextlib.closing(answer["Body"]) as body:
            return bytes(body.read())

    def size(self, rel_dir: str, clip_id: str, kind: str) -> int:
        answer = self._call("head_object", Key=self.key(rel_dir, clip_id, kind))
        return int(answer["ContentLength"])

    def read_range(
        self, rel_dir: str, clip_id: str, kind: str, start: int, end: int
    ) -> Iterator[bytes]:
        if end <= start:
            return iter(())
        answer = self._call(
            "get_object", Key=self.key(rel_dir, clip_id, kind), Range=f"bytes={start}-{end - 1}"
        )
        return _pieces(answer["Body"])

    @contextlib.contextmanager
    def as_file(self, rel_dir: str, clip_id: str, kind: str, scratch: Path) -> Iterator[Path]:
        scratch.mkdir(parents=True, exist_ok=True)
        path = scratch / f".{clip_id}.{kind}.{os.urandom(6).hex()}"
        try:
            with path.open("xb") as handle:
                for piece in self.read_range(rel_dir, clip_id, kind, 0, 1 << 62):
                    handle.write(piece)
            yield path
        finally:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def delete_clip(self, rel_dir: str, clip_id: str) -> None:
        # The manifest goes first: a clip whose deletion is interrupted is no longer a clip to
        # a rebuild, rather than a listed clip with missing video.
        for kind in ("manifest", "video", "thumbnail", "events"):
            self._call("delete_object", Key=self.key(rel_dir, clip_id, kind))

    def _listing(self) -> Iterator[tuple[str, int]]:
        token: str | None = None
        while True:
            params: dict[str, Any] = {"Prefix": self.settings.prefix, "MaxKeys": 1000}
            if token:
                params["ContinuationToken"] = token
            answer = self._call("list_objects_v2", **params)
            for item in answer.get("Contents", ()):
                yield str(item["Key"]), int(item["Size"])
            token = answer.get("NextContinuationToken")
            if not answer.get("IsTruncated") or not token:
                return

    def objects(self) -> Iterator[tuple[str, str, str, int]]:
        """(rel_dir, clip_id, kind, size) of every clip object under the prefix."""
        for key, size in self._listing():
            rel_dir, _, name = key.removeprefix(self.settings.prefix).rpartition("/")
            match = OBJECT_NAME_RE.fullmatch(name)
            if match is None:
                continue
            with contextlib.suppress(UnsafePath):
                yield check_rel_dir(self.layout, rel_dir), match[1], kind_of(match[2]), size

    def scan(self) -> Iterator[FoundClip]:
        found: dict[tuple[str, str], set[str]] = {}
        for rel_dir, clip_id, kind, _size in self.objects():
            found.setdefault((rel_dir, clip_id), set()).add(kind)
        for (rel_dir, clip_id), kinds in sorted(found.items()):
            if "manifest" in kinds:
                raw = self.read(rel_dir, clip_id, "manifest")
                yield FoundClip(rel_dir, clip_id, raw, kinds - {"manifest"})

    def delete_all(self) -> None:
        for rel_dir, clip_id, kind, _size in list(self.objects()):
            self._call("delete_object", Key=self.key(rel_dir, clip_id, kind))


def _pieces(body: Any) -> Iterator[bytes]:
    with contextlib.closing(body):
        yield from body.iter_chunks(PIECE_BYTES)
