"""Importing real articles from JSON Lines files, one article per line."""
from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from extensions import db
from models import Article, Category, Figure, clean_text
from services.content.html_fragments import parse_fragment, serialize_fragment
from services.infra.storage import ObjectStore, StorageUnavailable
from services.media.store import NotAnImage, media_url, store_image
from services.content.sanitize import sanitize_body
from services.content.slugs import unique_slug, vietnamese_slug

REQUIRED_FIELDS = ("title", "body_html", "published_at", "category", "author")
# A publication date outside these years is a typo or a placeholder (0001-01-01, 9999-12-31), not news.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2100


class BadRow(ValueError):
    """A line of the import file that cannot become an article; the message is shown to the editor."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class PreparedArticle:
    fields: dict
    category_name: str
    figures: list[dict]


# Lines written in one transaction: a commit per line made a 3,500-article import take minutes (a sync to
# disk and a content-version bump each). A batch the database refuses is done again line by line, so one
# bad line still loses only itself.
BATCH_LINES = 200


def import_articles(path: str, media_root: str, store: ObjectStore | None = None) -> ImportReport:
    """Import every good line of a JSONL file, upserting by external_id or slug; bad lines are reported."""
    report = ImportReport()
    base_dir = os.path.dirname(os.path.abspath(path))
    batch: list[tuple[int, PreparedArticle]] = []
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = _parse_row(line)
                batch.append((line_number, _prepare(row, base_dir, media_root, report.warnings, line_number, store)))
            except BadRow as error:
                report.errors.append((line_number, str(error)))
            except (ValueError, OverflowError) as error:
                # A value no check above foresaw loses this line only, never the rest of the file.
                report.errors.append((line_number, f"giá trị không hợp lệ: {error}"))
            if len(batch) >= BATCH_LINES:
                _write_batch(batch, report)
                batch = []
    _write_batch(batch, report)
    return report


def _write_batch(batch: list[tuple[int, PreparedArticle]], report: ImportReport) -> None:
    if not batch:
        return
    try:
        outcomes = [_upsert(prepared) for _, prepared in batch]
        db.session.commit()
    except (SQLAlchemyError, ValueError, OverflowError):
        db.session.rollback()
        for line_number, prepared in batch:
            _write_line(line_number, prepared, report)
        return
    for outcome in outcomes:
        setattr(report, outcome, getattr(report, outcome) + 1)


def _write_line(line_number: int, prepared: PreparedArticle, report: ImportReport) -> None:
    try:
        outcome = _upsert(prepared)
        db.session.commit()
    except (ValueError, OverflowError) as error:
        db.session.rollback()
        report.errors.append((line_number, f"giá trị không hợp lệ: {error}"))
        return
    except SQLAlchemyError as error:
        # A value the database refuses (too long for its column, say) loses this line only.
        db.session.rollback()
        report.errors.append((line_number, f"cơ sở dữ liệu từ chối dòng này: {error.orig or error}"))
        return
    setattr(report, outcome, getattr(report, outcome) + 1)


def _parse_row(line: str) -> dict:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as error:
        raise BadRow(f"JSON không hợp lệ ({error.msg}, cột {error.colno})") from error
    if not isinstance(row, dict):
        raise BadRow("mỗi dòng phải là một đối tượng JSON")
    missing = [name for name in REQUIRED_FIELDS if not isinstance(row.get(name), str) or not row[name].strip()]
    if missing:
        raise BadRow("thiếu hoặc rỗng: " + ", ".join(missing))
    return row


def parse_published_at(value: str) -> dt.datetime:
    """An ISO 8601 date-time that names its offset, as UTC."""
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise BadRow(f"published_at không phải ngày giờ ISO 8601 hợp lệ: {value!r}") from error
    if moment.tzinfo is None:
        raise BadRow(f"published_at phải có múi giờ (ví dụ +07:00): {value!r}")
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise BadRow(f"published_at phải nằm trong các năm {EARLIEST_YEAR}–{LATEST_YEAR}: {value!r}")
    return moment.astimezone(dt.timezone.utc)


def _prepare(row: dict, base_dir: str, media_root: str, warnings: list, line_number: int,
             store: ObjectStore | None = None) -> PreparedArticle:
    title = " ".join(clean_text(row["title"]).split())
    published_at = parse_published_at(row["published_at"])
    body_html, figures = _localise_images(clean_text(row["body_html"]), base_dir, media_root, warnings, line_number, store)
    slug_source = row.get("slug") if isinstance(row.get("slug"), str) and row["slug"].strip() else title
    slug = vietnamese_slug(slug_source)
    if not slug:
        raise BadRow("không tạo được đường dẫn (slug) từ tiêu đề")
    external_id = row.get("external_id")
    fields = {
        "title": title,
        "slug": slug,
        "summary": clean_text(row.get("summary") or "").strip() if isinstance(row.get("summary"), str) else "",
        "body_html": sanitize_body(body_html),
        "author": clean_text(row["author"]).strip(),
        "published_at": published_at,
        "external_id": clean_text(str(external_id)) if external_id not in (None, "") else None,
    }
    category_name = clean_text(row["category"]).strip()
    _check_lengths({**fields, "category": category_name})
    for figure in figures:
        figure["alt"] = figure["alt"][: Figure.__table__.c.alt.type.length]
    return PreparedArticle(fields, category_name, figures)


def _check_lengths(fields: dict) -> None:
    # SQLite accepts any length and PostgreSQL refuses; the same file must give the same answer on both.
    limits = {name: Article.__table__.c[name].type.length for name in ("title", "slug", "author", "external_id")}
    limits["category"] = Category.__table__.c.name.type.length
    too_long = [name for name, limit in limits.items() if fields.get(name) and len(fields[name]) > limit]
    if too_long:
        raise BadRow("quá dài: " + ", ".join(f"{name} (tối đa {limits[name]} ký tự)" for name in too_long))


def _localise_images(body_html: str, base_dir: str, media_root: str, warnings: list, line_number: int,
                     store: ObjectStore | None = None):
    """Copy images referenced by relative path into the media store; drop every remote or missing one."""
    try:
        root = parse_fragment(body_html)
    except Exception as error:  # lxml raises several unrelated types for broken markup
        raise BadRow(f"body_html không đọc được: {error}") from error
    figures = []
    for image in list(root.iter("img")):
        source = (image.get("src") or "").strip()
        stored = None
        local_path = _local_image_path(source, base_dir)
        if local_path is None:
            warnings.append((line_number, f"bỏ ảnh không phải tệp cục bộ: {source[:80]}"))
        else:
            try:
                with open(local_path, "rb") as handle:
                    stored = store_image(media_root, handle.read(), folder="figures", store=store)
            except StorageUnavailable:
                raise  # not the image's fault: the import stops rather than dropping pictures
            except (OSError, NotAnImage) as error:
                warnings.append((line_number, f"bỏ ảnh không đọc được {source[:80]}: {error}"))
        if stored is None:
            image.drop_tree()
            continue
        image.set("src", media_url(stored.path))
        image.set("width", str(stored.width))
        image.set("height", str(stored.height))
        figure_element = next((a for a in image.iterancestors() if a.tag == "figure"), None)
        caption = ""
        if figure_element is not None:
            caption_element = figure_element.find(".//figcaption")
            if caption_element is not None:
                caption = " ".join(caption_element.text_content().split())
        figures.append(
            {
                "image_path": stored.path,
                "alt": clean_text(image.get("alt") or caption),
                "caption": clean_text(caption),
                "width": stored.width,
                "height": stored.height,
            }
        )
    html = serialize_fragment(root)
    return html, figures


def _local_image_path(source: str, base_dir: str) -> str | None:
    # Remote URLs are never fetched, and a path may not climb out of the import file's folder.
    parts = urlsplit(source)
    if not source or parts.scheme or parts.netloc or source.startswith("/"):
        return None
    candidate = os.path.realpath(os.path.join(base_dir, unquote(parts.path)))
    if os.path.commonpath([candidate, os.path.realpath(base_dir)]) != os.path.realpath(base_dir):
        return None
    return candidate if os.path.isfile(candidate) else None


def category_for(name: str) -> Category:
    """The category with this name, created on first use."""
    slug = vietnamese_slug(name)
    category = db.session.execute(select(Category).where(Category.slug == slug)).scalar_one_or_none()
    if category is None:
        category = Category(name=name, slug=slug)
        db.session.add(category)
        db.session.flush()
    return category


def _upsert(prepared: PreparedArticle) -> str:
    fields = dict(prepared.fields)
    existing = None
    if fields["external_id"]:
        existing = db.session.execute(
            select(Article).where(Article.external_id == fields["external_id"])
        ).scalar_one_or_none()
    if existing is None:
        existing = db.session.execute(select(Article).where(Article.slug == fields["slug"])).scalar_one_or_none()
        if existing is not None and existing.external_id and fields["external_id"]:
            # Same title as another article from the source: keep both, with distinct slugs.
            existing = None
            fields["slug"] = unique_slug(fields["slug"], _slug_taken)
    category = category_for(prepared.category_name)
    if existing is None:
        article = Article(status="published", category=category, views=0, **fields)
        article.figures = [Figure(position=i, **figure) for i, figure in enumerate(prepared.figures)]
        db.session.add(article)
        return "created"
    if existing.slug != fields["slug"] and _slug_taken(fields["slug"]):
        fields["slug"] = existing.slug
    changed = False
    for name, value in fields.items():
        if getattr(existing, name) != value:
            setattr(existing, name, value)
            changed = True
    if existing.category_id != category.id:
        existing.category = category
        changed = True
    current_figures = [
        {k: getattr(f, k) for k in ("image_path", "alt", "caption", "width", "height")} for f in existing.figures
    ]
    if current_figures != prepared.figures:
        existing.figures = [Figure(position=i, **figure) for i, figure in enumerate(prepared.figures)]
        changed = True
    return "updated" if changed else "unchanged"


def _slug_taken(slug: str) -> bool:
    return db.session.execute(select(Article.id).where(Article.slug == slug)).first() is not None
