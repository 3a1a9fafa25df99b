"""Requests turned away, or tidied, before any view sees them."""
from flask import abort, request
from werkzeug.http import parse_range_header


def _refuse_nul():
    # A NUL names nothing on this site, and PostgreSQL refuses it in a query with an error, not "no row".
    if "\x00" in request.path:
        abort(404)
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        abort(400)


def _ignore_unservable_ranges():
    # Werkzeug answers one byte range and 416s the rest; HTTP lets a server ignore Range and send the
    # whole file, which every client accepts. A single satisfiable or unsatisfiable range is left as is.
    header = request.environ.get("HTTP_RANGE")
    if header is None:
        return
    parsed = parse_range_header(header)
    if parsed is None or len(parsed.ranges) != 1:
        del request.environ["HTTP_RANGE"]


def init_request_guards(app) -> None:
    """Run the guards before every request, in the order they are cheapest."""
    app.before_request(_refuse_nul)
    app.before_request(_ignore_unservable_ranges)
