"""The shared cache (Redis), kept answering while Redis is down (decision 41).

Django's Redis backend raises on a connection error, and allauth's rate limits ask the cache on
every login: a Redis outage would lock every member out. While Redis cannot be reached, each
process keeps what it is given in its own memory instead: rate limits go on counting (in each
process), and what pages keep (policies, ballots waiting) is read from the database and kept for
the few minutes it would have been kept in Redis. Once Redis answers again, what was kept in
memory is dropped.
"""

import logging
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Once Redis has failed, a process does not ask it again for this long: every page would
# otherwise wait for the connection to fail, once for each thing it reads from the cache.
RETRY_AFTER_SECONDS = 15
# Rate limits are counted per address and per account: room for many at once, so that a crowd of
# addresses cannot push a count out of memory before its minute is up.
LOCAL_MAX_ENTRIES = 10_000


class OutageTolerantRedisCache(RedisCache):
    """Django's Redis cache, that falls back to the process's own memory when Redis fails.

    Nothing that needs to be seen by every process may rely on the cache alone: the kept answers
    (policies, ballots waiting) are each a copy of the database, valid for minutes at most, and
    sessions live in the database."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        local_params = {**params, "OPTIONS": {"MAX_ENTRIES": LOCAL_MAX_ENTRIES}}
        self._local = LocMemCache(f"carecoop.cache.local:{server}", local_params)
        self._redis_down_until = 0.0

    def _either(self, operation: str, *args: Any) -> Any:
        """Django's Redis backend's `operation`, or the same on this process's memory while Redis
        is unreachable."""
        if time.monotonic() >= self._redis_down_until:
            try:
                answer = getattr(super(), operation)(*args)
            except RedisError:
                self._redis_down_until = time.monotonic() + RETRY_AFTER_SECONDS
                logger.exception(
                    "The cache (Redis) is unreachable: this process keeps its own for %s seconds",
                    RETRY_AFTER_SECONDS,
                )
            else:
                if self._redis_down_until:
                    # Back: what was kept here meanwhile is older than anything Redis now gets.
                    self._redis_down_until = 0.0
                    self._local.clear()
                return answer
        return getattr(self._local, operation)(*args)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return bool(self._either("add", key, value, timeout, version))

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._either("get", key, default, version)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._either("set", key, value, timeout, version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return bool(self._either("touch", key, timeout, version))

    def delete(self, key: Any, version: int | None = None) -> bool:
        return bool(self._either("delete", key, version))

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return dict(self._either("get_many", keys, version))

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return bool(self._either("has_key", key, version))

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return int(self._either("incr", key, delta, version))

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        return list(self._either("set_many", data, timeout, version))

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._either("delete_many", keys, version)

    def clear(self) -> None:
        self._local.clear()
        self._either("clear")
