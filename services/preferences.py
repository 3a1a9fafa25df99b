"""Reading preferences kept in one cookie: text size, high contrast, line spacing and data saving.

Plain functions of strings, so the rules are the same for a view, a test or a benchmark. Anything
unreadable in a cookie or a form means "the default" — a broken cookie never breaks a page.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit

COOKIE_NAME = "reading"
COOKIE_MAX_AGE = 365 * 24 * 3600
# A real cookie is about 60 characters; anything far longer is not ours and is not parsed.
MAX_COOKIE_LENGTH = 300
TEXT_SIZES = ("normal", "large", "larger")


@dataclass(frozen=True)
class ReadingPreferences:
    """What one reader chose; the defaults are what everyone else gets."""

    text_size: str = "normal"
    high_contrast: bool = False
    loose_lines: bool = False
    data_saver: bool | None = None  # None follows the browser's Save-Data header; True/False is the reader's choice

    def saving_data(self, browser_asks: bool) -> bool:
        """Whether to hold back images and videos: the reader's own choice, else what the browser asks."""
        return browser_asks if self.data_saver is None else self.data_saver

    def html_classes(self, saving_data: bool) -> str:
        """The classes on <html> that the stylesheet keys on."""
        classes = []
        if self.text_size != "normal":
            classes.append(f"text-{self.text_size}")
        if self.high_contrast:
            classes.append("high-contrast")
        if self.loose_lines:
            classes.append("loose-lines")
        if saving_data:
            classes.append("data-saver")
        return " ".join(classes)

    def with_data_saver(self, on: bool) -> "ReadingPreferences":
        """The same preferences with data saving switched on or off by the reader."""
        return replace(self, data_saver=on)


DEFAULT_PREFERENCES = ReadingPreferences()


def _switch(value: str | None) -> bool | None:
    return {"on": True, "off": False}.get((value or "").strip().lower())


def parse_preferences(cookie_value: str | None) -> ReadingPreferences:
    """Preferences from the cookie's value; the defaults for anything missing or unreadable."""
    if not cookie_value or len(cookie_value) > MAX_COOKIE_LENGTH:
        return DEFAULT_PREFERENCES
    fields = dict(parse_qsl(cookie_value, keep_blank_values=False))
    size = fields.get("size")
    return ReadingPreferences(
        text_size=size if size in TEXT_SIZES else "normal",
        high_contrast=fields.get("contrast") == "high",
        loose_lines=fields.get("spacing") == "loose",
        data_saver=_switch(fields.get("data")),
    )


def preferences_cookie_value(preferences: ReadingPreferences) -> str:
    """The cookie value that parse_preferences() reads back as these preferences."""
    fields = {}
    if preferences.text_size != "normal":
        fields["size"] = preferences.text_size
    if preferences.high_contrast:
        fields["contrast"] = "high"
    if preferences.loose_lines:
        fields["spacing"] = "loose"
    if preferences.data_saver is not None:
        fields["data"] = "on" if preferences.data_saver else "off"
    return urlencode(fields)


def preferences_from_form(form: Mapping[str, str]) -> ReadingPreferences:
    """Preferences from the settings form; unchecked boxes are off, an unknown size is the normal one."""
    size = form.get("text_size")
    return ReadingPreferences(
        text_size=size if size in TEXT_SIZES else "normal",
        high_contrast=form.get("high_contrast") == "on",
        loose_lines=form.get("loose_lines") == "on",
        data_saver=form.get("data_saver") == "on",
    )


def save_data_requested(header_value: str | None) -> bool:
    """Whether a `Save-Data` request header asks for less data ("on", per the Client Hints draft)."""
    return (header_value or "").split(";")[0].strip().lower() == "on"


def safe_return_path(target: str | None) -> str | None:
    """A path on this site to send the reader back to, or None if the target could lead elsewhere."""
    if not target or len(target) > 2000 or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(character) < 32 for character in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
