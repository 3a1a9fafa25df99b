"""Vietnamese URL slugs without diacritics, made by python-slugify."""
from __future__ import annotations

from collections.abc import Callable

from slugify import slugify

MAX_SLUG_LENGTH = 120


def vietnamese_slug(text: str) -> str:
    """A lowercase ASCII slug: "Mù Cang Chải đón Tết" → "mu-cang-chai-don-tet"."""
    # slugify's unidecode maps đ/Đ to d, which is how Vietnamese is written without diacritics.
    return slugify(text, max_length=MAX_SLUG_LENGTH, word_boundary=True)


def unique_slug(slug: str, is_taken: Callable[[str], bool]) -> str:
    """The slug itself if free, else the first free "slug-2", "slug-3", …"""
    if not is_taken(slug):
        return slug
    number = 2
    while is_taken(f"{slug}-{number}"):
        number += 1
    return f"{slug}-{number}"


def ascii_filename(slug: str, extension: str, part: str | int | None = None) -> str:
    """A plain-ASCII download name for Content-Disposition: ("ca-phe", "mp3", 3) → "ca-phe-3.mp3"."""
    # Slugs are ASCII already, but an imported or hand-edited one may not be.
    stem = slugify(slug, max_length=MAX_SLUG_LENGTH, word_boundary=True) or "bai-viet"
    if part is not None and (part_slug := slugify(str(part))):
        stem = f"{stem}-{part_slug}"
    return f"{stem}.{extension}"
