"""The audit log: who logged in (or failed to), wrote, published, unpublished, deleted, changed an account or
composed a bulletin, when and from which address. Kept in the database; administrators read it in the newsroom."""
from __future__ import annotations

from sqlalchemy import select

from extensions import db
from models import AuditEvent, User

# What the log records, and how the newsroom names it.
ACTIONS = {
    "login": "Đăng nhập",
    "login_failed": "Đăng nhập không thành công",
    "login_limited": "Đăng nhập bị tạm chặn",
    "logout": "Đăng xuất",
    "user_created": "Tạo tài khoản",
    "role_changed": "Đổi vai trò",
    "user_disabled": "Khóa tài khoản",
    "user_enabled": "Mở khóa tài khoản",
    "password_changed": "Đổi mật khẩu",
    "article_created": "Tạo bài",
    "article_edited": "Sửa bài",
    "article_conflict": "Lưu trùng (đã giữ bản của người lưu sau)",
    "article_restored_revision": "Khôi phục phiên bản",
    "article_submitted": "Gửi duyệt",
    "article_published": "Đăng bài",
    "article_scheduled": "Hẹn giờ đăng",
    "article_unpublished": "Gỡ bài",
    "article_deleted": "Xóa bài",
    "article_undeleted": "Khôi phục bài đã xóa",
    "image_uploaded": "Tải ảnh lên",
    "category_saved": "Lưu chuyên mục",
    "lexicon_added": "Thêm mục từ điển đọc",
    "lexicon_edited": "Sửa mục từ điển đọc",
    "lexicon_deleted": "Xóa mục từ điển đọc",
    "lexicon_imported": "Nhập từ điển đọc (TSV)",
    "bulletin_drafted": "Soạn bản tin",
    "bulletin_item_added": "Thêm tin vào bản tin",
    "bulletin_item_removed": "Bỏ tin khỏi bản tin",
    "bulletin_item_moved": "Đổi thứ tự tin trong bản tin",
    "bulletin_reading_changed": "Đổi cách đọc tin",
    "bulletin_item_pinned": "Ghim tin trong bản tin",
    "bulletin_item_unpinned": "Bỏ ghim tin trong bản tin",
    "bulletin_opening_changed": "Sửa lời mở đầu bản tin",
    "bulletin_handed_to_rule": "Trả bản tin cho quy tắc hằng ngày",
    "bulletin_published": "Xuất bản bản tin",
    "bulletin_unpublished": "Gỡ bản tin",
}


def record(action: str, *, user: User | None = None, username: str = "", target: str = "", address: str = "",
           detail: str = "") -> AuditEvent:
    """Add one line to the log (in the caller's transaction: it is kept exactly when the change is)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    event = AuditEvent(
        action=action,
        user_id=user.id if user is not None else None,
        username=(user.username if user is not None else username)[:60],
        target=target[:300],
        address=(address or "")[:64],
        detail=detail,
    )
    db.session.add(event)
    return event


def recent_events(action: str | None = None, username: str | None = None):
    """A select of the log, newest first, of one action or one account if given."""
    statement = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if action:
        statement = statement.where(AuditEvent.action == action)
    if username:
        statement = statement.where(AuditEvent.username == username.strip().lower())
    return statement
