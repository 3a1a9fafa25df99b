"""For administrators: accounts (make, change role, disable, set a password), the categories, the audit log."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from blueprints.newsroom.base import bp, newsroom, record, requires
from blueprints.newsroom.forms import ActionForm, CategoryForm, PasswordForm, RoleForm, UserForm
from extensions import db
from models import Category, User
from services.content.importer import category_for
from services.content.pagination import paginate_clamped, parse_page
from services.content.slugs import vietnamese_slug
from services.newsroom.accounts import (
    ADMINISTER,
    ROLES,
    AccountError,
    create_user,
    every_user,
    set_disabled,
    set_password,
    set_role,
)
from services.newsroom.audit import ACTIONS, recent_events
from web.htmx import render_page_or_fragment

AUDIT_PER_PAGE = 50


def _account(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/tai-khoan", methods=["GET", "POST"])
@requires(ADMINISTER)
def users():
    """Every account, and the form that makes a new one (there is no self-registration)."""
    form = UserForm()
    error = None
    if form.validate_on_submit():
        try:
            user = create_user(form.username.data, form.password.data, form.role.data, newsroom().hashing,
                               display_name=form.display_name.data or "",
                               min_length=current_app.config["PASSWORD_MIN_LENGTH"])
        except AccountError as problem:
            error = str(problem)
            db.session.rollback()
        else:
            record("user_created", target=user.username, detail=ROLES[user.role])
            db.session.commit()
            flash(f"Đã tạo tài khoản “{user.username}” ({ROLES[user.role]}).", "info")
            return redirect(url_for("newsroom.users"))
    status = 400 if request.method == "POST" else 200
    return render_template("newsroom/users.html", form=form, error=error, users=every_user(),
                           min_length=current_app.config["PASSWORD_MIN_LENGTH"]), status


@bp.route("/tai-khoan/<int:user_id>", methods=["GET", "POST"])
@requires(ADMINISTER)
def user(user_id):
    """One account: its role, whether it is disabled, a new password."""
    account = _account(user_id)
    role_form = RoleForm(prefix="vai-tro", role=account.role)
    password_form = PasswordForm(prefix="mat-khau")
    error = None
    if request.method == "POST":
        what = request.form.get("thay_doi")
        try:
            if what == "vai-tro" and role_form.validate_on_submit():
                before = account.role
                set_role(account, role_form.role.data)
                record("role_changed", target=account.username, detail=f"{ROLES[before]} → {ROLES[account.role]}")
                message = f"Đã đổi vai trò thành {ROLES[account.role]}; các phiên đăng nhập của tài khoản đã kết thúc."
            elif what in ("khoa", "mo-khoa") and ActionForm().validate_on_submit():
                set_disabled(account, what == "khoa")
                record("user_disabled" if what == "khoa" else "user_enabled", target=account.username)
                message = ("Đã khóa tài khoản; mọi phiên đăng nhập của nó đã kết thúc." if what == "khoa"
                           else "Đã mở khóa tài khoản.")
            elif what == "mat-khau" and password_form.validate_on_submit():
                set_password(account, password_form.password.data, newsroom().hashing,
                             current_app.config["PASSWORD_MIN_LENGTH"])
                record("password_changed", target=account.username)
                message = "Đã đặt mật khẩu mới; các phiên đăng nhập của tài khoản đã kết thúc."
            else:
                raise AccountError("Biểu mẫu chưa hợp lệ.")
        except AccountError as problem:
            db.session.rollback()
            error = str(problem)
        else:
            db.session.commit()
            if account.id == current_user.id and not current_user.is_active:
                return redirect(url_for("newsroom.login"))
            flash(message, "info")
            return redirect(url_for("newsroom.user", user_id=account.id))
    return render_template("newsroom/user.html", account=account, role_form=role_form, password_form=password_form,
                           action_form=ActionForm(), error=error,
                           min_length=current_app.config["PASSWORD_MIN_LENGTH"]), 400 if error else 200


@bp.get("/nhat-ky")
@requires(ADMINISTER)
def audit_log():
    """The audit log, newest first, of one action or one account if asked; paged with htmx."""
    action = request.args.get("hanh_dong", "")
    username = request.args.get("tai_khoan", "").strip()[:60]
    if action not in ACTIONS:
        action = ""
    pagination = paginate_clamped(recent_events(action or None, username or None), parse_page(request.args.get("trang")),
                                  AUDIT_PER_PAGE)
    list_args = {key: value for key, value in (("hanh_dong", action), ("tai_khoan", username)) if value}
    return render_page_or_fragment(
        "newsroom/audit.html", "newsroom/_audit_list.html", pagination=pagination, list_endpoint="newsroom.audit_log",
        list_args=list_args, actions=ACTIONS, action=action, username=username,
        zone=ZoneInfo(current_app.config["TIMEZONE"]),
    )


@bp.route("/chuyen-muc", methods=["GET", "POST"])
@requires(ADMINISTER)
def categories():
    """The categories articles are filed under, and their order in the menu."""
    form = CategoryForm()
    error = None
    if form.validate_on_submit():
        name = " ".join(form.name.data.split())
        editing = request.form.get("id", type=int)
        if not vietnamese_slug(name):
            error = "Tên chuyên mục cần có chữ cái hoặc chữ số."
        elif editing:
            category = db.session.get(Category, editing) or abort(404)
            category.name = name
            category.position = form.position.data or 0
        else:
            category = category_for(name)
            category.position = form.position.data or 0
        if error is None:
            record("category_saved", target=name)
            db.session.commit()
            flash(f"Đã lưu chuyên mục “{name}”.", "info")
            return redirect(url_for("newsroom.categories"))
    listed = list(db.session.execute(select(Category).order_by(Category.position, Category.name)).scalars())
    return render_template("newsroom/categories.html", form=form, categories=listed, error=error)
