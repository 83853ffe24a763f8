"""The records an answer rests on, and why every other one is not in its floor."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from geo.aggregate._answer import Alternative, _some
from geo.aggregate._claims import _day_of, _region_contains

if TYPE_CHECKING:  # only for the annotations: the query imports this module
    from geo.aggregate._query import _Query


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

    def _candidates(self) -> tuple[np.ndarray, np.ndarray]:
        """The items outside the floor: the unlinked, uncontested episodes, and the others."""
        q, c = self.q, self.q.c
        floor, _ = self._masks()
        simple = q.plain & ~c.contested[q.S]
        return np.flatnonzero(simple & ~floor), np.flatnonzero(~floor & ~simple)

    def alternatives_total(self) -> int:
        """How many :meth:`alternatives` there are (without making them)."""
        plain, others = self._candidates()
        return len(plain) + len(others) + int(np.count_nonzero(self.q.listed))

    def alternatives(self, limit: int | None = None) -> list[Alternative]:
        """Every record considered and not in the floor, with why (the first ``limit`` of them)."""
        q, c = self.q, self.q.c
        floor, high = self._masks()
        S = q.S
        out: list[tuple[int, str]] = []
        rid = c.rid
        chosen = np.flatnonzero(floor)
        totals = sorted((int(i) for i in chosen if q.block[i]), key=lambda i: rid[S[i]])
        plain, others = self._candidates()
        if limit is not None and len(plain) + len(others) > limit:  # only the first by record id are made
            items = np.concatenate([plain, others])
            first = items[np.argsort(rid[S[items]].astype(str), kind="stable")[:limit]]
            plain, others = np.intersect1d(plain, first), np.intersect1d(others, first)
        # the many unlinked episodes outside the floor: the counted figure holding or meeting them
        if len(plain):
            reasons = np.full(len(plain), "", dtype=object)
            a = q.sp[plain].copy()
            while (a >= 0).any():  # an included_in ancestor in the floor holds it
                hit = (a >= 0) & (reasons == "")
                hit[hit] = floor[a[hit]]
                reasons[hit] = [f"contained in {rid[S[x]]}, which is counted" for x in a[hit]]
                a = np.where(a >= 0, q.sp[np.maximum(a, 0)], -1)
            rivals: list[list[str]] = [[] for _ in range(len(plain))]
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
        for i in others:
            out.append((int(i), self._reason(int(i), floor, totals)))
        out.sort(key=lambda pair: rid[S[pair[0]]])
        alts = [self._alt(S[i], reason + ("; used for the high end" if high[i] else "")) for i, reason in out]
        alts.extend(self._listed(None if limit is None else max(limit - len(alts), 0)))
        return alts

    @staticmethod
    def _overlaps(rivals) -> str:
        return f"overlaps {_some(rivals)}, which give(s) the higher floor" if rivals else "not needed for the floor"

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
        counted = np.flatnonzero(floor).tolist()  # ints, as _inside, _descends and _meet take
        low = c.low[row]
        if q.block[i]:
            inner = [j for j in counted if self._inside(j, i) or self._descends(j, i)]
            rivals = [rid[S[j]] for j in counted if j not in inner and self._meet(i, j)]
            parts = [rid[S[j]] for j in inner]
            if parts and (not rivals or c.low[S[inner]].sum() >= low):
                if c.partial[row]:
                    return (
                        f"counts part of those detained in its cell; what is counted there ({_some(parts)}) gives more"
                    )
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
        return bool(
            _region_contains(q.pcity[t], q.pdist[t], q.pcity[i], q.pdist[i])
            and c.start[S[t]] <= c.start[S[i]]
            and c.end[S[i]] <= c.end[S[t]]
        )

    def _meet(self, i: int, j: int) -> bool:
        q, c, S = self.q, self.q.c, self.q.S
        nest = _region_contains(q.pcity[i], q.pdist[i], q.pcity[j], q.pdist[j]) or _region_contains(
            q.pcity[j], q.pdist[j], q.pcity[i], q.pdist[i]
        )
        return bool(nest and c.start[S[i]] <= c.end[S[j]] and c.start[S[j]] <= c.end[S[i]])

    def _descends(self, j: int, i: int) -> bool:
        """Is item j included_in item i (through in-scope links)?"""
        a = self.q.sp[j]
        while a >= 0:
            if a == i:
                return True
            a = self.q.sp[a]
        return False

    def _listed(self, limit: int | None = None) -> list[Alternative]:
        q, c = self.q, self.q.c
        out: list[Alternative] = []
        listed = np.flatnonzero(q.listed)
        ordered = listed[np.argsort(c.rid[listed].astype(str), kind="stable")][:limit]
        if not len(ordered):
            return out
        covers = self.q.unknowns().covering()
        lo, hi = _day_of(q.lo), _day_of(q.hi)
        said_of = dict(zip(ordered.tolist(), c.texts_of("detained_text", ordered)))
        inferred_of = dict(zip(ordered.tolist(), c.texts_of("inferred", ordered)))
        for row in ordered.tolist():
            s, e = _day_of(c.start[row]), _day_of(c.end[row])
            cover = covers.get(int(row), -1)
            tail = f"; {c.rid[cover]} covers it" if cover >= 0 else "; the high end stays open"
            if c.uncounted[row]:
                said = said_of[row]
                wording = f" ({said!r})" if said else ""
                reason = f"reported without a number{wording}" + tail
            elif c.kind[row] == "snapshot":
                reason = "people held at one moment (snapshot), not a count of detentions"
            elif not c.counted[row]:
                reason = "count kind not given"
            elif not (c.start[row] >= q.lo and c.end[row] <= q.hi):
                reason = f"covers {s}..{e}, which reaches beyond the window {lo}..{hi}"
                fields = [f for f in inferred_of[row].split() if f in ("period_start", "period_end")]
                if fields:
                    reason += f" ({', '.join(fields)} inferred)"
                reason += tail
            else:
                level = "national" if c.city[row] == 0 else "city-level"
                reason = f"{level} figure that no source splits by area: unallocated here" + tail
            out.append(
                Alternative(
                    str(c.rid[row]),
                    int(c.low[row]) if c.has_low[row] else None,
                    int(c.high[row]) if c.has_high[row] else None,
                    reason,
                )
            )
        return out
