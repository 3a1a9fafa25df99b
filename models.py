"""The content model: categories, articles and their figures, the photo and video libraries, links; the daily
bulletins (bản tin truyền thanh) made of articles; the newsroom's: staff accounts, article revisions and the
audit log; and the statistics' counts per article and day."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from typing import Optional

from sqlalchemy import (
    Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, TypeDecorator, UniqueConstraint, event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db


class UTCDateTime(TypeDecorator):
    """A timezone-aware datetime stored as UTC.

    SQLite keeps no offset, so values are normalised to UTC on the way in and marked UTC on the way out;
    PostgreSQL gets a real `timestamptz`.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: published and updated times must carry a timezone")
        value = value.astimezone(dt.timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


def utc_now() -> dt.datetime:
    """The current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.timezone.utc)


# Word processors paste these as line breaks (vertical tab is Word's manual line break): keep the break.
_LINE_BREAKING_CONTROLS = re.compile("\r\n?|[\x0b\x0c\x1c-\x1f\x85\u2028\u2029]")
# Every other control character but tab, lone surrogates and noncharacters: XML cannot carry them,
# PostgreSQL refuses NUL, and no reader means them.
_UNWANTED_CHARACTERS = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17))
    + "]"
)


def clean_text(value: Optional[str]) -> Optional[str]:
    """Text safe to store and to put in XML or HTML: NFC, line breaks as \\n, no other control characters."""
    if not isinstance(value, str):
        return value
    value = _UNWANTED_CHARACTERS.sub("", _LINE_BREAKING_CONTROLS.sub("\n", value))
    return unicodedata.normalize("NFC", value)


class Category(db.Model):
    """A section of the portal (Kinh tế, Quốc phòng - An ninh, …) with its URL slug."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200), unique=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    articles: Mapped[list["Article"]] = relationship(back_populates="category")


class Article(db.Model):
    """A news article: sanitized body HTML, byline, publication times in UTC, a view counter."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    slug: Mapped[str] = mapped_column(String(300), unique=True, index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(200), default="")
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)
    views: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # draft (nháp), pending (chờ duyệt), published (đã đăng; scheduled while published_at is ahead), unpublished
    # (đã gỡ): services.newsroom.workflow moves an article between them. Readers see only published ones.
    status: Mapped[str] = mapped_column(String(20), default="published", index=True)
    external_id: Mapped[Optional[str]] = mapped_column(String(200), unique=True, nullable=True)
    category_id: Mapped[Optional[int]] = mapped_column(ForeignKey("categories.id"), index=True)
    # Raised by every save in the newsroom; a save made from an older number is refused (two editors at once).
    edit_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # When it first reached readers: its slug is then fixed, and once unpublished its URL answers 410.
    first_published_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
    # A soft delete: hidden everywhere, even from the newsroom's lists, until an administrator restores it.
    deleted_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)

    category: Mapped[Optional[Category]] = relationship(back_populates="articles")
    figures: Mapped[list["Figure"]] = relationship(
        back_populates="article", order_by="Figure.position", cascade="all, delete-orphan"
    )

    @property
    def content_hash(self) -> str:
        """A fingerprint of everything a reader sees or hears; it changes whenever the article is edited."""
        parts = [self.title, self.summary, self.body_html, self.author, self.published_at.isoformat()]
        return hashlib.sha256("\x1f".join(p or "" for p in parts).encode("utf-8")).hexdigest()


class Figure(db.Model):
    """An image in an article's body, with its alt text, caption and intrinsic size."""

    __tablename__ = "figures"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    image_path: Mapped[str] = mapped_column(String(500))
    alt: Mapped[str] = mapped_column(String(500), default="")
    caption: Mapped[str] = mapped_column(Text, default="")
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)

    article: Mapped[Article] = relationship(back_populates="figures")


class PhotoItem(db.Model):
    """A picture in the photo library (Thư viện ảnh)."""

    __tablename__ = "photo_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    image_path: Mapped[str] = mapped_column(String(500))
    caption: Mapped[str] = mapped_column(Text, default="")
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utc_now, index=True)


class Video(db.Model):
    """A video in the video library: a local file, or an external link opened only on request."""

    __tablename__ = "videos"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    poster_path: Mapped[Optional[str]] = mapped_column(String(500), nullable=True)
    file_path: Mapped[Optional[str]] = mapped_column(String(500), nullable=True)
    external_url: Mapped[Optional[str]] = mapped_column(String(1000), nullable=True)
    duration_seconds: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utc_now, index=True)


class Link(db.Model):
    """A link in the Liên kết sidebar."""

    __tablename__ = "links"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(1000))
    position: Mapped[int] = mapped_column(Integer, default=0)


class Bulletin(db.Model):
    """A day's bulletin for the commune loudspeakers, the podcast and the notice board: its articles in order
    (BulletinItem), the opening an editor wrote (None: the site's wording), and the audio last made of it.

    composed_by is "rule" while the daily rule picks its articles (services.bulletin.composition) and "editor"
    once an editor changed them, after which the rule leaves its items alone."""

    __tablename__ = "bulletins"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, unique=True, index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)  # draft | published
    composed_by: Mapped[str] = mapped_column(String(20), default="rule")  # rule | editor
    opening: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    published_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)
    # The audio last made: its key in the bulletin cache (also its ETag), size, length, engine and when.
    audio_key: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    audio_bytes: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    duration_seconds: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    engine: Mapped[Optional[str]] = mapped_column(String(20), nullable=True)
    made_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)

    items: Mapped[list["BulletinItem"]] = relationship(
        back_populates="bulletin", order_by="BulletinItem.position", cascade="all, delete-orphan"
    )


class BulletinItem(db.Model):
    """One article of a bulletin, at its place, read as its summary, its first paragraphs or whole; pinned items
    stay first whatever the rule picks; start_seconds is where it begins in the bulletin's made audio."""

    __tablename__ = "bulletin_items"
    __table_args__ = (UniqueConstraint("bulletin_id", "article_id", name="uq_bulletin_items_article"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bulletin_id: Mapped[int] = mapped_column(ForeignKey("bulletins.id", ondelete="CASCADE"), index=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    reading: Mapped[str] = mapped_column(String(20), default="lead")  # summary | lead | whole
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    start_seconds: Mapped[Optional[float]] = mapped_column(Float, nullable=True)

    bulletin: Mapped[Bulletin] = relationship(back_populates="items")
    article: Mapped[Article] = relationship()


class User(db.Model):
    """A newsroom account: biên tập viên, duyệt bài or quản trị. Flask-Login's user (is_active, get_id)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True, index=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utc_now)
    last_login_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
    disabled_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
    # Part of the session's user id: raising it (disable, new password, new role) ends every session at once.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        """A disabled account cannot log in, and its sessions no longer load."""
        return self.disabled_at is None

    def get_id(self) -> str:
        """What the session keeps: the id and the session version, so a raised version logs the account out."""
        return f"{self.id}.{self.session_version}"


class ArticleRevision(db.Model):
    """One save of an article in the newsroom: what it said, who saved it and when."""

    __tablename__ = "article_revisions"
    __table_args__ = (UniqueConstraint("article_id", "number", name="uq_article_revisions_article_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utc_now)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), nullable=True)
    # saved, restored (from an older revision), conflict (a stale save, kept so nothing is lost), imported
    kind: Mapped[str] = mapped_column(String(20), default="saved")
    title: Mapped[str] = mapped_column(String(500))
    summary: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(200), default="")
    category_id: Mapped[Optional[int]] = mapped_column(ForeignKey("categories.id"), nullable=True)
    published_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)

    user: Mapped[Optional[User]] = relationship()
    category: Mapped[Optional[Category]] = relationship()


class AuditEvent(db.Model):
    """One line of the audit log: who did what, to what, when and from which address."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utc_now, index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    # The name as typed or as it was then: a failed login names no account, a renamed account keeps its past.
    username: Mapped[str] = mapped_column(String(60), default="")
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[Optional[User]] = relationship()


class ViewBatch(db.Model):
    """A batch of views written from Redis, by its token: a flusher that wrote a batch but could not delete it
    from Redis (killed, or Redis away a moment) leaves it there, and the next flush must not count it twice."""

    __tablename__ = "view_batches"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    written_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utc_now, index=True)


class ArticleDayCount(db.Model):
    """How many times one thing happened to an article on one day (Asia/Ho_Chi_Minh): a view, a play started,
    a play that reached the end, an MP3 or a PDF downloaded (services.statistics.counting names them)."""

    __tablename__ = "article_day_counts"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True, index=True)
    event: Mapped[str] = mapped_column(String(12), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class SentenceDayCount(db.Model):
    """How many plays of an article reached one of its sentences (its index in the player's list, 0 the
    title) on one day: where listeners stop."""

    __tablename__ = "sentence_day_counts"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True, index=True)
    sentence: Mapped[int] = mapped_column(Integer, primary_key=True)
    listeners: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class LexiconEntry(db.Model):
    """An editor's entry of the pronunciation lexicon, shared by every host: a written form, how it is spoken, its
    kind ("" an abbreviation, "sign" only inside a document number, "word" a whole word in any case) and an
    optional context (next=…;prev=…, see services/vietnamese/lexicon.py). It overrides the built-in entry."""

    __tablename__ = "lexicon_entries"
    __table_args__ = (UniqueConstraint("written", "kind", "context", name="uq_lexicon_entries_written_kind_context"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    written: Mapped[str] = mapped_column(String(200), index=True)
    spoken: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(10), default="")
    context: Mapped[str] = mapped_column(String(300), default="")
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)
    changed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), nullable=True)
    # The name as it was (an import from a file names none; a renamed account keeps its past).
    changed_by: Mapped[str] = mapped_column(String(60), default="")

    user: Mapped[Optional[User]] = relationship()


_TEXT_COLUMNS = {
    Category: ("name", "slug"),
    Article: ("title", "slug", "summary", "body_html", "author", "external_id"),
    Figure: ("alt", "caption"),
    PhotoItem: ("title", "caption"),
    Video: ("title",),
    Link: ("title", "url"),
    Bulletin: ("opening",),
    User: ("username", "display_name"),
    ArticleRevision: ("title", "summary", "body_html", "author"),
    AuditEvent: ("username", "target", "detail"),
    LexiconEntry: ("written", "spoken", "context", "changed_by"),
}


def _store_clean_text(mapper, connection, target):
    # Every write path (import, demo, CLI, a future editor) stores the same clean text.
    for column in _TEXT_COLUMNS[type(target)]:
        setattr(target, column, clean_text(getattr(target, column)))


for _model in _TEXT_COLUMNS:
    event.listen(_model, "before_insert", _store_clean_text)
    event.listen(_model, "before_update", _store_clean_text)
