"""The queue of generation work (audio, PDFs): one interface, run in a bounded in-process pool by default or
by RQ workers on Redis when REDIS_URL is set. Pages are never served by the threads that run these jobs.

A job names its task by import path ("module:function") with plain arguments, so the same job can run in
this process or be pickled into Redis for `flask worker`. Jobs carry an id: a job whose id is already
queued or running is not queued again, so a hundred listeners of one article make one job.
"""
from __future__ import annotations

import datetime as dt
import importlib
import itertools
import logging
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from services.infra.leases import LEASE_SECONDS, held_lease
from services.infra.logs import request_id_bound

log = logging.getLogger(__name__)

# Niceness of generation work (threads here, `flask worker` processes, and the espeak-ng and WeasyPrint
# processes they start, which inherit it): a reader's request always gets the CPU first.
GENERATION_NICENESS = 10
URGENT, BACKGROUND = 0, 1  # someone is waiting for it; made ahead (an import, a prewarm)
QUEUE_NAMES = {URGENT: "docbai-urgent", BACKGROUND: "docbai"}


class QueueFull(RuntimeError):
    """The queue holds as many jobs as it may; the caller answers "busy, try again later"."""


class QueueUnavailable(RuntimeError):
    """The queue's backend (Redis) cannot be reached."""


@dataclass(frozen=True)
class Job:
    """One piece of generation work: a task by import path, its plain arguments, and an id for deduplication."""

    id: str
    task: str  # "package.module:function"
    args: tuple = ()
    priority: int = URGENT
    request_id: str | None = None  # of the request that queued it: the job's log lines carry it too


def run_job(job: Job) -> object:
    """Import the job's task and call it with its arguments."""
    module_name, _, function_name = job.task.partition(":")
    return getattr(importlib.import_module(module_name), function_name)(*job.args)


def lower_priority_of_this_thread(niceness: int = GENERATION_NICENESS) -> None:
    """Make the calling thread (on Linux, where niceness is per thread) and what it starts yield the CPU to pages."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)
    except (AttributeError, OSError):
        pass


class JobQueue(Protocol):
    """Where generation work goes; see InProcessQueue and RedisQueue."""

    def enqueue(self, job: Job) -> bool:
        """Queue job; False when a job with its id is already queued or running. QueueFull when full."""

    def is_pending(self, job_id: str) -> bool:
        """True while a job with this id is queued or running."""

    def pending_count(self) -> int:
        """Jobs queued or running."""


class InProcessQueue:
    """A bounded pool of low-priority threads in this process, started on the first job.

    run(job) is given by the factory (it wraps run_job in the app's context). Urgent jobs go before
    background ones; at most max_pending jobs wait, so a flood of requests cannot queue unbounded work.
    """

    def __init__(
        self, workers: int, max_pending: int, run: Callable[[Job], object],
        on_pending: Callable[[int], None] | None = None,
    ):
        self.workers = max(1, workers)
        self.max_pending = max(1, max_pending)
        self._run = run
        self._on_pending = on_pending or (lambda count: None)  # told the count after each change (metrics)
        self._queue: queue.PriorityQueue = queue.PriorityQueue()
        self._order = itertools.count()
        self._pending: set[str] = set()
        self._guard = threading.Condition()
        self._threads: list[threading.Thread] = []

    def enqueue(self, job: Job) -> bool:
        """Queue job for the pool; False when its id is already queued or running; QueueFull when full."""
        with self._guard:
            if job.id in self._pending:
                return False
            if len(self._pending) >= self.max_pending:
                raise QueueFull(f"{len(self._pending)} generation jobs already waiting")
            self._pending.add(job.id)
            self._on_pending(len(self._pending))
            self._start_threads()
        self._queue.put((job.priority, next(self._order), job))
        return True

    def is_pending(self, job_id: str) -> bool:
        """True while a job with this id is queued or running."""
        with self._guard:
            return job_id in self._pending

    def pending_count(self) -> int:
        """Jobs queued or running."""
        with self._guard:
            return len(self._pending)

    def _start_threads(self) -> None:
        while len(self._threads) < self.workers:
            thread = threading.Thread(target=self._work, name=f"generation-{len(self._threads)}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _work(self) -> None:
        lower_priority_of_this_thread()
        while True:
            _, _, job = self._queue.get()
            try:
                with request_id_bound(job.request_id):
                    try:
                        self._run(job)
                    except Exception:
                        log.exception("Generation job %s failed", job.id)
            finally:
                with self._guard:
                    self._pending.discard(job.id)
                    self._on_pending(len(self._pending))
                    self._guard.notify_all()

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until no job is queued or running (a command that queued work waits before it exits);
        False if some still were after timeout seconds."""
        with self._guard:
            return self._guard.wait_for(lambda: not self._pending, timeout)


# What an RQ worker runs for every job: the job's claim, then its task (see run_claimed).
CLAIMED_RUNNER = "services.infra.jobs.run_claimed"
CLAIM_PREFIX = "docbai:claim:"
DONE_PREFIX = "docbai:done:"


def run_claimed(job_id: str, task: str, args: tuple = ()) -> object:
    """RQ's entry point: run the task once across every worker and host. The job's claim is a Redis lock on a
    short lease its runner renews (services.infra.leases): a second copy of the job (a race between two
    hosts queueing it, or RQ handing it out twice) finds the claim kept and stops; a copy started after its
    runner died (RQ's retry) waits for the dead runner's lease to run out, a few seconds, and takes over."""
    from rq import get_current_job

    rq_job = get_current_job()
    connection = rq_job.connection
    # One queueing of the job (a later one, after its file was evicted, is work to do again): a copy handed
    # out twice sees that this queueing was already done.
    done = f"{DONE_PREFIX}{job_id}:{rq_job.enqueued_at.timestamp() if rq_job.enqueued_at else ''}"
    with held_lease(connection, CLAIM_PREFIX + job_id, wait_seconds=1.5 * LEASE_SECONDS) as claimed:
        if not claimed:
            log.warning("Job %s is being run by another worker", job_id)
            return None
        if connection.exists(done):
            log.warning("Job %s was run by another worker already", job_id)
            return None
        result = run_job(Job(job_id, task, tuple(args)))
        connection.set(done, 1, ex=RedisQueue.FINISHED_TTL_SECONDS)
        return result


class RedisQueue:
    """Jobs in Redis for RQ workers (`flask worker`): two queues, urgent first; a job id is queued once (RQ's
    atomic unique enqueue), run once (its claim, see run_claimed) and retried when its process dies."""

    # A job that someone waits for is worth doing only within minutes; one made ahead may wait longer.
    JOB_TIMEOUT_SECONDS = 600
    FAILURE_TTL_SECONDS = 300
    # A finished job's record stays this long, so a copy of it RQ handed out twice finishes cleanly (its worker
    # updates the record) instead of failing on a record the first copy deleted; queueing it again replaces it.
    FINISHED_TTL_SECONDS = 120
    # A job whose process dies (a killed work horse) is queued again by its worker this many times.
    RETRIES = 2

    def __init__(self, redis, max_pending: int):
        self.redis = redis
        self.max_pending = max(1, max_pending)
        self._queues = None
        self._guard = threading.Lock()

    def queues(self):
        """The RQ queues by priority, made on first use."""
        with self._guard:
            if self._queues is None:
                from rq import Queue

                self._queues = {priority: Queue(name, connection=self.redis) for priority, name in QUEUE_NAMES.items()}
            return self._queues

    def enqueue(self, job: Job) -> bool:
        """Queue job in Redis; False when its id is already queued or running; QueueFull when full."""
        from redis.exceptions import RedisError
        from rq.exceptions import DuplicateJobError

        try:
            if self.is_pending(job.id):
                return False
            if self.pending_count() >= self.max_pending:
                raise QueueFull("the generation queue is full")
            for _ in range(2):
                try:
                    self._enqueue_once(job)
                    return True
                except DuplicateJobError:
                    # Queued by another process meanwhile, or a finished, failed or abandoned copy kept by RQ.
                    if not self._forget_if_over(job.id):
                        return False
            return False
        except RedisError as error:
            raise QueueUnavailable(f"Redis: {error}") from error

    def _enqueue_once(self, job: Job) -> None:
        from rq import Retry

        self.queues()[job.priority].enqueue_call(
            CLAIMED_RUNNER,
            args=(job.id, job.task, job.args),
            job_id=job.id,
            meta={"request_id": job.request_id} if job.request_id else None,  # see commands/worker.py
            timeout=self.JOB_TIMEOUT_SECONDS,
            result_ttl=self.FINISHED_TTL_SECONDS,
            failure_ttl=self.FAILURE_TTL_SECONDS,
            retry=Retry(max=self.RETRIES),
            unique=True,  # a Lua script: two processes queueing the same id at once queue it once
        )

    def _forget_if_over(self, job_id: str) -> bool:
        """Delete RQ's record of a job that is neither queued nor running (so it can be queued again); False
        when it is still pending."""
        from rq.exceptions import NoSuchJobError
        from rq.job import Job as RqJob

        if self.is_pending(job_id):
            return False
        try:
            RqJob.fetch(job_id, connection=self.redis).delete()
        except NoSuchJobError:
            pass
        return True

    def is_pending(self, job_id: str) -> bool:
        """True while a job with this id is queued, or running with a live claim (a started job whose runner died
        is over: its claim's lease ran out)."""
        from redis.exceptions import RedisError
        from rq.exceptions import NoSuchJobError
        from rq.job import Job as RqJob, JobStatus

        try:
            rq_job = RqJob.fetch(job_id, connection=self.redis)
            status = rq_job.get_status(refresh=False)
            if status in (JobStatus.QUEUED, JobStatus.DEFERRED, JobStatus.SCHEDULED):
                return True
            if status != JobStatus.STARTED:
                return False
            if self.redis.exists(CLAIM_PREFIX + job_id):
                return True
            # Started a moment ago: its runner may not have taken the claim yet.
            started = rq_job.started_at
            if started is None:
                return True
            if started.tzinfo is None:
                started = started.replace(tzinfo=dt.timezone.utc)
            return (dt.datetime.now(dt.timezone.utc) - started).total_seconds() < LEASE_SECONDS
        except NoSuchJobError:
            return False
        except RedisError as error:
            raise QueueUnavailable(f"Redis: {error}") from error

    def pending_count(self) -> int:
        """Jobs queued or running in Redis."""
        return sum(len(rq_queue) + rq_queue.started_job_registry.count for rq_queue in self.queues().values())


def make_job_queue(
    redis, workers: int, max_pending: int, run: Callable[[Job], object],
    on_pending: Callable[[int], None] | None = None,
) -> JobQueue:
    """RQ on the given Redis client when there is one, else the in-process pool of `workers` threads (which
    tells on_pending how many jobs it holds after each change)."""
    if redis is not None:
        return RedisQueue(redis, max_pending)
    return InProcessQueue(workers, max_pending, run, on_pending)
