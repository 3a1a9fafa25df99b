"""docbai — the application factory."""
import os
import secrets
import time

from flask import Flask
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from extensions import compress, db, htmx
from services.search.index import register_sqlite_search_functions
from web.assets import init_assets, inline_style_sources
from web.http_caching import init_http_caching
from web.page_cache import CompressedPages, compressed_body_key, init_page_cache
from web.preferences import init_preferences
from web.request_guards import init_request_guards
from web.site_services import init_site_services
from web.templating import register_template_helpers

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
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
    instance_path = os.environ.get("INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.path.abspath(instance_path) if instance_path else None,
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI="sqlite:///" + os.path.join(app.instance_path, "docbai.db"),
        # Media, audio, PDFs and the editor's lexicon live under STORAGE_DIR when several hosts share one
        # (a network mount); otherwise in the instance folder. See _storage_paths.
        STORAGE_DIR=None,
        VOICES_DIR=os.path.join(app.instance_path, "voices"),  # a Piper voice placed here speaks first
        SITE_NAME="Cổng thông tin điện tử huyện Đồng Lâm",
        SITE_URL="http://127.0.0.1:5000",
        TTS_ENGINE="auto",
        TIMEZONE="Asia/Ho_Chi_Minh",
        ARTICLES_PER_PAGE=10,
        OTHER_ARTICLES_PER_PAGE=5,
        PHOTOS_PER_PAGE=12,
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_ALGORITHM_STREAMING=["br", "gzip"],
        COMPRESS_BR_LEVEL=5,
        # The site's only forms are the reading preferences, a few short fields; anything larger is refused
        # before it is parsed (Werkzeug reads an url-encoded form whole, whatever MAX_FORM_PARTS says).
        MAX_CONTENT_LENGTH=64 * 1024,
        MAX_FORM_MEMORY_SIZE=16 * 1024,
        MAX_FORM_PARTS=100,
        TRUSTED_HOSTS=None,  # e.g. ["doc.example.vn"]; any other Host gets the Vietnamese 400
        PROXY_COUNT=0,  # proxies in front whose X-Forwarded-For/-Proto are believed; 0 believes none
        ACCEL_REDIRECT_PREFIX="",  # e.g. "/_cache/": nginx sends cached audio and PDFs itself
        # Identical pages are compressed once (web.page_cache.CompressedPages).
        COMPRESS_CACHE_BACKEND=CompressedPages,
        COMPRESS_CACHE_KEY=compressed_body_key,
    )
    app.config.from_pyfile("config.py", silent=True)
    _config_from_environment(app)
    if test_config is not None:
        app.config.from_mapping(test_config)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url_with_driver(app.config["SQLALCHEMY_DATABASE_URI"])
    _storage_paths(app.config, app.instance_path)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(app.instance_path)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", _engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))
    for key in ("MEDIA_ROOT", "AUDIO_CACHE_DIR", "PDF_CACHE_DIR"):
        os.makedirs(app.config[key], exist_ok=True)

    db.init_app(app)
    app.json.ensure_ascii = False  # Vietnamese in JSON as text, not \u escapes
    htmx.init_app(app)
    compress.init_app(app)

    with app.app_context():
        for engine in db.engines.values():
            event.listen(engine, "connect", _prepare_connection)

    from blueprints import errors, feeds, finding, images, listening, offline, preferences, printing, reading
    from commands import register_commands

    init_request_guards(app)
    # Werkzeug's redirect from /media//x to /media/x is absolute, built on the request's Host: with a forged
    # Host it sends the reader to another site. Flask gives routing redirects no handler, so there is none.
    app.url_map.merge_slashes = False
    for blueprint in (reading.bp, printing.bp, listening.bp, finding.bp, feeds.bp, preferences.bp, images.bp, offline.bp, errors.bp):
        app.register_blueprint(blueprint)
    register_commands(app)
    register_template_helpers(app)
    init_assets(app)
    init_preferences(app)
    init_http_caching(app)
    init_site_services(app)
    init_page_cache(app)
    app.after_request(_security_headers)
    if app.config["PROXY_COUNT"] > 0:
        count = app.config["PROXY_COUNT"]
        # Host and prefix stay the request's own: a proxy that did not set them would let a client forge them.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=0, x_prefix=0)
    return app


def _config_from_environment(app):
    """Settings a deployment gives through the environment override the files."""
    renamed = {"DATABASE_URL": "SQLALCHEMY_DATABASE_URI"}
    for name in (
        "DATABASE_URL", "SECRET_KEY", "TTS_ENGINE", "SITE_URL", "SITE_NAME", "STORAGE_DIR", "REDIS_URL",
        "ACCEL_REDIRECT_PREFIX", "ACCEL_REDIRECT_ROOT",
    ):
        value = os.environ.get(name)
        if value:
            app.config[renamed.get(name, name)] = value
    if os.environ.get("TRUSTED_HOSTS"):
        app.config["TRUSTED_HOSTS"] = [host.strip() for host in os.environ["TRUSTED_HOSTS"].split(",") if host.strip()]
    if os.environ.get("PROXY_COUNT"):
        app.config["PROXY_COUNT"] = int(os.environ["PROXY_COUNT"])


def _storage_paths(config, instance_path) -> None:
    """Where media, audio, PDFs and the lexicon live unless set one by one: STORAGE_DIR, or the instance folder."""
    storage = os.path.abspath(config["STORAGE_DIR"]) if config["STORAGE_DIR"] else instance_path
    config.setdefault("MEDIA_ROOT", os.path.join(storage, "media"))
    config.setdefault("AUDIO_CACHE_DIR", os.path.join(storage, "cache", "audio"))
    config.setdefault("PDF_CACHE_DIR", os.path.join(storage, "cache", "pdf"))
    config.setdefault("ACCEL_REDIRECT_ROOT", os.path.join(storage, "cache"))  # the folder that prefix maps to
    config.setdefault("ABBREVIATIONS_FILE", os.path.join(storage, "abbreviations.tsv"))


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


def _security_headers(response):
    response.headers.setdefault(
        "Content-Security-Policy", CONTENT_SECURITY_POLICY.format(inline_styles=inline_style_sources())
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response
