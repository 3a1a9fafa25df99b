"""gunicorn settings for docbai in production: `make serve`, or `gunicorn -c gunicorn.conf.py`.

Its own values are settings like any other (settings.py: BIND, WEB_CONCURRENCY, WEB_THREADS, WEB_TIMEOUT,
WEB_MAX_REQUESTS, LOG_LEVEL), read by the same rule from instance/config.py and the environment. Every
setting is checked here, in the master, before a worker starts: a bad value stops gunicorn with a message
naming it (a worker that failed on it would only be started again and again).
"""
import os
import sys

from settings import SettingError, instance_folder, load_settings

try:
    _settings = load_settings(instance_folder()).values
except SettingError as _error:
    sys.exit(f"docbai: {_error}")

from services.infra import metrics as _metrics  # noqa: E402 (after the settings are known to be good)

# Each worker records its metrics in files of this folder, and /metrics on any of them adds up all (set here, in
# the master, so every worker it forks has it before its first metric).
_metrics_folder = os.path.join(_settings["METRICS_DIR"], _metrics.WEB_FOLDER)
_metrics.use_files(_metrics_folder)

wsgi_app = "app:create_app()"
bind = _settings["BIND"]

# Threads, not sync workers: a reader's page is served by a free thread while other threads wait on a PDF
# render or speech synthesis (both run outside the GIL, in a child process or a C library). One process
# per core uses every core; each process holds its own page cache and imports, so more would cost memory.
worker_class = "gthread"
workers = _settings["WEB_CONCURRENCY"]
threads = _settings["WEB_THREADS"]

# A gthread worker's main loop stays alive while its threads work, so this only catches a wedged process;
# it must still outlast the longest legitimate request: a first PDF (PDF_RENDER_TIMEOUT, 15 s) queued
# behind renders already running, or a long article's first whole MP3.
timeout = _settings["WEB_TIMEOUT"]
# On a restart (HUP, a deploy, max_requests) requests in flight get this long to finish.
graceful_timeout = 60
# nginx keeps its upstream connections open, and a "đang chuẩn bị" page asks again every few seconds
# (web.generation.PREPARING_RETRY_SECONDS): idle connections live longer than that gap, or a poll would meet a
# connection the server is just closing.
keepalive = 15
# A fresh process now and then returns memory the image libraries and the allocator hold on to (PDFs render
# in processes of their own, so WeasyPrint's memory is never here). A restart costs the worker about a
# second of CPU and its in-process page cache, so it must be rare under a surge: at 2,000 requests a surge
# restarted each worker every few seconds and halved the pages per second (bench/server_speed.py). At
# 50,000 a worker serving 1,000 pages a second restarts about once a minute; on a quiet day, once in days.
# The jitter keeps the workers from restarting all at once.
max_requests = _settings["WEB_MAX_REQUESTS"]
max_requests_jitter = max_requests // 10

# Proxy headers are believed only by the app, and only as far as PROXY_COUNT says (werkzeug's ProxyFix).
forwarded_allow_ips = ""
secure_scheme_headers = {}
forwarder_headers = ""

# The error log to stderr: systemd's journal or the container keeps it. No access log: the app writes one line
# per request itself (web/observability.py), with what gunicorn does not know — the request id, the endpoint,
# LOG_FORMAT — and without the probes' lines; a second line per request from gunicorn would double the log of
# a surge and say less. (The app's time stops when the response is made, before a streamed body is sent.)
accesslog = None
errorlog = "-"
loglevel = _settings["LOG_LEVEL"]
# The heartbeat file on tmpfs, so a slow disk cannot make a healthy worker look dead.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# No control socket in the home folder of whoever runs the service.
control_socket_disable = True


def worker_exit(server, worker):
    """A worker stopping gracefully (restart, deploy, max_requests) writes the views and statistics it still holds."""
    app = getattr(worker, "wsgi", None)
    if app is not None and "docbai" in getattr(app, "extensions", {}):
        from web.site_services import flush_views

        try:
            flush_views(app)
        except Exception:
            server.log.exception("View counts of worker %s not written", worker.pid)


def on_starting(server):
    """Before the first worker: the metrics of a previous run go (their processes are gone, their counts too)."""
    _metrics.empty_folder(_metrics_folder)


def child_exit(server, worker):
    """A worker has exited (in the master): its live gauges go, what it counted joins the archive."""
    try:
        _metrics.fold_dead_process(_metrics_folder, worker.pid)
    except Exception:
        server.log.exception("Metrics of worker %s not folded", worker.pid)


if _settings["LOG_FORMAT"] == "json":
    from gunicorn.glogging import Logger as _GunicornLogger

    from services.infra.logs import formatter as _log_formatter

    class JsonLogger(_GunicornLogger):
        """gunicorn's own lines (boot, worker restarts, timeouts) as JSON, like the app's."""

        def setup(self, cfg):
            """gunicorn's handlers, with the app's JSON formatter."""
            super().setup(cfg)
            for handler in self.error_log.handlers:
                handler.setFormatter(_log_formatter("json"))

    logger_class = JsonLogger
