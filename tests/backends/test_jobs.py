"""The job queue of auto-populated tables (``Table.jobs``, ``Schema.jobs``) on every backend."""

from __future__ import annotations

import datetime
import uuid

import pytest

import frames as dj
from frames.api.jobs import ERROR_MESSAGE_LENGTH, TRUNCATION_APPENDIX, Job


@pytest.fixture
def lab(backend_url: str, schema_name: str):
    """Subject (3 rows) → Session (native key part) → Analysis (computed)."""
    connection = dj.connect(backend_url)
    schema = dj.Schema(schema_name, connection=connection)

    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        ---
        weight : float64
        """

    @schema
    class Analysis(dj.Computed):
        definition = """
        -> Subject
        ---
        doubled : float64
        """

        def make(self, key):
            weight = (Subject & key).fetch1("weight")
            if weight < 0:
                raise ValueError("negative weight")
            self.insert1({**key, "doubled": 2 * weight})

    Subject.insert([(1, 10.0), (2, 20.0), (3, -1.0)])
    try:
        yield schema, Subject, Analysis
    finally:
        schema.drop(prompt=False)
        connection.close()


def test_jobs_table_is_declared_on_first_use_with_the_foreign_key_part_of_the_key(lab) -> None:
    schema, _, Analysis = lab
    assert schema.jobs == []
    jobs = Analysis.jobs
    assert isinstance(jobs, Job) and jobs.table_name == "~~analysis"
    assert jobs.primary_key == ["subject_id"]
    assert jobs.target.table_name == Analysis.table_name
    assert [j.table_name for j in schema.jobs] == ["~~analysis"]
    assert "~~analysis" not in schema.list_tables()
    assert jobs.progress() == {
        "pending": 0,
        "reserved": 0,
        "success": 0,
        "error": 0,
        "ignore": 0,
        "total": 0,
    }


def test_refresh_reserve_complete_and_error(lab) -> None:
    _, _, Analysis = lab
    jobs = Analysis.jobs
    assert jobs.refresh() == {"added": 3, "removed": 0, "orphaned": 0, "re_pended": 0}
    assert jobs.refresh()["added"] == 0
    assert len(jobs.pending) == 3 == len(jobs)
    first, second, third = jobs.pending.keys(order_by="subject_id")
    assert jobs.reserve(first) and not jobs.reserve(first)
    assert len(jobs.reserved) == 1
    jobs.complete(first)
    assert len(jobs) == 2  # not kept: config['jobs.keep_completed'] is off
    jobs.reserve(second)
    jobs.error(second, "x" * (ERROR_MESSAGE_LENGTH + 10), error_stack="Traceback ...")
    message = jobs.errors.fetch1("error_message")
    assert len(message) == ERROR_MESSAGE_LENGTH and message.endswith(TRUNCATION_APPENDIX)
    assert not jobs.reserve(second)  # failed jobs are not retried
    jobs.ignore(third)
    assert jobs.ignored.keys() == [third] and not jobs.reserve(third)
    assert jobs.progress() == {
        "pending": 0,
        "reserved": 0,
        "success": 0,
        "error": 1,
        "ignore": 1,
        "total": 2,
    }
    jobs.errors.delete()
    assert len(jobs) == 1


def test_ignore_adds_a_missing_job_and_refresh_keeps_it(lab) -> None:
    _, _, Analysis = lab
    Analysis.jobs.ignore({"subject_id": 1})
    assert Analysis.jobs.refresh()["added"] == 2
    Analysis.populate(reserve_jobs=True, suppress_errors=True)
    assert [k["subject_id"] for k in Analysis.keys()] == [2]


def test_delayed_jobs_wait_and_priority_orders_and_filters(lab) -> None:
    _, _, Analysis = lab
    jobs = Analysis.jobs
    jobs.refresh({"subject_id": 1}, delay=3600)
    assert not jobs.reserve({"subject_id": 1})  # not due yet
    jobs.refresh({"subject_id": 2}, priority=1)
    jobs.refresh(priority=9)
    assert [r["priority"] for r in jobs.to_dicts(order_by="subject_id")] == [5, 1, 9]
    assert jobs.due_keys() == [{"subject_id": 2}, {"subject_id": 3}]
    report = Analysis.populate(reserve_jobs=True, refresh=False, priority=3)
    assert report == {"success_count": 1, "error_list": []}
    assert Analysis.keys() == [{"subject_id": 2}]


def test_keep_completed_keeps_success_and_re_pends_removed_results(lab, monkeypatch) -> None:
    _, _, Analysis = lab
    monkeypatch.setitem(dj.config, "jobs.keep_completed", True)
    Analysis.populate({"subject_id": 1}, reserve_jobs=True)
    done = Analysis.jobs.completed.fetch1()
    assert done["subject_id"] == 1 and done["duration"] >= 0
    assert done["completed_time"] is not None and done["host"]
    (Analysis & {"subject_id": 1}).delete(prompt=False)
    assert Analysis.jobs.refresh({"subject_id": 1})["re_pended"] == 1
    assert Analysis.jobs.pending.keys() == [{"subject_id": 1}]


def test_refresh_removes_vanished_and_stale_jobs_and_frees_orphans(lab) -> None:
    _, Subject, Analysis = lab
    jobs = Analysis.jobs
    jobs.refresh()
    jobs.reserve({"subject_id": 2})
    jobs.reserve({"subject_id": 3})
    jobs.error({"subject_id": 3}, "failed")
    (Subject & "subject_id > 1").delete(prompt=False)
    # the error record of a vanished key goes at once; other jobs only once stale
    assert jobs.refresh()["removed"] == 1
    assert jobs.refresh(stale_timeout=0)["removed"] == 0
    long_ago = datetime.datetime.now() - datetime.timedelta(hours=2)
    jobs.delete()
    jobs.insert(
        [
            {
                "subject_id": subject,
                "status": "reserved",
                "priority": 5,
                "created_time": long_ago,
                "scheduled_time": long_ago,
                "reserved_time": long_ago,
            }
            for subject in (1, 2)
        ]
    )
    result = jobs.refresh(stale_timeout=3600, orphan_timeout=60)
    # subject 2 has left key_source: stale; subject 1's reservation is an orphan
    assert result["removed"] == 1 and result["orphaned"] == 1
    assert [(r["subject_id"], r["status"]) for r in jobs.to_dicts()] == [(1, "pending")]


def test_populate_records_failures_and_interrupts_as_errors(lab) -> None:
    _, _, Analysis = lab
    report = Analysis.populate(reserve_jobs=True, suppress_errors=True)
    assert report["success_count"] == 2
    [(key, message)] = report["error_list"]
    assert key == {"subject_id": 3} and message == "ValueError: negative weight"
    error = Analysis.jobs.errors.fetch1()
    assert error["error_message"] == "ValueError: negative weight"
    assert error["error_stack"].startswith("Traceback")
    assert len(Analysis.jobs) == 1  # successes are not kept


def test_keyboard_interrupt_marks_the_job_failed_and_propagates(lab, monkeypatch) -> None:
    _, _, Analysis = lab

    def interrupted(self, key):
        raise KeyboardInterrupt

    monkeypatch.setattr(Analysis, "make", interrupted)
    with pytest.raises(KeyboardInterrupt):
        Analysis.populate(reserve_jobs=True, suppress_errors=True)
    assert Analysis.jobs.errors.fetch1("error_message") == "KeyboardInterrupt"
    assert len(Analysis.jobs.reserved) == 0 and len(Analysis) == 0


def test_jobs_of_a_schema_are_found_without_its_classes(lab) -> None:
    schema, _, Analysis = lab
    Analysis.jobs.refresh()
    [jobs] = dj.Schema(schema.database, connection=schema.connection).jobs
    assert jobs.target.table_name == Analysis.table_name
    jobs.delete()
    assert len(Analysis.jobs) == 0


def test_jobs_of_a_uuid_keyed_table(backend_url: str, schema_name: str) -> None:
    connection = dj.connect(backend_url)
    schema = dj.Schema(schema_name, connection=connection)

    @schema
    class Item(dj.Manual):
        definition = """
        item : uuid
        """

    @schema
    class Checked(dj.Computed):
        definition = """
        -> Item
        """

        def make(self, key):
            self.insert1(key)

    try:
        item = uuid.uuid4()
        Item.insert1({"item": item})
        assert "item : uuid" in Checked.jobs.definition
        assert Checked.jobs.heading["item"].original_type == "uuid"
        Checked.jobs.refresh()
        assert Checked.jobs.reserve({"item": item})
        Checked.jobs.error({"item": item}, "failed")
        assert Checked.jobs.errors.fetch1("item") == item
        Checked.jobs.delete()
        assert Checked.populate(reserve_jobs=True)["success_count"] == 1
    finally:
        schema.drop(prompt=False)
        connection.close()
