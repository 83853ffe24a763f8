"""One question (an area and a window) over prepared claims: its scope, its answer, its unknowns."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from geo.aggregate._answer import Area, Reconciliation
from geo.aggregate._claims import _MAX_CHAIN, _Claims, _region_contains
from geo.aggregate._explain import _Explain
from geo.aggregate._solver import _Pass, _rank


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
    def pass_(self, name: str) -> _Pass:
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
        return Reconciliation(
            self.area.label, lo_day, hi_day, low, high, notes=self._inferred_notes(), explain=_Explain(self)
        )

    def unknowns(self) -> _Unknowns:
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
                fits = (
                    _region_contains(c.city[t], c.district[t], pcity, pdist)
                    & (c.start[t] <= start)
                    & (end <= c.end[t])
                    & (cover < 0)
                )
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
                fits = (
                    _region_contains(c.city[t], c.district[t], ucity, udist)
                    & (c.start[t] <= us)
                    & (ue <= c.end[t])
                    & (ucover < 0)
                )
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
