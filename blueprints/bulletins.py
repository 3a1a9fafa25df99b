"""Bản tin: the daily bulletins for the commune loudspeakers, the podcast and the notice board.

/ban-tin/moi-nhat.mp3 is the latest bulletin at one address that never moves (a loudspeaker's controller polls it
with If-None-Match and downloads only a new one); /ban-tin/<ngày>.mp3 is each day's own. The audio is made by the
job queue (web.bulletins), never while a request waits; a bulletin is listed once it is published and made.
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, make_response, render_template, request, send_from_directory, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from extensions import db
from models import Bulletin, BulletinItem
from services.bulletin.composition import PUBLISHED
from services.bulletin.script import READING_LABELS, WEEKDAYS, bulletin_title
from services.content.pagination import paginate_clamped, parse_page
from services.content.slugs import ascii_filename
from services.feeds.cover import podcast_cover_path
from services.feeds.rss import AudioEpisode, PodcastInfo, audio_episodes_feed
from services.infra.jobs import QueueFull, QueueUnavailable
from services.printing.render import PdfRenderError
from web import generation
from web.bulletins import bulletin_desk, notice_job, notice_pdfs, queue_making
from web.cached_files import send_cached_file
from web.errors import service_unavailable
from web.htmx import render_page_or_fragment
from web.page_cache import cached_page
from web.urls import public_url

bp = Blueprint("bulletins", __name__)

FEED_BULLETINS = 30
FEED_MAX_AGE = 300
NOTICE_MAX_AGE = 300
# A dated URL with ?v= names bytes that never change; without it (the loudspeakers' address, a plain link) a
# client checks again every time with its ETag, which costs a 304 and no audio.
VERSIONED_MAX_AGE = 7 * 24 * 3600


def _made_bulletins():
    """Published bulletins whose audio is made, newest first, with their items and articles."""
    return (
        select(Bulletin)
        .where(Bulletin.status == PUBLISHED, Bulletin.audio_key.is_not(None))
        .order_by(Bulletin.day.desc())
        .options(selectinload(Bulletin.items).selectinload(BulletinItem.article))
    )


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        abort(404)


def _published_bulletin(text: str) -> Bulletin:
    bulletin = db.session.execute(_made_bulletins().where(Bulletin.day == _day(text))).scalar_one_or_none()
    if bulletin is None:
        abort(404)
    return bulletin


@bp.app_template_filter("clock")
def clock(seconds: float | None) -> str:
    """A position in a bulletin as a player shows it: 3:07, or 1:02:03 past an hour."""
    whole = int(seconds or 0)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


@bp.app_template_global()
def bulletin_links(bulletin: Bulletin) -> dict:
    """URLs of a bulletin for its page: its audio (versioned), download, page, notice-board print."""
    day = bulletin.day.isoformat()
    return {
        "audio": url_for("bulletins.audio", day=day, v=bulletin.audio_key[:16]),
        "download": url_for("bulletins.audio", day=day, tai_ve=1),
        "page": url_for("bulletins.bulletin", day=day),
        "notice": url_for("bulletins.notice_pdf", day=day),
        "notice_view": url_for("bulletins.notice_view", day=day),
    }


@bp.app_template_global()
def bulletin_day_label(day: dt.date) -> str:
    """"Thứ Hai, 07/12/2026"."""
    return f"{WEEKDAYS[day.weekday()].capitalize()}, {day:%d/%m/%Y}"


def _render_page(page_template: str, **context):
    return render_page_or_fragment(page_template, "bulletins/_list.html", reading_labels=READING_LABELS,
                                   list_endpoint="bulletins.index", list_args={}, **context)


@bp.get("/ban-tin/")
def index():
    """The bulletins, newest first, each with its player, its items (a press plays from one) and its print."""

    def render():
        pagination = paginate_clamped(_made_bulletins(), parse_page(request.args.get("trang")),
                                      current_app.config["BULLETINS_PER_PAGE"])
        return _render_page("bulletins/index.html", pagination=pagination), {}

    return cached_page(render)


@bp.get("/ban-tin/<day>")
def bulletin(day):
    """One day's bulletin: its player and items (the page the notice board's QR code leads to)."""

    def render():
        one = _published_bulletin(day)
        response = make_response(render_template("bulletins/bulletin.html", bulletin=one,
                                                 reading_labels=READING_LABELS))
        return response, {}

    return cached_page(render)


def _audio_response(bulletin: Bulletin, path):
    versioned = request.args.get("v") == bulletin.audio_key[:16]
    response = send_cached_file(
        path,
        mimetype="audio/mpeg",
        conditional=True,  # If-None-Match answers 304; Range lets a phone seek and a speaker resume
        etag=bulletin.audio_key,
        download_name=ascii_filename(f"ban-tin-{bulletin.day.isoformat()}", "mp3"),
        as_attachment=request.args.get("tai_ve") == "1",
        max_age=VERSIONED_MAX_AGE if versioned else None,
        last_modified=bulletin.made_at,
    )
    if not versioned:
        response.cache_control.public = True
        response.cache_control.no_cache = True
    return response


def _missing_audio(bulletin: Bulletin):
    """The file was evicted from the cache: queue its making again and say so (the URL stays the same)."""
    try:
        queue_making(bulletin.day)
    except (QueueFull, QueueUnavailable) as error:
        current_app.logger.warning("Bulletin %s not queued: %s", bulletin.day, error)
    return service_unavailable(60, "Đang chuẩn bị bản tin", "Máy chủ đang tạo lại tệp âm thanh của bản tin này. "
                               "Xin thử lại sau ít phút.")


def _send_bulletin(bulletin: Bulletin):
    if bulletin.audio_key in request.if_none_match:
        # The ETag names the bytes: a loudspeaker polling an unchanged bulletin costs no file read.
        response = make_response("", 304)
        response.set_etag(bulletin.audio_key)
        response.cache_control.public = True
        response.cache_control.no_cache = True
        return response
    path = bulletin_desk().audio.cache.get(bulletin.audio_key)
    if path is None:
        return _missing_audio(bulletin)
    return _audio_response(bulletin, path)


@bp.get("/ban-tin/moi-nhat.mp3")
def latest_audio():
    """The latest published bulletin, at an address that never changes, with its ETag (for loudspeakers)."""
    bulletin = db.session.execute(_made_bulletins().limit(1)).scalar_one_or_none()
    if bulletin is None:
        abort(404)
    return _send_bulletin(bulletin)


@bp.get("/ban-tin/<day>.mp3")
def audio(day):
    """A day's bulletin as one MP3 (mono, -16 LUFS, a chapter per item); ?tai_ve=1 saves it."""
    return _send_bulletin(_published_bulletin(day))


@bp.get("/ban-tin/podcast.xml")
def podcast():
    """The bulletins as a podcast: one episode a day, its chapters in the file."""
    config = current_app.config
    bulletins = db.session.execute(_made_bulletins().limit(FEED_BULLETINS)).scalars().all()
    episodes = [
        AudioEpisode(
            title=f"{bulletin_title(bulletin.day)} — {config['BULLETIN_STATION']}",
            description="; ".join(item.article.title for item in bulletin.items),
            page_url=public_url("bulletins.bulletin", day=bulletin.day.isoformat()),
            audio_url=public_url("bulletins.audio", day=bulletin.day.isoformat(), v=bulletin.audio_key[:16]),
            audio_bytes=bulletin.audio_bytes or 0,
            duration_seconds=bulletin.duration_seconds or 0,
            published_at=bulletin.published_at or bulletin.made_at,
            updated_at=bulletin.made_at,
        )
        for bulletin in bulletins
    ]
    info = PodcastInfo(
        title=f"Bản tin — {config['BULLETIN_STATION']}",
        description=f"Bản tin truyền thanh hằng ngày của {config['BULLETIN_PLACE']}, đọc từ các bài của "
                    f"{config['SITE_NAME']}.",
        site_url=public_url("bulletins.index"),
        feed_url=public_url("bulletins.podcast"),
        author=config["BULLETIN_STATION"],
        owner_email=config["PODCAST_OWNER_EMAIL"],
        cover_url=public_url("bulletins.cover"),
        itunes_category="News",
    )
    response = make_response(audio_episodes_feed(info, episodes))
    response.mimetype = "application/rss+xml"
    response.cache_control.public = True
    response.cache_control.max_age = FEED_MAX_AGE
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/ban-tin/bia.png")
def cover():
    """The bulletin podcast's square cover."""
    media_root = current_app.config["MEDIA_ROOT"]
    path = podcast_cover_path(media_root, current_app.config["BULLETIN_STATION"], heading="Bản tin")
    return send_from_directory(media_root, path, max_age=86400)


@bp.get("/ban-tin/<day>/bang-tin")
def notice_view(day):
    """The notice-board print as a page, for the browser's own printing."""
    bulletin = _published_bulletin(day)
    return notice_pdfs().html(bulletin, public_url("bulletins.bulletin", day=day),
                              url_for("static", filename="css/notice.css"))


def _notice_preparing(bulletin, head=False):
    day = bulletin.day.isoformat()
    return generation.preparing_response(
        title="Đang chuẩn bị bản in",
        message=f"Máy chủ đang tạo bản in bảng tin của {bulletin_title(bulletin.day).lower()}. Xin chờ vài giây.",
        file_url=url_for("bulletins.notice_pdf", day=day),
        status_url=url_for("bulletins.notice_status", day=day),
        head=head,
    )


def _notice_failed():
    return service_unavailable(30, "Chưa in được bản tin", "Máy chủ chưa tạo được tệp PDF. Xin thử lại sau.")


@bp.get("/ban-tin/<day>/bang-tin.pdf")
def notice_pdf(day):
    """The bulletin as one A4 page for the notice board: the date, each title with two lines, a QR code."""
    bulletin = _published_bulletin(day)
    notices = notice_pdfs()
    page_url = public_url("bulletins.bulletin", day=day)
    key = notices.key(bulletin, page_url)
    if (path := notices.cached(bulletin, page_url)) is None:
        if request.method == "HEAD":
            return _notice_preparing(bulletin, head=True)
        if notices.failure(bulletin, page_url) is not None:
            return _notice_failed()
        if (refused := generation.refusal_to_start(notice_job(bulletin.day))) is not None:
            return refused
        if (release := generation.take_waiting_slot()) is None:
            return _notice_preparing(bulletin)
        try:
            pdf = notices.wait_for(bulletin, page_url, current_app.config["PDF_WAIT_SECONDS"])
        except PdfRenderError as error:
            current_app.logger.warning("Notice of bulletin %s not rendered: %s", day, error)
            return _notice_failed()
        finally:
            release()
        if pdf is None:
            return _notice_preparing(bulletin)
        path = pdf.path
    return send_cached_file(path, mimetype="application/pdf", etag=key, max_age=NOTICE_MAX_AGE, conditional=True,
                            download_name=ascii_filename(f"bang-tin-{day}", "pdf"))


@bp.get("/ban-tin/<day>/bang-tin.pdf/trang-thai")
def notice_status(day):
    """Whether the notice-board print is ready: the self-replacing status of its "đang chuẩn bị" page."""
    bulletin = _published_bulletin(day)
    page_url = public_url("bulletins.bulletin", day=day)
    if notice_pdfs().cached(bulletin, page_url) is None:
        if notice_pdfs().failure(bulletin, page_url) is not None:
            return _notice_failed()
        if (refused := generation.refusal_to_start(notice_job(bulletin.day))) is not None:
            return refused
        return _notice_preparing(bulletin)
    return generation.ready_fragment(title="Bản in đã sẵn sàng", file_url=url_for("bulletins.notice_pdf", day=day),
                                     link_text="Tải bản in bảng tin (PDF, A4)")
