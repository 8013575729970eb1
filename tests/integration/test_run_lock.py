"""Two runs on one warehouse: the advisory lock makes the second wait for the first instead of
failing, and the first can see it waiting (so it does not stop a shared embedded server)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from sdw.orchestration.locks import RUN, SEED, WarehouseLock, warehouse_lock

pytestmark = pytest.mark.integration


def test_second_run_waits_for_the_first(make_database: Callable[[str], str]) -> None:
    url = make_database("sdw_test_lock")
    order: list[str] = []
    told_to_wait = threading.Event()
    first = WarehouseLock(url, RUN)
    first.acquire()
    assert not first.waited and first.others_waiting() == 0

    def second_run() -> None:
        with warehouse_lock(url, RUN, on_wait=told_to_wait.set) as lock:
            order.append("second")
            assert lock.waited

    t = threading.Thread(target=second_run)
    t.start()
    assert told_to_wait.wait(10)
    # the second is blocked in pg_advisory_lock; give it a moment to be seen waiting
    for _ in range(50):
        if first.others_waiting() == 1:
            break
        threading.Event().wait(0.1)
    assert first.others_waiting() == 1
    with warehouse_lock(url, SEED) as seed:  # another name: not blocked by the run lock
        assert not seed.waited
    order.append("first")
    first.release()
    t.join(10)
    assert not t.is_alive()
    assert order == ["first", "second"]
    assert first.others_waiting() == 0  # released: nothing to ask
