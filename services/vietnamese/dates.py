"""Spoken Vietnamese dates and clock times."""
from __future__ import annotations

from services.vietnamese.numbers import integer_to_words


def is_valid_day_month(day: int, month: int) -> bool:
    """Whether day/month can be a calendar date (31/2 passes: news text is not a calendar validator)."""
    return 1 <= day <= 31 and 1 <= month <= 12


def month_to_words(month: int) -> str:
    """The word after "tháng": 4 -> "tư" (tháng Tư), otherwise the cardinal (tháng mười một)."""
    return "tư" if month == 4 else integer_to_words(month)


def date_to_words(day: int | None, month: int, year: int | None, day_word: str = "ngày") -> str:
    """(16, 11, 2023) -> "ngày mười sáu tháng mười một năm …"; day_word is the text's own "Ngày"/"mùng"."""
    parts = []
    if day is not None:
        parts += [day_word, integer_to_words(day)]
    parts += ["tháng", month_to_words(month)]
    if year is not None:
        parts += ["năm", integer_to_words(year)]
    return " ".join(parts)


def is_valid_time(hour: int, minute: int, second: int = 0) -> bool:
    """Whether hour:minute:second is a clock time (24:00 allowed)."""
    return 0 <= hour <= 24 and 0 <= minute < 60 and 0 <= second < 60 and (hour < 24 or minute == second == 0)


_PERIOD_MARKERS = {"sa": "am", "am": "am", "a.m.": "am", "ch": "pm", "pm": "pm", "p.m.": "pm"}


def period_of_day(hour: int, marker: str) -> str:
    """The Vietnamese part of day for a 12-hour clock marker (SA/CH, AM/PM): 2 CH -> "chiều", 8 CH -> "tối"."""
    half = _PERIOD_MARKERS.get(marker.lower(), "")
    if half == "am":
        return "đêm" if hour in (0, 12, 24) else "sáng"
    if half == "pm":
        # Some sites write a 24-hour time with CH ("14:30 CH"); the part of day is the same either way.
        hour24 = hour + 12 if hour < 12 else hour
        if hour24 == 12:
            return "trưa"
        return "chiều" if hour24 <= 18 else "tối"
    return ""


def time_to_words(hour: int, minute: int = 0, second: int = 0, marker: str = "") -> str:
    """14:30 -> "mười bốn giờ ba mươi phút"; (2, 14, 0, "CH") -> "hai giờ mười bốn phút chiều"."""
    parts = [integer_to_words(hour), "giờ"]
    if minute or second:
        parts += [integer_to_words(minute), "phút"]
    if second:
        parts += [integer_to_words(second), "giây"]
    period = period_of_day(hour, marker) if marker else ""
    if period:
        parts.append(period)
    return " ".join(parts)
