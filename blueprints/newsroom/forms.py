"""The newsroom's forms (Flask-WTF: each carries its CSRF token), with Vietnamese labels and messages."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FileField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from services.newsroom.accounts import ROLES
from services.newsroom.lexicon import KIND_NAMES as LEXICON_KINDS

REQUIRED = "Xin nhập mục này."


class LoginForm(FlaskForm):
    """Name and password; next= is where to go after."""

    username = StringField("Tên đăng nhập", validators=[DataRequired(REQUIRED), Length(max=60)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"})
    password = PasswordField("Mật khẩu", validators=[DataRequired(REQUIRED), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class ArticleForm(FlaskForm):
    """The editor: title, summary, category, byline, time of publication, body (sanitized HTML), and a picture
    to add for those writing without JavaScript."""

    title = StringField("Tiêu đề", validators=[DataRequired("Bài cần có tiêu đề."), Length(max=500)])
    summary = TextAreaField("Tóm tắt", validators=[Optional(), Length(max=2000)], render_kw={"rows": 3})
    category_id = SelectField("Chuyên mục", coerce=int, validators=[Optional()])
    author = StringField("Tác giả (ký tên cuối bài)", validators=[Optional(), Length(max=200)])
    published_at = DateTimeLocalField(
        "Thời gian đăng", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"], validators=[Optional()],
        description="Để trống: đăng ngay khi duyệt. Một thời điểm sắp tới: bài tự xuất hiện đúng giờ đó.",
    )
    body_html = TextAreaField("Nội dung", validators=[Optional()], render_kw={"rows": 24})
    edit_version = IntegerField(validators=[InputRequired()], default=0)
    new_image = FileField("Thêm ảnh vào cuối bài", render_kw={"accept": "image/jpeg,image/png,image/webp,image/gif"})
    new_image_alt = StringField("Mô tả ảnh (alt)", validators=[Optional(), Length(max=500)])
    new_image_caption = StringField("Chú thích ảnh", validators=[Optional(), Length(max=1000)])


class UserForm(FlaskForm):
    """A new account, made by an administrator."""

    username = StringField("Tên đăng nhập", validators=[DataRequired(REQUIRED), Length(max=60)],
                           render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"})
    display_name = StringField("Họ tên", validators=[Optional(), Length(max=200)])
    role = SelectField("Vai trò", choices=[SelectChoice(value, label) for value, label in ROLES.items()])
    password = PasswordField("Mật khẩu ban đầu", validators=[DataRequired(REQUIRED)],
                             render_kw={"autocomplete": "new-password"})


class RoleForm(FlaskForm):
    """An account's role."""

    role = SelectField("Vai trò", choices=[SelectChoice(value, label) for value, label in ROLES.items()])


class DisableForm(FlaskForm):
    """Disable an account, or enable it again."""

    disabled = BooleanField("Khóa tài khoản")


class PasswordForm(FlaskForm):
    """A new password: one's own (with the current one) or another account's (by an administrator)."""

    current_password = PasswordField("Mật khẩu hiện tại", render_kw={"autocomplete": "current-password"})
    password = PasswordField("Mật khẩu mới", validators=[DataRequired(REQUIRED)],
                             render_kw={"autocomplete": "new-password"})


class CategoryForm(FlaskForm):
    """A category: its name and its place in the menu."""

    name = StringField("Tên chuyên mục", validators=[DataRequired(REQUIRED), Length(max=200)])
    position = IntegerField("Thứ tự trong menu", default=0, validators=[Optional()])


class ActionForm(FlaskForm):
    """A button that changes state (publish, unpublish, delete, …): only its CSRF token."""


class LexiconForm(FlaskForm):
    """One entry of the editors' lexicon: how a word is written, how it is said, where it applies. The fields are
    named as the check panel's "Thêm vào từ điển" links and Nghe thử's query name them."""

    viet = StringField("Cách viết", validators=[DataRequired(REQUIRED), Length(max=200)],
                          description="Như trong bài, ví dụ PTDTBT, Wifi, QĐ.",
                          render_kw={"autocapitalize": "none", "spellcheck": "false"})
    doc = StringField("Cách đọc", validators=[DataRequired(REQUIRED), Length(max=500)],
                         description="Viết như khi đọc to, ví dụ “phổ thông dân tộc bán trú”, “Oai-phai”.")
    loai = SelectField("Loại", choices=[SelectChoice(value, label) for value, label in LEXICON_KINDS.items()],
                       validate_choice=True)
    sau = StringField("Chỉ khi đứng trước (từ đứng sau)", validators=[Optional(), Length(max=140)],
                             description="Để trống nếu luôn đọc như vậy. Nhiều từ: ngăn bằng dấu |, ví dụ Quân sự|QS.")
    truoc = StringField("Chỉ khi đứng sau (từ đứng trước)", validators=[Optional(), Length(max=140)],
                                 description="Để trống nếu luôn đọc như vậy.")


class LexiconImportForm(FlaskForm):
    """A TSV file of entries to add or change."""

    file = FileField("Tệp TSV (cách viết, tab, cách đọc[, tab, loại[, tab, ngữ cảnh]])",
                     render_kw={"accept": ".tsv,.txt,text/tab-separated-values,text/plain"})
