"""`flask worker`: runs the generation jobs (audio, PDFs) queued in Redis, the way `rq worker` would, with
the app's context, at low priority, after clearing what killed workers left in the caches."""
import os

import click
from flask.cli import with_appcontext

from extensions import db
from services.infra.jobs import GENERATION_NICENESS, RedisQueue
from web.site_services import site_services


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queues are empty instead of waiting for more.")
@with_appcontext
def worker_command(burst):
    """Run queued audio and PDF jobs from Redis (needs REDIS_URL); start about one per core."""
    from rq import Worker

    services = site_services()
    if not isinstance(services.jobs, RedisQueue):
        raise click.UsageError("Cần REDIS_URL: không có Redis, máy chủ web tự tạo âm thanh và PDF trong tiến trình của nó.")
    # Pages come first: this process and the espeak-ng and WeasyPrint processes it starts yield the CPU.
    os.nice(GENERATION_NICENESS)
    # Each job runs in a forked process; it must open its own database connections, not share these.
    db.engine.dispose()
    for cache in (services.speech.narrator.cache, services.pdfs.cache):
        cache.sweep()
    queues = list(services.jobs.queues().values())  # urgent first
    click.echo(f"Đang chờ việc trong hàng đợi {', '.join(queue.name for queue in queues)}.")
    Worker(queues, connection=queues[0].connection).work(burst=burst, with_scheduler=False)
