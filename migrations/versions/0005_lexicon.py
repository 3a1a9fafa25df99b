"""The editors' lexicon in the database (lexicon_entries), shared by every host, instead of a TSV file per
instance. Upgrading imports the file the site read until now (ABBREVIATIONS_FILE: `abbreviations.tsv` in
STORAGE_DIR or the instance folder) once, in this migration, and leaves the file where it was (nothing reads
it any more; `flask --app app lexicon export` writes the table in the same format). Downgrade drops the table:
export it first to keep the entries.

Revision ID: 0005_lexicon
Revises: 0004_view_batches
Create Date: 2026-12-07 19:30:00.000000

A migration is a snapshot: the TSV reading below is written out here rather than imported from the live code.
"""
import datetime as dt
import logging
import os
import unicodedata

from alembic import op
from flask import current_app
import sqlalchemy as sa


revision = "0005_lexicon"
down_revision = "0004_view_batches"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
_KINDS = ("", "sign", "word")


def upgrade():
    # Like the baseline, only what is missing (a database made whole from the models has it already).
    if "lexicon_entries" not in set(sa.inspect(op.get_bind()).get_table_names()):
        _lexicon_entries()
    _import_file(current_app.config.get("ABBREVIATIONS_FILE"))


def _lexicon_entries():
    op.create_table(
        "lexicon_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("written", sa.String(length=200), nullable=False),
        sa.Column("spoken", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("context", sa.String(length=300), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_by", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(["changed_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("written", "kind", "context", name="uq_lexicon_entries_written_kind_context"),
    )
    with op.batch_alter_table("lexicon_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lexicon_entries_written"), ["written"], unique=False)


def _import_file(path):
    """The entries of the old TSV file (KEY<TAB>spoken[<TAB>kind[<TAB>context]]), a later line winning over an
    earlier one of the same key, kind and context; entries already in the table are kept."""
    if not path or not os.path.isfile(path):
        return
    with open(path, encoding="utf-8", errors="replace") as file:
        text = unicodedata.normalize("NFC", file.read())
    rows = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        columns = [" ".join(column.split()) for column in line.split("\t")] + ["", ""]
        written, spoken, kind, context = columns[0], columns[1], columns[2].lower(), columns[3]
        if written and spoken and kind in _KINDS and len(written) <= 200 and len(spoken) <= 500 and len(context) <= 300:
            rows[(written, kind, context)] = spoken
    connection = op.get_bind()
    table = sa.table(
        "lexicon_entries", sa.column("written"), sa.column("spoken"), sa.column("kind"), sa.column("context"),
        sa.column("changed_at"), sa.column("changed_by"),
    )
    existing = {tuple(row) for row in connection.execute(sa.select(table.c.written, table.c.kind, table.c.context))}
    now = dt.datetime.now(dt.timezone.utc)
    if connection.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # how the models' UTCDateTime stores a time on SQLite
    new = [
        {"written": written, "spoken": spoken, "kind": kind, "context": context, "changed_at": now,
         "changed_by": "abbreviations.tsv"}
        for (written, kind, context), spoken in rows.items() if (written, kind, context) not in existing
    ]
    if new:
        op.bulk_insert(table, new)
    log.info("Lexicon: %d entries imported from %s", len(new), path)


def downgrade():
    with op.batch_alter_table("lexicon_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lexicon_entries_written"))
    op.drop_table("lexicon_entries")
