"""Logging in to the newsroom: one message for any wrong name or password, limits per account and per address,
a new session at login, the cookie's flags, the idle timeout, next= only to this site, and the audit log."""
import logging
import re
import time

import pytest
from sqlalchemy import select

from extensions import db
from models import AuditEvent
from newsroom_support import PASSWORD, app, login, make_user, token  # noqa: F401
from services.newsroom.accounts import EDITOR

WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."


@pytest.fixture
def editor(app):
    make_user(app, "bientap", EDITOR)
    return "bientap"


def _events(app):
    with app.app_context():
        return [(event.action, event.username, event.address)
                for event in db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()]


def test_a_wrong_name_and_a_wrong_password_get_the_same_answer(app, editor):
    unknown = login(app.test_client(), "nobody", PASSWORD)
    wrong = login(app.test_client(), editor, "not the password at all")
    assert unknown.status_code == wrong.status_code == 200
    def strip(response):  # the page without its session's own CSRF token
        return re.sub(r'(csrf_token" type="hidden" value="|"X-CSRFToken": ")[^"]+', "TOKEN", response.get_data(as_text=True))

    assert strip(unknown).count(WRONG) == strip(wrong).count(WRONG) == 1
    # The same page but for the name typed back into its field.
    assert strip(unknown).replace("nobody", "X") == strip(wrong).replace(editor, "X")
    assert [event[0] for event in _events(app)] == ["login_failed", "login_failed"]


def test_logging_in_goes_to_the_articles_and_is_logged_with_the_address(app, editor):
    client = app.test_client()
    response = client.post("/bien-tap/dang-nhap", data={"csrf_token": token(client), "username": "BienTap",
                                                        "password": PASSWORD}, environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert response.status_code == 302 and response.headers["Location"] == "/bien-tap/"
    assert _events(app) == [("login", "bientap", "203.0.113.7")]


def test_the_password_is_never_logged(app, editor, caplog):
    with caplog.at_level(logging.DEBUG):
        login(app.test_client(), editor, "wrong but secret password")
        login(app.test_client(), editor)
    assert "secret password" not in caplog.text and PASSWORD not in caplog.text
    with app.app_context():
        stored = " ".join(str(value) for event in db.session.execute(select(AuditEvent)).scalars()
                          for value in (event.detail, event.target, event.username))
    assert "secret" not in stored and PASSWORD not in stored


def test_failures_of_one_account_are_limited_whatever_the_address_and_the_answer_is_vietnamese(app, editor):
    for attempt in range(5):
        response = login(app.test_client(), editor, f"wrong {attempt}", environ_base={"REMOTE_ADDR": f"198.51.100.{attempt}"})
        assert response.status_code == 200
    # The right password does not help now, from anywhere: the account waits.
    limited = login(app.test_client(), editor, PASSWORD, environ_base={"REMOTE_ADDR": "192.0.2.1"})
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert "Đăng nhập sai quá nhiều lần" in limited.get_data(as_text=True)
    assert _events(app)[-1][0] == "login_limited"
    # Another account is not affected.
    make_user(app, "khac", EDITOR)
    assert login(app.test_client(), "khac", environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code == 302


def test_failures_from_one_address_are_limited_whatever_the_name(app, editor):
    client = app.test_client()
    for attempt in range(20):
        assert login(client, f"name{attempt}", "wrong password").status_code == 200
    assert login(client, editor).status_code == 429
    assert login(app.test_client(), editor, environ_base={"REMOTE_ADDR": "192.0.2.9"}).status_code == 302


def test_a_good_login_clears_the_accounts_failures(app, editor):
    for attempt in range(4):
        login(app.test_client(), editor, f"wrong {attempt}", environ_base={"REMOTE_ADDR": f"198.51.100.{attempt}"})
    assert login(app.test_client(), editor).status_code == 302
    for attempt in range(4):
        login(app.test_client(), editor, f"wrong again {attempt}", environ_base={"REMOTE_ADDR": f"198.51.100.{attempt}"})
    assert login(app.test_client(), editor).status_code == 302


def _session_cookie(client):
    cookie = client.get_cookie("docbai_bien_tap", path="/bien-tap")
    return cookie.value if cookie else None


def test_the_session_is_new_at_login_and_the_old_token_stops_working(app, editor):
    client = app.test_client()
    before_token = token(client)
    before = _session_cookie(client)
    assert login(client, editor).status_code == 302
    after = _session_cookie(client)
    assert before and after and before != after
    with client.session_transaction("/bien-tap/") as session:
        assert "rotated" in session
        # Nothing of the anonymous session survives: its CSRF token was replaced.
        assert session.get("csrf_token") is None or session.get("csrf_token") != before_token
    refused = client.post("/bien-tap/bai-viet/moi", data={"csrf_token": before_token, "title": "x"})
    assert refused.status_code == 400


def test_the_cookie_is_http_only_same_site_lax_and_kept_to_the_newsroom(app, editor):
    response = login(app.test_client(), editor)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/bien-tap" in cookie
    assert "Secure" not in cookie  # served over http here


def test_the_cookie_is_secure_when_the_site_is_https(tmp_path, monkeypatch, build_app):
    monkeypatch.setenv("SITE_URL", "https://doc.example.vn")
    monkeypatch.setenv("PASSWORD_HASH_MEMORY_KIB", "1024")
    monkeypatch.setenv("PASSWORD_HASH_TIME_COST", "1")
    secure_app = next(build_app(tmp_path, monkeypatch, "sqlite"))
    make_user(secure_app, "bientap", EDITOR)
    client = secure_app.test_client()
    response = client.post("/bien-tap/dang-nhap", base_url="https://localhost", headers={"Referer": "https://localhost/bien-tap/dang-nhap"},
                           data={"csrf_token": token(client), "username": "bientap", "password": PASSWORD})
    assert "Secure" in response.headers["Set-Cookie"]


def test_an_idle_session_ends(app, editor):
    client = app.test_client()
    login(client, editor)
    assert client.get("/bien-tap/").status_code == 200
    with client.session_transaction("/bien-tap/") as session:
        session["seen"] = int(time.time()) - app.config["STAFF_IDLE_TIMEOUT_SECONDS"] - 5
    response = client.get("/bien-tap/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/bien-tap/dang-nhap")
    assert "hết hạn" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert client.get("/bien-tap/").status_code == 302  # logged out, not merely turned away once


def test_a_recent_session_goes_on_and_its_clock_restarts(app, editor):
    client = app.test_client()
    login(client, editor)
    with client.session_transaction("/bien-tap/") as session:
        session["seen"] = int(time.time()) - app.config["STAFF_IDLE_TIMEOUT_SECONDS"] + 60
    assert client.get("/bien-tap/").status_code == 200
    with client.session_transaction("/bien-tap/") as session:
        assert session["seen"] >= int(time.time()) - 5


@pytest.mark.parametrize("target, expected", [
    ("/bien-tap/bai-viet/moi", "/bien-tap/bai-viet/moi"),
    ("/bien-tap/?trang_thai=draft", "/bien-tap/?trang_thai=draft"),
    ("https://evil.example/", "/bien-tap/"),
    ("//evil.example/bien-tap/", "/bien-tap/"),
    ("/\\evil.example", "/bien-tap/"),
    ("javascript:alert(1)", "/bien-tap/"),
    ("bien-tap/", "/bien-tap/"),
    ("/bien-tap/\r\nSet-Cookie: x=1", "/bien-tap/"),
])
def test_next_goes_only_to_a_path_on_this_site(app, editor, target, expected):
    response = login(app.test_client(), editor, next=target)
    assert response.status_code == 302 and response.headers["Location"] == expected


def test_the_login_page_remembers_where_a_request_was_going(app, editor):
    client = app.test_client()
    response = client.get("/bien-tap/bai-viet/moi")
    assert response.status_code == 302
    assert response.headers["Location"] == "/bien-tap/dang-nhap?next=/bien-tap/bai-viet/moi"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="/bien-tap/bai-viet/moi"' in page


def test_logging_out_needs_a_post_with_the_token_and_ends_the_session(app, editor):
    client = app.test_client()
    login(client, editor)
    assert client.get("/bien-tap/dang-xuat").status_code == 405
    assert client.post("/bien-tap/dang-xuat").status_code == 400  # no token
    assert client.get("/bien-tap/").status_code == 200
    assert client.post("/bien-tap/dang-xuat", data={"csrf_token": token(client, "/bien-tap/")}).status_code == 302
    assert client.get("/bien-tap/").status_code == 302
    assert [event[0] for event in _events(app)] == ["login", "logout"]


def test_logging_in_without_the_token_changes_nothing(app, editor):
    client = app.test_client()
    response = client.post("/bien-tap/dang-nhap", data={"username": editor, "password": PASSWORD})
    assert response.status_code == 400 and "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)
    assert client.get("/bien-tap/").status_code == 302
    assert _events(app) == []


def test_writing_keeps_the_session_alive(app, editor):
    client = app.test_client()
    login(client, editor)
    with client.session_transaction("/bien-tap/") as session:
        session["seen"] = int(time.time()) - app.config["STAFF_IDLE_TIMEOUT_SECONDS"] + 30
    assert client.get("/bien-tap/con-lam-viec").status_code == 204
    with client.session_transaction("/bien-tap/") as session:
        assert session["seen"] >= int(time.time()) - 5
