"""Thống kê: the articles most read, listened to and printed in a period, the site's counts day by day, and one
article's days and listener curve, whose sharp drops link to that sentence's "Kiểm tra cách đọc" in the editor.
For Duyệt bài and Quản trị; read-only (nothing to audit), never cached (the blueprint's guard)."""
from __future__ import annotations

import datetime as dt

from flask import render_template, request

from blueprints.newsroom.articles import staff_article
from blueprints.newsroom.base import bp, requires
from services.newsroom.accounts import PUBLISH
from services.speech import is_speakable
from services.statistics.charts import bar_chart
from services.statistics.counting import END, MP3, PDF, PLAY, VIEW
from services.statistics.report import (
    LONGEST_PERIOD_DAYS,
    daily_series,
    listener_counts,
    listener_curve,
    ranking,
    totals,
)
from web.counting import today
from web.site_services import site_services

DEFAULT_PERIOD_DAYS = 30
RANKED = 10  # articles in each ranking
# What each count is called on the page, in the order the tables show them.
EVENT_NAMES = {VIEW: "Lượt đọc", PLAY: "Lượt nghe", END: "Nghe hết bài", MP3: "Tải MP3", PDF: "Tải PDF"}
RANKINGS = ((VIEW, "Đọc nhiều nhất"), (PLAY, "Nghe nhiều nhất"), (PDF, "In (tải PDF) nhiều nhất"))


class PeriodError(ValueError):
    """A period the form cannot show, with the reason in Vietnamese."""


def _date(name: str, default: dt.date) -> dt.date:
    value = request.args.get(name, "").strip()
    if not value:
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PeriodError(f"Ngày “{value[:20]}” không hợp lệ: hãy nhập theo dạng năm-tháng-ngày, ví dụ 2026-12-07.")


def _period() -> tuple[dt.date, dt.date, str | None]:
    """The period asked by ?tu=&den= (ISO dates, both included): the last 30 days by default; a bad one gives
    the default period and the reason."""
    last = today()
    default = (last - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1), last)
    try:
        end = _date("den", last)
        start = _date("tu", end - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1))
        if start > end:
            raise PeriodError("Ngày bắt đầu phải trước hoặc trùng ngày kết thúc.")
        if (end - start).days + 1 > LONGEST_PERIOD_DAYS:
            raise PeriodError(f"Khoảng thời gian dài nhất là {LONGEST_PERIOD_DAYS} ngày.")
    except PeriodError as error:
        return *default, str(error)
    return start, end, None


def _short_day(day: dt.date) -> str:
    return f"{day.day:02d}/{day.month:02d}"


def _series_chart(series, event: str):
    return bar_chart([(_short_day(day.day), day.counts[event]) for day in series])


@bp.get("/thong-ke")
@requires(PUBLISH)
def statistics():
    """The most read, listened to and printed articles of a period, and the site's counts day by day."""
    start, end, error = _period()
    series = daily_series(start, end)
    context = dict(
        start=start, end=end, error=error, series=series, totals=totals(series), names=EVENT_NAMES,
        rankings=[(event, title, ranking(event, start, end, RANKED)) for event, title in RANKINGS],
        charts={event: _series_chart(series, event) for event in (VIEW, PLAY)},
    )
    return render_template("newsroom/statistics.html", **context), 400 if error else 200


@bp.get("/thong-ke/bai-viet/<int:article_id>")
@requires(PUBLISH)
def article_statistics(article_id):
    """One article's counts day by day and its listener curve (how many plays reached each sentence)."""
    article = staff_article(article_id)
    start, end, error = _period()
    series = daily_series(start, end, article.id)
    sentences = site_services().speech.sentences(article)
    heard = [index for index, sentence in enumerate(sentences) if is_speakable(sentence.spoken)]
    curve = listener_curve(listener_counts(article.id, start, end), heard)
    context = dict(
        article=article, start=start, end=end, error=error, series=series, totals=totals(series), names=EVENT_NAMES,
        charts={event: _series_chart(series, event) for event in (VIEW, PLAY)},
        curve=curve, sentences=sentences,
        curve_chart=bar_chart([(f"Câu {point.sentence}", point.listeners) for point in curve]),
    )
    return render_template("newsroom/statistics_article.html", **context), 400 if error else 200
