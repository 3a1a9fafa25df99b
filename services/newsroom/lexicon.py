"""The editors' lexicon in the database: searching, adding, changing and deleting entries, importing and exporting
the TSV format, and finding the articles whose spoken text a change alters (their audio is made again)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import func, or_, select

from extensions import db
from models import Article, LexiconEntry, User, utc_now
from services.content.articles import published_articles
from services.search.text import fold
from services.vietnamese import Lexicon
from services.vietnamese.lexicon import Entry, checked_entry, read_entries, write_entries

# How the newsroom names the kinds the lexicon knows ("" is an abbreviation, see services/vietnamese/lexicon.py).
KIND_NAMES = {"": "Chữ viết tắt (đúng hoa thường)", "word": "Từ nguyên (mọi kiểu chữ)", "sign": "Trong số hiệu văn bản"}


class DuplicateEntry(ValueError):
    """Another entry has the same written form, kind and context."""


def entry_of(row: LexiconEntry) -> Entry:
    """The lexicon's view of a stored entry."""
    return Entry(row.written, row.spoken, row.kind, row.context)


def editor_entries(connection: sa.Connection) -> list[Entry]:
    """Every editors' entry, in the order they were first added (a later one of the same key wins)."""
    table = LexiconEntry.__table__
    rows = connection.execute(
        select(table.c.written, table.c.spoken, table.c.kind, table.c.context).order_by(table.c.id)
    )
    return [Entry(*row) for row in rows]


def find_entries(words: str = ""):
    """A select of the entries whose written or spoken form holds the words (any case, any diacritics), A to Z."""
    # A to Z as Vietnamese readers look it up: Đ with D, not after Z.
    statement = select(LexiconEntry).order_by(func.docbai_search_fold(LexiconEntry.written), LexiconEntry.written,
                                              LexiconEntry.id)
    for word in fold(words).split():
        statement = statement.where(or_(
            func.docbai_search_fold(LexiconEntry.written).contains(word, autoescape=True),
            func.docbai_search_fold(LexiconEntry.spoken).contains(word, autoescape=True),
        ))
    return statement


def _same(entry: Entry, other_id: int | None = None) -> LexiconEntry | None:
    statement = select(LexiconEntry).where(
        LexiconEntry.written == entry.key, LexiconEntry.kind == entry.kind, LexiconEntry.context == entry.context
    )
    if other_id is not None:
        statement = statement.where(LexiconEntry.id != other_id)
    return db.session.execute(statement).scalar_one_or_none()


def save_entry(row: LexiconEntry | None, entry: Entry, user: User | None) -> LexiconEntry:
    """Add the entry (row None) or change row to it, in the caller's transaction; DuplicateEntry if another entry
    has the same written form, kind and context."""
    if _same(entry, row.id if row is not None else None) is not None:
        raise DuplicateEntry(entry.key)
    if row is None:
        row = LexiconEntry()
        db.session.add(row)
    row.written, row.spoken, row.kind, row.context = entry.key, entry.spoken, entry.kind, entry.context
    row.changed_at = utc_now()
    row.changed_by_id = user.id if user is not None else None
    row.changed_by = user.username if user is not None else ""
    db.session.flush()
    return row


@dataclass(frozen=True)
class ImportReport:
    """What an import did: entries added, changed (a new spoken form), already there as they were."""

    added: int = 0
    changed: int = 0
    unchanged: int = 0


def import_entries(entries: Iterable[Entry], user: User | None = None, changed_by: str = "") -> ImportReport:
    """Add or change the entries (matched by written form, kind and context), in the caller's transaction."""
    added = changed = unchanged = 0
    for entry in entries:
        row = _same(entry)
        if row is not None and row.spoken == entry.spoken:
            unchanged += 1
            continue
        if row is None:
            added += 1
        else:
            changed += 1
        row = save_entry(row, entry, user)
        if user is None and changed_by:
            row.changed_by = changed_by[:60]
    return ImportReport(added, changed, unchanged)


def import_tsv(text: str, source: str, user: User | None = None) -> ImportReport:
    """import_entries() of TSV text (the lexicon's format; malformed lines are skipped)."""
    return import_entries(read_entries(text, source), user, changed_by=source)


def export_tsv() -> str:
    """Every entry as TSV, the format import_tsv() reads, in the order they were added."""
    return write_entries(editor_entries(db.session.connection()))


def check_entry(key: str, spoken: str, kind: str, next_words: str = "", previous_words: str = "") -> Entry:
    """An entry from the form's fields (the context from the words that must follow or precede it, alternatives
    separated by |); ValueError saying, in Vietnamese, what is wrong."""
    parts = [f"next={next_words.strip()}"] if next_words.strip() else []
    parts += [f"prev={previous_words.strip()}"] if previous_words.strip() else []
    if kind not in KIND_NAMES:
        raise ValueError("Loại mục không hợp lệ.")
    if any(character in key + spoken + next_words + previous_words for character in "\t\r\n"):
        raise ValueError("Mục từ điển không được chứa dấu tab hay xuống dòng.")
    try:
        return checked_entry(key, spoken, kind, ";".join(parts))
    except ValueError:
        raise ValueError("Cần cả cách viết và cách đọc; từ đứng trước, đứng sau (nếu có) phải có chữ.") from None


def split_context(context: str) -> tuple[str, str]:
    """(words after, words before) of a stored context, as the form shows them."""
    after = before = ""
    for part in context.split(";"):
        side, _, values = part.partition("=")
        if side.strip().lower() == "next":
            after = values.strip()
        elif side.strip().lower() == "prev":
            before = values.strip()
    return after, before


def sample_sentence(entry: Entry) -> str:
    """A short sentence that holds the entry as written, its context included, for Nghe thử."""
    after, before = split_context(entry.context)
    words = " ".join(part.split("|")[0] for part in (before, entry.key, after) if part)
    if entry.kind == "sign":
        words = f"Văn bản số 12/{entry.key}"
    return f"Từ điển đọc: {words}."


def candidate_articles(keys: Iterable[str]):
    """A select of the published articles whose title or body holds one of the keys' first words (any case):
    the only ones whose spoken text an entry of these keys can change."""
    heads = {fold(key).split()[0].strip(".-/") for key in keys if fold(key).split()}
    heads = {head for head in heads if head}
    if not heads:
        return published_articles().where(sa.false())
    conditions = []
    for head in heads:
        conditions.append(func.docbai_search_fold(Article.title).contains(head, autoescape=True))
        conditions.append(func.docbai_search_fold(Article.body_html).contains(head, autoescape=True))
    return published_articles().where(or_(*conditions))


def articles_spoken_differently(
    articles: Iterable[Article], before: Lexicon, after: Lexicon, spoken_under
) -> list[Article]:
    """The articles whose segments differ between the two lexicons; spoken_under(article, table) gives them."""
    return [article for article in articles if spoken_under(article, before) != spoken_under(article, after)]


def changed_keys(old: Sequence[Entry], new: Sequence[Entry]) -> set[str]:
    """The written forms of entries added, removed or changed between two lists."""
    return {entry.key for entry in set(old) ^ set(new)}
