"""Command-line tools for content: demo content, importing articles (and queueing their audio and PDFs)."""
import datetime as dt

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from commands.database import ready_database
from extensions import db
from models import Article
from services.demo.seed import seed_demo
from services.content.articles import published_articles
from services.content.importer import import_articles
from services.infra.jobs import BACKGROUND, InProcessQueue
from web.background import queue_generation
from web.site_services import site_services


@click.command("seed-demo")
@click.option("--articles", "article_count", default=3500, show_default=True, type=click.IntRange(0, 100_000))
@click.option("--if-empty", is_flag=True, help="Do nothing when articles already exist.")
@with_appcontext
def seed_demo_command(article_count, if_empty):
    """Create deterministic demo articles, photos, videos and links."""
    ready_database()
    if if_empty and db.session.execute(select(func.count(Article.id))).scalar_one():
        click.echo("Đã có bài viết; bỏ qua dữ liệu mẫu.")
        return
    with click.progressbar(length=article_count, label="Tạo bài viết mẫu") as bar:
        report = seed_demo(current_app.config["MEDIA_ROOT"], article_count, progress=bar.update,
                           store=site_services().media)
    click.echo(f"Đã tạo {report.articles} bài viết, {report.photos} ảnh, {report.videos} video, {report.links} liên kết.")


@click.command("import-articles")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--no-audio-pdf", "skip_generation", is_flag=True,
              help="Do not queue the audio and PDFs of new and changed articles.")
@with_appcontext
def import_articles_command(path, skip_generation):
    """Import articles from a JSON Lines file (see README); new and changed articles get their audio and PDF
    queued, so their first listener and printer do not wait."""
    ready_database()
    started = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    report = import_articles(path, current_app.config["MEDIA_ROOT"], site_services().media)
    if not skip_generation and (report.created or report.updated):
        _queue_generation_of_changes(started)
    for line_number, message in report.warnings:
        click.echo(f"Dòng {line_number}: cảnh báo: {message}", err=True)
    for line_number, message in report.errors:
        click.echo(f"Dòng {line_number}: bỏ qua: {message}", err=True)
    click.echo(
        f"Thêm mới {report.created}, cập nhật {report.updated}, không đổi {report.unchanged}, "
        f"lỗi {len(report.errors)}."
    )
    if report.errors:
        raise SystemExit(1)


def _queue_generation_of_changes(since: dt.datetime) -> None:
    """Queue the audio and PDF of the published articles created or changed since `since`."""
    changed = db.session.execute(published_articles().where(Article.updated_at >= since)).scalars().all()
    queued, left_out = queue_generation(changed, BACKGROUND)
    jobs = site_services().jobs
    if isinstance(jobs, InProcessQueue):
        # No Redis: the jobs run in this process, so the command waits for them before it exits.
        click.echo(f"Đang tạo âm thanh và PDF cho {len(changed)} bài…")
        jobs.drain()
    else:
        click.echo(f"Đã xếp {queued} việc tạo âm thanh và PDF vào hàng đợi (flask worker sẽ làm).")
    if left_out:
        click.echo(f"Hàng đợi đã đầy: {left_out} bài chưa được xếp; chạy `flask tts prewarm` và "
                   "`flask pdf prewarm` để tạo sau.", err=True)
