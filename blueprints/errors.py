"""Vietnamese error pages with a way back, for every error the site can give."""
import contextlib

from flask import Blueprint, current_app
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from extensions import db
from web.errors import render_error, service_unavailable

bp = Blueprint("errors", __name__)

# How long a client should wait before trying again when the database or the disk is in trouble.
DATABASE_RETRY_AFTER = 30
STORAGE_RETRY_AFTER = 60


@bp.app_errorhandler(HTTPException)
def http_error(error):
    """Every HTTP error, in Vietnamese, keeping the headers the error carries (Allow, Content-Range, Retry-After)."""
    if error.code in (301, 302, 303, 307, 308) or error.code is None:
        return error
    response = current_app.make_response(render_error(error.code))
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


@bp.app_errorhandler(OperationalError)
@bp.app_errorhandler(InterfaceError)
def database_unavailable(error):
    """The database cannot be reached or is busy: the designed 503, not a crash page."""
    with contextlib.suppress(Exception):
        db.session.rollback()
    current_app.logger.error("Database unavailable: %s", error)
    return service_unavailable(DATABASE_RETRY_AFTER)


@bp.app_errorhandler(OSError)
def storage_unavailable(error):
    """A cache or media folder that cannot be written, a worker process that cannot start: the designed 503."""
    current_app.logger.exception("Storage or process failure", exc_info=error)
    return service_unavailable(STORAGE_RETRY_AFTER)


@bp.app_errorhandler(Exception)
def unexpected_error(error):
    """Anything unforeseen: logged for us, a calm page for the reader, never a traceback."""
    with contextlib.suppress(Exception):  # the database may be what failed
        db.session.rollback()
    current_app.logger.exception("Unhandled error", exc_info=error)
    return render_error(InternalServerError.code)
