"""spoken_form(): Vietnamese news text spelled out in full, so any speech engine reads it like a news reader.

The text goes through a fixed sequence of passes (_passes). Each pass turns what it understands into words, so a
later, more general pass never sees it again: web addresses, brands such as "V.League", signs between numbers,
document numbers (read once when the sentence names the document and its issuer), licence plates, roads and
kilometre posts, emergency and phone numbers, short codes first (they look like everything else), then the
lexicon's context rules (while "SN 1985" is still written as such), race times, knockout rounds, seasons, dates,
scores, ranges, rates, clock times, Roman numerals in context, ordinals, decimals, plain numbers with their units,
the lexicon's words and abbreviations, and at the very end whatever digit or numeric character is still left.
No digit survives. explain() runs the same passes and reports what each changed, by the name of its kind.
"""
from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from fractions import Fraction
from functools import lru_cache
from typing import Callable

from services.vietnamese.lexicon import Change, Lexicon, load_lexicon
from services.vietnamese.dates import (
    date_to_words,
    is_valid_day_month,
    is_valid_time,
    month_to_words,
    time_to_words,
)
from services.vietnamese.numbers import (
    DIGIT_WORDS,
    decimal_to_words,
    digits_to_words,
    integer_string_to_words,
    integer_to_words,
    ordinal_to_words,
    roman_to_int,
    written_number_to_words,
)

# Units read after a number ("5 km", "100m2", "12,5%"). Case-sensitive, and only next to a number, so the
# letter "m" or "g" elsewhere is left alone.
UNIT_WORDS = {
    "%": "phần trăm",
    "‰": "phần nghìn",
    "km/h": "ki-lô-mét trên giờ",
    "m³/s": "mét khối trên giây",
    "m3/s": "mét khối trên giây",
    "m/s": "mét trên giây",
    "km²": "ki-lô-mét vuông",
    "km2": "ki-lô-mét vuông",
    "m²": "mét vuông",
    "m2": "mét vuông",
    "cm²": "xăng-ti-mét vuông",
    "cm2": "xăng-ti-mét vuông",
    "m³": "mét khối",
    "m3": "mét khối",
    "km": "ki-lô-mét",
    "cm": "xăng-ti-mét",
    "mm": "mi-li-mét",
    "m": "mét",
    "ha": "héc-ta",
    "kg": "ki-lô-gam",
    "mg": "mi-li-gam",
    "g": "gam",
    "ml": "mi-li-lít",
    "°C": "độ xê",
    "℃": "độ xê",
    "oC": "độ xê",
    "°": "độ",
    "kWh": "ki-lô-oát giờ",
    "kW": "ki-lô-oát",
    "MWh": "mê-ga-oát giờ",
    "MW": "mê-ga-oát",
    "kV": "ki-lô-vôn",
    "đ": "đồng",
    "VNĐ": "đồng",
    "VND": "đồng",
    "vnđ": "đồng",
    "USD": "đô la Mỹ",
    "mmHg": "mi-li-mét thủy ngân",
    "mmol": "mi-li-mol",
    "µg": "mi-crô-gam",
    "μg": "mi-crô-gam",
    "mcg": "mi-crô-gam",
    "dl": "đề-xi-lít",
    "l": "lít",
    "cm³": "xăng-ti-mét khối",
    "cm3": "xăng-ti-mét khối",
    "cc": "phân khối",
    "dB": "đề-xi-ben",
    "hPa": "héc-tô-pát-xcan",
    "inch": "in-sơ",
    "kcal": "ki-lô-ca-lo",
    "kVA": "ki-lô-vôn-am-pe",
    "MVA": "mê-ga-vôn-am-pe",
    "Hz": "héc",
    "kHz": "ki-lô-héc",
    "MHz": "mê-ga-héc",
    "GHz": "gi-ga-héc",
    "GB": "gi-ga-bai",
    "MB": "mê-ga-bai",
    "Mbps": "mê-ga-bít trên giây",
}

# Units that are unambiguous even with no number before them ("giá mỗi m²").
_STANDALONE_UNITS = ("km²", "km2", "m²", "m2", "m³", "m3", "°C", "℃", "mmHg")

# What may follow "/" in a rate: "7.500 đồng/kg", "25 triệu đồng/người/tháng".
PER_DENOMINATORS = {
    "người", "hộ", "ngày", "đêm", "tháng", "năm", "tuần", "quý", "giờ", "phút", "giây", "lượt", "con",
    "cây", "chiếc", "suất", "lần", "sào", "mẫu", "xã", "ca", "buổi", "vụ", "tấn", "tạ", "lít", "khẩu",
    "lớp", "trường", "thôn", "căn", "ki-lô-gam", "km", "kg", "ha", "m", "m2", "m²", "m3", "m³", "km2",
    "km²", "g", "bao", "thùng", "hộp", "cái", "bộ", "xe", "chuyến",
    # doses, goods sold by the piece or the bunch, gold by the tael, a price per pupil or patient
    "liều", "mũi", "viên", "gói", "lọ", "chai", "túi", "ly", "cốc", "bát", "đĩa", "phần", "đôi", "cặp", "quả",
    "bó", "chục", "lượng", "chỉ", "học sinh", "sinh viên", "bệnh nhân", "giường", "lần tiêm", "mũi tiêm",
    "l", "lít", "ml", "dl", "kWh", "MWh", "ounce", "thửa", "phòng", "đầu người", "nhân khẩu", "lao động",
    "đội", "tổ", "nhóm", "gia đình",
    # a rate per unit of currency
    "USD", "EUR", "JPY", "CNY", "GBP", "KRW", "THB", "AUD", "SGD", "CAD", "VND", "VNĐ",
}
# After an amount of money, "/" and any word is a price per that thing ("15.000 đồng/bó", "/suất").
_MONEY_BEFORE_SLASH = r"(?:đồng|đ|triệu|nghìn|ngàn|tỷ|tỉ|USD)"

# A day/month without a year ("2/9") is a date unless one of these words says it is a fraction or a count.
_FRACTION_BEFORE = {"khoảng", "gần", "hơn", "trên", "dưới", "chiếm", "đạt", "bằng", "còn", "mất", "hết",
                    "chỉ", "giảm", "tăng", "được", "tới", "quá", "nửa", "lệ", "thành"}
_FRACTION_AFTER = {"số", "diện", "dân", "tổng", "lượng", "khối", "quãng", "thời", "chiều", "phần", "giá", "kế",
                   "khối", "chặng", "chiều", "quỹ", "vốn", "ngân"}
_COUNT_AFTER = {"xã", "phường", "thị", "thôn", "bản", "xóm", "tổ", "hộ", "trường", "đơn", "cơ", "chỉ",
                "tiêu", "người", "học", "lớp", "điểm", "dự", "phiếu", "câu", "lượt", "thành", "đại",
                "tuyến", "đội", "môn", "nội", "thủ", "hạng", "công", "chi"}

# Words before a Roman numeral that make it a number ("quý IV", "khóa XV", "lần thứ XXI", "Đại hội XIII").
_ROMAN_CONTEXT = (
    r"thế\s+kỷ|thế\s+kỉ|đại\s+hội|quân\s+khu|khu\s+vực|giai\s+đoạn|phụ\s+lục|"
    r"quý|khóa|khoá|thứ|kỳ|kì|chương|phần|mục|vòng|tập|đợt|hạng|giải|loại|cấp|vùng|phiên"
)
_RANK_WORDS = {1: "nhất", 2: "nhì", 4: "tư"}
_PRIZE_WORDS = {1: "nhất", 2: "nhì", 3: "ba", 4: "tư"}

_PHONE_CUES = r"điện\s+thoại|đường\s+dây\s+nóng|hotline|tổng\s+đài|sđt|đt|fax|zalo|số\s+máy"

_LETTER = r"[^\W\d_]"


def _words_around(text: str, start: int, end: int) -> tuple[str, str]:
    # Only across spaces and brackets: the word after a full stop belongs to the next sentence.
    before = re.search(r"(\w+)[\s(\[“\"]*$", text[max(0, start - 40):start])
    after = re.match(r"[\s)\]”\"]*(\w+)", text[end:end + 40])
    return (before.group(1).lower() if before else "", after.group(1).lower() if after else "")


def _spaced(words: str, text: str, start: int, end: int) -> str:
    """words padded with a space wherever it would otherwise touch a letter or digit of the text around it."""
    left = " " if start > 0 and text[start - 1].isalnum() else ""
    right = " " if end < len(text) and text[end].isalnum() else ""
    return left + words + right


_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_POWER = re.compile(r"(?<=\d)[⁰¹²³⁴⁵⁶⁷⁸⁹]+")


def _prepare(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    # Other scripts' decimal digits (full-width, Arabic-Indic) count as digits too: make them ASCII.
    text = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in text)
    text = re.sub(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t\r\f\v]", " ", text)
    text = re.sub(r"[\u200b-\u200d\u2060\ufeff\u00ad]", "", text)
    text = text.translate({0x2010: "-", 0x2011: "-", 0x2012: "-", 0x2212: "-"})
    # A superscript right after a number is a power: "10³" -> "10 mũ 3".
    return _POWER.sub(lambda m: " mũ " + m.group(0).translate(_SUPERSCRIPT_DIGITS), text)


_COMPARISONS = re.compile(r"(≥|≤|>=|<=|>|<|~|≈|±)\s*(?=\d)")
_COMPARISON_WORDS = {"≥": "từ", ">=": "từ", "≤": "không quá", "<=": "không quá", ">": "trên", "<": "dưới",
                     "~": "khoảng", "≈": "khoảng", "±": "cộng trừ"}
# Between two numbers (or a one-letter variable and a number) a sign is the relation itself: "24 ± 2°C",
# "x ≥ 5", "20~25°C" (a range), "12 ÷ 4".
_SIGN_BETWEEN = re.compile(r"(?:(?<=\d)|(?<=(?<![\w.])[A-Za-z]))\s*(±|≥|≤|>=|<=|≠|÷|≈|~|>|<)\s*(?=[-+]?\d)")
_SIGN_BETWEEN_WORDS = {"±": "cộng trừ", "≥": "lớn hơn hoặc bằng", ">=": "lớn hơn hoặc bằng",
                       "≤": "nhỏ hơn hoặc bằng", "<=": "nhỏ hơn hoặc bằng", "≠": "khác", "÷": "chia",
                       "≈": "xấp xỉ", "~": "đến", ">": "lớn hơn", "<": "nhỏ hơn"}


def _signs_between_numbers(text: str) -> str:
    """ "24 ± 2°C" -> "24 cộng trừ 2°C", "x ≥ 5" -> "x lớn hơn hoặc bằng 5", "20~25" -> "20 đến 25"."""
    return _SIGN_BETWEEN.sub(lambda m: " " + _SIGN_BETWEEN_WORDS[m.group(1)] + " ", text)


def _comparisons(text: str) -> str:
    return _COMPARISONS.sub(lambda m: _spaced(_COMPARISON_WORDS[m.group(1)] + " ", text, m.start(), m.end()),
                            text)


# Web addresses and e-mail, read the way a Vietnamese announcer reads them out.
_URL_SYMBOLS = {".": "chấm", "/": "gạch chéo", "-": "gạch ngang", "_": "gạch dưới", "@": "a còng",
                ":": "hai chấm", "?": "chấm hỏi", "=": "bằng", "&": "và", "#": "thăng", "~": "ngã", "+": "cộng",
                "%": "phần trăm"}
_URL_WORDS = {"www": "vê kép vê kép vê kép", "gov": "gốp", "vn": "vê en", "com": "com", "net": "nét",
              "org": "o-rờ-gờ", "edu": "e-đu", "info": "in-phô", "gmail": "gờ-meo", "yahoo": "da-hu",
              "mail": "meo", "html": "hát tê em e-lờ", "htm": "hát tê em", "php": "pê hát pê", "io": "i-ô",
              "pdf": "pê đê ép", "news": "niu", "online": "ôn-lai", "portal": "po-tồn"}
_LETTER_NAMES = {"a": "a", "b": "bê", "c": "xê", "d": "đê", "đ": "đê", "e": "e", "f": "ép", "g": "gờ",
                 "h": "hát", "i": "i", "j": "gi", "k": "ca", "l": "e-lờ", "m": "em", "n": "en", "o": "o",
                 "p": "pê", "q": "quy", "r": "e-rờ", "s": "ét", "t": "tê", "u": "u", "v": "vê", "w": "vê kép",
                 "x": "ích", "y": "i dài", "z": "dét"}
_ONSETS = {"", "b", "c", "ch", "d", "g", "gh", "h", "k", "kh", "l", "m", "n", "ng", "ngh", "nh", "p", "ph", "q",
           "r", "s", "t", "th", "tr", "v", "x"}
_CODAS = {"", "c", "ch", "m", "n", "ng", "nh", "p", "t"}
_TLDS = r"vn|com|net|org|gov|edu|info|io|int|biz|asia"
_HOST = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_EMAIL = re.compile(r"(?i)(?<![\w.@+-])[a-z0-9](?:[\w.+-]*[a-z0-9_])?@" + _HOST + r"(?:\." + _HOST + r")+")
_URL = re.compile(
    r"(?i)(?<![\w@./-])(?:(?:https?|ftp)://(?:www\.)?" + _HOST + r"(?:\." + _HOST + r")*"
    r"|(?:www\.)?" + _HOST + r"(?:\." + _HOST + r")*\.(?:" + _TLDS + r")(?![\w-]))(?:[/?#][^\s]*)?")
_URL_TAIL = ".,;:!?)]}”’\"'»…/"


def _syllables_readable(letters: str) -> bool:
    """Whether a run of plain letters reads as Vietnamese-like syllables ("baobacgiang") or must be spelled ("ubnd")."""
    runs = re.split(r"[aeiouy]+", letters)
    if len(runs) < 2 or len(letters) > 20:
        return False
    middle_ok = all(any(run[:i] in _CODAS and run[i:] in _ONSETS for i in range(len(run) + 1)) for run in runs[1:-1])
    return runs[0] in _ONSETS and runs[-1] in _CODAS and middle_ok


def _url_label_to_words(label: str, table: Lexicon) -> str:
    lower = label.lower()
    if lower in _URL_WORDS:
        return _URL_WORDS[lower]
    if lower in table.words:
        return table.words[lower]
    words = []
    for piece in re.findall(r"\d+|[^\W\d_]+", lower):
        if piece.isdecimal():
            words.append(digits_to_words(piece))
        elif piece in _URL_WORDS:
            words.append(_URL_WORDS[piece])
        elif _syllables_readable(piece):
            words.append(piece)
        else:
            # "ubndhuyen": spell the head that cannot be read, say the rest ("u bê en đê huyen").
            cut = next((i for i in range(1, len(piece) - 1) if _syllables_readable(piece[i:])), len(piece))
            words.append(" ".join(_LETTER_NAMES.get(ch, ch) for ch in piece[:cut]))
            if cut < len(piece):
                words.append(piece[cut:])
    return " ".join(words)


def _address_to_words(address: str, table: Lexicon) -> str:
    address = re.sub(r"(?i)^(?:https?|ftp)://", "", address)
    words = []
    for part in re.findall(r"[^\W_]+|[^\w\s]|_", address):
        words.append(_URL_SYMBOLS.get(part) or _url_label_to_words(part, table))
    return " ".join(word for word in words if word)


def _web_addresses(text: str, table: Lexicon) -> str:
    """ "dichvucong.gov.vn", "https://www.hanoi.gov.vn/tin-tuc", "ubnd@bacgiang.gov.vn": every symbol said."""
    def address(match: re.Match) -> str:
        written = match.group(0)
        kept = written.rstrip(_URL_TAIL)
        # Trailing punctuation is the sentence's, not the address's; a final "/" is not said.
        tail = written[len(kept):].replace("/", "")
        return _spaced(_address_to_words(kept, table), text, match.start(), match.start() + len(kept)) + tail

    text = _EMAIL.sub(address, text)
    return _URL.sub(address, text)


# Road codes and kilometre posts: "QL.32", "ĐT605", "Km 12+500".
ROAD_NAMES = {"QL": "quốc lộ", "ĐT": "đường tỉnh", "TL": "tỉnh lộ", "ĐH": "đường huyện", "HL": "hương lộ",
              "ĐCT": "đường cao tốc"}
_ROAD = re.compile(
    r"(?<![\w&./-])(?P<kind>" + "|".join(sorted(ROAD_NAMES, key=len, reverse=True)) + r")"
    r"(?:\.\s?|\s)?(?P<n>[1-9]\d{0,3})(?P<suffix>[A-Z]?)(?!\w|[.,]\d|\s?\d)")
# "Km 12", "Km12+500", "km 45"; "km2" (an area) and "5 km 300 m" (a length) are no posts.
_KM_POST = re.compile(
    r"(?<![\w.,/])(?<!\d )(?:Km\s?|km\s)(?P<km>\d{1,4})(?:\s?\+\s?(?P<m>\d{1,3}))?(?!\w|[.,]\d)")
_KM_POST_RANGE = re.compile(r"(?<=\d)\s*[-–—]\s*(?=[Kk]m\s?\d)")


def _roads(text: str) -> str:
    """ "QL.32" -> "quốc lộ ba mươi hai" (never "chấm"); "Km 12+500" -> "ki-lô-mét mười hai cộng năm trăm"."""
    def road(match: re.Match) -> str:
        words = f"{ROAD_NAMES[match['kind']]} {integer_to_words(int(match['n']))}"
        if match["suffix"]:
            words += " " + match["suffix"]
        return _spaced(words, text, *match.span())

    def km_post(match: re.Match) -> str:
        words = "ki-lô-mét " + integer_to_words(int(match["km"]))
        if match["m"]:
            words += " cộng " + integer_to_words(int(match["m"]))
        return _spaced(words, text, *match.span())

    text = _ROAD.sub(road, text)
    text = _KM_POST_RANGE.sub(" đến ", text)
    return _KM_POST.sub(km_post, text)


# Emergency numbers are said digit by digit ("một một ba"), and a series of them the same way each time.
_EMERGENCY = r"11[1-6]"
_EMERGENCY_SERIES = re.compile(
    r"(?<![\w.,/])" + _EMERGENCY + r"(?:\s*(?:,|;|/|và|hoặc)\s*" + _EMERGENCY + r")+(?!\w|[.,/]\d)")
_EMERGENCY_CUED = re.compile(
    r"(?i:(?<!\w)(?P<cue>gọi|gọi ngay|gọi điện|số|tổng đài|đường dây nóng|hotline|đầu số|cấp cứu|cứu hỏa|cứu hoả|"
    r"cứu hộ|cứu nạn|cảnh sát|công an|báo|qua|trực))\s+(?P<n>" + _EMERGENCY + r")(?!\w|[.,/]\d)"
    r"(?!\s+(?i:đường|phố|ngõ|ngách|hẻm|kiệt|tổ|thôn|xóm|ấp))")


def _emergency_numbers(text: str) -> str:
    """ "Gọi 113, 114, 115" and "cấp cứu 115" digit by digit; "có 114 hộ" stays a count."""
    def series(match: re.Match) -> str:
        return re.sub(r"\d+", lambda m: digits_to_words(m.group(0)), match.group(0))

    def cued(match: re.Match) -> str:
        before = text[max(0, match.start() - 12):match.start()].lower()
        if match["cue"].lower() == "số" and re.search(r"(?:nhà|phòng|căn|lô|ô|thửa|tờ)\s*$", before):
            return match.group(0)
        return f"{match['cue']} {digits_to_words(match['n'])}"

    text = _EMERGENCY_SERIES.sub(series, text)
    return _EMERGENCY_CUED.sub(cued, text)


# Symbols between numbers: "5+3", "2x3 m", "x2", "24/7".
_PLUS = re.compile(r"(?<=\d)\s*\+\s*(?=\d)|(?<![\w+])\+(?=\d)|(?<=\d)\+(?!\w)")
_TIMES = re.compile(r"(?<=\d)\s*[x×]\s*(?=\d)|(?<![\w])[x×](?=\d)")
_ROUND_THE_WEEK = re.compile(r"(?<![\w/.,])24/(?P<b>7|24)(?![\d/hH]|[.,]\d)")


def _arithmetic_signs(text: str) -> str:
    """ "+" is "cộng", "x"/"×" between or before numbers "nhân", and "24/7" is said as written, never a date."""
    text = _ROUND_THE_WEEK.sub(lambda m: _spaced("hai mươi tư trên " + integer_to_words(int(m["b"])), text,
                                                 *m.span()), text)
    text = _PLUS.sub(" cộng ", text)
    return _TIMES.sub(" nhân ", text)


_TIME_UNITS = (r"giây|phút|giờ|tiếng|ngày|tuần|tháng|quý|năm|buổi|ca|mùa|vụ|kỳ|học\s+kỳ|nhiệm\s+kỳ|"
               r"thế\s+kỷ|thập\s+kỷ|đời|chặng")
_HALF = re.compile(r"(?<![\w/.,])(?:1/2|½)\s*(?=(?i:" + _TIME_UNITS + r")(?!\w))")
_HALF_IS_DATE_AFTER = re.compile(r"\s*năm\s+(?:nay|ngoái|tới|sau|trước|\d{4})", re.IGNORECASE)
_DATE_CUES = {"ngày", "mùng", "mồng", "sáng", "trưa", "chiều", "tối", "đêm", "hôm", "từ", "đến", "tới", "trước",
              "sau", "vào", "lúc", "dịp", "qua", "hết"}
_DAY_WORDS = {"ngày", "mùng", "mồng"}


def _halves(text: str) -> str:
    """ "½ ngày" and "1/2 giờ" before a unit of time are "nửa"; "ngày 1/2", "1/2 năm nay" stay dates."""
    def half(match: re.Match) -> str:
        before, _ = _words_around(text, match.start(), match.end())
        written_date = before in _DAY_WORDS or _HALF_IS_DATE_AFTER.match(text, match.end())
        if match.group(0).startswith("1") and written_date:
            return match.group(0)
        return _spaced("nửa ", text, *match.span())

    return _HALF.sub(half, text)


# A brand written with a letter and a dot ("V.League", "J.League"): the letter by its Vietnamese name and the word
# as the lexicon says it, as one name ("Vê-lích"); only before a word the lexicon knows, so "Nguyễn V.Anh" stays.
_DOTTED_BRAND = re.compile(r"(?<![\w.])(?P<letter>[A-Z])\.(?P<word>[A-Z][a-z]+)(?!\w|\.\w)")


def _dotted_brands(text: str, table: Lexicon) -> str:
    """ "V.League 1" -> "Vê-lích 1": a letter, a dot and a word of the lexicon make one name."""
    def brand(match: re.Match) -> str:
        spoken = table.words.get(match["word"].casefold())
        if not spoken:
            return match.group(0)
        return f"{_LETTER_NAMES[match['letter'].lower()].capitalize()}-{spoken.lower()}"

    return _DOTTED_BRAND.sub(brand, text)


# A season or school year with the second year cut short: "2025/26", "2024-25".
_SEASON = re.compile(r"(?:(?<=\d)(?P<lead>\s?[-–]\s?)|(?<![\w/.,-]))(?P<a>(?:19|20)\d\d)\s?[/–-]\s?(?P<b>\d\d)"
                     r"(?!\w|[/.,]\d)")


def _seasons(text: str) -> str:
    """ "mùa giải 2025/26" -> "hai nghìn không trăm hai mươi lăm đến hai nghìn không trăm hai mươi sáu"."""
    def season(match: re.Match) -> str:
        first = int(match["a"])
        if int(match["b"]) != (first + 1) % 100:
            return match.group(0)
        # "V.League 1-2025/26": the league's number, then its season.
        lead = " - " if match["lead"] else ""
        return _spaced(f"{lead}{integer_to_words(first)} đến {integer_to_words(first + 1)}", text, *match.span())

    return _SEASON.sub(season, text)


# A knockout round is a fraction of the field, never a date: "vòng 1/8", "vòng 1/16".
_KNOCKOUT_ROUND = re.compile(r"(?<!\w)(?P<kw>(?i:vòng))\s+(?P<a>\d{1,2})/(?P<b>\d{1,3})(?!\d|[/.,]\d|\w)")


def _knockout_rounds(text: str) -> str:
    """ "vòng 1/8" -> "vòng một phần tám"."""
    return _KNOCKOUT_ROUND.sub(
        lambda m: f"{m['kw']} {integer_to_words(int(m['a']))} phần {integer_to_words(int(m['b']))}", text)


_MONTH_DASH_YEAR = re.compile(r"(?P<kw>(?i:tháng))\s+(?P<m>\d{1,2})\s?[-–.]\s?(?P<y>(?:19|20)\d\d)(?!\d|[.,/]\d)")


def _month_dash_year(text: str) -> str:
    """ "tháng 10-2023" is a month and a year: "tháng mười năm hai nghìn …", never "mười đến hai nghìn"."""
    def month_year(match: re.Match) -> str:
        month, year = int(match["m"]), int(match["y"])
        if not 1 <= month <= 12:
            return match.group(0)
        return match["kw"] + date_to_words(None, month, year)[len("tháng"):]

    return _MONTH_DASH_YEAR.sub(month_year, text)


_SIGN = r"[A-ZĐ][A-Za-zĐđ0-9&]*(?:[-/][A-Za-zĐđ0-9&]+)*"
_DOC_NUMBER = re.compile(r"(?<![\w/.,])(?P<n>\d+)(?:/(?P<y>\d{4}))?/(?P<sign>" + _SIGN + r")(?![\w&])")
_DOC_NUMBER_DASH = re.compile(
    r"(?<![\w/.,])(?P<n>\d+)-(?P<sign>[A-ZĐ][A-Za-zĐđ]*/[A-ZĐ][A-Za-zĐđ0-9&-]*)(?![\w&])")


def _sign_to_words(sign: str, abbreviations: Lexicon) -> str:
    words = []
    for part in filter(None, re.split(r"[-/]", sign)):
        known = abbreviations.in_sign(part)
        if known:
            words.append(known)
            continue
        for piece in re.findall(r"\d+|\D+", part):
            words.append(integer_string_to_words(piece) if piece.isdigit() else
                         abbreviations.in_sign(piece) or piece)
    return " ".join(words)


def _document_numbers(text: str, abbreviations: Lexicon) -> str:
    """ "1234/QĐ-UBND" -> "một nghìn … ba mươi tư trên Quyết định Ủy ban nhân dân"; "43/2022/QH15" likewise."""
    # The number is a cardinal (even "05"), a year part is "năm …", the slash before the sign is "trên", and the
    # sign's parts are read through the abbreviation table (its "sign" entries first), hyphens dropped.
    def slash_form(match: re.Match) -> str:
        words = integer_to_words(int(match["n"]))
        if match["y"]:
            words += " năm " + integer_to_words(int(match["y"]))
        return _spaced(f"{words} trên {_sign_to_words(match['sign'], abbreviations)}", text, *match.span())

    def dash_form(match: re.Match) -> str:
        words = f"{integer_to_words(int(match['n']))} {_sign_to_words(match['sign'], abbreviations)}"
        return _spaced(words, text, *match.span())

    text = _DOC_NUMBER.sub(slash_form, text)
    return _DOC_NUMBER_DASH.sub(dash_form, text)


# Words that name a document before its number ("Quyết định số 208/QĐ-UBND").
_DOCUMENT_TYPES = (r"quyết\s+định|nghị\s+quyết|nghị\s+định|chỉ\s+thị|thông\s+tư|kế\s+hoạch|thông\s+báo|báo\s+cáo|"
                   r"công\s+văn|công\s+điện|tờ\s+trình|hướng\s+dẫn|quy\s+chế|quy\s+định|kết\s+luận|văn\s+bản|"
                   r"đề\s+án|chương\s+trình|giấy\s+mời|thông\s+tri")
_NAMED_DOCUMENT = re.compile(
    r"(?<!\w)(?P<type>(?i:" + _DOCUMENT_TYPES + r"))(?P<gap>\s+(?:(?i:số)\s+)?)"
    r"(?<![\w/.,])(?P<n>\d+)(?:/(?P<y>\d{4}))?/(?P<sign>" + _SIGN + r")(?![\w&])")
_DOCUMENT_TYPE = re.compile(r"(?i:" + _DOCUMENT_TYPES + ")")
# The sentence a document number is in: up to a full stop before a capital, or ";", "!", "?", a line break.
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-ZĐÀ-Ỹ])|[;!?\n]")


def _same_sentence(text: str, start: int, end: int) -> str:
    """The text of the sentence around text[start:end], without that part."""
    before = text[:start]
    ends = list(_SENTENCE_END.finditer(before))
    head = before[ends[-1].end():] if ends else before
    after = _SENTENCE_END.search(text, end)
    return head + " " + text[end:after.start() if after else len(text)]


def _documents_read_once(text: str, abbreviations: Lexicon) -> str:
    """ "Quyết định số 208/QĐ-UBND của UBND huyện": the sentence already says what the document is and who
    issued it, so its sign is not read ("Quyết định số hai trăm linh tám của Ủy ban nhân dân huyện")."""
    def once(match: re.Match) -> str:
        spoken = [(abbreviations.in_sign(part) or "").casefold() for part in re.split(r"[-/]", match["sign"])]
        # The first part names the kind of document (QĐ) or, in a letter ("Công văn số 12/UBND-VP"), the issuer.
        issuers = spoken[1:] if _DOCUMENT_TYPE.fullmatch(spoken[0]) else spoken
        rest = abbreviations.expand(_same_sentence(text, *match.span())).casefold()
        if not any(issuer and issuer in rest for issuer in issuers):
            return match.group(0)
        words = integer_to_words(int(match["n"]))
        if match["y"]:
            words += " năm " + integer_to_words(int(match["y"]))
        return match["type"] + match["gap"] + _spaced(words, text, match.start("n"), match.end())

    return _NAMED_DOCUMENT.sub(once, text)


# Licence plates: province number, series letters (and digit), then the serial digit by digit in its groups:
# "30E-456.78" is "ba mươi E, bốn năm sáu, bảy tám", never thousands or a subtraction.
_PLATE = re.compile(
    r"(?<![\w.,/-])(?P<province>[1-9]\d)(?:(?P<series>[A-Z]{1,2}\d?)\s?[-–]\s?|-(?P<series2>[A-Z]{1,2}\d?)\s)"
    r"(?P<serial>\d{3}\.\d{2}|\d{4,5})(?!\w|[.,]\d)")
# The older plates without a dot ("51G-12345") look like other codes: a plate only where a vehicle is spoken of.
_VEHICLE_CONTEXT = re.compile(r"(?i:(?<!\w)(?:xe|biển|BKS|BSX|ô\s+tô|tài\s+xế|lái|phương\s+tiện))(?!\w)")


def _licence_plates(text: str) -> str:
    """ "30E-456.78", "15B2-234.56", "29-B1 123.45", "51G-12345" as a Vietnamese says a plate."""
    def plate(match: re.Match) -> str:
        if "." not in match["serial"] and not _VEHICLE_CONTEXT.search(_same_sentence(text, *match.span())):
            return match.group(0)
        series = " ".join(DIGIT_WORDS[int(ch)] if ch.isdigit() else ch for ch in match["series"] or match["series2"])
        serial = ", ".join(digits_to_words(group) for group in match["serial"].split("."))
        words = f"{integer_to_words(int(match['province']))} {series}, {serial}"
        return _spaced(words, text, *match.span())

    return _PLATE.sub(plate, text)


_PHONE = re.compile(r"(?<![\w.,/])(?P<prefix>\+84[ .-]?|\(0\d{1,3}\)[ .-]?|0)\d(?:[ .-]?\d){6,10}(?!\w|[.,]\d)")
_TOLL_FREE = re.compile(r"(?<![\w.,/])1[89]00[ .]?\d{3,4}(?!\w|[.,]\d)")
_CUED_NUMBER = re.compile(
    r"(?i:(?<!\w)(?:" + _PHONE_CUES + r"))\s*:?\s*(?P<number>\d(?:[ .-]?\d){2,})(?!\w|[.,]\d)")


def _read_phone(written: str) -> str:
    groups = [group for group in re.split(r"[ .()-]+", written.replace("+", "")) if group]
    if len(groups) == 1 and len(groups[0]) >= 9:
        digits = groups[0]
        # Read an unbroken mobile number the way people group it: 4-3-3 (or 4-4-3 for eleven digits).
        sizes = (4, 3, 3) if len(digits) == 10 else (4, 4, 3) if len(digits) == 11 else (3,) * 4
        groups, position = [], 0
        for size in sizes:
            if position < len(digits):
                groups.append(digits[position:position + size])
                position += size
        if position < len(digits):
            groups.append(digits[position:])
    spoken = ", ".join(digits_to_words(group) for group in groups)
    return "cộng " + spoken if written.startswith("+") else spoken


def _phone_numbers(text: str) -> str:
    """Telephone numbers and hotlines digit by digit, in the groups they were written in."""
    def phone(match: re.Match) -> str:
        written = match.group(0)
        if not 9 <= sum(ch.isdigit() for ch in written) <= 12:
            return written
        return _spaced(_read_phone(written), text, *match.span())

    def cued(match: re.Match) -> str:
        number = match["number"]
        return match.group(0)[:match.start("number") - match.start()] + _read_phone(number)

    text = _PHONE.sub(phone, text)
    text = _TOLL_FREE.sub(lambda m: _spaced(_read_phone(m.group(0)), text, *m.span()), text)
    return _CUED_NUMBER.sub(cued, text)


# Numbers that are names, not amounts: a short code or hotline after "bấm", "gọi", "đầu số", or "gửi" in a
# text-message sentence ("nhắn tin … gửi 1408") is said digit by digit; "gửi 500 hồ sơ" stays a count.
_SHORT_CODE = re.compile(
    r"(?<!\w)(?P<cue>(?i:đầu\s+số|bấm(?:\s+số)?|quay(?:\s+số)?|gọi(?:\s+(?:số|đến|tới|vào))?|"
    r"(?:nhắn|gửi)(?:\s+tin)?(?:\s+(?:số|đến|tới|về))?))\s+(?P<n>[1-9]\d{2,4})(?!\w|[.,/:]\d|\s?[%°])")
_SMS_CONTEXT = re.compile(r"(?i:nhắn\s+tin|soạn\s+tin|tin\s+nhắn|SMS|cú\s+pháp|nhắn)")
# What may follow a number that is a name: nothing, a mark, or a word that starts a new phrase.
_AFTER_A_NAME = {"để", "hoặc", "hay", "và", "rồi", "có", "là", "sẽ", "được", "miễn", "theo", "từ", "với",
                 "trong", "khi", "nhằm", "thì", "nếu", "ngay", "của", "trực", "hoạt", "tiếp", "ủng", "tham",
                 "phản", "tra", "báo", "hỗ", "tư", "đăng", "nhận", "sau", "cho", "bằng", "tại", "mà", "thông"}


def _short_codes(text: str) -> str:
    """ "bấm 116", "đầu số 1900", "nhắn tin … gửi 1408": a short code or hotline digit by digit."""
    def short_code(match: re.Match) -> str:
        cue = match["cue"].lower()
        following = re.match(r"\s*(\w*)", text[match.end():])[1].lower()
        if not cue.startswith("đầu") and following and following not in _AFTER_A_NAME:
            return match.group(0)
        if cue.startswith(("gửi", "nhắn")) and not _SMS_CONTEXT.search(_same_sentence(text, *match.span())
                                                                       + match["cue"]):
            return match.group(0)
        return f"{match['cue']} {digits_to_words(match['n'])}"

    return _SHORT_CODE.sub(short_code, text)


_DAY_WORD = r"(?:(?P<kw>(?i:ngày|mùng|mồng))\s+)?"
_FULL_DATE = re.compile(
    _DAY_WORD + r"(?<![\w/.,-])(?P<d>\d{1,2})(?P<sep>[/.-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4})(?!\d|[/.,-]\d)")


# "15-20/11/2023" and "16/11/2023-20/11/2023": a dash between a number and a full date is a range.
_DASH_BEFORE_DATE = re.compile(r"(?<=\d)\s*[-–—]\s*(?=\d{1,2}([/.-])\d{1,2}\1\d{4}(?!\d))")


def _full_dates(text: str) -> str:
    """16/11/2023, 16-11-2023, 16.11.2023 -> "ngày mười sáu tháng mười một năm …" ("Ngày 16/11" keeps its "Ngày")."""
    def date(match: re.Match) -> str:
        day, month, year = int(match["d"]), int(match["m"]), int(match["y"])
        if not is_valid_day_month(day, month):
            return match.group(0)
        return _spaced(date_to_words(day, month, year, match["kw"] or "ngày"), text, *match.span())

    text = _DASH_BEFORE_DATE.sub(" đến ", text)
    return _FULL_DATE.sub(date, text)


# A day and month written with a dot after a word that asks for a date: "chiều 27.7", "ngày 2.9".
_DOTTED_DAY_MONTH = re.compile(
    r"(?<!\w)(?P<cue>(?i:(?:sáng|trưa|chiều|tối|đêm|hôm)\s+nay|ngày|mùng|mồng|sáng|trưa|chiều|tối|đêm|hôm|từ))"
    r"\s+(?P<d>\d{1,2})\.(?P<m>\d{1,2})(?!\d|[.,]\d|\w|\s?[%°])"
    r"(?:(?P<to>\s?[-–]\s?|\s+(?i:đến|tới)\s+(?:(?i:ngày)\s+)?)(?P<d2>\d{1,2})\.(?P<m2>\d{1,2})(?!\d|[.,]\d|\w))?")


def _dotted_dates(text: str) -> str:
    """ "Chiều 27.7" -> "Chiều ngày hai mươi bảy tháng bảy", "ngày 2.9" -> "ngày hai tháng chín"."""
    def dotted(match: re.Match) -> str:
        day, month = int(match["d"]), int(match["m"])
        after = re.match(r"\s*([^\W\d_]+)", text[match.end():])
        if not is_valid_day_month(day, month) or (after and after[1] in UNIT_WORDS):
            return match.group(0)
        cue = match["cue"]
        if cue.lower() == "từ" and not match["d2"]:
            return match.group(0)  # "từ 2.5" alone is as often a decimal as a date
        words = date_to_words(day, month, None, cue) if cue.lower() in _DAY_WORDS else \
            f"{cue} {date_to_words(day, month, None)}"
        if match["d2"]:
            # "từ ngày 1.10 đến 5.10", "27.7-30.7": the second day of the range is a date too.
            if not is_valid_day_month(int(match["d2"]), int(match["m2"])):
                return match.group(0)
            words += " đến " + date_to_words(int(match["d2"]), int(match["m2"]), None)
        return words

    return _DOTTED_DAY_MONTH.sub(dotted, text)


_DASH_DAY_MONTH = re.compile(r"(?<![\w/.,:-])(?P<d>\d{1,2})\s?-\s?(?P<m>\d{1,2})(?!\d|\s?[-/.,:]\d|\w|\s?[%°])")
_PART_OF_DAY_WORDS = {"sáng", "trưa", "chiều", "tối", "đêm", "hôm"}
_SCORE_WORDS = {"thắng", "thua", "hòa", "hoà", "số", "tỷ", "tỉ", "dẫn", "gỡ"}
# Words earlier in the same sentence that make "3-0" a score, not a range or a date.
_SCORE_CONTEXT = re.compile(
    r"(?i:(?<!\w)(?:thắng|thua|hòa|hoà|cầm\s+hòa|đánh\s+bại|vượt\s+qua|tỷ\s+số|tỉ\s+số|chung\s+cuộc|"
    r"hiệp|trận|set|séc|ván|game|luân\s+lưu|phạt\s+đền|bàn\s+thắng|ghi\s+bàn|gỡ|dẫn|đội\s+tuyển|đội\s+bóng|"
    r"đội\s+nhà|đội\s+khách|chủ\s+nhà|đối\s+thủ|bóng\s+đá|bóng\s+chuyền|bóng\s+rổ|FC|CLB))(?!\w)[^.!?;\n]*$")
_SCORE = re.compile(r"(?<![\w/.,:–-])(?P<a>\d{1,3})\s?(?P<dash>[-–—])\s?(?P<b>\d{1,3})(?!\w|[-–/.,:]\d|\s?[%°])")
# A score ends its phrase: what may follow it is a mark or a word like these, never a unit or a noun counted
# ("thắng 3-1 trước …", but "trận mưa 50-70 mm", "3-4 cầu thủ").
_AFTER_A_SCORE = {"trước", "sau", "với", "ở", "tại", "trong", "và", "cho", "để", "khi", "nhờ", "ngay", "nghiêng",
                  "chung", "qua", "rồi", "thì", "mà", "nhưng", "lên", "bằng", "của", "vào", "trên", "dưới", "nên",
                  "đã", "là", "được", "không", "thuộc"}
# Right after "thắng", "thua", "hòa" a score may also be followed by when it was ("thắng 2-1 hôm qua"); elsewhere
# "nghỉ 2-3 ngày" is a range.
_WHEN_AFTER_A_SCORE = {"ngày", "hôm", "tối", "chiều", "sáng", "trưa", "đêm", "tuần", "năm", "mùa", "lượt"}


# A team's formation, "4-4-2", "4-2-3-1": single digits, each said, never a range.
_FORMATION = re.compile(r"(?<![\w/.,:–-])\d(?:\s?-\s?\d){2,3}(?![\w/.,:–-])")


def _score_context(text: str, start: int) -> bool:
    return bool(_SCORE_CONTEXT.search(text[max(0, start - 80):start]))


def _scores(text: str) -> str:
    """ "thua 1–3" is "một – ba" (the dash as written), "hòa 2-2" "hai - hai": two numbers and a dash after a
    word of sport in the sentence, closing a phrase; never "một đến ba", never a date."""
    def score(match: re.Match) -> str:
        before, _ = _words_around(text, match.start(), match.end())
        if before in _DAY_WORDS or before in _PART_OF_DAY_WORDS:
            return match.group(0)
        following = re.match(r"\s*(\w*)", text[match.end():])[1]
        # "Hà Nội 2-1 Hải Phòng": a result between two names.
        between_names = bool(following[:1].isupper() and re.search(r"[A-ZĐÀ-Ỹ]\w*\s*$", text[:match.start()]))
        closes = (not following or following.lower() in _AFTER_A_SCORE or following[:1].isupper()
                  or (before in _SCORE_WORDS and following.lower() in _WHEN_AFTER_A_SCORE))
        a, b = int(match["a"]), int(match["b"])
        scored = before in _SCORE_WORDS or _score_context(text, match.start()) or between_names or b == 0 < a <= 31
        if not (closes and scored):
            return match.group(0)
        return _spaced(f"{integer_to_words(a)} {match['dash']} {integer_to_words(b)}", text, *match.span())

    text = _FORMATION.sub(lambda m: _spaced(" - ".join(DIGIT_WORDS[int(d)] for d in re.findall(r"\d", m.group(0))),
                                            text, *m.span()), text)
    return _SCORE.sub(score, text)


def _dash_dates(text: str) -> str:
    """Many papers write dates with a dash ("ngày 16-11", "Ngày Nhà giáo 20-11"): a date after "ngày" or a part
    of the day, or when the second number is smaller ("30-4"); "5-7 ngày" stays a range."""
    def dash_date(match: re.Match) -> str:
        day, month = int(match["d"]), int(match["m"])
        before, _ = _words_around(text, match.start(), match.end())
        if not is_valid_day_month(day, month):
            return match.group(0)
        if before in _DAY_WORDS:
            words = f"{integer_to_words(day)} tháng {month_to_words(month)}"
        elif before in _PART_OF_DAY_WORDS or day > month:
            words = date_to_words(day, month, None)
        else:
            return match.group(0)
        return _spaced(words, text, *match.span())

    return _DASH_DAY_MONTH.sub(dash_date, text)


# "Covid-19" loses its dash, but "7h-11h" keeps it for the range.
_LETTER_DASH_DIGIT = re.compile(r"(?<=" + _LETTER + r")(?<!\d[hH])-(?=\d)")
_RANGE_DASH = re.compile(r"(?:(?<=\d)|(?<=\d%)|(?<=\d[hH]))\s*[-–—]\s*(?=\d)")
_NEGATIVE = re.compile(r"(?<![^\s(\[])-(?=\d)")


def _ranges_and_signs(text: str) -> str:
    """ "2021-2025" and "5 – 7" become "… đến …"; "Covid-19" loses its dash; a leading "-5" is "âm 5"."""
    text = _LETTER_DASH_DIGIT.sub(" ", text)
    text = _RANGE_DASH.sub(" đến ", text)
    return _NEGATIVE.sub("âm ", text)


# Race times: minutes, seconds and hundredths ("1:02.35", "4'12\"35", "10\"12", "2:05:32.15"), and minutes and
# seconds where no clock could be meant ("58:40") or a race is being timed ("về đích … trong 21:05").
_RACE_FRACTION = re.compile(
    r"(?<![\w.,:])(?:(?P<h>\d{1,2}):)?(?P<m>\d{1,2}):(?P<s>\d{2})[.,](?P<cs>\d{1,2})(?!\d|[.,:]\d)")
_RACE_MARKS = re.compile(
    r"(?<![\w.,:])(?:(?P<m>\d{1,2})\s?['’′]\s?(?P<s>\d{1,2})\s?(?:''|[\"”″])\s?(?P<cs>\d{1,2})?"
    r"|(?P<s2>\d{1,2})\s?(?:''|[\"”″])(?P<cs2>\d{1,2}))(?!\d|[.,]\d)")
_MINUTES_SECONDS = re.compile(r"(?<![\w.,:])(?P<m>\d{1,2}):(?P<s>\d{2})(?![\d:]|[.,]\d)")
_RACE_CONTEXT = re.compile(
    r"(?i:(?<!\w)(?:thành\s+tích|cán\s+đích|về\s+đích|về\s+nhất|về\s+nhì|kỷ\s+lục|kỉ\s+lục|hoàn\s+thành|"
    r"chạy|bơi|đạp\s+xe|cự\s+ly|marathon))(?!\w)[^.!?;\n]*$")
_BEFORE_A_DURATION = {"trong", "với", "là", "sau", "hết", "đạt", "mất", "tích"}


def _race_time_words(hours: str | None, minutes: str, seconds: str, hundredths: str | None = None) -> str:
    parts = [f"{integer_to_words(int(hours))} giờ"] if hours else []
    if minutes:
        parts.append(f"{integer_to_words(int(minutes))} phút")
    parts.append(f"{integer_to_words(int(seconds))} giây")
    if hundredths:
        parts.append(integer_to_words(int(hundredths)))
    return " ".join(parts)


def _race_times(text: str) -> str:
    """ "1:02.35" -> "một phút hai giây ba mươi lăm", "4'12\"35" and "10\"12" likewise; "38:12" after a race."""
    def fraction(match: re.Match) -> str:
        if int(match["s"]) > 59 or (match["h"] and int(match["m"]) > 59):
            return match.group(0)
        return _spaced(_race_time_words(match["h"], match["m"], match["s"], match["cs"]), text, *match.span())

    def marks(match: re.Match) -> str:
        seconds = match["s"] or match["s2"]
        if int(seconds) > 59:
            return match.group(0)
        words = _race_time_words(None, match["m"], seconds, match["cs"] or match["cs2"])
        return _spaced(words, text, *match.span())

    def minutes_seconds(match: re.Match) -> str:
        minutes, seconds = int(match["m"]), int(match["s"])
        before, _ = _words_around(text, match.start(), match.end())
        timed = before in _BEFORE_A_DURATION and _RACE_CONTEXT.search(text[max(0, match.start() - 80):match.start()])
        if seconds > 59 or minutes > 59 or not (minutes > 24 or timed):
            return match.group(0)
        return _spaced(_race_time_words(None, match["m"], match["s"]), text, *match.span())

    text = _RACE_FRACTION.sub(fraction, text)
    text = _RACE_MARKS.sub(marks, text)
    return _MINUTES_SECONDS.sub(minutes_seconds, text)


# A rate per a round number of people: "5/10.000 dân", "28 giường/10.000 dân" is "… trên mười nghìn".
_RATE_PER_NUMBER = re.compile(
    r"(?<![\w/.,])(?P<a>\d+(?:,\d+)?)(?P<what>(?:\s+" + _LETTER + r"+){0,3})\s*/\s*(?P<b>\d{1,3}(?:\.\d{3})+)"
    r"(?!\d|[.,]\d)")


def _rates_per_number(text: str) -> str:
    """ "5/10.000" -> "năm trên mười nghìn": a count per so many, not a date or a fraction."""
    return _RATE_PER_NUMBER.sub(
        lambda m: _spaced(f"{written_number_to_words(m['a'])}{m['what']} trên {written_number_to_words(m['b'])}",
                          text, *m.span()), text)


_PER = re.compile(
    r"(?P<quantity>(?<![\d.,])\d[\d.,]*(?:\s?%(?=\s*/)|%?\s*(?:" + _LETTER + r"+\s+){0,3}" + _LETTER
    + r"+[²³23]?))"
    r"(?P<rates>(?:\s*/\s*(?:" + "|".join(sorted(map(re.escape, PER_DENOMINATORS), key=len, reverse=True))
    + r")(?!\w))+)")


_MONEY_PER_WORD = re.compile(r"(?<=\d)(?P<money>\s?(?:(?:nghìn|ngàn|triệu|tỷ|tỉ)\s)?" + _MONEY_BEFORE_SLASH
                             + r")\s*/\s*(?P<word>[a-zà-ỹđ]+)(?!\w)")


def _rates(text: str) -> str:
    """ "7.500 đồng/kg" -> "7.500 đồng một ki-lô-gam": a quantity per unit is read with "một"."""
    def rate(match: re.Match) -> str:
        denominators = [part.strip() for part in match["rates"].split("/") if part.strip()]
        return match["quantity"] + "".join(" một " + UNIT_WORDS.get(unit, unit) for unit in denominators)

    text = _PER.sub(rate, text)
    return _MONEY_PER_WORD.sub(lambda m: f"{m['money']} một {m['word']}", text)


_CLOCK = re.compile(
    r"(?<![\w.,:])(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?(?![\d:]|[.,]\d)"
    r"(?:\s?(?P<marker>SA|CH|AM|PM|sa|ch|am|pm|a\.m\.|p\.m\.)(?!\w))?")
# "24/24h" is "hai mươi tư trên hai mươi tư giờ", not a date followed by a time.
_ROUND_THE_CLOCK = re.compile(r"(?<![\w/.,])(\d+)/(\d+)[hH](?!\w)")
_HOUR_MARK = re.compile(r"(?<![\w.,:])(?P<h>\d{1,3})[hH](?P<m>\d{1,2})?(?:'|p)?(?!\w)")
# "9g30" is a time in many papers; a bare "9g" only after a word that asks for a time ("9 g" is also grams).
_G_TIME = re.compile(r"(?<![\w.,:])(?P<h>\d{1,2})g(?P<m>\d{2})(?!\w)"
                     r"|(?<!\w)(?P<cue>(?i:lúc|từ|đến|tới|khoảng|vào|trước|sau) )(?P<h2>\d{1,2})g(?!\w)")


def _clock_times(text: str) -> str:
    """14:30, 2:14:00 CH, 7h30, 7h -> "mười bốn giờ ba mươi phút", "hai giờ mười bốn phút chiều", …"""
    def clock(match: re.Match) -> str:
        hour, minute, second = int(match["h"]), int(match["m"]), int(match["s"] or 0)
        if not is_valid_time(hour, minute, second):
            return match.group(0)
        return _spaced(time_to_words(hour, minute, second, match["marker"] or ""), text, *match.span())

    def hour_mark(match: re.Match) -> str:
        hour, minute = int(match["h"]), int(match["m"] or 0)
        if not match["m"] and hour > 24:
            # "36h", "72h": a number of hours, as in "trong 12-36h tới".
            return _spaced(f"{integer_to_words(hour)} giờ", text, *match.span())
        if not is_valid_time(hour, minute):
            return match.group(0)
        return _spaced(time_to_words(hour, minute), text, *match.span())

    def g_time(match: re.Match) -> str:
        hour, minute = int(match["h"] or match["h2"]), int(match["m"] or 0)
        if not is_valid_time(hour, minute):
            return match.group(0)
        return (match["cue"] or "") + _spaced(time_to_words(hour, minute), text, *match.span())

    text = _CLOCK.sub(clock, text)
    text = _G_TIME.sub(g_time, text)
    text = _ROUND_THE_CLOCK.sub(r"\1/\2 giờ", text)
    return _HOUR_MARK.sub(hour_mark, text)


_MONTH_YEAR = re.compile(r"(?:(?P<kw>(?i:tháng))\s+)?(?<![\w/.,-])(?P<m>\d{1,2})/(?P<y>\d{4})(?!\d|[/.,]\d)")
_DAY_MONTH = re.compile(_DAY_WORD + r"(?<![\w/.,:-])(?P<d>\d{1,2})/(?P<m>\d{1,2})(?!\d|[/.,]\d|\w)")
_SLASHED = re.compile(r"(?<![\w/.,])(?P<a>\d+)/(?P<b>\d+)(?!\d|[/.,]\d|\w)")


def _slash_pair(text: str, match: re.Match, first: int, second: int) -> str:
    """How "a/b" is read when it is not a date: a fraction ("một phần hai") or a count ("mười lăm trên hai mươi")."""
    before, after = _words_around(text, match.start(), match.end())
    if 1900 <= first <= 2100 and second == first + 1:
        return f"{integer_to_words(first)} đến {integer_to_words(second)}"
    if (first, second) == (1, 2):
        return "một phần hai"
    if first < second and (before in _FRACTION_BEFORE or after in _FRACTION_AFTER) and after not in _COUNT_AFTER:
        return f"{integer_to_words(first)} phần {integer_to_words(second)}"
    return f"{integer_to_words(first)} trên {integer_to_words(second)}"


def _short_dates_and_fractions(text: str) -> str:
    """ "tháng 11/2023", "2/9", "1/2 số hộ", "15/20 xã" — see _slash_pair for the rule."""
    def month_year(match: re.Match) -> str:
        month, year = int(match["m"]), int(match["y"])
        before, _ = _words_around(text, match.start(), match.end())
        if before == "số" and not match["kw"]:
            return _spaced(f"{integer_to_words(month)} năm {integer_to_words(year)}", text, *match.span())
        if not 1 <= month <= 12:
            return match.group(0)
        words = date_to_words(None, month, year)
        if match["kw"]:
            words = match["kw"] + words[len("tháng"):]
        return _spaced(words, text, *match.span())

    def day_month(match: re.Match) -> str:
        day, month = int(match["d"]), int(match["m"])
        if match["kw"]:
            if is_valid_day_month(day, month):
                return _spaced(date_to_words(day, month, None, match["kw"]), text, *match.span())
            return match.group(0)
        before, after = _words_around(text, match.start(), match.end())
        fraction_cue = before in _FRACTION_BEFORE or after in _FRACTION_AFTER or after in _COUNT_AFTER
        # "1/2" is far more often a half than the first of February: a date only when a word says so.
        fraction_cue = fraction_cue or ((day, month) == (1, 2) and before not in _DATE_CUES)
        if is_valid_day_month(day, month) and not fraction_cue:
            return _spaced(date_to_words(day, month, None), text, *match.span())
        return _spaced(_slash_pair(text, match, day, month), text, *match.span())

    text = _MONTH_YEAR.sub(month_year, text)
    text = _DAY_MONTH.sub(day_month, text)
    return _SLASHED.sub(lambda m: _spaced(_slash_pair(text, m, int(m["a"]), int(m["b"])), text, *m.span()), text)


# Only I, V and X (up to 39): enough for congresses, terms, quarters and centuries, and "hạng C" (a driving
# licence class) or "loại D" are never read as 100 or 500.
_ROMAN = r"[IVX]+"
_ROMAN_IN_CONTEXT = re.compile(
    r"(?<!\w)(?P<kw>(?i:" + _ROMAN_CONTEXT + r"))\s+(?P<list>" + _ROMAN
    + r"(?:\s*(?:,|và|hoặc|đến|-|–)\s*" + _ROMAN + r")*)(?!\w)(?:/(?P<y>\d{4})(?!\d))?")
_ROMAN_HEADING = re.compile(r"^(?P<lead>\s*)(?P<r>" + _ROMAN + r")(?P<p>[.)])(?=\s)")


def _roman_numerals(text: str) -> str:
    """Roman numerals only where the word before makes them numbers, so "VI" or "CD" elsewhere stays a word."""
    def in_context(match: re.Match) -> str:
        keyword = match["kw"]
        parts = re.split(r"(\s*(?:,|và|hoặc|đến|-|–)\s*)", match["list"])
        values = [roman_to_int(part) for part in parts[::2]]
        if None in values:
            return match.group(0)
        rank = keyword.lower() in ("hạng", "giải")
        spoken = []
        for index, part in enumerate(parts):
            if index % 2:
                separator = part.strip()
                spoken.append(" đến " if separator in ("-", "–") else (", " if separator == "," else f" {separator} "))
                continue
            value = values[index // 2]
            if keyword.lower() == "thứ":
                spoken.append(ordinal_to_words(value))
            elif rank:
                spoken.append(_RANK_WORDS.get(value) or integer_to_words(value))
            else:
                spoken.append(integer_to_words(value))
        words = f"{keyword} {''.join(spoken)}"
        if match["y"]:
            words += " năm " + integer_to_words(int(match["y"]))
        return _spaced(words, text, *match.span())

    def heading(match: re.Match) -> str:
        value = roman_to_int(match["r"])
        if value is None:
            return match.group(0)
        return f"{match['lead']}{integer_to_words(value).capitalize()}{match['p']}"

    text = _ROMAN_IN_CONTEXT.sub(in_context, text)
    return _ROMAN_HEADING.sub(heading, text)


_ORDINAL = re.compile(r"(?<!\w)(?P<kw>(?i:thứ))\s+(?P<n>\d+)(?!\d|[.,]\d|\w)")
# "giải 1" is the first prize, "giải nhất", as "giải I" is; "giải 2 triệu đồng" is an amount.
_PRIZE = re.compile(r"(?<!\w)(?P<kw>(?i:giải))\s+(?P<n>[1-4])(?!\d|[.,]\d|\w)"
                    r"(?!\s*(?:triệu|nghìn|ngàn|tỷ|tỉ|trăm|đồng|đ\b|USD|%|phần|suất|giải|người|đội|tác))")
_MONTH = re.compile(r"(?<!\w)(?P<kw>(?i:tháng))\s+(?P<m>\d{1,2})(?!\d|[.,/]\d|\w)")


def _ordinals_and_months(text: str) -> str:
    """ "thứ 2" -> "thứ hai", "thứ 1" -> "thứ nhất", "giải 1" -> "giải nhất", "tháng 4" -> "tháng tư" (but
    "3 tháng 4 ngày" is a length)."""
    def ordinal(match: re.Match) -> str:
        return f"{match['kw']} {ordinal_to_words(int(match['n']))}"

    def month(match: re.Match) -> str:
        value = int(match["m"])
        if not 1 <= value <= 12 or re.search(r"\d\s*$", text[max(0, match.start() - 3):match.start()]):
            return match.group(0)
        return f"{match['kw']} {month_to_words(value)}"

    text = _ORDINAL.sub(ordinal, text)
    text = _PRIZE.sub(lambda m: f"{m['kw']} {_PRIZE_WORDS[int(m['n'])]}", text)
    return _MONTH.sub(month, text)


# What a decimal measures: after one of these, a dot between digits is the decimal mark ("8.75 điểm",
# "3.5 lần", "1.2%"), not a version ("4.0", "PM2.5"); three digits after the dot stay thousands ("1.500 người").
_MEASURES = sorted({*UNIT_WORDS, "điểm", "lần", "giây", "phút", "giờ", "ngày", "tuần", "tháng", "năm", "tỷ", "tỉ",
                    "triệu", "nghìn", "ngàn", "tấn", "tạ", "lít", "độ", "mét", "héc-ta", "đồng"}, key=len, reverse=True)
_DECIMAL = re.compile(
    r"(?<![\w.,])(?P<i>\d+)(?P<mark>[.,])(?P<f>\d{1,2})(?![\w.,]|[.,]\d)(?=\s?(?P<measure>"
    + "|".join(map(re.escape, _MEASURES)) + r")(?!\w))(?:(?P<space>\s?)(?P<unit>"
    + "|".join(sorted(map(re.escape, UNIT_WORDS), key=len, reverse=True)) + r")(?!\w))?")
# "điểm a khoản 2.1 điểm b" is a clause, "3.5 năm 2020" a number and a year.
_NOT_A_MEASURE_AFTER = re.compile(r"\s?(?:điểm\s+[a-zđ](?!\w)|năm\s+\d{4})")


_UNITS_AFTER_TENS = {1: "mốt", 4: "tư", 5: "lăm"}


def _short_hundredths(digits: str) -> str:
    """The two decimals of a mark out of ten as they are said: 75 -> "bảy lăm", 25 -> "hai lăm", 05 -> "không năm"."""
    tens, unit = int(digits[0]), int(digits[1])
    if tens == 0:
        return f"không {DIGIT_WORDS[unit]}"
    if tens == 1:
        return integer_to_words(10 + unit)
    if unit == 0:
        return f"{DIGIT_WORDS[tens]} mươi"
    return f"{DIGIT_WORDS[tens]} {_UNITS_AFTER_TENS.get(unit, DIGIT_WORDS[unit])}"


def _decimals(text: str) -> str:
    """ "8.75 điểm" -> "tám phẩy bảy lăm điểm" (marks say their hundredths short), "3.5 lần" -> "ba phẩy năm lần"."""
    def decimal(match: re.Match) -> str:
        if _NOT_A_MEASURE_AFTER.match(text, match.end()):
            return match.group(0)
        if match["measure"] == "điểm" and len(match["f"]) == 2:
            words = f"{integer_string_to_words(match['i'])} phẩy {_short_hundredths(match['f'])}"
        elif match["mark"] == ".":
            words = decimal_to_words(match["i"], match["f"])
        else:
            return match.group(0)
        if match["unit"]:
            words += " " + UNIT_WORDS[match["unit"]]
        return _spaced(words, text, *match.span())

    return _DECIMAL.sub(decimal, text)


_NUMBER_WITH_UNIT = re.compile(
    r"(?<![\w.,])(?P<num>\d+(?:[.,]\d+)*)(?:(?P<space>\s?)(?P<unit>"
    + "|".join(sorted(map(re.escape, UNIT_WORDS), key=len, reverse=True)) + r")(?!\w))?")


_TIME_PART = re.compile(r"\s?(?:giờ|phút|giây)(?!\w)")


def _numbers(text: str) -> str:
    """Plain numbers, with the unit, currency or percent sign that follows them."""
    def number(match: re.Match) -> str:
        written = match["num"]
        if len(written) == 2 and written[0] == "0" and _TIME_PART.match(text, match.end()):
            # "2 giờ 08 phút", "05 giây": the part of a time is a count, not a code read digit by digit.
            written = written[1]
        words = written_number_to_words(written)
        if match["unit"]:
            words += " " + UNIT_WORDS[match["unit"]]
        return _spaced(words, text, *match.span())

    return _NUMBER_WITH_UNIT.sub(number, text)


_STANDALONE_UNIT = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, _STANDALONE_UNITS)) + r")(?!\w)")
_LETTER_DIGIT_BOUNDARY = re.compile(r"(?<=" + _LETTER + r")(?=\d)|(?<=\d)(?=" + _LETTER + r")")


def _leftover_digits(text: str) -> str:
    """Any digit run still present ("H5N1", "QH15", "PM2.5") is read; one with a leading zero digit by digit."""
    return re.sub(r"\d+(?:[.,]\d+)*", lambda m: _spaced(written_number_to_words(m.group(0)), text, *m.span()),
                  text)


def _numeric_to_words(value: float) -> str:
    if float(value).is_integer():
        return integer_to_words(int(value))
    fraction = Fraction(value).limit_denominator(1000)
    return f"{integer_to_words(fraction.numerator)} phần {integer_to_words(fraction.denominator)}"


def _leftover_numeric_characters(text: str) -> str:
    """½, ², ①, Roman-numeral code points and the like: their numeric value, so nothing numeric is left unread."""
    if all(ch.isascii() or not ch.isnumeric() for ch in text):
        return text
    out = []
    for index, ch in enumerate(text):
        if ch.isnumeric():
            out.append(_spaced(_numeric_to_words(unicodedata.numeric(ch)), text, index, index + 1))
        else:
            out.append(ch)
    return "".join(out)


def _symbols(text: str) -> str:
    text = text.replace("%", " phần trăm ").replace("‰", " phần nghìn ")
    text = re.sub(r"\s*&\s*", " và ", text)
    text = re.sub(r"(?<=[\w\s])=(?=[\s\w])", " bằng ", text)
    return re.sub(r"(?<=\w)\s*/\s*(?=\w)", " ", text)


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([,.;:!?…)\]}”’»])", r"\1", text)
    text = re.sub(r"([(\[{“‘«])\s+", r"\1", text)
    return unicodedata.normalize("NFC", text.strip())


_DONG_AFTER_AMOUNT = re.compile(r"(?<!\w)(?P<amount>nghìn|ngàn|triệu|tỷ|tỉ|trăm)\s?đ(?!\w)")


# A unit of two letters or more after a word that counts or shares out ("mỗi kg", "hàng trăm ha", "vài km"); a
# one-letter sign ("mỗi m", "vài g") is too often something else to be read so.
_UNIT_AFTER_COUNT_WORD = re.compile(
    r"(?<!\w)(?P<cue>(?i:mỗi|từng|một|vài|mấy|chục|trăm|nghìn|ngàn|vạn|triệu|tỷ|tỉ|nửa))\s+"
    r"(?P<unit>km|kg|ha|cm|mm|ml|mg|kWh|MW)(?!\w)")


def _standalone_units(text: str) -> str:
    """ "giá mỗi m2", "mỗi kg", "hàng trăm ha" and "5 triệu đ/tháng": a unit sign with no digit right before it."""
    text = _DONG_AFTER_AMOUNT.sub(lambda m: m["amount"] + " đồng", text)
    text = _UNIT_AFTER_COUNT_WORD.sub(lambda m: f"{m['cue']} {UNIT_WORDS[m['unit']]}", text)
    return _STANDALONE_UNIT.sub(lambda m: _spaced(UNIT_WORDS[m.group(0)], text, *m.span()), text)


_BRACKETED_ABBREVIATION = re.compile(r"\s*\((?P<key>[^\W\d_][\w&.-]*)\)")


def _defined_abbreviations(text: str, table: Lexicon) -> str:
    """ "Không khí lạnh (KKL) tràn về": an abbreviation in brackets right after what it stands for is its
    definition, not something to say twice ("không khí lạnh (không khí lạnh)")."""
    def defined(match: re.Match) -> str:
        key = match["key"]
        spoken = table.general.get(key) or table.words.get(key.casefold())
        if spoken and text[:match.start()].rstrip().casefold().endswith(spoken.casefold()):
            return ""
        return match.group(0)

    return _BRACKETED_ABBREVIATION.sub(defined, text)


def _letter_digit_boundaries(text: str) -> str:
    return _LETTER_DIGIT_BOUNDARY.sub(" ", text)


# What a pass needs in the text to change anything: a pass whose need is absent is skipped, since most
# sentences hold few numbers and running some forty patterns over each one was most of the cost.
_NEEDS = {name: re.compile(pattern) for name, pattern in {
    "web address": r"\w\.\w|@",
    "brand with a dot": r"[A-Z]\.[A-Z]",
    "sign between numbers": r"[±≥≤≠÷≈~<>]",
    "comparison": r"[±≥≤≠÷≈~<>]",
    "document number read once": r"\d/",
    "document number": r"\d[/-]",
    "licence plate": r"\d-?[A-Z]",
    "road": r"\d",
    "emergency number": r"11[1-6]",
    "phone number": r"\d",
    "short code": r"\d\d\d",
    "arithmetic sign": r"\d\s*[+x×]|[+x×]\d|24/",
    "race time": r"\d\s?[:'’′\"”″]",
    "knockout round": r"(?i:vòng)\s+\d",
    "half": r"½|1/2",
    "season": r"\d\s?[/–-]\s?\d",
    "date": r"\d[/.-]\d{1,2}[/.-]\d",
    "dotted date": r"\d\.\d",
    "month and year": r"(?i:tháng)\s+\d",
    "score": r"\d\s?[-–—]\s?\d",
    "date with dash": r"\d\s?-\s?\d",
    "range or sign": r"[-–—]",
    "rate per number": r"/\s*\d{1,3}\.\d{3}",
    "rate": r"/",
    "clock time": r"\d[:hHg]",
    "short date or fraction": r"\d/\d",
    "Roman numeral": r"[IVX]",
    "ordinal or month": r"\d",
    "decimal": r"\d[.,]\d",
    "number": r"\d",
    "letters and digits": r"\d",
    "abbreviation defined": r"\(",
    "digits": r"\d",
}.items()}


@lru_cache(maxsize=16)
def _passes(table: Lexicon) -> tuple[tuple[str, Callable[[str, list[Change] | None], str], re.Pattern | None], ...]:
    """The passes in order, each a name (as explain() reports it), a function of (text, trace), and what the
    text must contain for the pass to run (None: always)."""
    def plain(function: Callable[[str], str]) -> Callable[[str, list[Change] | None], str]:
        return lambda text, trace: function(text)

    def with_table(function: Callable[[str, Lexicon], str]) -> Callable[[str, list[Change] | None], str]:
        return lambda text, trace: function(text, table)

    passes = (
        ("characters", plain(_prepare)),
        ("web address", with_table(_web_addresses)),
        ("brand with a dot", with_table(_dotted_brands)),
        ("sign between numbers", plain(_signs_between_numbers)),
        ("comparison", plain(_comparisons)),
        ("document number read once", with_table(_documents_read_once)),
        ("document number", with_table(_document_numbers)),
        ("licence plate", plain(_licence_plates)),
        ("road", plain(_roads)),
        ("emergency number", plain(_emergency_numbers)),
        ("phone number", plain(_phone_numbers)),
        ("short code", plain(_short_codes)),
        ("lexicon rule", table.apply_rules),
        ("arithmetic sign", plain(_arithmetic_signs)),
        ("race time", plain(_race_times)),
        ("knockout round", plain(_knockout_rounds)),
        ("half", plain(_halves)),
        ("season", plain(_seasons)),
        ("date", plain(_full_dates)),
        ("dotted date", plain(_dotted_dates)),
        ("month and year", plain(_month_dash_year)),
        ("score", plain(_scores)),
        ("date with dash", plain(_dash_dates)),
        ("range or sign", plain(_ranges_and_signs)),
        ("rate per number", plain(_rates_per_number)),
        ("rate", plain(_rates)),
        ("clock time", plain(_clock_times)),
        ("short date or fraction", plain(_short_dates_and_fractions)),
        ("Roman numeral", plain(_roman_numerals)),
        ("ordinal or month", plain(_ordinals_and_months)),
        ("decimal", plain(_decimals)),
        ("number", plain(_numbers)),
        ("unit", plain(_standalone_units)),
        ("letters and digits", plain(_letter_digit_boundaries)),
        ("abbreviation defined", with_table(_defined_abbreviations)),
        ("lexicon", table.expand),
        ("digits", plain(_leftover_digits)),
        ("numeric character", plain(_leftover_numeric_characters)),
        ("symbol", plain(_symbols)),
        ("spacing", plain(_tidy)),
    )
    return tuple((name, run, _NEEDS.get(name)) for name, run in passes)


def spoken_form(text: str, abbreviations: Lexicon | None = None) -> str:
    """Text with every number, date, time, unit, address, Roman numeral in context and lexicon entry spelled out (NFC)."""
    if not text:
        return ""
    table = abbreviations if abbreviations is not None else load_lexicon()
    for _name, run, needs in _passes(table):
        if needs is None or needs.search(text):
            text = run(text, None)
    return text


_TOKEN = re.compile(r"\w+(?:[^\w\s]+\w+)*|[^\w\s]")
# Passes that only clean up: what they change is no reading worth explaining.
_QUIET_PASSES = {"characters", "letters and digits", "spacing"}


def _changed_parts(before: str, after: str, rule: str) -> list[Change]:
    """The word-level differences one pass made, as Changes named after the pass."""
    old = [(m.start(), m.end()) for m in _TOKEN.finditer(before)]
    new = [(m.start(), m.end()) for m in _TOKEN.finditer(after)]
    matcher = SequenceMatcher(None, [before[a:b] for a, b in old], [after[a:b] for a, b in new], autojunk=False)
    changes = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        original = before[old[i1][0]:old[i2 - 1][1]] if i2 > i1 else ""
        spoken = after[new[j1][0]:new[j2 - 1][1]] if j2 > j1 else ""
        changes.append(Change(original, spoken, rule))
    return changes


def explain(text: str, table: Lexicon | None = None) -> list[Change]:
    """What spoken_form() does to text, in the order it does it: each changed part, its spoken form, and the
    rule (a pass of the normalizer) or lexicon entry (abbreviation, word or context rule) that changed it."""
    table = table if table is not None else load_lexicon()
    changes: list[Change] = []
    if not text:
        return changes
    for name, run, needs in _passes(table):
        if needs is not None and not needs.search(text):
            continue
        if name in ("lexicon rule", "lexicon"):
            text = run(text, changes)
            continue
        changed = run(text, None)
        if changed != text and name not in _QUIET_PASSES:
            changes.extend(_changed_parts(text, changed, name))
        text = changed
    return changes
