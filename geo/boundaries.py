"""City and district boundaries: load, check, and choose the layer in force on a date.

The boundary files are reference data, not part of the repository: the folder is
configured through :mod:`geo.settings` (``PROTESTMAP_BOUNDARIES``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import geopandas as gpd
from shapely.geometry.base import BaseGeometry

CITY_IDS = ("almaty", "astana")

#: Columns every district layer carries after loading.
DISTRICT_COLUMNS = ["district_id", "name_en", "name_ru", "name_kk", "area_km2", "geometry"]


@dataclass(frozen=True)
class Layer:
    """One city's district layer, in force from ``valid_from`` (inclusive) to ``valid_to`` (exclusive).

    ``None`` on either side means open-ended.  ``districts`` is in EPSG:4326 with
    :data:`DISTRICT_COLUMNS`.
    """

    city_id: str
    name: str
    districts: gpd.GeoDataFrame
    valid_from: date | None = None
    valid_to: date | None = None
    attribution: str = ""
    license: str = ""
    path: Path | None = None

    def in_force(self, on: date) -> bool:
        """True when this layer is the one in force on ``on``."""
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on < self.valid_to
        )


@dataclass(frozen=True)
class BoundarySet:
    """Every district layer of both cities plus the city outlines.

    ``outlines`` is a GeoDataFrame in EPSG:4326 with columns ``city_id``,
    ``name_en``, ``name_ru``, ``name_kk``, ``attribution`` and ``geometry``.
    """

    layers: tuple[Layer, ...]
    outlines: gpd.GeoDataFrame
    folder: Path | None = None
    warnings: tuple[str, ...] = field(default=())

    def layers_for(self, city_id: str) -> list[Layer]:
        """The layers of one city, oldest first."""
        found = [layer for layer in self.layers if layer.city_id == city_id]
        return sorted(found, key=lambda layer: layer.valid_from or date.min)

    def layer_for(self, city_id: str, on: date) -> Layer | None:
        """The layer of ``city_id`` in force on ``on``; ``None`` when there is none."""
        for layer in self.layers_for(city_id):
            if layer.in_force(on):
                return layer
        return None

    def outline(self, city_id: str) -> BaseGeometry:
        """The outline of one city (EPSG:4326)."""
        rows = self.outlines[self.outlines["city_id"] == city_id]
        if rows.empty:
            raise KeyError(f"no outline for city {city_id!r}; known: {sorted(self.outlines['city_id'])}")
        return rows.geometry.iloc[0]
