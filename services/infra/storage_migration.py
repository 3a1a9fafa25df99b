"""Moving an instance's files from its folders to the bucket (`flask storage migrate`): each file copied once,
verified, and skipped on a second run when the bucket already holds the same bytes, so an interrupted copy is
simply run again."""
from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from services.infra.files import is_temp_name
from services.infra.storage import CHUNK_BYTES, MULTIPART_THRESHOLD, ObjectStore

# A file cache's files (services.infra.files.FileCache's layout); its locks and failure memos stay behind.
CACHE_FILE = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{64}\.[a-z0-9]+$")


@dataclass
class MigrationReport:
    """What a copy did: files copied, files the bucket held already, bytes sent, and the files whose copy did
    not verify (name, why)."""

    copied: int = 0
    already: int = 0
    copied_bytes: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


def _hashes(path: Path) -> tuple[str, str]:
    sha256, md5 = hashlib.sha256(), hashlib.md5()
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK_BYTES):
            sha256.update(chunk)
            md5.update(chunk)
    return sha256.hexdigest(), md5.hexdigest()


def folder_files(folder: str | os.PathLike[str], wanted: Callable[[str], bool]) -> Iterator[tuple[str, Path]]:
    """(name with forward slashes, path) of each finished, non-empty file under folder that wanted(name) keeps."""
    root = Path(folder)
    if not root.is_dir():
        return
    for directory, subdirectories, names in os.walk(root):
        subdirectories.sort()
        for name in sorted(names):
            path = Path(directory, name)
            relative = path.relative_to(root).as_posix()
            if is_temp_name(name) or not path.is_file() or path.stat().st_size == 0 or not wanted(relative):
                continue
            yield relative, path


def copy_folder(
    folder: str | os.PathLike[str],
    store: ObjectStore,
    wanted: Callable[[str], bool] = lambda name: True,
    report: MigrationReport | None = None,
    progress: Callable[[str], None] | None = None,
) -> MigrationReport:
    """Copy every wanted file of folder into store under the same name, verifying each: the object's size and
    recorded SHA-256 must be the file's, and for an object sent in one PUT, the server's ETag (the MD5 of what
    it received) too. A file whose object already matches is skipped. StorageUnavailable stops the copy."""
    report = report or MigrationReport()
    for name, path in folder_files(folder, wanted):
        size = path.stat().st_size
        sha256, md5 = _hashes(path)
        present = store.head(name)
        if present is not None and present.size == size and present.sha256 == sha256:
            report.already += 1
        else:
            store.upload_file(name, path, sha256)
            stored = store.head(name)
            problem = None
            if stored is None:
                problem = "không thấy đối tượng sau khi chép"
            elif stored.size != size:
                problem = f"kích thước {stored.size} khác {size}"
            elif stored.sha256 != sha256:
                problem = "mã băm SHA-256 khác"
            elif size < MULTIPART_THRESHOLD and stored.etag and stored.etag != md5:
                problem = "ETag (MD5) của máy chủ khác tệp"
            if problem:
                report.failed.append((name, problem))
            else:
                report.copied += 1
                report.copied_bytes += size
        if progress is not None:
            progress(name)
    return report


def is_cache_file(name: str) -> bool:
    return bool(CACHE_FILE.match(name))
