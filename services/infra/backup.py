"""A site in one archive: the database (the editors' lexicon is one of its tables) and the media, with a manifest
of hashes.

The archive is a gzip-compressed tar (any `tar` reads it): `database.sqlite3` (a copy made with SQLite's
online backup API, safe while the site writes) or `database.pgdump` (pg_dump's custom format, of the one
schema the site uses), `media/…`, and last `manifest.json`: the format
version, the migration revision the database was at, its dialect, when the archive was made, and every file's
size and SHA-256. The archive is written under a temporary name and renamed into place, so a half-written one
never looks whole. Audio, PDFs and resized image variants are left out: the site makes them again.

Restoring unpacks into a folder of its own, checks every file against the manifest, and only then replaces
the database and writes the media. An archive made before the lexicon moved into the database (revision 0004 or
older) holds `abbreviations.tsv`: it is put back where the site kept it, and `flask db upgrade` imports it.
"""
from __future__ import annotations

import datetime as dt
import errno
import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

import sqlalchemy as sa

from services.infra.files import atomic_file, is_temp_name

FORMAT = "docbai-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_DATABASE = "database.sqlite3"
POSTGRESQL_DATABASE = "database.pgdump"
LEXICON = "abbreviations.tsv"
MEDIA = "media"
_CHUNK = 1024 * 1024
# pg_dump and pg_restore may run for as long as the data takes; a server that does not answer fails soon.
_CONNECT_TIMEOUT_SECONDS = "10"


class BackupError(RuntimeError):
    """The archive cannot be written or restored; the message says why, in Vietnamese, for the operator."""


@dataclass(frozen=True)
class ArchivedFile:
    """One file of the archive: its path inside it, its size in bytes and its SHA-256."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """What the archive holds and what the database was when it was made."""

    dialect: str
    revision: str | None  # the Alembic revision of the database; None before it was ever migrated
    created_at: str
    files: tuple[ArchivedFile, ...]
    schema: str | None = None  # PostgreSQL: the schema the site's tables live in
    extensions: tuple[tuple[str, str], ...] = ()  # PostgreSQL: (extension, its schema), made again on restore
    format: str = FORMAT
    version: int = FORMAT_VERSION

    @property
    def database_file(self) -> str:
        """The archive's path of the database copy."""
        return SQLITE_DATABASE if self.dialect == "sqlite" else POSTGRESQL_DATABASE

    def to_json(self) -> bytes:
        """The manifest as the archive stores it."""
        fields = asdict(self)
        ordered = {"format": fields.pop("format"), "version": fields.pop("version"), **fields}
        return json.dumps(ordered, ensure_ascii=False, indent=2).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        """Read a manifest; BackupError when it is not one this code can restore."""
        try:
            fields = json.loads(data)
            if fields.get("format") != FORMAT:
                raise BackupError("tệp không phải bản sao lưu của docbai")
            if fields.get("version") != FORMAT_VERSION:
                raise BackupError(f"bản sao lưu dạng {fields.get('version')}, phiên bản này chỉ đọc dạng {FORMAT_VERSION}")
            fields["files"] = tuple(ArchivedFile(**entry) for entry in fields["files"])
            fields["extensions"] = tuple(tuple(entry) for entry in fields.get("extensions", ()))
            return cls(**fields)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise BackupError(f"bảng kê (manifest.json) hỏng: {error}") from None


@dataclass
class _HashingReader:
    """A file object that hashes what tarfile reads from it, so each file is read once."""

    file: object
    digest: object = field(default_factory=hashlib.sha256)

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.digest.update(data)
        return data


def write_backup(
    target: str | os.PathLike[str],
    engine: sa.Engine,
    revision: str | None,
    media_root: str,
    leave_out: Iterable[str] = (),
    work_dir: str | None = None,
) -> Manifest:
    """Write the archive of the site to target; returns its manifest. leave_out: folders under media_root
    whose files are made again (the image variants, a cache kept there)."""
    dialect = engine.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        raise BackupError(f"chỉ sao lưu được SQLite hoặc PostgreSQL, không phải {dialect}")
    schema, extensions = None, ()
    with tempfile.TemporaryDirectory(dir=work_dir, prefix=".backup-") as work:
        database_copy = Path(work) / (SQLITE_DATABASE if dialect == "sqlite" else POSTGRESQL_DATABASE)
        if dialect == "sqlite":
            _copy_sqlite(engine, database_copy)
        else:
            schema, extensions = _postgresql_schema(engine)
            _pg_dump(engine.url, schema, database_copy)
        entries = [(database_copy.name, str(database_copy))]
        entries += _media_files(media_root, leave_out)
        files = []
        with atomic_file(target) as raw, tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as archive:
            for name, path in entries:
                files.append(_add_file(archive, name, path))
            manifest = Manifest(
                dialect=dialect,
                revision=revision,
                created_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                files=tuple(files),
                schema=schema,
                extensions=extensions,
            )
            _add_bytes(archive, MANIFEST, manifest.to_json())
    return manifest


def unpack_backup(archive_path: str | os.PathLike[str], staging: str | os.PathLike[str]) -> Manifest:
    """Unpack the archive into the empty folder staging and check every file against the manifest."""
    staging = Path(staging)
    found: dict[str, ArchivedFile] = {}
    manifest_data = None
    try:
        with tarfile.open(archive_path, mode="r:gz") as archive:
            for member in archive:
                name = _safe_member_name(member)
                source = archive.extractfile(member)
                if name == MANIFEST:
                    manifest_data = source.read()
                    continue
                target = staging / name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest, size = hashlib.sha256(), 0
                with open(target, "wb") as out:
                    while chunk := source.read(_CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                found[name] = ArchivedFile(name, size, digest.hexdigest())
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise BackupError(f"tệp nén hỏng hoặc không đầy đủ: {error}") from None
    if manifest_data is None:
        raise BackupError("thiếu bảng kê manifest.json: tệp không phải bản sao lưu đầy đủ")
    manifest = Manifest.from_json(manifest_data)
    listed = {entry.path: entry for entry in manifest.files}
    for name in sorted(listed.keys() | found.keys()):
        if name not in found:
            raise BackupError(f"thiếu tệp {name} mà bảng kê ghi")
        if name not in listed:
            raise BackupError(f"có tệp {name} không có trong bảng kê")
        if found[name] != listed[name]:
            raise BackupError(f"tệp {name} không khớp bảng kê (kích thước hoặc SHA-256 khác): bản sao lưu bị hỏng")
    if manifest.database_file not in listed:
        raise BackupError(f"thiếu cơ sở dữ liệu {manifest.database_file}")
    return manifest


def restore_database(staging: str | os.PathLike[str], manifest: Manifest, engine: sa.Engine) -> None:
    """Replace the database engine points at with the unpacked copy (every table of it, on SQLite the whole file)."""
    if engine.dialect.name != manifest.dialect:
        raise BackupError(f"bản sao lưu là cơ sở dữ liệu {manifest.dialect}, nơi khôi phục là {engine.dialect.name}")
    copy = Path(staging) / manifest.database_file
    engine.dispose()
    if manifest.dialect == "sqlite":
        source = sqlite3.connect(copy)
        target = engine.raw_connection()
        try:
            source.backup(target.driver_connection)
        finally:
            target.close()
            source.close()
    else:
        _prepare_postgresql(engine, manifest)
        _pg_restore(engine.url, manifest.schema, copy)
    engine.dispose()


def restore_files(staging: str | os.PathLike[str], manifest: Manifest, lexicon_file: str, media_root: str) -> int:
    """Put the unpacked media files in place, and an older archive's lexicon file where the migration that imports
    it looks; returns how many media files there were."""
    staging = Path(staging)
    media = 0
    for entry in manifest.files:
        if entry.path == LEXICON:
            _place(staging / entry.path, Path(lexicon_file))
        elif entry.path.startswith(MEDIA + "/"):
            _place(staging / entry.path, Path(media_root, *PurePosixPath(entry.path).parts[1:]))
            media += 1
    return media


def _copy_sqlite(engine: sa.Engine, target: Path) -> None:
    # The online backup API reads a consistent snapshot while the site goes on writing (WAL lets it).
    source = engine.raw_connection()
    copy = sqlite3.connect(target)
    try:
        source.driver_connection.backup(copy)
    finally:
        copy.close()
        source.close()


def _postgresql_schema(engine: sa.Engine) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The schema the site's tables are in, and the database's extensions (with their schemas)."""
    with engine.connect() as connection:
        schema = connection.execute(sa.text("SELECT current_schema()")).scalar_one()
        extensions = connection.execute(sa.text(
            "SELECT e.extname, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname <> 'plpgsql' ORDER BY e.extname"
        )).all()
    return schema, tuple((name, namespace) for name, namespace in extensions)


def _libpq(url: sa.URL, work: Path) -> str:
    """A libpq connection URI for pg_dump and pg_restore. The password goes into a password file of the
    work folder, readable by this user only, never onto the command line, which every user can read."""
    query = {"connect_timeout": _CONNECT_TIMEOUT_SECONDS}
    if url.password:
        passfile = work / ".pgpass"
        escaped = str(url.password).replace("\\", "\\\\").replace(":", "\\:")
        passfile.touch(mode=0o600)
        passfile.write_text(f"*:*:*:*:{escaped}\n", encoding="utf-8")
        query["passfile"] = str(passfile)
    bare = sa.URL.create("postgresql", username=url.username, host=url.host, port=url.port, database=url.database,
                         query={**url.query, **query})
    return bare.render_as_string()


def _run(command: list[str]) -> None:
    try:
        result = subprocess.run(command, capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(f"không tìm thấy {command[0]}: cài gói postgresql-client") from None
    if result.returncode != 0:
        raise BackupError(f"{command[0]} thất bại: {result.stderr.strip()[-2000:]}")


def _pg_dump(url: sa.URL, schema: str, target: Path) -> None:
    # One schema, the site's: the database may hold others (another site, the tests of another run).
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--schema={schema}",
          f"--file={target}", f"--dbname={_libpq(url, target.parent)}"])


def _prepare_postgresql(engine: sa.Engine, manifest: Manifest) -> None:
    """Make the archive's schema and extensions, and check the site reads that schema, before pg_restore."""
    quote = engine.dialect.identifier_preparer.quote
    with engine.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {quote(manifest.schema)}"))
        # In the same transaction, so a schema the site would not read is never left behind.
        used = connection.execute(sa.text("SELECT current_schema()")).scalar_one()
        if used != manifest.schema:
            raise BackupError(f"bản sao lưu nằm trong schema {manifest.schema}, nhưng trang dùng schema {used}: "
                              "đặt search_path của cơ sở dữ liệu đích cho giống")
        for name, namespace in manifest.extensions:
            connection.execute(sa.text(f"CREATE EXTENSION IF NOT EXISTS {quote(name)} SCHEMA {quote(namespace)}"))


def _pg_restore(url: sa.URL, schema: str, dump: Path) -> None:
    # Only the objects inside the schema (not the schema itself: `public` cannot be dropped and made again);
    # --clean drops the empty tables an upgrade may have made first; one transaction, so a failure leaves
    # the database as it was.
    _run(["pg_restore", "--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges", "--clean",
          "--if-exists", f"--schema={schema}", f"--dbname={_libpq(url, dump.parent)}", str(dump)])


def _media_files(media_root: str, leave_out: Iterable[str]) -> list[tuple[str, str]]:
    """(archive name, path) of every file under media_root but the folders left out and unfinished writes."""
    skipped = {os.path.realpath(folder) for folder in leave_out}
    files = []
    for folder, subfolders, names in os.walk(media_root):
        subfolders[:] = sorted(d for d in subfolders if os.path.realpath(os.path.join(folder, d)) not in skipped)
        for name in sorted(names):
            if is_temp_name(name):
                continue
            path = os.path.join(folder, name)
            relative = PurePosixPath(*Path(os.path.relpath(path, media_root)).parts)
            files.append((f"{MEDIA}/{relative}", path))
    return files


def _add_file(archive: tarfile.TarFile, name: str, path: str) -> ArchivedFile:
    with open(path, "rb") as file:
        status = os.fstat(file.fileno())
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = status.st_size, int(status.st_mtime), 0o644
        reader = _HashingReader(file)
        archive.addfile(info, reader)
    return ArchivedFile(name, info.size, reader.digest.hexdigest())


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(dt.datetime.now().timestamp()), 0o644
    archive.addfile(info, io.BytesIO(data))


def _safe_member_name(member: tarfile.TarInfo) -> str:
    """The member's name, if it is a plain file this format writes; an archive never writes outside staging."""
    name = member.name
    path = PurePosixPath(name)
    allowed = name in (MANIFEST, SQLITE_DATABASE, POSTGRESQL_DATABASE, LEXICON) or (
        len(path.parts) > 1 and path.parts[0] == MEDIA
    )
    if not member.isfile() or path.is_absolute() or ".." in path.parts or "\\" in name or not allowed:
        raise BackupError(f"tệp nén có mục không hợp lệ: {name!r}")
    return name


def _place(staged: Path, target: Path) -> None:
    """Move a checked file into place whole: a rename on one filesystem, a copy under a temporary name across."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(staged, target)
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
        with open(staged, "rb") as source, atomic_file(target) as out:
            shutil.copyfileobj(source, out, _CHUNK)

