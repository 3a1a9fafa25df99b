"""How dates and numbers are shown to Vietnamese readers (Babel's CLDR data for "vi")."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def vietnamese_datetime(moment: dt.datetime, zone: ZoneInfo = VIETNAM) -> str:
    """"16/11/2023 2:14:00 CH": day/month/year and a 12-hour clock with SA/CH, in Vietnam's time."""
    return format_datetime(moment, "dd/MM/yyyy h:mm:ss a", tzinfo=zone, locale="vi")


def vietnamese_date(moment: dt.datetime, zone: ZoneInfo = VIETNAM) -> str:
    """"16/11/2023" in Vietnam's time."""
    return format_datetime(moment, "dd/MM/yyyy", tzinfo=zone, locale="vi")


def vietnamese_time_then_date(moment: dt.datetime, zone: ZoneInfo = VIETNAM) -> str:
    """"14:14 ngày 16/11/2023", the way a printed notice dates itself."""
    return format_datetime(moment, "HH:mm 'ngày' dd/MM/yyyy", tzinfo=zone, locale="vi")


def vietnamese_number(value: int) -> str:
    """Thousands grouped with dots: 3435 → "3.435"."""
    return format_decimal(value, locale="vi")
