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

# Access and error logs to stdout and stderr: systemd's journal or the container keeps them.
accesslog = "-"
errorlog = "-"
loglevel = _settings["LOG_LEVEL"]
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'
# The heartbeat file on tmpfs, so a slow disk cannot make a healthy worker look dead.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# No control socket in the home folder of whoever runs the service.
control_socket_disable = True


def worker_exit(server, worker):
    """A worker stopping gracefully (restart, deploy, max_requests) writes the views it still holds."""
    app = getattr(worker, "wsgi", None)
    if app is not None and "docbai" in getattr(app, "extensions", {}):
        from web.site_services import flush_views

        try:
            flush_views(app)
        except Exception:
            server.log.exception("View counts of worker %s not written", worker.pid)
