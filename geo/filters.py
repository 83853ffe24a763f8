"""The view's filters as plain values: parsed from and written to a URL query string.

The dashboard keeps its state in the URL so that a copied link reproduces the
view.  This module knows the parameters, their defaults and how to read them
tolerantly (a hand-edited or stale link never crashes a page: a bad value falls
back to its default and says so); the Streamlit side only moves them between
``st.query_params`` and the widgets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd

from geo import schema
from geo.schema import (  # the allowed values live in schema
    EMBEDDED_DATASET,
    LANGUAGES,
    METRICS,
)

__all__ = ["CITY_CHOICES", "EMBEDDED_DATASET", "LANGUAGES", "METRICS", "Filters", "filter_records"]

CITY_CHOICES = ("all", "almaty", "astana")
#: The view the dashboard opens on: the June 2019 election protests.
DEFAULT_START = date(2019, 6, 9)
DEFAULT_END = date(2019, 6, 13)


@dataclass(frozen=True)
class Filters:
    """What the user is looking at.  ``city`` is ``all``, ``almaty`` or ``astana``."""

    city: str = "all"
    start: date = DEFAULT_START
    end: date = DEFAULT_END
    event_types: tuple[str, ...] = schema.EVENT_TYPES
    precisions: tuple[int, ...] = schema.GEO_PRECISIONS
    lang: str = "en"
    metric: str = "detained"
    datasets: tuple[str, ...] = (EMBEDDED_DATASET,)
    problems: tuple[str, ...] = field(default=(), compare=False)

    def to_query(self) -> dict[str, str]:
        """The query parameters that differ from the defaults (short links)."""
        default = Filters()
        out: dict[str, str] = {}
        if self.city != default.city:
            out["city"] = self.city
        if self.start != default.start:
            out["from"] = self.start.isoformat()
        if self.end != default.end:
            out["to"] = self.end.isoformat()
        if set(self.event_types) != set(default.event_types):
            out["types"] = ",".join(t for t in schema.EVENT_TYPES if t in self.event_types)
        if set(self.precisions) != set(default.precisions):
            out["prec"] = ",".join(str(p) for p in schema.GEO_PRECISIONS if p in self.precisions)
        if self.lang != default.lang:
            out["lang"] = self.lang
        if self.metric != default.metric:
            out["metric"] = self.metric
        if self.datasets != default.datasets:
            out["data"] = ",".join(self.datasets)
        return out

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> Filters:
        """Read filters from query parameters; unknown or bad values fall back to defaults."""
        default = cls()
        problems: list[str] = []

        def choice(key, allowed, fallback):
            value = (query.get(key) or "").strip().lower()
            if not value:
                return fallback
            if value in ("nur-sultan", "nursultan") and key == "city":
                return "astana"
            if value not in allowed:
                problems.append(f"{key}={value!r} is not one of {', '.join(allowed)}; using {fallback}")
                return fallback
            return value

        def day(key, fallback):
            value = (query.get(key) or "").strip()
            if not value:
                return fallback
            try:
                return date.fromisoformat(value)
            except ValueError:
                problems.append(f"{key}={value!r} is not a date (YYYY-MM-DD); using {fallback}")
                return fallback

        def listing(key, allowed, fallback, convert=str):
            value = (query.get(key) or "").strip()
            if not value:
                return fallback
            items, bad = [], []
            for token in value.split(","):
                token = token.strip()
                try:
                    item = convert(token)
                except ValueError:
                    item = None
                (items if item in allowed else bad).append(item if item in allowed else token)
            if bad:
                problems.append(f"{key}: ignored {', '.join(map(str, bad))}")
            kept = tuple(a for a in allowed if a in items)
            return kept or fallback

        start = day("from", default.start)
        end = day("to", default.end)
        if end < start:
            problems.append(f"to={end} is before from={start}; swapped")
            start, end = end, start
        return cls(
            city=choice("city", CITY_CHOICES, default.city),
            start=start,
            end=end,
            event_types=listing("types", schema.EVENT_TYPES, default.event_types),
            precisions=listing("prec", schema.GEO_PRECISIONS, default.precisions, int),
            lang=choice("lang", LANGUAGES, default.lang),
            metric=choice("metric", METRICS, default.metric),
            datasets=tuple(dict.fromkeys(n.strip() for n in (query.get("data") or "").split(",") if n.strip()))
            or default.datasets,
            problems=tuple(problems),
        )

    def but(self, **changes) -> Filters:
        """A copy with some values changed."""
        return replace(self, **changes)


def filter_records(joined: pd.DataFrame, filters: Filters, *, include_national: bool = True) -> pd.DataFrame:
    """The records a view shows.

    A record is in the window when the days it covers (``period_start`` ..
    ``period_end``) meet the window, so a statement made on 18 June about 9-13
    June belongs to a 9-13 June view.  A city view keeps that city's records
    and, with ``include_national``, the national ones (context that no source
    splits by city).  Records without a ``geo_precision`` are kept only when
    every precision is selected.
    """
    start = pd.Timestamp(filters.start)
    end = pd.Timestamp(filters.end)
    keep = (joined["period_start"] <= end) & (joined["period_end"] >= start)
    keep &= joined["event_type"].isin(filters.event_types)
    precision = joined["geo_precision"]
    all_precisions = set(filters.precisions) == set(schema.GEO_PRECISIONS)
    keep &= precision.isin(filters.precisions).fillna(all_precisions).astype(bool)
    if filters.city != "all":
        city = _city_ids(joined)
        in_city = city == filters.city
        if include_national:
            in_city |= joined["city"] == "national"
        keep &= in_city
    return joined.loc[keep]


def _city_ids(joined: pd.DataFrame) -> pd.Series:
    stated = joined["city"].map(schema.CITY_IDS).fillna("")
    if "city_id" not in joined.columns:
        return stated
    placed = joined["city_id"].fillna("")
    return placed.where(placed != "", stated)
