"""DataJoint's ``datajoint.heading`` on frames: the heading view, its attributes and their
storage classification (no database)."""

from __future__ import annotations

import datetime

import numpy as np
import pytest

from frames.api.dj_heading import Attribute, Heading, default_attribute_properties
from frames.codecs import ObjectCodec, get_codec, unregister_codec
from frames.declare.spec import AUTO_INCREMENT, SqlDefault
from frames.declare.spec import Attribute as CoreAttribute
from frames.declare.types import parse_type
from frames.errors import FramesError, MissingTableError
from frames.plan.heading import Heading as PlanHeading


def attr(name: str, kind: str, **fields: object) -> CoreAttribute:
    return CoreAttribute(name, parse_type(kind), **fields)  # type: ignore[arg-type]


PLAN = PlanHeading(
    (
        attr("id", "int32", in_key=True, comment="the id"),
        attr("count", "int16", nullable=True, default=None),
        attr("score", "float32", default=0.5),
        attr("name", "varchar(10)", default="it's"),
        attr("samples", "bytes", codec="<blob>"),
    )
)
VIEW = Heading.of_plan(PLAN)


def test_names_and_keys_are_lists_and_iteration_gives_names() -> None:
    assert VIEW.names == ["id", "count", "score", "name", "samples"]
    assert VIEW.primary_key == ["id"]
    assert VIEW.secondary_attributes == ["count", "score", "name", "samples"]
    assert list(VIEW) == VIEW.names and len(VIEW) == 5
    assert "score" in VIEW and "nope" not in VIEW
    assert list(VIEW.attributes) == VIEW.names
    assert VIEW["id"] is VIEW.attributes["id"]


def test_attributes_have_datajoint_fields() -> None:
    ident, count, score, name, samples = VIEW.attributes.values()
    assert ident._fields == tuple(default_attribute_properties)
    assert (ident.type, ident.original_type, ident.in_key, ident.comment) == (
        "int32",
        "int32",
        True,
        "the id",
    )
    assert ident.numeric and not ident.string and ident.dtype is np.int64
    assert count.nullable and count.default == "null" and count.dtype is object
    assert score.default == "0.5" and score.dtype is np.float64
    assert name.string and name.default == "'it''s'" and not name.numeric
    # a codec attribute: its type is the codec as declared, its codec the Codec object
    assert samples.type == "<blob>" and samples.original_type is None
    assert samples.codec is get_codec("blob") and samples.store is None
    assert samples.is_blob and not samples.numeric and samples.dtype is object
    assert VIEW.blobs == ["samples"] and "samples" not in VIEW.non_blobs


def test_repr_is_datajoint_s_declaration_layout() -> None:
    lines = repr(VIEW).splitlines()
    assert lines[1] == "---"
    assert lines[0].split() == ["id", ":", "int32", "#", "the", "id"]
    assert lines[3].split() == ["score=0.5", ":", "float32", "#"]
    assert len(lines) == len(VIEW.attributes) + 1
    numbered = Heading.of_plan(
        PlanHeading((attr("n", "int64", in_key=True, default=AUTO_INCREMENT),))
    )
    assert repr(numbered).split()[:4] == ["n", ":", "int64", "auto_increment"]


def test_dtype_and_autoincrement() -> None:
    dtype = VIEW.as_dtype
    assert dtype.names == tuple(VIEW.names)
    assert [dtype[n] for n in ("id", "count", "score")] == [
        np.dtype(np.int64),
        np.dtype(object),
        np.dtype(np.float64),
    ]
    rows = np.array([(1, None, 0.5, "a", b"")], dtype=dtype)
    assert rows["id"][0] == 1 and rows["name"][0] == "a"
    assert not VIEW.has_autoincrement
    numbered = Heading.of_plan(
        PlanHeading((attr("n", "int64", in_key=True, default=AUTO_INCREMENT),))
    )
    assert numbered.has_autoincrement and numbered["n"].default is None


def test_hidden_attributes_are_in_underscore_attributes_only() -> None:
    plan = PlanHeading.of_table((attr("_singleton", "bool", in_key=True), attr("setting", "int8")))
    view = Heading.of_plan(plan)
    assert "_singleton" in view._attributes and view._attributes["_singleton"].is_hidden
    assert "_singleton" not in view.attributes and view.primary_key == []


def test_defaults_as_a_definition_writes_them() -> None:
    plan = PlanHeading(
        (
            attr("id", "int8", in_key=True),
            attr("at", "datetime", default=SqlDefault("CURRENT_TIMESTAMP")),
            attr("on", "date", default=datetime.date(2024, 1, 2)),
            attr("flag", "bool", default=True),
        )
    )
    view = Heading.of_plan(plan)
    assert [view[n].default for n in view.names] == [
        None,
        "CURRENT_TIMESTAMP",
        "'2024-01-02'",
        "true",
    ]


def test_a_heading_of_attribute_specs_and_datajoint_s_join_rule() -> None:
    def heading(key: list[str], other: list[str]) -> Heading:
        return Heading(
            [dict(default_attribute_properties, name=n, in_key=True) for n in key]
            + [dict(default_attribute_properties, name=n) for n in other]
        )

    session, trial = heading(["session"], ["date"]), heading(["session", "trial"], ["stim"])
    assert trial.determines(session) and not session.determines(trial)
    joined = session.join(trial)  # trial -> session: trial's key, trial's attributes first
    assert joined.primary_key == ["session", "trial"]
    assert joined.names == ["session", "trial", "stim", "date"]
    a, b = heading(["x"], ["a"]), heading(["y"], ["b"])
    assert a.join(b).primary_key == ["x", "y"] and a.join(b).names == ["x", "y", "a", "b"]
    with pytest.raises(MissingTableError, match="describes no table"):
        _ = joined.plan
    with pytest.raises(MissingTableError, match="neither attributes nor a table"):
        _ = Heading().names
    with pytest.raises(KeyError, match="Attributes: session, trial, stim, date"):
        joined["nope"]


def _attribute(**overrides: object) -> Attribute:
    return Attribute(**{**default_attribute_properties, **overrides})


class TableCodec(ObjectCodec):
    """A schema-addressed codec of a third party: classified by type, not by name."""

    name = "dj_heading_custom_object"


@pytest.mark.parametrize(
    "codec, store, hash_object, schema_object",
    [
        (None, None, False, False),
        ("hash", "s", True, False),
        ("blob", "s", True, False),
        ("attach", "", True, False),  # <attach@>: the default store
        ("blob", None, False, False),  # inline <blob>: the bytes are in the column
        ("object", "s", False, True),
        ("npy", "s", False, True),
        ("dj_heading_custom_object", "s", False, True),
    ],
)
def test_storage_classification(
    codec: str | None, store: str | None, hash_object: bool, schema_object: bool
) -> None:
    attribute = _attribute(codec=get_codec(codec) if codec else None, store=store)
    assert attribute.is_hash_object is hash_object
    assert attribute.is_schema_object is schema_object


def test_a_codec_no_class_defines_opens_and_fails_on_use() -> None:
    class Ephemeral(ObjectCodec):
        name = "dj_heading_ephemeral"

    view = Heading.of_plan(
        PlanHeading(
            (attr("id", "int8", in_key=True), attr("v", "json", codec="<dj_heading_ephemeral@s>"))
        )
    )
    unregister_codec("dj_heading_ephemeral")
    v = view["v"]
    assert v.codec is not None
    assert v.codec.name == "dj_heading_ephemeral" and v.store == "s"
    with pytest.raises(FramesError, match="not registered"):
        v.codec.decode("{}")
    assert view.hash_objects == [] and view.schema_objects == []


def test_core_types_show_their_portable_names() -> None:
    view = Heading.of_plan(
        PlanHeading((attr("u", "uuid", in_key=True), attr("b", "bool"), attr("d", "decimal(5,1)")))
    )
    assert [view[n].type for n in view.names] == ["uuid", "bool", "decimal(5,1)"]
    assert view["u"].uuid and not view["b"].uuid
