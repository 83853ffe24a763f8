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

from collections.abc import Mapping
from datetime import date, timedelta

import numpy as np
import pandas as pd

from geo.aggregate._answer import Alternative, Area, Reconciliation
from geo.aggregate._claims import COUNTED_KINDS, NEEDED_COLUMNS, OPTIONAL_COLUMNS, _Claims, _day_number, _day_of, to_day
from geo.aggregate._query import _Query
from geo.errors import ProtestMapError
from geo.schema import CITY_IDS

__all__ = [
    "COUNTED_KINDS",
    "NEEDED_COLUMNS",
    "OPTIONAL_COLUMNS",
    "Alternative",
    "Area",
    "Reconciler",
    "Reconciliation",
    "detained_range",
    "parse_area",
    "to_day",
]


def parse_area(text: str, *, known_districts: Mapping[str, str | None] | None = None) -> Area:
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
                known = {**_boundary_districts(boundaries), **known}  # the records' districts win
            checked = claims.joined or boundaries is not None
            try:
                area = parse_area(area, known_districts=known if checked else None)
            except ProtestMapError as exc:
                if boundaries is None and checked:
                    raise ProtestMapError(
                        f"{exc} (the districts with records; give the boundaries to name one without records)"
                    ) from None
                raise
        if area.district_id is not None and not claims.joined:
            raise ProtestMapError(
                f"area {area.label!r} is a district: pass joined records (geo.join.join_incidents) "
                "so that each record has its district_id"
            )
        lo_day = to_day(start) if start is not None else claims.first_day()
        hi_day = to_day(end) if end is not None else claims.last_day()
        if hi_day < lo_day:
            raise ProtestMapError(f"the window ends ({hi_day}) before it starts ({lo_day})")
        notes = _district_notes(area, boundaries, lo_day, hi_day) if area.district_id is not None else []
        query = _Query(claims, area, _day_number(lo_day), _day_number(hi_day))
        result = query.answer(lo_day, hi_day)
        result.notes = notes + result.notes
        if breakdown and area.district_id is None:
            result.breakdown = self._breakdown(area, query, result)
        return result

    def each_day(
        self, city_ids: tuple[str, ...], start: date | str, end: date | str
    ) -> dict[tuple[date, str], Reconciliation]:
        """``range(city, start=day, end=day, breakdown=False)`` for every day of the window and city.

        Each day is solved over the records that touch it (a figure's container
        touches every day the figure does), so a long window costs one small
        question per day with records, and nothing for the empty days.
        """
        c = self._claims
        lo_day, hi_day = to_day(start), to_day(end)
        lo, hi = _day_number(lo_day), _day_number(hi_day)
        rows = np.flatnonzero((c.has_low | c.uncounted) & (c.start <= hi) & (c.end >= lo))
        one_day = rows[c.start[rows] == c.end[rows]]
        longer = rows[c.start[rows] != c.end[rows]]
        order = np.argsort(c.start[one_day], kind="stable")
        days, first = np.unique(c.start[one_day][order], return_index=True)
        groups = dict(zip(days.tolist(), np.split(one_day[order], first[1:]) if len(first) else []))
        if len(rows):
            _ = c.rid  # the record_ids made once: each day's subset takes its slice, not all of them again
        out: dict[tuple[date, str], Reconciliation] = {}
        for number in range(lo, hi + 1):
            day = _day_of(number)
            todays = np.sort(
                np.concatenate(
                    [
                        groups.get(number, np.zeros(0, dtype=np.int64)),
                        longer[(c.start[longer] <= number) & (c.end[longer] >= number)],
                    ]
                )
            )
            sub = c.subset(c.with_ancestors(todays)) if len(todays) else None
            for city in city_ids:
                if sub is None:
                    out[(day, city)] = Reconciliation(city, day, day, 0, 0)
                else:
                    out[(day, city)] = _Query(sub, Area(city), number, number).answer(day, day)
        return out

    def _breakdown(self, area: Area, query: _Query, result: Reconciliation) -> dict[str, int]:
        """Split the floor: by city (national) or by district (city), with the remainder."""
        claims = self._claims
        parts: dict[str, int] = {}
        if area.city_id is None:
            names = ["almaty", "astana", "other"]
            names += sorted(n for n in claims.city_names[1:] if n is not None and n not in names)
            for name in names:
                parts[name] = _Query(claims, Area(name), query.lo, query.hi).floor()
            parts["unallocated"] = max(0, result.detained_low - sum(parts.values()))
            return parts
        for district in query.districts_in_scope():
            parts[district] = _Query(claims, Area(area.city_id, district), query.lo, query.hi).floor()
        parts["city_level"] = max(0, result.detained_low - sum(parts.values()))
        return parts


# --------------------------------------------------------------------------- helpers


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
    layers = [
        layer
        for layer in boundaries.layers_for(area.city_id)
        if area.district_id in set(layer.districts["district_id"])
    ]
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
