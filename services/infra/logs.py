"""Log lines an operator can follow: each carries the id of the request that caused it (also in the jobs that
request queued, in whichever thread or process they run), as text or as one JSON object a line.

The request id lives in a context variable: a request binds it, a job binds the id it was queued with, and
every log record gets it from there (a record factory, so lines of any logger carry it, RQ's included).
"""
from __future__ import annotations

import contextvars
import logging
import re
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager

TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
NO_REQUEST = "-"  # in a text line outside any request; JSON says null
# The same fields in JSON (the time in ISO 8601, UTC), renamed to what log shippers expect; extra= fields of a
# record are added as they are.
JSON_FIELDS = "%(levelname)s %(name)s %(request_id)s %(message)s"
JSON_RENAMED = {"levelname": "level", "name": "logger"}

# An id a proxy or a client sent is kept if it is a plain token (nginx's $request_id is 32 hex digits): nothing
# that could break a log line or smuggle markup into one.
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+=/-]{0,127}")
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("docbai_request_id", default=None)
_HANDLER_NAME = "docbai"


def request_id_for(incoming: str | None) -> str:
    """The id of a request: the one it came with when that is a plain token of at most 128 characters,
    else a new random one."""
    if incoming and _SANE_ID.fullmatch(incoming):
        return incoming
    return secrets.token_hex(16)


def current_request_id() -> str | None:
    """The id of the request this code runs for (or of the request that queued this job); None outside one."""
    return _request_id.get()


def bind_request_id(value: str | None) -> contextvars.Token:
    """Make value the current request id until unbind_request_id(token)."""
    return _request_id.set(value or None)


def unbind_request_id(token: contextvars.Token) -> None:
    """Restore the request id that was current before bind_request_id gave token."""
    try:
        _request_id.reset(token)
    except ValueError:  # ended in another context than it began (a response streamed by another thread)
        _request_id.set(None)


@contextmanager
def request_id_bound(value: str | None) -> Iterator[None]:
    """The block's log lines carry value as their request id (a job run for a request)."""
    token = bind_request_id(value)
    try:
        yield
    finally:
        unbind_request_id(token)


def _with_request_id(factory):
    def make_record(*args, **kwargs):
        record = factory(*args, **kwargs)
        # Left unset outside a request: the formatters say "-" or null, as for a line of a process that never
        # set this factory up (gunicorn's master).
        if (request_id := _request_id.get()) is not None:
            record.request_id = request_id
        return record

    make_record.docbai = True
    return make_record


class _StandardError(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a line is written (a test's capture, gunicorn's stream), not to
    the stream that was there when logging was set up."""

    def __init__(self):
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def formatter(log_format: str) -> logging.Formatter:
    """The formatter of LOG_FORMAT: text, or JSON (python-json-logger: well kept, and it escapes and adds the
    extra= fields of a record by itself, which a hand-written formatter would have to get right)."""
    if log_format == "json":
        from pythonjsonlogger.json import JsonFormatter

        return JsonFormatter(JSON_FIELDS, rename_fields=JSON_RENAMED, timestamp="time", json_ensure_ascii=False)
    return logging.Formatter(TEXT_FORMAT, defaults={"request_id": NO_REQUEST})


def configure_logging(level: str, log_format: str) -> None:
    """Every log line of this process to standard error at level, as text or JSON, with its request id.

    One handler on the root logger, replaced when called again (every app a test makes calls it), so lines are
    never written twice; libraries' loggers (RQ, gunicorn's app-side lines) propagate to it.
    """
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "docbai", False):
        logging.setLogRecordFactory(_with_request_id(factory))
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
    handler = _StandardError()
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(formatter(log_format))
    root.addHandler(handler)
    root.setLevel(level.upper())
