"""`flask storage`: moving an instance's files to the bucket of STORAGE_BACKEND=s3."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from services.infra.storage import StorageUnavailable
from services.infra.storage_migration import MigrationReport, copy_folder, is_cache_file
from services.media.images import VARIANTS_FOLDER
from services.media.store import MEDIA_FOLDER
from web.site_services import site_services


@click.group("storage")
def storage_group():
    """The object store (STORAGE_BACKEND=s3)."""


@storage_group.command("migrate")
@click.option("--caches", is_flag=True, help="Copy the made audio, PDFs and bulletins too (else they are made again).")
@with_appcontext
def migrate_command(caches):
    """Copy the media (and with --caches the file caches) from this instance's folders to the bucket, verifying
    each file's size and hashes; files the bucket already holds are skipped, so an interrupted run is resumed by
    running it again."""
    services = site_services()
    if services.storage is None:
        raise click.ClickException("STORAGE_BACKEND không phải s3: chưa có kho lưu trữ để chép sang.")
    config = current_app.config
    report = MigrationReport()
    # Resized images are made again from their source by each host (services.media.images): not copied.
    folders = [(config["MEDIA_ROOT"], MEDIA_FOLDER, lambda name: not name.startswith(VARIANTS_FOLDER + "/"))]
    if caches:
        folders += [(config[setting], folder, is_cache_file) for setting, folder in
                    (("AUDIO_CACHE_DIR", "audio"), ("PDF_CACHE_DIR", "pdf"), ("BULLETIN_CACHE_DIR", "bulletins"))]
    try:
        for folder, name, wanted in folders:
            click.echo(f"{folder} → {services.storage.child(name).describe()}")
            copy_folder(folder, services.storage.child(name), wanted, report)
    except StorageUnavailable as error:
        raise click.ClickException(
            f"Kho lưu trữ không truy cập được ({error}). Đã chép {report.copied} tệp; chạy lại lệnh để tiếp tục."
        ) from None
    click.echo(f"Đã chép {report.copied} tệp ({report.copied_bytes} byte); {report.already} tệp đã có sẵn.")
    for name, problem in report.failed:
        click.echo(f"Lỗi kiểm tra {name}: {problem}", err=True)
    if report.failed:
        raise SystemExit(1)
