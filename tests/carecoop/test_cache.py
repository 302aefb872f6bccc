"""The shared cache keeps answering while Redis is down, and forgets what it kept once it is back."""

import uuid
from unittest import mock

import pytest
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError

from carecoop import cache as shared_cache
from carecoop.cache import OutageTolerantRedisCache

REDIS_UP_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def backend(monkeypatch):
    # Asked of Redis every time, so that a test sees it come back at once.
    monkeypatch.setattr(shared_cache, "RETRY_AFTER_SECONDS", 0)
    backend = OutageTolerantRedisCache(REDIS_UP_URL, {"KEY_PREFIX": f"test-{uuid.uuid4()}"})
    yield backend
    backend.delete_many(["policy", "lock"])


def _redis_down(*methods):
    failure = RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    return mock.patch.multiple(RedisCache, **{method: mock.Mock(side_effect=failure) for method in methods})


def test_while_redis_is_down_the_process_keeps_and_counts_on_its_own(backend):
    with _redis_down("get", "set", "add"):
        backend.set("policy", "kept while down", 60)

        assert backend.get("policy") == "kept while down"
        assert backend.add("lock", True, 10) is True
        assert backend.add("lock", True, 10) is False


def test_once_redis_is_back_what_was_kept_meanwhile_is_dropped(backend):
    with _redis_down("get", "set"):
        backend.set("policy", "kept while down", 60)
        assert backend.get("policy") == "kept while down"

    assert backend.get("policy") is None  # Redis has none: the database is asked

    with _redis_down("get", "set"):  # down again: what the last outage kept is not served
        assert backend.get("policy") is None
