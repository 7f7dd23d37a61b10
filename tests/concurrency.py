"""Run requests at the same moment from real threads, each with its own database
connection, for the race tests (transaction=True) on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connection

T = TypeVar("T")


def race(n: int, request: Callable[[int], T], *, timeout: float = 120) -> list[T | Exception]:
    """Call `request(i)` for i in range(n) in n threads released together by a barrier;
    return each result, or the exception it raised (never swallowed: callers assert)."""
    barrier = threading.Barrier(n)
    results: list[T | Exception] = [RuntimeError("did not finish")] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = request(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
