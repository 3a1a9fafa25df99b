"""Importing JSONL articles: good rows in, bad rows reported by line, hostile HTML defused, idempotent."""
import io
import json

import pytest
from PIL import Image
from sqlalchemy import func, select

from extensions import db
from models import Article, Category, Figure
from services.content.importer import import_articles


def import_row(**overrides):
    row = {
        "external_id": "src-1",
        "title": "Huyện tổng kết công tác năm 2023",
        "body_html": "<p>Ngày 16/11/2023, UBND huyện tổ chức hội nghị.</p>",
        "published_at": "2023-11-16T14:14:00+07:00",
        "category": "Tin tức - Sự kiện",
        "author": "Minh Anh",
        "summary": "Tóm tắt.",
    }
    row.update(overrides)
    return row


def _write(tmp_path, lines, name="bai.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)
                              for line in lines) + "\n", encoding="utf-8")
    return path


def _import(app, path):
    with app.app_context():
        return import_articles(str(path), app.config["MEDIA_ROOT"])


def _count(app, model=Article):
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _jpeg(path, size=(120, 80)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())


def test_import_creates_articles_with_figures_and_slug(db_app, tmp_path):
    (tmp_path / "anh").mkdir()
    _jpeg(tmp_path / "anh" / "hoi-nghi.jpg")
    body = ('<p>Mở đầu.</p><figure><img src="anh/hoi-nghi.jpg" alt="Hội nghị"><figcaption>Quang cảnh hội nghị.'
            '</figcaption></figure><p>Kết thúc.</p>')
    report = _import(db_app, _write(tmp_path, [import_row(body_html=body)]))
    assert (report.created, report.errors) == (1, [])
    with db_app.app_context():
        article = db.session.execute(select(Article)).scalar_one()
        assert article.slug == "huyen-tong-ket-cong-tac-nam-2023"
        assert article.category.name == "Tin tức - Sự kiện" and article.category.slug == "tin-tuc-su-kien"
        assert article.published_at.isoformat() == "2023-11-16T07:14:00+00:00"
        figure = article.figures[0]
        assert (figure.width, figure.height, figure.caption) == (120, 80, "Quang cảnh hội nghị.")
        assert f'src="/media/{figure.image_path}"' in article.body_html
        assert 'width="120"' in article.body_html
    assert (tmp_path / "instance" / "media" / figure.image_path).exists()
    page = db_app.test_client().get(f"/bai-viet/{article.slug}")
    assert page.status_code == 200 and "Quang cảnh hội nghị." in page.get_data(as_text=True)
    assert db_app.test_client().get(f"/media/{figure.image_path}").status_code == 200


def test_importing_the_same_file_twice_changes_nothing(db_app, tmp_path):
    _jpeg(tmp_path / "a.jpg")
    path = _write(tmp_path, [import_row(body_html='<p>x</p><img src="a.jpg" alt="a">'),
                             import_row(external_id=None, title="Bài không có mã nguồn"),
                             import_row(external_id="src-3", title="Bài thứ ba", slug="bai-thu-ba")])
    first = _import(db_app, path)
    with db_app.app_context():
        before = [(a.id, a.slug, a.updated_at, a.body_html) for a in db.session.execute(
            select(Article).order_by(Article.id)).scalars()]
    second = _import(db_app, path)
    assert (first.created, first.updated) == (3, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    with db_app.app_context():
        after = [(a.id, a.slug, a.updated_at, a.body_html) for a in db.session.execute(
            select(Article).order_by(Article.id)).scalars()]
    assert before == after
    assert _count(db_app, Figure) == 1 and _count(db_app, Category) == 1


def test_reimport_with_changes_updates_in_place(db_app, tmp_path):
    _import(db_app, _write(tmp_path, [import_row()]))
    report = _import(db_app, _write(tmp_path, [import_row(title="Tiêu đề đã sửa", body_html="<p>Mới.</p>")], "b.jsonl"))
    assert (report.created, report.updated) == (0, 1)
    with db_app.app_context():
        article = db.session.execute(select(Article)).scalar_one()
        assert article.title == "Tiêu đề đã sửa" and article.body_html == "<p>Mới.</p>"
        assert article.slug == "tieu-de-da-sua"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "JSON không hợp lệ"),
        ('["a", "list"]', "đối tượng JSON"),
        (import_row(title="   "), "title"),
        (import_row(title=None), "title"),
        (import_row(published_at="2023-02-30T10:00:00+07:00"), "published_at"),
        (import_row(published_at="16/11/2023"), "published_at"),
        (import_row(published_at="2023-11-16T14:14:00"), "múi giờ"),
        (import_row(published_at="0001-01-01T00:00:00+07:00"), "published_at"),
        (import_row(published_at="9999-12-31T23:59:59-01:00"), "published_at"),
        (import_row(published_at="9999-01-01T00:00:00+00:00"), "published_at"),
        (import_row(published_at="1899-12-31T23:00:00+00:00"), "published_at"),
        (import_row(category=""), "category"),
        (import_row(body_html=12), "body_html"),
        (import_row(title="Rất dài " * 80), "quá dài: title"),
        (import_row(author="Tác giả " * 40), "quá dài: author"),
        (import_row(category="Chuyên mục " * 30), "quá dài: category"),
        (import_row(external_id="x" * 201), "quá dài: external_id"),
    ],
)
def test_bad_rows_are_reported_with_line_numbers_and_good_rows_kept(db_app, tmp_path, line, message):
    path = _write(tmp_path, [import_row(external_id="good-1", title="Bài tốt một"), line,
                             import_row(external_id="good-2", title="Bài tốt hai")])
    report = _import(db_app, path)
    assert report.created == 2
    assert len(report.errors) == 1 and report.errors[0][0] == 2 and message in report.errors[0][1]


HOSTILE = [
    '<script>alert(1)</script><p>an toàn</p>',
    '<p onclick="alert(1)" onmouseover="x()">an toàn</p>',
    '<a href="javascript:alert(1)">an toàn</a>',
    '<a href="JaVaScRiPt:alert(1)">an toàn</a>',
    '<a href="&#106;avascript:alert(1)">an toàn</a>',
    '<img src="x" onerror="alert(1)"><p>an toàn</p>',
    '<svg onload="alert(1)"><p>an toàn</p></svg>',
    '<iframe src="https://evil.example"></iframe><p>an toàn</p>',
    '<style>body{display:none}</style><p>an toàn</p>',
    '<p style="background:url(javascript:alert(1))">an toàn</p>',
    '<form action="https://evil.example"><input name=x></form><p>an toàn</p>',
    '<object data="x.swf"></object><embed src="x"><p>an toàn</p>',
    '<img src="https://tracker.example/pixel.gif"><p>an toàn</p>',
    '<img src="../../../../etc/passwd"><p>an toàn</p>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>an toàn',
    '<meta http-equiv="refresh" content="0;url=https://evil.example"><p>an toàn</p>',
]


@pytest.mark.parametrize("body", HOSTILE)
def test_hostile_html_is_defused(db_app, tmp_path, body):
    report = _import(db_app, _write(tmp_path, [import_row(body_html=body)]))
    assert report.created == 1
    with db_app.app_context():
        stored = db.session.execute(select(Article)).scalar_one()
    lowered = stored.body_html.lower()
    for forbidden in ("<script", "javascript:", "onerror", "onclick", "onload", "onmouseover", "<iframe", "<style",
                      "style=", "<form", "<object", "<embed", "<svg", "<meta", "tracker.example", "passwd"):
        assert forbidden not in lowered
    assert "an toàn" in stored.body_html
    page = db_app.test_client().get(f"/bai-viet/{stored.slug}").get_data(as_text=True)
    assert "javascript:" not in page.lower() and "onerror" not in page.lower()


def test_import_cli_reports_bad_lines_without_a_traceback(db_app, tmp_path):
    path = _write(tmp_path, [import_row(), "{broken", import_row(external_id="x2", title="Bài hai", published_at="không phải ngày")])
    result = db_app.test_cli_runner().invoke(args=["import-articles", str(path)])
    # CliRunner never prints a traceback: an exception escaping the command shows as result.exception.
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    assert "Dòng 2: bỏ qua" in result.output and "Dòng 3: bỏ qua" in result.output
    assert "Thêm mới 1" in result.output
    assert _count(db_app) == 1


def test_same_title_from_two_sources_keeps_both(db_app, tmp_path):
    report = _import(db_app, _write(tmp_path, [import_row(external_id="a"), import_row(external_id="b")]))
    assert report.created == 2
    with db_app.app_context():
        slugs = sorted(db.session.execute(select(Article.slug)).scalars())
    assert slugs == ["huyen-tong-ket-cong-tac-nam-2023", "huyen-tong-ket-cong-tac-nam-2023-2"]
