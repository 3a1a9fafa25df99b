"""Reading preferences: a form that sets a cookie and sends the reader back, with no JavaScript needed.

Preferences are read once per request and rendered by the server as classes on <html>, so the first
paint already has the reader's text size and contrast. Setting them needs no token: the worst a forged
form could do is change someone's text size, and the cookie is SameSite=Lax.
"""
from flask import Blueprint, redirect, render_template, request, url_for

from services.preferences import (
    COOKIE_MAX_AGE,
    COOKIE_NAME,
    DEFAULT_PREFERENCES,
    ReadingPreferences,
    preferences_cookie_value,
    preferences_from_form,
    safe_return_path,
)
from web.preferences import browser_saves_data, reading_preferences

bp = Blueprint("preferences", __name__)


def _back(default_endpoint: str = "reading.index"):
    target = safe_return_path(request.form.get("next") or request.args.get("next"))
    return redirect(target or url_for(default_endpoint), code=303)


def _store(response, preferences: ReadingPreferences):
    value = preferences_cookie_value(preferences)
    if value:
        response.set_cookie(COOKIE_NAME, value, max_age=COOKIE_MAX_AGE, path="/", samesite="Lax",
                            httponly=True, secure=request.is_secure)
    else:
        response.delete_cookie(COOKIE_NAME, path="/", samesite="Lax", httponly=True, secure=request.is_secure)
    return response


@bp.get("/tuy-chon")
def settings():
    """The reading preferences form."""
    return render_template(
        "preferences/settings.html",
        preferences=reading_preferences(),
        browser_saves_data=browser_saves_data(),
        return_path=safe_return_path(request.args.get("next")),
    )


@bp.post("/tuy-chon")
def save():
    """Store the form's preferences (or forget them all) and go back to the page the reader came from."""
    if request.form.get("action") == "reset":
        preferences = DEFAULT_PREFERENCES
    else:
        preferences = preferences_from_form(request.form)
    return _store(_back(), preferences)


@bp.post("/tuy-chon/tiet-kiem-du-lieu")
def data_saver():
    """Switch data saving on or off, keeping the other preferences, and go back."""
    on = request.form.get("data_saver") == "on"
    return _store(_back(), reading_preferences().with_data_saver(on))
