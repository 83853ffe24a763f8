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
cell.  Distances are measured in metres in UTM (EPSG:32643 for Almaty, EPSG:32642
for Astana; other cities: their own UTM zone), to the district edges as drawn in
lon/lat (edges longer than ~50 m are cut before projecting).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

from geo.boundaries import UTM_EPSG, BoundarySet, Layer
from geo.errors import CRSMismatchError
from geo.schema import CITIES, CITY_IDS, JOIN_COLUMNS

__all__ = ["join_incidents", "place_by_stated_city", "OUTPUT_COLUMNS", "JOIN_CODES"]

#: Every column :func:`join_incidents` adds, in order.
OUTPUT_COLUMNS = [*JOIN_COLUMNS, "boundary_layer"]

WGS84 = CRS.from_epsg(4326)

CITY_NAMES = {"almaty": "Almaty", "astana": "Astana"}

#: Kazakhstan spans about 40.6-55.4 N and 46.5-87.3 E.
KZ_LAT_BAND = (40.5, 55.5)
KZ_LON_BAND = (46.4, 87.4)

ATTRIBUTION_CODES = ("district", "city", "outside", "unlocated")
_DISTRICT, _CITY, _OUTSIDE, _UNLOCATED = range(4)

#: Every ``join_code`` (see the module docstring), in this order.
JOIN_CODES = (
    "district", "nearest_district", "precision_city", "no_coordinates", "unlocated",
    "placed_by_point", "partial_coordinates", "out_of_range", "swapped", "outside", "other_city",
    "no_precision", "no_layer", "gap", "no_date", "boundary_change", "no_boundaries",
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


def join_incidents(
    records: pd.DataFrame, boundaries: BoundarySet, *, gap_tolerance_m: float = 100.0
) -> pd.DataFrame:
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


# --------------------------------------------------------------------------- checks


@dataclass
class _Rows:
    """The input reduced to numpy arrays, one entry per record."""

    lon: np.ndarray  # float64
    lat: np.ndarray  # float64
    coords: np.ndarray  # int8: _NO_COORDS, _PARTIAL, _OUT_OF_RANGE, _VALID
    city_code: np.ndarray  # int: index into city_values, -1 when blank
    city_values: list  # distinct stated ``city`` values
    precise: np.ndarray  # bool: geo_precision 1 or 2
    precision_missing: np.ndarray  # bool
    day: np.ndarray  # int64 days since 1970-01-01 (meaningless where no_date)
    no_date: np.ndarray  # bool: date is NaT


def place_by_stated_city(records: pd.DataFrame) -> pd.DataFrame:
    """The join's columns without boundaries: every record placed by its stated city only.

    Figures by city still work; nothing is put in a district (``join_note`` says why).
    """
    city_id = records["city"].map(CITY_IDS).fillna("")
    return records.assign(city_id=city_id, district_id="", district_name_en="",
                          attribution=city_id.map(lambda c: "city" if c else "unlocated"),
                          join_note="no boundaries configured", join_code="no_boundaries",
                          boundary_layer="")


def _basic_checks(records, boundaries, gap_tolerance_m) -> _Rows:
    if not isinstance(records, pd.DataFrame):
        raise TypeError(
            f"records must be a pandas DataFrame or GeoDataFrame, got {type(records).__name__}"
        )
    if not isinstance(boundaries, BoundarySet):
        raise TypeError(
            f"boundaries must be a geo.boundaries.BoundarySet, got {type(boundaries).__name__}"
        )
    tol = float(gap_tolerance_m)
    if not np.isfinite(tol) or tol < 0:
        raise ValueError(f"gap_tolerance_m must be a finite number >= 0, got {gap_tolerance_m!r}")
    _check_boundary_crs(boundaries)

    is_geo = isinstance(records, gpd.GeoDataFrame) and records._geometry_column_name in records
    needed = ["date", "city", "geo_precision"] + ([] if is_geo else ["latitude", "longitude"])
    missing = [c for c in needed if c not in records.columns]
    if missing:
        raise ValueError(
            f"records lack column(s) {missing}; join_incidents expects a records frame "
            "(geo.schema: date, city, latitude, longitude, geo_precision) or a GeoDataFrame "
            "with point geometry and date, city, geo_precision"
        )
    if is_geo:
        lon, lat = _points_xy(records)
    else:
        lon = _float_column(records, "longitude")
        lat = _float_column(records, "latitude")

    have_lon, have_lat = ~np.isnan(lon), ~np.isnan(lat)
    coords = np.full(len(records), _NO_COORDS, dtype=np.int8)
    coords[have_lon ^ have_lat] = _PARTIAL
    both = have_lon & have_lat
    in_range = (np.abs(lat) <= 90.0) & (np.abs(lon) <= 180.0)  # False for inf
    coords[both & ~in_range] = _OUT_OF_RANGE
    coords[both & in_range] = _VALID

    city_code, city_values = _factorize_city(records["city"])
    precision = _float_column(records, "geo_precision")

    date_col = records["date"]
    if not pd.api.types.is_datetime64_any_dtype(date_col.dtype):
        raise TypeError(
            f"column 'date' has dtype {date_col.dtype}; expected datetime64 (geo.schema), "
            "e.g. pandas.to_datetime(records['date'])"
        )
    if isinstance(date_col.dtype, pd.DatetimeTZDtype):
        date_col = date_col.dt.tz_localize(None)
    day, no_date = _days(date_col.to_numpy())
    return _Rows(
        lon=lon,
        lat=lat,
        coords=coords,
        city_code=np.asarray(city_code),
        city_values=list(city_values),
        precise=(precision == 1) | (precision == 2),
        precision_missing=np.isnan(precision),
        day=day,
        no_date=no_date,
    )


def _factorize_city(col: pd.Series) -> tuple[np.ndarray, list]:
    """Codes (-1 for blank) and distinct values of ``city``; fast for arrow strings."""
    arrow = getattr(col.array, "_pa_array", None)
    if arrow is not None and _is_arrow_string(arrow.type):
        import pyarrow as pa
        import pyarrow.compute as pc

        known = pa.array(list(CITIES), type=arrow.type)
        codes = pc.index_in(arrow, value_set=known).to_numpy(zero_copy_only=False)
        unknown = np.isnan(codes)
        codes = np.where(unknown, -1, codes).astype(np.int64)
        values = list(CITIES)
        if unknown.any():
            extra, extra_values = pd.factorize(col[unknown], use_na_sentinel=True)
            codes[unknown] = np.where(extra >= 0, extra + len(values), -1)
            values += list(extra_values)
        return codes, values
    codes, values = pd.factorize(col, use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64), list(values)


def _is_arrow_string(arrow_type) -> bool:
    import pyarrow as pa

    return pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)


def _crs_matches_wgs84(crs) -> bool:
    return crs is not None and CRS.from_user_input(crs).equals(WGS84, ignore_axis_order=True)


def _crs_name(crs) -> str:
    return "no CRS (None)" if crs is None else CRS.from_user_input(crs).to_string()


def _check_boundary_crs(boundaries: BoundarySet) -> None:
    for layer in boundaries.layers:
        if not _crs_matches_wgs84(layer.districts.crs):
            raise CRSMismatchError(
                f"district layer {layer.name!r} ({layer.city_id}) is in "
                f"{_crs_name(layer.districts.crs)}; expected EPSG:4326 like the incident "
                "coordinates. Load it in EPSG:4326 (join_incidents never reprojects silently)."
            )
    if not _crs_matches_wgs84(boundaries.outlines.crs):
        raise CRSMismatchError(
            f"the city outlines are in {_crs_name(boundaries.outlines.crs)}; expected EPSG:4326 "
            "like the incident coordinates. Load them in EPSG:4326."
        )


def _points_xy(records: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    if not _crs_matches_wgs84(records.crs):
        raise CRSMismatchError(
            f"records are in {_crs_name(records.crs)} but the boundaries are in EPSG:4326; "
            "expected records in EPSG:4326 (use records.to_crs(4326), or set_crs(4326) "
            "if the coordinates already are longitude/latitude)"
        )
    geoms = np.asarray(records.geometry.array, dtype=object)
    kinds = shapely.get_type_id(geoms)
    bad = (kinds != 0) & (kinds != -1)  # 0 = Point, -1 = missing
    if bad.any():
        found = sorted(set(shapely.get_type_id(geoms[bad]).tolist()))
        names = [shapely.GeometryType(k).name for k in found]
        raise TypeError(f"records geometry must be points (or missing); found {names}")
    return shapely.get_x(geoms), shapely.get_y(geoms)  # NaN for missing and empty


def _float_column(records: pd.DataFrame, name: str) -> np.ndarray:
    col = records[name]
    try:
        if not isinstance(col.dtype, np.dtype) or col.dtype.kind not in "fiu":
            col = col.astype("Float64")
        return col.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"column {name!r} has dtype {records[name].dtype} and is not numeric; "
            f"expected numbers with NaN/NA for blanks ({err})"
        ) from None


# --------------------------------------------------------------------------- cities


@dataclass
class _City:
    city_id: str
    name: str
    outline: BaseGeometry | None
    layers: list[Layer]  # oldest first
    first_layer: int  # global number of layers[0]
    bounds: tuple[float, float, float, float] | None


@dataclass
class _Cities:
    cities: list[_City]
    layers: list[Layer]  # global layer list: city by city, oldest first
    layer_city: np.ndarray  # city number of each global layer
    district_offset: np.ndarray  # first global district number of each layer
    district_ids: list[str]
    district_names: list[str]


def _city_table(boundaries: BoundarySet) -> _Cities:
    ids = list(dict.fromkeys([*CITY_IDS.values(), *(l.city_id for l in boundaries.layers)]))
    known_outlines = set(boundaries.outlines["city_id"]) if "city_id" in boundaries.outlines else set()
    ids += [c for c in known_outlines if c not in ids]
    cities, layers, layer_city, offsets, d_ids, d_names = [], [], [], [], [], []
    for number, city_id in enumerate(ids):
        outline = boundaries.outline(city_id) if city_id in known_outlines else None
        if outline is not None and (outline.is_empty or outline is None):
            outline = None
        own = boundaries.layers_for(city_id)
        boxes = [l.districts.total_bounds for l in own if len(l.districts)]
        if outline is not None:
            boxes.append(np.asarray(outline.bounds))
        bounds = None
        if boxes:
            b = np.vstack(boxes)
            bounds = (b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max())
            if not np.isfinite(bounds).all():
                bounds = None
        cities.append(
            _City(city_id, CITY_NAMES.get(city_id, city_id), outline, own, len(layers), bounds)
        )
        for layer in own:
            layers.append(layer)
            layer_city.append(number)
            offsets.append(len(d_ids))
            d_ids += [str(v) for v in layer.districts["district_id"]]
            d_names += [str(v) for v in layer.districts["name_en"]]
    return _Cities(
        cities, layers, np.asarray(layer_city, dtype=np.int64),
        np.asarray(offsets, dtype=np.int64), d_ids, d_names,
    )


def _assign_city(rows: _Rows, cities: _Cities) -> np.ndarray:
    """The stated city of every row as a city number, -1 for national/other/blank."""
    number = {c.city_id: i for i, c in enumerate(cities.cities)}
    per_value = np.array(
        [number.get(CITY_IDS.get(v, ""), -1) if isinstance(v, str) else -1 for v in rows.city_values]
        + [-1],  # position -1: blank city
        dtype=np.int64,
    )
    return per_value[rows.city_code]


# --------------------------------------------------------------------------- locate


@dataclass
class _Located:
    city: np.ndarray  # city number holding the point, -1 none
    district: np.ndarray  # district row within the layer, -1 none (gap or no layer)
    layer: np.ndarray  # global layer number used, -1 none
    gap: np.ndarray  # bool: in the city, in no district of an existing layer
    near: np.ndarray  # nearest district row for gap points
    near_m: np.ndarray  # its distance in metres
    swapped: np.ndarray  # bool: the coordinates look like lat/lon exchanged


def _locate(rows: _Rows, cities: _Cities, tol: float) -> _Located:
    n = len(rows.lon)
    valid = rows.coords == _VALID
    city, district, layer = _point_in_cities(
        rows.lon, rows.lat, valid, rows.day, rows.no_date, cities
    )

    gap = (city >= 0) & (district == _GAP) & (layer >= 0)
    district[district < 0] = -1
    near = np.full(n, -1, dtype=np.int64)
    near_m = np.full(n, np.nan)
    for g in _distinct(layer[gap]):
        sel = np.flatnonzero(gap & (layer == g))
        c = cities.cities[cities.layer_city[g]]
        grid = _grid_for(cities.layers[g].districts, c.outline, c.city_id)
        near[sel], near_m[sel] = grid.nearest(rows.lon[sel], rows.lat[sel])

    # swapped: the exchanged pair lies in a city, or latitude holds a longitude-like
    # value (outside the Kazakh latitude band, inside its longitude band) and vice versa
    lost = np.flatnonzero(valid & (city < 0))
    lat, lon = rows.lat[lost], rows.lon[lost]
    band = (
        ((lat < KZ_LAT_BAND[0]) | (lat > KZ_LAT_BAND[1]))
        & (lat >= KZ_LON_BAND[0]) & (lat <= KZ_LON_BAND[1])
        & (lon >= KZ_LAT_BAND[0]) & (lon <= KZ_LAT_BAND[1])
    )
    in_city_swapped, _, _ = _point_in_cities(
        lat, lon, np.ones(len(lost), dtype=bool), rows.day[lost], rows.no_date[lost], cities
    )
    swapped = np.zeros(n, dtype=bool)
    swapped[lost] = band | (in_city_swapped >= 0)
    return _Located(city, district, layer, gap, near, near_m, swapped)


def _point_in_cities(lon, lat, valid, day, no_date, cities: _Cities):
    """City, district row (or _GAP) and layer of every point, by the layer in force on its date."""
    n = len(lon)
    city = np.full(n, -1, dtype=np.int32)
    district = np.full(n, _OUT, dtype=np.int32)
    layer = np.full(n, -1, dtype=np.int32)
    free = valid.copy()  # valid and not yet in a city
    for number, c in enumerate(cities.cities):
        if c.bounds is None:
            continue
        x0, y0, x1, y1 = c.bounds
        mask = lon >= x0  # built in place: this runs over every row
        mask &= lon <= x1
        mask &= lat >= y0
        mask &= lat <= y1
        mask &= free
        cand = np.flatnonzero(mask)
        if cand.size == 0:
            continue
        chosen = _layer_in_force(c, day[cand], no_date[cand])
        for k in _distinct(chosen):
            sel = cand[chosen == k]
            districts = c.layers[k].districts if k >= 0 else None
            found = _grid_for(districts, c.outline, c.city_id).locate(lon[sel], lat[sel])
            inside = found != _OUT
            sel = sel[inside]
            free[sel] = False
            city[sel] = number
            district[sel] = found[inside]
            layer[sel] = c.first_layer + k if k >= 0 else -1
    return city, district, layer


def _distinct(values: np.ndarray) -> list[int]:
    """The distinct small integers (>= -1) of ``values``, without sorting them all."""
    if values.size == 0:
        return []
    return (np.flatnonzero(np.bincount(values + 1)) - 1).tolist()


def _layer_in_force(c: _City, day: np.ndarray, no_date: np.ndarray) -> np.ndarray:
    """Row in ``c.layers`` of the layer in force on each date (-1 none; newest for NaT).

    ``BoundarySet.layer_for`` is constant between the layers' validity limits, so it
    is asked once per interval between those limits and the answer spread by date.
    """
    if not c.layers:
        return np.full(len(day), -1, dtype=np.int64)
    limits = sorted({d for l in c.layers for d in (l.valid_from, l.valid_to) if d is not None})
    starts = [date.min, *limits]
    answer = []
    for start in starts:
        found = _layer_for(c.layers, start)
        answer.append(-1 if found is None else found)
    answer = np.asarray(answer, dtype=np.int64)
    cuts = np.asarray([_day_number(d) for d in limits], dtype=np.int64)
    chosen = answer[np.searchsorted(cuts, day, side="right")]
    chosen[no_date] = len(c.layers) - 1
    return chosen


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


def _layer_for(layers: list[Layer], on: date) -> int | None:
    # the rule of BoundarySet.layer_for: the first layer (oldest first) in force on ``on``
    for k, layer in enumerate(layers):
        if layer.in_force(on):
            return k
    return None


# --------------------------------------------------------------------------- the grid


class _Grid:
    """Point-in-polygon for one district layer plus a city outline, on a 2**depth grid.

    ``locate`` answers exactly what ``shapely.contains_xy`` answers for each district
    (first district row on overlaps), then for the outline.
    """

    def __init__(self, districts: list[BaseGeometry], outline: BaseGeometry | None,
                 city_id: str, depth: int = GRID_DEPTH):
        # private copies, prepared, so the caller's geometries are not touched
        regions = [_prepared_copy(g) for g in districts]
        if outline is not None:
            regions.append(_prepared_copy(outline))
        self.regions = regions
        self.n_districts = len(districts)
        self.city_id = city_id
        seg_xy, seg_region = _segments(regions)
        self.seg_xy, self.seg_region = seg_xy, seg_region
        self._nearest_tree = None
        n = 1 << depth
        self.n = n
        if seg_xy.shape[0] == 0:
            self.origin, self.inv, self.labels = (0.0, 0.0), (0.0, 0.0), np.full((1, 1), _OUT)
            self.n = 1
            self.cand_ptr = np.zeros(1, dtype=np.int64)
            self.cand_region = np.zeros(0, dtype=np.int64)
            return
        x0, y0 = seg_xy[:, :, 0].min(), seg_xy[:, :, 1].min()
        x1, y1 = seg_xy[:, :, 0].max(), seg_xy[:, :, 1].max()
        pad_x, pad_y = max((x1 - x0) * 1e-3, 1e-9), max((y1 - y0) * 1e-3, 1e-9)
        x0, x1, y0, y1 = x0 - pad_x, x1 + pad_x, y0 - pad_y, y1 + pad_y
        self.origin = (x0, y0)
        dx, dy = (x1 - x0) / n, (y1 - y0) / n
        self.inv = (1.0 / dx, 1.0 / dy)
        self._build(depth, dx, dy)

    def _build(self, depth: int, dx: float, dy: float) -> None:
        # Quadtree descent: a cell no boundary segment touches (with a margin far above
        # the rounding of the point -> cell arithmetic) is wholly inside or outside every
        # region, so its centre tells; crossed cells are split, down to the grid cells.
        tree = shapely.STRtree(shapely.linestrings(self.seg_xy))
        x0, y0 = self.origin
        ex, ey = dx * 1e-6, dy * 1e-6
        labels = np.full((self.n, self.n), _OUT, dtype=np.int32)
        ci = np.zeros(1, dtype=np.int64)
        cj = np.zeros(1, dtype=np.int64)
        for level in range(depth + 1):
            size = 1 << (depth - level)
            boxes = shapely.box(
                x0 + ci * size * dx - ex, y0 + cj * size * dy - ey,
                x0 + (ci + 1) * size * dx + ex, y0 + (cj + 1) * size * dy + ey,
            )
            hit_box, hit_seg = tree.query(boxes, predicate="intersects")
            crossed = np.zeros(len(boxes), dtype=bool)
            crossed[hit_box] = True
            pure = np.flatnonzero(~crossed)
            if pure.size:
                cx = x0 + (ci[pure] + 0.5) * size * dx
                cy = y0 + (cj[pure] + 0.5) * size * dy
                lab = self._label_centres(cx, cy)
                m = self.n // size
                view = labels.reshape(m, size, m, size)
                view[cj[pure], :, ci[pure], :] = lab[:, None, None]
            keep = np.flatnonzero(crossed)
            if level < depth:
                ci = np.repeat(ci[keep] * 2, 4) + np.tile([0, 1, 0, 1], keep.size)
                cj = np.repeat(cj[keep] * 2, 4) + np.tile([0, 0, 1, 1], keep.size)
                continue
            # crossed grid cells: candidates are the regions whose border crosses the
            # cell plus the regions holding its centre (then holding all of it)
            pos = np.full(len(boxes), -1, dtype=np.int64)
            pos[keep] = np.arange(keep.size)
            pairs = [np.stack([pos[hit_box], self.seg_region[hit_seg]], axis=1)]
            cx = x0 + (ci[keep] + 0.5) * dx
            cy = y0 + (cj[keep] + 0.5) * dy
            for r, geom in enumerate(self.regions):
                holds = np.flatnonzero(shapely.contains_xy(geom, cx, cy))
                pairs.append(np.stack([holds, np.full(holds.size, r)], axis=1))
            pairs = np.unique(np.concatenate(pairs), axis=0)  # sorted by cell, region
            self.cand_ptr = np.searchsorted(pairs[:, 0], np.arange(keep.size + 1))
            self.cand_region = pairs[:, 1]
            labels[cj[keep], ci[keep]] = _MIXED - np.arange(keep.size)
        small = labels.min() >= np.iinfo(np.int16).min
        self.labels = labels.astype(np.int16) if small else labels  # fewer cache misses

    def _label_centres(self, x, y) -> np.ndarray:
        out = np.full(len(x), _OUT, dtype=np.int32)
        if self.n_districts < len(self.regions):  # the outline
            out[shapely.contains_xy(self.regions[-1], x, y)] = _GAP
        for r in range(self.n_districts - 1, -1, -1):  # lowest row wins on overlaps
            out[shapely.contains_xy(self.regions[r], x, y)] = r
        return out

    def locate(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """District row of each point, or _GAP (in the outline only), or _OUT."""
        fx = x - self.origin[0]
        fx *= self.inv[0]
        fy = y - self.origin[1]
        fy *= self.inv[1]
        on_grid = fx >= 0
        on_grid &= fx < self.n
        on_grid &= fy >= 0
        on_grid &= fy < self.n
        if on_grid.all():
            cell = fy.astype(np.int32)
            cell *= self.n
            cell += fx.astype(np.int32)
            out = self.labels.ravel().take(cell).astype(np.int32)
        else:
            out = np.full(len(x), _OUT, dtype=np.int32)
            idx = np.flatnonzero(on_grid)
            out[idx] = self.labels[fy[idx].astype(np.int32), fx[idx].astype(np.int32)]
        mixed = np.flatnonzero(out <= _MIXED)
        if mixed.size:
            out[mixed] = self._exact(x[mixed], y[mixed], _MIXED - out[mixed])
        return out

    def _exact(self, x, y, cell) -> np.ndarray:
        start, stop = self.cand_ptr[cell], self.cand_ptr[cell + 1]
        count = stop - start
        point = np.repeat(np.arange(len(x)), count)
        first = np.repeat(start - (np.cumsum(count) - count), count)
        region = self.cand_region[first + np.arange(point.size)]
        out = np.full(len(x), _OUT, dtype=np.int64)
        if self.n_districts < len(self.regions):
            sel = region == self.n_districts
            p = point[sel]
            out[p[shapely.contains_xy(self.regions[-1], x[p], y[p])]] = _GAP
        for r in range(self.n_districts - 1, -1, -1):
            p = point[region == r]
            if p.size:
                out[p[shapely.contains_xy(self.regions[r], x[p], y[p])]] = r
        return out

    def nearest(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest district row of each point and its distance in metres (UTM)."""
        if self._nearest_tree is None:
            to_utm = _to_utm(self.city_id, self.origin)
            # edges are first cut to <= _DENSIFY_DEG so that an edge drawn straight in
            # lon/lat stays (within centimetres) where it is once projected
            mine = self.seg_region < self.n_districts
            edges = shapely.segmentize(shapely.linestrings(self.seg_xy[mine]), _DENSIFY_DEG)
            xy, edge = shapely.get_coordinates(edges, return_index=True)
            px, py = to_utm.transform(xy[:, 0], xy[:, 1])
            same = edge[1:] == edge[:-1]
            start = np.column_stack([px[:-1], py[:-1]])[same]
            stop = np.column_stack([px[1:], py[1:]])[same]
            pieces = shapely.linestrings(np.stack([start, stop], axis=1))
            self._nearest_tree = (to_utm, shapely.STRtree(pieces),
                                  self.seg_region[mine][edge[:-1][same]])
        to_utm, tree, seg_region = self._nearest_tree
        out_k = np.full(len(x), -1, dtype=np.int64)
        out_d = np.full(len(x), np.nan)
        if len(tree) == 0 or len(x) == 0:
            return out_k, out_d
        px, py = to_utm.transform(x, y)
        (point, seg), dist = tree.query_nearest(shapely.points(px, py), return_distance=True)
        order = np.lexsort((seg_region[seg], dist, point))  # per point: closest, lowest row
        point, seg, dist = point[order], seg[order], dist[order]
        first = np.ones(point.size, dtype=bool)
        first[1:] = point[1:] != point[:-1]
        out_k[point[first]] = seg_region[seg[first]]
        out_d[point[first]] = dist[first]
        return out_k, out_d


def _prepared_copy(geom: BaseGeometry) -> BaseGeometry:
    copy = shapely.from_wkb(shapely.to_wkb(geom))
    shapely.prepare(copy)
    return copy


def _segments(regions: list[BaseGeometry]) -> tuple[np.ndarray, np.ndarray]:
    """Every edge of every ring as an (m, 2, 2) array, with the region of each edge."""
    parts, part_region = shapely.get_parts(np.asarray(regions, dtype=object), return_index=True)
    polys = shapely.get_type_id(parts) == 3
    parts, part_region = parts[polys], part_region[polys]
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    xy, point_ring = shapely.get_coordinates(rings, return_index=True)
    same = point_ring[1:] == point_ring[:-1]
    seg = np.stack([xy[:-1][same], xy[1:][same]], axis=1)
    return seg, part_region[ring_part[point_ring[:-1][same]]].astype(np.int64)


def _to_utm(city_id: str, origin) -> Transformer:
    epsg = UTM_EPSG.get(city_id)
    if epsg is None:
        zone = int((origin[0] + 180.0) // 6) % 60 + 1
        epsg = (32600 if origin[1] >= 0 else 32700) + zone
    return Transformer.from_crs(WGS84, CRS.from_epsg(epsg), always_xy=True)


_GRIDS: OrderedDict = OrderedDict()


def _grid_for(districts: gpd.GeoDataFrame | None, outline: BaseGeometry | None,
              city_id: str) -> _Grid:
    """The grid of one layer + outline, built once and cached by object identity.

    Layers are frozen dataclasses and treated as immutable: a GeoDataFrame changed
    in place after a join is not noticed.
    """
    key = (id(districts), id(outline), city_id)
    hit = _GRIDS.get(key)
    if hit is not None and hit[0] is districts and hit[1] is outline:
        _GRIDS.move_to_end(key)
        return hit[2]
    geoms = [] if districts is None else list(districts.geometry.array)
    geoms = [g if g is not None else shapely.Polygon() for g in geoms]
    grid = _Grid(geoms, outline, city_id)
    _GRIDS[key] = (districts, outline, grid)  # keeps the objects alive: ids stay unique
    while len(_GRIDS) > _CACHE_SIZE:
        _GRIDS.popitem(last=False)
    return grid


# --------------------------------------------------------------------------- decide


@dataclass
class _Decided:
    stated: np.ndarray  # stated city number, -1 for national/other/blank
    city: np.ndarray  # city number, -1 -> ""
    layer: np.ndarray  # global layer number, -1 -> ""
    district: np.ndarray  # row within the layer, -1 -> ""
    attribution: np.ndarray  # int8 code into ATTRIBUTION_CODES
    placed: np.ndarray  # bool: the city comes from the point
    precise: np.ndarray  # bool: placed and precise enough for a district


def _decide(rows: _Rows, stated: np.ndarray, loc: _Located, tol: float) -> _Decided:
    has_city = stated >= 0
    located = loc.city >= 0  # only valid coordinates are ever located
    # the point decides: it lies in the stated city, or no city is stated
    placed = located & ((loc.city == stated) | ~has_city)
    city = np.where(placed, loc.city, stated)
    attribution = np.where(has_city, np.int8(_CITY), np.int8(_UNLOCATED))
    attribution[placed] = _CITY
    outside = np.flatnonzero((rows.coords == _VALID) & ~located & ~loc.swapped)
    attribution[outside] = _OUTSIDE
    city[outside] = -1

    precise = placed & rows.precise
    layer = np.where(precise, loc.layer, -1)  # -1 already where no layer was in force
    inside = precise & (loc.district >= 0)
    district = np.where(inside, loc.district, -1)
    gap = np.flatnonzero(loc.gap)
    gap = gap[precise[gap] & (loc.near[gap] >= 0) & (loc.near_m[gap] <= tol)]
    district[gap] = loc.near[gap]
    inside[gap] = True
    attribution[inside] = _DISTRICT
    return _Decided(stated, city, layer, district, attribution, placed, precise)


# --------------------------------------------------------------------------- notes

# kinds of the main note fragment
(_N_PARTIAL, _N_RANGE, _N_SWAPPED, _N_OUTSIDE, _N_OTHER_CITY, _N_NO_PRECISION,
 _N_NO_LAYER, _N_GAP_NEAR, _N_GAP_FAR) = range(1, 10)
# kinds of the date fragment
_N_NO_DATE, _N_CHANGE_MONTH = 1, 2


def _notes(rows: _Rows, loc: _Located, dec: _Decided, cities: _Cities,
           tol: float) -> tuple[np.ndarray, list[str], np.ndarray]:
    """``join_note`` as codes into a table of texts: up to three fragments joined by '; '.

    Each fragment is a list of rows with integer keys; texts are formatted once per
    distinct key, never per row.  The third value is ``join_code``: every row's
    number in :data:`JOIN_CODES` (see :func:`_reasons`).
    """
    n = len(dec.city)
    city_name = [c.name for c in cities.cities]
    layer_name = [layer.name for layer in cities.layers]

    def stated_value(code: int) -> str:
        return "" if code < 0 else str(rows.city_values[code])

    # 1. a record without a stated city placed by its point
    given = np.flatnonzero(dec.placed & (dec.stated < 0))

    def fmt_given(code, c):
        value = stated_value(code)
        said = f"city given as {value!r}" if value else "no city given"
        return f"{said}; placed in {city_name[c]} by its coordinates"

    first = _coded(given, [rows.city_code[given], dec.city[given]], fmt_given)

    # 2. the main note: why a record is not (or only loosely) placed; the cases are disjoint
    pieces = []  # (rows, kind, a, b)

    def piece(where, kind, a=None, b=None):
        zero = np.zeros(where.size, dtype=np.int64)
        pieces.append((where, np.full(where.size, kind), zero if a is None else a,
                       zero if b is None else b))

    piece(np.flatnonzero(rows.coords == _PARTIAL), _N_PARTIAL)
    piece(np.flatnonzero(rows.coords == _OUT_OF_RANGE), _N_RANGE)
    valid = rows.coords == _VALID
    lost = np.flatnonzero(valid & (loc.city < 0))
    piece(lost[loc.swapped[lost]], _N_SWAPPED)
    piece(lost[~loc.swapped[lost]], _N_OUTSIDE)
    other = np.flatnonzero(valid & (loc.city >= 0) & ~dec.placed)
    piece(other, _N_OTHER_CITY, loc.city[other], rows.city_code[other])
    piece(np.flatnonzero(dec.placed & rows.precision_missing), _N_NO_PRECISION)
    no_layer = np.flatnonzero(dec.precise & (loc.layer < 0))
    piece(no_layer, _N_NO_LAYER, dec.city[no_layer])
    gap = np.flatnonzero(dec.precise & loc.gap)
    nearest = np.where(
        loc.near[gap] >= 0, cities.district_offset[loc.layer[gap]] + loc.near[gap], -1
    )
    metres = np.rint(np.nan_to_num(loc.near_m[gap], nan=-1.0)).astype(np.int64)
    assigned = dec.district[gap] >= 0
    piece(gap[assigned], _N_GAP_NEAR, nearest[assigned], metres[assigned])
    piece(gap[~assigned], _N_GAP_FAR, nearest[~assigned], metres[~assigned])
    located_in = ", ".join(c.name for c in cities.cities if c.bounds is not None)

    def fmt_main(k, a, b):
        if k == _N_PARTIAL:
            return "only one of latitude/longitude given; not placed"
        if k == _N_RANGE:
            return ("coordinates out of range (latitude within ±90, longitude within ±180 "
                    "expected); not placed")
        if k == _N_SWAPPED:
            return "coordinates look swapped (lat/lon exchanged); not placed in a district"
        if k == _N_OUTSIDE:
            return f"coordinates lie outside every city ({located_in})"
        if k == _N_OTHER_CITY:
            return (f"coordinates lie in {city_name[a]}, not in the stated city "
                    f"{stated_value(b)}; not placed in a district")
        if k == _N_NO_PRECISION:
            return "geo_precision missing; not placed in a district"
        if k == _N_NO_LAYER:
            return f"no district layer of {city_name[a]} in force on this date"
        if k == _N_GAP_NEAR:
            return (f"in a gap between districts; assigned to nearest district "
                    f"{cities.district_names[a]} ({b} m)")
        if a < 0:
            return "in a gap between districts; the layer has no district to fall back on"
        return (f"in a gap between districts; nearest district {cities.district_names[a]} is "
                f"{b} m away, beyond the {tol:g} m tolerance; not placed in a district")

    where, kind, a, b = (np.concatenate(parts) for parts in zip(*pieces))
    second = _coded(where, [kind, a, b], fmt_main)
    main = (where, kind)

    # 3. the date: missing (newest layer used), or in a month the boundaries changed
    used = np.flatnonzero(dec.layer >= 0)
    undated = used[rows.no_date[used]]
    pieces = [(undated, np.full(undated.size, _N_NO_DATE), dec.layer[undated],
               np.zeros(undated.size, dtype=np.int64))]
    dated = used[~rows.no_date[used]]
    day, city = rows.day[dated], dec.city[dated]
    for number, c in enumerate(cities.cities):
        limits = {d for l in c.layers for d in (l.valid_from, l.valid_to) if d is not None}
        for year, mon in sorted({(d.year, d.month) for d in limits}):
            start = _day_number(date(year, mon, 1))
            stop = _day_number(date(year + mon // 12, mon % 12 + 1, 1))
            hit = dated[(city == number) & (day >= start) & (day < stop)]
            month = (year - 1970) * 12 + mon - 1
            pieces.append((hit, np.full(hit.size, _N_CHANGE_MONTH), dec.layer[hit],
                           np.full(hit.size, month)))

    def fmt_date(k, g, m):
        if k == _N_NO_DATE:
            return f"date missing; used the newest layer {layer_name[g]}"
        c = cities.cities[cities.layer_city[g]].name
        return (f"district boundaries of {c} changed in {np.datetime64(m, 'M')}; the district "
                f"follows layer {layer_name[g]} and may have changed that month")

    where, kind, g, m = (np.concatenate(parts) for parts in zip(*pieces))
    third = _coded(where, [kind, g, m], fmt_date)
    reason = _reasons(rows, dec, main, given, (where, kind))
    return (*_combine(n, [first, second, third]), reason)


def _reason_of_kind(codes: dict[int, str]) -> np.ndarray:
    """A lookup array: note fragment kind -> number in :data:`JOIN_CODES` (-1: no kind)."""
    out = np.full(max(codes) + 1, -1, dtype=np.int8)
    for kind, code in codes.items():
        out[kind] = _R[code]
    return out


# ``join_code`` of each kind of note fragment
_MAIN_REASON = _reason_of_kind({
    _N_PARTIAL: "partial_coordinates", _N_RANGE: "out_of_range", _N_SWAPPED: "swapped",
    _N_OUTSIDE: "outside", _N_OTHER_CITY: "other_city", _N_NO_PRECISION: "no_precision",
    _N_NO_LAYER: "no_layer", _N_GAP_NEAR: "nearest_district", _N_GAP_FAR: "gap",
})
_DATE_REASON = _reason_of_kind({_N_NO_DATE: "no_date", _N_CHANGE_MONTH: "boundary_change"})


def _reasons(rows: _Rows, dec: _Decided, main, given: np.ndarray, dated) -> np.ndarray:
    """One ``join_code`` per row: the main reason of its note, else how it was placed.

    The main fragment of the note comes first (it says why a record is not, or only
    loosely, placed), then a placement by the point of a record without a stated
    city, then the date fragment; a row without a note gets the code of its
    attribution (``district``; ``precision_city`` or ``no_coordinates`` for a city;
    ``unlocated``; an ``outside`` row always has a note).
    """
    code = np.full(len(dec.city), _R["unlocated"], dtype=np.int8)
    code[dec.attribution == _DISTRICT] = _R["district"]
    city = dec.attribution == _CITY
    code[city & dec.placed] = _R["precision_city"]
    code[city & (rows.coords == _NO_COORDS)] = _R["no_coordinates"]
    where, kind = dated
    code[where] = _DATE_REASON[kind]
    code[given] = _R["placed_by_point"]
    where, kind = main
    code[where] = _MAIN_REASON[kind]
    return code


def _coded(rows: np.ndarray, keys: list[np.ndarray], fmt):
    """(rows, codes from 1, table of texts with "" first) for integer keys of some rows."""
    if rows.size == 0:
        return rows, rows, [""]
    parts = [np.unique(k, return_inverse=True) for k in keys]
    combined = np.zeros(rows.size, dtype=np.int64)
    for values, inverse in parts:
        combined = combined * len(values) + inverse.ravel()
    distinct, codes = np.unique(combined, return_inverse=True)
    table = [""]
    for key in distinct.tolist():
        picked = []
        for values, _ in reversed(parts):
            key, i = divmod(key, len(values))
            picked.append(int(values[i]))
        table.append(fmt(*reversed(picked)))
    return rows, codes.ravel() + 1, table


def _combine(n: int, fragments) -> tuple[np.ndarray, list[str]]:
    """Join the fragments of each row with '; ' (codes into one table of texts)."""
    key = np.zeros(n, dtype=np.int64)
    scale = 1
    for rows, codes, table in reversed(fragments):
        key[rows] += codes * scale
        scale *= len(table)
    noted = np.flatnonzero(key)
    out = np.zeros(n, dtype=np.int64)
    if noted.size == 0:
        return out, [""]
    distinct, inverse = np.unique(key[noted], return_inverse=True)
    out[noted] = inverse.ravel() + 1
    texts = [""]
    for k in distinct.tolist():
        pieces = []
        for _, _, table in reversed(fragments):
            k, c = divmod(k, len(table))
            if c:
                pieces.append(table[c])
        texts.append("; ".join(reversed(pieces)))
    return out, texts


# --------------------------------------------------------------------------- frame

_TEXT_DTYPE = pd.Series([""]).dtype  # "str" (pyarrow-backed) on pandas 3, object before


def _to_frame(records: pd.DataFrame, dec: _Decided, notes, cities: _Cities) -> pd.DataFrame:
    out = records.copy()  # cheap: numpy blocks are copied, arrow strings are shared
    stale = [c for c in OUTPUT_COLUMNS if c in out.columns]
    if stale:
        out = out.drop(columns=stale)
    has_district = (dec.district >= 0) & (dec.layer >= 0)
    global_district = np.where(
        has_district, cities.district_offset[np.maximum(dec.layer, 0)] + dec.district + 1, 0
    )
    note_codes, note_table, reason = notes
    columns = {
        "city_id": (dec.city + 1, ["", *(c.city_id for c in cities.cities)]),
        "district_id": (global_district, ["", *cities.district_ids]),
        "district_name_en": (global_district, ["", *cities.district_names]),
        "attribution": (dec.attribution, list(ATTRIBUTION_CODES)),
        "join_note": (note_codes, note_table),
        "join_code": (reason, list(JOIN_CODES)),
        "boundary_layer": (dec.layer + 1, ["", *(l.name for l in cities.layers)]),
    }
    for name, (codes, table) in columns.items():
        out[name] = _text_array(codes, table)
    return out


def _text_array(codes: np.ndarray, table: list[str]):
    if getattr(_TEXT_DTYPE, "storage", None) == "pyarrow":
        import pyarrow as pa

        taken = pa.array(table, type=pa.large_string()).take(pa.array(codes))
        return pd.array(taken, dtype=_TEXT_DTYPE)
    return pd.array(np.asarray(table, dtype=object)[codes], dtype=_TEXT_DTYPE)
