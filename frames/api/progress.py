"""Progress bars (tqdm, on standard error): populate's bar over keys, and the bar of a long
insert or fetch.

``populate(display_progress=True)`` shows a bar over its keys, named after the table, as
DataJoint does. Inserts and fetches that go a batch at a time (streamed inserts, inserts with
``chunk_size``, ``to_arrow_batches`` and what is built on it) count their rows in a bar that
appears only once the work has taken :data:`LONG_WORK_DELAY` seconds, only on a terminal, and
never with ``config['display.progress'] = False``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sized
from contextlib import nullcontext
from typing import Any, TypeVar

from tqdm import tqdm

from frames.settings import config

__all__ = ["LONG_WORK_DELAY", "key_bar", "counted_rows"]

#: Seconds an insert or fetch runs before its bar appears.
LONG_WORK_DELAY = 2.0

_Part = TypeVar("_Part", bound=Sized)


class _NoBar(nullcontext[Any]):
    """Stands in for a progress bar when none is shown."""

    def update(self, n: int = 1) -> None:
        """Nothing to show."""


def key_bar(name: str, total: int, shown: bool) -> Any:
    """``populate()``'s bar over ``total`` keys, named ``name`` (a context manager with
    ``update()``), or a stand-in doing nothing when not ``shown`` or there are no keys."""
    if not shown or not total:
        return _NoBar()
    return tqdm(desc=name, total=total, file=sys.stderr)


def counted_rows(parts: Iterable[_Part], name: str) -> Iterator[_Part]:
    """``parts`` (tables, batches, lists of rows) as they come, counting their rows in a bar
    named ``name`` that appears after :data:`LONG_WORK_DELAY` seconds on a terminal (see the
    module). The bar closes when the parts end or the iteration is closed."""
    if not config.display.progress:
        yield from parts
        return
    # disable=None: tqdm shows nothing when standard error is not a terminal
    with tqdm(
        desc=name,
        unit=" rows",
        delay=LONG_WORK_DELAY,
        file=sys.stderr,
        disable=None,
    ) as bar:
        for part in parts:
            bar.update(len(part))
            yield part
