"""The podcast's episodes: articles whose audio is already made, its cover, and making missing audio ahead.

A feed request never waits for speech synthesis: it lists the articles whose MP3 is in the audio cache and
hands the others to one background prewarm, so a podcast app's next poll finds them ready. The CLI
`flask tts prewarm --latest N` (run after an import, or from a timer) does the same work up front.
"""
from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from filelock import FileLock, Timeout
from PIL import Image, ImageDraw, ImageFont

from extensions import db
from models import Article
from services.article_audio import article_segments, narrator_for_app, prewarm_articles
from services.articles import published_articles
from services.files import write_atomically
from services.speech import Narrator, audio_duration_seconds


@dataclass(frozen=True)
class ReadyAudio:
    article: Article
    path: Path
    size_bytes: int
    duration_seconds: float


def cached_article_audio(narrator: Narrator, article: Article) -> Path | None:
    """The article's MP3 if the cache already holds it, in the narrator's order of engines; never synthesizes."""
    segments = article_segments(article)
    for engine in narrator.engines:
        path = narrator.cache.get(narrator.article_key(engine, segments))
        if path is not None:
            return path
    return None


@lru_cache(maxsize=1024)
def _duration_seconds(path: str, size: int, modified_ns: int) -> float:
    # Keyed by size and modification time too: a file made again is measured again.
    return audio_duration_seconds(path)


def ready_audio(narrator: Narrator, articles: Sequence[Article]) -> tuple[list[ReadyAudio], list[Article]]:
    """The articles split into those whose audio is ready (with its size and length) and those still without."""
    ready: list[ReadyAudio] = []
    missing: list[Article] = []
    for article in articles:
        path = cached_article_audio(narrator, article)
        try:
            status = path.stat() if path is not None else None
            duration = _duration_seconds(str(path), status.st_size, status.st_mtime_ns) if status else None
        except (OSError, ValueError):
            # Pruned between the lookup and the stat, or unreadable: made again like a missing one.
            duration = None
        if duration is None:
            missing.append(article)
        else:
            ready.append(ReadyAudio(article, path, status.st_size, duration))
    return ready, missing


_prewarm_running = threading.Lock()


def prewarm_in_background(app, article_ids: Sequence[int]) -> threading.Thread | None:
    """Start making these articles' audio in a background thread; None if a prewarm is already running."""
    # One prewarm per process (the lock) and per server (the file lock), however many feeds are polled.
    if not article_ids or not _prewarm_running.acquire(blocking=False):
        return None
    lock_path = os.path.join(app.config["AUDIO_CACHE_DIR"], ".locks", "podcast-prewarm.lock")
    os.makedirs(os.path.dirname(lock_path), exist_ok=True)
    thread = threading.Thread(
        target=_prewarm, args=(app, list(article_ids), lock_path), name="podcast-prewarm", daemon=True
    )
    try:
        thread.start()
    except BaseException:
        _prewarm_running.release()
        raise
    return thread


def _prewarm(app, article_ids: list[int], lock_path: str) -> None:
    try:
        with FileLock(lock_path, timeout=0), app.app_context():
            articles = db.session.execute(published_articles().where(Article.id.in_(article_ids))).scalars().all()
            report = prewarm_articles(narrator_for_app(app), articles)
            for slug, reason in report.failed:
                app.logger.warning("Podcast prewarm: no audio for %s: %s", slug, reason)
    except Timeout:
        pass  # another process is already making audio; the next feed request looks again
    except Exception:
        app.logger.exception("Podcast prewarm failed")
    finally:
        _prewarm_running.release()


COVER_SIZE = 1400  # Apple's minimum; small enough to fetch over 3G
COVER_BACKGROUND = (138, 28, 19)  # the site's accent colour
COVER_TEXT = (255, 255, 255)
COVER_FONT = "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"  # Debian's fonts-noto-core


def podcast_cover_path(media_root: str, site_name: str) -> str:
    """The podcast cover, a square PNG made once per site name in the media store; its path in the store."""
    digest = hashlib.sha256(f"cover-v1\x1f{site_name}".encode("utf-8")).hexdigest()[:16]
    relative_path = f"podcast/cover-{digest}.png"
    target = os.path.join(media_root, relative_path)
    if not os.path.exists(target):
        write_atomically(target, _draw_cover(site_name))
    return relative_path


def _font(size: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.truetype(COVER_FONT, size)
    except OSError:
        return ImageFont.load_default(size)


def _draw_cover(site_name: str) -> bytes:
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
    draw.text((margin, 760), "Đọc bài", font=_font(190), fill=COVER_TEXT)
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
