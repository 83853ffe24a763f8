"""The exact solver: weighted interval scheduling per area, the sub-areas filling the gaps.

Why it finds the optimum is in :mod:`geo.aggregate`'s docstring.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # only for the annotations: the query imports this module
    from geo.aggregate._query import _Query


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

    __slots__ = ("gapfrom", "n", "o", "over", "v")

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
        self.plain_rows = np.flatnonzero(query.plain & include)
        self._value: tuple | None = None
        self.simple = not len(blocks) and not query.tree_node.any() and bool((region >= 0).all())
        if self.simple:  # only unlinked one-day episodes: nothing can block anything, every one counts
            rows = self.plain_rows
            self._value = (int(self.w[rows].sum()), int(self.op[rows].sum()), len(rows))
            return
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
        plain = self.plain_rows
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
        fcum = [_cum(a) for a in (self.freev, self.freeo, self.freen)]  # one cumulative sum per table, row by row
        acum = [_cum(a) for a in (allv, allo, alln)]
        self.fcum = [(fcum[0][r], fcum[1][r], fcum[2][r]) for r in range(R)]
        self.acum = [(acum[0][r], acum[1][r], acum[2][r]) for r in range(R)]
        self.memo: dict[tuple[int, int], _Run] = {}

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
        for node in nodes:
            if q.tp[node] >= 0:
                self.kids[int(q.tp[node])].append(int(node))
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
        if not len(nodes):  # no episode trees (the common day): nothing to hand down
            return
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
                cv = base[0] + fv[h + 1 :] - fv[h]
                co = base[1] + fo[h + 1 :] - fo[h]
                cn = base[2] + fn[h + 1 :] - fn[h]
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
        if self.simple:
            mask[self.plain_rows] = True
            return mask
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
    """Running sums along each row of an (areas x days) table, a 0 before the first day."""
    out = np.zeros((values.shape[0], values.shape[1] + 1), dtype=np.int64)
    np.cumsum(values, axis=1, out=out[:, 1:])
    return out
