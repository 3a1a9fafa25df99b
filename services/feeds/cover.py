"""The podcast's cover: a square PNG drawn with Pillow, made once per site name in the media store."""
from __future__ import annotations

import hashlib
import os
from io import BytesIO
from typing import TYPE_CHECKING

from services.infra.files import write_atomically

if TYPE_CHECKING:
    from PIL import ImageDraw, ImageFont

# Pillow is imported by the functions that draw or read images, not with this module: a page needs none of it.

COVER_SIZE = 1400  # Apple's minimum; small enough to fetch over 3G
COVER_BACKGROUND = (138, 28, 19)  # the site's accent colour
COVER_TEXT = (255, 255, 255)
COVER_FONT = "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"  # Debian's fonts-noto-core


def podcast_cover_path(media_root: str, site_name: str, heading: str = "Đọc bài") -> str:
    """A podcast cover, a square PNG made once per heading and name in the media store; its path in the store."""
    key = f"cover-v1\x1f{site_name}" if heading == "Đọc bài" else f"cover-v1\x1f{heading}\x1f{site_name}"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    relative_path = f"podcast/cover-{digest}.png"
    target = os.path.join(media_root, relative_path)
    if not os.path.exists(target):
        write_atomically(target, _draw_cover(site_name, heading))
    return relative_path


def cover_png(heading: str, name: str, size: int) -> bytes:
    """A cover drawn like the podcast's, scaled to size pixels a side (a small one for a file's own tag)."""
    from PIL import Image

    image = Image.open(BytesIO(_draw_cover(name, heading))).resize((size, size), Image.Resampling.LANCZOS)
    buffer = BytesIO()
    image.convert("P", palette=Image.Palette.ADAPTIVE, colors=16).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _font(size: int) -> ImageFont.ImageFont:
    from PIL import ImageFont

    try:
        return ImageFont.truetype(COVER_FONT, size)
    except OSError:
        return ImageFont.load_default(size)


def _draw_cover(site_name: str, heading: str = "Đọc bài") -> bytes:
    from PIL import Image
    from PIL import ImageDraw

    image = Image.new("RGB", (COVER_SIZE, COVER_SIZE), COVER_BACKGROUND)
    draw = ImageDraw.Draw(image)
    margin = 110
    # Sound waves beside a speaker: the podcast is the articles read aloud.
    centre_x, centre_y = COVER_SIZE // 2 - 120, 430
    draw.polygon(
        [(centre_x - 160, centre_y - 70), (centre_x - 60, centre_y - 70), (centre_x + 60, centre_y - 170),
         (centre_x + 60, centre_y + 170), (centre_x - 60, centre_y + 70), (centre_x - 160, centre_y + 70)],
        fill=COVER_TEXT,
    )
    for radius in (140, 230, 320):
        box = (centre_x + 60 - radius, centre_y - radius, centre_x + 60 + radius, centre_y + radius)
        draw.arc(box, start=-40, end=40, fill=COVER_TEXT, width=36)
    draw.text((margin, 760), heading, font=_font(190), fill=COVER_TEXT)
    line_font = _font(78)
    y = 1010
    for line in _wrap(draw, site_name, line_font, COVER_SIZE - 2 * margin)[:3]:
        draw.text((margin, y), line, font=line_font, fill=COVER_TEXT)
        y += 100
    buffer = BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.ImageFont, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=font) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines
