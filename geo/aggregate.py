"""Reconciled arrest figures: the lowest defensible number, the highest reported, and why.

Reports overlap.  "About 500 detained on Sunday" (national), "200 more on
Monday", "about 700 over Sunday and Monday", "nearly 4,000 over 9-13 June",
and counts at one square that sit inside all of those.  Adding them up would
count the same people several times.  :func:`detained_range` answers, for an
area and a date window, with a range and the records it rests on.

The model
---------
Every record with a detained count is a *claim* about a *cell*: a region
(the whole country, one city, or one district) and a period
(``period_start``..``period_end``).

* ``incremental`` claims count one episode.  Two episodes are different
  people unless one is ``included_in`` the other (directly or through a chain).
* ``cumulative`` claims are totals over their whole cell: they contain every
  claim whose cell lies inside theirs, and overlap every claim whose cell
  meets theirs.
* ``snapshot`` claims (people held at one moment) are never added; they are
  listed as alternatives.
* A claim that is ``contested_by`` another record sets no floor; it only
  counts toward the high end.

In scope are the claims whose cell lies inside the asked area and window.
The floor is the largest total of pairwise non-overlapping claims (a figure
that contains others counts as the larger of itself and the sum of its
parts); the high end is the largest total of the reported upper figures in
the same way, open-ended ("at least") when the figures it rests on have no
upper bound.  A city never absorbs a national figure that no source splits by
city: such figures are listed as alternatives, and the national answer shows
the part of its floor that no city figure accounts for as ``unallocated``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from geo.errors import ProtestMapError
from geo.schema import CITY_IDS

#: Above this many cumulative claims in one answer the exact search gives way
#: to a greedy one (flagged in ``notes``).  Official running totals are few.
MAX_EXACT_CUMULATIVE = 22

_NATIONAL = (None, None)


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


@dataclass
class Reconciliation:
    """The answer of :func:`detained_range`."""

    area: str
    start: date
    end: date
    detained_low: int
    detained_high: int | None
    basis: list[str]
    high_basis: list[str]
    alternatives: list[Alternative] = field(default_factory=list)
    breakdown: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

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
        out = asdict(self)
        out["from"] = self.start.isoformat()
        out["to"] = self.end.isoformat()
        del out["start"], out["end"]
        return out


def parse_area(text: str, *, known_districts: dict[str, str] | None = None) -> Area:
    """Read an area as given on the command line or in a URL.

    Accepts ``national``, a city (``Almaty``, ``Nur-Sultan``, ``Astana``, or the
    ids ``almaty``/``astana``), ``city/district_id`` or a bare ``district_id``
    when ``known_districts`` (district_id -> city_id) resolves it.
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
            return Area(cities[city], district)
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

    Returns
    -------
    Reconciliation
    """
    if isinstance(area, str):
        area = parse_area(area, known_districts=_known_districts(records))
    if area.district_id is not None and "district_id" not in records.columns:
        raise ProtestMapError(
            f"area {area.label!r} is a district: pass joined records (geo.join.join_incidents) "
            "so that each record has its district_id"
        )
    lo_day = _to_day(start) if start is not None else None
    hi_day = _to_day(end) if end is not None else None
    frame = _prepare(records)
    if lo_day is None:
        lo_day = frame["period_start"].min().date() if len(frame) else date.min
    if hi_day is None:
        hi_day = frame["period_end"].max().date() if len(frame) else date.max
    if hi_day < lo_day:
        raise ProtestMapError(f"the window ends ({hi_day}) before it starts ({lo_day})")

    result = _Solver(frame, area, lo_day, hi_day).solve()
    if breakdown and area.district_id is None:
        result.breakdown = _breakdown(records, frame, area, lo_day, hi_day, result)
    return result


# --------------------------------------------------------------------------- helpers


def _to_day(value: date | str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ProtestMapError(f"expected a date as YYYY-MM-DD, got {value!r}") from None


def _known_districts(records: pd.DataFrame) -> dict[str, str]:
    if "district_id" not in records.columns:
        return {}
    pairs = records.loc[records["district_id"].fillna("") != "", ["district_id", "city_id"]]
    return dict(zip(pairs["district_id"], pairs["city_id"]))


def _prepare(records: pd.DataFrame) -> pd.DataFrame:
    """The claims: records with a detained count, with their cell."""
    has_count = records["detained_low"].notna()
    frame = records.loc[has_count].copy()
    city_id = frame["city"].map(CITY_IDS)
    if "city_id" in frame.columns:
        joined = frame["city_id"].fillna("").replace("", np.nan)
        city_id = joined.fillna(city_id)
    city_id = city_id.where(frame["city"] != "other", "other")
    frame["_city"] = pd.Series([_text_or_none(c) for c in city_id], index=frame.index, dtype=object)
    if "district_id" in frame.columns and "attribution" in frame.columns:
        placed = frame["attribution"] == "district"
        district = [_text_or_none(d) if p else None for d, p in zip(frame["district_id"], placed)]
    else:
        district = [None] * len(frame)
    frame["_district"] = pd.Series(district, index=frame.index, dtype=object)
    frame["_low"] = frame["detained_low"].astype("int64")
    frame["_high"] = frame["detained_high"].astype("Float64")
    frame["_contested"] = frame["contested_by"].fillna("") != ""
    return frame


def _text_or_none(value) -> str | None:
    return value if isinstance(value, str) and value else None


def _region_contains(outer: tuple, inner: tuple) -> bool:
    if outer[0] is None:
        return True
    if outer[0] != inner[0]:
        return False
    return outer[1] is None or outer[1] == inner[1]


def _regions_meet(a: tuple, b: tuple) -> bool:
    return _region_contains(a, b) or _region_contains(b, a)


@dataclass
class _Claim:
    rid: str
    kind: str
    region: tuple
    start: date
    end: date
    low: int
    high: int | None
    contested: bool
    ancestors: tuple[str, ...]

    @property
    def h(self) -> int:
        return self.low if self.high is None else self.high


class _Solver:
    def __init__(self, frame: pd.DataFrame, area: Area, lo: date, hi: date):
        self.area = area
        self.lo, self.hi = lo, hi
        self.frame = frame
        self.parent = dict(zip(frame["record_id"], frame["included_in"].fillna("")))
        self.notes: list[str] = []

    # -- scope ---------------------------------------------------------------
    def _scope(self):
        f = self.frame
        region_area = (self.area.city_id, self.area.district_id)
        starts = f["period_start"].dt.date
        ends = f["period_end"].dt.date
        in_window = (starts >= self.lo) & (ends <= self.hi)
        touches = (starts <= self.hi) & (ends >= self.lo)
        regions = list(zip(f["_city"], f["_district"]))
        in_area = np.array([_region_contains(region_area, r) for r in regions], dtype=bool)
        meets_area = np.array([_regions_meet(region_area, r) for r in regions], dtype=bool)
        countable = f["count_kind"].isin(["incremental", "cumulative"]).to_numpy()
        self.in_scope = in_window.to_numpy() & in_area & countable
        self.listed = touches.to_numpy() & meets_area & ~self.in_scope
        self.regions = regions

    def _claims(self) -> list[_Claim]:
        f = self.frame
        idx = np.flatnonzero(self.in_scope)
        cols = {
            name: f[name].to_numpy()[idx]
            for name in ("record_id", "count_kind", "_low", "_contested")
        }
        highs = f["_high"].to_numpy(dtype=float, na_value=np.nan)[idx]
        starts = f["period_start"].dt.date.to_numpy()[idx]
        ends = f["period_end"].dt.date.to_numpy()[idx]
        return [
            _Claim(
                rid=rid,
                kind=kind,
                region=self.regions[i],
                start=s,
                end=e,
                low=int(low),
                high=None if np.isnan(high) else int(high),
                contested=bool(contested),
                ancestors=self._ancestors(rid),
            )
            for i, rid, kind, low, contested, high, s, e in zip(
                idx, cols["record_id"], cols["count_kind"], cols["_low"], cols["_contested"],
                highs, starts, ends,
            )
        ]

    def _ancestors(self, rid: str) -> tuple[str, ...]:
        chain, node = [], self.parent.get(rid, "")
        while node and node not in chain and node != rid:
            chain.append(node)
            node = self.parent.get(node, "")
        return tuple(chain)

    # -- relations -----------------------------------------------------------
    @staticmethod
    def _contains(x: _Claim, y: _Claim) -> bool:
        if x.rid in y.ancestors:
            return True
        return (
            x.kind == "cumulative"
            and _region_contains(x.region, y.region)
            and x.start <= y.start
            and y.end <= x.end
        )

    @classmethod
    def _overlap(cls, x: _Claim, y: _Claim) -> bool:
        if cls._contains(x, y) or cls._contains(y, x):
            return True
        if x.kind == "cumulative" or y.kind == "cumulative":
            return _regions_meet(x.region, y.region) and x.start <= y.end and y.start <= x.end
        return False

    # -- solve ---------------------------------------------------------------
    def solve(self) -> Reconciliation:
        self._scope()
        claims = self._claims()
        by_id = {c.rid: c for c in claims}
        cums = [c for c in claims if c.kind == "cumulative"]
        incs = [c for c in claims if c.kind == "incremental"]

        # forest of incremental claims linked by included_in
        children: dict[str, list[_Claim]] = {c.rid: [] for c in incs}
        roots = []
        for c in incs:
            up = next((a for a in c.ancestors if a in by_id and by_id[a].kind == "incremental"), None)
            (children[up].append(c) if up else roots.append(c))
        tree = {r.rid: self._tree_values(r, children) for r in roots}

        # how each tree meets each cumulative claim: 2 = inside, 1 = partial, 0 = apart
        touch = {
            r.rid: tuple(2 if self._contains(c, r) else (1 if self._overlap(c, r) else 0) for c in cums)
            for r in roots
        }
        groups: dict[tuple, list[str]] = {}
        for rid, sig in touch.items():
            groups.setdefault(sig, []).append(rid)

        best_low = self._search(cums, groups, tree, use_high=False)
        best_high = self._search(cums, groups, tree, use_high=True)
        low, _, low_basis = best_low
        high, open_high, high_basis = best_high
        # A figure with no upper bound that no closed figure of the high end contains
        # ("more than 100" nationally, say) leaves the high end open.
        open_high = open_high or any(
            c.high is None
            and c.rid not in high_basis
            and not any(self._contains(by_id[b], c) and by_id[b].high is not None for b in high_basis)
            for c in claims
        )
        basis = sorted(set(low_basis))
        result = Reconciliation(
            area=self.area.label,
            start=self.lo,
            end=self.hi,
            detained_low=int(low),
            detained_high=None if open_high else int(max(high, low)),
            basis=basis,
            high_basis=sorted(set(high_basis)),
            notes=self.notes,
        )
        result.alternatives = self._alternatives(claims, set(basis), set(high_basis), by_id)
        return result

    def _tree_values(self, node: _Claim, children: dict[str, list[_Claim]]):
        """(floor, floor basis, high, high open, high basis) of an incremental tree."""
        kids = [self._tree_values(k, children) for k in children[node.rid]]
        own_low = 0 if node.contested else node.low
        kids_low = sum(k[0] for k in kids)
        if kids and kids_low > own_low:
            low, low_basis = kids_low, [b for k in kids for b in k[1]]
        else:
            low, low_basis = own_low, ([] if node.contested else [node.rid])
        kids_high = sum(k[2] for k in kids)
        if kids and kids_high > node.h:
            high, open_, high_basis = kids_high, any(k[3] for k in kids), [b for k in kids for b in k[4]]
        else:
            high, open_, high_basis = node.h, node.high is None, [node.rid]
        return low, low_basis, high, open_, high_basis

    def _search(self, cums, groups, tree, *, use_high: bool):
        """Best packing of non-overlapping claims: (value, open, basis)."""
        usable = [i for i, c in enumerate(cums) if use_high or not c.contested]
        conflict = {
            i: {j for j in usable if j != i and self._overlap(cums[i], cums[j])} for i in usable
        }

        def value_of(chosen: frozenset[int]):
            total, open_, basis = 0, False, []
            inside: dict[int, list] = {i: [] for i in chosen}
            for sig, rids in groups.items():
                hit = [i for i in chosen if sig[i]]
                if not hit:
                    for rid in rids:
                        total, open_, basis = self._add(total, open_, basis, tree[rid], use_high)
                elif len(hit) == 1 and sig[hit[0]] == 2:
                    inside[hit[0]].extend(rids)
                # partially covered trees are dropped: they would be counted twice
            for i in chosen:
                c = cums[i]
                sub = (0, False, [])
                for rid in inside[i]:
                    sub = self._add(*sub, tree[rid], use_high)
                own = c.h if use_high else c.low
                if sub[0] > own:
                    total, open_, basis = total + sub[0], open_ or sub[1], basis + sub[2]
                else:
                    total += own
                    open_ = open_ or (use_high and c.high is None)
                    basis = basis + [c.rid]
            return total, open_, basis

        def better(a, b):
            if b is None:
                return True
            if a[0] != b[0]:
                return a[0] > b[0]
            if a[1] != b[1]:  # same value: an open-ended answer is the more honest high
                return a[1] and use_high
            return len(a[2]) < len(b[2])

        best = None
        if len(usable) > MAX_EXACT_CUMULATIVE:
            chosen: set[int] = set()
            order = sorted(usable, key=lambda i: -(cums[i].h if use_high else cums[i].low))
            for i in order:
                if not conflict[i] & chosen:
                    chosen.add(i)
            self.notes.append(
                f"{len(usable)} cumulative figures overlap here; the combination was chosen greedily"
            )
            return value_of(frozenset(chosen))

        def walk(k: int, chosen: frozenset[int], banned: frozenset[int]):
            nonlocal best
            if k == len(usable):
                cand = value_of(chosen)
                if better(cand, best):
                    best = cand
                return
            i = usable[k]
            if i not in banned:
                walk(k + 1, chosen | {i}, banned | conflict[i])
            walk(k + 1, chosen, banned)

        walk(0, frozenset(), frozenset())
        return best

    @staticmethod
    def _add(total, open_, basis, values, use_high):
        if use_high:
            return total + values[2], open_ or values[3], basis + values[4]
        return total + values[0], open_, basis + values[1]

    def _alternatives(self, claims, basis, high_basis, by_id) -> list[Alternative]:
        out = []
        for c in claims:
            if c.rid in basis:
                continue
            if c.contested:
                reason = (
                    f"contested by {self.frame.loc[self.frame['record_id'] == c.rid, 'contested_by'].iloc[0]}: "
                    "counts toward the high end only"
                )
            else:
                container = next((b for b in basis if self._contains(by_id[b], c)), None)
                inside = [b for b in basis if self._contains(c, by_id[b])]
                if container:
                    reason = f"contained in {container}, which is counted"
                elif inside:
                    reason = f"its parts ({', '.join(sorted(inside))}) add up to more; counted instead"
                else:
                    rivals = sorted(b for b in basis if self._overlap(c, by_id[b]))
                    reason = (
                        f"overlaps {', '.join(rivals)}, which give(s) the higher floor"
                        if rivals
                        else "not needed for the floor"
                    )
            if c.rid in high_basis:
                reason += "; used for the high end"
            out.append(Alternative(c.rid, c.low, c.high, reason))

        f = self.frame
        for i in np.flatnonzero(self.listed):
            row = f.iloc[i]
            low = int(row["_low"])
            high = None if pd.isna(row["_high"]) else int(row["_high"])
            s, e = row["period_start"].date(), row["period_end"].date()
            region = self.regions[i]
            if row["count_kind"] == "snapshot":
                reason = "people held at one moment (snapshot), not a count of detentions"
            elif not (s >= self.lo and e <= self.hi):
                reason = f"covers {s}..{e}, which reaches beyond the window {self.lo}..{self.hi}"
            elif region[0] is None or (self.area.city_id and region[1] is None and self.area.district_id):
                level = "national" if region[0] is None else "city-level"
                reason = f"{level} figure that no source splits by area: unallocated here"
            else:
                reason = "count kind not given"
            out.append(Alternative(row["record_id"], low, high, reason))
        return out


def _breakdown(records, frame, area: Area, lo: date, hi: date, result: Reconciliation) -> dict[str, int]:
    """Split the floor: by city (national) or by district (city), with the remainder."""
    parts: dict[str, int] = {}
    if area.city_id is None:
        for city in ("almaty", "astana", "other"):
            sub = _Solver(frame, Area(city), lo, hi).solve()
            parts[city] = sub.detained_low
        parts["unallocated"] = max(0, result.detained_low - sum(parts.values()))
        return parts
    districts = sorted(
        {d for c, d in zip(frame["_city"], frame["_district"]) if c == area.city_id and d}
    )
    for d in districts:
        parts[d] = _Solver(frame, Area(area.city_id, d), lo, hi).solve().detained_low
    parts["city_level"] = max(0, result.detained_low - sum(parts.values()))
    return parts
