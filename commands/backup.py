"""`flask backup` and `flask restore`: the whole site — database (the editors' lexicon included), media — in one
archive."""
import os
import tempfile

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from commands.database import database_revision, head_revision, migration_scripts
from extensions import db
from services.infra.backup import (
    MEDIA,
    BackupError,
    restore_database,
    restore_files,
    unpack_backup,
    write_backup,
)
from services.media.images import VARIANTS_FOLDER
from web.site_services import site_services


def _count(table: str) -> int:
    with db.engine.connect() as connection:
        if table not in sa.inspect(connection).get_table_names():
            return 0
        return connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


def _article_count() -> int:
    return _count("articles")


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(path):
    """Write the database (the editors' lexicon is a table of it) and the media into one archive (tar.gz) with a manifest of
    SHA-256 hashes; safe while the site runs. Audio, PDFs and resized images are made again, not kept."""
    config = current_app.config
    media_root = config["MEDIA_ROOT"]
    try:
        manifest = write_backup(
            path,
            db.engine,
            database_revision(),
            media_root,
            leave_out=[os.path.join(media_root, VARIANTS_FOLDER), config["AUDIO_CACHE_DIR"], config["PDF_CACHE_DIR"]],
            work_dir=current_app.instance_path,
        )
    except BackupError as error:
        click.echo(f"Không sao lưu được: {error}", err=True)
        raise SystemExit(1)
    media = sum(1 for entry in manifest.files if entry.path.startswith(MEDIA + "/"))
    click.echo(
        f"Đã sao lưu vào {path} ({_size(os.path.getsize(path))}): cơ sở dữ liệu {manifest.dialect} ở phiên bản "
        f"{manifest.revision or '(chưa có migration)'} (có {_count('lexicon_entries')} mục từ điển của biên tập "
        f"viên), {media} tệp media."
    )


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Restore even over a database that has articles (they are replaced).")
@with_appcontext
def restore_command(path, force):
    """Bring a `flask backup` archive back into an empty site: every file is checked against the manifest
    first, then the database, the lexicon and the media are put in place. The database is left at the
    archive's migration: run `flask db upgrade` after, as the command says."""
    articles = _article_count()
    if articles and not force:
        click.echo(
            f"Cơ sở dữ liệu đích đã có {articles} bài viết: chỉ khôi phục vào một trang trống. "
            "Thêm --force để thay toàn bộ dữ liệu hiện có bằng bản sao lưu.",
            err=True,
        )
        raise SystemExit(1)
    config = current_app.config
    db.session.remove()
    try:
        with tempfile.TemporaryDirectory(dir=current_app.instance_path, prefix=".restore-") as staging:
            manifest = unpack_backup(path, staging)
            restore_database(staging, manifest, db.engine)
            media = restore_files(staging, manifest, config["ABBREVIATIONS_FILE"], config["MEDIA_ROOT"])
    except BackupError as error:
        click.echo(f"Không khôi phục được: {error}", err=True)
        raise SystemExit(1)
    # Pages another process cached from the data that was there before are never shown again.
    site_services().content_version.bump()
    site_services().speech.lexicon.changed()
    revision = database_revision()
    click.echo(f"Đã khôi phục từ {path}: {_article_count()} bài viết, {media} tệp media "
               f"(bản sao lưu tạo lúc {manifest.created_at}).")
    click.echo(_revision_advice(revision))


def _revision_advice(revision: str | None) -> str:
    from alembic.util import CommandError

    head = head_revision()
    if revision == head:
        return f"Cơ sở dữ liệu ở phiên bản mới nhất ({head})."
    if revision is not None:
        try:
            migration_scripts().get_revision(revision)
        except CommandError:
            return (f"Cơ sở dữ liệu ở phiên bản {revision}, mới hơn mã nguồn này ({head}): "
                    "hãy cập nhật mã nguồn trước khi chạy trang.")
    return (f"Cơ sở dữ liệu ở phiên bản {revision or '(chưa có migration)'}; chạy "
            f"`flask --app app db upgrade` để nâng cấp lên {head} trước khi chạy trang.")
