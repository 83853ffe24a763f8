"""Bring your own data: read ACLED exports, Crowd Counting-style sheets, team spreadsheets
and native files, and turn every row into a record, a merge or a rejection.

The pipeline (nothing is written anywhere; the store writes an :class:`ImportResult`
in one transaction), module by module::

    read_table(path)            read       any CSV (UTF-8, UTF-8 BOM, Windows-1251; , ; or tab),
                                           GeoJSON or GeoPackage, as text cells (RawTable)
      -> detect_format(table)   detect     'native' | 'acled' | 'ccc' | 'unknown'
      -> to_native(table)       convert    one converter per format (native, acled, ccc, mapped,
                                           sharing builder): native text cells + per-row flags
                                           + rows that cannot be records
      -> _normalise             normalise  decimal commas, counts stated as text, high below low, dates
      -> merges by record_id    dedupe     the same record_id as an earlier row or an existing record
      -> geo.records.validate_frame
      -> merges by episode      dedupe     same date + city + event type + place + first source
      -> flags                  flags      swapped coordinates, outside both cities, future dates

:func:`import_rows` (:mod:`~geo.importing.pipeline`) runs them all; :mod:`~geo.importing.values`
holds the date, number, count and city helpers the steps share.

Every input row ends up exactly once in ``records``, ``merged`` or ``rejected``
(:meth:`ImportResult.check`).

>>> result = import_rows("kazakhstan_acled.csv")            # doctest: +SKIP
>>> result.counts                                          # doctest: +SKIP
{'imported': 812, 'merged': 3, 'flagged': 40, 'rejected': 2, 'total': 817}
>>> write_rejected(result, "kazakhstan_acled.csv")          # doctest: +SKIP
"""

from __future__ import annotations

from geo.errors import ImportAccountingError, ImportFileError, MappingError
from geo.importing.acled import ACLED_CITATION_URL, to_native_acled
from geo.importing.builder import Converted
from geo.importing.ccc import to_native_ccc
from geo.importing.convert import FORMATS, to_native
from geo.importing.detect import (
    ACLED_COLUMNS,
    ACLED_OLD_ONLY,
    acled_generation,
    detect_format,
)
from geo.importing.mapped import load_mapping, to_native_mapped
from geo.importing.native import to_native_native
from geo.importing.pipeline import (
    CHUNK_ROWS,
    DIAGNOSTIC_COLUMNS,
    ImportResult,
    import_rows,
    preview,
    write_rejected,
)
from geo.importing.read import RawTable, read_table
from geo.importing.values import MAX_COUNT, MAX_YEAR, MIN_YEAR

__all__ = [
    "ACLED_CITATION_URL",
    "ACLED_COLUMNS",
    "ACLED_OLD_ONLY",
    "CHUNK_ROWS",
    "DIAGNOSTIC_COLUMNS",
    "FORMATS",
    "MAX_COUNT",
    "MAX_YEAR",
    "MIN_YEAR",
    "Converted",
    "ImportAccountingError",
    "ImportFileError",
    "ImportResult",
    "MappingError",
    "RawTable",
    "acled_generation",
    "detect_format",
    "import_rows",
    "load_mapping",
    "preview",
    "read_table",
    "to_native",
    "to_native_acled",
    "to_native_ccc",
    "to_native_mapped",
    "to_native_native",
    "write_rejected",
]
