"""Bàn soạn bản tin: the newsroom's screen where an editor composes a day's bulletin for the loudspeakers — its
items (add, remove, move, how each is read, pinned), its opening, its estimated length against the target — hears
its start (Nghe thử) and where a publisher publishes it or takes it down, or hands it back to the daily rule.

Every change is a POST with the CSRF token (the guard in base.py), written to the audit log, committed, and
answered with a redirect to the day's page (POST-redirect-GET); htmx follows that redirect and gets the same
screen as a fragment. The bulletin service (services.bulletin.composition) does the composing: views only parse
the form, call one of its methods and say what happened.

Who may do what: any newsroom account composes a draft; publishing, taking down, and changing a bulletin once
it is published (what the loudspeakers play) need the publisher's role, as an article's do."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from blueprints.newsroom.base import bp, forbidden, record, requires
from extensions import db
from models import Article, Bulletin
from services.bulletin.composition import EDITOR as COMPOSED_BY_EDITOR
from services.bulletin.composition import MAX_ITEMS, PUBLISHED, BulletinError
from services.bulletin.schedule import latest_due_day
from services.bulletin.script import LEAD, READING_LABELS, READINGS, WEEKDAYS, bulletin_title
from services.content.slugs import ascii_filename
from services.infra.files import RememberedFailure
from services.infra.jobs import QueueFull, QueueUnavailable
from services.newsroom.accounts import PUBLISH, WRITE, may
from web import generation
from web.bulletins import bulletin_desk, prepare_preview, preview_job, preview_key, queue_making
from web.cached_files import send_cached_file
from web.errors import service_unavailable
from web.htmx import render_page_or_fragment

DAY_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
YEARS_AWAY = 10  # the days the desk opens: a bulletin further from today is a typing mistake
RECENT_DAYS = 14  # the list shows tomorrow, today and the days before it, this many in all
PREVIEW_ITEMS = 1  # what Nghe thử reads: the opening and this many items, made while the editor waits


def _parsed_day(text: str | None) -> dt.date | None:
    """A day written YYYY-MM-DD within YEARS_AWAY years of today, or None (a day of year 1 has no 24 hours
    before it to read articles from)."""
    if not DAY_PATTERN.fullmatch(text or ""):
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    today = dt.datetime.now(bulletin_desk().settings.zone).date()
    return day if abs((day - today).days) <= YEARS_AWAY * 366 else None


def _day(text: str) -> dt.date:
    """The day of the URL; anything else is the newsroom's Vietnamese 404."""
    day = _parsed_day(text)
    if day is None:
        abort(404)
    return day


def duration_words(seconds: float | None) -> str:
    """A length as an editor reads it: "3 phút 07 giây", "45 giây"."""
    whole = round(seconds or 0)
    minutes, rest = divmod(whole, 60)
    return f"{minutes} phút {rest:02d} giây" if minutes else f"{rest} giây"


@bp.get("/ban-tin/")
def bulletins():
    """The recent days (tomorrow back two weeks), each with its bulletin's state; ?ngay= opens any day."""
    if "ngay" in request.args:
        wanted = request.args.get("ngay", "").strip()
        if _parsed_day(wanted) is None:
            flash(f"Ngày phải có dạng năm-tháng-ngày (ví dụ 2026-12-07), là một ngày có thật, cách hôm nay không "
                  f"quá {YEARS_AWAY} năm.", "warning")
            return redirect(url_for("newsroom.bulletins"))
        return redirect(url_for("newsroom.bulletin_desk_day", day=wanted))
    settings = bulletin_desk().settings
    now = dt.datetime.now(dt.timezone.utc)
    today = now.astimezone(settings.zone).date()
    due = latest_due_day(now, settings.zone, settings.time)
    days = [today + dt.timedelta(days=1 - offset) for offset in range(RECENT_DAYS)]
    found = db.session.execute(select(Bulletin).where(Bulletin.day.in_(days))).scalars()
    by_day = {bulletin.day: bulletin for bulletin in found}
    older = db.session.execute(
        select(Bulletin).where(Bulletin.day < days[-1]).order_by(Bulletin.day.desc()).limit(RECENT_DAYS)
    ).scalars().all()
    return render_template(
        "newsroom/bulletins.html",
        days=[(day, by_day.get(day)) for day in days], older=older, today=today, due=due,
        bulletin_time=settings.time, PUBLISHED=PUBLISHED, COMPOSED_BY_EDITOR=COMPOSED_BY_EDITOR,
    )


@bp.get("/ban-tin/<day>")
def bulletin_desk_day(day):
    """A day's bulletin to compose: its items, their readings and lengths against the target, the articles of
    the day to add, its opening, Nghe thử, and (for a publisher) Xuất bản / Gỡ."""
    the_day = _day(day)
    desk = bulletin_desk()
    bulletin = desk.bulletin(the_day)
    in_bulletin = {item.article_id for item in bulletin.items} if bulletin is not None else set()
    candidates = [article for article in desk.candidates(the_day) if article.id not in in_bulletin]
    items = []
    title = f"Bản tin {WEEKDAYS[the_day.weekday()]}, {the_day:%d/%m/%Y}"
    context = {"bulletin": bulletin, "day": the_day, "title": title, "max_items": MAX_ITEMS,
               "target_seconds": desk.settings.target_seconds, "readings": READINGS,
               "reading_labels": READING_LABELS, "duration_words": duration_words, "PUBLISHED": PUBLISHED,
               "COMPOSED_BY_EDITOR": COMPOSED_BY_EDITOR, "may_publish": may(current_user, PUBLISH),
               "may_compose": bulletin is None or _may_change(bulletin),
               "candidates": [(article, desk.item_seconds(article, LEAD)) for article in candidates]}
    if bulletin is not None:
        for item in bulletin.items:
            seconds = {reading: desk.item_seconds(item.article, reading) for reading in READINGS}
            items.append((item, seconds))
        context.update(
            items=items,
            estimate=desk.estimate_seconds(bulletin) if bulletin.items else 0.0,
            current=desk.is_current(bulletin) if bulletin.items else False,
            opening_template=bulletin.opening or desk.settings.opening,
            opening_spoken=desk.opening_text(bulletin),
            own_opening=bulletin.opening is not None,
            preview_url=url_for("newsroom.bulletin_preview", day=day, v=preview_key(the_day, PREVIEW_ITEMS)[:16])
            if bulletin.items else None,
        )
    return render_page_or_fragment("newsroom/bulletin.html", "newsroom/_bulletin_desk.html", **context)


def _may_change(bulletin: Bulletin) -> bool:
    """A draft is anyone's to compose; a published bulletin is what the loudspeakers play: a publisher's."""
    return bulletin.status != PUBLISHED or may(current_user, PUBLISH)


def _back(day: dt.date):
    # 303: the browser (and htmx, which follows it) asks for the day's page with a GET.
    return redirect(url_for("newsroom.bulletin_desk_day", day=day.isoformat()), 303)


def _change(day_text: str, change: Callable[[Bulletin], str], create: bool = False):
    """One button of the desk: the day's bulletin (made first when create, else it must exist), the change, its
    audit line, the commit, the audio queued again if the bulletin is public and its Nghe thử made ahead; then
    back to the day's page."""
    day = _day(day_text)
    desk = bulletin_desk()
    bulletin = desk.bulletin(day)
    if bulletin is None and not create:
        flash("Chưa có bản tin ngày này. Hãy bấm “Soạn theo quy tắc” hoặc “Soạn từ đầu” trước.", "warning")
        return _back(day)
    if bulletin is not None and not _may_change(bulletin):
        return forbidden("Bản tin đã xuất bản: chỉ người duyệt bài hoặc quản trị mới sửa được. "
                         "Hãy nhờ người duyệt bài gỡ bản tin, rồi soạn lại.")
    try:
        message = change(bulletin)
    except BulletinError as refusal:
        db.session.rollback()
        flash(str(refusal), "warning")
        return _back(day)
    db.session.commit()
    bulletin = desk.bulletin(day)
    if bulletin is not None and bulletin.status == PUBLISHED and bulletin.items and not desk.is_current(bulletin):
        message += " " + _queue(day)
    prepare_preview(day, PREVIEW_ITEMS)
    flash(message, "info")
    return _back(day)


def _queue(day: dt.date) -> str:
    """Queue the making of the bulletin's audio; what to tell the editor."""
    try:
        queue_making(day)
    except (QueueFull, QueueUnavailable) as error:
        current_app.logger.warning("Bulletin %s not queued: %s", day, error)
        return "Chưa xếp được việc làm âm thanh (máy chủ đang bận); lịch hằng ngày sẽ làm lại."
    return "Âm thanh đang được làm; bản tin lên trang Bản tin khi làm xong."


def _item_title(bulletin: Bulletin, item_id: int) -> str:
    for item in bulletin.items:
        if item.id == item_id:
            return item.article.title
    raise BulletinError("Không có tin này trong bản tin.")


def _audit(action: str, bulletin: Bulletin, detail: str = "") -> None:
    record(action, target=f"bản tin {bulletin.day.isoformat()}", detail=detail[:500])


@bp.post("/ban-tin/<day>/soan")
@requires(WRITE)
def bulletin_start(day):
    """Start the day's bulletin: with the articles the daily rule picks (theo quy tắc), or empty (từ đầu)."""
    from_scratch = request.form.get("cach") == "tu-dau"

    def change(bulletin):
        desk = bulletin_desk()
        if bulletin is not None:
            raise BulletinError("Bản tin ngày này đã có; hãy sửa bản đang có.")
        made = desk.compose(_day(day), []) if from_scratch else desk.draft(_day(day))
        _audit("bulletin_drafted", made, "từ đầu" if from_scratch else f"theo quy tắc, {len(made.items)} tin")
        return "Đã tạo bản tin trống; hãy thêm tin." if from_scratch else \
            f"Đã soạn bản tin theo quy tắc: {len(made.items)} tin."

    return _change(day, change, create=True)


@bp.post("/ban-tin/<day>/them")
@requires(WRITE)
def bulletin_add(day):
    """Add one of the day's articles (at the end), read as chosen."""
    article_id = request.form.get("bai", type=int)
    reading = request.form.get("cach_doc") or LEAD

    def change(bulletin):
        article = db.session.get(Article, article_id) if article_id else None
        candidates = {candidate.id for candidate in bulletin_desk().candidates(bulletin.day)}
        if article is None or article.id not in candidates:
            raise BulletinError("Chỉ thêm được bài đã đăng trong ngày của bản tin.")
        bulletin_desk().add_item(bulletin, article, reading)
        _audit("bulletin_item_added", bulletin, f"{article.title} ({READING_LABELS[reading].lower()})")
        return f"Đã thêm “{article.title}” vào cuối bản tin."

    return _change(day, change)


@bp.post("/ban-tin/<day>/tin/<int:item_id>/bo")
@requires(WRITE)
def bulletin_remove(day, item_id):
    """Take an item out of the bulletin."""
    def change(bulletin):
        title = _item_title(bulletin, item_id)
        bulletin_desk().remove_item(bulletin, item_id)
        _audit("bulletin_item_removed", bulletin, title)
        return f"Đã bỏ “{title}” khỏi bản tin."

    return _change(day, change)


@bp.post("/ban-tin/<day>/tin/<int:item_id>/chuyen")
@requires(WRITE)
def bulletin_move(day, item_id):
    """Move an item one place up (huong=len) or down (huong=xuong)."""
    direction = request.form.get("huong")

    def change(bulletin):
        if direction not in ("len", "xuong"):
            raise BulletinError("Không rõ chuyển tin lên hay xuống.")
        title = _item_title(bulletin, item_id)
        position = next(index for index, item in enumerate(bulletin.items) if item.id == item_id)
        new_position = position - 1 if direction == "len" else position + 1
        if not 0 <= new_position < len(bulletin.items):
            raise BulletinError(f"“{title}” đã ở {'đầu' if direction == 'len' else 'cuối'} bản tin.")
        bulletin_desk().move_item(bulletin, item_id, new_position)
        _audit("bulletin_item_moved", bulletin, f"{title}: vị trí {position + 1} → {new_position + 1}")
        return f"Đã chuyển “{title}” {'lên' if direction == 'len' else 'xuống'} vị trí {new_position + 1}."

    return _change(day, change)


@bp.post("/ban-tin/<day>/tin/<int:item_id>/cach-doc")
@requires(WRITE)
def bulletin_reading(day, item_id):
    """Read an item as its summary, its first paragraphs or whole."""
    reading = request.form.get("cach_doc", "")

    def change(bulletin):
        title = _item_title(bulletin, item_id)
        bulletin_desk().set_reading(bulletin, item_id, reading)
        _audit("bulletin_reading_changed", bulletin, f"{title}: {READING_LABELS[reading].lower()}")
        return f"“{title}” sẽ được đọc: {READING_LABELS[reading].lower()}."

    return _change(day, change)


@bp.post("/ban-tin/<day>/tin/<int:item_id>/ghim")
@requires(WRITE)
def bulletin_pin(day, item_id):
    """Pin an item (ghim=1: the daily rule keeps it first, read as it is) or unpin it (ghim=0)."""
    pinned = request.form.get("ghim") == "1"

    def change(bulletin):
        title = _item_title(bulletin, item_id)
        bulletin_desk().set_pinned(bulletin, item_id, pinned)
        _audit("bulletin_item_pinned" if pinned else "bulletin_item_unpinned", bulletin, title)
        return f"Đã ghim “{title}”." if pinned else f"Đã bỏ ghim “{title}”."

    return _change(day, change)


@bp.post("/ban-tin/<day>/mo-dau")
@requires(WRITE)
def bulletin_opening(day):
    """The bulletin's own opening ({station}, {place}, {date} filled in), or the site's again (mac_dinh)."""
    text = " ".join(request.form.get("mo_dau", "").split())
    default = request.form.get("mac_dinh") == "1" or not text or text == bulletin_desk().settings.opening

    def change(bulletin):
        bulletin_desk().set_opening(bulletin, None if default else text)
        _audit("bulletin_opening_changed", bulletin, "lời mặc định" if default else text)
        return "Bản tin dùng lời mở đầu mặc định." if default else "Đã lưu lời mở đầu."

    return _change(day, change)


@bp.post("/ban-tin/<day>/theo-quy-tac")
@requires(WRITE)
def bulletin_to_rule(day):
    """Làm lại theo quy tắc: the daily rule picks the items again now (pinned items stay first); not published by
    this (the daily schedule may, as it does every bulletin left to the rule, if the site says so)."""
    def change(bulletin):
        desk = bulletin_desk()
        desk.hand_back_to_rule(bulletin)
        desk.compose_by_rule(bulletin.day, publish=False)
        _audit("bulletin_handed_to_rule", bulletin, f"{len(bulletin.items)} tin")
        return f"Đã soạn lại theo quy tắc hằng ngày: {len(bulletin.items)} tin."

    return _change(day, change)


@bp.post("/ban-tin/<day>/xuat-ban")
@requires(PUBLISH)
def bulletin_publish(day):
    """Xuất bản: on /ban-tin/, the podcast and the loudspeakers' address once its audio is made (queued now)."""
    def change(bulletin):
        bulletin_desk().publish(bulletin)
        _audit("bulletin_published", bulletin, f"{len(bulletin.items)} tin")
        return "Đã xuất bản bản tin."

    return _change(day, change)


@bp.post("/ban-tin/<day>/go")
@requires(PUBLISH)
def bulletin_unpublish(day):
    """Gỡ: the bulletin back to a draft, off the page, the feed and the loudspeakers."""
    def change(bulletin):
        if bulletin.status != PUBLISHED:
            raise BulletinError("Bản tin này chưa xuất bản.")
        bulletin_desk().unpublish(bulletin)
        _audit("bulletin_unpublished", bulletin)
        return "Đã gỡ bản tin: bạn nghe và loa không còn nhận bản tin này."

    return _change(day, change)


@bp.get("/ban-tin/<day>/nghe-thu.mp3")
def bulletin_preview(day):
    """Nghe thử: the opening and the first item as they are composed now, never stored by a cache. The job queue
    makes it (mostly from the articles' sentences already voiced) while the request waits a little; past that,
    "đang chuẩn bị", a page that checks again by itself."""
    the_day = _day(day)
    key = preview_key(the_day, PREVIEW_ITEMS)
    if key is None:
        abort(404)
    cache = bulletin_desk().audio.cache
    if (path := cache.get(key)) is None:
        if request.method == "HEAD":
            return _preview_preparing(the_day, head=True)
        if cache.failure(key) is not None:
            return _preview_failed()
        if (refused := generation.refusal_to_start(preview_job(the_day, PREVIEW_ITEMS, key))) is not None:
            return refused
        if (release := generation.take_waiting_slot()) is None:
            return _preview_preparing(the_day)
        try:
            found = cache.wait_for([key], current_app.config["SEGMENT_WAIT_SECONDS"], failure_key=key)
        except RememberedFailure:
            return _preview_failed()
        finally:
            release()
        if found is None:
            return _preview_preparing(the_day)
        path = found[1]
    return send_cached_file(path, mimetype="audio/mpeg", conditional=True, etag=key,
                            download_name=ascii_filename(f"nghe-thu-ban-tin-{the_day.isoformat()}", "mp3"))


def _preview_preparing(day: dt.date, head: bool = False):
    url = url_for("newsroom.bulletin_preview", day=day.isoformat())
    return generation.preparing_response(
        title="Đang chuẩn bị bản nghe thử", message=f"Máy chủ đang đọc thử {bulletin_title(day).lower()}. "
        "Xin chờ vài giây.", file_url=url, status_url=url, head=head,
    )


def _preview_failed():
    return service_unavailable(30, "Chưa nghe thử được", "Máy chủ chưa đọc được bản tin. Xin thử lại sau ít phút.")
