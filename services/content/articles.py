"""Queries for published articles and the view counter."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import SimpleNamespace

from flask import abort
from sqlalchemy import delete, func, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer, joinedload, selectinload

from extensions import db
from models import Article, Category, Link, PhotoItem, Video, ViewBatch, utc_now

SIDEBAR_PHOTOS = 4
SIDEBAR_VIDEOS = 3
# Marks the view counter's UPDATE: counts change, content does not, so cached pages stay (web.page_cache).
VIEW_COUNT_ONLY = "docbai_view_count_only"


def published_articles():
    """A select of the articles readers may see, newest first; callers add the relationships they show.

    The one gate between the newsroom and readers: every page, list, feed, the sitemap, search and the podcast
    ask here, so a draft, an article waiting for its time, an unpublished or a deleted one shows nowhere."""
    return (
        select(Article)
        .where(Article.status == "published", Article.published_at <= utc_now(), Article.deleted_at.is_(None))
        .order_by(Article.published_at.desc(), Article.id.desc())
    )


def with_thumbnails(statement):
    """The same select for a list of cards: each article's figures loaded at once for its thumbnail, and its body
    (the bulk of each row, which a card never shows) left in the database."""
    return statement.options(selectinload(Article.figures), defer(Article.body_html, raiseload=True))


def articles_in_category(category: Category):
    """Published articles of one category, newest first."""
    return published_articles().where(Article.category_id == category.id)


def other_articles(article: Article):
    """Published articles other than this one, newest first (the "Các tin khác" box)."""
    return published_articles().where(Article.id != article.id)


def published_total(category_id: int | None = None) -> tuple[int, float | None]:
    """How many articles readers may see (of one category if given), and until when that holds (the wall time
    the next scheduled article's publication comes, None when none is waiting): the count changes then
    without any edit."""
    visible = published_articles().order_by(None)
    if category_id is not None:
        visible = visible.where(Article.category_id == category_id)
    total = db.session.execute(select(func.count()).select_from(visible.with_only_columns(Article.id).subquery())).scalar()
    return total, _next_publication()


def newest_published(count: int) -> tuple[tuple[SimpleNamespace, ...], float | None]:
    """The newest `count` published articles as plain values, and until when that holds (see published_total)."""
    return _plain(published_articles().limit(count)), _next_publication()


def _next_publication() -> float | None:
    statement = select(func.min(Article.published_at)).where(
        Article.status == "published", Article.published_at > utc_now(), Article.deleted_at.is_(None)
    )
    due = db.session.execute(statement).scalar()
    if due is None:
        return None
    return (due if due.tzinfo else due.replace(tzinfo=dt.timezone.utc)).timestamp()


def get_published_article(slug: str) -> Article:
    """The published article with this slug; a 410 for one the newsroom unpublished (gỡ bài), else a 404."""
    # The category in the same row (one query fewer on every article rendered; an article has one category),
    # the figures in a second query.
    statement = (
        published_articles()
        .where(Article.slug == slug)
        .options(selectinload(Article.figures), joinedload(Article.category))
    )
    article = db.session.execute(statement).scalar_one_or_none()
    if article is None:
        abort(410 if was_unpublished(slug) else 404)
    return article


def was_unpublished(slug: str) -> bool:
    """Whether readers saw this slug's article until the newsroom unpublished it (its URL answers 410)."""
    statement = select(Article.id).where(
        Article.slug == slug, Article.status == "unpublished", Article.deleted_at.is_(None),
        Article.first_published_at.is_not(None),
    )
    return db.session.execute(statement).first() is not None


def published_article_id(slug: str) -> int | None:
    """The id of the published article with this slug, or None."""
    return db.session.execute(published_articles().where(Article.slug == slug).with_only_columns(Article.id)).scalar()


def get_category(slug: str) -> Category:
    """The category with this slug, or a 404."""
    return db.one_or_404(select(Category).where(Category.slug == slug))


# How long the tokens of written view batches are kept: far longer than a batch can wait in Redis.
VIEW_BATCHES_KEPT = dt.timedelta(days=2)


def claim_batch(batch_id: str | None) -> bool:
    """Add the token of a batch taken from Redis to the session, so the counts written in the same transaction
    are written at most once (and forget the tokens too old to matter); False when that batch was written
    already. No batch_id (this process's own buffer): nothing to claim."""
    if batch_id is None:
        return True
    if db.session.get(ViewBatch, batch_id) is not None:
        return False
    db.session.add(ViewBatch(id=batch_id))
    db.session.execute(delete(ViewBatch).where(ViewBatch.written_at < utc_now() - VIEW_BATCHES_KEPT))
    return True


def commit_batch() -> bool:
    """Commit counts written with claim_batch; False when another process wrote that batch at the same moment
    (its token is already stored), and nothing is written."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def add_views(counts: Mapping[int, int], batch_id: str | None = None) -> bool:
    """Add counted views ({article id: views}) in SQL, one transaction, so concurrent writers never overwrite
    each other's count; with batch_id (a batch taken from Redis), at most once: False when that batch was
    written already."""
    if not claim_batch(batch_id):
        return False
    for article_id, views in sorted(counts.items()):
        # updated_at is named explicitly: a view is not an edit, and its onupdate default would otherwise fire.
        db.session.execute(
            update(Article).where(Article.id == article_id)
            .values(views=Article.views + views, updated_at=Article.updated_at)
            .execution_options(**{VIEW_COUNT_ONLY: True})
        )
    return commit_batch()


def stored_views(article_id: int) -> int:
    """The article's view count in the database (views still being buffered are not in it)."""
    return db.session.execute(select(Article.views).where(Article.id == article_id)).scalar() or 0


def photo_library():
    """A select of the photo library, newest first."""
    return select(PhotoItem).order_by(PhotoItem.taken_at.desc(), PhotoItem.id.desc())


def video_library():
    """A select of the video library, newest first."""
    return select(Video).order_by(Video.published_at.desc(), Video.id.desc())


def navigation_content() -> SimpleNamespace:
    """Categories for the menu, and the newest photos, newest videos and links for the sidebars, as plain values
    (their columns): pages keep them across requests and sessions (web.page_cache.PageCache.shared)."""
    return SimpleNamespace(
        categories=_plain(select(Category).order_by(Category.position, Category.name)),
        photos=_plain(select(PhotoItem).order_by(PhotoItem.taken_at.desc()).limit(SIDEBAR_PHOTOS)),
        videos=_plain(select(Video).order_by(Video.published_at.desc()).limit(SIDEBAR_VIDEOS)),
        links=_plain(select(Link).order_by(Link.position)),
    )


def _plain(statement) -> tuple[SimpleNamespace, ...]:
    """The rows of a select of one model, each as its column values, detached from any session."""
    rows = db.session.execute(statement).scalars().all()
    return tuple(
        SimpleNamespace(**{column.key: getattr(row, column.key) for column in inspect(type(row)).column_attrs})
        for row in rows
    )


def latest_published(count: int, category: Category | None = None) -> list[Article]:
    """The newest `count` published articles, of one category if given, with the categories they show."""
    statement = published_articles() if category is None else articles_in_category(category)
    statement = statement.limit(count).options(selectinload(Article.category))
    return list(db.session.execute(statement).scalars())


def every_article():
    """Every article, drafts and scheduled ones included, read in batches (for cache prunes)."""
    return db.session.execute(select(Article).execution_options(yield_per=200)).scalars()


def newest_update():
    """When the newest published article last changed, or None."""
    return db.session.execute(published_articles().with_only_columns(Article.updated_at).limit(1)).scalar()


def category_slugs() -> list[str]:
    """Every category's slug, in menu order."""
    return list(db.session.execute(select(Category.slug).order_by(Category.position, Category.name)).scalars())


def published_slugs(limit: int) -> list[tuple[str, object]]:
    """(slug, updated_at) of the newest `limit` published articles."""
    statement = published_articles().with_only_columns(Article.slug, Article.updated_at).limit(limit)
    return [tuple(row) for row in db.session.execute(statement)]
