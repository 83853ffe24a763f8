"""Stage 6 of the join: ``join_note`` and ``join_code`` for every row, and the output frame."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from geo.join._common import (
    _CITY,
    _DISTRICT,
    _NO_COORDS,
    _OUT_OF_RANGE,
    _PARTIAL,
    _R,
    _VALID,
    ATTRIBUTION_CODES,
    JOIN_CODES,
    OUTPUT_COLUMNS,
    _day_number,
)
from geo.join._locate import _Cities, _Decided, _Located
from geo.join._rows import _Rows

# --------------------------------------------------------------------------- notes

# kinds of the main note fragment
(_N_PARTIAL, _N_RANGE, _N_SWAPPED, _N_OUTSIDE, _N_OTHER_CITY, _N_NO_PRECISION, _N_NO_LAYER, _N_GAP_NEAR, _N_GAP_FAR) = (
    range(1, 10)
)
# kinds of the date fragment
_N_NO_DATE, _N_CHANGE_MONTH = 1, 2


def _notes(
    rows: _Rows, loc: _Located, dec: _Decided, cities: _Cities, tol: float
) -> tuple[np.ndarray, list[str], np.ndarray]:
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
        pieces.append((where, np.full(where.size, kind), zero if a is None else a, zero if b is None else b))

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
    nearest = np.where(loc.near[gap] >= 0, cities.district_offset[loc.layer[gap]] + loc.near[gap], -1)
    metres = np.rint(np.nan_to_num(loc.near_m[gap], nan=-1.0)).astype(np.int64)
    assigned = dec.district[gap] >= 0
    piece(gap[assigned], _N_GAP_NEAR, nearest[assigned], metres[assigned])
    piece(gap[~assigned], _N_GAP_FAR, nearest[~assigned], metres[~assigned])
    located_in = ", ".join(c.name for c in cities.cities if c.bounds is not None)

    def fmt_main(k, a, b):
        if k == _N_PARTIAL:
            return "only one of latitude/longitude given; not placed"
        if k == _N_RANGE:
            return "coordinates out of range (latitude within ±90, longitude within ±180 expected); not placed"
        if k == _N_SWAPPED:
            return "coordinates look swapped (lat/lon exchanged); not placed in a district"
        if k == _N_OUTSIDE:
            return f"coordinates lie outside every city ({located_in})"
        if k == _N_OTHER_CITY:
            return (
                f"coordinates lie in {city_name[a]}, not in the stated city {stated_value(b)}; not placed in a district"
            )
        if k == _N_NO_PRECISION:
            return "geo_precision missing; not placed in a district"
        if k == _N_NO_LAYER:
            return f"no district layer of {city_name[a]} in force on this date"
        if k == _N_GAP_NEAR:
            return f"in a gap between districts; assigned to nearest district {cities.district_names[a]} ({b} m)"
        if a < 0:
            return "in a gap between districts; the layer has no district to fall back on"
        return (
            f"in a gap between districts; nearest district {cities.district_names[a]} is "
            f"{b} m away, beyond the {tol:g} m tolerance; not placed in a district"
        )

    where, kind, a, b = (np.concatenate(parts) for parts in zip(*pieces))
    second = _coded(where, [kind, a, b], fmt_main)
    main = (where, kind)

    # 3. the date: missing (newest layer used), or in a month the boundaries changed
    used = np.flatnonzero(dec.layer >= 0)
    undated = used[rows.no_date[used]]
    pieces = [(undated, np.full(undated.size, _N_NO_DATE), dec.layer[undated], np.zeros(undated.size, dtype=np.int64))]
    dated = used[~rows.no_date[used]]
    day, city = rows.day[dated], dec.city[dated]
    for number, c in enumerate(cities.cities):
        limits = {d for layer in c.layers for d in (layer.valid_from, layer.valid_to) if d is not None}
        for year, mon in sorted({(d.year, d.month) for d in limits}):
            start = _day_number(date(year, mon, 1))
            stop = _day_number(date(year + mon // 12, mon % 12 + 1, 1))
            hit = dated[(city == number) & (day >= start) & (day < stop)]
            month = (year - 1970) * 12 + mon - 1
            pieces.append((hit, np.full(hit.size, _N_CHANGE_MONTH), dec.layer[hit], np.full(hit.size, month)))

    def fmt_date(k, g, m):
        if k == _N_NO_DATE:
            return f"date missing; used the newest layer {layer_name[g]}"
        c = cities.cities[cities.layer_city[g]].name
        return (
            f"district boundaries of {c} changed in {np.datetime64(m, 'M')}; the district "
            f"follows layer {layer_name[g]} and may have changed that month"
        )

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
_MAIN_REASON = _reason_of_kind(
    {
        _N_PARTIAL: "partial_coordinates",
        _N_RANGE: "out_of_range",
        _N_SWAPPED: "swapped",
        _N_OUTSIDE: "outside",
        _N_OTHER_CITY: "other_city",
        _N_NO_PRECISION: "no_precision",
        _N_NO_LAYER: "no_layer",
        _N_GAP_NEAR: "nearest_district",
        _N_GAP_FAR: "gap",
    }
)
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
_COPY_ON_WRITE = int(pd.__version__.split(".")[0]) >= 3


def _to_frame(records: pd.DataFrame, dec: _Decided, notes, cities: _Cities) -> pd.DataFrame:
    has_district = (dec.district >= 0) & (dec.layer >= 0)
    global_district = np.where(has_district, cities.district_offset[np.maximum(dec.layer, 0)] + dec.district + 1, 0)
    note_codes, note_table, reason = notes
    return _with_columns(
        records,
        {
            "city_id": (dec.city + 1, ["", *(c.city_id for c in cities.cities)]),
            "district_id": (global_district, ["", *cities.district_ids]),
            "district_name_en": (global_district, ["", *cities.district_names]),
            "attribution": (dec.attribution, list(ATTRIBUTION_CODES)),
            "join_note": (note_codes, note_table),
            "join_code": (reason, list(JOIN_CODES)),
            "boundary_layer": (dec.layer + 1, ["", *(layer.name for layer in cities.layers)]),
        },
    )


def _with_columns(records: pd.DataFrame, columns: dict[str, tuple[np.ndarray, list[str]]]) -> pd.DataFrame:
    """A copy of ``records`` with each output column made of its codes into its values (replacing old ones)."""
    # a copy: with copy-on-write (pandas 3) a shallow one, as no write to it can reach ``records``
    # (0.2 s at a million rows); before, its numpy blocks are copied
    out = records.copy(deep=not _COPY_ON_WRITE)
    stale = [c for c in OUTPUT_COLUMNS if c in out.columns]
    if stale:
        out = out.drop(columns=stale)
    for name in OUTPUT_COLUMNS:
        codes, table = columns[name]
        out[name] = _text_array(codes, table)
    return out


def _text_array(codes: np.ndarray, table: list[str]):
    if getattr(_TEXT_DTYPE, "storage", None) == "pyarrow":
        import pyarrow as pa

        # decoding a dictionary array is several times faster than take() on large strings
        indices = pa.array(np.asarray(codes, dtype=np.int32))
        taken = pa.DictionaryArray.from_arrays(indices, pa.array(table, type=pa.large_string()))
        return pd.array(taken.cast(pa.large_string()), dtype=_TEXT_DTYPE)
    return pd.array(np.asarray(table, dtype=object)[codes], dtype=_TEXT_DTYPE)
