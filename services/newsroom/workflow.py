"""Where an article stands and how it moves: nháp → chờ duyệt → đã đăng (hẹn giờ while its time is ahead) →
đã gỡ, and the soft delete, with the role each move needs.

Readers see an article only through services.content.articles.published_articles(): status "published", its
time come, not deleted. So publishing for later needs nothing more at that time: the article appears by
itself in every list, feed, sitemap and podcast.
"""
from __future__ import annotations

import datetime as dt


from models import Article, User
from services.newsroom.accounts import ADMINISTER, PUBLISH, WRITE, may
from services.newsroom.body import images_without_alt, missing_alt_message

DRAFT, PENDING, PUBLISHED, UNPUBLISHED = "draft", "pending", "published", "unpublished"
# What the list filters by and shows: the stored status, with "scheduled" for a published article whose time
# is ahead, and "deleted" for one in the bin.
SCHEDULED, DELETED = "scheduled", "deleted"
STATE_NAMES = {
    DRAFT: "Nháp",
    PENDING: "Chờ duyệt",
    SCHEDULED: "Hẹn giờ",
    PUBLISHED: "Đã đăng",
    UNPUBLISHED: "Đã gỡ",
    DELETED: "Đã xóa",
}


class NotAllowed(Exception):
    """The article cannot make this move now (its state, an image without alt text); the message says why."""


class NotPermitted(NotAllowed):
    """The account's role does not allow this move."""


def state_of(article: Article, now: dt.datetime) -> str:
    """The article's state as the newsroom names it."""
    if article.deleted_at is not None:
        return DELETED
    if article.status == PUBLISHED:
        return SCHEDULED if article.published_at > now else PUBLISHED
    return article.status if article.status in STATE_NAMES else DRAFT


def in_state(statement, state: str, now: dt.datetime):
    """The select narrowed to articles in this state (deleted ones only when asked for)."""
    if state == DELETED:
        return statement.where(Article.deleted_at.is_not(None))
    statement = statement.where(Article.deleted_at.is_(None))
    if state == SCHEDULED:
        return statement.where(Article.status == PUBLISHED, Article.published_at > now)
    if state == PUBLISHED:
        return statement.where(Article.status == PUBLISHED, Article.published_at <= now)
    if state in (DRAFT, PENDING, UNPUBLISHED):
        return statement.where(Article.status == state)
    return statement


def may_edit(user: User, article: Article, now: dt.datetime) -> bool:
    """Writers edit what readers cannot see yet; what readers see, or will by itself, needs a publisher."""
    if article.deleted_at is not None:
        return False
    if state_of(article, now) in (PUBLISHED, SCHEDULED):
        return may(user, PUBLISH)
    return may(user, WRITE)


def may_delete(user: User, article: Article) -> bool:
    """A publisher deletes any article; a writer only one that never reached readers."""
    if article.deleted_at is not None:
        return False
    return may(user, PUBLISH) or (may(user, WRITE) and article.first_published_at is None)


def submit(article: Article, user: User) -> None:
    """Nháp → chờ duyệt: the writer hands the article to a publisher."""
    if not may(user, WRITE):
        raise NotPermitted("Tài khoản không có quyền gửi duyệt.")
    if article.status != DRAFT or article.deleted_at is not None:
        raise NotAllowed("Chỉ gửi duyệt được bài nháp.")
    article.status = PENDING


def publish(article: Article, user: User, now: dt.datetime) -> str:
    """Publish now, or at the article's time if it is ahead (hẹn giờ); SCHEDULED or PUBLISHED. A past time
    on an article never published means now: a draft's time is only when it was last saved."""
    if not may(user, PUBLISH):
        raise NotPermitted("Chỉ người duyệt bài hoặc quản trị mới được đăng bài.")
    if article.deleted_at is not None:
        raise NotAllowed("Bài đã bị xóa.")
    if missing := images_without_alt(article.body_html):
        raise NotAllowed(missing_alt_message(missing))
    if not (article.title or "").strip() or not (article.body_html or "").strip():
        raise NotAllowed("Bài cần có tiêu đề và nội dung trước khi đăng.")
    if article.published_at is None or (article.published_at <= now and article.first_published_at is None):
        # To the minute, as the portal's own notices are dated (and as a scheduled time is chosen).
        article.published_at = now.replace(second=0, microsecond=0)
    article.status = PUBLISHED
    if article.first_published_at is None:
        article.first_published_at = article.published_at
    return SCHEDULED if article.published_at > now else PUBLISHED


def unpublish(article: Article, user: User, now: dt.datetime) -> str:
    """Gỡ bài: hidden from readers at once, its URL answering 410. An article whose time has not come is only
    taken off the schedule: back to a draft, as if never published (its URL stays a 404)."""
    if not may(user, PUBLISH):
        raise NotPermitted("Chỉ người duyệt bài hoặc quản trị mới được gỡ bài.")
    state = state_of(article, now)
    if state == SCHEDULED and (article.first_published_at is None or article.first_published_at > now):
        article.status = DRAFT
        article.first_published_at = None
        return DRAFT
    if state != PUBLISHED:
        raise NotAllowed("Bài chưa được đăng.")
    article.status = UNPUBLISHED
    return UNPUBLISHED


def delete(article: Article, user: User, now: dt.datetime) -> None:
    """The soft delete: gone from readers and from the newsroom's lists; an administrator can undo it."""
    if not may_delete(user, article):
        raise NotPermitted("Bạn không có quyền xóa bài này: bài đã từng đăng chỉ người duyệt bài xóa được.")
    article.deleted_at = now


def undelete(article: Article, user: User) -> None:
    """Undo a delete: the article comes back in the state it had."""
    if not may(user, ADMINISTER):
        raise NotPermitted("Chỉ quản trị mới khôi phục được bài đã xóa.")
    article.deleted_at = None
