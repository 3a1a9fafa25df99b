"""Logging in and out, and changing one's own password."""
from __future__ import annotations

import math
import time

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user
from limits import parse_many
from redis.exceptions import RedisError

from blueprints.newsroom.base import (
    bp,
    client_address,
    is_local_path,
    newsroom,
    record,
    start_session,
    too_many_attempts,
)
from blueprints.newsroom.forms import LoginForm, PasswordForm
from extensions import db
from services.newsroom import audit
from services.newsroom.accounts import AccountError, authenticate, normalized_username, set_password

LOGIN_FAILED = "Tên đăng nhập hoặc mật khẩu không đúng."
ACCOUNT_SCOPE, CLIENT_SCOPE = "login-account", "login-client"


def _limits():
    config = current_app.config
    return ((parse_many(config["LOGIN_LIMIT_PER_ACCOUNT"]), ACCOUNT_SCOPE),
            (parse_many(config["LOGIN_LIMIT_PER_CLIENT"]), CLIENT_SCOPE))


def _keys(username: str) -> dict[str, str]:
    return {ACCOUNT_SCOPE: normalized_username(username)[:60], CLIENT_SCOPE: client_address()}


def _wait_seconds(username: str) -> int | None:
    """None while this account and this address may try again, else the seconds until they may."""
    limiter = newsroom().limiter
    keys = _keys(username)
    try:
        for items, scope in _limits():
            for item in items:
                if not limiter.test(item, scope, keys[scope]):
                    reset_at = limiter.get_window_stats(item, scope, keys[scope]).reset_time
                    return max(1, math.ceil(reset_at - time.time()))
    except (RedisError, ConnectionError) as error:
        current_app.logger.warning("Login limits not checked: %s", error)
    return None


def _count_failure(username: str) -> None:
    limiter = newsroom().limiter
    keys = _keys(username)
    try:
        for items, scope in _limits():
            for item in items:
                limiter.hit(item, scope, keys[scope])
    except (RedisError, ConnectionError) as error:
        current_app.logger.warning("Failed login not counted: %s", error)


def _forget_failures(username: str) -> None:
    limiter = newsroom().limiter
    key = _keys(username)[ACCOUNT_SCOPE]
    try:
        for item in _limits()[0][0]:
            limiter.clear(item, ACCOUNT_SCOPE, key)
    except (RedisError, ConnectionError):
        pass


@bp.route("/dang-nhap", methods=["GET", "POST"])
def login():
    """The login form; a wrong name or password gets one message that says neither, and tries are limited
    per account and per address."""
    form = LoginForm()
    target = request.values.get("next")
    if current_user.is_authenticated and request.method == "GET":
        return redirect(target if is_local_path(target) else url_for("newsroom.articles"))
    error = None
    status = 200
    if form.validate_on_submit():
        username = form.username.data
        if (wait := _wait_seconds(username)) is not None:
            audit.record("login_limited", username=normalized_username(username), address=client_address())
            db.session.commit()
            return too_many_attempts(wait)
        user = authenticate(username, form.password.data, newsroom().hashing)
        if user is None:
            _count_failure(username)
            audit.record("login_failed", username=normalized_username(username), address=client_address())
            db.session.commit()
            error, status = LOGIN_FAILED, 200
        else:
            _forget_failures(username)
            start_session(user)
            record("login")
            db.session.commit()
            return redirect(form.next.data if is_local_path(form.next.data) else url_for("newsroom.articles"))
    elif request.method == "POST":
        error = LOGIN_FAILED if form.errors.keys() - {"csrf_token"} else None
    form.next.data = target if is_local_path(target) else ""
    return render_template("newsroom/login.html", form=form, error=error), status


@bp.post("/dang-xuat")
def logout():
    """End this session."""
    record("logout")
    db.session.commit()
    logout_user()
    session.clear()
    flash("Bạn đã đăng xuất.", "info")
    return redirect(url_for("newsroom.login"))


@bp.route("/mat-khau", methods=["GET", "POST"])
def own_password():
    """Change one's own password (the current one first); every other session of the account ends."""
    form = PasswordForm()
    error = None
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not newsroom().hashing.verify(user.password_hash, form.current_password.data or ""):
            error = "Mật khẩu hiện tại không đúng."
        else:
            try:
                set_password(user, form.password.data, newsroom().hashing, current_app.config["PASSWORD_MIN_LENGTH"])
            except AccountError as problem:
                error = str(problem)
            else:
                record("password_changed", target=user.username)
                db.session.commit()
                start_session(user)  # this session goes on, under the account's new session version
                flash("Đã đổi mật khẩu. Các phiên đăng nhập khác của tài khoản đã kết thúc.", "info")
                return redirect(url_for("newsroom.articles"))
    return render_template("newsroom/password.html", form=form, error=error, own=True,
                           min_length=current_app.config["PASSWORD_MIN_LENGTH"])


@bp.get("/con-lam-viec")
def still_working():
    """The editor says its writer is still typing: the guard has renewed the session's idle clock (204)."""
    return "", 204
