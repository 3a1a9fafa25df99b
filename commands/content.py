"""Command-line tools for content: schema, demo content, importing articles."""
import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from extensions import db
from models import Article
from services.demo import seed_demo
from services.importer import import_articles
from services.schema import create_schema


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create missing tables (never drops anything)."""
    create_schema()
    click.echo("Cơ sở dữ liệu đã sẵn sàng.")


@click.command("seed-demo")
@click.option("--articles", "article_count", default=3500, show_default=True, type=click.IntRange(0, 100_000))
@click.option("--if-empty", is_flag=True, help="Do nothing when articles already exist.")
@with_appcontext
def seed_demo_command(article_count, if_empty):
    """Create deterministic demo articles, photos, videos and links."""
    create_schema()
    if if_empty and db.session.execute(select(func.count(Article.id))).scalar_one():
        click.echo("Đã có bài viết; bỏ qua dữ liệu mẫu.")
        return
    with click.progressbar(length=article_count, label="Tạo bài viết mẫu") as bar:
        report = seed_demo(current_app.config["MEDIA_ROOT"], article_count, progress=bar.update)
    click.echo(f"Đã tạo {report.articles} bài viết, {report.photos} ảnh, {report.videos} video, {report.links} liên kết.")


@click.command("import-articles")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_articles_command(path):
    """Import articles from a JSON Lines file (see README)."""
    create_schema()
    report = import_articles(path, current_app.config["MEDIA_ROOT"])
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
