"""The machinery every format's converter shares: :class:`Converted` and ``_Builder``.

A converter (:mod:`~geo.importing.native`, :mod:`~geo.importing.acled`,
:mod:`~geo.importing.ccc`, :mod:`~geo.importing.mapped`) fills a ``_Builder`` with
native columns as text, per-row flags and rejections, all vectorised, and returns
``_Builder.done()``: a :class:`Converted`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geo import schema
from geo.errors import Problem
from geo.importing.read import RawTable
from geo.records import trim_text

__all__ = ["Converted"]


@dataclass
class Converted:
    """An input table turned into native text cells.

    ``raw`` has one row per input row, same order, native column names (plus extra
    columns kept as text), ready for :func:`geo.records.validate_frame`.
    ``input_rows[i]`` is the file row of ``raw`` row ``i``.  ``flag_text`` holds each
    row's flags joined by ``'; '`` (``flags`` as lists).  ``rejections`` lists the rows
    that cannot become a record at all (one :class:`~geo.errors.Problem` per row: file,
    row, column, value, reason in ``expected``).
    """

    raw: pd.DataFrame
    input_rows: np.ndarray
    flag_text: pd.Series
    rejections: list[Problem] = field(default_factory=list)

    @property
    def flags(self) -> list[list[str]]:
        return [t.split("; ") if t else [] for t in self.flag_text]

    @property
    def rejected_rows(self) -> set[int]:
        return {int(p.row) for p in self.rejections if p.row is not None}


class _Builder:
    """Collects native columns, flags and rejections for one table, vectorised."""

    def __init__(self, table: RawTable):
        self.table = table
        self.n = len(table.frame)
        self.index = table.frame.index
        self.rows = table.rows()
        self.out: dict[str, pd.Series] = {}
        self.flags = pd.Series([""] * self.n, index=self.index, dtype=object)
        # the rows reading already rejected (bytes that are not text, a broken quote): never converted
        self.rejections: dict[int, Problem] = {int(p.row): p for p in table.rejected.values() if p.row is not None}
        self._lower = {c.strip().casefold(): c for c in table.frame.columns}

    def has(self, name: str) -> bool:
        return name.casefold() in self._lower

    def col(self, *names: str) -> pd.Series:
        """The first of ``names`` the table has, trimmed (:func:`~geo.records.trim_text`); blanks when it has none."""
        for name in names:
            real = self._lower.get(name.casefold())
            if real is not None:
                return trim_text(self.table.frame[real])
        return pd.Series([""] * self.n, index=self.index, dtype=object).astype(str)

    def blank(self) -> pd.Series:
        return pd.Series([""] * self.n, index=self.index, dtype=object).astype(str)

    def flag(self, mask, message) -> None:
        """Add ``message`` (a str, or a Series of per-row texts) to the rows in ``mask``."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        text = message if isinstance(message, str) else np.asarray(message, dtype=object)
        add = np.where(mask, text, "")
        cur = self.flags.to_numpy(dtype=object)
        joined = np.where(cur == "", add, np.where(add == "", cur, cur + "; " + add.astype(object)))
        self.flags = pd.Series(joined, index=self.index, dtype=object)

    def reject(self, mask, column: str, values: pd.Series, reason) -> None:
        mask = np.asarray(mask, dtype=bool)
        for i in np.flatnonzero(mask):
            row = int(self.rows[i])
            if row in self.rejections:
                continue
            why = reason if isinstance(reason, str) else str(reason.iloc[i])
            self.rejections[row] = Problem(self.table.file, row, column, str(values.iloc[i]), why)

    def done(self, extra: dict[str, pd.Series] | None = None) -> Converted:
        # one frame in one go: a wide file's extra columns are never inserted one at a time
        blank = self.blank()  # one for every absent column (they are copied into the frame)
        columns = {c: self.out.get(c, blank) for c in schema.COLUMNS}
        columns.update(extra or {})
        raw = pd.DataFrame(columns, index=self.index)
        raw = raw.astype(object).reset_index(drop=True)  # str cells; validate_frame makes them str dtype
        flags = self.flags.reset_index(drop=True)
        rejections = [self.rejections[row] for row in sorted(self.rejections)]  # keyed by each one's row
        return Converted(raw, self.rows.copy(), flags, rejections)
