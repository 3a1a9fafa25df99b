"""Backups: `flask backup` and `flask restore` carry a whole site — every row, every media file, the lexicon —
into an empty one, on SQLite and PostgreSQL; a damaged archive is refused before anything changes."""
import datetime as dt
import hashlib
import io
import json
import os
import stat
import tarfile
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app, database_url_with_driver
from commands.database import database_revision, head_revision
from extensions import db
from models import Article, Category, Figure, Link, PhotoItem, Video
from services.infra import backup
from services.newsroom.lexicon import export_tsv
from services.search.index import search_articles
from services.search.text import parse_query
from support import add_lexicon_entries

POSTGRESQL_URL = os.environ.get("TEST_DATABASE_URL")  # db_app's PostgreSQL run skips itself without it
TERRACES = "ruong-bac-thang-mu-cang-chai"
LEXICON = "BCH\tBan Chỉ huy\nĐTĐL\tĐoàn thanh niên Đồng Lâm\n"
MEDIA = {
    "images/ruong-bac-thang.jpg": b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40,
    "images/que-kho.png": b"\x89PNG\r\n\x1a\n" + os.urandom(3000),
    "ảnh/Chợ phiên Bắc Hà.webp": b"RIFF" + os.urandom(500),
    "videos/hoa-ban.mp4": os.urandom(10_000),
}


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=[str(arg) for arg in args])


def _ok(app, *args):
    result = _cli(app, *args)
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def _fill(app):
    """A site with Vietnamese content, media files, the editors' lexicon, and what a backup leaves out."""
    with app.app_context():
        news = Category(name="Tin tức - Sự kiện", slug="tin-tuc-su-kien", position=1)
        terraces = Article(
            title="Mùa lúa chín trên ruộng bậc thang Mù Cang Chải", slug=TERRACES, summary="Du khách đổ về.",
            body_html='<p>Hơn 12.500 lượt khách.</p><figure><img src="/media/images/ruong-bac-thang.jpg" alt="">'
                      "</figure>",
            author="Lò Thị Xuân", published_at=dt.datetime(2023, 9, 16, 1, 30, tzinfo=dt.timezone.utc),
            views=1523, external_id="ubnd-2023-0916", category=news,
            figures=[Figure(image_path="images/ruong-bac-thang.jpg", alt="Ruộng bậc thang", caption="Lúa chín.",
                            width=800, height=533)],
        )
        cinnamon = Article(
            title="Giá quế và thảo quả tăng mạnh", slug="gia-que", summary="", body_html="<p>Tăng 12,5%.</p>",
            author="Quang Huy", published_at=dt.datetime(2023, 10, 2, 7, 14, tzinfo=dt.timezone.utc), views=87,
            category=news,
        )
        db.session.add_all([
            terraces, cinnamon,
            PhotoItem(title="Chợ phiên Bắc Hà", image_path="ảnh/Chợ phiên Bắc Hà.webp", caption="", width=1024,
                      height=683, taken_at=dt.datetime(2023, 8, 5, 23, 45, tzinfo=dt.timezone.utc)),
            Video(title="Lễ hội hoa ban", file_path="videos/hoa-ban.mp4", duration_seconds=184,
                  published_at=dt.datetime(2023, 3, 12, 2, tzinfo=dt.timezone.utc)),
            Link(title="Dịch vụ công quốc gia", url="https://dichvucong.gov.vn", position=1),
        ])
        db.session.commit()
    media_root = Path(app.config["MEDIA_ROOT"])
    for name, data in MEDIA.items():
        (media_root / name).parent.mkdir(parents=True, exist_ok=True)
        (media_root / name).write_bytes(data)
    # Made again by the site, so never archived: an image variant, a write still under way, the audio cache.
    (media_root / "_sizes/480/images").mkdir(parents=True)
    (media_root / "_sizes/480/images/ruong-bac-thang.jpg.webp").write_bytes(b"variant")
    (media_root / "images/.tmp-1234-abc.tmp").write_bytes(b"half")
    Path(app.config["AUDIO_CACHE_DIR"], "bai.mp3").write_bytes(b"audio")
    add_lexicon_entries(app, LEXICON)
    _ok(app, "db", "stamp", "head")


def _tables(app):
    """Every row of every table the database holds (search index, migration revision and all)."""
    with app.app_context(), db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":  # the FTS5 index's shadow tables too
            names = [row[0] for row in connection.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'table'"))]
        else:
            names = sa.inspect(connection).get_table_names()
        return {name: sorted((tuple(row) for row in connection.execute(sa.text(f'SELECT * FROM "{name}"'))), key=repr)
                for name in names}


def _media(app):
    root = Path(app.config["MEDIA_ROOT"])
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def _found(app, words):
    with app.app_context():
        return [article.slug for article in db.session.execute(search_articles(parse_query(words))).scalars()]


@pytest.fixture
def empty_site(db_app, tmp_path, monkeypatch, build_app):
    """A second site, on an empty database of db_app's engine, to restore into. On PostgreSQL, a database of
    its own, whose search path names db_app's schema (a dump restores into the schema it came from)."""
    target_path = tmp_path / "target"
    if db_app.config["TEST_BACKEND"] == "sqlite":
        builder = build_app(target_path, monkeypatch, "sqlite", create_tables=False)
        yield next(builder)
        next(builder, None)
        return
    with db_app.app_context(), db.engine.connect() as connection:
        schema = connection.execute(sa.text("SELECT current_schema()")).scalar_one()
    name = "restore_" + uuid.uuid4().hex[:12]
    server = sa.make_url(database_url_with_driver(POSTGRESQL_URL))
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {name}"))
    monkeypatch.setenv("INSTANCE_PATH", str(target_path / "instance"))
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test", "TTS_ENGINE": "espeak",
        "SQLALCHEMY_DATABASE_URI": server.set(database=name).render_as_string(hide_password=False),
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema},public"}},
    })
    app.config["TEST_BACKEND"] = "postgresql"
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE {name} WITH (FORCE)"))
        admin.dispose()


def test_a_backup_restores_into_an_empty_site_row_for_row_and_byte_for_byte(db_app, empty_site, tmp_path):
    _fill(db_app)
    archive = tmp_path / "sao-luu.tar.gz"
    output = _ok(db_app, "backup", archive)
    assert "Đã sao lưu vào" in output and "4 tệp media" in output and "có 2 mục từ điển" in output
    assert not [name for name in os.listdir(tmp_path) if name.startswith(".tmp-")]
    with tarfile.open(archive) as opened:
        names = opened.getnames()
        manifest = json.loads(opened.extractfile("manifest.json").read())
        stored = {name: opened.extractfile(name).read() for name in names if name != "manifest.json"}
    with db_app.app_context():
        assert manifest["revision"] == head_revision()
    assert manifest["format"] == "docbai-backup" and manifest["version"] == 1
    assert manifest["dialect"] == db_app.config["TEST_BACKEND"]
    assert dt.datetime.fromisoformat(manifest["created_at"]).tzinfo is not None
    assert names[-1] == "manifest.json"
    assert {entry["path"]: (entry["size"], entry["sha256"]) for entry in manifest["files"]} == {
        name: (len(data), hashlib.sha256(data).hexdigest()) for name, data in stored.items()}
    database_file = "database.sqlite3" if manifest["dialect"] == "sqlite" else "database.pgdump"
    # The editors' lexicon is a table of the database: the archive holds no file of it.
    assert sorted(stored) == sorted([database_file] + [f"media/{name}" for name in MEDIA])

    output = _ok(empty_site, "restore", archive)
    assert "Đã khôi phục" in output and "2 bài viết" in output and "4 tệp media" in output
    assert "phiên bản mới nhất" in output
    assert _tables(empty_site) == _tables(db_app)
    assert _media(empty_site) == {name: data for name, data in MEDIA.items()}
    assert not Path(empty_site.config["ABBREVIATIONS_FILE"]).exists()
    with empty_site.app_context():
        assert export_tsv().splitlines()[1:] == LEXICON.splitlines()
    assert not any(name.startswith(".restore-") for name in os.listdir(empty_site.instance_path))
    with empty_site.app_context():
        assert database_revision() == head_revision()
    assert _found(empty_site, "mu cang chai") == [TERRACES]
    # The restored site goes on: the next article takes the next id and is found.
    with empty_site.app_context():
        article = Article(title="Khai trương chợ phiên Sán Chải", slug="cho-phien-san-chai", summary="",
                          body_html="<p>Chợ họp sáng Chủ nhật.</p>", author="Thu Hà",
                          published_at=dt.datetime(2024, 1, 7, tzinfo=dt.timezone.utc))
        db.session.add(article)
        db.session.commit()
        assert article.id == 3
    assert _found(empty_site, "san chai") == ["cho-phien-san-chai"]


def test_restore_refuses_a_site_with_articles_unless_forced(db_app, empty_site, tmp_path):
    _fill(db_app)
    archive = tmp_path / "sao-luu.tar.gz"
    _ok(db_app, "backup", archive)
    _ok(empty_site, "restore", archive)
    with empty_site.app_context():
        db.session.execute(sa.update(Article).values(views=0))
        db.session.commit()
    refused = _cli(empty_site, "restore", archive)
    assert refused.exit_code == 1
    assert "đã có 2 bài viết" in refused.output and "--force" in refused.output
    with empty_site.app_context():
        assert db.session.execute(sa.select(sa.func.sum(Article.views))).scalar_one() == 0
    _ok(empty_site, "restore", "--force", archive)
    assert _tables(empty_site) == _tables(db_app)


def _rewritten(archive: Path, target: Path, change) -> Path:
    """A copy of archive whose members pass through change(name, data) -> (name, data), or None to drop it."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as out:
        for member in source:
            changed = change(member.name, source.extractfile(member).read())
            if changed is not None:
                info = tarfile.TarInfo(changed[0])
                info.size = len(changed[1])
                out.addfile(info, io.BytesIO(changed[1]))
    return target


def _flip_a_media_byte(archive, folder):
    def change(name, data):
        return (name, bytes([data[0] ^ 1]) + data[1:]) if name == "media/videos/hoa-ban.mp4" else (name, data)

    return _rewritten(archive, folder / "x.tar.gz", change)


def _without(member):
    return lambda archive, folder: _rewritten(
        archive, folder / "x.tar.gz", lambda name, data: None if name == member else (name, data))


def _escaping(archive, folder):
    def change(name, data):
        return ("media/../../thoat.txt" if name == "media/videos/hoa-ban.mp4" else name), data

    return _rewritten(archive, folder / "x.tar.gz", change)


def _cut_in_half(archive, folder):
    half = folder / "x.tar.gz"
    half.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    return half


@pytest.mark.parametrize(("damage", "message"), [
    (_flip_a_media_byte, "tệp media/videos/hoa-ban.mp4 không khớp bảng kê"),
    (_without("media/videos/hoa-ban.mp4"), "thiếu tệp media/videos/hoa-ban.mp4"),
    (_without("manifest.json"), "thiếu bảng kê manifest.json"),
    (_escaping, "mục không hợp lệ: 'media/../../thoat.txt'"),
    (_cut_in_half, "hỏng hoặc không đầy đủ"),
], ids=["changed byte", "missing file", "missing manifest", "path outside", "cut short"])
def test_a_damaged_archive_is_refused_before_anything_changes(app, build_app, monkeypatch, tmp_path, damage, message):
    _fill(app)
    archive = tmp_path / "sao-luu.tar.gz"
    _ok(app, "backup", archive)
    damaged = damage(archive, tmp_path)
    builder = build_app(tmp_path / "target", monkeypatch, "sqlite", create_tables=False)
    target = next(builder)
    try:
        result = _cli(target, "restore", damaged)
        assert result.exit_code == 1
        assert "Không khôi phục được" in result.output and message in result.output
        assert _media(target) == {}
        assert not Path(target.config["ABBREVIATIONS_FILE"]).exists()
        with target.app_context(), db.engine.connect() as connection:
            assert sa.inspect(connection).get_table_names() == []
        assert not (tmp_path / "target" / "thoat.txt").exists() and not (tmp_path / "thoat.txt").exists()
        assert not any(name.startswith(".restore-") for name in os.listdir(target.instance_path))
    finally:
        next(builder, None)


def test_a_failed_backup_leaves_the_previous_archive_whole(app, tmp_path, monkeypatch):
    _fill(app)
    archive = tmp_path / "backups" / "sao-luu.tar.gz"
    archive.parent.mkdir()
    archive.write_bytes(b"the archive of yesterday")
    real = backup._media_files
    # A media file that vanishes while the archive is written: the write stops half way.
    monkeypatch.setattr(backup, "_media_files", lambda root, leave_out: real(root, leave_out) + [("media/x", "/nonexistent/x")])
    result = _cli(app, "backup", archive)
    assert result.exit_code != 0
    assert archive.read_bytes() == b"the archive of yesterday"
    assert os.listdir(archive.parent) == ["sao-luu.tar.gz"]


@pytest.mark.parametrize(("revision", "advice"), [
    (None, "(chưa có migration); chạy `flask --app app db upgrade`"),
    ("9999_later", "mới hơn mã nguồn này"),
])
def test_restore_says_what_the_restored_database_needs(app, build_app, monkeypatch, tmp_path, revision, advice):
    _fill(app)
    with app.app_context(), db.engine.begin() as connection:
        if revision is None:
            connection.execute(sa.text("DROP TABLE alembic_version"))
        else:
            connection.execute(sa.text("UPDATE alembic_version SET version_num = :revision"), {"revision": revision})
    archive = tmp_path / "sao-luu.tar.gz"
    _ok(app, "backup", archive)
    builder = build_app(tmp_path / "target", monkeypatch, "sqlite", create_tables=False)
    target = next(builder)
    try:
        assert advice in _ok(target, "restore", archive)
    finally:
        next(builder, None)


def test_the_postgresql_password_never_reaches_the_command_line(tmp_path):
    uri = backup._libpq(sa.make_url("postgresql+psycopg://docbai:m%C3%A2t:kh%5Cau@db.example.vn:5433/docbai"), tmp_path)
    assert "mât" not in uri and "m%C3%A2t" not in uri
    assert uri.startswith("postgresql://docbai@db.example.vn:5433/docbai?")
    passfile = tmp_path / ".pgpass"
    assert f"passfile={passfile}" in uri.replace("%2F", "/") and "connect_timeout=10" in uri
    assert passfile.read_text(encoding="utf-8") == "*:*:*:*:mât\\:kh\\\\au\n"
    assert stat.S_IMODE(passfile.stat().st_mode) == 0o600
