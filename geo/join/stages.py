"""The join's stages by name, for a backend that finds the points' places elsewhere (geo.postgis).

:func:`geo.join.join_incidents` is ``check_rows`` -> ``city_table`` -> ``assign_city``
-> ``locate`` -> ``decide`` -> ``notes`` -> ``to_frame``.  A backend that answers
``locate`` itself (which city, layer and district holds each point, the nearest district
of a point in a gap, the swapped check: a :class:`Located`) runs the other stages from
here, so the rules stay the join's one implementation.
"""

from __future__ import annotations

from geo.join._common import _DENSIFY_DEG as DENSIFY_DEG
from geo.join._common import _VALID as VALID
from geo.join._common import OUTPUT_COLUMNS
from geo.join._grid import _grid_for as grid_for
from geo.join._kept import fingerprint
from geo.join._locate import _assign_city as assign_city
from geo.join._locate import _Cities as Cities
from geo.join._locate import _city_table as city_table
from geo.join._locate import _decide as decide
from geo.join._locate import _layer_for as layer_for
from geo.join._locate import _Located as Located
from geo.join._locate import _swapped_band as swapped_band
from geo.join._notes import _TEXT_DTYPE as TEXT_DTYPE
from geo.join._notes import _notes as notes
from geo.join._notes import _to_frame as to_frame
from geo.join._rows import _basic_checks as check_rows

__all__ = [
    "DENSIFY_DEG",
    "OUTPUT_COLUMNS",
    "TEXT_DTYPE",
    "VALID",
    "Cities",
    "Located",
    "assign_city",
    "check_rows",
    "city_table",
    "decide",
    "fingerprint",
    "grid_for",
    "layer_for",
    "notes",
    "swapped_band",
    "to_frame",
]
