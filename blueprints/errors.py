"""Vietnamese error pages with a way back, for every error the site can give."""
import contextlib

from flask import Blueprint, current_app
from werkzeug.exceptions import HTTPException, InternalServerError

from extensions import db
from web.errors import render_error

bp = Blueprint("errors", __name__)

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
