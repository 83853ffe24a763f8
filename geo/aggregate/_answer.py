"""The answer of the reconciliation: an area, a figure and its explanation (see :mod:`geo.aggregate`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


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

    def __init__(
        self,
        area: str,
        start: date,
        end: date,
        detained_low: int,
        detained_high: int | None,
        *,
        breakdown: dict[str, int] | None = None,
        notes: list[str] | None = None,
        explain=None,
    ):
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

    def to_dict(self, *, alternatives: int | None = None) -> dict:
        """The answer as plain data (JSON's types); ``alternatives``: list at most these many of them
        (``alternatives_total`` says how many there are); only those are made."""
        if alternatives is None or "alternatives" in self._cache or self._explain is None:
            considered = self.alternatives[:alternatives]
            total = len(self.alternatives)
        else:
            considered = self._explain.alternatives(alternatives)
            total = self._explain.alternatives_total()
        return {
            "area": self.area,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "detained_low": self.detained_low,
            "detained_high": self.detained_high,
            "basis": self.basis,
            "high_basis": self.high_basis,
            "alternatives": [
                {
                    "record_id": a.record_id,
                    "detained_low": a.detained_low,
                    "detained_high": a.detained_high,
                    "reason": a.reason,
                }
                for a in considered
            ],
            "alternatives_total": total,
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


def _some(ids, limit: int = 6) -> str:
    """A readable list of record ids: all of a few, the first few of many."""
    ids = sorted(ids)
    if len(ids) <= limit:
        return ", ".join(ids)
    return ", ".join(ids[:limit]) + f" and {len(ids) - limit:,} more"
