"""`flask bulletin`: the daily bulletin from the command line — compose and make a day's bulletin (what an editor's
screen does, for a site without accounts), list them, and run the daily schedule."""
import datetime as dt
import shutil
import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from extensions import db
from models import Article, Bulletin
from services.bulletin.composition import EDITOR, PUBLISHED, BulletinError
from services.bulletin.schedule import TICK_SECONDS, latest_due_day, run_schedule, schedule_lock
from services.bulletin.script import READING_LABELS, READINGS
from services.speech import SpeechError
from services.content.formatting import vietnamese_number
from web.bulletins import bulletin_desk, queue_making
from web.site_services import site_services


@click.group("bulletin")
def bulletin_group():
    """The daily bulletin (bản tin truyền thanh): make one, list them, run the daily schedule."""


def _day(value):
    if value is None:
        settings = bulletin_desk().settings
        return dt.datetime.now(settings.zone).date()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("ngày phải có dạng YYYY-MM-DD, ví dụ 2026-12-07") from None


def _articles(slugs: str) -> list[Article]:
    wanted = [slug.strip() for slug in slugs.split(",") if slug.strip()]
    found = {article.slug: article for article in db.session.execute(
        select(Article).where(Article.slug.in_(wanted), Article.status == "published")).scalars()}
    if missing := [slug for slug in wanted if slug not in found]:
        raise click.BadParameter(f"không có bài đã đăng: {', '.join(missing)}", param_hint="--articles")
    return [found[slug] for slug in wanted]


def _readings(values, articles) -> dict[int, str]:
    by_slug = {article.slug: article.id for article in articles}
    readings = {}
    for value in values:
        slug, _, reading = value.partition("=")
        if slug not in by_slug or reading not in READINGS:
            raise click.BadParameter(f"{value!r}: cần SLUG=CÁCH với SLUG trong --articles và CÁCH là "
                                     f"{', '.join(READINGS)}", param_hint="--reading")
        readings[by_slug[slug]] = reading
    return readings


@bulletin_group.command("make")
@click.option("--date", "day", metavar="YYYY-MM-DD", help="The bulletin's day (today in TIMEZONE by default).")
@click.option("--articles", metavar="SLUG,…",
              help="Exactly these articles in this order; without it, the daily rule picks them.")
@click.option("--reading", "readings", multiple=True, metavar="SLUG=CÁCH",
              help="Read an article of --articles as summary, lead (first paragraphs) or whole.")
@click.option("--opening", help="The bulletin's own opening ({station}, {place} and {date} are filled in).")
@click.option("--publish/--draft", default=None,
              help="Publish it, or keep it a draft (default: --articles publishes; the rule as BULLETIN_AUTO_PUBLISH).")
@click.option("--preview", type=click.Path(dir_okay=False), help="Also write the opening and first item to this MP3.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Also copy the bulletin's MP3 here.")
@with_appcontext
def make_command(day, articles, readings, opening, publish, preview, output):
    """Compose a day's bulletin and make its MP3 now (the same composition gives the same file)."""
    desk = bulletin_desk()
    day = _day(day)
    try:
        if articles:
            chosen = _articles(articles)
            bulletin = desk.compose(day, chosen, _readings(readings, chosen))
            if publish is None:
                publish = True
        else:
            if readings:
                raise click.UsageError("--reading chỉ dùng cùng --articles.")
            bulletin = desk.compose_by_rule(day)
            if bulletin is None:
                raise click.ClickException(f"Không có bài nào đăng trong 24 giờ trước {desk.settings.time:%H:%M} "
                                           f"ngày {day:%d/%m/%Y} để làm bản tin.")
        if opening is not None:
            desk.set_opening(bulletin, opening)
        if publish is True:
            desk.publish(bulletin)
        elif publish is False:
            desk.unpublish(bulletin)
        db.session.commit()
        if preview:
            shutil.copyfile(desk.preview(bulletin).path, preview)
        made = desk.make(bulletin)
        db.session.commit()
    except BulletinError as error:
        raise click.ClickException(str(error)) from None
    except SpeechError as error:
        raise click.ClickException(f"Không tạo được âm thanh: {error}") from None
    if output:
        shutil.copyfile(made.path, output)
    for item in bulletin.items:
        click.echo(f"{item.start_seconds or 0:7.1f} s  {READING_LABELS[item.reading]:<13} {item.article.title}")
    state = "đã đăng" if bulletin.status == PUBLISHED else "bản nháp"
    click.echo(f"Bản tin {day:%d/%m/%Y} ({state}): {len(bulletin.items)} tin, {made.duration_seconds / 60:.1f} phút, "
               f"{vietnamese_number(made.size_bytes)} byte, giọng {made.engine}.")


@bulletin_group.command("list")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000))
@with_appcontext
def list_command(limit):
    """The latest bulletins: day, state, items, length, who composed them."""
    bulletins = db.session.execute(select(Bulletin).order_by(Bulletin.day.desc()).limit(limit)).scalars()
    for bulletin in bulletins:
        length = f"{bulletin.duration_seconds / 60:.1f} phút" if bulletin.duration_seconds else "chưa làm"
        who = "biên tập" if bulletin.composed_by == EDITOR else "tự động"
        state = "đã đăng" if bulletin.status == PUBLISHED else "bản nháp"
        click.echo(f"{bulletin.day.isoformat()}  {state:<8} {len(bulletin.items):>2} tin  {length:<10} {who}")


def schedule_tick() -> None:
    """One minute of the schedule: the latest due day's bulletin composed by the rule and, unless its audio is
    what it reads now, its making queued."""
    desk = bulletin_desk()
    settings = desk.settings
    day = latest_due_day(dt.datetime.now(dt.timezone.utc), settings.zone, settings.time)
    bulletin = desk.compose_by_rule(day)
    db.session.commit()
    if bulletin is not None and not desk.is_current(bulletin):
        if queue_making(day):
            current_app.logger.info("Bulletin of %s queued", day)
    db.session.remove()  # the next minute reads the articles afresh


@bulletin_group.command("schedule")
@click.option("--once", is_flag=True, help="Look once and stop (for a systemd timer or cron) instead of every minute.")
@with_appcontext
def schedule_command(once):
    """Make the day's bulletin at BULLETIN_TIME, and a new version when an article changes; run one per site
    (with REDIS_URL, start it on any hosts: one holds the lock, another takes over if it dies)."""
    services = site_services()
    if once:
        schedule_tick()
        _drain(services)
        return
    stop = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda *_: stop.set())
    lock_file = current_app.instance_path + "/bulletin-schedule.lock"
    click.echo(f"Bản tin làm lúc {bulletin_desk().settings.time:%H:%M} mỗi ngày; đang theo dõi.")
    run_schedule(schedule_tick, lambda: schedule_lock(services.redis, lock_file, TICK_SECONDS), stop)


def _drain(services) -> None:
    drain = getattr(services.jobs, "drain", None)
    if drain is not None:  # without Redis the job runs in this process: wait for it before exiting
        drain()
