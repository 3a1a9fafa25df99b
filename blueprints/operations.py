"""For operators, not readers: liveness, readiness and Prometheus metrics. Never cached (Cache-Control:
no-store, which deploy/nginx.conf's micro-cache also honours for them), never counted as views, and their log
lines are debug (web/observability.py)."""
from flask import Blueprint, Response, abort, jsonify

from services.infra.health import FAIL, OK
from services.infra.metrics import CONTENT_TYPE
from web.observability import metrics_allowed, metrics_text, readiness

bp = Blueprint("operations", __name__)


def _not_stored(response: Response) -> Response:
    response.cache_control.no_store = True
    return response


@bp.get("/healthz")
def healthz():
    """Liveness: the process answers; nothing else is looked at."""
    return _not_stored(Response("ok\n", mimetype="text/plain"))


@bp.get("/readyz")
def readyz():
    """Readiness: 200 when every check passes, else 503 naming the ones that failed; why they failed (a
    folder, a database host) only for a request with the metrics token, and in the log."""
    checks = readiness()
    ready = all(result == OK for result in checks.values())
    if not ready and not metrics_allowed():
        checks = {name: result if result == OK else FAIL for name, result in checks.items()}
    response = jsonify(status="ok" if ready else "fail", checks=checks)
    response.status_code = 200 if ready else 503
    return _not_stored(response)


@bp.get("/metrics")
def metrics():
    """Prometheus metrics, for a scraper with METRICS_TOKEN as its bearer token; anyone else gets the site's
    404, as for an address that does not exist."""
    if not metrics_allowed():
        abort(404)
    return _not_stored(Response(metrics_text(), content_type=CONTENT_TYPE))
