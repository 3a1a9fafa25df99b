"""Saving an article in the newsroom: each save a revision (who, when, what), a save made from an older version
refused with nothing lost, what changed between two revisions, and restoring one."""
from __future__ import annotations

import datetime as dt
import difflib
import html
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import func, select, update

from extensions import db
from models import Article, ArticleRevision, Category, Figure, User
from services.content.html_fragments import BLOCK_ELEMENTS, parse_fragment
from services.content.slugs import unique_slug, vietnamese_slug
from services.newsroom.body import figure_rows

SAVED, RESTORED, CONFLICT, IMPORTED = "saved", "restored", "conflict", "imported"
KIND_NAMES = {SAVED: "Lưu", RESTORED: "Khôi phục", CONFLICT: "Bản lưu trùng", IMPORTED: "Bản có từ trước"}
FIELDS = ("title", "summary", "body_html", "author", "category_id", "published_at")


@dataclass(frozen=True)
class ArticleFields:
    """What the editor form sets on an article. published_at None: "when it is published"."""

    title: str
    summary: str
    body_html: str
    author: str
    category_id: int | None
    published_at: dt.datetime | None


@dataclass(frozen=True)
class SaveResult:
    """A save: the article, the revision it made, and whether it was refused as stale (conflict)."""

    article: Article
    revision: ArticleRevision
    conflict: bool = False


def fields_of(article: Article | ArticleRevision) -> ArticleFields:
    """An article's or a revision's editable fields."""
    return ArticleFields(article.title, article.summary or "", article.body_html or "", article.author or "",
                         article.category_id, article.published_at)


def create_article(fields: ArticleFields, user: User, now: dt.datetime) -> SaveResult:
    """A new draft with its first revision (added to the session, not committed)."""
    article = Article(status="draft", views=0, edit_version=1, slug=_free_slug(fields.title, None))
    _apply(article, fields, now)
    db.session.add(article)
    db.session.flush()
    return SaveResult(article, _revision(article, fields, user, SAVED, now))


def save_article(article: Article, fields: ArticleFields, expected_version: int, user: User, now: dt.datetime,
                 kind: str = SAVED) -> SaveResult:
    """Save fields over the article if it is still at expected_version, as a new revision. If someone saved it
    meanwhile, the article is left as they saved it and these fields are kept as a revision of kind
    CONFLICT, so nothing is lost; the result says so."""
    _keep_what_came_before(article, now)
    # One conditional UPDATE decides between two saves at once: the first raises the version, the second
    # finds it raised (PostgreSQL makes it wait for the first's commit; SQLite's write lock does the same).
    claimed = db.session.execute(
        update(Article)
        .where(Article.id == article.id, Article.edit_version == expected_version)
        .values(edit_version=expected_version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.refresh(article)
        return SaveResult(article, _revision(article, fields, user, CONFLICT, now), conflict=True)
    db.session.refresh(article)
    _apply(article, fields, now)
    return SaveResult(article, _revision(article, fields, user, kind, now))


def _apply(article: Article, fields: ArticleFields, now: dt.datetime) -> None:
    article.title = fields.title
    article.summary = fields.summary
    article.body_html = fields.body_html
    article.author = fields.author
    article.category_id = fields.category_id
    if fields.published_at is not None:
        article.published_at = fields.published_at
    elif article.first_published_at is None:
        article.published_at = now  # a draft's time until it is published: see workflow.publish
    if article.first_published_at is None:
        # Its address follows its title until readers have seen it; from then on it never changes.
        article.slug = _free_slug(fields.title, article.id, article.slug)
    article.figures = [Figure(position=index, **row) for index, row in enumerate(figure_rows(fields.body_html))]


def _free_slug(title: str, article_id: int | None, current: str | None = None) -> str:
    wanted = vietnamese_slug(title) or "bai-viet"
    if current and (current == wanted or current.rsplit("-", 1)[0] == wanted and current[len(wanted) + 1:].isdigit()):
        return current

    def taken(slug: str) -> bool:
        statement = select(Article.id).where(Article.slug == slug)
        if article_id is not None:
            statement = statement.where(Article.id != article_id)
        return db.session.execute(statement).first() is not None

    return unique_slug(wanted, taken)


def _keep_what_came_before(article: Article, now: dt.datetime) -> None:
    """An article that came another way (imported, the demo) gets its text as revision 1 before its first
    newsroom save, so the first diff and a restore reach back to it."""
    if latest_revision_number(article.id) == 0:
        _revision(article, fields_of(article), None, IMPORTED, article.updated_at or now)


def _revision(article: Article, fields: ArticleFields, user: User | None, kind: str, now: dt.datetime) -> ArticleRevision:
    revision = ArticleRevision(
        article_id=article.id, number=latest_revision_number(article.id) + 1, created_at=now,
        user_id=user.id if user is not None else None, kind=kind,
        title=fields.title, summary=fields.summary, body_html=fields.body_html, author=fields.author,
        category_id=fields.category_id, published_at=fields.published_at,
    )
    db.session.add(revision)
    db.session.flush()
    return revision


def latest_revision_number(article_id: int) -> int:
    """The number of the article's newest revision; 0 when it has none."""
    return db.session.execute(
        select(func.coalesce(func.max(ArticleRevision.number), 0)).where(ArticleRevision.article_id == article_id)
    ).scalar_one()


def revisions_of(article_id: int) -> list[ArticleRevision]:
    """The article's revisions, newest first."""
    return list(db.session.execute(
        select(ArticleRevision).where(ArticleRevision.article_id == article_id).order_by(ArticleRevision.number.desc())
    ).scalars())


def get_revision(article_id: int, number: int) -> ArticleRevision | None:
    """One revision of the article, by its number."""
    return db.session.execute(
        select(ArticleRevision).where(ArticleRevision.article_id == article_id, ArticleRevision.number == number)
    ).scalar_one_or_none()


def restore_revision(article: Article, revision: ArticleRevision, expected_version: int, user: User,
                     now: dt.datetime) -> SaveResult:
    """Put an older revision's text back, as a new revision (the ones in between are kept)."""
    return save_article(article, fields_of(revision), expected_version, user, now, kind=RESTORED)


# What changed between two revisions, for the newsroom's "so sánh" page.

@dataclass(frozen=True)
class FieldChange:
    """One field that differs: its Vietnamese name, and the before and after as safe HTML."""

    name: str
    before: Markup
    after: Markup


@dataclass(frozen=True)
class BodyLine:
    """One block of the body in the comparison: unchanged ("same"), removed, added, or changed (with the
    words marked)."""

    change: str
    html: Markup


def compare(old: ArticleFields, new: ArticleFields, zone) -> tuple[list[FieldChange], list[BodyLine]]:
    """The fields that differ, and the body block by block (difflib over the blocks' text, then over the
    words of a changed block), so an editor sees what changed, not markup."""
    names = {"title": "Tiêu đề", "summary": "Tóm tắt", "author": "Tác giả", "category_id": "Chuyên mục",
             "published_at": "Thời gian đăng"}
    changes = []
    for field, name in names.items():
        before, after = getattr(old, field), getattr(new, field)
        if field == "published_at" and after is None:
            continue  # no time given: the article keeps its own, nothing to compare
        if before != after:
            changes.append(FieldChange(name, _shown(field, before, zone), _shown(field, after, zone)))
    return changes, _body_lines(_blocks(old.body_html), _blocks(new.body_html))


def _shown(field: str, value, zone) -> Markup:
    if value is None or value == "":
        return Markup("<em>(trống)</em>")
    if field == "category_id":
        category = db.session.get(Category, value)
        return Markup.escape(category.name if category else value)
    if field == "published_at":
        return Markup.escape(value.astimezone(zone).strftime("%H:%M %d/%m/%Y"))
    return Markup.escape(value)


def _blocks(body_html: str) -> list[str]:
    if not (body_html or "").strip():
        return []
    blocks = []
    root = parse_fragment(body_html)
    if (root.text or "").strip():
        blocks.append(" ".join(root.text.split()))
    for element in root:
        if not isinstance(element.tag, str):
            continue
        images = [f"[Ảnh: {image.get('alt') or 'chưa có mô tả'}]" for image in element.iter("img")]
        text = " ".join(" ".join(element.itertext()).split())
        if element.tag in BLOCK_ELEMENTS or images or text:
            blocks.append(" ".join(filter(None, [*images, text])))
        if (element.tail or "").strip():
            blocks.append(" ".join(element.tail.split()))
    return blocks


def _body_lines(old: list[str], new: list[str]) -> list[BodyLine]:
    lines = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            lines += [BodyLine("same", Markup.escape(block)) for block in old[i1:i2]]
        elif tag == "delete":
            lines += [BodyLine("removed", Markup.escape(block)) for block in old[i1:i2]]
        elif tag == "insert":
            lines += [BodyLine("added", Markup.escape(block)) for block in new[j1:j2]]
        else:
            pairs = max(i2 - i1, j2 - j1)
            for offset in range(pairs):
                before = old[i1 + offset] if i1 + offset < i2 else ""
                after = new[j1 + offset] if j1 + offset < j2 else ""
                lines.append(BodyLine("changed", _word_diff(before, after)))
    return lines


def _word_diff(before: str, after: str) -> Markup:
    old_words, new_words = before.split(), after.split()
    parts = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old_words, new_words, autojunk=False).get_opcodes():
        if tag == "equal":
            parts.append(html.escape(" ".join(old_words[i1:i2])))
            continue
        if i2 > i1:
            parts.append(f"<del>{html.escape(' '.join(old_words[i1:i2]))}</del>")
        if j2 > j1:
            parts.append(f"<ins>{html.escape(' '.join(new_words[j1:j2]))}</ins>")
    return Markup(" ".join(parts))


def unchanged(article: Article, fields: ArticleFields) -> bool:
    """Whether saving these fields would change nothing a reader sees (an empty time keeps the article's)."""
    current = fields_of(article)
    if fields.published_at is None:
        current = ArticleFields(*(getattr(current, name) for name in FIELDS[:-1]), None)
    return current == fields
