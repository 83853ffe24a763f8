"""Maps: the interactive folium map (:mod:`geo.maps.interactive`), the static one for packs
(:mod:`geo.maps.static`, loaded only when asked for: it needs matplotlib), what both share
(:mod:`geo.maps.style`) and the front-end files the interactive map loads
(:mod:`geo.maps.assets`).
"""

from __future__ import annotations

import importlib

# Loaded on first use (PEP 562): ``geo.maps.assets`` is imported at every start, and folium with it
# would cost a second before the first figure is shown.
_FROM = {
    "geo.maps.interactive": (
        "CITY_EXTENTS",
        "DEFAULT_ASSET_BASE",
        "POINT_LIMIT",
        "POINTS_FROM_ZOOM",
        "POPUP_LIMIT",
        "VIEW_POINT_LIMIT",
        "drawn_incidents",
        "drawn_without_districts",
        "in_cell",
        "incident_map",
        "incidents_in_view",
        "overview_map",
        "representation",
        "selected_record",
        "within",
    ),
    "geo.maps.style": (
        "EVENT_COLOURS",
        "OTHER_COLOUR",
        "PLAIN_BACKGROUND",
        "SHADE_SCALE",
        "ZERO_FILL",
        "badge_text",
        "district_values",
        "shade_classes",
        "shade_fill",
    ),
}
_MODULE_OF = {name: module for module, names in _FROM.items() for name in names}


def __getattr__(name: str):  # what ``from geo.maps import incident_map`` calls the first time
    if name not in _MODULE_OF:
        raise AttributeError(f"module 'geo.maps' has no attribute {name!r}")
    value = globals()[name] = getattr(importlib.import_module(_MODULE_OF[name]), name)
    return value


__all__ = sorted(_MODULE_OF)
