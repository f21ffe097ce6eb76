"""Text and HTML previews of query results."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest

from frames.api.display import format_html, format_text, format_value
from frames.declare.spec import Attribute
from frames.declare.types import parse_type
from frames.plan.heading import Heading
from frames.settings import config


def attr(name: str, type_: str, key: bool = False, comment: str = "") -> Attribute:
    return Attribute(name, parse_type(type_), in_key=key, comment=comment)


@pytest.fixture
def setting():
    """Change config values for one test."""
    saved = {}

    def change(key, value):
        saved.setdefault(key, config[key])
        config[key] = value

    yield change
    for key, value in saved.items():
        config[key] = value


SUBJECT = Heading(
    (
        attr("subject_id", "int32", key=True),
        attr("species", "varchar(32)"),
        attr("date_of_birth", "date"),
        attr("sex", "enum('M','F','unknown')"),
    )
)
SUBJECT_ROWS = [
    {"subject_id": 1, "species": "mouse", "date_of_birth": datetime.date(2024, 1, 15), "sex": "M"},
    {"subject_id": 2, "species": "mouse", "date_of_birth": datetime.date(2024, 1, 20), "sex": "F"},
    {"subject_id": 3, "species": "mouse", "date_of_birth": datetime.date(2024, 2, 1), "sex": "M"},
]


# -- text -------------------------------------------------------------------------------------


def test_tutorial_subject_table():
    assert format_text(SUBJECT, SUBJECT_ROWS, total=3) == (
        "*subject_id    species     date_of_birth     sex\n"
        "+------------+ +---------+ +---------------+ +-----+\n"
        "1              mouse       2024-01-15        M\n"
        "2              mouse       2024-01-20        F\n"
        "3              mouse       2024-02-01        M\n"
        "\n"
        "Total: 3"
    )


def test_tutorial_recording_table_keeps_decimal_scale():
    heading = Heading(
        (
            attr("subject_id", "int32", key=True),
            attr("session_date", "date", key=True),
            attr("recording_id", "int16", key=True),
            attr("duration", "decimal(5,1)"),
            attr("quality", "enum('good','fair','poor')"),
        )
    )
    rows = [
        {
            "subject_id": 1,
            "session_date": datetime.date(2024, 6, 1),
            "recording_id": 2,
            "duration": Decimal("450.0"),
            "quality": "good",
        },
    ]
    assert format_text(heading, rows, total=1) == (
        "*subject_id    *session_date    *recording_id    duration     quality\n"
        "+------------+ +--------------+ +--------------+ +----------+ +---------+\n"
        "1              2024-06-01       2                450.0        good\n"
        "\n"
        "Total: 1"
    )


def test_null_shows_as_none():
    heading = Heading((attr("subject_id", "int32", key=True), attr("total_duration", "float64")))
    rows = [{"subject_id": 1, "total_duration": 1350.5}, {"subject_id": 3, "total_duration": None}]
    lines = format_text(heading, rows, total=2).splitlines()
    assert lines[2] == "1              1350.5"
    assert lines[3] == "3              None"


def test_more_rows_than_shown_adds_an_ellipsis_line():
    text = format_text(SUBJECT, SUBJECT_ROWS[:2], total=3)
    assert text.splitlines()[-3:] == ["   ...", "", "Total: 3"]
    assert "..." not in format_text(SUBJECT, SUBJECT_ROWS, total=3)


def test_without_a_total_extra_rows_still_show_the_ellipsis():
    text = format_text(SUBJECT, SUBJECT_ROWS, total=None, limit=2)
    assert text.splitlines()[-1] == "   ..." and "Total" not in text
    assert format_text(SUBJECT, SUBJECT_ROWS[:2], total=None, limit=2).splitlines()[-1] != "   ..."
    page = format_html(SUBJECT, SUBJECT_ROWS, total=None, limit=2)
    assert page.endswith("<p>...</p>\n</div>") and "Total" not in page


def test_limit_cuts_the_rows_shown(setting):
    assert format_text(SUBJECT, SUBJECT_ROWS, total=3, limit=1).splitlines()[2:] == [
        "1              mouse       2024-01-15        M",
        "   ...",
        "",
        "Total: 3",
    ]
    setting("display.limit", 2)
    assert len(format_text(SUBJECT, SUBJECT_ROWS, total=3).splitlines()) == 2 + 2 + 3


def test_long_values_are_truncated_at_display_width(setting):
    heading = Heading((attr("id", "int32", key=True), attr("notes", "varchar(255)")))
    rows = [{"id": 1, "notes": "a" * 40}, {"id": 2, "notes": "short"}]
    lines = format_text(heading, rows, total=2).splitlines()
    assert lines[1] == "+----+ +----------------------+"  # capped at the default width of 24
    assert lines[2] == "1      " + "a" * 23 + "…"
    assert lines[3] == "2      short"
    setting("display.width", 10)
    assert format_text(heading, rows, total=2).splitlines()[2] == "1      " + "a" * 9 + "…"


def test_long_names_are_truncated_too(setting):
    setting("display.width", 8)
    heading = Heading((attr("identifier", "int32", key=True),))
    assert format_text(heading, [{"identifier": 1}], total=1).splitlines()[:3] == [
        "*identi…",
        "+------+",
        "1",
    ]


def test_line_breaks_in_values_stay_on_one_line():
    heading = Heading((attr("id", "int32", key=True), attr("notes", "text")))
    lines = format_text(heading, [{"id": 1, "notes": "two\nlines"}], total=1).splitlines()
    assert lines[2] == "1      two lines"


def test_empty_result():
    assert format_text(SUBJECT, [], total=0).splitlines() == [
        "*subject_id    species     date_of_birth     sex",
        "+------------+ +---------+ +---------------+ +-----+",
        "",
        "Total: 0",
    ]


# -- values -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "None"),
        (True, "True"),
        (7, "7"),
        (1350.5, "1350.5"),
        (5.0, "5.0"),
        (0.1 + 0.2, "0.3"),
        (100.00000000000001, "100.0"),
        (1e20, "1e+20"),
        (float("nan"), "nan"),
        (Decimal("450.0"), "450.0"),
        (Decimal("5.0083333333333333"), "5.0083333333333333"),
        (Decimal("1E-7"), "0.0000001"),
        (datetime.date(2024, 1, 15), "2024-01-15"),
        (datetime.datetime(2024, 6, 1, 10, 30), "2024-06-01 10:30:00"),
        ("mouse", "mouse"),
        (uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"),
        ({"a": [1, None]}, '{"a": [1, null]}'),
        ([1, "é"], '[1, "é"]'),
        (b"\x00\x01", "=BLOB="),
    ],
)
def test_format_value(value, text):
    assert format_value(value) == text


# -- HTML -------------------------------------------------------------------------------------


def test_html_table():
    page = format_html(SUBJECT, SUBJECT_ROWS[:2], total=3)
    assert page.startswith("<style>") and '</style>\n<div class="frames-table">' in page
    assert ".frames-table th.key" in page  # the style is scoped to the preview
    assert '<th class="key">subject_id</th><th>species</th>' in page
    assert "<tr><td>1</td><td>mouse</td><td>2024-01-15</td><td>M</td></tr>" in page
    assert page.count("<tr><td>") == 2
    assert page.endswith("<p>...</p>\n<p>Total: 3</p>\n</div>")


def test_html_without_left_out_rows_has_no_ellipsis():
    page = format_html(SUBJECT, SUBJECT_ROWS, total=3)
    assert "<p>...</p>" not in page
    assert page.endswith("<p>Total: 3</p>\n</div>")


def test_html_escapes_values_and_comments():
    heading = Heading(
        (attr("id", "int32", key=True, comment='the "id" <key>'), attr("notes", "varchar(64)"))
    )
    page = format_html(heading, [{"id": 1, "notes": "<b>bold</b> & more"}], total=1)
    assert "<td>&lt;b&gt;bold&lt;/b&gt; &amp; more</td>" in page
    assert "<b>" not in page
    assert 'title="the &quot;id&quot; &lt;key&gt;"' in page


def test_html_limit_and_null(setting):
    setting("display.limit", 1)
    heading = Heading((attr("id", "int32", key=True), attr("total", "decimal(6,1)")))
    rows = [{"id": 3, "total": None}, {"id": 4, "total": Decimal("1.0")}]
    page = format_html(heading, rows, total=2)
    assert "<tr><td>3</td><td>None</td></tr>" in page
    assert "<td>4</td>" not in page
    assert "<p>...</p>" in page


def test_docstring_examples():
    import doctest

    import frames.api.display

    assert doctest.testmod(frames.api.display).failed == 0
