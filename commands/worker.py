"""`flask worker`: runs the generation jobs (audio, PDFs) queued in Redis, the way `rq worker` would, with
the app's context, at low priority, after clearing what killed workers left in the caches."""
import os

import click
from flask import current_app
from flask.cli import with_appcontext

from extensions import db
from services.infra.jobs import GENERATION_NICENESS, QUEUE_NAMES, RedisQueue
from services.infra.logs import request_id_bound
from services.infra.metrics import WORKER_FOLDER, fold_dead_processes, forked_jobs_identity, use_files
from web.site_services import site_services

MAINTENANCE_SECONDS = 15


def _worker_class():
    from rq import Worker

    class DocbaiWorker(Worker):
        """RQ's forking worker, logging a job's lines with the id of the request that queued it."""

        def execute_job(self, job, queue):
            """Run the job under its request's id (RedisQueue puts it in the job's meta); the work horse forked
            for it inherits the id."""
            with request_id_bound((job.meta or {}).get("request_id")):
                return super().execute_job(job, queue)

    return DocbaiWorker



@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queues are empty instead of waiting for more.")
@with_appcontext
def worker_command(burst):
    """Run queued audio and PDF jobs from Redis (needs REDIS_URL); start about one per core."""
    from redis import Redis
    from rq import Queue

    services = site_services()
    if not isinstance(services.jobs, RedisQueue):
        raise click.UsageError("Cần REDIS_URL: không có Redis, máy chủ web tự tạo âm thanh và PDF trong tiến trình của nó.")
    # The jobs' metrics go where this host's /metrics adds them up; what stopped workers counted is kept there.
    metrics_folder = os.path.join(current_app.config["METRICS_DIR"], WORKER_FOLDER)
    fold_dead_processes(metrics_folder)
    use_files(metrics_folder, forked_jobs_identity(os.getpid()))
    # Pages come first: this process and the espeak-ng and WeasyPrint processes it starts yield the CPU.
    os.nice(GENERATION_NICENESS)
    # Each job runs in a forked process; it must open its own database connections, not share these.
    db.engine.dispose()
    for cache in (services.speech.narrator.cache, services.speech.narrator.opus_cache, services.pdfs.cache):
        cache.sweep()
    # A plain client, not the site's guarded one: a worker may wait on Redis (RQ raises its socket timeout
    # for blocking pops and retries on its own), where a page must not.
    connection = Redis.from_url(current_app.config["REDIS_URL"])
    queues = [Queue(name, connection=connection) for _, name in sorted(QUEUE_NAMES.items())]  # urgent first
    click.echo(f"Đang chờ việc trong hàng đợi {', '.join(queue.name for queue in queues)}.")
    worker = _worker_class()(
        queues, connection=connection,
        # Jobs whose worker died with them (abandoned) are retried by another worker's maintenance, which
        # runs this often; RQ's default, ten minutes, left a listener waiting that long.
        maintenance_interval=MAINTENANCE_SECONDS,
        job_monitoring_interval=MAINTENANCE_SECONDS,
    )
    worker.work(burst=burst, with_scheduler=False)
