"""Vietnamese number reading in the style of a Northern news reader.

Hand-written on purpose. The PyPI candidates were measured before writing this:
num2words 0.5.14 gets 2023 and 1.5 wrong for news style; vietnam-number 1.0.6 says "lẽ" (a misspelling
of the Southern "lẻ") instead of "linh"; vn-numberwords 0.2.0 reads integers well but turns "3.05" into
"ba phẩy năm" (it goes through float), cannot read 10^18, and has no digit-by-digit reading. The rules are
small and fixed, so owning them (with a large test table) is cheaper than working around any of them.
"""
from __future__ import annotations

import re

DIGIT_WORDS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")

# Numbers longer than this are identifiers (account numbers, serials), not quantities: read digit by digit.
MAX_CARDINAL_DIGITS = 18

_BILLION = 10**9


def digits_to_words(digits: str) -> str:
    """Each digit of a string read on its own: "0216" -> "không hai một sáu"; non-digits are ignored."""
    return " ".join(DIGIT_WORDS[int(ch)] for ch in digits if ch.isdecimal())


def _units_after_tens(unit: int) -> str:
    # After "mươi" (20..99) 1 is "mốt", 4 is "tư" and 5 is "lăm"; after "mười" only 5 changes.
    return {1: "mốt", 4: "tư", 5: "lăm"}.get(unit, DIGIT_WORDS[unit])


def _below_thousand(value: int, inside: bool) -> str:
    """0 < value < 1000; inside=True when a larger group came before, so "không trăm" / "linh" are said."""
    hundreds, rest = divmod(value, 100)
    tens, unit = divmod(rest, 10)
    words: list[str] = []
    if hundreds or inside:
        words += [DIGIT_WORDS[hundreds], "trăm"]
    if tens == 0:
        if unit:
            if hundreds or inside:
                words.append("linh")
            words.append(DIGIT_WORDS[unit])
    elif tens == 1:
        words.append("mười")
        if unit:
            words.append("lăm" if unit == 5 else DIGIT_WORDS[unit])
    else:
        words += [DIGIT_WORDS[tens], "mươi"]
        if unit:
            words.append(_units_after_tens(unit))
    return " ".join(words)


def _below_billion(value: int, inside: bool) -> str:
    words: list[str] = []
    for group, name in ((value // 10**6, "triệu"), (value // 1000 % 1000, "nghìn"), (value % 1000, "")):
        if group == 0:
            continue
        words.append(_below_thousand(group, inside))
        if name:
            words.append(name)
        inside = True
    return " ".join(words)


def integer_to_words(value: int) -> str:
    """Cardinal reading of an integer: 105 -> "một trăm linh năm", 2023 -> "hai nghìn không trăm hai mươi ba"."""
    if value < 0:
        return "âm " + integer_to_words(-value)
    if value == 0:
        return "không"
    if value >= _BILLION:
        high, low = divmod(value, _BILLION)
        words = integer_to_words(high) + " tỷ"
        return words + " " + _below_billion(low, inside=True) if low else words
    return _below_billion(value, inside=False)


def ordinal_to_words(value: int) -> str:
    """The word after "thứ": 1 -> "nhất", 4 -> "tư", otherwise the cardinal (thứ mười bốn, thứ hai mươi mốt)."""
    return {1: "nhất", 4: "tư"}.get(value) or integer_to_words(value)


def integer_string_to_words(digits: str) -> str:
    """An integer as written: a leading zero ("02", "0216") or a very long run is a code read digit by digit."""
    if len(digits) > 1 and digits.startswith("0") or len(digits) > MAX_CARDINAL_DIGITS:
        return digits_to_words(digits)
    return integer_to_words(int(digits))


def fraction_digits_to_words(digits: str) -> str:
    """The part after "phẩy": leading zeros one by one, then up to three digits as a number, else digit by digit."""
    stripped = digits.lstrip("0")
    zeros = ["không"] * (len(digits) - len(stripped))
    if not stripped:
        return " ".join(zeros)
    rest = integer_to_words(int(stripped)) if len(stripped) <= 3 else digits_to_words(stripped)
    return " ".join(zeros + [rest])


def decimal_to_words(integer_part: str, fraction_part: str) -> str:
    """A decimal written with a comma: ("3", "5") -> "ba phẩy năm", ("3", "05") -> "ba phẩy không năm"."""
    return f"{integer_string_to_words(integer_part)} phẩy {fraction_digits_to_words(fraction_part)}"


# Both marks make sense together only as dot thousands and a decimal comma: "1.250,5".
_DECIMAL_WITH_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})*,\d+")
_SEPARATOR_WORDS = {",": "phẩy", ".": "chấm"}


def _separated_groups_to_words(written: str) -> str:
    # A shape no number takes ("1,9.9", "37,1.7"): say each group and each mark as written.
    return " ".join(_SEPARATOR_WORDS.get(part) or integer_string_to_words(part)
                    for part in re.split(r"([.,])", written) if part)


def written_number_to_words(written: str) -> str:
    """A number as Vietnamese news writes it: "1.250.000", "3,5" (decimal comma), "1,250,000", "4.0" ("chấm")."""
    # Dots grouping three digits are thousands; other dots (versions, "4.0") are read "chấm". A single comma is
    # the decimal mark; several comma groups of three are English-style thousands.
    if "," in written and "." in written:
        if not _DECIMAL_WITH_THOUSANDS.fullmatch(written):
            return _separated_groups_to_words(written)
        integer_part, _, fraction_part = written.rpartition(",")
        return decimal_to_words(integer_part.replace(".", ""), fraction_part)
    if "." in written:
        groups = written.split(".")
        if all(len(group) == 3 for group in groups[1:]) and 1 <= len(groups[0]) <= 3:
            return integer_string_to_words(written.replace(".", ""))
        return " chấm ".join(integer_string_to_words(group) for group in groups)
    if "," in written:
        groups = written.split(",")
        if len(groups) > 2 and all(len(group) == 3 for group in groups[1:]) and 1 <= len(groups[0]) <= 3:
            return integer_string_to_words(written.replace(",", ""))
        integer_part, _, fraction_part = written.partition(",")
        return decimal_to_words(integer_part, fraction_part.replace(",", ""))
    return integer_string_to_words(written)


_ROMAN_VALUES = (("M", 1000), ("CM", 900), ("D", 500), ("CD", 400), ("C", 100), ("XC", 90),
                 ("L", 50), ("XL", 40), ("X", 10), ("IX", 9), ("V", 5), ("IV", 4), ("I", 1))


def roman_to_int(roman: str) -> int | None:
    """Value of a canonical upper-case Roman numeral ("XXI" -> 21), or None when it is not one ("IIII", "VX", "")."""
    value, rest = 0, roman
    for symbol, amount in _ROMAN_VALUES:
        while rest.startswith(symbol):
            value += amount
            rest = rest[len(symbol):]
    if rest or not value or int_to_roman(value) != roman:
        return None
    return value


def int_to_roman(value: int) -> str:
    """Canonical Roman numeral of 1..3999."""
    out = []
    for symbol, amount in _ROMAN_VALUES:
        count, value = divmod(value, amount)
        out.append(symbol * count)
    return "".join(out)
