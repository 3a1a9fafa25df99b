"""`flask pdf`: rendering article PDFs ahead of time and pruning old ones."""
import click
from flask.cli import with_appcontext

from services.content.articles import latest_published
from web.site_services import site_services


@click.group("pdf")
def pdf_group():
    """The PDF cache of "In": render ahead of time, prune old files."""


@pdf_group.command("prewarm")
@click.option("--latest", default=50, show_default=True, type=click.IntRange(1, 100_000),
              help="How many of the newest published articles.")
@with_appcontext
def prewarm_command(latest):
    """Render the PDFs of the newest published articles into the cache, so first readers wait for none."""
    pdfs = site_services().pdfs
    articles = latest_published(latest)
    with click.progressbar(length=len(articles), label="Tạo tệp PDF", show_pos=True) as bar:
        report = pdfs.prewarm(articles, progress=bar.update)
    click.echo(f"Đã tạo {report.made} tệp PDF, {report.already} tệp đã có sẵn, {len(report.failed)} lỗi.")
    for slug, reason in report.failed:
        click.echo(f"Lỗi khi tạo PDF cho {slug}: {reason}", err=True)
    if report.failed:
        raise SystemExit(1)


@pdf_group.command("prune")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 3650),
              help="Delete cached PDFs rendered longer ago than this.")
@with_appcontext
def prune_command(days):
    """Delete old cached PDFs now (the cache also keeps itself within PDF_CACHE_MAX_BYTES by itself)."""
    report = site_services().pdfs.cache.prune(older_than_seconds=days * 86400)
    click.echo(f"Đã xóa {report.removed_files} tệp PDF cũ.")
