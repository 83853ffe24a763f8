"""Maps: the interactive folium map (:mod:`geo.maps.interactive`), the static one for packs
(:mod:`geo.maps.static`, loaded only when asked for: it needs matplotlib), what both share
(:mod:`geo.maps.style`) and the front-end files the interactive map loads
(:mod:`geo.maps.assets`).
"""

from __future__ import annotations

import importlib

#: The modules whose names this package gives (``from geo.maps import incident_map``), each loaded on
#: first use (PEP 562): ``geo.maps.assets`` is imported at every start, and folium with the map code
#: would cost a second before the first figure is shown.
_MODULES = ("geo.maps.interactive", "geo.maps.style")


def __getattr__(name: str):
    if not name.startswith("__"):
        for path in _MODULES:
            module = importlib.import_module(path)
            if name in module.__all__:
                value = globals()[name] = getattr(module, name)
                return value
    raise AttributeError(f"module 'geo.maps' has no attribute {name!r}")
