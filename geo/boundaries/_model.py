"""What a boundary set is: the cities, their district eras and names by date, layers, tiling figures."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.schema import LANGUAGES

CITY_IDS = ("almaty", "astana")

#: Columns every district layer carries after loading.
DISTRICT_COLUMNS = ["district_id", "name_en", "name_ru", "name_kk", "area_km2", "geometry"]

#: Columns of :attr:`BoundarySet.outlines`.
OUTLINE_COLUMNS = ["city_id", "name_en", "name_ru", "name_kk", "attribution", "geometry"]

ALMATY_PATTERN = "almaty_districts_osm*.geojson"
ASTANA_PATTERN = "astana_districts_*.geojson"
OUTLINES_FILE = "city_outlines_osm.geojson"
#: The Almaty snapshot SOURCES.md recommends for spatial joins (clean tiling).
PREFERRED_ALMATY_SNAPSHOT = "2017"

OSM_ATTRIBUTION = "© OpenStreetMap contributors"
REQUIRED_PROPERTIES = ("district_id", "name_en", "name_ru", "name_kk")

#: Projected CRS used for every area: UTM 43N for Almaty, UTM 42N for Astana.
UTM_EPSG = {"almaty": 32643, "astana": 32642}

#: Overlap, gap or overhang above this share of the city's area is an error.
TILING_TOLERANCE = 0.01
#: Unassigned holes between districts above this total area (km²) give a warning.
HOLE_WARNING_KM2 = 0.01
#: Overlaps between districts above this total area (km²) give a warning.
OVERLAP_WARNING_KM2 = 0.01

#: What shapely's ``shape`` raises on a malformed GeoJSON geometry.
GEOMETRY_READ_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, shapely.errors.ShapelyError)

#: How many districts each city had, by period: (first day, count, what changed).
#: Almaty layers carry no dates; Almaty has had 8 districts since 2014.
DISTRICT_ERAS: dict[str, tuple[tuple[date, int, str], ...]] = {
    "almaty": ((date.min, 8, "Almaty's 8 districts (since Nauryzbay was formed in 2014)"),),
    "astana": (
        (date.min, 3, "3 districts before Baikonyr was formed (March 2018)"),
        (date(2018, 3, 1), 4, "4 districts from March 2018 (Baikonyr formed)"),
        (date(2022, 12, 1), 5, "5 districts from Dec 2022 (Nura split from Yesil)"),
        (date(2024, 9, 1), 6, "6 districts from Sep 2024 (Saraishyk split from the Almaty district)"),
    ),
}

#: Astana districts cut out of an existing one: (new district, parent, first day).
ASTANA_SPLITS = (
    ("nura", "yesil", date(2022, 12, 1)),
    ("saraishyk", "almaty_district", date(2024, 9, 1)),
)

#: City names by period: city_id -> ((first day, {lang: name}), ...), oldest first.
CITY_NAMES: dict[str, tuple[tuple[date, dict[str, str]], ...]] = {
    "almaty": ((date.min, {"en": "Almaty", "ru": "Алматы", "kk": "Алматы"}),),
    "astana": (
        (date.min, {"en": "Astana", "ru": "Астана", "kk": "Астана"}),
        (date(2019, 3, 23), {"en": "Nur-Sultan", "ru": "Нур-Султан", "kk": "Нұр-Сұлтан"}),
        (date(2022, 9, 17), {"en": "Astana", "ru": "Астана", "kk": "Астана"}),
    ),
}

#: ``city`` property of the outline file -> city_id.
_OUTLINE_CITY_IDS = {"almaty": "almaty", "astana": "astana", "nur-sultan": "astana"}


@dataclass(frozen=True)
class Tiling:
    """How well one district layer tiles its city outline (areas in km², in UTM).

    ``gap`` is the outline minus the districts' union, ``overhang`` the union
    minus the outline, ``overlap`` the sum of pairwise district intersections,
    ``holes`` the unassigned holes enclosed by the districts inside the city.
    """

    city_km2: float
    districts_km2: float
    overlap_km2: float
    gap_km2: float
    overhang_km2: float
    holes: int = 0
    holes_km2: float = 0.0
    largest_hole_km2: float = 0.0
    largest_hole_at: tuple[float, float] | None = None
    overlapping_pairs: tuple[tuple[str, str, float], ...] = ()

    def share(self, km2: float) -> float:
        """``km2`` as a share of the city's area (0.01 is 1 %)."""
        return km2 / self.city_km2 if self.city_km2 else float("inf")

    def describe(self) -> str:
        """One line with the measured figures."""
        return (
            f"districts {self.districts_km2:.2f} km² vs city outline {self.city_km2:.2f} km²; "
            f"overlaps {self.overlap_km2:.3f} km² ({self.share(self.overlap_km2):.3%}), "
            f"gap {self.gap_km2:.3f} km² ({self.share(self.gap_km2):.3%}), "
            f"overhang {self.overhang_km2:.3f} km² ({self.share(self.overhang_km2):.3%}), "
            f"{self.holes} hole(s) between districts totalling {self.holes_km2:.3f} km²"
        )


@dataclass(frozen=True)
class Layer:
    """One city's district layer, in force from ``valid_from`` (inclusive) to ``valid_to`` (exclusive).

    ``None`` on either side means open-ended.  ``districts`` is in EPSG:4326 with
    :data:`DISTRICT_COLUMNS`.  ``tiling`` holds the measured figures when the
    layer was checked.
    """

    city_id: str
    name: str
    districts: gpd.GeoDataFrame
    valid_from: date | None = None
    valid_to: date | None = None
    attribution: str = ""
    license: str = ""
    path: Path | None = None
    tiling: Tiling | None = None

    def in_force(self, on: date) -> bool:
        """True when this layer is the one in force on ``on``."""
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on < self.valid_to)


@dataclass(frozen=True)
class BoundarySet:
    """Every district layer of both cities plus the city outlines.

    ``outlines`` is a GeoDataFrame in EPSG:4326 with columns ``city_id``,
    ``name_en``, ``name_ru``, ``name_kk``, ``attribution`` and ``geometry``.
    ``warnings`` lists non-fatal findings of the checks (holes between districts,
    say).  Sets are cached and shared by :func:`load_boundaries`: do not modify
    their frames in place (copy them first).
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

    def attributions(self, city_id: str, on: date) -> list[str]:
        """The attribution lines to show with a map of ``city_id`` on ``on``.

        The district layer in force that day first, then the city outline's;
        each line once.
        """
        lines = []
        layer = self.layer_for(city_id, on)
        if layer is not None and layer.attribution:
            lines.append(layer.attribution)
        rows = self.outlines[self.outlines["city_id"] == city_id]
        lines.extend(a for a in rows["attribution"] if a)
        return list(dict.fromkeys(lines))


@dataclass(frozen=True)
class BoundaryReport:
    """Everything :func:`boundary_report` found in a folder.

    ``problems`` make the folder unusable; ``warnings`` do not; ``figures``
    are the measured tiling figures, one readable line per district layer.
    """

    folder: Path
    problems: tuple[str, ...]
    warnings: tuple[str, ...]
    figures: tuple[str, ...]


def city_display_name(city_id: str, on: date, lang: str = "en") -> str:
    """The city's name as it was on ``on``, in ``lang`` (``'en'``, ``'ru'`` or ``'kk'``).

    Astana was Nur-Sultan from 2019-03-23 until 2022-09-17 (exclusive).

    >>> city_display_name("astana", date(2020, 1, 1))
    'Nur-Sultan'
    >>> city_display_name("astana", date(2022, 9, 17), "ru")
    'Астана'
    """
    if city_id not in CITY_NAMES:
        raise ValueError(f"unknown city_id {city_id!r}; expected one of {sorted(CITY_NAMES)}")
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {list(LANGUAGES)}")
    current = CITY_NAMES[city_id][0][1]
    for first_day, names in CITY_NAMES[city_id]:
        if first_day <= on:
            current = names
    return current[lang]


def city_name_over(city_id: str, start: date, end: date, lang: str = "en") -> str:
    """The city's name(s) from ``start`` to ``end`` in ``lang``: ``Nur-Sultan`` for June 2019,
    ``Astana`` for 2023, ``Nur-Sultan / Astana`` across the rename of 2022-09-17
    (:func:`city_display_name`, day by day of :data:`CITY_NAMES`)."""
    if end < start:
        start, end = end, start
    days = [start] + [first for first, _ in CITY_NAMES.get(city_id, ()) if start < first <= end]
    names: list[str] = []
    for day in days:
        name = city_display_name(city_id, day, lang)
        if name not in names:
            names.append(name)
    return " / ".join(names)


def expected_district_count(city_id: str, on: date) -> int:
    """How many districts ``city_id`` had on ``on`` (from :data:`DISTRICT_ERAS`)."""
    count = DISTRICT_ERAS[city_id][0][1]
    for first_day, n, _ in DISTRICT_ERAS[city_id]:
        if first_day <= on:
            count = n
    return count


def parse_month(value: str | None) -> date | None:
    """``'YYYY-MM'`` -> the first day of that month; ``''`` or ``None`` -> ``None`` (open).

    Raises ``ValueError`` for anything else.
    """
    if value is None or value == "":
        return None
    match = re.fullmatch(r"(\d{4})-(\d{2})", str(value))
    if not match:
        raise ValueError(f"{value!r} is not a month; expected 'YYYY-MM' or '' (open)")
    return date(int(match[1]), int(match[2]), 1)


def area_km2(geometries: gpd.GeoSeries, city_id: str) -> list[float]:
    """Areas in km² of EPSG:4326 geometries, measured in the city's UTM zone."""
    return list(geometries.to_crs(UTM_EPSG[city_id]).area / 1e6)
