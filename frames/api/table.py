"""Table classes: the tiers users subclass (Manual, Lookup, Imported, Computed, Part).

A table class is declared by decorating it with a :class:`~frames.api.schema.Schema`. The class
itself behaves like a query (``Subject & {'sex': 'M'}``, ``Subject.insert(...)``,
``Subject.to_dicts()``): class-level access to a query method binds it to a fresh instance.
"""

from __future__ import annotations

from typing import Any, ClassVar

from frames.api.base_table import FreeTable as FreeTable
from frames.api.base_table import Table
from frames.api.base_table import TableMeta as TableMeta
from frames.api.delete import check_delete_part_integrity
from frames.api.populate import AutoPopulate
from frames.api.validate import ValidationResult as ValidationResult
from frames.errors import IntegrityError

_NAME = r"[a-z][a-z0-9]*(_[a-z][a-z0-9]*)*"


class Manual(Table):
    """Data entered by hand or by external tools (DataJoint 2.x also calls it ``Entry``)."""

    tier = "manual"
    tier_regexp: ClassVar[str] = rf"(?P<manual>{_NAME})"


class Lookup(Table):
    """Small reference tables; ``contents`` is inserted once when the table is declared."""

    tier = "lookup"
    tier_regexp: ClassVar[str] = rf"(?P<lookup>#{_NAME})"
    contents: ClassVar[Any] = ()


class Imported(AutoPopulate, Table):
    """Data loaded from outside files by ``make()``, filled with ``populate()`` (``Ingest``)."""

    tier = "imported"
    tier_regexp: ClassVar[str] = rf"(?P<imported>_{_NAME})"


class Computed(AutoPopulate, Table):
    """Results computed from other tables by ``make()``, filled with ``populate()``
    (``Compute``)."""

    tier = "computed"
    tier_regexp: ClassVar[str] = rf"(?P<computed>__{_NAME})"


class Part(Table):
    """A part of its master's entity, declared as a nested class of the master.

    Rows of a part are deleted and dropped with their master: ``delete()`` and ``drop()`` of a
    part refuse unless ``part_integrity`` says otherwise.
    """

    tier = "part"
    tier_regexp: ClassVar[str] = (
        "(?P<master>"
        + "|".join(t.tier_regexp for t in (Manual, Lookup, Imported, Computed))
        + rf"){{1,1}}__(?P<part>{_NAME})"
    )
    master: ClassVar[type[Table] | None] = None

    def delete(  # type: ignore[override]  # DataJoint's signature
        self, part_integrity: str = "enforce", **kwargs: Any
    ) -> int:
        """Delete from a part table: only with ``part_integrity="ignore"`` (the master rows
        stay) or ``"cascade"`` (the master rows and all their parts go too).

        Other arguments (``transaction``, ``prompt``) are those of :meth:`Table.delete`.
        """
        check_delete_part_integrity(part_integrity)
        if part_integrity == "enforce":
            raise IntegrityError(
                f"{self._name}: Cannot delete from a Part directly. Delete from master instead, "
                "or use part_integrity='ignore' to break integrity, or "
                "part_integrity='cascade' to also delete master."
            )
        return super().delete(part_integrity=part_integrity, **kwargs)

    def drop(self, part_integrity: str = "enforce") -> None:  # type: ignore[override]
        """Drop a part table: only with ``part_integrity="ignore"`` (drop the master instead)."""
        if part_integrity == "ignore":
            super().drop(part_integrity="ignore")
        elif part_integrity == "enforce":
            raise IntegrityError(
                f"{self._name}: Cannot drop a Part directly. Drop master "
                "instead, or use part_integrity='ignore' to force."
            )
        else:
            raise ValueError(
                f"part_integrity for drop must be 'enforce' or 'ignore', got {part_integrity!r}"
            )


#: DataJoint 2.x's names of the tiers by what puts rows in a table (the same classes).
Entry = Manual
Ingest = Imported
Compute = Computed
#: DataJoint's base class of the user tiers.
UserTable = Table
