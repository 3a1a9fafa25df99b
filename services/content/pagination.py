"""Page numbers from untrusted input, and pagination that lands on a real page."""
from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination

from extensions import db

# A page number longer than this is nonsense whatever it says; Python would also refuse to parse
# numbers of more than 4,300 digits.
_MAX_PAGE_DIGITS = 9


def parse_page(raw: str | None) -> int:
    """A page number of at least 1 from a query-string value; anything unreadable means page 1."""
    if raw is None:
        return 1
    text = raw.strip()
    if not text.isdigit() or not text.isascii():
        return 1
    if len(text.lstrip("0")) > _MAX_PAGE_DIGITS:
        return 10**_MAX_PAGE_DIGITS
    return max(1, int(text))


def paginate_clamped(select, page: int, per_page: int) -> Pagination:
    """Paginate a select, moving a page past the end back to the last page."""
    pagination = db.paginate(select, page=page, per_page=per_page, max_per_page=per_page, error_out=False)
    if pagination.pages and page > pagination.pages:
        pagination = db.paginate(
            select, page=pagination.pages, per_page=per_page, max_per_page=per_page, error_out=False
        )
    return pagination


def page_window(pagination: Pagination) -> list[int | None]:
    """The page numbers a pager shows, with None where an ellipsis stands (1 2 3 … 10 … 687)."""
    return list(pagination.iter_pages(left_edge=1, left_current=2, right_current=3, right_edge=1))


def item_range(pagination: Pagination) -> tuple[int, int, int]:
    """First and last item numbers on this page, and the total (for "1-5 / 3.435")."""
    if not pagination.total:
        return 0, 0, 0
    first = (pagination.page - 1) * pagination.per_page + 1
    return first, first + len(pagination.items) - 1, pagination.total


class KnownPagination(Pagination):
    """A page of items whose total is already known (kept from an earlier count), as db.paginate gives it."""

    def __init__(self, page: int, per_page: int, items: list, total: int):
        super().__init__(page=page, per_page=per_page, max_per_page=per_page, error_out=False, items=items,
                         total=total)

    def _query_items(self) -> list:
        return list(self._query_args["items"])

    def _query_count(self) -> int:
        return self._query_args["total"]


def paginate_counted(select, page: int, per_page: int, total: int) -> KnownPagination:
    """Paginate a select whose number of rows is already known (kept from an earlier count), moving a page past
    the end back to the last page: one query for the page's items, none for the count."""
    page = clamped_page(page, total, per_page)
    items = db.session.execute(select.offset((page - 1) * per_page).limit(per_page)).scalars().all()
    return KnownPagination(page, per_page, items, total)


def clamped_page(page: int, total: int, per_page: int) -> int:
    """The page asked for, or the last page (1 for an empty list) when it is past the end."""
    return min(page, max(1, -(-total // per_page)))
