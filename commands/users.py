"""`flask users`: newsroom accounts from the command line — the first administrator, and a way back in for a
site whose administrators have all lost their passwords. The password is asked for at a terminal, or read
from standard input (one line) when that is not a terminal; it is never an argument, which `ps` would show."""
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from extensions import db
from services.newsroom import audit
from services.newsroom.accounts import ROLES, AccountError, PasswordHashing, create_user, every_user, find_user, set_password


def _hashing() -> PasswordHashing:
    return PasswordHashing(current_app.config["PASSWORD_HASH_MEMORY_KIB"], current_app.config["PASSWORD_HASH_TIME_COST"])


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Mật khẩu", hide_input=True, confirmation_prompt="Nhập lại mật khẩu")
    line = sys.stdin.readline()
    if not line:
        raise click.ClickException("Không đọc được mật khẩu từ đầu vào chuẩn (cần một dòng).")
    return line.rstrip("\r\n")


@click.group("users")
def users_group():
    """Tài khoản tòa soạn (/bien-tap/): tạo, liệt kê, đặt lại mật khẩu."""


@users_group.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(list(ROLES)), required=True,
              help="bien-tap (biên tập viên), duyet-bai (duyệt bài) hoặc quan-tri (quản trị).")
@click.option("--display-name", default="", help="Họ tên hiển thị (mặc định: tên đăng nhập).")
@with_appcontext
def create_command(name, role, display_name):
    """Tạo tài khoản NAME (mật khẩu được hỏi, hoặc đọc từ đầu vào chuẩn)."""
    password = _read_password()
    try:
        user = create_user(name, password, role, _hashing(), display_name=display_name,
                           min_length=current_app.config["PASSWORD_MIN_LENGTH"])
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    audit.record("user_created", username="(dòng lệnh)", target=user.username, detail=ROLES[role])
    db.session.commit()
    click.echo(f"Đã tạo tài khoản “{user.username}” ({ROLES[role]}). Đăng nhập tại /bien-tap/dang-nhap.")


@users_group.command("set-password")
@click.argument("name")
@with_appcontext
def set_password_command(name):
    """Đặt mật khẩu mới cho NAME; mọi phiên đăng nhập của tài khoản kết thúc."""
    user = find_user(name)
    if user is None:
        raise click.ClickException(f"Không có tài khoản “{name}”.")
    try:
        set_password(user, _read_password(), _hashing(), current_app.config["PASSWORD_MIN_LENGTH"])
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    audit.record("password_changed", username="(dòng lệnh)", target=user.username)
    db.session.commit()
    click.echo(f"Đã đặt mật khẩu mới cho “{user.username}”.")


@users_group.command("list")
@with_appcontext
def list_command():
    """Liệt kê các tài khoản và vai trò."""
    for user in every_user():
        state = "đã khóa" if not user.is_active else "hoạt động"
        click.echo(f"{user.username}\t{ROLES.get(user.role, user.role)}\t{state}\t{user.display_name}")
