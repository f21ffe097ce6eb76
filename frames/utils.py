"""DataJoint's ``datajoint.utils``: class-name conventions, a prompt, safe file writes."""

from __future__ import annotations

import re
import shutil
import warnings
from collections.abc import Sequence
from pathlib import Path

from frames.declare.naming import to_snake_case
from frames.errors import DefinitionError

__all__ = [
    "from_camel_case",
    "is_camel_case",
    "safe_copy",
    "safe_write",
    "to_camel_case",
    "user_choice",
]

_CAMEL_CASE = re.compile(r"^[A-Z][A-Za-z0-9]*$")


def user_choice(
    prompt: str, choices: Sequence[str] = ("yes", "no"), default: str | None = None
) -> str:
    """Ask until the answer is one of ``choices`` (an empty answer picks ``default``).

    The default, if any, is shown capitalised: ``Delete? [Yes, no]:``.
    """
    if default is not None and default not in choices:
        raise ValueError(f"user_choice(): default {default!r} is not one of {tuple(choices)}")
    shown = ", ".join(choice.title() if choice == default else choice for choice in choices)
    while True:
        answer = input(f"{prompt} [{shown}]: ")
        response = answer.lower() if answer else default
        if response is not None and response in choices:
            return response


def is_camel_case(name: str) -> bool:
    """True if ``name`` is CamelCase: a capital letter, then ASCII letters and digits.

    Examples
    --------
    >>> is_camel_case("TableName"), is_camel_case("table_name")
    (True, False)
    """
    return bool(_CAMEL_CASE.match(name))


def to_camel_case(name: str) -> str:
    """``'table_name'`` → ``'TableName'``: every letter after a separator (or first) upper-cased.

    Examples
    --------
    >>> to_camel_case("This_is_Mixed")
    'ThisIsMixed'
    """
    return re.sub(r"(^|[_\W])+[a-zA-Z]", lambda match: match.group(0)[-1].upper(), name)


def from_camel_case(name: str) -> str:
    """``'TableName'`` → ``'table_name'`` (the stored name of a Manual table class).

    Underscores are dropped with a ``UserWarning`` (CamelCase names have none).

    Raises
    ------
    DefinitionError
        If ``name`` (without underscores) is not CamelCase.

    Examples
    --------
    >>> from_camel_case("AllGroups")
    'all_groups'
    """
    if "_" in name:
        warnings.warn(
            f"Table class name `{name}` contains underscores. CamelCase names without "
            "underscores are recommended.",
            UserWarning,
            stacklevel=2,
        )
        name = name.replace("_", "")
    if not is_camel_case(name):
        raise DefinitionError(
            f"class name {name!r} must be alphanumeric in CamelCase and begin "
            "with a capital letter, e.g. 'RecordingSession'"
        )
    return to_snake_case(name)


def safe_write(filepath: str | Path, blob: bytes) -> None:
    """Write ``blob`` to ``filepath`` through a temporary file renamed into place.

    Nothing is written if the file exists already.
    """
    filepath = Path(filepath)
    if not filepath.is_file():
        filepath.parent.mkdir(parents=True, exist_ok=True)
        temp_file = filepath.with_suffix(filepath.suffix + ".saving")
        temp_file.write_bytes(blob)
        temp_file.rename(filepath)


def safe_copy(src: str | Path, dest: str | Path, overwrite: bool = False) -> None:
    """Copy ``src`` to ``dest`` through a temporary file renamed into place.

    Skipped if ``dest`` exists (unless ``overwrite``) or is ``src`` itself.
    """
    src, dest = Path(src), Path(dest)
    if not (dest.exists() and src.samefile(dest)) and (overwrite or not dest.is_file()):
        dest.parent.mkdir(parents=True, exist_ok=True)
        temp_file = dest.with_suffix(dest.suffix + ".copying")
        shutil.copyfile(src, temp_file)
        temp_file.rename(dest)
