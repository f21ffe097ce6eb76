"""populate(), make(), key_source and progress() on every backend."""

from __future__ import annotations

import logging
import os
import time

import pytest

import frames as dj
from frames.errors import DataError, FramesError


@pytest.fixture
def pipeline(backend_url: str, schema_name: str):
    connection = dj.connect(backend_url)
    schema = dj.Schema(schema_name, connection=connection)

    @schema
    class Recording(dj.Manual):
        definition = """
        recording_id : int32
        ---
        samples : int32
        """

    @schema
    class Filter(dj.Lookup):
        definition = """
        filter_name : varchar(16)
        ---
        factor : int32
        """
        contents = [("double", 2), ("triple", 3)]

    @schema
    class Filtered(dj.Computed):
        definition = """
        -> Recording
        -> Filter
        ---
        result : int64
        """

        class Piece(dj.Part):
            definition = """
            -> master
            piece : int16
            ---
            value : int64
            """

        def make(self, key):
            samples = (Recording & key).fetch1("samples")
            factor = (Filter & key).fetch1("factor")
            if samples < 0:
                raise ValueError("negative samples")
            self.insert1({**key, "result": samples * factor})
            self.Piece.insert([{**key, "piece": i, "value": i * factor} for i in range(2)])

    Recording.insert([(1, 10), (2, 20), (3, -1)])
    try:
        yield Recording, Filter, Filtered
    finally:
        schema.drop(prompt=False)
        connection.close()


def test_key_source_is_the_join_of_primary_key_parents(pipeline) -> None:
    _, _, Filtered = pipeline
    assert Filtered.key_source.primary_key == ["recording_id", "filter_name"]
    assert len(Filtered.key_source) == 6


def test_populate_fills_and_failed_makes_leave_nothing(pipeline) -> None:
    Recording, _, Filtered = pipeline
    report = Filtered.populate(suppress_errors=True)
    assert report["success_count"] == 4 and len(report["error_list"]) == 2
    assert len(Filtered) == 4 and len(Filtered.Piece) == 8
    assert not (Filtered & {"recording_id": 3})
    assert not (Filtered.Piece & {"recording_id": 3})
    rows = {(r["recording_id"], r["filter_name"]): r["result"] for r in Filtered.to_dicts()}
    assert rows == {(1, "double"): 20, (1, "triple"): 30, (2, "double"): 40, (2, "triple"): 60}
    assert Filtered.progress(display=False) == (2, 6)
    with pytest.raises(ValueError, match="negative"):
        Filtered.populate()
    assert len(Filtered) == 4


def test_populate_with_restrictions_and_limits(pipeline) -> None:
    _, _, Filtered = pipeline
    Filtered.populate({"recording_id": 1})
    assert len(Filtered) == 2
    Filtered.populate("recording_id < 3", max_calls=1)
    assert len(Filtered) == 3
    assert Filtered.populate("recording_id < 3")["success_count"] == 1


def test_computed_tables_refuse_direct_inserts(pipeline) -> None:
    _, _, Filtered = pipeline
    with pytest.raises(DataError, match="populate"):
        Filtered.insert1({"recording_id": 1, "filter_name": "double", "result": 1})
    Filtered.insert1(
        {"recording_id": 1, "filter_name": "double", "result": 1}, allow_direct_insert=True
    )
    assert len(Filtered) == 1


def test_reserved_jobs_record_failures_and_skip_them(pipeline) -> None:
    _, _, Filtered = pipeline
    report = Filtered.populate(reserve_jobs=True, suppress_errors=True)
    assert report["success_count"] == 4 and len(report["error_list"]) == 2
    errors = Filtered.jobs.to_dicts()
    assert len(errors) == 2 and {e["status"] for e in errors} == {"error"}
    assert all("negative samples" in e["error_message"] for e in errors)
    # failed keys are skipped until their error rows are removed
    assert Filtered.populate(reserve_jobs=True, suppress_errors=True)["error_list"] == []
    Filtered.jobs.delete_quick()
    assert len(Filtered.populate(reserve_jobs=True, suppress_errors=True)["error_list"]) == 2
    assert "~~filtered" not in Filtered._schema.list_tables()


def test_populate_has_datajoints_signature_and_refusals(pipeline) -> None:
    _, _, Filtered = pipeline
    with pytest.raises(TypeError):
        Filtered.populate(order="reverse")
    with pytest.raises(FramesError, match="Cannot call populate on a restricted table"):
        (Filtered & {"recording_id": 1}).populate()
    with (
        Filtered._schema.connection.transaction,
        pytest.raises(FramesError, match="during a transaction"),
    ):
        Filtered.populate()
    assert Filtered.populate(max_calls=3)["success_count"] == 3


def test_make_gets_only_the_key_and_pending_keys_match_on_the_key(pipeline) -> None:
    Recording, _, _ = pipeline
    schema = Recording._schema
    seen = []

    @schema
    class Summary(dj.Computed):
        definition = """
        -> Recording
        ---
        samples : int32   # same name as Recording's, other values
        """

        @property
        def key_source(self):
            return Recording()  # carries the secondary attribute samples

        def make(self, key):
            seen.append(key)
            self.insert1({**key, "samples": 0})

    assert Summary.populate(max_calls=1)["success_count"] == 1
    assert seen == [{"recording_id": 1}]
    assert Summary.progress() == (2, 3)
    assert Summary.populate()["success_count"] == 2
    assert Summary.progress() == (0, 3) and len(seen) == 3


def test_three_part_make_computes_outside_the_transaction_and_checks_the_fetch(pipeline) -> None:
    Recording, _, _ = pipeline
    schema = Recording._schema
    calls = []

    @schema
    class Scaled(dj.Computed):
        definition = """
        -> Recording
        ---
        scaled : int64
        """

        def make_fetch(self, key, factor=1):
            calls.append("fetch")
            return (Recording & key).fetch1("samples"), factor

        def make_compute(self, key, samples, factor):
            calls.append("compute")
            assert not self._connection.in_transaction
            return (samples * factor,)

        def make_insert(self, key, scaled):
            calls.append("insert")
            assert self._connection.in_transaction
            self.insert1({**key, "scaled": scaled})

    Scaled.populate({"recording_id": 1}, make_kwargs={"factor": 3})
    assert calls == ["fetch", "compute", "fetch", "insert"]
    assert Scaled.fetch1("scaled") == 30

    def fetch_changing(self, key, factor=1):
        calls.append("fetch")
        return len(calls), factor

    Scaled.make_fetch = fetch_changing
    with pytest.raises(FramesError, match="make_fetch` data has changed"):
        Scaled.populate({"recording_id": 2})
    assert len(Scaled) == 1


def test_generator_make(pipeline) -> None:
    Recording, _, _ = pipeline
    schema = Recording._schema

    @schema
    class Halved(dj.Computed):
        definition = """
        -> Recording
        ---
        half : float64
        """

        def make(self, key):
            samples = (Recording & key).fetch1("samples")
            half = yield (samples,)
            if half is None:
                half = samples / 2
                yield half
            self.insert1({**key, "half": half})
            yield

    assert Halved.populate()["success_count"] == 3
    assert sorted(Halved.to_arrays("half")) == [-0.5, 5.0, 10.0]


def test_processes_run_make_in_worker_processes(pipeline, backend_name) -> None:
    Recording, _, _ = pipeline
    schema = Recording._schema
    Recording.insert([(n, n) for n in range(4, 9)])

    @schema
    class Worker(dj.Computed):
        definition = """
        -> Recording
        ---
        pid : int64
        """

        def make(self, key):
            time.sleep(0.2)
            self.insert1({**key, "pid": os.getpid()})

    report = Worker.populate(processes=2, reserve_jobs=backend_name == "postgres")
    assert report == {"success_count": 8, "error_list": []}
    pids = set(Worker.to_arrays("pid"))
    if backend_name == "duckdb":  # one process holds a DuckDB database
        assert pids == {os.getpid()}
    else:
        assert len(pids) == 2 and os.getpid() not in pids
    assert len(Recording()) == 8  # the parent's connection still works


def test_errors_in_worker_processes_are_returned(pipeline, backend_name) -> None:
    _, _, Filtered = pipeline
    report = Filtered.populate(processes=2, suppress_errors=True)
    assert report["success_count"] == 4
    assert (
        sorted(message for _, message in report["error_list"])
        == ["ValueError: negative samples"] * 2
    )


def test_progress_is_logged_and_a_bar_shown(pipeline, caplog, capsys) -> None:
    _, _, Filtered = pipeline
    Filtered.populate({"recording_id": 1}, display_progress=True)
    assert "Filtered" in capsys.readouterr().err  # tqdm writes to stderr
    with caplog.at_level(logging.INFO, logger="frames"):
        assert Filtered.progress(display=True) == (4, 6)
    assert "Completed 2 of 6" in caplog.text


def test_upstream_only_inside_make(pipeline) -> None:
    _, _, Filtered = pipeline
    with pytest.raises(FramesError, match="only available inside make"):
        _ = Filtered().upstream


def test_auto_populated_keys_may_have_their_own_attributes(pipeline, caplog) -> None:
    """As in DataJoint 2.3.5, whose FK-only check never runs; jobs key on the parents' part."""
    Recording, _, _ = pipeline
    schema = Recording._schema

    class Split(dj.Computed):
        definition = """
        -> Recording
        half : int16
        ---
        samples : int32
        """

        def make(self, key):
            samples = (Recording & key).fetch1("samples")
            self.insert([{**key, "half": h, "samples": samples // 2} for h in (0, 1)])

    schema(Split)
    assert Split.populate()["success_count"] == 3 and len(Split) == 6
    with caplog.at_level(logging.WARNING, logger="frames"):
        assert Split.jobs.primary_key == ["recording_id"]
    assert "Ignoring non-FK primary key attribute 'half'" in caplog.text


def test_job_metadata_is_hidden_and_filled_by_populate(pipeline, monkeypatch) -> None:
    Recording, _, _ = pipeline
    schema = Recording._schema
    monkeypatch.setitem(dj.config, "jobs.add_job_metadata", True)

    @schema
    class Left(dj.Computed):
        definition = """
        -> Recording
        ---
        value : int32
        """

        def make(self, key):
            self.insert1({**key, "value": 1})

    @schema
    class Right(dj.Imported):
        definition = """
        -> Recording
        ---
        other : int32
        """

        def make(self, key):
            self.insert1({**key, "other": 2})

    names = ["_job_start_time", "_job_duration", "_job_version"]
    assert set(names) <= set(Left.heading._attributes) and not set(names) & set(Left.heading.names)
    assert all(Left.heading._attributes[name].is_hidden for name in names)
    assert not set(names) & set(Recording.heading._attributes)
    Left.populate()
    Right.populate()
    assert set(Left.to_dicts()[0]) == {"recording_id", "value"}
    assert len(Left * Right) == 3  # the hidden columns are not matched
    q = "`" if schema.connection.dialect == "mysql" else '"'
    rows = schema.connection.backend.fetch_rows(
        f"SELECT _job_start_time, _job_duration, _job_version "
        f"FROM {q}{schema.database}{q}.{q}{Left.table_name}{q}"
    )
    assert len(rows) == 3 and all(r[0] is not None and r[1] >= 0 and r[2] == "" for r in rows)


def test_an_interrupt_in_a_worker_stops_populate_and_fails_its_job(pipeline, backend_name) -> None:
    Recording, _, _ = pipeline
    schema = Recording._schema

    @schema
    class Interrupted(dj.Computed):
        definition = """
        -> Recording
        """

        def make(self, key):
            if key["recording_id"] == 2:
                raise KeyboardInterrupt
            self.insert1(key)

    with pytest.raises(KeyboardInterrupt):
        Interrupted.populate(processes=2, reserve_jobs=True)
    assert (Interrupted.jobs & {"recording_id": 2}).fetch1("error_message") == "KeyboardInterrupt"
    # a job another worker was making when populate stopped fails too: none stays reserved
    assert len(Interrupted.jobs.reserved) == 0
    assert all(
        "populate stopped" in message
        for message in (Interrupted.jobs.errors - {"recording_id": 2}).to_arrays("error_message")
    )
