"""The records as the arrays the reconciliation reads, prepared once per frame."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from geo.aggregate._answer import Area
from geo.errors import ProtestMapError
from geo.schema import CITY_IDS, DETENTION_TYPES

#: Count kinds that count (a snapshot is listed, never added).
COUNTED_KINDS = ("incremental", "cumulative", "partial")

_EPOCH = date(1970, 1, 1)
#: Longest ``included_in`` chain followed (the loader refuses cycles; this only stops a hand-made frame's).
_MAX_CHAIN = 10_000


def to_day(value: date | str, what: str | None = None) -> date:
    """A day from a ``date``, a ``Timestamp`` or ``'YYYY-MM-DD'``; ``what`` names it in the error."""
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        prefix = f"{what}: " if what else ""
        raise ProtestMapError(f"{prefix}expected a date as YYYY-MM-DD, got {value!r}") from None


def _day_number(day: date) -> int:
    return (day - _EPOCH).days


def _day_of(number: int) -> date:
    return _EPOCH + timedelta(days=int(number))


def _region_contains(oc, od, ic, id_):
    """Vectorised: does area (oc, od) contain area (ic, id_)?  City 0 is the country, district -1 a whole city."""
    return (oc == 0) | ((oc == ic) & ((od < 0) | (od == id_)))


#: The columns the reconciliation needs in every records frame.
NEEDED_COLUMNS = [
    "record_id",
    "city",
    "period_start",
    "period_end",
    "detained_low",
    "detained_high",
    "count_kind",
    "included_in",
    "contested_by",
]
#: The columns it reads when they are there: what a detention without a number is, what is
#: inferred, and the join's placement.
OPTIONAL_COLUMNS = ["event_type", "inferred", "city_id", "district_id", "attribution"]


class _Claims:
    """Every record as the arrays the reconciliation reads (in the frame's row order)."""

    def __init__(self, records: pd.DataFrame):
        missing = [c for c in NEEDED_COLUMNS if c not in records.columns]
        if missing:
            raise ProtestMapError(f"records lack column(s) {', '.join(missing)} (see geo.schema.COLUMNS)")
        self.records = records
        self.n = n = len(records)
        self.origin = np.arange(n)  # the row of each claim in ``records``
        self._rid: np.ndarray | None = None

        def column(name: str) -> pd.Series:
            if name not in records.columns:
                return pd.Series("", index=range(n), dtype=object)
            return records[name].reset_index(drop=True)

        def factor(name: str) -> tuple[np.ndarray, list[str]]:
            """(code per row, distinct values in order); a blank is code -1, i.e. the last value of
            a list made one longer: columns with few values stay integers."""
            found, uniques = pd.factorize(column(name))
            names = [str(u) for u in uniques]
            order = sorted(range(len(names)), key=names.__getitem__)
            rank = np.empty(len(names) + 1, dtype=np.int64)
            rank[order] = np.arange(len(names))
            rank[-1] = -1
            return rank[found], [names[i] for i in order]

        def filled(name: str) -> np.ndarray:
            """Where a text column is not blank."""
            return column(name).ne("").to_numpy(dtype=bool, na_value=False)

        # the city as the reconciliation sees it: the join's city_id, else the stated city's
        stated, stated_names = factor("city")
        names = ["other" if v == "other" else CITY_IDS.get(v, "") for v in stated_names]
        if "city_id" in records.columns:
            placed, placed_names = factor("city_id")
            table = sorted({*names, *placed_names} - {""})
            ids_of = {v: i + 1 for i, v in enumerate(table)}
            stated_code = np.array([ids_of.get(v, 0) for v in names] + [0], dtype=np.int64)[stated]
            placed_code = np.array([ids_of.get(v, 0) for v in placed_names] + [0], dtype=np.int64)[placed]
            other = np.array([v == "other" for v in stated_names] + [False])[stated]
            city = np.where((placed_code > 0) & ~other, placed_code, stated_code)
        else:
            table = sorted(set(names) - {""})
            ids_of = {v: i + 1 for i, v in enumerate(table)}
            city = np.array([ids_of.get(v, 0) for v in names] + [0], dtype=np.int64)[stated]
        self.city_names: list[str | None] = [None, *table]  # code 0: no city
        self.city = city.astype(np.int64)
        self.joined = "district_id" in records.columns and "attribution" in records.columns
        district = np.full(n, -1, dtype=np.int64)
        self.district_names: list[str] = []
        self.district_city: list[int] = []
        if self.joined:
            how, how_names = factor("attribution")
            found, uniques = factor("district_id")
            placed_in = np.array([v == "district" for v in how_names] + [False])[how]
            placed_in &= np.array([u != "" for u in uniques] + [False])[found]
            width = len(uniques) + 1
            keys = np.where(placed_in, self.city * width + found, -1)
            present = np.unique(keys[keys >= 0])
            district = np.where(keys >= 0, np.searchsorted(present, keys), -1).astype(np.int64)
            self.district_names = [uniques[k % width] for k in present]
            self.district_city = [int(k // width) for k in present]
        self.district = district
        self.start = _days(column("period_start"))
        self.end = _days(column("period_end"))
        low = pd.to_numeric(column("detained_low"), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        high = pd.to_numeric(column("detained_high"), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        self.has_low = ~np.isnan(low)
        self.has_high = ~np.isnan(high) & self.has_low
        self.low = np.nan_to_num(low).astype(np.int64)
        self.high = np.where(self.has_high, np.nan_to_num(high), np.nan_to_num(low)).astype(np.int64)
        found, kinds = factor("count_kind")
        kinds = [k.lower() for k in kinds] + [""]
        self.kind = np.array(kinds, dtype=object)[found]
        self.counted = np.array([k in COUNTED_KINDS for k in kinds])[found]
        self.partial = np.array([k == "partial" for k in kinds])[found]
        self.cumulative = np.array([k == "cumulative" for k in kinds])[found]
        self.contested = filled("contested_by")
        self.has_inferred = filled("inferred")
        self.uncounted = np.zeros(n, dtype=bool)  # a detention reported without a number
        bare = np.flatnonzero(~self.has_low)
        if len(bare) and "event_type" in records.columns:
            types = column("event_type").iloc[bare].to_numpy(dtype=object, na_value="")
            self.uncounted[bare] = np.isin(types, DETENTION_TYPES)
        self.parent = np.full(n, -1, dtype=np.int64)
        linked = np.flatnonzero(filled("included_in"))
        if len(linked):
            self.parent[linked] = _index_of(column("record_id"), column("included_in").to_numpy(dtype=object)[linked])

    @property
    def rid(self) -> np.ndarray:
        """Every record_id (object array), made on first use."""
        if self._rid is None:
            self._rid = _texts(self.records["record_id"])[self.origin]
        return self._rid

    def rid_of(self, rows: np.ndarray) -> np.ndarray:
        """The record_ids of a few rows (without making them all)."""
        if self._rid is not None:
            return self._rid[rows]
        return _texts(self.records["record_id"].iloc[self.origin[rows]])

    def text_of(self, name: str, row: int) -> str:
        """One record's text in column ``name`` ('' when blank or absent)."""
        return self.texts_of(name, np.array([row]))[0]

    def texts_of(self, name: str, rows: np.ndarray) -> list[str]:
        """The texts of many rows in column ``name`` ('' when blank or absent), with one column lookup."""
        if name not in self.records.columns:
            return [""] * len(rows)
        values = self.records[name].iloc[self.origin[np.asarray(rows, dtype=np.int64)]].tolist()
        return ["" if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else str(v) for v in values]

    def with_ancestors(self, rows: np.ndarray) -> np.ndarray:
        """``rows`` and every record they are included_in, sorted."""
        seen = np.zeros(self.n, dtype=bool)
        seen[rows] = True
        up = self.parent[rows]
        for _ in range(_MAX_CHAIN):
            up = up[(up >= 0)]
            up = up[~seen[up]]
            if not len(up):
                break
            seen[up] = True
            up = self.parent[up]
        return np.flatnonzero(seen)

    def subset(self, rows: np.ndarray) -> _Claims:
        """The claims of ``rows`` (sorted positions) alone; links to records outside them are dropped."""
        out = object.__new__(_Claims)
        out.__dict__.update(self.__dict__)
        for name, value in self.__dict__.items():
            if isinstance(value, np.ndarray) and value.shape == (self.n,):
                setattr(out, name, value[rows])
        out.n = len(rows)
        where = np.full(self.n, -1, dtype=np.int64)
        where[rows] = np.arange(len(rows))
        parent = self.parent[rows]
        out.parent = np.where(parent >= 0, where[np.maximum(parent, 0)], -1)
        return out

    def known_districts(self) -> dict[str, str | None]:
        """district_id -> city_id of every district placed (``None`` for a city code 0: no city)."""
        return {name: self.city_names[c] for name, c in zip(self.district_names, self.district_city)}

    def first_day(self) -> date:
        mask = self.has_low | self.uncounted
        return _day_of(self.start[mask].min()) if mask.any() else date(1900, 1, 1)

    def last_day(self) -> date:
        mask = self.has_low | self.uncounted
        return _day_of(self.end[mask].max()) if mask.any() else date(1900, 1, 1)

    def area_codes(self, area: Area) -> tuple[int, int]:
        """(city code, district code) of an area; -2 where the records have none of it."""
        if area.city_id is None:
            return 0, -1
        city = self.city_names.index(area.city_id) if area.city_id in self.city_names[1:] else -2
        if area.district_id is None:
            return city, -1
        for code, (name, c) in enumerate(zip(self.district_names, self.district_city)):
            if name == area.district_id and c == city:
                return city, code
        return city, -2


def _texts(series: pd.Series) -> np.ndarray:
    values = series.to_numpy(dtype=object, na_value="")
    if values.size and not all(isinstance(v, str) for v in values[: min(len(values), 64)]):
        values = np.array(
            ["" if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else str(v) for v in values],
            dtype=object,
        )
    return values


def _days(series: pd.Series) -> np.ndarray:
    days = pd.to_datetime(series).to_numpy(dtype="datetime64[D]")
    return np.where(np.isnat(days), np.datetime64("1900-01-01"), days).astype(np.int64)


def _index_of(ids: pd.Series, refs: np.ndarray) -> np.ndarray:
    """Position in ``ids`` of each reference (-1 when unknown; a repeated id means its first row)."""
    wanted = {str(r) for r in refs}
    hits = np.flatnonzero(ids.isin(wanted).to_numpy(dtype=bool))
    first: dict[str, int] = {}
    for pos, value in zip(hits.tolist(), ids.iloc[hits].astype(str).tolist()):
        first.setdefault(value, pos)
    return np.array([first.get(str(r), -1) for r in refs], dtype=np.int64)
