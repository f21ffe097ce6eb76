"""Diagram pieces that need no database: themes, the adaptive SVG style, class-name lookup."""

from __future__ import annotations

import types

import frames as dj
from frames.api import diagram as diagram_module
from frames.api.diagram import _DIAGRAM_THEMES, SvgImage, _split_full_name, lookup_class_name
from frames.declare.spec import TableRef


def _contrast(fg: str, bg: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    high, low = sorted([luminance(fg), luminance(bg)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_tier_text_is_readable_in_both_themes() -> None:
    for name, theme in _DIAGRAM_THEMES.items():
        for tier, (fill, _stroke, text) in theme["palette"].items():
            assert _contrast(text, fill) >= 4.5, (name, tier)


def test_light_colours_map_to_one_dark_colour_each() -> None:
    light, dark = _DIAGRAM_THEMES["light"], _DIAGRAM_THEMES["dark"]
    assert light["palette"].keys() == dark["palette"].keys()
    mapping: dict[tuple[str, str], str] = {}
    for index, kind in ((0, "fill"), (1, "stroke"), (2, "fill")):
        for tier in light["palette"]:
            key = (kind, light["palette"][tier][index].lower())
            assert (
                mapping.setdefault(key, dark["palette"][tier][index])
                == dark["palette"][tier][index]
            )
    for light_colour, dark_colour, kind in [
        (light["edge"], dark["edge"], "stroke"),
        (light["schema_cluster"][0], dark["schema_cluster"][0], "stroke"),
        (light["entity_fill"], dark["entity_fill"], "fill"),
    ]:
        assert mapping.setdefault((kind, light_colour.lower()), dark_colour) == dark_colour


def test_adaptive_block_restyles_every_light_colour() -> None:
    block = diagram_module._adaptive_style_block()
    assert block.startswith("<style>\n@media (prefers-color-scheme: dark) {")
    assert '[fill="#e8f0e9"] { fill: #16281F; }' in block
    assert '[stroke="#171c39"] { stroke: #AEB6C2; stroke-opacity: 0.753; }' in block


def test_diagram_module_speaks_datajoints_names() -> None:
    assert diagram_module.diagram_active is True
    assert SvgImage('<?xml version="1.0"?>\n<svg a="1"></svg>')._repr_svg_() == '<svg a="1"></svg>'


def test_split_full_name_reads_both_quotings() -> None:
    assert _split_full_name('"lab"."#grade"') == ("lab", "#grade")
    assert _split_full_name("`lab`.`session__trial`") == ("lab", "session__trial")
    assert _split_full_name('"we""ird"."t"') == ('we"ird', "t")
    assert _split_full_name("bare") == (None, "bare")


def test_lookup_class_name_finds_classes_parts_and_module_members() -> None:
    class Fake(dj.Manual):
        definition = "x : int32"

    class Inner(dj.Part):
        definition = "-> master"

    Fake.Inner = Inner
    spec = types.SimpleNamespace(ref=TableRef("lab", "fake"))
    part_spec = types.SimpleNamespace(ref=TableRef("lab", "fake__inner"))
    Fake._spec, Inner._spec = spec, part_spec
    module = types.ModuleType("pipeline")
    module.Fake = Fake
    assert lookup_class_name('"lab"."fake"', {"Fake": Fake}) == "Fake"
    assert lookup_class_name('"lab"."fake__inner"', {"Fake": Fake}) == "Fake.Inner"
    assert lookup_class_name('"lab"."fake"', {"pipeline": module}) == "pipeline.Fake"
    assert lookup_class_name("`lab`.`fake`", {"Fake": Fake}) == "Fake"  # MySQL's quoting
    assert lookup_class_name('"lab"."fake"', {"pipeline": module}, depth=0) is None
    assert lookup_class_name('"lab"."other"', {"Fake": Fake, "_hidden": Fake}) is None
