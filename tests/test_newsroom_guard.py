"""The newsroom's guard, checked over the whole url_map so that a route added later cannot forget it: every
/bien-tap/ URL answers an anonymous request with the login page (or a redirect to it), every state-changing
request needs the CSRF token (htmx sends it as a header), and each role may do exactly what it should."""
import pytest
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from blueprints.newsroom.base import PUBLIC_ENDPOINTS
from extensions import db
from models import Article, AuditEvent, User
from newsroom_support import app, create_article, logged_in, post, token  # noqa: F401
from services.newsroom.accounts import ADMINISTRATOR, EDITOR, PUBLISHER

CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def _staff_rules(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/bien-tap")]
    assert len(rules) >= 25  # the walk walks something
    return rules


def _sample_url(rule) -> str:
    values = {argument: 1 if isinstance(rule._converters[argument], IntegerConverter) else "x"
              for argument in rule.arguments}
    return rule.map.bind("localhost").build(rule.endpoint, values, method=sorted(rule.methods - {"OPTIONS"})[0])


def test_every_staff_url_sends_an_anonymous_request_to_the_login_page(app):
    client = app.test_client()
    checked = 0
    for rule in _staff_rules(app):
        url = _sample_url(rule)
        for method in sorted(rule.methods - {"OPTIONS"}):
            response = client.open(url, method=method)
            if rule.endpoint in PUBLIC_ENDPOINTS:
                assert rule.endpoint == "newsroom.login"
                assert response.status_code in (200, 400), (method, url)  # the form, or a POST without its token
                continue
            assert response.status_code == 302, (method, url, response.status_code)
            assert response.headers["Location"].startswith("/bien-tap/dang-nhap"), (method, url)
            assert "Set-Cookie" not in response.headers or "docbai_bien_tap" not in response.headers["Set-Cookie"] \
                or "Path=/bien-tap" in response.headers["Set-Cookie"]
            checked += 1
    assert checked >= 30


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
@pytest.mark.parametrize("path", ["/bien-tap/khong-co-trang-nay", "/bien-tap/bai-viet/1/khong-co", "/bien-tap/.env"])
def test_a_newsroom_url_that_names_no_page_sends_an_anonymous_request_to_the_login_page_too(app, method, path):
    response = app.test_client().open(path, method=method)
    assert response.status_code == 302 and response.headers["Location"].startswith("/bien-tap/dang-nhap")


def test_a_logged_in_request_for_no_page_is_a_404(app):
    client = logged_in(app, "bientap", EDITOR)
    assert client.get("/bien-tap/khong-co-trang-nay").status_code == 404


def test_an_anonymous_htmx_request_is_sent_to_the_login_page_as_a_whole(app):
    response = app.test_client().get("/bien-tap/?trang=2", headers={"HX-Request": "true"})
    assert response.status_code == 204 and response.headers["HX-Redirect"].startswith("/bien-tap/dang-nhap")


def test_the_login_page_is_the_only_public_one():
    assert PUBLIC_ENDPOINTS == {"newsroom.login"}


def test_every_staff_answer_is_never_stored(app):
    client = logged_in(app, "quantri", ADMINISTRATOR)
    create_article(client)
    for rule in _staff_rules(app):
        if "GET" not in rule.methods or rule.arguments - {"article_id", "user_id", "number"}:
            continue
        response = client.get(_sample_url(rule))
        assert "no-store" in response.headers.get("Cache-Control", ""), rule.rule
        assert "private" in response.headers["Cache-Control"]
    anonymous = app.test_client().get("/bien-tap/dang-nhap")
    assert "no-store" in anonymous.headers["Cache-Control"]


def test_no_state_changing_request_passes_without_the_token(app):
    client = logged_in(app, "quantri", ADMINISTRATOR)
    article_id = create_article(client)
    with app.app_context():
        before = db.session.execute(select(Article.status, Article.edit_version, Article.deleted_at)).one()
        users_before = db.session.execute(select(User.role, User.disabled_at)).all()
        events_before = db.session.execute(select(AuditEvent.id)).all()
    checked = 0
    for rule in _staff_rules(app):
        for method in rule.methods & CHANGING:
            url = _sample_url(rule).replace("/1", f"/{article_id}", 1) if "article_id" in rule.arguments else _sample_url(rule)
            response = client.open(url, method=method, data={"title": "Đổi", "thay_doi": "khoa", "hanh_dong": "dang"})
            assert response.status_code == 400, (method, url, response.status_code)
            checked += 1
    assert checked >= 10
    with app.app_context():
        assert db.session.execute(select(Article.status, Article.edit_version, Article.deleted_at)).one() == before
        assert db.session.execute(select(User.role, User.disabled_at)).all() == users_before
        assert db.session.execute(select(AuditEvent.id)).all() == events_before


def test_a_forged_token_is_refused_too(app):
    client = logged_in(app, "bientap", EDITOR)
    response = client.post("/bien-tap/bai-viet/moi", data={"csrf_token": "forged", "title": "Bài giả"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.execute(select(Article)).first() is None


def test_htmx_requests_carry_the_token_in_a_header(app):
    client = logged_in(app, "bientap", EDITOR)
    page = client.get("/bien-tap/").get_data(as_text=True)
    assert "data-hx-headers='{\"X-CSRFToken\": \"" in page
    value = token(client, "/bien-tap/")
    headers = {"HX-Request": "true", "X-CSRFToken": value}
    assert client.post("/bien-tap/lam-sach", data={"html": "<p>x</p>"}, headers=headers).status_code == 200
    assert client.post("/bien-tap/lam-sach", data={"html": "<p>x</p>"}, headers={"HX-Request": "true"}).status_code == 400


ROLE_MATRIX = [
    # (endpoint, method, {role: expected status}); the article is a draft unless the path says otherwise
    ("/bien-tap/", "GET", {EDITOR: 200, PUBLISHER: 200, ADMINISTRATOR: 200}),
    ("/bien-tap/bai-viet/moi", "GET", {EDITOR: 200, PUBLISHER: 200, ADMINISTRATOR: 200}),
    ("/bien-tap/bai-viet/{id}/dang", "POST", {EDITOR: 403, PUBLISHER: 302, ADMINISTRATOR: 302}),
    ("/bien-tap/bai-viet/{id}/gui-duyet", "POST", {EDITOR: 302, PUBLISHER: 302, ADMINISTRATOR: 302}),
    ("/bien-tap/bai-viet/{id}/khoi-phuc", "POST", {EDITOR: 403, PUBLISHER: 403, ADMINISTRATOR: 302}),
    ("/bien-tap/tai-khoan", "GET", {EDITOR: 403, PUBLISHER: 403, ADMINISTRATOR: 200}),
    ("/bien-tap/tai-khoan", "POST", {EDITOR: 403, PUBLISHER: 403, ADMINISTRATOR: 400}),
    ("/bien-tap/nhat-ky", "GET", {EDITOR: 403, PUBLISHER: 403, ADMINISTRATOR: 200}),
    ("/bien-tap/chuyen-muc", "GET", {EDITOR: 403, PUBLISHER: 403, ADMINISTRATOR: 200}),
    ("/bien-tap/tai-khoan/1", "GET", {EDITOR: 403, PUBLISHER: 403, ADMINISTRATOR: 200}),
    ("/bien-tap/thong-ke", "GET", {EDITOR: 403, PUBLISHER: 200, ADMINISTRATOR: 200}),
    ("/bien-tap/thong-ke/bai-viet/{id}", "GET", {EDITOR: 403, PUBLISHER: 200, ADMINISTRATOR: 200}),
]


@pytest.mark.parametrize("role", [EDITOR, PUBLISHER, ADMINISTRATOR])
@pytest.mark.parametrize("path, method, expected", ROLE_MATRIX, ids=[f"{m} {p}" for p, m, _ in ROLE_MATRIX])
def test_each_role_may_do_what_it_should_and_no_more(app, role, path, method, expected):
    client = logged_in(app, "nguoidung", role)
    article_id = create_article(client)
    url = path.format(id=article_id)
    response = post(client, url) if method == "POST" else client.get(url)
    assert response.status_code == expected[role], (role, method, url)
    if response.status_code == 403:
        assert "Không có quyền" in response.get_data(as_text=True)


def _published_article(app):
    publisher = logged_in(app, "duyetbai", PUBLISHER)
    article_id = create_article(publisher)
    assert post(publisher, f"/bien-tap/bai-viet/{article_id}/dang").status_code == 302
    return publisher, article_id


def test_an_editor_cannot_publish_through_the_editors_button_either(app):
    editor = logged_in(app, "bientap", EDITOR)
    article_id = create_article(editor)
    from newsroom_support import article_form
    response = post(editor, f"/bien-tap/bai-viet/{article_id}", article_form(hanh_dong="dang", edit_version="1"))
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Article, article_id).status == "draft"


def test_an_editor_cannot_change_or_unpublish_what_readers_see(app):
    publisher, article_id = _published_article(app)
    editor = logged_in(app, "bientap", EDITOR)
    from newsroom_support import article_form
    assert post(editor, f"/bien-tap/bai-viet/{article_id}", article_form(title="Sửa trộm", edit_version="1")).status_code == 403
    assert post(editor, f"/bien-tap/bai-viet/{article_id}/go").status_code == 403
    assert post(editor, f"/bien-tap/bai-viet/{article_id}/xoa").status_code == 403
    with app.app_context():
        article = db.session.get(Article, article_id)
        assert (article.status, article.deleted_at, article.title) == ("published", None, "Thông báo lịch tiếp công dân tháng 12")


def test_a_disabled_account_cannot_act_even_with_its_page_open(app):
    admin = logged_in(app, "quantri", ADMINISTRATOR)
    editor = logged_in(app, "bientap", EDITOR)
    editor_token = token(editor, "/bien-tap/")
    with app.app_context():
        editor_id = db.session.execute(select(User.id).where(User.username == "bientap")).scalar_one()
    assert post(admin, f"/bien-tap/tai-khoan/{editor_id}", {"thay_doi": "khoa"}).status_code == 302
    from newsroom_support import article_form
    response = editor.post("/bien-tap/bai-viet/moi", data={"csrf_token": editor_token, **article_form()})
    assert response.status_code == 302 and response.headers["Location"].startswith("/bien-tap/dang-nhap")
    with app.app_context():
        assert db.session.execute(select(Article)).first() is None
