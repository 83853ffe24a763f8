"""Incidents x city/district boundaries: a precision-aware, date-aware spatial join.

:func:`join_incidents` adds :data:`geo.schema.JOIN_COLUMNS` (plus ``boundary_layer``)
to a records frame.  Every input row comes out exactly once, same index, same order.
The ``attribution`` column says how far a record could be placed:

``district``
    The record has precise coordinates (``geo_precision`` 1 or 2) that lie inside
    a district of the layer in force on its ``date``; or they lie in a sliver
    between districts inside the city outline and the nearest district is within
    ``gap_tolerance_m`` (``join_note`` then names it and the distance).
``city``
    The record belongs to a city but not to a district: its stated city has no
    coordinates, or coarse ones (``geo_precision`` 3/4/missing: a coarse record
    is never pinned to whichever district holds its point), or its point lies in
    the *other* city, looks swapped (lat/lon exchanged), is out of range, or sits
    in a gap farther than the tolerance from every district.  ``join_note`` says
    which, except for the ordinary city-level cases.
``outside``
    Valid coordinates outside both cities (``city_id`` is ``""``).
``unlocated``
    No city stated (``national``/``other``) and no usable coordinates.

The city of a record is its stated ``city`` (Almaty -> ``almaty``; Nur-Sultan and
Astana -> ``astana``).  A ``national``/``other`` record with coordinates inside a
city is placed by its point, with a note.

``join_note`` says in English what happened; ``join_code`` says it as one short,
stable code per row (:data:`JOIN_CODES`) for programs to read.  A note has up to
three fragments; the code is its main reason: the fragment on why a record is not
(or only loosely) placed, else a placement by the point, else the date fragment;
a row without a note gets the code of how it was placed:

=======================  ===============  ==============================================
``join_code``            ``attribution``  meaning (``join_note``)
=======================  ===============  ==============================================
``district``             district         precise point inside a district (no note)
``nearest_district``     district         in a gap, nearest district within the tolerance
``precision_city``       city             coarse point (precision 3/4) in its city (no note)
``no_coordinates``       city             stated city, no coordinates (no note)
``unlocated``            unlocated        no city stated, no coordinates (no note)
``placed_by_point``      city, district   no city stated; placed in a city by the point
``partial_coordinates``  city, unlocated  only one of latitude/longitude
``out_of_range``         city, unlocated  latitude beyond ±90 or longitude beyond ±180
``swapped``              city, unlocated  coordinates look swapped (lat/lon exchanged)
``outside``              outside          valid coordinates outside every city
``other_city``           city             the point lies in the other city
``no_precision``         city             ``geo_precision`` missing
``no_layer``             city             no district layer in force on the date
``gap``                  city             in a gap, beyond the tolerance (or no district)
``no_date``              district         date missing: the newest layer was used
``boundary_change``      district         in a month the city's district boundaries changed
``no_boundaries``        any              :func:`place_by_stated_city`: no boundaries
=======================  ===============  ==============================================

Coordinates "look swapped" when they lie in no city but the exchanged pair lies in
one, or when the latitude holds a longitude-like value (outside Kazakhstan's
latitude band 40.5-55.5, inside its longitude band 46.4-87.4) while the longitude
lies in the latitude band.

Point in polygon follows ``geopandas.sjoin(points, districts, predicate="within")``
exactly: a point is in a district when it lies in the district's *interior*.  A
point exactly on a shared border is in neither district, so it is handled like a
point in a gap (nearest district, 0 m, lowest district row on a tie).  The same
holds for the city outline: a point on the outline is outside it.

Speed comes from a cached grid per (layer, outline): every grid cell is either
wholly inside one district, wholly in a gap of the outline, wholly outside, or
crossed by a boundary; only points in crossed cells get an exact test
(:func:`shapely.contains_xy`) against the few polygons whose borders cross their
cell.  The grid is built once a layer's points outgrow what building it costs (about
300,000 points, :data:`geo.join._grid.DIRECT_POINTS`); before that, as at the cold
start of a small dataset, each point is tested against the prepared districts
directly.  Distances are measured in metres in UTM (EPSG:32643 for Almaty, EPSG:32642
for Astana; other cities: their own UTM zone), to the district edges as drawn in
lon/lat (edges longer than ~50 m are cut before projecting).

The pipeline, one private module per stage: ``_rows`` (the input checked and
reduced to arrays), ``_locate`` (the cities' layers in force, the stated city, the
point's place, the decision), ``_grid`` (the cached point-in-polygon index),
``_notes`` (``join_note``, ``join_code`` and the output frame); ``_common`` holds
the codes they share; ``_kept`` (:func:`join_kept`) keeps the answers between runs.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo.boundaries import BoundarySet
from geo.join import _kept
from geo.join._common import JOIN_CODES, OUTPUT_COLUMNS
from geo.join._locate import _assign_city, _city_table, _decide, _locate
from geo.join._notes import _notes, _to_frame, _with_columns
from geo.join._rows import _basic_checks
from geo.schema import CITY_IDS

__all__ = ["JOIN_CODES", "OUTPUT_COLUMNS", "join_incidents", "join_kept", "place_by_stated_city"]


def join_incidents(records: pd.DataFrame, boundaries: BoundarySet, *, gap_tolerance_m: float = 100.0) -> pd.DataFrame:
    """Attribute every incident record to a city and, where its precision allows, a district.

    Parameters
    ----------
    records : pandas.DataFrame
        A records frame (see :mod:`geo.schema`): ``date`` (datetime64), ``city``,
        ``latitude``/``longitude`` (WGS84 floats, NaN when blank) and
        ``geo_precision`` (1..4 or NA); any other columns are kept.  Or a
        GeoDataFrame in EPSG:4326 with point geometry, which then replaces
        ``latitude``/``longitude``.
    boundaries : geo.boundaries.BoundarySet
        District layers of both cities and the city outlines, all EPSG:4326.
    gap_tolerance_m : float, default 100.0
        A precise point inside a city outline but in no district goes to the
        nearest district when that is at most this many metres away.

    Returns
    -------
    pandas.DataFrame
        A copy of ``records`` (same index, order, and class) with
        :data:`OUTPUT_COLUMNS` added as ``str`` columns (``""`` when empty);
        existing columns of those names are replaced.

    Raises
    ------
    CRSMismatchError
        ``records`` is a GeoDataFrame not in EPSG:4326, or a layer or the outlines are not.
    ValueError, TypeError
        A required column is missing or has the wrong type; a bad tolerance.
    """
    rows = _basic_checks(records, boundaries, gap_tolerance_m)
    cities = _city_table(boundaries)
    stated = _assign_city(rows, cities)
    located = _locate(rows, cities, gap_tolerance_m)
    decided = _decide(rows, stated, located, gap_tolerance_m)
    notes = _notes(rows, located, decided, cities, gap_tolerance_m)
    return _to_frame(records, decided, notes, cities)


def place_by_stated_city(records: pd.DataFrame) -> pd.DataFrame:
    """The join's columns without boundaries: every record placed by its stated city only.

    Figures by city still work; nothing is put in a district (``join_note`` says why).
    """
    city_id = records["city"].map(CITY_IDS).fillna("")
    return records.assign(
        city_id=city_id,
        district_id="",
        district_name_en="",
        attribution=city_id.map(lambda c: "city" if c else "unlocated"),
        join_note="no boundaries configured",
        join_code="no_boundaries",
        boundary_layer="",
    )


def join_kept(records: pd.DataFrame, boundaries: BoundarySet, folder, *, gap_tolerance_m: float = 100.0):
    """:func:`join_incidents` of ``records``, read from ``folder`` when the same question was answered there
    (see :mod:`geo.join._kept`); ``folder`` ``None``: nothing is read nor written (public mode)."""
    if folder is None or not _kept.plain(records):
        return join_incidents(records, boundaries, gap_tolerance_m=gap_tolerance_m)
    path = Path(folder) / f"{_kept.key(records, boundaries, gap_tolerance_m)}.arrow"
    kept = _kept.read(path, len(records))
    if kept is not None:
        return _with_columns(records, kept)
    out = join_incidents(records, boundaries, gap_tolerance_m=gap_tolerance_m)
    _kept.keep(path, out)
    return out
