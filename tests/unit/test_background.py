"""frames.io.background: the conversion thread, its errors, forks and shutdown."""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
from test_convert_paths import large_result

from frames.io import background, convert


def test_work_runs_on_another_thread_and_returns_its_result():
    future = background.submit(lambda a, b: (threading.current_thread().name, a + b), 2, 3)
    name, total = future.result(timeout=30)
    assert total == 5
    assert name.startswith("frames-convert") and name != threading.current_thread().name


def test_inline_work_runs_now_in_the_callers_thread():
    ran = []
    future = background.submit(lambda: ran.append(threading.current_thread()) or 7, inline=True)
    assert ran == [threading.current_thread()]  # before the future is even looked at
    assert future.done() and future.result() == 7
    with pytest.raises(ZeroDivisionError):
        background.submit(lambda: 1 / 0, inline=True).result(timeout=0)


def test_an_exception_reaches_the_caller():
    def fail() -> None:
        raise ValueError("no key index")

    with pytest.raises(ValueError, match="no key index"):
        background.submit(fail).result(timeout=30)


def test_work_runs_in_the_callers_thread_once_no_thread_can_start(monkeypatch):
    stopped = ThreadPoolExecutor(max_workers=1)
    stopped.shutdown()  # submit now raises RuntimeError, as at interpreter shutdown
    monkeypatch.setattr(background, "_worker", stopped)
    future = background.submit(lambda: threading.current_thread().name)
    assert future.result(timeout=0) == threading.current_thread().name
    with pytest.raises(ZeroDivisionError):
        background.submit(lambda: 1 / 0).result(timeout=0)


def _convert_in_child(queue) -> None:
    table, head = large_result()
    frame = convert.to_pandas(table, head)
    queue.put((len(frame), background.submit(sum, [1, 2]).result(timeout=30)))


def test_a_forked_child_gets_its_own_worker():
    background.submit(int).result(timeout=30)  # the parent's worker exists before the fork
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_convert_in_child, args=(queue,))
    child.start()
    child.join(timeout=60)
    if child.is_alive():
        child.kill()
        pytest.fail("the forked child hung on the parent's conversion thread")
    assert child.exitcode == 0
    table, _ = large_result()
    assert queue.get(timeout=10) == (table.num_rows, 3)


def test_the_key_index_is_the_same_built_in_the_background_or_not(monkeypatch):
    table, head = large_result()
    threads = []
    submit = background.submit

    def recording(function, *args, inline=False):
        def run():
            threads.append(threading.current_thread())
            return function(*args)

        return submit(run, inline=inline)

    monkeypatch.setattr(background, "submit", recording)
    monkeypatch.setattr(convert, "_BACKGROUND_ROWS", table.num_rows)
    in_background = convert.to_pandas(table, head)
    monkeypatch.setattr(convert, "_BACKGROUND_ROWS", table.num_rows + 1)
    inline = convert.to_pandas(table, head)
    assert [thread is threading.main_thread() for thread in threads] == [False, True]
    pd.testing.assert_frame_equal(in_background, inline)
    assert isinstance(in_background.index, pd.MultiIndex)
