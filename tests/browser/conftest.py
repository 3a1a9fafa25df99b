"""Browser fixtures: the site served on loopback with demo content, driven by Debian's Chromium; and what the
newsroom's browser tests share (an app of their own, its server, logging in, axe, waiting for a made file)."""
import os
import shutil
import threading
import time
from contextlib import contextmanager

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from werkzeug.serving import make_server

from app import create_app
from extensions import db
from services.demo.seed import seed_demo
from services.infra.schema import create_schema

# Debian's chromium package; Ubuntu names the binary chromium-browser.
CHROMIUM = next((path for path in ("/usr/bin/chromium", shutil.which("chromium-browser")) if path
                 and os.path.exists(path)), "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-sync", "--autoplay-policy=no-user-gesture-required",
]
PHONE_VIEWPORT = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}
# Argon2 at its cheapest: the staff's passwords are hashed in a test, not guarded.
FAST_PASSWORD_HASHING = {"PASSWORD_HASH_MEMORY_KIB": 1024, "PASSWORD_HASH_TIME_COST": 1}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """One app for the browser session, with 60 demo articles in its own instance folder."""
    return app_of_its_own(tmp_path_factory, "browser",
                          lambda app: seed_demo(app.config["MEDIA_ROOT"], article_count=60))


@pytest.fixture(scope="session")
def live_server(live_app):
    """The base URL of the site, served by a threaded server on 127.0.0.1."""
    with serving(live_app) as url:
        yield url


@pytest.fixture(scope="module")
def server(own_app):
    """The base URL of the module's own app (the module's `own_app` fixture, made with app_of_its_own), served on
    127.0.0.1 for the module's tests: the newsroom's tests, whose accounts and articles the shared demo site
    must not get."""
    with serving(own_app) as url:
        yield url


def app_of_its_own(tmp_path_factory, name, seed, **config):
    """An app with its own instance folder and SQLite database (`name`.db), espeak for speech and cheap password
    hashing; its schema made and seed(app) run in its app context, then committed. config overrides the rest."""
    instance = tmp_path_factory.mktemp(f"{name}-instance")
    # create_app reads INSTANCE_PATH once; the tests that run after these must not inherit it.
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("INSTANCE_PATH", str(instance))
        app = create_app({"TESTING": False, "SECRET_KEY": f"{name}-browser-tests", "TTS_ENGINE": "espeak",
                          "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(instance / f"{name}.db"),
                          **FAST_PASSWORD_HASHING, **config})
    with app.app_context():
        create_schema()
        seed(app)
        db.session.commit()
    return app


@contextmanager
def serving(app):
    """The base URL of app, served by a threaded server on 127.0.0.1 until the block ends."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        with app.app_context():
            db.engine.dispose()


def log_in(page, server, username, password):
    """Log in through the newsroom's form and wait for the page it leads to (the articles)."""
    page.goto(f"{server}/bien-tap/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Bài viết", level=1)).to_be_visible()


def axe_violations(page) -> list[str]:
    """axe's violations on the page as it is now, each with the first few elements it names; [] when none."""
    results = Axe().run(page, options=AXE_OPTIONS)
    return [f"{v['id']}: {[node['target'] for node in v['nodes'][:3]]}" for v in results.response["violations"]]


def when_ready(request, url, attempts=24):
    """The file once made: a busy machine may first answer 202 "đang chuẩn bị" with Retry-After, as a
    reader's browser would be told; asked again then, a bounded number of times."""
    for _ in range(attempts):
        response = request.get(url, timeout=60_000)
        if response.status != 202:
            return response
        time.sleep(min(5, int(response.headers.get("retry-after", "5"))))
    return response


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium under Playwright; never a downloaded browser."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(browser):
    """A fresh page at a phone's viewport, JavaScript on."""
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def no_js_page(browser):
    """A fresh page at a phone's viewport with JavaScript off."""
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN", java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()
