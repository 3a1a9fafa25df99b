"""docbai — the application factory."""
import os
import secrets
import time
from functools import lru_cache

from flask import Flask, current_app
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from extensions import compress, db, htmx, migrate
from settings import PROJECT_ROOT, SettingError, instance_folder, load_settings
from services.search.index import register_sqlite_search_functions
from web.assets import init_assets, inline_script_sources, inline_style_sources
from web.bulletins import init_bulletins
from web.http_caching import CompressedPages, compressed_body_key, init_http_caching
from web.page_cache import init_page_cache
from web.observability import init_observability
from web.preferences import init_preferences
from web.request_guards import init_request_guards
from web.site_services import init_site_services
from web.templating import register_template_helpers

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' {inline_scripts}",
        "style-src 'self' {inline_styles}",
        "img-src 'self' data:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def create_app(test_config=None):
    """Build the Flask app: defaults, instance config, environment, then the test override."""
    instance_path = instance_folder()
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    os.makedirs(app.instance_path, exist_ok=True)
    try:
        loaded = load_settings(app.instance_path, os.environ, test_config, debug=app.debug)
    except SettingError as error:
        # A clean stop naming the setting, for `flask` and gunicorn alike, instead of a traceback.
        raise SystemExit(f"docbai: {error}") from None
    # Wiring of the libraries, not settings an operator changes.
    app.config.from_mapping(
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_ALGORITHM_STREAMING=["br", "gzip"],
        COMPRESS_BR_LEVEL=5,
        # Identical pages are compressed once (web.http_caching.CompressedPages), by web.http_caching's hook,
        # which validates the page first; Flask-Compress's own hook would depend on the order of registration.
        COMPRESS_CACHE_BACKEND=CompressedPages,
        COMPRESS_CACHE_KEY=compressed_body_key,
        COMPRESS_REGISTER=False,
    )
    app.config.update(loaded.passed_through)
    app.config.update(loaded.values)
    app.extensions["docbai_settings"] = loaded
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url_with_driver(app.config["SQLALCHEMY_DATABASE_URI"])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = loaded.values["SECRET_KEY"] = _instance_secret_key(app.instance_path)
        loaded.sources["SECRET_KEY"] = "instance/secret_key"
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", _engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))
    for key in ("MEDIA_ROOT", "AUDIO_CACHE_DIR", "PDF_CACHE_DIR"):
        os.makedirs(app.config[key], exist_ok=True)

    db.init_app(app)
    # Beside the code, not in the working directory: `flask db upgrade` run from anywhere finds the same history.
    migrate.init_app(app, db, directory=os.path.join(PROJECT_ROOT, "migrations"))
    # First: its before_request runs before every other hook and its after_request after them (web/observability.py).
    init_observability(app)
    app.json.ensure_ascii = False  # Vietnamese in JSON as text, not \u escapes
    htmx.init_app(app)
    compress.init_app(app)

    with app.app_context():
        for engine in db.engines.values():
            event.listen(engine, "connect", _prepare_connection)

    from blueprints import (
        bulletins, errors, feeds, finding, images, listening, offline, operations, preferences, printing, reading,
    )
    from blueprints.newsroom import init_newsroom
    from commands import register_commands

    init_request_guards(app)
    # Werkzeug's redirect from /media//x to /media/x is absolute, built on the request's Host: with a forged
    # Host it sends the reader to another site. Flask gives routing redirects no handler, so there is none.
    app.url_map.merge_slashes = False
    for blueprint in (reading.bp, printing.bp, listening.bp, finding.bp, feeds.bp, preferences.bp, images.bp, offline.bp,
                      operations.bp, bulletins.bp, errors.bp):
        app.register_blueprint(blueprint)
    register_commands(app)
    register_template_helpers(app)
    init_assets(app)
    init_preferences(app)
    init_http_caching(app)
    init_site_services(app)
    init_bulletins(app)
    init_newsroom(app)  # the newsroom at /bien-tap/: its sessions, CSRF and login limits, after the site's Redis
    init_page_cache(app)
    app.after_request(_security_headers)
    if app.config["PROXY_COUNT"] > 0:
        count = app.config["PROXY_COUNT"]
        # Host and prefix stay the request's own: a proxy that did not set them would let a client forge them.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=0, x_prefix=0)
    return app


def database_url_with_driver(url: str) -> str:
    """A plain postgresql:// URL uses psycopg 3, the driver the project installs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _instance_secret_key(instance_path):
    """A random key generated once and kept in the instance folder, never a constant in the code."""
    path = os.path.join(instance_path, "secret_key")
    try:
        # O_EXCL: when several workers start at once, exactly one creates the key and all read it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_secret_key(path)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32))
    return _read_secret_key(path)


def _read_secret_key(path, attempts=50):
    # The creating worker may not have written the key yet; it writes 64 characters at once.
    for _ in range(attempts):
        with open(path, encoding="ascii") as handle:
            key = handle.read().strip()
        if len(key) == 64:
            return key
        time.sleep(0.02)
    raise RuntimeError(f"{path} does not hold a secret key; delete it to have a new one generated")


def _engine_options(database_uri):
    """SQLite waits for a busy writer instead of failing at once; other engines keep their defaults."""
    if database_uri.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}


def _prepare_connection(dbapi_connection, connection_record):
    """Every new SQLite connection: write-ahead log, foreign keys, and the search triggers' functions."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        # WAL lets readers carry on while a view count or an import writes.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        register_sqlite_search_functions(dbapi_connection)


# Features no page of the site uses, refused for every page and anything it might embed; deploy/nginx.conf
# sends the same list on the files it serves itself (a test keeps the two equal).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()"
HSTS = "max-age=31536000; includeSubDomains"


@lru_cache(maxsize=16)
def _security_header_list(inline_styles: str, inline_scripts: str, framed_by_site: bool, https: bool) -> tuple:
    """The security headers for one set of inline sources, as (lowercase name, name, value): every response sends
    them, so they are put together once per stylesheet and import map, not per request."""
    policy = CONTENT_SECURITY_POLICY.format(inline_styles=inline_styles, inline_scripts=inline_scripts)
    if framed_by_site:
        # A page that chose to be framed by the site itself (the newsroom's phone-width preview).
        policy = policy.replace("frame-ancestors 'none'", "frame-ancestors 'self'")
    headers = [
        ("Content-Security-Policy", policy),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("X-Frame-Options", "DENY"),
        ("Permissions-Policy", PERMISSIONS_POLICY),
    ]
    if https:
        # Only a site served over HTTPS may ask browsers never to use plain HTTP for it again.
        headers.append(("Strict-Transport-Security", HSTS))
    return tuple((name.lower(), name, value) for name, value in headers)


def _security_headers(response):
    headers = response.headers
    # One pass over the response's headers: a view may have set its own (the preview's X-Frame-Options).
    present = {name.lower(): value for name, value in headers.items()}
    for lowercase, name, value in _security_header_list(
        inline_style_sources(), inline_script_sources(), present.get("x-frame-options") == "SAMEORIGIN",
        current_app.config["SITE_URL"].startswith("https://"),
    ):
        if lowercase not in present:
            headers.add(name, value)
    return response
