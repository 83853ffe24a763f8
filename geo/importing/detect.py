"""Detection: which importer fits a file, from its header alone."""

from __future__ import annotations

from geo import schema
from geo.importing.read import RawTable

__all__ = ["ACLED_COLUMNS", "ACLED_OLD_ONLY", "acled_generation", "detect_format"]

#: ACLED's columns since 20 March 2023 (ACLED, "Guide to 2023 ACLED column changes":
#: event_id_no_cnty, data_id and iso3 removed; disorder_type, civilian_targeting, tags added).
ACLED_COLUMNS = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
]
ACLED_OLD_ONLY = ["event_id_no_cnty", "data_id", "iso3"]
_ACLED_CORE = {"event_id_cnty", "event_date", "sub_event_type", "location", "latitude", "longitude"}
_CCC_MARKERS = {"size_low", "size_high", "arrests", "injuries_crowd", "injuries_police", "source_1", "size_text"}


def detect_format(table: RawTable) -> str:
    """Which importer fits the file, from its header alone.

    ``'native'`` when every required native column is there; ``'acled'`` for ACLED
    exports, current (31 columns) or older (``event_id_no_cnty``, ``data_id``,
    ``iso3``), any letter case; ``'ccc'`` for Crowd Counting Consortium-style sheets
    (a date plus at least two of ``size_low``, ``size_high``, ``arrests``,
    ``injuries_crowd``, ``injuries_police``, ``source_1``, ``size_text``);
    ``'unknown'`` otherwise (use a mapping).
    """
    cols = {c.strip().casefold() for c in table.header}
    if cols >= _ACLED_CORE:
        return "acled"
    if all(c in cols for c in schema.REQUIRED_COLUMNS):
        return "native"
    if "date" in cols and len(_CCC_MARKERS & cols) >= 2:
        return "ccc"
    return "unknown"


def acled_generation(table: RawTable) -> str:
    """``'current'`` (31 columns, 2023 on) or ``'old'`` (before 20 March 2023) ACLED."""
    cols = {c.strip().casefold() for c in table.header}
    return "old" if cols & set(ACLED_OLD_ONLY) else "current"
