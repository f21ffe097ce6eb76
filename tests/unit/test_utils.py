"""datajoint.utils: class-name conventions, the prompt, safe writes."""

from __future__ import annotations

import pytest

from frames.errors import DefinitionError, FramesError
from frames.utils import (
    from_camel_case,
    is_camel_case,
    safe_copy,
    safe_write,
    to_camel_case,
    user_choice,
)


def test_is_camel_case() -> None:
    assert is_camel_case("AllGroups") and is_camel_case("A1")
    for name in ("All_Groups", "_AllGroups", "allGroups", "10_all", "hello world", "TestΣ", ""):
        assert not is_camel_case(name), name


def test_from_camel_case() -> None:
    assert from_camel_case("AllGroups") == "all_groups"
    assert from_camel_case("Scan3D") == "scan3_d"
    with pytest.raises(DefinitionError, match="CamelCase"):
        from_camel_case("repNames")
    with pytest.warns(UserWarning, match="contains underscores"):
        assert from_camel_case("All_Groups") == "all_groups"
    with pytest.warns(UserWarning, match="contains underscores"), pytest.raises(FramesError):
        from_camel_case("#baisc_names")


def test_to_camel_case() -> None:
    assert to_camel_case("all_groups") == "AllGroups"
    assert to_camel_case("hello") == "Hello"
    assert to_camel_case("this_is_a_sample_case") == "ThisIsASampleCase"
    assert to_camel_case("This_is_Mixed") == "ThisIsMixed"


def test_user_choice_repeats_until_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(["maybe", "", "YES"])
    prompts = []
    monkeypatch.setattr("builtins.input", lambda p: prompts.append(p) or next(answers))
    assert user_choice("Go?") == "yes"
    assert prompts[0] == "Go? [yes, no]: "
    answers = iter([""])
    assert user_choice("Go?", default="no") == "no"
    with pytest.raises(ValueError, match="default"):
        user_choice("Go?", default="perhaps")


def test_safe_write_and_copy(tmp_path) -> None:
    target = tmp_path / "sub" / "blob.bin"
    safe_write(target, b"one")
    safe_write(target, b"two")  # an existing file is kept
    assert target.read_bytes() == b"one"
    copy = tmp_path / "other" / "copy.bin"
    safe_copy(target, copy)
    safe_write(target.with_name("new.bin"), b"new")
    safe_copy(target.with_name("new.bin"), copy)  # not overwritten
    assert copy.read_bytes() == b"one"
    safe_copy(target.with_name("new.bin"), copy, overwrite=True)
    assert copy.read_bytes() == b"new"
    safe_copy(copy, copy, overwrite=True)
    assert copy.read_bytes() == b"new" and not list(tmp_path.rglob("*.copying"))
