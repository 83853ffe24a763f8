"""Maps: the interactive folium map (:mod:`geo.maps.interactive`), the static one for packs
(:mod:`geo.maps.static`, loaded only when asked for: it needs matplotlib), what both share
(:mod:`geo.maps.style`) and the front-end files the interactive map loads
(:mod:`geo.maps.assets`).
"""

from __future__ import annotations

from geo.maps.interactive import (
    CITY_EXTENTS,
    DEFAULT_ASSET_BASE,
    POINT_LIMIT,
    POINTS_FROM_ZOOM,
    POPUP_LIMIT,
    VIEW_POINT_LIMIT,
    drawn_incidents,
    drawn_without_districts,
    in_cell,
    incident_map,
    incidents_in_view,
    overview_map,
    representation,
    selected_record,
    within,
)
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
    "POINTS_FROM_ZOOM",
    "POINT_LIMIT",
    "POPUP_LIMIT",
    "SHADE_SCALE",
    "VIEW_POINT_LIMIT",
    "ZERO_FILL",
    "badge_text",
    "district_values",
    "drawn_incidents",
    "drawn_without_districts",
    "in_cell",
    "incident_map",
    "incidents_in_view",
    "overview_map",
    "representation",
    "selected_record",
    "shade_classes",
    "shade_fill",
    "within",
]
