"""What editors paste from Word and LibreOffice comes out clean — from the sanitizer alone (every save and import
goes through it), through the editor's paste endpoint, and through a save."""
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from extensions import db
from models import Article
from newsroom_support import app, article_form, logged_in, post, token  # noqa: F401
from services.content.sanitize import sanitize_body
from services.newsroom.accounts import EDITOR

FIXTURES = Path(__file__).parent / "fixtures" / "paste"
OFFICE_LEFTOVERS = ("mso-", "<span", "<font", "style=", "class=", "<o:p", "lang=", "<!--", "<![", "<style",
                    "<meta", "Times New Roman", "MsoNormal", "supportLists", "<h1", "&nbsp;&nbsp;", "·")


def _clean(name):
    return sanitize_body((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["word.html", "libreoffice.html"])
def test_the_sanitizer_alone_leaves_no_office_markup(name):
    html = _clean(name)
    for leftover in OFFICE_LEFTOVERS:
        assert leftover not in html, (leftover, html)
    assert not re.search(r"<(p|li|h2|b|i|em|strong)>\s*</\1>", html)  # no empty paragraphs or runs
    assert sanitize_body(html) == html  # clean stays clean


def test_word_lists_become_real_lists_with_their_typed_bullets_and_numbers_gone():
    html = _clean("word.html")
    assert "<ul><li>Thời gian: từ 7 giờ 30 đến 11 giờ 30 ngày 15/12/2026.</li><li>Địa điểm:" in html
    assert "<ol><li>Mang theo căn cước công dân.</li><li>Đơn thư ghi rõ họ tên, địa chỉ.</li></ol>" in html
    assert "<h2>THÔNG\nBÁO</h2>" in html  # Word's h1 under the page's own title
    assert '<a href="https://dongslam.gov.vn/thong-bao" rel="noopener noreferrer">cổng thông tin của huyện</a>' in html
    assert "<b>tiếp công dân</b>" in html


def test_libreoffice_keeps_its_structure_and_loses_its_fonts():
    html = _clean("libreoffice.html")
    assert html.startswith("<h2>Kế hoạch ra quân làm đường giao thông nông thôn</h2>")
    assert "<b>ra quân làm đường</b>" in html and "<i>Mỗi hộ một người, mang theo dụng cụ.</i>" in html
    assert "<blockquote>“Nhà nước và nhân dân cùng làm.”</blockquote>" in html
    assert "<u>Lưu ý</u>: trời mưa thì hoãn." in html


def test_content_without_office_markup_is_left_as_it_was():
    html = '<p>Một <strong>đoạn</strong> <a href="https://example.vn/">liên kết</a>.</p><ul><li>Mục</li></ul>'
    assert sanitize_body(html) == html.replace('">liên', '" rel="noopener noreferrer">liên')


def test_the_editors_paste_endpoint_cleans_with_the_same_sanitizer(app):
    client = logged_in(app, "bientap", EDITOR)
    raw = (FIXTURES / "word.html").read_text(encoding="utf-8")
    answer = client.post("/bien-tap/lam-sach", data={"html": raw}, headers={"X-CSRFToken": token(client, "/bien-tap/")})
    assert answer.status_code == 200 and answer.get_json()["html"] == sanitize_body(raw)


def test_a_saved_body_pasted_from_word_is_clean(app):
    client = logged_in(app, "bientap", EDITOR)
    raw = (FIXTURES / "word.html").read_text(encoding="utf-8")
    assert post(client, "/bien-tap/bai-viet/moi", article_form(body_html=raw)).status_code == 302
    with app.app_context():
        body = db.session.execute(select(Article.body_html)).scalar_one()
    for leftover in OFFICE_LEFTOVERS:
        assert leftover not in body
    assert "<ol><li>Mang theo căn cước công dân." in body


@pytest.mark.parametrize("hostile", [
    "<p>a<script>alert(1)</script></p>",
    '<img src="x" onerror="alert(1)">',
    '<p><a href="javascript:alert(1)">x</a></p>',
    '<svg><script>alert(1)</script></svg>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<iframe src="https://evil.example"></iframe>',
    '<!--[if gte mso 9]><script>alert(1)</script><![endif]--><p class=MsoNormal>x</p>',
])
def test_script_never_survives_a_saved_body(app, hostile):
    client = logged_in(app, "bientap", EDITOR)
    post(client, "/bien-tap/bai-viet/moi", article_form(body_html=hostile + "<p>chữ</p>"))
    with app.app_context():
        body = db.session.execute(select(Article.body_html)).scalar_one().lower()
    for forbidden in ("<script", "onerror", "javascript:", "<iframe", "style=", "<svg"):
        assert forbidden not in body
