"""populate(), make(), key_source and progress() on every backend."""

from __future__ import annotations

import pytest

import frames as dj
from frames.errors import DataError


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
    Filtered.insert1({"recording_id": 1, "filter_name": "double", "result": 1},
                     allow_direct_insert=True)
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
