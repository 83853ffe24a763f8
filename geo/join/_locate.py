"""Stages 2-5 of the join: the cities' layers, the stated city, the point's place, the decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from shapely.geometry.base import BaseGeometry

from geo.boundaries import BoundarySet, Layer
from geo.join._common import (
    _CITY,
    _DISTRICT,
    _GAP,
    _OUT,
    _OUTSIDE,
    _UNLOCATED,
    _VALID,
    CITY_NAMES,
    KZ_LAT_BAND,
    KZ_LON_BAND,
    _day_number,
)
from geo.join._grid import _grid_for
from geo.join._rows import _Rows
from geo.schema import CITY_IDS

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
    ids = list(dict.fromkeys([*CITY_IDS.values(), *(layer.city_id for layer in boundaries.layers)]))
    known_outlines = set(boundaries.outlines["city_id"]) if "city_id" in boundaries.outlines else set()
    ids += [c for c in known_outlines if c not in ids]
    cities: list[_City] = []
    layers: list[Layer] = []
    layer_city: list[int] = []
    offsets: list[int] = []
    d_ids: list[str] = []
    d_names: list[str] = []
    for number, city_id in enumerate(ids):
        outline = boundaries.outline(city_id) if city_id in known_outlines else None
        if outline is not None and (outline.is_empty or outline is None):
            outline = None
        own = boundaries.layers_for(city_id)
        boxes = [layer.districts.total_bounds for layer in own if len(layer.districts)]
        if outline is not None:
            boxes.append(np.asarray(outline.bounds))
        bounds = None
        if boxes:
            b = np.vstack(boxes)
            bounds = (b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max())
            if not np.isfinite(bounds).all():
                bounds = None
        cities.append(_City(city_id, CITY_NAMES.get(city_id, city_id), outline, own, len(layers), bounds))
        for layer in own:
            layers.append(layer)
            layer_city.append(number)
            offsets.append(len(d_ids))
            d_ids += [str(v) for v in layer.districts["district_id"]]
            d_names += [str(v) for v in layer.districts["name_en"]]
    return _Cities(
        cities,
        layers,
        np.asarray(layer_city, dtype=np.int64),
        np.asarray(offsets, dtype=np.int64),
        d_ids,
        d_names,
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
    city, district, layer = _point_in_cities(rows.lon, rows.lat, valid, rows.day, rows.no_date, cities)

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
    band = _swapped_band(lat, lon)
    in_city_swapped, _, _ = _point_in_cities(
        lat, lon, np.ones(len(lost), dtype=bool), rows.day[lost], rows.no_date[lost], cities
    )
    swapped = np.zeros(n, dtype=bool)
    swapped[lost] = band | (in_city_swapped >= 0)
    return _Located(city, district, layer, gap, near, near_m, swapped)


def _swapped_band(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """The latitude holds a longitude-like value (outside Kazakhstan's latitude band, inside its
    longitude band) and the longitude a latitude-like one."""
    return (
        ((lat < KZ_LAT_BAND[0]) | (lat > KZ_LAT_BAND[1]))
        & (lat >= KZ_LON_BAND[0])
        & (lat <= KZ_LON_BAND[1])
        & (lon >= KZ_LAT_BAND[0])
        & (lon <= KZ_LAT_BAND[1])
    )


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
    limits = sorted({d for layer in c.layers for d in (layer.valid_from, layer.valid_to) if d is not None})
    starts = [date.min, *limits]
    found_at = []
    for start in starts:
        found = _layer_for(c.layers, start)
        found_at.append(-1 if found is None else found)
    answer = np.asarray(found_at, dtype=np.int64)
    cuts = np.asarray([_day_number(d) for d in limits], dtype=np.int64)
    chosen = answer[np.searchsorted(cuts, day, side="right")]
    chosen[no_date] = len(c.layers) - 1
    return chosen


def _layer_for(layers: list[Layer], on: date) -> int | None:
    # the rule of BoundarySet.layer_for: the first layer (oldest first) in force on ``on``
    for k, layer in enumerate(layers):
        if layer.in_force(on):
            return k
    return None


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
