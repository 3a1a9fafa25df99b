"""What the newsroom's tests share: apps with a cheap password hash, accounts, logging in, the CSRF token.

Test modules import the app fixtures from here (`from newsroom_support import app, db_app`), which replace
conftest's with the same apps made with a cheap argon2id cost: the real cost (64 MiB, 3 passes) takes a
fifth of a second per login on a small machine, and these tests log in hundreds of times."""
import re

import pytest

from extensions import db
from services.newsroom.accounts import PasswordHashing, create_user
from support import silent_mp3

PASSWORD = "ba con mèo trèo cây cau"
CHEAP = {"PASSWORD_HASH_MEMORY_KIB": "1024", "PASSWORD_HASH_TIME_COST": "1"}
TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')


def _cheap(monkeypatch):
    for name, value in CHEAP.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def app(tmp_path, monkeypatch, build_app):
    """conftest's app (SQLite), with a cheap password hash."""
    _cheap(monkeypatch)
    yield from build_app(tmp_path, monkeypatch, "sqlite")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_app(request, tmp_path, monkeypatch, build_app):
    """conftest's db_app (SQLite, and PostgreSQL when TEST_DATABASE_URL is set), with a cheap password hash."""
    _cheap(monkeypatch)
    yield from build_app(tmp_path, monkeypatch, request.param)


class RecordingVoice:
    """A speech engine that keeps every text it is asked to say (in `said`) and answers with seconds of silence."""

    name = "recording"
    voice = "test"

    def __init__(self, seconds: float = 0.3):
        self.seconds = seconds
        self.said = []

    def synthesize(self, text):
        self.said.append(text)
        return silent_mp3(self.seconds)


def make_user(app, username, role, password=PASSWORD, display_name=""):
    """An account, committed; its id."""
    with app.app_context():
        user = create_user(username, password, role, PasswordHashing(1024, 1), display_name=display_name)
        db.session.commit()
        return user.id


def token(client, path="/bien-tap/dang-nhap") -> str:
    """The CSRF token of this client's session (every newsroom page carries it for htmx)."""
    page = client.get(path).get_data(as_text=True)
    found = TOKEN.search(page)
    assert found, page[:500]
    return found.group(1)


def login(client, username, password=PASSWORD, next=None, **options):
    """Log the client in (or try to); the response. options go to the POST (environ_base, headers)."""
    data = {"csrf_token": token(client), "username": username, "password": password}
    if next is not None:
        data["next"] = next
    return client.post("/bien-tap/dang-nhap", data=data, **options)


def logged_in(app, username, role, password=PASSWORD):
    """A new client logged in as a new account of this role."""
    make_user(app, username, role, password)
    client = app.test_client()
    response = login(client, username, password)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return client


def post(client, path, data=None, **options):
    """A POST with this client's CSRF token."""
    return client.post(path, data={"csrf_token": token(client, "/bien-tap/"), **(data or {})}, **options)


def article_form(**fields):
    """The editor form's fields, filled with a short article."""
    data = {
        "title": "Thông báo lịch tiếp công dân tháng 12",
        "summary": "Lịch tiếp công dân định kỳ.",
        "category_id": "0",
        "author": "Văn phòng UBND huyện",
        "published_at": "",
        "body_html": "<p>Ủy ban nhân dân huyện thông báo lịch tiếp công dân.</p>",
        "edit_version": "0",
        "hanh_dong": "luu",
    }
    data.update(fields)
    return data


def create_article(client, **fields) -> int:
    """A draft written through the editor; its id."""
    response = post(client, "/bien-tap/bai-viet/moi", article_form(**fields))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
