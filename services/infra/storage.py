"""Object storage (S3 or any S3-compatible service) for the files several hosts share: the media store and the
file cache of audio and PDFs keep their files in a bucket through this one interface, each host holding a
bounded local copy of what it serves (services.infra.files.FileCache).

Short timeouts, few retries and a circuit breaker: a bucket that is away costs one short wait, then every call
fails at once with StorageUnavailable (an OSError, so a view that lets it through answers the designed 503)
until the breaker lets a trial through. boto3 is imported on first use only: a web worker that never touches
the bucket (the local backend) does not carry it.
"""
from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, NamedTuple

from services.infra.breaker import CircuitBreaker

# Objects this large or larger go up in parts (S3's multipart upload): a part that fails is sent again alone,
# and the object appears only when the upload completes, whole, like a smaller PUT.
MULTIPART_THRESHOLD = 16 * 1024 * 1024
CHUNK_BYTES = 1024 * 1024
# The object's SHA-256, in its metadata: `flask storage migrate` compares it without reading the object.
HASH_METADATA = "sha256"
# Requests to the bucket: a call that cannot connect within this long is a bucket that is away.
CONNECT_TIMEOUT_SECONDS = 2.0


class StorageUnavailable(OSError):
    """The object store cannot be reached now (or failed a moment ago and is skipped for a while)."""


@dataclass(frozen=True)
class StoredObject:
    """One object of a listing: its name below the store's prefix, its size, and when it was written."""

    name: str
    size: int
    modified: float  # seconds since the epoch


class ObjectInfo(NamedTuple):
    size: int
    sha256: str | None
    etag: str  # for an object written in one PUT, the MD5 of its bytes as the server received them


def sha256_of_file(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


class _Shared:
    """What every view of one bucket shares: the client (made on first use), the breaker, the settings."""

    def __init__(self, endpoint_url, bucket, access_key, secret_key, region, timeout_seconds, breaker):
        self.endpoint_url = endpoint_url
        self.bucket = bucket
        self.access_key = access_key
        self.secret_key = secret_key
        self.region = region
        self.timeout_seconds = timeout_seconds
        self.breaker = breaker
        self._client = None
        self._lock = threading.Lock()

    def client(self):
        with self._lock:
            if self._client is None:
                import boto3
                from botocore.config import Config

                self._client = boto3.session.Session().client(
                    "s3",
                    endpoint_url=self.endpoint_url,
                    aws_access_key_id=self.access_key,
                    aws_secret_access_key=self.secret_key,
                    region_name=self.region,
                    config=Config(
                        connect_timeout=min(CONNECT_TIMEOUT_SECONDS, self.timeout_seconds),
                        read_timeout=self.timeout_seconds,
                        # One retry for a dropped connection; the breaker handles a bucket that is away.
                        retries={"max_attempts": 2, "mode": "standard"},
                        # Path-style: works with every S3-compatible server (MinIO, SeaweedFS, Ceph) and
                        # with a bucket name that is not a valid host name.
                        s3={"addressing_style": "path"},
                        max_pool_connections=32,
                    ),
                )
            return self._client


class ObjectStore:
    """Objects under one prefix of one bucket: write once (a whole file, atomically), read into a local file,
    list, delete. child(folder) gives the view of a folder below it, sharing the client and the breaker."""

    def __init__(
        self,
        endpoint_url: str | None,
        bucket: str,
        prefix: str = "",
        access_key: str | None = None,
        secret_key: str | None = None,
        region: str = "us-east-1",
        timeout_seconds: float = 5.0,
        breaker: CircuitBreaker | None = None,
        _shared: _Shared | None = None,
    ):
        self._shared = _shared or _Shared(
            endpoint_url, bucket, access_key, secret_key, region, timeout_seconds, breaker or CircuitBreaker(5.0)
        )
        self.prefix = prefix

    def child(self, folder: str) -> ObjectStore:
        return ObjectStore(None, self.bucket, self.prefix + folder.strip("/") + "/", _shared=self._shared)

    @property
    def bucket(self) -> str:
        return self._shared.bucket

    @property
    def breaker(self) -> CircuitBreaker:
        return self._shared.breaker

    @property
    def available(self) -> bool:
        """False while the breaker skips the bucket (it failed a moment ago)."""
        return not self.breaker.is_open or self.breaker.seconds_open() == 0

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    # What each call goes through: the breaker, and the translation of the client's errors.
    def _call(self, action, *, missing_ok: bool = False):
        from boto3.exceptions import Boto3Error
        from botocore.exceptions import BotoCoreError, ClientError

        breaker = self.breaker
        if not breaker.allows():
            raise StorageUnavailable(f"object store {self.describe()} skipped: it failed a moment ago")
        try:
            result = action(self._shared.client())
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if missing_ok and (code in {"404", "NoSuchKey", "NotFound"} or status == 404):
                breaker.record_success()
                return None
            if status is not None and status < 500 and code not in {"SlowDown", "RequestTimeout"}:
                # The bucket answered (a refusal, a wrong bucket): it is there, the request is wrong.
                breaker.record_success()
                raise StorageUnavailable(f"object store {self.describe()} refused: {code or status}") from error
            breaker.record_failure()
            raise StorageUnavailable(f"object store {self.describe()}: {code or status}") from error
        except (BotoCoreError, Boto3Error, OSError) as error:
            # Boto3Error: an upload that failed after its retries (S3UploadFailedError wraps the cause).
            breaker.record_failure()
            raise StorageUnavailable(f"object store {self.describe()} unreachable: {error}") from error
        breaker.record_success()
        return result

    def size(self, name: str) -> int | None:
        """The object's size, or None when there is none."""
        head = self._call(lambda s3: s3.head_object(Bucket=self.bucket, Key=self.prefix + name), missing_ok=True)
        return None if head is None else head["ContentLength"]

    def head(self, name: str) -> ObjectInfo | None:
        """The object's size, the SHA-256 recorded when it was written (None when unknown) and the server's
        ETag, or None when there is no such object."""
        head = self._call(lambda s3: s3.head_object(Bucket=self.bucket, Key=self.prefix + name), missing_ok=True)
        if head is None:
            return None
        return ObjectInfo(head["ContentLength"], head.get("Metadata", {}).get(HASH_METADATA),
                          head.get("ETag", "").strip('"'))

    def download_into(self, name: str, file: BinaryIO) -> bool:
        """Copy the object into file, in chunks (never whole in memory); False when there is none."""

        def fetch(s3):
            try:
                body = s3.get_object(Bucket=self.bucket, Key=self.prefix + name)["Body"]
            except s3.exceptions.NoSuchKey:
                return False
            with body:
                for chunk in body.iter_chunks(CHUNK_BYTES):
                    file.write(chunk)
            return True

        return bool(self._call(fetch, missing_ok=True))

    def upload_file(self, name: str, path: str | os.PathLike[str], sha256: str | None = None) -> None:
        """Write the file at path as the object name: it appears whole or not at all (one PUT, or a multipart
        upload that completes), with its SHA-256 in its metadata."""
        from boto3.s3.transfer import TransferConfig

        sha256 = sha256 or sha256_of_file(path)
        transfer = TransferConfig(multipart_threshold=MULTIPART_THRESHOLD, multipart_chunksize=MULTIPART_THRESHOLD,
                                  use_threads=False)
        self._call(lambda s3: s3.upload_file(
            os.fspath(path), self.bucket, self.prefix + name,
            ExtraArgs={"Metadata": {HASH_METADATA: sha256}}, Config=transfer,
        ))

    def put_bytes(self, name: str, data: bytes) -> None:
        """Write a small object (one PUT, atomic)."""
        sha256 = hashlib.sha256(data).hexdigest()
        self._call(lambda s3: s3.put_object(
            Bucket=self.bucket, Key=self.prefix + name, Body=data, Metadata={HASH_METADATA: sha256}
        ))

    def list(self) -> Iterator[StoredObject]:
        """Every object below the prefix (names relative to it), a page of a thousand at a time."""
        token = None
        while True:
            arguments = {"Bucket": self.bucket, "Prefix": self.prefix}
            if token:
                arguments["ContinuationToken"] = token
            page = self._call(lambda s3: s3.list_objects_v2(**arguments))
            for item in page.get("Contents", ()):
                yield StoredObject(item["Key"][len(self.prefix):], item["Size"], item["LastModified"].timestamp())
            if not page.get("IsTruncated"):
                return
            token = page["NextContinuationToken"]

    def delete(self, names: Iterable[str]) -> None:
        names = list(names)
        for start in range(0, len(names), 1000):  # S3 deletes at most a thousand per request
            batch = [{"Key": self.prefix + name} for name in names[start:start + 1000]]
            self._call(lambda s3: s3.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}))

    def ensure_bucket(self) -> None:
        """Create the bucket if it is not there (a test server, a first start); refused creations are left
        to the operator."""
        from botocore.exceptions import ClientError

        def create(s3):
            try:
                s3.head_bucket(Bucket=self.bucket)
            except ClientError:
                s3.create_bucket(Bucket=self.bucket)

        self._call(create)


class UseLog:
    """When each object of a cache was last used, for least-recently-used pruning of the bucket: a Redis sorted
    set (one ZADD per use, at most once a minute per object and process) shared by every host. Without Redis,
    or while it is away, nothing is recorded and the object's write time stands for its last use."""

    def __init__(self, redis, name: str):
        self.redis = redis
        self.key = f"docbai:used:{name}"

    def touch(self, name: str, when: float | None = None) -> None:
        if self.redis is None:
            return
        try:
            self.redis.zadd(self.key, {name: when or time.time()})
        except Exception:  # noqa: BLE001 - Redis away: the write time will do
            pass

    def last_used(self) -> dict[str, float]:
        if self.redis is None:
            return {}
        try:
            return {
                (member.decode() if isinstance(member, bytes) else member): score
                for member, score in self.redis.zrange(self.key, 0, -1, withscores=True)
            }
        except Exception:  # noqa: BLE001
            return {}

    def forget(self, names: Iterable[str]) -> None:
        names = list(names)
        if self.redis is None or not names:
            return
        try:
            self.redis.zrem(self.key, *names)
        except Exception:  # noqa: BLE001
            pass


def object_store_from_config(config, redis=None) -> ObjectStore | None:
    """The site's object store for STORAGE_BACKEND=s3, or None for the local folder."""
    if config["STORAGE_BACKEND"] != "s3":
        return None
    return ObjectStore(
        config["S3_ENDPOINT_URL"],
        config["S3_BUCKET"],
        config["S3_PREFIX"],
        config["AWS_ACCESS_KEY_ID"],
        config["AWS_SECRET_ACCESS_KEY"],
        config["S3_REGION"],
        config["S3_TIMEOUT_SECONDS"],
        CircuitBreaker(config["S3_BREAKER_SECONDS"]),
    )


@dataclass(frozen=True)
class BucketCopies:
    """How the file caches keep their files in the bucket: each in a folder of its own, a local copy of at most
    local_max_bytes per cache on each host, last uses in Redis when there is one."""

    store: ObjectStore
    local_max_bytes: int
    redis: object = None

    def options(self, folder: str) -> dict:
        """FileCache's keyword arguments for the cache kept in folder."""
        return {"store": self.store.child(folder), "local_max_bytes": self.local_max_bytes,
                "uses": UseLog(self.redis, folder)}


def cache_options(copies: BucketCopies | None, folder: str) -> dict:
    """FileCache's keyword arguments for a cache in folder: none for the local backend."""
    return {} if copies is None else copies.options(folder)
