"""The site's bulletin desk (made once per app from its settings), the jobs that make a bulletin's audio, an
editor's Nghe thử of its start and its notice-board print off the request path, and queueing them."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app, render_template

from extensions import db
from services.bulletin.audio import BulletinAudio, FileTags, bulletin_cache
from services.bulletin.composition import BulletinDesk, BulletinSettings
from services.bulletin.notice import NOTICE_TEMPLATE, NoticePdfs
from services.feeds.cover import cover_png
from services.infra.files import RedisLocks
from services.infra.jobs import BACKGROUND, URGENT, Job, QueueFull, QueueUnavailable
from services.infra.logs import current_request_id
from services.infra.static_files import StaticFiles
from services.printing.render import PdfRenderError
from services.speech import SpeechError
from web.assets import static_files
from web.site_services import site_services
from web.urls import public_url

MAKE_TASK = "web.bulletins:make_bulletin"
PREVIEW_TASK = "web.bulletins:make_bulletin_preview"
NOTICE_TASK = "web.bulletins:make_bulletin_notice"
NOTICE_STYLESHEET = "css/notice.css"
COVER_TAG_PIXELS = 600


def bulletin_desk() -> BulletinDesk:
    """The current app's bulletin desk."""
    return current_app.extensions["docbai_bulletins"]


def notice_pdfs() -> NoticePdfs:
    """The current app's notice-board prints of bulletins."""
    return current_app.extensions["docbai_bulletin_notices"]


def init_bulletins(app) -> None:
    """Make the app's bulletin desk (its audio in BULLETIN_CACHE_DIR, voiced by the site's narrator) and its
    notice-board prints (in the PDF cache)."""
    config = app.config
    services = app.extensions["docbai"]
    speech = services.speech
    shared_locks = RedisLocks(services.redis) if services.redis is not None else None
    hour, minute = (int(part) for part in config["BULLETIN_TIME"].split(":"))
    settings = BulletinSettings(
        station=config["BULLETIN_STATION"],
        place=config["BULLETIN_PLACE"],
        opening=config["BULLETIN_OPENING"],
        closing=config["BULLETIN_CLOSING"],
        zone=ZoneInfo(config["TIMEZONE"]),
        time=dt.time(hour, minute),
        minutes=config["BULLETIN_MINUTES"],
        auto_publish=config["BULLETIN_AUTO_PUBLISH"],
    )
    station = config["BULLETIN_STATION"]
    tags = FileTags(station=station, album=f"Bản tin — {config['SITE_NAME']}",
                    cover_png=lambda: cover_png("Bản tin", station, COVER_TAG_PIXELS))
    audio = BulletinAudio(
        speech.narrator,
        bulletin_cache(config["BULLETIN_CACHE_DIR"], config["BULLETIN_CACHE_MAX_BYTES"], shared_locks,
                       services.bucket),
        config["BULLETIN_JINGLES_DIR"],
        tags,
        article_url=lambda slug: public_url("reading.article", slug=slug),
    )
    app.extensions["docbai_bulletins"] = BulletinDesk(speech, audio, settings)
    templates = StaticFiles(app.root_path + "/" + app.template_folder)
    app.extensions["docbai_bulletin_notices"] = NoticePdfs(
        services.pdfs.cache,
        services.pdfs.site,
        lambda **context: render_template(NOTICE_TEMPLATE, **context),
        lambda: (templates.fingerprint(NOTICE_TEMPLATE) or "", static_files().fingerprint(NOTICE_STYLESHEET) or ""),
        config["SITE_URL"].rstrip("/") + app.static_url_path + "/" + NOTICE_STYLESHEET,
        config["PDF_RENDER_TIMEOUT"],
        station,
    )


def bulletin_job(day: dt.date, by_rule: bool = False, priority: int = BACKGROUND) -> Job:
    """The job that makes a day's bulletin as it is composed now (by_rule: composed by the daily rule first)."""
    desk = bulletin_desk()
    bulletin = desk.bulletin(day)
    version = desk.audio.key(desk.script(bulletin))[:16] if bulletin is not None and bulletin.items else "new"
    return Job(f"bulletin-{day.isoformat()}-{'rule' if by_rule else 'as-is'}-{version}", MAKE_TASK,
               (day.isoformat(), by_rule), priority)


def make_bulletin(day_iso: str, by_rule: bool = False) -> None:
    """Job: compose the day's bulletin by the rule if asked (an editor's stays as it is), then make its audio and
    record it; a failure of the engines is logged, and the next run tries again."""
    desk = bulletin_desk()
    day = dt.date.fromisoformat(day_iso)
    bulletin = desk.compose_by_rule(day) if by_rule else desk.bulletin(day)
    db.session.commit()
    if bulletin is None or not bulletin.items:
        current_app.logger.info("No bulletin for %s: nothing to read", day_iso)
        return
    try:
        desk.make(bulletin)
    except SpeechError as error:
        current_app.logger.warning("Bulletin of %s not made: %s", day_iso, error)
        db.session.rollback()
        return
    db.session.commit()


def preview_key(day: dt.date, items: int) -> str | None:
    """The file key of the day's Nghe thử (its opening and first items as composed now), or None without items."""
    desk = bulletin_desk()
    bulletin = desk.bulletin(day)
    if bulletin is None or not bulletin.items:
        return None
    return desk.audio.key(desk.script(bulletin).first_items(items))


def preview_job(day: dt.date, items: int, key: str) -> Job:
    """The job that makes the day's Nghe thử whose file is key, for an editor waiting for it."""
    return Job(f"bulletin-preview-{day.isoformat()}-{items}-{key[:16]}", PREVIEW_TASK, (day.isoformat(), items),
               URGENT, current_request_id())


def prepare_preview(day: dt.date, items: int) -> None:
    """Queue the day's Nghe thử as it reads now unless it is made (or failed just now): after an editor's change,
    so the player starts at once when pressed. A full queue only means the press waits for it."""
    key = preview_key(day, items)
    cache = bulletin_desk().audio.cache
    if key is None or cache.get(key) is not None or cache.failure(key) is not None:
        return
    try:
        site_services().jobs.enqueue(preview_job(day, items, key))
    except (QueueFull, QueueUnavailable) as error:
        current_app.logger.info("Preview of bulletin %s not queued ahead: %s", day, error)


def make_bulletin_preview(day_iso: str, items: int) -> None:
    """Job: make the day's Nghe thử as the bulletin reads now (off the web worker: decoding and encoding need
    numpy and lameenc); a failure of the engines is remembered, so the waiting editor hears of it at once."""
    desk = bulletin_desk()
    bulletin = desk.bulletin(dt.date.fromisoformat(day_iso))
    if bulletin is None or not bulletin.items:
        return
    script = desk.script(bulletin).first_items(items)
    try:
        desk.audio.make(script)
    except SpeechError as error:
        current_app.logger.warning("Preview of bulletin %s not made: %s", day_iso, error)
        desk.audio.cache.remember_failure(desk.audio.key(script), str(error))


def notice_job(day: dt.date) -> Job:
    """The job that renders a day's notice-board print as the bulletin reads now."""
    bulletin = bulletin_desk().bulletin(day)
    key = notice_pdfs().key(bulletin, public_url("bulletins.bulletin", day=day.isoformat()))
    return Job(f"bulletin-notice-{day.isoformat()}-{key[:16]}", NOTICE_TASK, (day.isoformat(),))


def make_bulletin_notice(day_iso: str) -> None:
    """Job: render the day's notice-board print into the PDF cache (a failure is remembered there)."""
    day = dt.date.fromisoformat(day_iso)
    bulletin = bulletin_desk().bulletin(day)
    if bulletin is None or not bulletin.items:
        return
    try:
        notice_pdfs().get_or_render(bulletin, public_url("bulletins.bulletin", day=day_iso))
    except PdfRenderError as error:
        current_app.logger.warning("Notice of bulletin %s not rendered: %s", day_iso, error)


def queue_making(day: dt.date, by_rule: bool = False) -> bool:
    """Queue the job that makes the day's bulletin; False when the same job is already queued or running."""
    return site_services().jobs.enqueue(bulletin_job(day, by_rule))
