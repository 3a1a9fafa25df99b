"""Every newsroom page passes the W3C Nu Html Checker, like the reader's pages (tests/test_html_validity.py):
the login form, the list and its htmx fragment, the editor (new, saved, in conflict), revisions and a
comparison, the previews, accounts, categories, the audit log, the statistics, the lexicon (page, fragment,
an entry), the pronunciation check and the 403 page."""
import re

import pytest

from newsroom_support import app, article_form, create_article, logged_in, login, post  # noqa: F401
from services.newsroom.accounts import ADMINISTRATOR, EDITOR
from services.statistics.counting import Tally, add_tallies
from web.counting import today
from test_html_validity import _run_checker, _wrapped_fragment

BODY = ('<p>Đoạn một.</p><h2>Mục</h2><ul><li>Một</li></ul><blockquote>Trích dẫn.</blockquote>'
        '<p><a href="https://example.vn/">Liên kết</a></p><p>Hội nghị PTNNX của BCH Biên phòng có 1/16 suất.</p>')


@pytest.fixture
def documents(app):
    admin = logged_in(app, "quantri", ADMINISTRATOR)
    article_id = create_article(admin, body_html=BODY)
    post(admin, f"/bien-tap/bai-viet/{article_id}", article_form(body_html=BODY + "<p>Thêm.</p>", edit_version="1"))
    editor = logged_in(app, "bientap", EDITOR)
    conflict = post(editor, f"/bien-tap/bai-viet/{article_id}", article_form(body_html="<p>Khác.</p>", edit_version="1"))
    assert conflict.status_code == 409
    with app.app_context():
        day = today()
        add_tallies({Tally(article_id, day, "view").key(): 9, Tally(article_id, day, "play").key(): 5,
                     Tally(article_id, day, "heard", 0).key(): 5, Tally(article_id, day, "heard", 1).key(): 1})
    post(admin, "/bien-tap/tu-dien", {"viet": "BCH", "doc": "Ban Chỉ huy", "loai": "", "sau": "Biên phòng|BP"})
    pages = {
        "login": app.test_client().get("/bien-tap/dang-nhap"),
        "login-failed": login(app.test_client(), "khongco", "sai mật khẩu"),
        "list": admin.get("/bien-tap/"),
        "editor-new": admin.get("/bien-tap/bai-viet/moi"),
        "editor": admin.get(f"/bien-tap/bai-viet/{article_id}"),
        "editor-conflict": conflict,
        "revisions": admin.get(f"/bien-tap/bai-viet/{article_id}/phien-ban"),
        "revision": admin.get(f"/bien-tap/bai-viet/{article_id}/phien-ban/2"),
        "preview": admin.get(f"/bien-tap/bai-viet/{article_id}/xem-truoc"),
        "preview-phone": admin.get(f"/bien-tap/bai-viet/{article_id}/xem-truoc/dien-thoai"),
        "users": admin.get("/bien-tap/tai-khoan"),
        "user": admin.get("/bien-tap/tai-khoan/1"),
        "categories": admin.get("/bien-tap/chuyen-muc"),
        "audit": admin.get("/bien-tap/nhat-ky"),
        "password": admin.get("/bien-tap/mat-khau"),
        "forbidden": editor.get("/bien-tap/tai-khoan"),
        "statistics": admin.get("/bien-tap/thong-ke"),
        "statistics-bad-period": admin.get("/bien-tap/thong-ke?tu=hom-qua"),
        "statistics-article": admin.get(f"/bien-tap/thong-ke/bai-viet/{article_id}"),
        "lexicon": admin.get("/bien-tap/tu-dien?viet=PTNNX&loai="),
        "lexicon-entry": admin.get("/bien-tap/tu-dien/1"),
        "pronunciation": admin.get(f"/bien-tap/bai-viet/{article_id}/cach-doc"),
    }
    rendered = {name: response.get_data(as_text=True) for name, response in pages.items()}
    assert pages["forbidden"].status_code == 403
    rendered["list-fragment"] = _wrapped_fragment(admin.get("/bien-tap/", headers={"HX-Request": "true"}).get_data(as_text=True))
    rendered["lexicon-fragment"] = _wrapped_fragment(
        admin.get("/bien-tap/tu-dien?q=bch", headers={"HX-Request": "true"}).get_data(as_text=True))
    assert "Ban Chỉ huy" in rendered["lexicon-fragment"] and "PTNNX" in rendered["pronunciation"]
    rendered["audit-fragment"] = _wrapped_fragment(
        admin.get("/bien-tap/nhat-ky", headers={"HX-Request": "true"}).get_data(as_text=True))
    return rendered


def test_every_newsroom_page_is_valid_html(documents, tmp_path):
    paths = []
    for name, html in documents.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        paths.append(path)
    problems = {}
    for message in _run_checker(paths):
        name = re.sub(r"\.html$", "", message.get("url", "").rsplit("/", 1)[-1])
        problems.setdefault(name, []).append(f'{message.get("lastLine", "?")}: {message["message"]}')
    assert problems == {}
