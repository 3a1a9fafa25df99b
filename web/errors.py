"""The Vietnamese error page, for the error handlers and for any view that answers with an error."""
from flask import render_template

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
