"""gunicorn settings for docbai in production: `make serve`, or `gunicorn -c gunicorn.conf.py`.

Every value can be changed from the environment without editing this file: BIND, WEB_CONCURRENCY (worker
processes), WEB_THREADS (threads per worker), WEB_TIMEOUT (seconds), WEB_MAX_REQUESTS (requests before a
worker is replaced; 0 never).
"""
import os

wsgi_app = "app:create_app()"
bind = os.environ.get("BIND", "127.0.0.1:8000")

# Threads, not sync workers: a reader's page is served by a free thread while other threads wait on a PDF
# render or speech synthesis (both run outside the GIL, in a child process or a C library). One process
# per core uses every core; each process holds its own page cache and imports, so more would cost memory.
worker_class = "gthread"
_cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, _cores)))
threads = int(os.environ.get("WEB_THREADS", 8))

# A gthread worker's main loop stays alive while its threads work, so this only catches a wedged process;
# it must still outlast the longest legitimate request: a first PDF (PDF_RENDER_TIMEOUT, 15 s) queued
# behind renders already running, or a long article's first whole MP3.
timeout = int(os.environ.get("WEB_TIMEOUT", 120))
# On a restart (HUP, a deploy, max_requests) requests in flight get this long to finish.
graceful_timeout = 60
# nginx keeps its upstream connections open; a little longer than a browser's idle gap.
keepalive = 5
# A fresh process now and then returns memory the image libraries and the allocator hold on to (PDFs render
# in processes of their own, so WeasyPrint's memory is never here). A restart costs the worker about a
# second of CPU and its in-process page cache, so it must be rare under a surge: at 2,000 requests a surge
# restarted each worker every few seconds and halved the pages per second (bench/server_speed.py). At
# 50,000 a worker serving 1,000 pages a second restarts about once a minute; on a quiet day, once in days.
# The jitter keeps the workers from restarting all at once.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", 50_000))
max_requests_jitter = max_requests // 10

# Proxy headers are believed only by the app, and only as far as PROXY_COUNT says (werkzeug's ProxyFix).
forwarded_allow_ips = ""
secure_scheme_headers = {}
forwarder_headers = ""

# Access and error logs to stdout and stderr: systemd's journal or the container keeps them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
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
