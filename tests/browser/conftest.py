"""Browser fixtures: the site served on loopback with demo content, driven by Debian's Chromium."""
import os
import shutil
import threading

import pytest
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


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """One app for the browser session, with 60 demo articles in its own instance folder."""
    instance = tmp_path_factory.mktemp("browser-instance")
    # create_app reads INSTANCE_PATH once; the tests that run after these must not inherit it.
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("INSTANCE_PATH", str(instance))
        app = create_app({"TESTING": False, "SECRET_KEY": "browser-tests", "TTS_ENGINE": "espeak",
                          "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(instance / "browser.db")})
    with app.app_context():
        create_schema()
        seed_demo(app.config["MEDIA_ROOT"], article_count=60)
    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    """The base URL of the site, served by a threaded server on 127.0.0.1."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    with live_app.app_context():
        db.engine.dispose()


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
