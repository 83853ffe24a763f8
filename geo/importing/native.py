"""Native files: the native columns pass through (see :mod:`geo.schema`)."""

from __future__ import annotations

import numpy as np

from geo import schema
from geo.importing.builder import Converted, _Builder
from geo.importing.read import RawTable
from geo.importing.values import _city_values
from geo.records import trim_text

__all__ = ["to_native_native"]


def to_native_native(table: RawTable) -> Converted:
    """Pass a native table through (its columns are already the native ones).

    Only what every importer normalises is done here: Cyrillic city names, decimal
    commas, counts stated as text, high below low (see :func:`geo.importing.import_rows`).
    """
    b = _Builder(table)
    lower = {c.strip().casefold(): c for c in table.frame.columns}
    for col in schema.COLUMNS:
        if col in lower:
            b.out[col] = trim_text(table.frame[lower[col]])
    extra = {c: table.frame[c] for c in table.frame.columns if c.strip().casefold() not in schema.COLUMNS}
    if "city" in b.out:
        b.out["city"] = _city_values(b.out["city"], keep_unknown=True)
    missing = [c for c in schema.REQUIRED_COLUMNS if c not in lower]
    if missing:  # every row, each with the reason (the merges by record_id need the column, even blank)
        b.reject(
            np.ones(b.n, dtype=bool),
            missing[0],
            b.blank(),
            f"the file has no column {', '.join(missing)}; a native file needs at least "
            f"{', '.join(schema.REQUIRED_COLUMNS)} (or import it with a mapping)",
        )
    return b.done(extra)
