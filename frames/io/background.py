"""One worker thread per process, for conversion work that overlaps the caller's.

numpy and Arrow release the GIL in their loops over large arrays, so a second core can build
one part of a result (the pandas key index, :func:`frames.io.convert.to_pandas`) while the
caller's thread builds another. The worker is made on first use; a forked child makes its own
(the parent's thread does not exist there), and work submitted when no thread can be started
any more (interpreter shutdown) runs in the caller's thread.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_worker: ThreadPoolExecutor | None = None


def submit(function: Callable[..., T], *args: Any, inline: bool = False) -> Future[T]:
    """Run ``function(*args)`` on the worker thread; its result or exception is the future's.

    With ``inline``, it runs now in the caller's thread instead (for work too small to be worth
    the hand-over), and the future returned is already done.
    """
    global _worker
    if inline:
        return _run_here(function, *args)
    with _lock:
        if _worker is None:
            _worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="frames-convert")
        worker = _worker
    try:
        return worker.submit(function, *args)
    except RuntimeError:  # the interpreter is shutting down: no new thread can start
        return _run_here(function, *args)


def _run_here(function: Callable[..., T], *args: Any) -> Future[T]:
    """``function(*args)`` run in the caller's thread, as a completed future."""
    future: Future[T] = Future()
    try:
        future.set_result(function(*args))
    except Exception as exc:  # handed to the caller through the future
        future.set_exception(exc)
    return future


def _forget_worker() -> None:
    """In a forked child: drop the parent's worker (its thread was not copied) and lock."""
    global _lock, _worker
    _lock = threading.Lock()
    _worker = None


os.register_at_fork(after_in_child=_forget_worker)
