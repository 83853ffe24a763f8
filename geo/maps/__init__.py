"""Maps: the interactive folium map (:mod:`geo.maps.interactive`), the static one for packs
(:mod:`geo.maps.static`, loaded only when asked for: it needs matplotlib), what both share
(:mod:`geo.maps.style`) and the front-end files the interactive map loads
(:mod:`geo.maps.assets`).
"""

from __future__ import annotations

from geo.maps.interactive import CITY_EXTENTS, DEFAULT_ASSET_BASE, drawn_without_districts, incident_map, overview_map
from geo.maps.style import (
    EVENT_COLOURS,
    OTHER_COLOUR,
    PLAIN_BACKGROUND,
    SHADE_SCALE,
    ZERO_FILL,
    badge_text,
    district_values,
    shade_classes,
    shade_fill,
)

__all__ = [
    "CITY_EXTENTS",
    "DEFAULT_ASSET_BASE",
    "EVENT_COLOURS",
    "OTHER_COLOUR",
    "PLAIN_BACKGROUND",
    "SHADE_SCALE",
    "ZERO_FILL",
    "badge_text",
    "district_values",
    "drawn_without_districts",
    "incident_map",
    "overview_map",
    "shade_classes",
    "shade_fill",
]
