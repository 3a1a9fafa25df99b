"""The Vietnamese error page, for the error handlers and for any view that answers with an error."""
from flask import current_app, has_request_context, render_template
from flask.globals import request_ctx

from web.urls import public_url

MESSAGES = {
    400: ("Yêu cầu không hợp lệ", "Địa chỉ hoặc dữ liệu gửi lên không đúng. Xin kiểm tra lại."),
    404: ("Không tìm thấy trang", "Trang bạn tìm không có hoặc đã được chuyển đi."),
    405: ("Không thực hiện được", "Trang này không nhận kiểu yêu cầu đó."),
    410: ("Bài viết đã được gỡ", "Bài viết này đã được gỡ khỏi trang và không còn đọc được. Mời bạn đọc các tin khác."),
    413: ("Dữ liệu gửi lên quá lớn", "Biểu mẫu gửi lên lớn hơn mức trang nhận. Xin thử lại với ít nội dung hơn."),
    416: ("Không gửi được phần tệp yêu cầu", "Phần tệp được yêu cầu nằm ngoài tệp. Xin tải lại cả tệp."),
    429: ("Quá nhiều yêu cầu", "Bạn đã gửi nhiều yêu cầu trong thời gian ngắn. Xin đợi một lát rồi thử lại."),
    500: ("Đã có lỗi xảy ra", "Hệ thống gặp sự cố. Xin thử lại sau ít phút."),
    503: ("Tạm thời chưa phục vụ được", "Hệ thống đang bận. Xin thử lại sau ít phút."),
}


def render_error(status: int, title: str | None = None, message: str | None = None):
    """A Vietnamese error page for this status, with the given or the standard wording."""
    default_title, default_message = MESSAGES.get(status, MESSAGES[500] if status >= 500 else MESSAGES[400])
    context = {"status": status, "title": title or default_title, "message": message or default_message}
    # The full page builds its links from the request (url_for), which cannot be done when the request's own
    # Host was not understood or not trusted; the plain page needs nothing but the site's configured address.
    if not has_request_context() or request_ctx.url_adapter is not None:
        try:
            return render_template("errors/error.html", **context), status
        except Exception:  # noqa: BLE001 - the page of last resort must not fail in turn
            current_app.logger.exception("The full error page failed; serving the plain one")
    return render_template("errors/plain.html", home_url=_home_url(), **context), status


def service_unavailable(retry_after: int, title: str | None = None, message: str | None = None):
    """The designed 503 page with Retry-After, never stored by a cache."""
    response = current_app.make_response(render_error(503, title, message))
    response.headers["Retry-After"] = str(retry_after)
    response.cache_control.no_store = True
    return response


def _home_url() -> str:
    try:
        return public_url("reading.index")
    except Exception:  # noqa: BLE001 - a broken SITE_URL must not break the error page
        return "/"
