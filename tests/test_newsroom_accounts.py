"""Newsroom accounts: the password policy and hash, `flask users`, roles, and what ending an account's sessions does."""
import pytest
from sqlalchemy import select

from extensions import db
from models import AuditEvent, User
from newsroom_support import PASSWORD, app, db_app, logged_in, login, make_user, post  # noqa: F401
from services.newsroom.accounts import (
    ADMINISTRATOR,
    EDITOR,
    PUBLISHER,
    AccountError,
    PasswordHashing,
    authenticate,
    may,
    password_problems,
    set_role,
)


@pytest.mark.parametrize("password", [
    "123456789012",       # the most common, long enough
    "password1234",       # common word with a suffix
    "qwertyuiop",         # keyboard walk on the list
    "aaaaaaaaaaaa",       # one character
    "1234567890",
    "MậtKhẩu2024!!",      # the site's own words, diacritics or not
    "docbai-2026-ok",
])
def test_common_or_guessable_passwords_are_refused(password):
    assert password_problems(password, "minh.anh", 10)


@pytest.mark.parametrize("password", ["ngắn", "abc12345"])
def test_short_passwords_are_refused_with_the_minimum_named(password):
    assert any("ít nhất 10 ký tự" in problem for problem in password_problems(password, "", 10))


@pytest.mark.parametrize("password", ["nguyenvana-2026-xyz", "NguyenVanA@2026!", "bientap.1234567"])
def test_a_password_may_not_be_the_account_or_site_name_with_digits(password):
    assert password_problems(password, "nguyen.van.a", 10)


def test_a_phrase_that_merely_holds_a_site_word_is_fine():
    assert password_problems("quản trị viên của huyện Đồng Lâm", "quantri", 10) == []


@pytest.mark.parametrize("password", [PASSWORD, "Đồng Lâm mùa lúa chín 2026", "xk7#Qm!2pLr9"])
def test_good_passwords_pass(password):
    assert password_problems(password, "minh.anh", 10) == []


def test_passwords_are_argon2id_salted_and_a_changed_cost_is_upgraded_at_login(app):
    cheap, dearer = PasswordHashing(1024, 1), PasswordHashing(2048, 2)
    first, second = cheap.hash(PASSWORD), cheap.hash(PASSWORD)
    assert first.startswith("$argon2id$") and first != second and PASSWORD not in first
    assert cheap.verify(first, PASSWORD) and not cheap.verify(first, PASSWORD + "x")
    assert not cheap.verify("not a hash", PASSWORD)
    make_user(app, "minh.anh", EDITOR)
    with app.app_context():
        user = authenticate("Minh.Anh ", PASSWORD, dearer)
        assert user is not None and "m=2048,t=2" in user.password_hash
        assert authenticate("minh.anh", "wrong password", dearer) is None
        assert authenticate("nobody", PASSWORD, dearer) is None


def test_users_create_reads_the_password_from_standard_input_and_makes_the_first_administrator(db_app):
    result = db_app.test_cli_runner().invoke(args=["users", "create", "QuanTri", "--role", "quan-tri"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "quantri" in result.output and PASSWORD not in result.output
    with db_app.app_context():
        user = db.session.execute(select(User)).scalar_one()
        assert (user.username, user.role) == ("quantri", ADMINISTRATOR)
        assert user.password_hash.startswith("$argon2id$")
        assert db.session.execute(select(AuditEvent.action)).scalars().all() == ["user_created"]
    client = db_app.test_client()
    assert login(client, "quantri").headers["Location"] == "/bien-tap/"


@pytest.mark.parametrize("arguments, password, message", [
    (["users", "create", "a", "--role", "quan-tri"], PASSWORD, "Tên tài khoản"),
    (["users", "create", "quantri", "--role", "quan-tri"], "12345678901", "dễ đoán"),
    (["users", "create", "quantri", "--role", "quan-tri"], "password2026", "phổ biến"),
    (["users", "create", "quantri", "--role", "quan-tri"], "", "Không đọc được mật khẩu"),
])
def test_users_create_refuses_bad_input_with_a_message(app, arguments, password, message):
    result = app.test_cli_runner().invoke(args=arguments, input=password + "\n" if password else "")
    assert result.exit_code == 1 and message in result.output
    with app.app_context():
        assert db.session.execute(select(User)).first() is None


def test_users_create_refuses_a_second_account_of_the_same_name(app):
    make_user(app, "quantri", ADMINISTRATOR)
    result = app.test_cli_runner().invoke(args=["users", "create", "QUANTRI", "--role", "bien-tap"], input=PASSWORD + "\n")
    assert result.exit_code == 1 and "Đã có tài khoản" in result.output


def test_users_list_and_set_password(app):
    make_user(app, "quantri", ADMINISTRATOR)
    runner = app.test_cli_runner()
    assert "quantri\tQuản trị\thoạt động" in runner.invoke(args=["users", "list"]).output
    new_password = "một mật khẩu mới dài hơn"
    assert runner.invoke(args=["users", "set-password", "quantri"], input=new_password + "\n").exit_code == 0
    client = app.test_client()
    assert login(client, "quantri").status_code == 200  # the old one no longer works
    assert login(client, "quantri", new_password).status_code == 302


@pytest.mark.parametrize("role, needed, allowed", [
    (EDITOR, EDITOR, True), (EDITOR, PUBLISHER, False), (EDITOR, ADMINISTRATOR, False),
    (PUBLISHER, EDITOR, True), (PUBLISHER, PUBLISHER, True), (PUBLISHER, ADMINISTRATOR, False),
    (ADMINISTRATOR, EDITOR, True), (ADMINISTRATOR, PUBLISHER, True), (ADMINISTRATOR, ADMINISTRATOR, True),
])
def test_roles_are_ranked(role, needed, allowed):
    assert may(User(role=role, username="x"), needed) is allowed


def test_a_disabled_account_may_nothing():
    import datetime as dt
    user = User(role=ADMINISTRATOR, username="x", disabled_at=dt.datetime.now(dt.timezone.utc))
    assert not may(user, EDITOR)


def test_the_last_administrator_keeps_the_role(app):
    make_user(app, "quantri", ADMINISTRATOR)
    with app.app_context():
        user = db.session.execute(select(User)).scalar_one()
        with pytest.raises(AccountError):
            set_role(user, EDITOR)


def test_disabling_an_account_ends_its_sessions_at_once(app):
    admin = logged_in(app, "quantri", ADMINISTRATOR)
    editor = logged_in(app, "bientap", EDITOR)
    assert editor.get("/bien-tap/").status_code == 200
    with app.app_context():
        editor_id = db.session.execute(select(User.id).where(User.username == "bientap")).scalar_one()
    response = post(admin, f"/bien-tap/tai-khoan/{editor_id}", {"thay_doi": "khoa"})
    assert response.status_code == 302
    answer = editor.get("/bien-tap/")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/bien-tap/dang-nhap")
    # Nor can it log in again, and the message says nothing about the account being disabled.
    again = login(app.test_client(), "bientap")
    assert again.status_code == 200 and "Tên đăng nhập hoặc mật khẩu không đúng." in again.get_data(as_text=True)


def test_a_new_role_applies_from_the_next_login(app):
    admin = logged_in(app, "quantri", ADMINISTRATOR)
    publisher = logged_in(app, "duyetbai", PUBLISHER)
    with app.app_context():
        publisher_id = db.session.execute(select(User.id).where(User.username == "duyetbai")).scalar_one()
    assert post(admin, f"/bien-tap/tai-khoan/{publisher_id}", {"thay_doi": "vai-tro", "vai-tro-role": EDITOR}).status_code == 302
    assert publisher.get("/bien-tap/").status_code == 302  # logged out
    assert login(publisher, "duyetbai").status_code == 302
    assert publisher.get("/bien-tap/").status_code == 200


def test_an_administrator_makes_accounts_in_the_ui_and_the_log_says_so(app):
    admin = logged_in(app, "quantri", ADMINISTRATOR)
    response = post(admin, "/bien-tap/tai-khoan", {"username": "Bien.Tap", "display_name": "Lê Thu Hà",
                                                    "role": EDITOR, "password": PASSWORD})
    assert response.status_code == 302
    refused = post(admin, "/bien-tap/tai-khoan", {"username": "khac", "role": EDITOR, "password": "iloveyou2026"})
    assert refused.status_code == 400 and "phổ biến" in refused.get_data(as_text=True)
    assert login(app.test_client(), "bien.tap").status_code == 302
    with app.app_context():
        events = [(event.action, event.username, event.target) for event in db.session.execute(
            select(AuditEvent).order_by(AuditEvent.id)).scalars()]
    assert ("user_created", "quantri", "bien.tap") in events
    assert events[-1][:2] == ("login", "bien.tap")


def test_changing_ones_own_password_needs_the_current_one(app):
    client = logged_in(app, "bientap", EDITOR)
    wrong = post(client, "/bien-tap/mat-khau", {"current_password": "sai", "password": "một mật khẩu mới dài"})
    assert "Mật khẩu hiện tại không đúng." in wrong.get_data(as_text=True)
    right = post(client, "/bien-tap/mat-khau", {"current_password": PASSWORD, "password": "một mật khẩu mới dài"})
    assert right.status_code == 302
    assert client.get("/bien-tap/").status_code == 200  # this session goes on
    assert login(app.test_client(), "bientap", "một mật khẩu mới dài").status_code == 302
