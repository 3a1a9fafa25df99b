"""The queue of generation work (audio, PDFs): one interface, run in a bounded in-process pool by default or
by RQ workers on Redis when REDIS_URL is set. Pages are never served by the threads that run these jobs.

A job names its task by import path ("module:function") with plain arguments, so the same job can run in
this process or be pickled into Redis for `flask worker`. Jobs carry an id: a job whose id is already
queued or running is not queued again, so a hundred listeners of one article make one job.
"""
from __future__ import annotations

import importlib
import itertools
import logging
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

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


class RedisQueue:
    """Jobs in Redis for RQ workers (`flask worker`): two queues, urgent first; a job id is queued once."""

    # A job that someone waits for is worth doing only within minutes; one made ahead may wait longer.
    JOB_TIMEOUT_SECONDS = 600
    FAILURE_TTL_SECONDS = 300

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

        try:
            if self.is_pending(job.id):
                return False
            if self.pending_count() >= self.max_pending:
                raise QueueFull("the generation queue is full")
            self.queues()[job.priority].enqueue(
                job.task.replace(":", "."),  # RQ imports a dotted path
                *job.args,
                job_id=job.id,
                meta={"request_id": job.request_id} if job.request_id else None,  # see commands/worker.py
                job_timeout=self.JOB_TIMEOUT_SECONDS,
                result_ttl=0,
                failure_ttl=self.FAILURE_TTL_SECONDS,
            )
        except RedisError as error:
            raise QueueUnavailable(f"Redis: {error}") from error
        return True

    def is_pending(self, job_id: str) -> bool:
        """True while a job with this id is queued, scheduled or running in Redis."""
        from redis.exceptions import RedisError
        from rq.exceptions import NoSuchJobError
        from rq.job import Job as RqJob, JobStatus

        try:
            rq_job = RqJob.fetch(job_id, connection=self.queues()[URGENT].connection)
            return rq_job.get_status(refresh=False) in (
                JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED
            )
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
