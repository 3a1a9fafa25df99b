"""The newsroom's blueprint and its guard: every /bien-tap/ URL but the login form needs a logged-in, active
account, an idle session ends, every state-changing request carries the CSRF token (htmx sends it in a
header), and no staff answer is ever stored by a cache.

The session cookie lives under /bien-tap only: a reader's page never receives it, never reads it (reader
templates do not see current_user), and so can never differ by who is logged in."""
from __future__ import annotations

import datetime as dt
import functools
import math
import secrets
import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from extensions import csrf, login_manager
from models import User, utc_now
from services.newsroom import audit
from services.newsroom.accounts import ROLES, PasswordHashing, load_session_user, may
from services.newsroom.workflow import STATE_NAMES
from web.errors import render_error

PREFIX = "/bien-tap"
bp = Blueprint("newsroom", __name__, url_prefix=PREFIX)

# The only newsroom endpoints an anonymous request reaches: the login form itself.
PUBLIC_ENDPOINTS = frozenset({"newsroom.login"})
# A picture cannot be kept while the bucket (STORAGE_BACKEND=s3) is away: said in the editor, not on an error page.
STORAGE_AWAY = "Kho lưu trữ tạm thời không truy cập được nên ảnh chưa được lưu. Xin thử lại sau ít phút."
STORAGE_RETRY_AFTER = 30
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SEEN_KEY = "seen"  # when this session last made a request (its idle clock)
# Endpoints that take more than the site's 64 KB: the setting that says how much more.
LARGE_BODIES = {
    "newsroom.upload_image": ("UPLOAD_MAX_BYTES",),
    "newsroom.new_article": ("EDITOR_FORM_MAX_BYTES", "UPLOAD_MAX_BYTES"),
    "newsroom.edit_article": ("EDITOR_FORM_MAX_BYTES", "UPLOAD_MAX_BYTES"),
    "newsroom.clean_html": ("EDITOR_FORM_MAX_BYTES",),
    "newsroom.import_lexicon": ("EDITOR_FORM_MAX_BYTES",),
}
FORM_OVERHEAD = 64 * 1024  # the other fields and the multipart boundaries around a picture


def newsroom() -> "Newsroom":
    """The current app's newsroom objects (password hashing, login limiter)."""
    return current_app.extensions["docbai_newsroom"]


class NewsroomSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, opened and saved under /bien-tap only. The browser sends the cookie
    there alone (its Path); this makes sure that even a cookie sent elsewhere (a proxy rewriting Path=, a
    hand-made request) is never read, renewed or answered with a Set-Cookie on a reader's page."""

    def open_session(self, app, request):
        if not _in_newsroom(request.path):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        from flask import request as current_request

        if _in_newsroom(current_request.path):
            super().save_session(app, session, response)


def _in_newsroom(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


class Newsroom:
    """What the newsroom's views share for one app: the password hashing cost and the login limiter."""

    def __init__(self, hashing: PasswordHashing, limiter: MovingWindowRateLimiter):
        self.hashing = hashing
        self.limiter = limiter


def init_newsroom(app) -> None:
    """Register the newsroom: its sessions (Flask-Login, scoped to /bien-tap), CSRF, login limits and views."""
    config = app.config
    config.update(
        SESSION_COOKIE_NAME="docbai_bien_tap",
        SESSION_COOKIE_PATH=PREFIX,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config["SITE_URL"].startswith("https://"),
        # The cookie and its signature expire after the idle time; every request renews both.
        PERMANENT_SESSION_LIFETIME=dt.timedelta(seconds=config["STAFF_IDLE_TIMEOUT_SECONDS"]),
        SESSION_REFRESH_EACH_REQUEST=True,
        # The guard below asks for the token; reading pages' small forms (preferences) carry none and change
        # nothing but the reader's own cookie.
        WTF_CSRF_CHECK_DEFAULT=False,
        # Valid as long as the session: an article written for two hours is still saved.
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.session_interface = NewsroomSessions()
    csrf.init_app(app)
    # No context processor: it would read the session for every page, and a reader's page must not (its
    # markup would then depend on who asks, and shared caches would mix them). Newsroom pages add their own.
    login_manager.init_app(app, add_context_processor=False)
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_session_user)
    redis = app.extensions["docbai"].redis
    storage = (storage_from_string(config["REDIS_URL"], connection_pool=redis.connection_pool) if redis is not None
               else storage_from_string("memory://"))
    app.extensions["docbai_newsroom"] = Newsroom(
        PasswordHashing(config["PASSWORD_HASH_MEMORY_KIB"], config["PASSWORD_HASH_TIME_COST"]),
        MovingWindowRateLimiter(storage),
    )
    from blueprints.newsroom import admin, articles, auth, bulletins, lexicon, previews, statistics, uploads  # noqa: F401  (views register on bp)

    app.register_blueprint(bp)
    app.before_request(_anonymous_away_from_the_newsroom)


def _anonymous_away_from_the_newsroom():
    """Any /bien-tap/ URL, one that names no page included, sends an anonymous request to the login form:
    the blueprint's own guard runs only for its routes, and a 404 would tell what exists."""
    if not _in_newsroom(request.path) or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if request.url_rule is None and not current_user.is_authenticated:
        return login_redirect()
    return None


def client_address() -> str:
    """The client's address (behind a proxy, ProxyFix makes it the client's own)."""
    return request.remote_addr or ""


def record(action: str, **details) -> None:
    """An audit line for the logged-in account, from this request's address (committed with the change)."""
    user = current_user if current_user.is_authenticated else None
    audit.record(action, user=user, address=client_address(), **details)


def is_local_path(target: str | None) -> bool:
    """Whether next= names a path on this site (never another host, a scheme, or a backslash trick)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if any(ord(character) < 32 for character in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def login_redirect():
    """To the login form, remembering where the request was going (a GET only: a POST cannot be replayed)."""
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    location = url_for("newsroom.login", next=target) if target and is_local_path(target) else url_for("newsroom.login")
    if request.headers.get("HX-Request"):
        # htmx follows a redirect inside its request; this makes it load the login page as a whole.
        response = make_response("", 204)
        response.headers["HX-Redirect"] = location
        return response
    return redirect(location)


@bp.before_request
def guard():
    """Logged in, not idle too long, and with a CSRF token on anything that changes state."""
    if request.endpoint in LARGE_BODIES:
        config = current_app.config
        request.max_content_length = sum(config[name] for name in LARGE_BODIES[request.endpoint]) + FORM_OVERHEAD
        request.max_form_memory_size = config["EDITOR_FORM_MAX_BYTES"]
    if request.endpoint in PUBLIC_ENDPOINTS:
        if request.method not in SAFE_METHODS:
            csrf.protect()
        return None
    if not current_user.is_authenticated:
        return login_redirect()
    now = time.time()
    seen = session.get(SEEN_KEY)
    if not isinstance(seen, (int, float)) or now - seen > current_app.config["STAFF_IDLE_TIMEOUT_SECONDS"]:
        logout_user()
        session.clear()
        flash("Phiên làm việc đã hết hạn vì để lâu không dùng. Xin đăng nhập lại.", "warning")
        return login_redirect()
    session[SEEN_KEY] = int(now)
    session.permanent = True
    if request.method not in SAFE_METHODS:
        csrf.protect()
    return None


def start_session(user: User) -> None:
    """A new session for the account: nothing of the one before it survives (fixation), a fresh CSRF token."""
    from flask_login import login_user

    session.clear()
    login_user(user)
    session.permanent = True
    session[SEEN_KEY] = int(time.time())
    session["rotated"] = secrets.token_urlsafe(16)


@bp.after_request
def never_stored(response):
    """No cache (browser, nginx, a service worker, a CDN) keeps a staff answer."""
    response.headers["Cache-Control"] = "no-store, private"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.context_processor
def staff_context():
    """What newsroom templates see (and reader templates never): the account, its rights, state names."""
    return {"current_user": current_user, "may": may, "ROLES": ROLES, "STATE_NAMES": STATE_NAMES}


def requires(role: str):
    """A view only an account of this role or above may use; the others get a 403 in Vietnamese."""
    def decorate(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not may(current_user, role):
                return forbidden()
            return view(*args, **kwargs)

        return wrapped

    return decorate


def forbidden(message: str = "Tài khoản của bạn không có quyền làm việc này. Xin liên hệ quản trị."):
    """The 403 page of the newsroom."""
    return make_response(render_template("newsroom/message.html", title="Không có quyền", message=message), 403)


@bp.errorhandler(CSRFError)
def csrf_failed(error):
    """A form without a valid token (an old tab, a forged request): nothing changed, say how to go on."""
    return make_response(render_template(
        "newsroom/message.html", title="Biểu mẫu đã hết hạn",
        message="Biểu mẫu này đã cũ hoặc không hợp lệ nên chưa có gì thay đổi. Xin tải lại trang rồi làm lại.",
    ), 400)


@bp.errorhandler(413)
def too_large(error):
    """An upload or a save larger than the newsroom takes: say the limit, in Vietnamese."""
    config = current_app.config
    if request.endpoint == "newsroom.upload_image":
        message = f"Ảnh lớn hơn {_megabytes(config['UPLOAD_MAX_BYTES'])}. Xin chọn ảnh nhỏ hơn hoặc thu nhỏ ảnh rồi tải lại."
    else:
        message = (f"Bài và ảnh gửi kèm lớn hơn mức cho phép ({_megabytes(config['EDITOR_FORM_MAX_BYTES'])} cho bài, "
                   f"{_megabytes(config['UPLOAD_MAX_BYTES'])} cho ảnh). Chưa có gì được lưu.")
    if request.accept_mimetypes.best == "application/json" or request.headers.get("HX-Request"):
        response = make_response({"error": message}, 413)
    else:
        response = make_response(*render_error(413, "Dữ liệu gửi lên quá lớn", message))
    return response


def _megabytes(count: int) -> str:
    return f"{math.floor(count / 1024 / 1024 * 10) / 10:g} MB".replace(".", ",")


def too_many_attempts(retry_after: int):
    """The Vietnamese 429 for logins: how long to wait, nothing about which name or password was wrong."""
    minutes = max(1, math.ceil(retry_after / 60))
    response = make_response(*render_error(
        429, "Đăng nhập sai quá nhiều lần",
        f"Để bảo vệ tài khoản, việc đăng nhập tạm dừng. Xin thử lại sau khoảng {minutes} phút.",
    ))
    response.headers["Retry-After"] = str(retry_after)
    return response


def now() -> dt.datetime:
    """The time the newsroom acts at (UTC), to the second: it becomes an article's publication time, which
    pages write in <time datetime>, where HTML allows at most three digits of a fraction."""
    return utc_now().replace(microsecond=0)
