"""``Table.insert(pathlib.Path)`` of a CSV file (DataJoint 2.x), on every backend: text converted
by the attribute types, empty fields, quoted multi-line values, and errors that name the file,
the line and the attribute with nothing inserted."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from uuid import uuid4

import pytest
import university

import frames as dj
from frames.errors import (
    DataError,
    DuplicateError,
    MissingAttributeError,
    UnknownAttributeError,
)


@pytest.fixture
def schema(backend_url: str, schema_name: str, monkeypatch):
    monkeypatch.setitem(dj.config, "safemode", False)
    connection = dj.connect(backend_url)
    schema = dj.Schema(schema_name, connection=connection)
    try:
        yield schema
    finally:
        schema.drop(prompt=False)
        connection.close()


@pytest.fixture
def Reading(schema):
    @schema
    class Reading(dj.Manual):
        definition = """
        reading_id : int16
        ---
        taken : date
        amount = null : decimal(5,2)
        repeats = 7 : int16
        ok : bool
        label : varchar(30)
        note = null : varchar(200)
        kind : enum('a', 'b')
        """

    return Reading


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "readings.csv"
    path.write_text(text, encoding="utf-8")
    return path


# Header in another order than the heading; line 3 holds a quoted value over two lines, so the
# record after it starts on line 5.
GOOD = (
    "kind,reading_id,taken,amount,repeats,ok,label,note\n"
    "a,1,2024-02-29,12.5,3,TRUE,first,plain\n"
    'b,2,2024-03-01,,,0,,"two\n'
    'lines, quoted"\n'
    "a,3,2024-03-02,-0.25,0,false,third,\n"
)


def test_csv_values_are_converted_by_attribute_type(Reading, tmp_path):
    assert Reading.insert(write(tmp_path, GOOD)) == 3
    rows = Reading.to_dicts(order_by="reading_id")
    assert rows == [
        {
            "reading_id": 1,
            "taken": datetime.date(2024, 2, 29),
            "amount": Decimal("12.50"),
            "repeats": 3,
            "ok": True,
            "label": "first",
            "note": "plain",
            "kind": "a",
        },
        {  # empty number fields take the default (NULL, 7); an empty text field is ""
            "reading_id": 2,
            "taken": datetime.date(2024, 3, 1),
            "amount": None,
            "repeats": 7,
            "ok": False,
            "label": "",
            "note": "two\nlines, quoted",
            "kind": "b",
        },
        {
            "reading_id": 3,
            "taken": datetime.date(2024, 3, 2),
            "amount": Decimal("-0.25"),
            "repeats": 0,
            "ok": False,
            "label": "third",
            "note": "",
            "kind": "a",
        },
    ]


def test_a_bad_value_names_file_line_and_attribute_and_inserts_nothing(Reading, tmp_path):
    path = write(tmp_path, GOOD.replace("2024-03-02", "2024-13-02"))
    with pytest.raises(DataError) as error:
        Reading.insert(path)
    message = str(error.value)
    assert f"{str(path)!r} line 5" in message and "'taken'" in message
    assert "2024-13-02" in message
    assert len(Reading) == 0


@pytest.mark.parametrize(
    ("change", "attribute"),
    [
        (("3,TRUE", "70000,TRUE"), "'repeats'"),  # out of int16's range
        (("b,2", "c,2"), "'kind'"),  # not an enum member
        (("12.5", "12345.5"), "'amount'"),  # too many digits for decimal(5,2)
        (("TRUE", "yes"), "'ok'"),  # not a boolean
    ],
)
def test_each_check_names_the_line(Reading, tmp_path, change, attribute):
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(DataError) as error:
        Reading.insert(path)
    line = 2 if change[0] in ("3,TRUE", "12.5", "TRUE") else 3
    assert f"{str(path)!r} line {line}, attribute {attribute}" in str(error.value)
    assert len(Reading) == 0


def test_an_empty_field_without_a_default_is_missing(Reading, tmp_path):
    path = write(tmp_path, GOOD.replace("a,3,2024-03-02", "a,3,"))
    with pytest.raises(MissingAttributeError, match=r"line 5 lacks attribute 'taken'"):
        Reading.insert(path)
    assert len(Reading) == 0


def test_unknown_columns_are_refused_unless_ignored(Reading, tmp_path):
    path = write(tmp_path, "reading_id,taken,ok,label,kind,colour\n1,2024-01-01,1,x,a,red\n")
    with pytest.raises(UnknownAttributeError, match=r"line 2 has unknown attribute 'colour'"):
        Reading.insert(path)
    assert Reading.insert(path, ignore_extra_fields=True) == 1
    assert Reading.to_dicts()[0]["label"] == "x"


def test_malformed_files_are_data_errors(Reading, tmp_path):
    path = write(tmp_path, GOOD.replace("a,3,", "a,3,x,"))
    with pytest.raises(DataError, match=r"line 5 has 9 fields but the header names 8"):
        Reading.insert(path)
    path = write(tmp_path, "reading_id,taken,reading_id\n1,2024-01-01,2\n")
    with pytest.raises(DataError, match=r"the header \(line 1\) names 'reading_id' twice"):
        Reading.insert(path)
    with pytest.raises(DataError, match="cannot read the CSV file"):
        Reading.insert(tmp_path / "absent.csv")
    assert len(Reading) == 0


def test_duplicates_and_chunks(Reading, tmp_path):
    path = write(tmp_path, GOOD + "a,1,2024-03-03,1,1,1,again,\n")
    with pytest.raises(DuplicateError, match="reading_id"):
        Reading.insert(path)
    assert len(Reading) == 0
    Reading.insert(path, skip_duplicates=True)
    assert len(Reading) == 3
    Reading.delete_quick()
    bad = write(tmp_path, GOOD.replace("third", "x" * 31))
    with pytest.raises(DataError, match=r"line 5, attribute 'label'"):
        Reading.insert(bad, chunk_size=1)  # each chunk keeps its rows' lines
    assert len(Reading) == 2  # the chunks before the bad one are written, as documented


def test_validate_reads_a_csv_file(Reading, tmp_path):
    assert Reading.validate(write(tmp_path, GOOD)).is_valid
    result = Reading.validate(write(tmp_path, GOOD.replace("TRUE", "maybe")))
    assert not result.is_valid and result.errors[0][:2] == (0, "ok")
    assert len(Reading) == 0


def test_university_files_insert_by_path_as_their_rows_do(backend_url):
    """DataJoint's University data, inserted by path, equals the same rows inserted as dicts."""
    connection = dj.connect(backend_url)
    by_path = dj.Schema(f"frames_csv_{uuid4().hex[:8]}", connection=connection)
    by_rows = dj.Schema(f"frames_csv_{uuid4().hex[:8]}", connection=connection)
    try:
        files, rows = university.declare(by_path), university.declare(by_rows)
        university.load(rows)
        for name in university.LOAD_ORDER:
            getattr(files, name).insert(university.fixture_dir() / f"{name}.csv")
        for name in university.LOAD_ORDER:
            expected = getattr(rows, name).to_dicts(order_by="KEY")
            assert getattr(files, name).to_dicts(order_by="KEY") == expected, name
            assert len(expected) == len(university.read_csv(name))
    finally:
        by_path.drop(prompt=False)
        by_rows.drop(prompt=False)
        connection.close()
