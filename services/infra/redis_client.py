"""The site's Redis client for serving pages: short timeouts, no retries, and a circuit breaker, so a Redis that
is slow or away costs a page one short wait, not a wait per call.

redis-py's defaults suit a worker that can wait (retries with backoff, no timeout); a web request that
makes three Redis calls would pay each of those waits. With the breaker open, every call fails at once with
a ConnectionError, which the callers already handle as "Redis is away": the page cache renders, views wait
in the process, the queue answers 503.
"""
from __future__ import annotations

from redis import Redis
from redis.backoff import NoBackoff
from redis.client import Pipeline
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from services.infra.breaker import CircuitBreaker

# The failures that mean "Redis is away"; an error Redis answered (a wrong type, no such key) is not one.
_AWAY = (RedisConnectionError, RedisTimeoutError, OSError)


class RedisAway(RedisConnectionError):
    """Redis failed a moment ago and is not asked again until its breaker lets a trial through."""


def _guarded(breaker: CircuitBreaker, call):
    if not breaker.allows():
        raise RedisAway("Redis skipped: it failed a moment ago")
    try:
        result = call()
    except _AWAY:
        breaker.record_failure()
        raise
    breaker.record_success()
    return result


class GuardedPipeline(Pipeline):
    """A pipeline whose execute() goes through the client's breaker."""

    breaker: CircuitBreaker

    def execute(self, raise_on_error: bool = True):
        return _guarded(self.breaker, lambda: super(GuardedPipeline, self).execute(raise_on_error))


class GuardedRedis(Redis):
    """A Redis client whose every command and pipeline goes through one circuit breaker."""

    breaker: CircuitBreaker

    def execute_command(self, *args, **options):
        return _guarded(self.breaker, lambda: super(GuardedRedis, self).execute_command(*args, **options))

    def pipeline(self, transaction=True, shard_hint=None) -> Pipeline:
        pipeline = GuardedPipeline(self.connection_pool, self.response_callbacks, transaction, shard_hint)
        pipeline.breaker = self.breaker
        return pipeline


def guarded_redis(url: str, timeout_seconds: float, breaker: CircuitBreaker) -> GuardedRedis:
    """A client for url that waits at most timeout_seconds per call, never retries, and skips Redis while breaker
    is open."""
    client = GuardedRedis.from_url(
        url, socket_timeout=timeout_seconds, socket_connect_timeout=timeout_seconds, retry=Retry(NoBackoff(), 0),
    )
    client.breaker = breaker
    return client
