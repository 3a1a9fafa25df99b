"""Vietnamese error pages with a way back, for every error the site can give."""
import contextlib

from flask import Blueprint, current_app, render_template
from werkzeug.exceptions import HTTPException, InternalServerError

from extensions import db

bp = Blueprint("errors", __name__)

MESSAGES = {
    400: ("Yêu cầu không hợp lệ", "Địa chỉ hoặc dữ liệu gửi lên không đúng. Xin kiểm tra lại."),
    404: ("Không tìm thấy trang", "Trang bạn tìm không có hoặc đã được chuyển đi."),
    405: ("Không thực hiện được", "Trang này không nhận kiểu yêu cầu đó."),
    500: ("Đã có lỗi xảy ra", "Hệ thống gặp sự cố. Xin thử lại sau ít phút."),
    503: ("Tạm thời chưa phục vụ được", "Hệ thống đang bận. Xin thử lại sau ít phút."),
}


def render_error(status: int, title: str | None = None, message: str | None = None):
    """A Vietnamese error page for this status, with the given or the standard wording."""
    default_title, default_message = MESSAGES.get(status, MESSAGES[500] if status >= 500 else MESSAGES[400])
    return render_template(
        "errors/error.html", status=status, title=title or default_title, message=message or default_message
    ), status


@bp.app_errorhandler(HTTPException)
def http_error(error):
    """Every HTTP error, in Vietnamese."""
    if error.code in (301, 302, 303, 307, 308) or error.code is None:
        return error
    return render_error(error.code)


@bp.app_errorhandler(Exception)
def unexpected_error(error):
    """Anything unforeseen: logged for us, a calm page for the reader, never a traceback."""
    with contextlib.suppress(Exception):  # the database may be what failed
        db.session.rollback()
    current_app.logger.exception("Unhandled error", exc_info=error)
    return render_error(InternalServerError.code)
