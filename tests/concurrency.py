"""Racing real threads against PostgreSQL, each with its own database connection; waiting for
what another process (a real Celery worker) does."""

import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import connection


def race(tasks: list[Callable[[], Any]]) -> list[Any]:
    """Start every task at the same moment on its own thread; return each result or exception.

    Use with @pytest.mark.django_db(transaction=True): the threads must see committed rows.
    """
    barrier = threading.Barrier(len(tasks))
    results: list[Any] = [None] * len(tasks)

    def run(index: int, task: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = task()
        except Exception as exc:  # the outcome under test, compared by the caller
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, task)) for i, task in enumerate(tasks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def wait_for(condition: Callable[[], bool], seconds: float = 20.0) -> bool:
    """Whether `condition` came true within `seconds` (asked every 50 ms)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False
