"""Reconciled arrest figures: the lowest defensible number, the highest reported, and why.

Reports overlap.  "About 500 detained on Sunday" (national), "200 more on
Monday", "about 700 over Sunday and Monday", "nearly 4,000 over 9-13 June",
and counts at one square that sit inside all of those.  Adding them up would
count the same people several times.  :func:`detained_range` answers, for an
area and a date window, with a range, the records it rests on, and every other
figure with the reason it was not used.

The model
---------
Every record with a detained count is a *claim* about a *cell*: an area (the
country, a city, or one district of a city) and a period (``period_start`` ..
``period_end``, whole days).  Areas nest: country, city, district.  ``Astana``
and ``Nur-Sultan`` are one city.  By ``count_kind``:

* ``incremental``: the detentions of one episode.  A count of one day is an
  episode; a count over several days is read as a total of its area over those
  days (it may hold any episode reported there then).
* ``cumulative``: every detention in its cell (a *total*).
* ``partial``: some of the people detained in its cell (13 journalists, 2,000
  charged, 200 moved to other regions): a floor for the cell's total that
  contains nothing.
* ``snapshot``: people held at one moment: never added, only listed.

Two claims *may share people* when one is ``included_in`` the other (directly
or through a chain), or when at least one of them is a total (cumulative,
partial, or a count over several days) and their cells meet (the areas nest and
the periods overlap).  Two one-day episodes share no people unless linked.

The rules
---------
1. In scope are the claims whose cell lies inside the asked area and window.
   Every other record that meets it is listed, with the reason it is not used.
2. The *floor* is the largest sum of lows over in-scope claims of which no two
   may share people.  So a total counts as the larger of itself and the sum of
   its parts, and a national floor is at least the sum of its cities' floors.
3. A claim ``contested_by`` another record sets no floor; it counts toward the
   high end only.
4. The *high end* is the same largest sum over every in-scope claim, each taken
   at its high (at its low where it gives no upper figure).
5. The high end is *open* ("at least") when the sum it rests on holds a figure
   with no upper figure (a partial count has none for its cell), or when some
   part of the asked cell is unknown and no closed total covers it.  Unknown
   are: a figure with no upper figure; a detention reported without a number
   (listed with its wording, ``detained_text``); and a figure that reaches
   beyond the asked cell, in time (a longer period) or in space (a national
   figure asked for a city, a city-level one asked for a district), whose part
   inside the cell nobody reports: it sets no floor there.  A closed total is an
   uncontested in-scope ``cumulative`` claim with a high: it covers whatever
   lies in its cell; an uncontested in-scope claim with a high also covers what
   is ``included_in`` it.
6. A city never absorbs a national figure that no source splits by city: the
   national answer shows the part of its floor that no city figure accounts for
   as ``unallocated``; a city answer shows its districts' floors and the
   ``city_level`` rest.

Values a dataset infers rather than a source states are named in the record's
``inferred`` column; an answer that uses or drops such a record says so in its
notes.

The algorithm (exact, polynomial)
---------------------------------
Rules 2 and 4 ask for a maximum-weight set of claims no two of which may share
people.  For arbitrary overlaps that is NP-hard; here the cells are special: the
areas form a tree (country, cities, districts) and the periods are intervals.

*Items.*  A total (cumulative, partial, several-day count) is an interval of
days at its area.  One-day episodes linked by ``included_in`` form trees (a
figure and the parts it holds); an unlinked episode is a tree of one node.  A
tree's nodes share their day, and every node lies in its parent's area: a
record placed elsewhere than the figure it is ``included_in`` is reconciled in
the container's area (its people are among the container's).  So a total that
meets a node also meets its parent, and "may share people" is exactly: a total
and any item whose cell meets it; a tree node and its ancestors.

*Per area X, per start day q*, the solver computes ``P(h)``: the best value of
the items of X's subtree lying inside days ``q..h``, for every day ``h`` (the
days are the distinct first and last days of the items).  A solution on X's
line of days is a sequence of three kinds of steps:

- an X-level total over ``s..e``: nothing else of the subtree on those days
  (everything there meets it);
- a *zone day* d: no total of the subtree on d, and every episode tree on d
  counts whole, at its best (a figure, or the sum of its parts);
- a *gap* ``g..h``: each sub-area of X solves ``g..h`` on its own, and the
  X-level trees count on the days that no total of a sub-area touches
  (nothing could block them there); an X-level tree on another day leaves its
  root out, and its parts are handed to the sub-areas they lie in.

``P(h)`` is the best over the last step: an X-level total ending at h
(``P(s-1)`` plus its value), a zone day h (``P(h-1)`` plus everything on h), or
a gap ``g..h`` (``P(g-1)`` plus the sub-areas' ``P`` from g, plus the free
X-level trees).  A gap starts after a total, a zone day or the start (two gaps
in a row are never better than one), and zone days need only be tried where an
X-level tree could be blocked, so the steps are few.

*Why this is exact.*  Sound: every sequence the solver scores is a set of
claims of which no two may share people, worth what it is scored (inside a gap,
different sub-areas' items never meet, a handed-down part is a sibling of the
other parts, and a free X-level tree meets no total of its day).  Complete: take
a best set and walk X's days.  Days under a chosen X-level total form that
step.  A day covered by no chosen total of the subtree loses nothing as a zone
day (no chosen total crosses it and every tree lies on one day), and one that
holds no blockable X-level tree loses nothing inside a gap.  On the remaining
days some chosen sub-area total covers the day, so an X-level root there meets
it and is not in the set; and the sub-areas are independent.  So the best set
is one of the scored sequences.  By induction over the area tree and the days
the value is the optimum; the same pass with high values gives the high end.
Ties prefer a figure with no upper bound (the more honest high end), then fewer
records, then record_id order, whatever the rows' order.

*Cost.*  With T distinct days, each area is solved once per gap start of its
ancestors (the days after their totals and zone days), each solve an array
pass over T days plus the area's own totals: about T x the sum over areas of
(1 + the totals of the area and its ancestors).  Unlinked episodes are summed
per area and day, so a million records cost a few array passes.  Nothing is
enumerated, at any size.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from geo.errors import ProtestMapError
from geo.schema import CITY_IDS, DETENTION_TYPES

#: Count kinds that count (a snapshot is listed, never added).
COUNTED_KINDS = ("incremental", "cumulative", "partial")

_EPOCH = date(1970, 1, 1)
#: Longest ``included_in`` chain followed (the loader refuses cycles; this only stops a hand-made frame's).
_MAX_CHAIN = 10_000


@dataclass(frozen=True)
class Area:
    """What a figure is asked for: the country, one city, or one district."""

    city_id: str | None = None
    district_id: str | None = None

    @property
    def label(self) -> str:
        if self.city_id is None:
            return "national"
        return self.city_id if self.district_id is None else f"{self.city_id}/{self.district_id}"


@dataclass(frozen=True)
class Alternative:
    """A figure that was considered and not used for the floor, with the reason."""

    record_id: str
    detained_low: int | None
    detained_high: int | None
    reason: str


class Reconciliation:
    """The answer of :func:`detained_range`.

    ``detained_low``/``detained_high`` (``None``: open-ended), ``breakdown`` and
    ``notes`` are computed at once; ``basis`` (the floor's record_ids),
    ``high_basis`` and ``alternatives`` (every other record considered, with
    the reason it is not in the floor) on first use, complete.
    """

    def __init__(self, area: str, start: date, end: date, detained_low: int, detained_high: int | None, *,
                 breakdown: dict[str, int] | None = None, notes: list[str] | None = None, explain=None):
        self.area = area
        self.start = start
        self.end = end
        self.detained_low = detained_low
        self.detained_high = detained_high
        self.breakdown = breakdown or {}
        self.notes = notes or []
        self._explain = explain
        self._cache: dict[str, list] = {}

    def _explained(self, name: str) -> list:
        if name not in self._cache:
            self._cache[name] = getattr(self._explain, name)() if self._explain is not None else []
        return self._cache[name]

    @property
    def basis(self) -> list[str]:
        return self._explained("basis")

    @property
    def high_basis(self) -> list[str]:
        return self._explained("high_basis")

    @property
    def alternatives(self) -> list[Alternative]:
        return self._explained("alternatives")

    @property
    def open_ended(self) -> bool:
        return self.detained_high is None

    def label(self) -> str:
        """The range as people write it: ``700``, ``700–4,000`` or ``at least 100``."""
        if self.detained_high is None:
            return f"at least {self.detained_low:,}"
        if self.detained_high == self.detained_low:
            return f"{self.detained_low:,}"
        return f"{self.detained_low:,}–{self.detained_high:,}"

    def to_dict(self) -> dict:
        return {
            "area": self.area,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "detained_low": self.detained_low,
            "detained_high": self.detained_high,
            "basis": self.basis,
            "high_basis": self.high_basis,
            "alternatives": [asdict(a) for a in self.alternatives],
            "breakdown": self.breakdown,
            "notes": self.notes,
        }

    def __getstate__(self):  # a cached or pickled answer carries its lists, not the solver
        for name in ("basis", "high_basis", "alternatives"):
            self._explained(name)
        state = dict(self.__dict__)
        state["_explain"] = None
        return state

    def __repr__(self) -> str:
        return f"Reconciliation({self.area}, {self.start}..{self.end}: {self.label()})"


def parse_area(text: str, *, known_districts: dict[str, str] | None = None) -> Area:
    """Read an area as given on the command line or in a URL.

    Accepts ``national``, a city (``Almaty``, ``Nur-Sultan``, ``Astana``, or the
    ids ``almaty``/``astana``), ``city/district_id``, or a bare ``district_id``
    when ``known_districts`` (district_id -> city_id) resolves it.  With
    ``known_districts``, a ``city/district_id`` must name one of them.
    """
    value = (text or "").strip()
    lowered = value.casefold()
    if lowered in ("national", "kz", "kazakhstan", "all"):
        return Area()
    cities = {k.casefold(): v for k, v in CITY_IDS.items()} | {"almaty": "almaty", "astana": "astana"}
    if lowered in cities:
        return Area(cities[lowered])
    if "/" in lowered:
        city, _, district = lowered.partition("/")
        if city in cities and district:
            area = Area(cities[city], district)
            if known_districts is not None and known_districts.get(district) != area.city_id:
                hint = ", ".join(sorted(d for d, c in known_districts.items() if c == area.city_id))
                raise ProtestMapError(
                    f"unknown district {district!r} of {area.city_id}: expected one of {hint or 'none known'}"
                )
            return area
    if known_districts and lowered in known_districts:
        return Area(known_districts[lowered], lowered)
    hint = ", ".join(sorted(known_districts)) if known_districts else "city/district_id"
    raise ProtestMapError(
        f"unknown area {text!r}: expected national, Almaty, Nur-Sultan (or Astana), or a district ({hint})"
    )


def detained_range(
    records: pd.DataFrame,
    *,
    area: Area | str = "national",
    start: date | str | None = None,
    end: date | str | None = None,
    breakdown: bool = True,
    boundaries=None,
) -> Reconciliation:
    """Reconcile the detained counts of ``records`` for one area and date window.

    Parameters
    ----------
    records : pandas.DataFrame
        Validated records (:func:`geo.records.load_records`); for a district
        area, joined records (:func:`geo.join.join_incidents`) with ``city_id``,
        ``district_id`` and ``attribution``.
    area : Area or str
        ``national``, a city, or ``city/district_id``.
    start, end : date or str, optional
        The window, both days included; open on a side that is not given.
    breakdown : bool
        Also split the floor by city (national) or district (city).
    boundaries : geo.boundaries.BoundarySet, optional
        Resolves and checks a district: one with no records is known, an
        unknown one is refused, and one that did not exist on the window's days
        is refused with its dates.

    Returns
    -------
    Reconciliation
    """
    return Reconciler(records).range(area, start=start, end=end, breakdown=breakdown, boundaries=boundaries)


class Reconciler:
    """The records prepared once, answering :meth:`range` for many areas and windows.

    ``Reconciler(joined).range("almaty/almaly", start=..., end=...)`` is
    :func:`detained_range`; a district table asks a dozen areas of the same
    records and prepares them once.
    """

    def __init__(self, records: pd.DataFrame):
        self._claims = _Claims(records)

    def range(
        self,
        area: Area | str = "national",
        *,
        start: date | str | None = None,
        end: date | str | None = None,
        breakdown: bool = True,
        boundaries=None,
    ) -> Reconciliation:
        """See :func:`detained_range`."""
        claims = self._claims
        if isinstance(area, str):
            known = claims.known_districts()
            if boundaries is not None:
                known = _boundary_districts(boundaries) | known
            checked = claims.joined or boundaries is not None
            try:
                area = parse_area(area, known_districts=known if checked else None)
            except ProtestMapError as exc:
                if boundaries is None and checked:
                    raise ProtestMapError(f"{exc} (the districts with records; give the boundaries to "
                                          "name one without records)") from None
                raise
        if area.district_id is not None and not claims.joined:
            raise ProtestMapError(
                f"area {area.label!r} is a district: pass joined records (geo.join.join_incidents) "
                "so that each record has its district_id"
            )
        lo_day = _to_day(start) if start is not None else claims.first_day()
        hi_day = _to_day(end) if end is not None else claims.last_day()
        if hi_day < lo_day:
            raise ProtestMapError(f"the window ends ({hi_day}) before it starts ({lo_day})")
        notes = _district_notes(area, boundaries, lo_day, hi_day) if area.district_id is not None else []
        query = _Query(claims, area, _day_number(lo_day), _day_number(hi_day))
        result = query.answer(lo_day, hi_day)
        result.notes = notes + result.notes
        if breakdown and area.district_id is None:
            result.breakdown = self._breakdown(area, query, result)
        return result

    def each_day(self, city_ids: tuple[str, ...], start: date | str, end: date | str
                 ) -> dict[tuple[date, str], Reconciliation]:
        """``range(city, start=day, end=day, breakdown=False)`` for every day of the window and city.

        Each day is solved over the records that touch it (a figure's container
        touches every day the figure does), so a long window costs one small
        question per day with records, and nothing for the empty days.
        """
        c = self._claims
        lo_day, hi_day = _to_day(start), _to_day(end)
        lo, hi = _day_number(lo_day), _day_number(hi_day)
        rows = np.flatnonzero((c.has_low | c.uncounted) & (c.start <= hi) & (c.end >= lo))
        one_day = rows[c.start[rows] == c.end[rows]]
        longer = rows[c.start[rows] != c.end[rows]]
        order = np.argsort(c.start[one_day], kind="stable")
        days, first = np.unique(c.start[one_day][order], return_index=True)
        groups = dict(zip(days.tolist(), np.split(one_day[order], first[1:]) if len(first) else []))
        out: dict[tuple[date, str], Reconciliation] = {}
        for number in range(lo, hi + 1):
            day = _day_of(number)
            todays = np.sort(np.concatenate([groups.get(number, np.zeros(0, dtype=np.int64)),
                                             longer[(c.start[longer] <= number) & (c.end[longer] >= number)]]))
            sub = c.subset(c.with_ancestors(todays)) if len(todays) else None
            for city in city_ids:
                if sub is None:
                    out[(day, city)] = Reconciliation(city, day, day, 0, 0)
                else:
                    out[(day, city)] = _Query(sub, Area(city), number, number).answer(day, day)
        return out

    def _breakdown(self, area: Area, query: "_Query", result: Reconciliation) -> dict[str, int]:
        """Split the floor: by city (national) or by district (city), with the remainder."""
        claims = self._claims
        parts: dict[str, int] = {}
        if area.city_id is None:
            names = ["almaty", "astana", "other"]
            names += sorted(n for n in claims.city_names[1:] if n not in names)
            for name in names:
                parts[name] = _Query(claims, Area(name), query.lo, query.hi).floor()
            parts["unallocated"] = max(0, result.detained_low - sum(parts.values()))
            return parts
        for district in query.districts_in_scope():
            parts[district] = _Query(claims, Area(area.city_id, district), query.lo, query.hi).floor()
        parts["city_level"] = max(0, result.detained_low - sum(parts.values()))
        return parts


# --------------------------------------------------------------------------- helpers


def _to_day(value: date | str) -> date:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ProtestMapError(f"expected a date as YYYY-MM-DD, got {value!r}") from None


def _day_number(day: date) -> int:
    return (day - _EPOCH).days


def _day_of(number: int) -> date:
    return _EPOCH + timedelta(days=int(number))


def _some(ids, limit: int = 6) -> str:
    """A readable list of record ids: all of a few, the first few of many."""
    ids = sorted(ids)
    if len(ids) <= limit:
        return ", ".join(ids)
    return ", ".join(ids[:limit]) + f" and {len(ids) - limit:,} more"


def _boundary_districts(boundaries) -> dict[str, str]:
    """district_id -> city_id over every layer of the boundaries."""
    out: dict[str, str] = {}
    for layer in getattr(boundaries, "layers", []):
        for district_id in layer.districts["district_id"]:
            out.setdefault(str(district_id), layer.city_id)
    return out


def _district_notes(area: Area, boundaries, lo: date, hi: date) -> list[str]:
    """Refuse a district that did not exist on any day of the window; note one that existed on some."""
    if boundaries is None:
        return []
    layers = [layer for layer in boundaries.layers_for(area.city_id)
              if area.district_id in set(layer.districts["district_id"])]
    if not layers:
        raise ProtestMapError(f"unknown district {area.district_id!r} of {area.city_id}")
    first = min((layer.valid_from or date.min) for layer in layers)
    last = max((layer.valid_to or date.max) for layer in layers)  # exclusive
    if hi < first or lo >= last:
        when = [f"from {first}"] if first != date.min else []
        when += [f"until {last - timedelta(days=1)}"] if last != date.max else []
        raise ProtestMapError(
            f"district {area.district_id!r} of {area.city_id} did not exist on {lo}..{hi}: "
            f"its boundaries are in force {' '.join(when)}"
        )
    if lo < first or hi >= last:
        span = f"{max(lo, first)}..{min(hi, last - timedelta(days=1))}"
        return [f"district {area.district_id} existed on {span} only, within the window {lo}..{hi}"]
    return []


def _region_contains(oc, od, ic, id_):
    """Vectorised: does area (oc, od) contain area (ic, id_)?  City 0 is the country, district -1 a whole city."""
    return (oc == 0) | ((oc == ic) & ((od < 0) | (od == id_)))


# --------------------------------------------------------------------------- the records as arrays


class _Claims:
    """Every record as the arrays the reconciliation reads (in the frame's row order)."""

    def __init__(self, records: pd.DataFrame):
        needed = ["record_id", "city", "period_start", "period_end", "detained_low", "detained_high",
                  "count_kind", "included_in", "contested_by"]
        missing = [c for c in needed if c not in records.columns]
        if missing:
            raise ProtestMapError(f"records lack column(s) {', '.join(missing)} (see geo.schema.COLUMNS)")
        self.records = records
        self.n = n = len(records)
        self.origin = np.arange(n)  # the row of each claim in ``records``
        self._rid = None

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
        self.city_names = [None, *table]
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
        if name not in self.records.columns:
            return ""
        value = self.records[name].iat[int(self.origin[row])]
        return "" if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)) else str(value)

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

    def subset(self, rows: np.ndarray) -> "_Claims":
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

    def known_districts(self) -> dict[str, str]:
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
        values = np.array(["" if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else str(v)
                           for v in values], dtype=object)
    return values


def _days(series: pd.Series) -> np.ndarray:
    days = pd.to_datetime(series).to_numpy(dtype="datetime64[D]")
    return np.where(np.isnat(days), np.datetime64("1900-01-01"), days).astype(np.int64)


def _index_of(ids: pd.Series, refs: np.ndarray) -> np.ndarray:
    """Position in ``ids`` of each reference (-1 when unknown; a repeated id means its first row)."""
    wanted = set(str(r) for r in refs)
    hits = np.flatnonzero(ids.isin(wanted).to_numpy(dtype=bool))
    first: dict[str, int] = {}
    for pos, value in zip(hits.tolist(), ids.iloc[hits].astype(str).tolist()):
        first.setdefault(value, pos)
    return np.array([first.get(str(r), -1) for r in refs], dtype=np.int64)


# --------------------------------------------------------------------------- one question


class _Query:
    """One area and window over prepared claims: what is in scope, listed, and the answer."""

    def __init__(self, claims: _Claims, area: Area, lo: int, hi: int):
        c = claims
        self.c, self.area, self.lo, self.hi = c, area, lo, hi
        self.acity, self.adist = acity, adist = c.area_codes(area)
        if area.city_id is None:
            in_area = np.ones(c.n, dtype=bool)
            holds_area = np.zeros(c.n, dtype=bool)
        elif area.district_id is None:
            in_area = c.city == acity
            holds_area = c.city == 0
        else:
            in_area = (c.city == acity) & (c.district == adist)
            holds_area = (c.city == 0) | ((c.city == acity) & (c.district < 0))
        inside = (c.start >= lo) & (c.end <= hi)
        touches = (c.start <= hi) & (c.end >= lo)
        self.scope = c.has_low & c.counted & in_area & inside
        self.listed = (c.has_low | c.uncounted) & touches & (in_area | holds_area) & ~self.scope
        self.in_area = in_area
        self.S = np.flatnonzero(self.scope)
        self._passes: dict[str, _Pass] = {}
        self._unknowns: _Unknowns | None = None
        self._build()

    # -- structure ------------------------------------------------------------
    def _build(self) -> None:
        c, S = self.c, self.S
        m = self.m = len(S)
        # the nearest ancestor (included_in chain) that is in scope, as a position in S
        anc = c.parent[S].copy()
        for _ in range(_MAX_CHAIN):
            walk = anc >= 0
            walk[walk] = ~self.scope[anc[walk]]
            if not walk.any():
                break
            anc[walk] = c.parent[anc[walk]]
        else:
            anc[anc >= 0] = np.where(self.scope[anc[anc >= 0]], anc[anc >= 0], -1)
        sp = np.where(anc >= 0, np.searchsorted(S, anc), -1)  # S is sorted; in-scope ancestors are in it
        depth = _depths(sp)
        sp[depth < 0] = -1  # a cycle in a hand-made frame: cut it
        depth[depth < 0] = 0
        self.sp, self.depth = sp, depth
        start, end = c.start[S], c.end[S]
        self.block = c.cumulative[S] | c.partial[S] | (start != end)
        # where each item is reconciled: its own area, or its container's when it lies elsewhere
        city, dist = c.city[S].copy(), c.district[S].copy()
        for d in range(1, int(depth.max(initial=0)) + 1):
            rows = np.flatnonzero(depth == d)
            p = sp[rows]
            ok = _region_contains(city[p], dist[p], city[rows], dist[rows])
            city[rows] = np.where(ok, city[rows], city[p])
            dist[rows] = np.where(ok, dist[rows], dist[p])
        self.pcity, self.pdist = city, dist
        # episode trees: the nearest in-scope ancestor that is a one-day episode
        tp = sp.copy()
        for _ in range(_MAX_CHAIN):
            walk = tp >= 0
            walk[walk] = self.block[tp[walk]]
            if not walk.any():
                break
            tp[walk] = sp[tp[walk]]
        inc = ~self.block
        tp = np.where(inc, tp, -1)
        has_kid = np.zeros(m, dtype=bool)
        has_kid[tp[tp >= 0]] = True
        self.tp = tp
        self.plain = inc & (tp < 0) & ~has_kid
        self.tree_node = inc & ~self.plain
        # the areas: the asked one at the root, the areas of the items below it
        width = len(c.district_names) + 2
        root_key = (self.acity, self.adist)
        item_keys = city * width + (dist + 1)
        present = np.flatnonzero(np.bincount(item_keys)) if m else np.zeros(0, dtype=np.int64)
        keys = {root_key} | {(int(k) // width, int(k) % width - 1) for k in present}
        if self.area.city_id is None:
            keys |= {(cc, -1) for cc, dd in list(keys) if dd >= 0}
        order = sorted(keys, key=lambda k: (k != root_key, k))
        self.regions = order
        index = {k: i for i, k in enumerate(order)}
        parent = [-1] * len(order)
        for i, (cc, dd) in enumerate(order[1:], start=1):
            parent[i] = index[(cc, -1)] if dd >= 0 and (cc, -1) in index and (cc, -1) != order[i] else 0
        self.rparent = parent
        self.children = [[j for j, p in enumerate(parent) if p == i] for i in range(len(order))]
        R = len(order)
        sub = np.zeros((R, R), dtype=bool)
        for i in range(R):
            j = i
            while j >= 0:
                sub[j, i] = True
                j = parent[j]
        self.subtree = sub  # subtree[x, y]: area y lies in area x's subtree
        table = np.full(int(max([cc * width + dd + 1 for cc, dd in order] + [0])) + 1, -1, dtype=np.int64)
        for i, (cc, dd) in enumerate(order):
            if cc >= 0 and dd >= -1:  # an area the records do not have (-2) holds no item
                table[cc * width + dd + 1] = i
        self.region_of = table[item_keys] if m else np.zeros(0, dtype=np.int64)
        if m:  # the distinct first and last days, by counting (the window is short beside a million rows)
            base = int(min(start.min(), end.min()))
            seen = np.bincount(start - base, minlength=int(end.max()) - base + 1)
            seen += np.bincount(end - base, minlength=len(seen))
            days = np.flatnonzero(seen) + base
            position = np.cumsum(seen > 0) - 1
            self.spos, self.epos = position[start - base], position[end - base]
        else:
            days = np.zeros(0, dtype=np.int64)
            self.spos = self.epos = np.zeros(0, dtype=np.int64)
        self.days = days
        self.T = len(days)

    def child_towards(self, x: int, y: int) -> int:
        """The child of area x whose subtree holds area y (y strictly below x)."""
        while self.rparent[y] != x:
            y = self.rparent[y]
        return y

    def districts_in_scope(self) -> list[str]:
        dist = self.c.district[self.S]
        names = {self.c.district_names[d] for d in dist[dist >= 0]}
        return sorted(names)

    # -- answers --------------------------------------------------------------
    def pass_(self, name: str) -> "_Pass":
        if name not in self._passes:
            c, S = self.c, self.S
            if name == "floor":
                self._passes[name] = _Pass(self, c.low[S], np.zeros(self.m, dtype=np.int64), ~c.contested[S])
            else:
                opens = (~c.has_high[S] | c.partial[S]).astype(np.int64)
                self._passes[name] = _Pass(self, c.high[S], opens, np.ones(self.m, dtype=bool))
        return self._passes[name]

    def floor(self) -> int:
        return int(self.pass_("floor").value()[0])

    def answer(self, lo_day: date, hi_day: date) -> Reconciliation:
        low = self.floor()
        high_value, opens = self.pass_("high").value()[:2]
        # rule 5: open when the sum rests on a figure with no upper bound, or else when
        # something unknown in the cell is not covered (asked only then: it costs a pass)
        open_ended = opens > 0 or bool(self.unknowns().uncovered.any())
        high = None if open_ended else max(int(high_value), low)
        return Reconciliation(self.area.label, lo_day, hi_day, low, high, notes=self._inferred_notes(),
                              explain=_Explain(self))

    def unknowns(self) -> "_Unknowns":
        if self._unknowns is None:
            self._unknowns = _Unknowns(self)
        return self._unknowns

    def _inferred_notes(self) -> list[str]:
        c = self.c
        rows = np.flatnonzero((self.scope | self.listed) & c.has_inferred)
        if not len(rows):
            return []
        rows = rows[np.argsort(c.rid[rows], kind="stable")]
        items = [f"{c.rid[i]} ({c.text_of('inferred', i).replace(' ', ', ')})" for i in rows[:6]]
        more = f" and {len(rows) - 6:,} more" if len(rows) > 6 else ""
        return ["inferred, not stated by a source: " + ", ".join(items) + more]


def _depths(sp: np.ndarray) -> np.ndarray:
    """Depth of each node in the forest ``sp`` (parent positions, -1 for roots); -1 on a cycle."""
    depth = np.where(sp < 0, 0, -1).astype(np.int64)
    for _ in range(_MAX_CHAIN):
        todo = np.flatnonzero(depth < 0)
        if not len(todo):
            break
        ready = todo[depth[sp[todo]] >= 0]
        if not len(ready):
            break
        depth[ready] = depth[sp[ready]] + 1
    return depth


# --------------------------------------------------------------------------- scores

#: A score is (value, figures without an upper bound, records); larger value wins,
#: then more open figures (the more honest high end), then fewer records.
_ZERO = (0, 0, 0)


def _plus(a: tuple, b: tuple) -> tuple:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def _beats(a: tuple, b: tuple) -> bool:
    return a[0] > b[0] or (a[0] == b[0] and (a[1] > b[1] or (a[1] == b[1] and a[2] < b[2])))


def _beats_v(av, ao, an, bv, bo, bn) -> np.ndarray:
    return (av > bv) | ((av == bv) & ((ao > bo) | ((ao == bo) & (an < bn))))


class _Run:
    """The solver's table for one area and one start day: best score on start..h for every day h."""

    __slots__ = ("v", "o", "n", "gapfrom", "over")

    def __init__(self, v, o, n, gapfrom, over):
        self.v, self.o, self.n, self.gapfrom, self.over = v, o, n, gapfrom, over

    def at(self, h: int, q: int) -> tuple:
        if h < q:
            return _ZERO
        step = self.over.get(h)
        if step is not None:
            return step[0]
        return (int(self.v[h]), int(self.o[h]), int(self.n[h]))


_BLOCK, _ZONE = 1, 2


class _Pass:
    """One weighting of the claims (the floor's lows, or the high end's highs) and its solver."""

    def __init__(self, query: _Query, value: np.ndarray, opens: np.ndarray, include: np.ndarray):
        self.q = query
        self.w = value.astype(np.int64)
        self.op = opens.astype(np.int64)
        self.inc = include
        R, T = len(query.regions), query.T
        self.R, self.T = R, T
        region = query.region_of
        # totals per area, and the days each area's totals (and those below it) cover
        blocks = np.flatnonzero(query.block & include)
        self.blocks_at: list[list] = [[] for _ in range(R)]
        cover = np.zeros((R, T + 1), dtype=np.int64)
        names = _rank(query.c.rid_of(query.S[blocks]))  # ties go by record_id, whatever the row order
        for b in blocks[np.lexsort((names, query.spos[blocks], query.epos[blocks]))]:
            r = region[b]
            s, e = int(query.spos[b]), int(query.epos[b])
            self.blocks_at[r].append((s, e, (int(self.w[b]), int(self.op[b]), 1), int(b)))
            cover[r, s] += 1
            cover[r, e + 1] -= 1
        own = np.cumsum(cover, axis=1)[:, :T] > 0
        below = np.zeros((R, T), dtype=bool)
        has_blocks = np.array([bool(self.blocks_at[r]) for r in range(R)])
        for r in sorted(range(R), key=lambda r: -self._depth(r)):
            for ch in query.children[r]:
                below[r] |= own[ch] | below[ch]
                has_blocks[r] |= has_blocks[ch]
        self.below, self.has_blocks = below, has_blocks
        # unlinked one-day episodes, summed per area and day
        plain = np.flatnonzero(query.plain & include)
        self.plain_rows = plain
        key = region[plain] * T + query.spos[plain]

        def sums(weights):
            return np.bincount(key, weights=weights, minlength=R * T).reshape(R, T).astype(np.int64)

        pv = sums(self.w[plain].astype(float))
        po = sums(self.op[plain].astype(float))
        pn = sums(np.ones(len(plain)))
        allv, allo, alln = pv.copy(), po.copy(), pn.copy()
        for r in sorted(range(R), key=lambda r: -self._depth(r)):
            for ch in query.children[r]:
                allv[r] += allv[ch]
                allo[r] += allo[ch]
                alln[r] += alln[ch]
        free = ~below
        self.freev, self.freeo, self.freen = pv * free, po * free, pn * free
        self.zones: list[set] = [set(np.flatnonzero(below[r] & (pn[r] > 0)).tolist()) for r in range(R)]
        self._trees(allv, allo, alln)
        self.allv, self.allo, self.alln = allv, allo, alln
        self.fcum = [tuple(_cum(a[r]) for a in (self.freev, self.freeo, self.freen)) for r in range(R)]
        self.acum = [tuple(_cum(a[r]) for a in (allv, allo, alln)) for r in range(R)]
        self.memo: dict[tuple[int, int], _Run] = {}
        self._value = None

    def _depth(self, r: int) -> int:
        d = 0
        while self.q.rparent[r] >= 0:
            r = self.q.rparent[r]
            d += 1
        return d

    def _trees(self, allv, allo, alln) -> None:
        """Episode trees: each at its best (a figure or the sum of its parts), handed down the areas."""
        q = self.q
        nodes = np.flatnonzero(q.tree_node)
        self.kids: dict[int, list[int]] = {int(i): [] for i in nodes}
        for i in nodes:
            if q.tp[i] >= 0:
                self.kids[int(q.tp[i])].append(int(i))
        self.full: dict[int, tuple] = {}
        self.own_chosen: dict[int, bool] = {}
        for i in sorted(self.kids, key=lambda i: -q.depth[i]):
            parts = _ZERO
            for k in self.kids[i]:
                parts = _plus(parts, self.full[k])
            own = (int(self.w[i]), int(self.op[i]), 1) if self.inc[i] else None
            if own is not None and not _beats(parts, own):
                self.full[i], self.own_chosen[i] = own, True
            else:
                self.full[i], self.own_chosen[i] = parts, False
        R = self.R
        self.entering: list[list[int]] = [[] for _ in range(R)]
        self.free_trees: list[list[int]] = [[] for _ in range(R)]
        self.entering[0] = [i for i in self.kids if q.tp[i] < 0]
        region = q.region_of
        for r in sorted(range(R), key=self._depth):
            handed: dict[int, list[int]] = {ch: [] for ch in q.children[r]}
            queue = []
            for t in self.entering[r]:
                p = int(q.spos[t])
                fv = self.full[t]
                allv[r, p] += fv[0]
                allo[r, p] += fv[1]
                alln[r, p] += fv[2]
                if region[t] == r:
                    queue.append(t)
                else:
                    handed[q.child_towards(r, int(region[t]))].append(t)
            while queue:
                t = queue.pop()
                p = int(q.spos[t])
                if not self.below[r, p]:
                    self.free_trees[r].append(t)
                    fv = self.full[t]
                    self.freev[r, p] += fv[0]
                    self.freeo[r, p] += fv[1]
                    self.freen[r, p] += fv[2]
                    continue
                self.zones[r].add(p)
                for k in self.kids[t]:
                    if region[k] == r:
                        queue.append(k)
                    else:
                        handed[q.child_towards(r, int(region[k]))].append(k)
            for ch, trees in handed.items():
                self.entering[ch].extend(trees)

    # -- the solver -------------------------------------------------------------
    def value(self) -> tuple:
        if self._value is None:
            self._value = self.run(0, 0).at(self.T - 1, 0) if self.T else _ZERO
        return self._value

    def run(self, r: int, q: int) -> _Run:
        key = (r, q)
        found = self.memo.get(key)
        if found is not None:
            return found
        T = self.T
        if not self.has_blocks[r]:  # nothing below can block anything: all of it counts
            cv, co, cn = self.acum[r]
            run = _Run(cv[1:] - cv[q], co[1:] - co[q], cn[1:] - cn[q], None, {})
            self.memo[key] = run
            return run
        Gv = np.full(T, -1, dtype=np.int64)
        Go = np.zeros(T, dtype=np.int64)
        Gn = np.zeros(T, dtype=np.int64)
        gapfrom = np.full(T, q, dtype=np.int64)
        over: dict[int, tuple] = {}
        ends: dict[int, list] = {}
        starts = {q}
        for s, e, score, b in self.blocks_at[r]:
            if s >= q:
                ends.setdefault(e, []).append((s, score, b))
                if e + 1 < T:
                    starts.add(e + 1)
        zones = {z for z in self.zones[r] if z >= q}
        starts |= {z + 1 for z in zones if z + 1 < T}
        fv, fo, fn = self.fcum[r]
        run = _Run(Gv, Go, Gn, gapfrom, over)
        for h in sorted(starts | set(ends) | zones):
            if h in starts:
                base = run.at(h - 1, q)
                cv = base[0] + fv[h + 1:] - fv[h]
                co = base[1] + fo[h + 1:] - fo[h]
                cn = base[2] + fn[h + 1:] - fn[h]
                for ch in self.q.children[r]:
                    sub = self.run(ch, h)
                    cv = cv + sub.v[h:]
                    co = co + sub.o[h:]
                    cn = cn + sub.n[h:]
                won = _beats_v(cv, co, cn, Gv[h:], Go[h:], Gn[h:])
                Gv[h:] = np.where(won, cv, Gv[h:])
                Go[h:] = np.where(won, co, Go[h:])
                Gn[h:] = np.where(won, cn, Gn[h:])
                gapfrom[h:] = np.where(won, h, gapfrom[h:])
            best = (int(Gv[h]), int(Go[h]), int(Gn[h]))
            step = None
            for s, score, b in ends.get(h, ()):
                cand = _plus(run.at(s - 1, q), score)
                if _beats(cand, best):
                    best, step = cand, (cand, _BLOCK, b, s)
            if h in zones:
                everything = (int(self.allv[r, h]), int(self.allo[r, h]), int(self.alln[r, h]))
                cand = _plus(run.at(h - 1, q), everything)
                if _beats(cand, best):
                    best, step = cand, (cand, _ZONE, h, h)
            if step is not None:
                over[h] = step
        for h, step in over.items():
            Gv[h], Go[h], Gn[h] = step[0]
        self.memo[key] = run
        return run

    # -- what the best answer is made of -----------------------------------------
    def chosen(self) -> np.ndarray:
        """The items of the best answer, as a mask over the in-scope claims."""
        q = self.q
        mask = np.zeros(q.m, dtype=bool)
        if not self.T:
            return mask
        plain = self.plain_rows
        ppos, preg = q.spos[plain], q.region_of[plain]
        picks: list[np.ndarray] = []
        trees: list[int] = []

        def whole(r: int, lo: int, hi: int) -> None:  # everything of r's subtree on days lo..hi
            picks.append(plain[self.q.subtree[r][preg] & (ppos >= lo) & (ppos <= hi)])
            trees.extend(t for t in self.entering[r] if lo <= q.spos[t] <= hi)

        def free(r: int, lo: int, hi: int) -> None:  # r's own items that nothing below could block
            sel = (preg == r) & (ppos >= lo) & (ppos <= hi)
            sel[sel] = ~self.below[r, ppos[sel]]
            picks.append(plain[sel])
            trees.extend(t for t in self.free_trees[r] if lo <= q.spos[t] <= hi)

        stack = [(0, 0, self.T - 1)]
        while stack:
            r, start, h = stack.pop()
            run = self.memo[(r, start)]
            if run.gapfrom is None:
                whole(r, start, h)
                continue
            pos = h
            while pos >= start:
                step = run.over.get(pos)
                if step is not None and step[1] == _BLOCK:
                    mask[step[2]] = True
                    pos = step[3] - 1
                elif step is not None and step[1] == _ZONE:
                    whole(r, pos, pos)
                    pos -= 1
                else:
                    g = int(run.gapfrom[pos])
                    free(r, g, pos)
                    stack.extend((ch, g, pos) for ch in q.children[r])
                    pos = g - 1
        for rows in picks:
            mask[rows] = True
        for t in trees:
            self._tree_basis(t, mask)
        return mask

    def _tree_basis(self, t: int, mask: np.ndarray) -> None:
        stack = [t]
        while stack:
            i = stack.pop()
            if self.own_chosen[i]:
                mask[i] = True
            else:
                stack.extend(self.kids[i])


def _rank(names: np.ndarray) -> np.ndarray:
    """The place of each name in sorted order (for sorting other arrays by record_id)."""
    order = np.argsort(names.astype(str), kind="stable")
    rank = np.empty(len(names), dtype=np.int64)
    rank[order] = np.arange(len(names))
    return rank


def _cum(values: np.ndarray) -> np.ndarray:
    out = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(values, out=out[1:])
    return out


# --------------------------------------------------------------------------- the open high end


class _Unknowns:
    """What in the asked cell nobody counts (rule 5), and which closed figure covers each."""

    def __init__(self, query: _Query):
        c, S = query.c, query.S
        self.q = query
        # in scope: figures with no upper figure (and partial counts, which have none for their cell)
        mine = S[~c.has_high[S] | c.partial[S]]
        # listed: detentions without a number, and counted figures reaching beyond the cell
        listed = np.flatnonzero(query.listed & (c.uncounted | (c.has_low & c.counted)))
        rows = np.concatenate([mine, listed])
        self.rows = rows
        city, dist = c.city[rows], c.district[rows]
        inside = query.in_area[rows]
        pcity = np.where(inside, city, query.acity)
        pdist = np.where(inside, dist, query.adist)
        start = np.maximum(c.start[rows], query.lo)
        end = np.minimum(c.end[rows], query.hi)
        cover = np.full(len(rows), -1, dtype=np.int64)
        # closed totals in scope cover what lies in their cell
        totals = S[c.cumulative[S] & c.has_high[S] & ~c.contested[S]]
        totals = totals[np.lexsort((_rank(c.rid_of(totals)), -c.high[totals]))]  # the largest is named first
        if len(rows) and 0 < len(totals) <= 32:  # a few totals: test every row against each
            for t in totals:
                fits = (_region_contains(c.city[t], c.district[t], pcity, pdist)
                        & (c.start[t] <= start) & (end <= c.end[t]) & (cover < 0))
                cover[fits] = t
        elif len(rows) and len(totals):  # many: test the distinct cells (a million records have few)
            span = query.hi - query.lo + 1
            width = len(c.district_names) + 2
            key = ((pcity * width + (pdist + 1)) * span + (start - query.lo)) * span + (end - query.lo)
            inverse, uniq = pd.factorize(key)
            uniq = np.asarray(uniq, dtype=np.int64)
            ue = uniq % span + query.lo
            us = (uniq // span) % span + query.lo
            area = uniq // (span * span)
            ucity, udist = area // width, area % width - 1
            ucover = np.full(len(uniq), -1, dtype=np.int64)
            for t in totals:
                fits = (_region_contains(c.city[t], c.district[t], ucity, udist)
                        & (c.start[t] <= us) & (ue <= c.end[t]) & (ucover < 0))
                ucover[fits] = t
            cover = ucover[inverse]
        # a closed, uncontested in-scope record covers what is included_in it
        anc = c.parent[rows].copy()
        for _ in range(_MAX_CHAIN):
            alive = (anc >= 0) & (cover < 0)
            if not alive.any():
                break
            hit = alive.copy()
            hit[alive] = query.scope[anc[alive]] & c.has_high[anc[alive]] & ~c.contested[anc[alive]]
            cover[hit] = anc[hit]
            anc[alive & ~hit] = c.parent[anc[alive & ~hit]]
            anc[hit] = -1
        self.cover = cover
        self.uncovered = cover < 0

    def covering(self) -> dict[int, int]:
        return dict(zip(self.rows.tolist(), self.cover.tolist()))


# --------------------------------------------------------------------------- explanations


class _Explain:
    """The records an answer rests on, and why every other one is not in its floor."""

    def __init__(self, query: _Query):
        self.q = query
        self._floor = self._high = None

    def _masks(self):
        if self._floor is None:
            self._floor = self.q.pass_("floor").chosen()
            self._high = self.q.pass_("high").chosen()
        return self._floor, self._high

    def basis(self) -> list[str]:
        floor, _ = self._masks()
        return sorted(self.q.c.rid[self.q.S[floor]].tolist())

    def high_basis(self) -> list[str]:
        _, high = self._masks()
        return sorted(self.q.c.rid[self.q.S[high]].tolist())

    def alternatives(self) -> list[Alternative]:
        q, c = self.q, self.q.c
        floor, high = self._masks()
        S = q.S
        out: list[tuple[int, str]] = []
        rid = c.rid
        chosen = np.flatnonzero(floor)
        totals = sorted((int(i) for i in chosen if q.block[i]), key=lambda i: rid[S[i]])
        # the many unlinked episodes outside the floor: the counted figure holding or meeting them
        plain = np.flatnonzero(q.plain & ~floor & ~c.contested[S])
        if len(plain):
            reasons = np.full(len(plain), "", dtype=object)
            a = q.sp[plain].copy()
            while (a >= 0).any():  # an included_in ancestor in the floor holds it
                hit = (a >= 0) & (reasons == "")
                hit[hit] = floor[a[hit]]
                reasons[hit] = [f"contained in {rid[S[x]]}, which is counted" for x in a[hit]]
                a = np.where(a >= 0, q.sp[np.maximum(a, 0)], -1)
            rivals = [[] for _ in range(len(plain))]
            pc, pd_, ps, pe = q.pcity[plain], q.pdist[plain], c.start[S[plain]], c.end[S[plain]]
            for t in totals:
                tc, td, ts, te = q.pcity[t], q.pdist[t], c.start[S[t]], c.end[S[t]]
                holds = _region_contains(tc, td, pc, pd_)
                meets = (holds | _region_contains(pc, pd_, tc, td)) & (ts <= pe) & (ps <= te)
                inside = holds & (ts <= ps) & (pe <= te) & (c.kind[S[t]] == "cumulative")
                take = inside & (reasons == "")
                reasons[take] = f"contained in {rid[S[t]]}, which is counted"
                for j in np.flatnonzero(meets & ~inside):
                    rivals[j].append(rid[S[t]])
            for j in np.flatnonzero(reasons == ""):
                reasons[j] = self._overlaps(rivals[j])
            out.extend(zip(plain.tolist(), reasons.tolist()))
        others = np.flatnonzero(~floor & ~(q.plain & ~c.contested[S]))
        for i in others:
            out.append((int(i), self._reason(int(i), floor, totals)))
        out.sort(key=lambda pair: rid[S[pair[0]]])
        alts = [self._alt(S[i], reason + ("; used for the high end" if high[i] else "")) for i, reason in out]
        alts.extend(self._listed())
        return alts

    @staticmethod
    def _overlaps(rivals) -> str:
        return (f"overlaps {_some(rivals)}, which give(s) the higher floor" if rivals
                else "not needed for the floor")

    def _alt(self, row: int, reason: str) -> Alternative:
        c = self.q.c
        low = int(c.low[row]) if c.has_low[row] else None
        high = int(c.high[row]) if c.has_high[row] else None
        return Alternative(str(c.rid[row]), low, high, reason)

    def _reason(self, i: int, floor: np.ndarray, totals: list[int]) -> str:
        q, c = self.q, self.q.c
        S, rid = q.S, c.rid
        row = S[i]
        if c.contested[row]:
            return f"contested by {c.text_of('contested_by', row)}: counts toward the high end only"
        a = q.sp[i]
        while a >= 0:
            if floor[a]:
                return f"contained in {rid[S[a]]}, which is counted"
            a = q.sp[a]
        for t in totals:
            if t != i and c.kind[S[t]] == "cumulative" and self._inside(i, t):
                return f"contained in {rid[S[t]]}, which is counted"
        counted = np.flatnonzero(floor)
        low = c.low[row]
        if q.block[i]:
            inner = [j for j in counted if self._inside(j, i) or self._descends(j, i)]
            rivals = [rid[S[j]] for j in counted if j not in inner and self._meet(i, j)]
            parts = [rid[S[j]] for j in inner]
            if parts and (not rivals or c.low[S[inner]].sum() >= low):
                if c.partial[row]:
                    return (f"counts part of those detained in its cell; what is counted there ({_some(parts)}) "
                            "gives more")
                return f"its parts ({_some(parts)}) add up to more; counted instead"
            return self._overlaps(rivals + parts)
        rivals = [rid[S[t]] for t in totals if self._meet(i, t)]
        if rivals:  # a counted total may hold its people: it cannot be counted beside it
            return self._overlaps(rivals)
        parts = [rid[S[j]] for j in counted if self._descends(j, i)]
        if parts:
            return f"its parts ({_some(parts)}) add up to more; counted instead"
        return self._overlaps([rid[S[j]] for j in counted if self._descends(i, j)])

    def _inside(self, i: int, t: int) -> bool:
        """Does item i's cell lie in item t's cell?"""
        q, c, S = self.q, self.q.c, self.q.S
        return bool(_region_contains(q.pcity[t], q.pdist[t], q.pcity[i], q.pdist[i])
                    and c.start[S[t]] <= c.start[S[i]] and c.end[S[i]] <= c.end[S[t]])

    def _meet(self, i: int, j: int) -> bool:
        q, c, S = self.q, self.q.c, self.q.S
        nest = (_region_contains(q.pcity[i], q.pdist[i], q.pcity[j], q.pdist[j])
                or _region_contains(q.pcity[j], q.pdist[j], q.pcity[i], q.pdist[i]))
        return bool(nest and c.start[S[i]] <= c.end[S[j]] and c.start[S[j]] <= c.end[S[i]])

    def _descends(self, j: int, i: int) -> bool:
        """Is item j included_in item i (through in-scope links)?"""
        a = self.q.sp[j]
        while a >= 0:
            if a == i:
                return True
            a = self.q.sp[a]
        return False

    def _listed(self) -> list[Alternative]:
        q, c = self.q, self.q.c
        covers = self.q.unknowns().covering()
        lo, hi = _day_of(q.lo), _day_of(q.hi)
        out = []
        listed = np.flatnonzero(q.listed)
        for row in listed[np.argsort(c.rid[listed].astype(str), kind="stable")]:
            s, e = _day_of(c.start[row]), _day_of(c.end[row])
            cover = covers.get(int(row), -1)
            tail = f"; {c.rid[cover]} covers it" if cover >= 0 else "; the high end stays open"
            if c.uncounted[row]:
                said = c.text_of("detained_text", row)
                wording = f" ({said!r})" if said else ""
                reason = f"reported without a number{wording}" + tail
            elif c.kind[row] == "snapshot":
                reason = "people held at one moment (snapshot), not a count of detentions"
            elif not c.counted[row]:
                reason = "count kind not given"
            elif not (c.start[row] >= q.lo and c.end[row] <= q.hi):
                reason = f"covers {s}..{e}, which reaches beyond the window {lo}..{hi}"
                fields = [f for f in c.text_of("inferred", row).split() if f in ("period_start", "period_end")]
                if fields:
                    reason += f" ({', '.join(fields)} inferred)"
                reason += tail
            else:
                level = "national" if c.city[row] == 0 else "city-level"
                reason = f"{level} figure that no source splits by area: unallocated here" + tail
            out.append(Alternative(str(c.rid[row]), int(c.low[row]) if c.has_low[row] else None,
                                   int(c.high[row]) if c.has_high[row] else None, reason))
        return out
