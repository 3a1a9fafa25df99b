"""The site's Prometheus metrics (prometheus-client): what they are, how each process records them, and how
/metrics adds up the processes of one host.

Under gunicorn every worker is a process of its own, so a counter kept in memory would only say what the
worker that answers the scrape saw. prometheus-client's multiprocess mode makes each process write its values
to small memory-mapped files in a folder, and the scrape adds them up: METRICS_DIR/web for gunicorn's
workers (emptied by the master when it starts), METRICS_DIR/worker for `flask worker` processes and the
work horses they fork for each job. A process that is gone is folded into one archive file per kind, so the
totals keep what it counted and the folder does not grow by a few files at every worker restart
(WEB_MAX_REQUESTS) or every job.

Without gunicorn (`flask run`, tests) the values stay in the process, in the app's own registry.

What cannot be counted as it happens is read when /metrics is asked: the disk the caches use and their
budgets, and with Redis the jobs waiting and the views not yet written (Redis holds those for every process).
"""
from __future__ import annotations

import glob
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics, generate_latest
from prometheus_client import values as prometheus_values
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.mmap_dict import MmapedDict, mmap_key
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

log = logging.getLogger(__name__)

WEB_FOLDER = "web"
WORKER_FOLDER = "worker"
ARCHIVE = "archive"  # the file identity of what processes that are gone counted
JOBS_SUFFIX = "-jobs"  # a `flask worker`'s work horses, one after another, share one set of files
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# Page latencies: a cached page takes about a millisecond, a first PDF several seconds.
REQUEST_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
# A job voices a whole article or renders a PDF: seconds to minutes.
JOB_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)


def use_files(folder: str, process_identity: Callable[[], object] = os.getpid) -> None:
    """Record this process's metrics (and those of the processes it forks) in folder, for a scrape in another
    process to add up. Call it before the first metric is made."""
    os.makedirs(folder, exist_ok=True)
    # prometheus-client takes the folder from this variable only, when it opens a process's files.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    prometheus_values.ValueClass = prometheus_values.MultiProcessValue(process_identity)


def writing_files() -> bool:
    """True once use_files (or the PROMETHEUS_MULTIPROC_DIR variable at import) put the client in multiprocess mode."""
    return bool(getattr(prometheus_values.ValueClass, "_multiprocess", False))


def forked_jobs_identity(parent_pid: int) -> Callable[[], str]:
    """The file identity of a `flask worker` (its process id) and of its work horses ("<its id>-jobs"): RQ runs
    one horse at a time, so they can take turns with one set of files instead of leaving a set per job."""

    def identity() -> str:
        pid = os.getpid()
        return str(pid) if pid == parent_pid else f"{parent_pid}{JOBS_SUFFIX}"

    return identity


def empty_folder(folder: str) -> None:
    """Remove every metrics file in folder (gunicorn's master, before its first worker)."""
    os.makedirs(folder, exist_ok=True)
    for path in glob.glob(os.path.join(folder, "*.db")):
        os.unlink(path)


def _identity_of(path: str) -> str:
    return os.path.basename(path)[: -len(".db")].rsplit("_", 1)[1]


def _kind_of(path: str) -> str:
    return os.path.basename(path)[: -len(".db")].rsplit("_", 1)[0]


def _process_is_gone(identity: str) -> bool:
    pid = identity.removesuffix(JOBS_SUFFIX)
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def fold_dead_process(folder: str, pid: int | str) -> None:
    """A process that stopped: drop its live gauges and add what else it recorded (and, for a `flask worker`,
    its work horses) to the archive files."""
    mark_process_dead(pid, folder)
    _fold(folder, {str(pid), f"{pid}{JOBS_SUFFIX}"})


def fold_dead_processes(folder: str) -> None:
    """Fold every process of folder that no longer runs (a `flask worker` starting, after others stopped)."""
    os.makedirs(folder, exist_ok=True)
    gone = {_identity_of(path) for path in glob.glob(os.path.join(folder, "*_*.db"))}
    gone = {identity for identity in gone if _process_is_gone(identity)}
    for identity in {identity.removesuffix(JOBS_SUFFIX) for identity in gone}:
        mark_process_dead(identity, folder)
    _fold(folder, gone)


def _fold(folder: str, identities: set[str]) -> None:
    from filelock import FileLock

    # Two `flask worker`s starting at once must not both rewrite an archive.
    with FileLock(os.path.join(folder, ".fold.lock")):
        dead = [path for path in glob.glob(os.path.join(folder, "*.db")) if _identity_of(path) in identities]
        by_kind: dict[str, list[str]] = {}
        for path in dead:
            by_kind.setdefault(_kind_of(path), []).append(path)
        for kind, paths in by_kind.items():
            if kind.startswith("gauge_live") or kind in ("gauge_all", "gauge_mostrecent"):
                for path in paths:  # only a live process's value means anything, or a per-process one
                    os.unlink(path)
                continue
            archive = os.path.join(folder, f"{kind}_{ARCHIVE}.db")
            sources = paths + ([archive] if os.path.exists(archive) else [])
            # Not accumulated: written back as each process writes them (histogram buckets one by one).
            merged = MultiProcessCollector.merge(sources, accumulate=False)
            descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".fold-", suffix=".tmp")
            os.close(descriptor)
            os.unlink(temporary)  # MmapedDict makes the file itself
            table = MmapedDict(temporary)
            try:
                for metric in merged:
                    for sample in metric.samples:
                        key = mmap_key(metric.name, sample.name, list(sample.labels), list(sample.labels.values()),
                                       metric.documentation)
                        table.write_value(key, sample.value, sample.timestamp or 0.0)
            finally:
                table.close()
            # The archive is replaced whole, then the files it now holds go: a scrape in between (a few
            # microseconds) may count them twice, never lose them.
            os.replace(temporary, archive)
            for path in paths:
                os.unlink(path)


class FilesCollector:
    """The metrics files of several folders, added up as one host's (gunicorn's workers and `flask worker`s)."""

    def __init__(self, folders: Sequence[str]):
        self.folders = list(folders)

    def collect(self):
        """Every family, summed over the processes whose files are in the folders."""
        files = [path for folder in self.folders for path in glob.glob(os.path.join(folder, "*.db"))]
        return MultiProcessCollector.merge(files, accumulate=True)


# Without Redis each process counts these for itself, added up over the live processes; with Redis a scrape
# reads them there (ScrapeTimeCollector), and what a process recorded is left out.
PER_PROCESS_ONLY = frozenset({"docbai_generation_jobs_pending", "docbai_views_pending"})


class SiteMetrics:
    """The metrics a process records, made on first use (so `flask worker` can choose files first)."""

    def __init__(self):
        # True when the job queue and the pending views live in Redis (the factory says so when it makes them).
        self.shared_state = False
        self.registry = CollectorRegistry(auto_describe=False)
        self._made = False
        self._guard = threading.Lock()
        self._request_children: dict[tuple[str, int], tuple] = {}

    def _make(self) -> None:
        with self._guard:
            if self._made:
                return
            # A *_created series beside every counter says when this process started counting: noise to Prometheus,
            # which sees resets itself (and multiprocess mode never writes them).
            disable_created_metrics()
            # In multiprocess mode the files are the registry; the app's registry would only hold this process.
            registry = None if writing_files() else self.registry
            self.requests = Counter("docbai_http_requests", "Requests answered, by endpoint and status.",
                                    ["endpoint", "status"], registry=registry)
            self.request_seconds = Histogram("docbai_http_request_duration_seconds",
                                             "Time to make a response, by endpoint (a streamed body not included).",
                                             ["endpoint"], buckets=REQUEST_BUCKETS, registry=registry)
            self.page_cache = Counter("docbai_page_cache_lookups", "Rendered pages asked of the page cache: "
                                      "hit, miss (rendered and kept), bypass (not cacheable).",
                                      ["result"], registry=registry)
            self.job_seconds = Histogram("docbai_generation_job_duration_seconds",
                                         "Generation jobs run, by kind (audio, pdf) and outcome.",
                                         ["kind", "outcome"], buckets=JOB_BUCKETS, registry=registry)
            self.passed_over = Counter("docbai_speech_fallbacks",
                                       "Times a speech engine failed or was skipped while cooling down, so the "
                                       "narrator went on to the next engine (or had none left).",
                                       ["engine"], registry=registry)
            self.breaker = Gauge("docbai_speech_breaker_open_until_timestamp_seconds",
                                 "Until when (Unix time) a process skips the engine after a failure; open while "
                                 "above time().", ["engine"], multiprocess_mode="max", registry=registry)
            self.flush_failures = Counter("docbai_views_flush_failures",
                                          "View-count flushes that failed (the views wait for the next one).",
                                          registry=registry)
            self.jobs_pending = Gauge("docbai_generation_jobs_pending", "Generation jobs queued or running.",
                                      multiprocess_mode="livesum", registry=registry)
            self.views_pending = Gauge("docbai_views_pending", "Views counted but not yet written to the database "
                                       "(after the last flush).", multiprocess_mode="livesum", registry=registry)
            self._made = True

    def request_finished(self, endpoint: str, status: int, seconds: float) -> None:
        """One response made."""
        children = self._request_children.get((endpoint, status))
        if children is None:
            if not self._made:
                self._make()
            # Looked up once per endpoint and status: labels() validates and locks on every call.
            children = self._request_children[(endpoint, status)] = (
                self.requests.labels(endpoint, str(status)), self.request_seconds.labels(endpoint)
            )
        children[0].inc()
        children[1].observe(seconds)

    def page_cache_lookup(self, result: str) -> None:
        """A page asked of the page cache: hit, miss or bypass."""
        if not self._made:
            self._make()
        self.page_cache.labels(result).inc()

    def job_finished(self, kind: str, outcome: str, seconds: float) -> None:
        """A generation job ran (audio or pdf): made, failed, skipped, or error (an exception escaped it)."""
        if not self._made:
            self._make()
        self.job_seconds.labels(kind, outcome).observe(seconds)

    def engine_passed_over(self, engine: str) -> None:
        """The narrator went past engine (it failed, or its breaker was open)."""
        if not self._made:
            self._make()
        self.passed_over.labels(engine).inc()

    def breaker_state(self, engine: str, open_seconds: float) -> None:
        """The engine's breaker now skips it for open_seconds (0: closed)."""
        if not self._made:
            self._make()
        self.breaker.labels(engine).set(time.time() + open_seconds if open_seconds > 0 else 0)

    def jobs_pending_now(self, count: int) -> None:
        """This process's generation pool holds count jobs (without Redis)."""
        if not self._made:
            self._make()
        self.jobs_pending.set(count)

    def views_flushed(self, succeeded: bool, pending: int | None) -> None:
        """A periodic view flush ended; pending is what this process still holds (None with Redis)."""
        if not self._made:
            self._make()
        if not succeeded:
            self.flush_failures.inc()
        if pending is not None:
            self.views_pending.set(pending)

    def exposition(self, scrape_time: Iterable, folders: Sequence[str]) -> bytes:
        """The text a Prometheus scrape gets: what the processes recorded (this one, or every process whose
        files are in folders) and what the scrape_time collectors read now."""
        if not self._made:
            self._make()
        recorded = FilesCollector(folders) if writing_files() else self.registry
        return generate_latest(_Together([recorded, *scrape_time], PER_PROCESS_ONLY if self.shared_state else ()))


class _Together:
    """Several collectors exposed as one, the recorded families named in skip left out."""

    def __init__(self, collectors, skip=()):
        self.collectors = collectors
        self.skip = skip

    def collect(self):
        recorded, *read_now = self.collectors
        yield from (family for family in recorded.collect() if family.name not in self.skip)
        for collector in read_now:
            yield from collector.collect()


class ScrapeTimeCollector:
    """What /metrics reads when asked: each cache's bytes and budget, the queue's limit and, with Redis, the jobs
    waiting and the views not yet written (Redis holds them for every process and host)."""

    def __init__(
        self,
        caches: Sequence[tuple[str, object]],
        queue_limit: int,
        jobs_pending: Callable[[], int] | None = None,
        views_pending: Callable[[], int] | None = None,
    ):
        self.caches = caches
        self.queue_limit = queue_limit
        self.jobs_pending = jobs_pending
        self.views_pending = views_pending

    def collect(self):
        """The families, each read now; one that cannot be read (Redis away) is left out and logged."""
        used = GaugeMetricFamily("docbai_cache_used_bytes", "Bytes the cache's files hold.", labels=["cache"])
        budget = GaugeMetricFamily("docbai_cache_budget_bytes", "The cache's budget in bytes.", labels=["cache"])
        for name, cache in self.caches:
            try:
                used.add_metric([name], cache.used_bytes())
            except OSError as error:
                log.warning("Size of the %s cache unknown: %s", name, error)
            if cache.max_bytes is not None:
                budget.add_metric([name], cache.max_bytes)
        yield used
        yield budget
        yield GaugeMetricFamily("docbai_generation_queue_limit", "Generation jobs that may wait (GENERATION_QUEUE_MAX).",
                                value=self.queue_limit)
        for name, documentation, read in (
            ("docbai_generation_jobs_pending", "Generation jobs queued or running.", self.jobs_pending),
            ("docbai_views_pending", "Views counted but not yet written to the database.", self.views_pending),
        ):
            if read is None:
                continue
            try:
                yield GaugeMetricFamily(name, documentation, value=read())
            except Exception as error:  # a scrape still gets every other metric
                log.warning("%s unknown: %s", name, error)
