"""Constants the join's stages share: codes of rows, labels of grid cells, tolerances."""

from __future__ import annotations

from datetime import date

import numpy as np
from pyproj import CRS

from geo.schema import JOIN_COLUMNS

#: Every column :func:`join_incidents` adds, in order.
OUTPUT_COLUMNS = [*JOIN_COLUMNS, "boundary_layer"]

WGS84 = CRS.from_epsg(4326)

CITY_NAMES = {"almaty": "Almaty", "astana": "Astana"}

#: Kazakhstan spans about 40.6-55.4 N and 46.5-87.3 E.
KZ_LAT_BAND = (40.5, 55.5)
KZ_LON_BAND = (46.4, 87.4)

ATTRIBUTION_CODES = ("district", "city", "outside", "unlocated")
_DISTRICT, _CITY, _OUTSIDE, _UNLOCATED = range(4)

#: Every ``join_code`` (see :mod:`geo.join`), in this order.
JOIN_CODES = (
    "district",
    "nearest_district",
    "precision_city",
    "no_coordinates",
    "unlocated",
    "placed_by_point",
    "partial_coordinates",
    "out_of_range",
    "swapped",
    "outside",
    "other_city",
    "no_precision",
    "no_layer",
    "gap",
    "no_date",
    "boundary_change",
    "no_boundaries",
)
_R = {code: np.int8(i) for i, code in enumerate(JOIN_CODES)}

# coordinate status of a row
_NO_COORDS, _PARTIAL, _OUT_OF_RANGE, _VALID = range(4)

# grid labels: >= 0 a district row; these for the rest; <= _MIXED a crossed cell
_GAP = -1  # inside the city outline, in no district
_OUT = -2  # outside the outline and every district
_MIXED = -3  # label _MIXED - m: crossed cell number m

#: Grid depth: 2**depth cells per side (1024 x 1024; cells of ~35-45 m here).
GRID_DEPTH = 10
_CACHE_SIZE = 32
#: Longest edge (degrees, ~50 m) projected as a straight line for gap distances.
_DENSIFY_DEG = 5e-4


def _day_number(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def _days(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whole days since 1970-01-01 (floored) of datetime64 values, and where they are NaT."""
    unit, count = np.datetime_data(values.dtype)
    per_day = {"ns": 86_400_000_000_000, "us": 86_400_000_000, "ms": 86_400_000, "s": 86_400}
    no_date = np.isnat(values)
    if unit in per_day and count == 1:
        day = values.view(np.int64) // per_day[unit]
    else:
        day = values.astype("datetime64[D]").view(np.int64)
    return day, no_date
