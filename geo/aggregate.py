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
    frame["_city"] = pd.Series([_text_or_none(c) for c in city_id.to_numpy(dtype=object)],
                               index=frame.index, dtype=object)
    if "district_id" in frame.columns and "attribution" in frame.columns:
        placed = frame["attribution"] == "district"
        district = [_text_or_none(d) if p else None
                    for d, p in zip(frame["district_id"].to_numpy(dtype=object), placed.to_numpy())]
    else:
        district = [None] * len(frame)
    frame["_district"] = pd.Series(district, index=frame.index, dtype=object)
    frame["_low"] = frame["detained_low"].astype("int64")
    frame["_high"] = frame["detained_high"].astype("Float64")
    frame["_contested"] = frame["contested_by"].fillna("") != ""
    return frame


def _objects(column: pd.Series) -> np.ndarray:
    """A text column as a NumPy object array ('' for blanks): fast to iterate, unlike Arrow strings."""
    return column.fillna("").to_numpy(dtype=object)


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


@dataclass
class _GroupSum:
    """Incremental trees that meet the cumulative claims the same way, summed once."""

    low: int
    low_basis: list[str]
    high: int
    high_open: bool
    high_basis: list[str]

    @classmethod
    def of(cls, trees: list[tuple]) -> "_GroupSum":
        return cls(
            low=sum(t[0] for t in trees),
            low_basis=[b for t in trees for b in t[1]],
            high=sum(t[2] for t in trees),
            high_open=any(t[3] for t in trees),
            high_basis=[b for t in trees for b in t[4]],
        )

    def value(self, use_high: bool) -> int:
        return self.high if use_high else self.low

    def open(self, use_high: bool) -> bool:
        return use_high and self.high_open

    def basis(self, use_high: bool) -> list[str]:
        return self.high_basis if use_high else self.low_basis

    def items(self, use_high: bool) -> int:
        return len(self.basis(use_high))

    def plus(self, other: "_GroupSum") -> "_GroupSum":
        return _GroupSum(self.low + other.low, self.low_basis + other.low_basis, self.high + other.high,
                         self.high_open or other.high_open, self.high_basis + other.high_basis)


def _contains_region(outer: tuple, city: np.ndarray, district: np.ndarray) -> np.ndarray:
    """Vectorised :func:`_region_contains` of one outer region over many regions."""
    if outer[0] is None:
        return np.ones(len(city), dtype=bool)
    same_city = city == outer[0]
    return same_city if outer[1] is None else same_city & (district == outer[1])


def _region_inside(city: np.ndarray, district: np.ndarray, inner: tuple) -> np.ndarray:
    """Vectorised :func:`_region_contains` of many outer regions over one inner region."""
    national = np.array([c is None for c in city], dtype=bool)
    whole_city = (city == inner[0]) & np.array([d is None for d in district], dtype=bool)
    return national | whole_city | ((city == inner[0]) & (district == inner[1]))


def _descendants(rid: str, children: dict[str, list[_Claim]]) -> list[str]:
    out, stack = [], list(children.get(rid, ()))
    while stack:
        node = stack.pop()
        out.append(node.rid)
        stack.extend(children.get(node.rid, ()))
    return out


def _some(ids: list[str], limit: int = 6) -> str:
    """A readable list of record ids: all of a few, the first few of many."""
    ids = sorted(ids)
    if len(ids) <= limit:
        return ", ".join(ids)
    return ", ".join(ids[:limit]) + f" and {len(ids) - limit:,} more"


class _Solver:
    def __init__(self, frame: pd.DataFrame, area: Area, lo: date, hi: date):
        self.area = area
        self.lo, self.hi = lo, hi
        self.frame = frame
        self.parent = {rid: up for rid, up in zip(_objects(frame["record_id"]), _objects(frame["included_in"]))
                       if up}
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

    def _claims(self, idx: np.ndarray) -> list[_Claim]:
        f = self.frame
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
        idx = np.flatnonzero(self.in_scope)
        simple = self._simple(idx)
        claims = self._claims(idx[~simple])
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

        # how each tree meets each cumulative claim: 2 = inside, 1 = partly, 0 = apart
        groups: dict[tuple, list[str]] = {}
        for r in roots:
            sig = tuple(2 if self._contains(c, r) else (1 if self._overlap(c, r) else 0) for c in cums)
            groups.setdefault(sig, []).append(r.rid)
        sums = {sig: _GroupSum.of([tree[rid] for rid in rids]) for sig, rids in groups.items()}
        # the many plain episode counts (no chain, nothing inside, not contested), in arrays
        plain = self._plain_groups(idx[simple], cums)
        for sig, group in plain.items():
            sums[sig] = sums[sig].plus(group) if sig in sums else group

        low, _, low_basis, low_set = self._search(cums, sums, use_high=False)
        high, open_high, high_basis, high_chosen = self._search(cums, sums, use_high=True)
        basis_set, high_set = set(low_basis), set(high_basis)
        closed_cums = [c for c in cums if c.rid in high_set and c.high is not None]
        # A figure with no upper bound that no closed figure of the high end contains
        # ("more than 100" nationally, say) leaves the high end open.
        open_high = open_high or any(
            c.high is None
            and c.rid not in high_set
            and not any(a in high_set and by_id[a].high is not None for a in c.ancestors if a in by_id)
            and not any(self._contains(k, c) for k in closed_cums)
            for c in claims
        ) or any(
            group.high_open and self._placement(sig, cums, high_chosen, sums, True)[0] == "overlaps"
            for sig, group in plain.items()
        )
        result = Reconciliation(
            area=self.area.label,
            start=self.lo,
            end=self.hi,
            detained_low=int(low),
            detained_high=None if open_high else int(max(high, low)),
            basis=sorted(basis_set),
            high_basis=sorted(high_set),
            notes=self.notes,
        )
        result.alternatives = self._alternatives(claims, basis_set, high_set, by_id, children, cums, plain)
        result.alternatives += self._plain_alternatives(plain, cums, sums, low_set, high_chosen)
        return result

    def _simple(self, idx: np.ndarray) -> np.ndarray:
        """Which in-scope rows are plain episode counts: incremental, in no chain, not contested."""
        f = self.frame
        rid = f["record_id"].to_numpy()[idx]
        parents = set(self.parent.values())
        return (
            (f["count_kind"].to_numpy()[idx] == "incremental")
            & (f["included_in"].fillna("").to_numpy()[idx] == "")
            & ~f["_contested"].to_numpy()[idx]
            & ~np.isin(rid, list(parents))
        )

    def _plain_groups(self, idx: np.ndarray, cums: list[_Claim]) -> dict[tuple, "_GroupSum"]:
        """Plain episode counts summed per way of meeting the cumulative claims (vectorised)."""
        if len(idx) == 0:
            return {}
        f = self.frame
        city = f["_city"].to_numpy()[idx]
        district = f["_district"].to_numpy()[idx]
        start = f["period_start"].to_numpy()[idx]
        end = f["period_end"].to_numpy()[idx]
        key = np.zeros(len(idx), dtype=np.int64)
        for k, c in enumerate(cums):
            c_start, c_end = np.datetime64(c.start, "ns"), np.datetime64(c.end, "ns")
            inside = _contains_region(c.region, city, district) & (start >= c_start) & (end <= c_end)
            meets = (_contains_region(c.region, city, district) | _region_inside(city, district, c.region))
            partly = meets & (start <= c_end) & (end >= c_start) & ~inside
            key += (2 * inside + partly).astype(np.int64) * (3 ** k)
        keys, inverse = np.unique(key, return_inverse=True)
        low = f["_low"].to_numpy()[idx].astype(np.int64)
        high_raw = f["_high"].to_numpy(dtype=float, na_value=np.nan)[idx]
        is_open = np.isnan(high_raw)
        h = np.where(is_open, low, np.nan_to_num(high_raw)).astype(np.int64)
        rids = f["record_id"].to_numpy()[idx]
        out = {}
        for g, k in enumerate(keys):
            members = inverse == g
            sig = tuple(int(k) // (3 ** j) % 3 for j in range(len(cums)))
            ids = rids[members].tolist()
            out[sig] = _GroupSum(int(low[members].sum()), ids, int(h[members].sum()),
                                 bool(is_open[members].any()), ids)
        return out

    def _placement(self, sig, cums, chosen, sums, use_high):
        """Where a group of trees stands in a packing: in the basis, inside a counted figure, or overlapping."""
        hit = [i for i in chosen if sig[i]]
        if not hit:
            return ("basis", None)
        if len(hit) == 1 and sig[hit[0]] == 2:
            i = hit[0]
            inside = sum(g.value(use_high) for s, g in sums.items() if s[i] == 2 and
                         not [j for j in chosen if j != i and s[j]])
            own = cums[i].h if use_high else cums[i].low
            return ("basis", None) if inside > own else ("contained", cums[i].rid)
        return ("overlaps", [cums[i].rid for i in hit])

    def _plain_alternatives(self, plain, cums, sums, low_set, high_chosen) -> list[Alternative]:
        f = self.frame
        out = []
        rids = _objects(f["record_id"])
        highs = dict(zip(rids, f["_high"].to_numpy(dtype=float, na_value=np.nan)))
        lows = dict(zip(rids, f["_low"].to_numpy()))
        for sig, group in plain.items():
            where, what = self._placement(sig, cums, low_set, sums, False)
            if where == "basis":
                continue
            reason = (f"contained in {what}, which is counted" if where == "contained"
                      else f"overlaps {_some(what)}, which give(s) the higher floor")
            if self._placement(sig, cums, high_chosen, sums, True)[0] == "basis":
                reason += "; used for the high end"
            for rid in group.low_basis:
                high = highs[rid]
                out.append(Alternative(rid, int(lows[rid]), None if pd.isna(high) else int(high), reason))
        return out

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

    def _search(self, cums, sums, *, use_high: bool):
        """Best packing of non-overlapping claims: (value, open, basis).

        ``sums`` holds, per way of meeting the cumulative claims (2 inside, 1
        partly, 0 apart, one entry per cumulative claim), the summed values of
        the incremental trees that meet them so; a packing's value needs only
        these sums, so the search does not grow with the number of records.
        """
        usable = [i for i, c in enumerate(cums) if use_high or not c.contested]
        conflict = {
            i: {j for j in usable if j != i and self._overlap(cums[i], cums[j])} for i in usable
        }

        def parts(chosen: frozenset[int]):
            """The free tree groups and, per chosen claim, the groups inside it."""
            free, inside = [], {i: [] for i in chosen}
            for sig, group in sums.items():
                hit = [i for i in chosen if sig[i]]
                if not hit:
                    free.append(group)
                elif len(hit) == 1 and sig[hit[0]] == 2:
                    inside[hit[0]].append(group)
                # partially covered trees are dropped: they would be counted twice
            return free, inside

        def own(i: int) -> tuple[int, bool]:
            c = cums[i]
            return (c.h, c.high is None) if use_high else (c.low, False)

        def value_of(chosen: frozenset[int]):
            free, inside = parts(chosen)
            total = sum(g.value(use_high) for g in free)
            open_ = any(g.open(use_high) for g in free)
            items = sum(g.items(use_high) for g in free)
            for i in chosen:
                sub = sum(g.value(use_high) for g in inside[i])
                value, is_open = own(i)
                if sub > value:
                    total += sub
                    open_ = open_ or any(g.open(use_high) for g in inside[i])
                    items += sum(g.items(use_high) for g in inside[i])
                else:
                    total, open_, items = total + value, open_ or is_open, items + 1
            return total, open_, items

        def basis_of(chosen: frozenset[int]) -> list[str]:
            free, inside = parts(chosen)
            basis = [rid for g in free for rid in g.basis(use_high)]
            for i in chosen:
                if sum(g.value(use_high) for g in inside[i]) > own(i)[0]:
                    basis.extend(rid for g in inside[i] for rid in g.basis(use_high))
                else:
                    basis.append(cums[i].rid)
            return basis

        def better(a, b):
            if b is None:
                return True
            if a[0] != b[0]:
                return a[0] > b[0]
            if a[1] != b[1]:  # same value: an open-ended answer is the more honest high
                return a[1] and use_high
            return a[2] < b[2]

        if len(usable) > MAX_EXACT_CUMULATIVE:
            chosen: set[int] = set()
            for i in sorted(usable, key=lambda i: -own(i)[0]):
                if not conflict[i] & chosen:
                    chosen.add(i)
            self.notes.append(
                f"{len(usable)} cumulative figures overlap here; the combination was chosen greedily"
            )
            total, open_, _ = value_of(frozenset(chosen))
            return total, open_, basis_of(frozenset(chosen)), frozenset(chosen)

        best, best_set = None, frozenset()

        def walk(k: int, chosen: frozenset[int], banned: frozenset[int]):
            nonlocal best, best_set
            if k == len(usable):
                cand = value_of(chosen)
                if better(cand, best):
                    best, best_set = cand, chosen
                return
            i = usable[k]
            if i not in banned:
                walk(k + 1, chosen | {i}, banned | conflict[i])
            walk(k + 1, chosen, banned)

        walk(0, frozenset(), frozenset())
        return best[0], best[1], basis_of(best_set), best_set

    def _alternatives(self, claims, basis, high_basis, by_id, children, cums, plain) -> list[Alternative]:
        out = []
        basis_cums = [by_id[b] for b in basis if b in by_id and by_id[b].kind == "cumulative"]
        contested_by = dict(zip(_objects(self.frame["record_id"]), _objects(self.frame["contested_by"])))
        position = {c.rid: k for k, c in enumerate(cums)}

        def plain_in_basis(k: int, codes: tuple[int, ...]) -> list[str]:
            return [rid for sig, g in plain.items() if sig[k] in codes for rid in g.low_basis if rid in basis]

        for c in claims:
            if c.rid in basis:
                continue
            if c.contested:
                reason = f"contested by {contested_by[c.rid]}: counts toward the high end only"
            else:
                container = next((a for a in c.ancestors if a in basis), None) or next(
                    (k.rid for k in basis_cums if self._contains(k, c)), None)
                if c.kind == "cumulative":
                    k = position[c.rid]
                    inside = [b for b in basis if b in by_id and self._contains(c, by_id[b])]
                    inside += plain_in_basis(k, (2,))
                else:
                    inside = [d for d in _descendants(c.rid, children) if d in basis]
                if container:
                    reason = f"contained in {container}, which is counted"
                elif inside:
                    reason = f"its parts ({_some(inside)}) add up to more; counted instead"
                else:
                    if c.kind == "cumulative":
                        rivals = [b for b in basis if b in by_id and self._overlap(c, by_id[b])]
                        rivals += plain_in_basis(position[c.rid], (1, 2))
                    else:
                        rivals = [k.rid for k in basis_cums if self._overlap(c, k)]
                    reason = (
                        f"overlaps {_some(rivals)}, which give(s) the higher floor"
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
