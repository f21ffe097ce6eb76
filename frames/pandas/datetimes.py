"""``Series.dt``: parts of dates and datetimes, as SQL date functions.

Every part is an integer (``dayofweek``: Monday is 0, as pandas); a missing value stays
missing. ``date`` is the date part; ``normalize()`` and ``floor('D')`` the start of the day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from frames.pandas import terms
from frames.pandas.errors import PandasTypeError, not_pushed_down
from frames.pandas.terms import Term
from frames.plan.values import DATETIME, INT64, Cast, Func

if TYPE_CHECKING:
    from frames.pandas.series import Series


class DatetimeMethods:
    """The ``.dt`` accessor of a date or datetime Series."""

    def __init__(self, series: Series):
        if series._term.category not in terms.TEMPORAL:
            raise PandasTypeError(
                f"Can only use .dt accessor with datetimelike values, not {series._term.type}"
            )
        self._series = series

    def _part(self, name: str) -> Series:
        term = self._series._term
        value = term.expr
        if term.category == "date" and name in ("hour", "minute", "second"):
            value = Cast(value, DATETIME)  # PostgreSQL reads no time of day from a date
        return self._series._derive(Term(Func(name, (value,)), INT64, term.nullable))

    @property
    def year(self) -> Series:
        """The year."""
        return self._part("year")

    @property
    def month(self) -> Series:
        """The month (1-12)."""
        return self._part("month")

    @property
    def day(self) -> Series:
        """The day of the month."""
        return self._part("day")

    @property
    def hour(self) -> Series:
        """The hour (0-23)."""
        return self._part("hour")

    @property
    def minute(self) -> Series:
        """The minute."""
        return self._part("minute")

    @property
    def second(self) -> Series:
        """The second (without its fraction)."""
        return self._part("second")

    @property
    def dayofweek(self) -> Series:
        """The day of the week, Monday 0 to Sunday 6."""
        return self._part("weekday")

    day_of_week = weekday = dayofweek

    @property
    def dayofyear(self) -> Series:
        """The day of the year (1-366)."""
        return self._part("dayofyear")

    day_of_year = dayofyear

    @property
    def quarter(self) -> Series:
        """The quarter (1-4)."""
        return self._part("quarter")

    @property
    def date(self) -> Series:
        """The date part."""
        return self._series._derive(terms.date_only(self._series._term))

    def normalize(self) -> Series:
        """The start of the day."""
        return self._series._derive(terms.midnight(self._series._term))

    def floor(self, freq: str) -> Series:
        """The start of the day (``freq='D'``); other frequencies are not pushed down."""
        if freq.upper() != "D":
            raise not_pushed_down(f"dt.floor({freq!r})", "use dt.floor('D') or the date parts")
        return self.normalize()
