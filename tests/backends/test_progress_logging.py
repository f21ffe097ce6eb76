"""Messages, progress bars and refused arguments, on every backend.

User messages go through the ``frames.*`` loggers (one per module, under ``frames``, whose
level is ``config['loglevel']``), never ``print``. ``populate(display_progress=True)`` shows a
tqdm bar over its keys; long inserts and fetches count their rows in a bar that appears only
after :data:`~frames.api.progress.LONG_WORK_DELAY` seconds on a terminal (tqdm's clock is
replaced here, so that no test depends on time). Arguments that would be ignored raise
:class:`~frames.errors.UnsupportedArgumentError`.
"""

from __future__ import annotations

import io
import itertools
import logging
from collections.abc import Iterator
from types import SimpleNamespace

import numpy as np
import pyarrow as pa
import pytest
import tqdm.std

import frames as dj
from frames.errors import UnsupportedArgumentError

ROWS = 40


class _Terminal(io.StringIO):
    """Standard error as a terminal would be: tqdm draws its bars on it."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def lab(backend_url: str, schema_name: str) -> Iterator[SimpleNamespace]:
    connection = dj.connect(backend_url)
    schema = dj.Schema(schema_name, connection=connection)

    @schema
    class Sample(dj.Manual):
        definition = """
        sample_id : int32
        ---
        weight : float64
        """

    @schema
    class Trace(dj.Manual):
        definition = """
        trace_id : int32
        ---
        data : <blob>
        """

    @schema
    class Doubled(dj.Computed):
        definition = """
        -> Sample
        ---
        twice : float64
        """

        def make(self, key):
            self.insert1({**key, "twice": 2 * (Sample & key).fetch1("weight")})

    Sample.insert([{"sample_id": i, "weight": i / 2} for i in range(3)])
    try:
        yield SimpleNamespace(schema=schema, Sample=Sample, Trace=Trace, Doubled=Doubled)
    finally:
        schema.drop(prompt=False)
        connection.close()


def _terminal(monkeypatch) -> _Terminal:
    """Standard error replaced by a terminal whose text the test reads (in the test itself:
    pytest's capture puts its own standard error back between a fixture and the test)."""
    stream = _Terminal()
    monkeypatch.setattr("sys.stderr", stream)
    return stream


def _clock(monkeypatch, step: float) -> None:
    """tqdm's clock: each reading ``step`` seconds after the previous one."""
    ticks = itertools.count(0.0, step)
    monkeypatch.setattr(tqdm.std, "time", lambda: next(ticks))


def _answer(monkeypatch, answer: str) -> None:
    monkeypatch.setattr("builtins.input", lambda prompt="": answer)


def _records(caplog) -> list[tuple[str, int, str]]:
    return [(r.name, r.levelno, r.getMessage()) for r in caplog.records]


# -- messages -----------------------------------------------------------------------------------
def test_delete_messages_are_logged_with_datajoint_wording(lab, monkeypatch, caplog) -> None:
    _answer(monkeypatch, "yes")
    full_name = lab.Sample.full_table_name
    with caplog.at_level(logging.INFO, logger="frames"):
        assert (lab.Sample & {"sample_id": 0}).delete(prompt=True) == 1
    records = _records(caplog)
    assert ("frames.api.delete", logging.INFO, "Delete committed.") in records
    assert any(
        name == "frames.api.delete" and message == f"Deleting 1 rows from {full_name}"
        for name, _, message in records
    )

    caplog.clear()
    _answer(monkeypatch, "no")
    with caplog.at_level(logging.INFO, logger="frames"):
        assert (lab.Sample & {"sample_id": 1}).delete(prompt=True) == 0
    assert ("frames.api.delete", logging.WARNING, "Delete cancelled") in _records(caplog)
    assert len(lab.Sample) == 2


def test_a_cancelled_schema_drop_is_logged(lab, monkeypatch, caplog) -> None:
    _answer(monkeypatch, "no")
    with caplog.at_level(logging.INFO, logger="frames"):
        lab.schema.drop(prompt=True)
    assert _records(caplog) == [("frames.api.schema", logging.WARNING, "Drop cancelled.")]
    assert lab.schema.exists


def test_loglevel_setting_silences_info_messages(lab, monkeypatch, caplog) -> None:
    _answer(monkeypatch, "no")
    with dj.config.override(loglevel="WARNING"), caplog.at_level(logging.DEBUG):
        (lab.Sample & {"sample_id": 0}).delete(prompt=True)
    assert [(level, message) for _, level, message in _records(caplog)] == [
        (logging.WARNING, "Delete cancelled")
    ]


# -- populate's bar -------------------------------------------------------------------------------
def test_populate_shows_a_bar_only_when_asked(lab, monkeypatch) -> None:
    terminal = _terminal(monkeypatch)
    lab.Doubled.populate({"sample_id": 0})
    assert terminal.getvalue() == ""
    lab.Doubled.populate(display_progress=True)
    assert "Doubled" in terminal.getvalue() and "2/2" in terminal.getvalue()
    assert len(lab.Doubled) == 3


def test_populate_refuses_job_queue_arguments_without_reserve_jobs(lab) -> None:
    with pytest.raises(UnsupportedArgumentError, match=r"populate\(priority=.*reserve_jobs"):
        lab.Doubled.populate(priority=1)
    with pytest.raises(UnsupportedArgumentError, match=r"populate\(refresh=.*reserve_jobs"):
        lab.Doubled.populate(refresh=True)
    assert len(lab.Doubled) == 0
    assert lab.Doubled.populate(refresh=False)["success_count"] == 3


# -- bars of long inserts and fetches ----------------------------------------------------------
def _batches() -> list[pa.RecordBatch]:
    table = pa.table({"sample_id": range(10, 10 + ROWS), "weight": [1.0] * ROWS})
    return table.to_batches(max_chunksize=ROWS // 4)


def test_a_short_streamed_insert_shows_no_bar(lab, monkeypatch) -> None:
    terminal = _terminal(monkeypatch)
    _clock(monkeypatch, 0.0)  # the insert takes no time
    assert lab.Sample.insert(_batches()) == ROWS
    assert terminal.getvalue() == ""


def test_a_long_streamed_insert_counts_its_rows(lab, monkeypatch) -> None:
    terminal = _terminal(monkeypatch)
    _clock(monkeypatch, 3.0)  # each batch takes longer than the delay
    assert lab.Sample.insert(_batches()) == ROWS
    shown = terminal.getvalue()
    assert f"insert into {lab.Sample.__name__}" in shown and f"{ROWS} rows" in shown


def test_a_long_insert_in_chunks_counts_its_rows(lab, monkeypatch) -> None:
    terminal = _terminal(monkeypatch)
    _clock(monkeypatch, 3.0)
    rows = [{"sample_id": 100 + i, "weight": 0.5} for i in range(ROWS)]
    assert lab.Sample.insert(rows, chunk_size=ROWS // 4) == ROWS
    assert f"{ROWS} rows" in terminal.getvalue()


def test_a_long_batched_fetch_counts_its_rows(lab, monkeypatch) -> None:
    terminal = _terminal(monkeypatch)
    lab.Sample.insert(_batches())
    _clock(monkeypatch, 3.0)
    with lab.Sample.to_arrow_batches(batch_rows=10) as stream:
        assert sum(batch.num_rows for batch in stream) == ROWS + 3
    shown = terminal.getvalue()
    assert f"fetch from {lab.Sample.__name__}" in shown and f"{ROWS + 3} rows" in shown


def test_long_work_shows_no_bar_off_a_terminal_or_when_turned_off(lab, monkeypatch) -> None:
    terminal = _terminal(monkeypatch)
    _clock(monkeypatch, 3.0)
    with dj.config.override(display__progress=False):
        lab.Sample.insert(_batches())
        assert len(lab.Sample.to_arrow_batches(batch_rows=10).read_all()) == ROWS + 3
    assert terminal.getvalue() == ""
    not_a_terminal = io.StringIO()
    monkeypatch.setattr("sys.stderr", not_a_terminal)
    assert len(lab.Sample.to_arrow_batches(batch_rows=10).read_all()) == ROWS + 3
    assert not_a_terminal.getvalue() == ""


# -- fetch arguments ------------------------------------------------------------------------------
def test_squeeze_drops_unit_dimensions_of_decoded_blobs(lab) -> None:
    data = np.arange(3.0).reshape(1, 3, 1)
    lab.Trace.insert1({"trace_id": 1, "data": data})
    squeezed = data.squeeze()
    assert lab.Trace.fetch1("data").shape == data.shape
    assert np.array_equal(lab.Trace.fetch1("data", squeeze=True), squeezed)
    assert np.array_equal(lab.Trace.to_dicts(squeeze=True)[0]["data"], squeezed)
    assert np.array_equal(lab.Trace.to_arrays("data", squeeze=True)[0], squeezed)
    assert np.array_equal(lab.Trace.to_pandas(squeeze=True)["data"].iloc[0], squeezed)
    with pytest.warns(DeprecationWarning):
        assert np.array_equal(lab.Trace.fetch("data", squeeze=True)[0], squeezed)


@pytest.mark.parametrize("method", ["to_arrow", "to_polars"])
def test_squeeze_is_refused_where_blobs_stay_encoded(lab, method) -> None:
    lab.Trace.insert1({"trace_id": 1, "data": np.ones((1, 2))})
    with pytest.raises(UnsupportedArgumentError, match=rf"{method}\(squeeze=True\).*data"):
        getattr(lab.Trace, method)(squeeze=True)
    # without codec attributes there is nothing to squeeze: the result is the plain one
    plain = getattr(lab.Sample, method)()
    assert getattr(lab.Sample, method)(squeeze=True).equals(plain)


def test_fetch_refuses_an_unknown_format(lab) -> None:
    with (
        pytest.warns(DeprecationWarning),
        pytest.raises(UnsupportedArgumentError, match=r"fetch\(format='dict'\).*to_dicts"),
    ):
        lab.Sample.fetch(format="dict")
    with pytest.warns(DeprecationWarning):
        assert len(lab.Sample.fetch(format="array")) == 3


def test_head_and_tail_take_only_limit_and_order_by(lab) -> None:
    assert [r["sample_id"] for r in lab.Sample.head(2, order_by="sample_id DESC")] == [2, 1]
    assert [r["sample_id"] for r in lab.Sample.tail(2, order_by="sample_id DESC")] == [1, 0]
    with pytest.raises(TypeError):
        lab.Sample.head(2, squeeze=True)
    with pytest.raises(TypeError):
        lab.Sample.tail(2, as_dict=True)
