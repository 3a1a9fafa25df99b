"""`flask lexicon`: the editors' pronunciation lexicon (kept in the database) to and from the TSV format
(KEY<TAB>spoken[<TAB>kind[<TAB>context]], the format of services/vietnamese/*.tsv and the old abbreviations.tsv)."""
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from extensions import db
from services.infra.files import write_atomically
from services.newsroom import audit
from services.newsroom.lexicon import editor_entries, export_tsv, import_tsv
from web.background import after_lexicon_change


@click.group("lexicon")
def lexicon_group():
    """Từ điển đọc của biên tập viên: nhập, xuất tệp TSV."""


@lexicon_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@with_appcontext
def import_command(path):
    """Nhập các mục của tệp TSV PATH ('-': đầu vào chuẩn): mục mới được thêm, mục cùng cách viết, loại và ngữ
    cảnh được thay cách đọc."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.ClickException("Tệp không phải văn bản UTF-8.")
    before = editor_entries(db.session.connection())
    report = import_tsv(text, "stdin" if path == "-" else click.format_filename(path, shorten=True))
    audit.record("lexicon_imported", username="(dòng lệnh)", target=click.format_filename(path, shorten=True),
                 detail=f"thêm {report.added}, sửa {report.changed}, giữ nguyên {report.unchanged}")
    db.session.commit()
    after_lexicon_change(before)
    click.echo(f"Đã nhập: thêm {report.added} mục, sửa {report.changed} mục, {report.unchanged} mục giữ nguyên.")


@lexicon_group.command("export")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True), default="-")
@with_appcontext
def export_command(path):
    """Ghi mọi mục của từ điển đọc ra tệp TSV PATH (mặc định: đầu ra chuẩn)."""
    text = export_tsv()
    if path == "-":
        click.echo(text, nl=False)
    else:
        write_atomically(path, text.encode("utf-8"))
        click.echo(f"Đã ghi {text.count(chr(10)) - 1} mục vào {path}.", err=True)
