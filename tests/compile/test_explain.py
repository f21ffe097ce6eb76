"""explain(): the plan before and after rewriting, with headings, keys and the SQL."""

from __future__ import annotations

from test_query_compile import SESSION, SUBJECT

import frames as dj
from frames.plan.explain import explain


def test_explain_shows_both_plans_keys_and_sql() -> None:
    query = (SESSION & {"subject_id": 1} & "notes like 'x%'") * SUBJECT.proj("sex")
    text = explain(query.plan, query.compile("postgres")[0])
    before, after = text.split("== after rewriting ==")
    assert "== plan ==" in before and "== sql ==" in after
    assert before.count("Restrict") == 1 and after.split("== sql ==")[0].count("Restrict") == 1
    assert "(subject_id = :1)" in after and "(notes LIKE :'x%')" in after
    assert "key: (subject_id, session_date)" in text
    assert "heading: subject_id, session_date, notes, sex" in text
    assert after.split("== sql ==")[1].strip().startswith("SELECT")


def test_explain_describes_aggregates_and_tops() -> None:
    per = SUBJECT.aggr(SESSION, n="count(*)") & dj.Top(3, "n DESC")
    text = explain(per.plan, per.compile("duckdb")[0])
    assert "Aggregate on (subject_id)" in text and "n=count(*)" in text
    assert "Top limit=3 offset=0 order by n DESC, subject_id ASC" in text
