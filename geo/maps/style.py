"""What both maps share, so that they read alike: the colours of the event types and of the
district classes, the classes themselves, each district's value, and the city-level badge.

:mod:`geo.maps.interactive` (folium, in the app and the HTML pack) and
:mod:`geo.maps.static` (matplotlib, in the PDF and the PNG) draw with these.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.boundaries import Layer
from geo.words import number, plural_key, word

__all__ = [
    "EVENT_COLOURS",
    "OTHER_COLOUR",
    "PLAIN_BACKGROUND",
    "SHADE_SCALE",
    "ZERO_FILL",
    "badge_text",
    "district_values",
    "shade_classes",
    "shade_fill",
]

#: Marker fill per event type: the Okabe-Ito palette (safe for the common
#: colour-vision deficiencies), each marker with a dark outline.
EVENT_COLOURS: dict[str, str] = {
    "rally": "#0072B2",  # blue
    "detention": "#D55E00",  # vermillion
    "police_violence": "#CC79A7",  # reddish purple
    "journalist_detained": "#009E73",  # bluish green
    "journalist_assaulted": "#E69F00",  # orange
    "official_statement": "#56B4E9",  # sky blue
}
OTHER_COLOUR = "#999999"

#: Sequential scale for districts with a value > 0 (ColorBrewer YlOrRd, 5 classes).
SHADE_SCALE = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
#: Fill of districts whose value is 0.
ZERO_FILL = "#f0f0f0"
#: Map container colour when there are no tiles.
PLAIN_BACKGROUND = "#f4f3ef"


def badge_text(n: int, lang: str) -> str:
    """'N records known only to city level (not on the map)' with the right plural."""
    return word(plural_key("badge", n, lang), lang, n=number(n, lang))


def district_values(
    placed: pd.DataFrame,
    layer: Layer,
    districts: pd.DataFrame | None,
    metric: str,
    lang: str,
) -> tuple[dict[str, int], str, str]:
    """The value of every district of ``layer``, the metric actually used, the legend title."""
    ids = [str(v) for v in layer.districts["district_id"]]
    if districts is None:
        counts = placed["district_id"].astype(str).value_counts()
        title = word("legend_incidents" if metric == "incidents" else "legend_incidents_only", lang)
        return {d: int(counts.get(d, 0)) for d in ids}, "incidents", title
    column = "detained_low" if metric == "detained" else "incidents"
    _check_columns(districts, ("district_id", column), "districts")
    if "kind" in districts.columns:  # a whole district_table: its remainder rows have no district
        districts = districts[districts["kind"] == "district"]
    unique = districts.drop_duplicates("district_id")
    table = unique.set_index(unique["district_id"].astype(str))
    values = {}
    for d in ids:
        value = table[column].get(d, 0) if d in table.index else 0
        values[d] = 0 if pd.isna(value) else int(value)
    return values, metric, word(f"legend_{metric}", lang)


def shade_classes(values) -> list[tuple[int, int, str]]:
    """Integer classes (low, high, colour) covering 1..max of ``values``; [] when all are 0."""
    top = max([int(v) for v in values] or [0])
    if top <= 0:
        return []
    count = min(len(SHADE_SCALE), top)
    edges = sorted({int(np.ceil(e)) for e in np.linspace(1, top + 1, count + 1)})
    spans = list(zip(edges[:-1], [e - 1 for e in edges[1:]]))
    # A short scale is spread over the whole ramp (1 class: the darkest colour).
    picks = np.linspace(len(SHADE_SCALE) - 1 if len(spans) == 1 else 0, len(SHADE_SCALE) - 1, len(spans))
    colours = [SHADE_SCALE[int(i)] for i in picks.round()]
    return [(lo, hi, colour) for (lo, hi), colour in zip(spans, colours)]


def shade_fill(value: int, classes: list[tuple[int, int, str]]) -> str:
    for lo, hi, colour in classes:
        if lo <= value <= hi:
            return colour
    return ZERO_FILL


def _check_columns(frame: pd.DataFrame, needed, what: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{what} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{what} lacks column(s) {missing}; expected "
            + (
                "joined records (geo.join.join_incidents)"
                if what == "joined"
                else "a district table (geo.districts.district_table)"
            )
        )
