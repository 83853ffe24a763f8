"""City and district boundaries: load, check, and choose the layer in force on a date.

The boundary files are reference data, not part of the repository: the folder is
configured through :mod:`geo.settings` (``PROTESTMAP_BOUNDARIES``).  A folder holds

* ``almaty_districts_osm<YYYY>.geojson``: Almaty's 8 districts from OpenStreetMap,
  one file per snapshot (``2017`` is preferred for joins, see the folder's SOURCES.md);
* ``astana_districts_<YYYY>_<n>.geojson``: Astana's districts, one file per period,
  with ``valid_from``/``valid_to`` properties (``'YYYY-MM'`` or ``''``);
* ``city_outlines_osm.geojson``: both city outlines (property ``city``).

:func:`load_boundaries` reads and checks them into a :class:`BoundarySet`;
:func:`check_boundaries` lists every problem in a folder without loading it.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import geopandas as gpd
import pyproj
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo.errors import BoundariesNotConfigured, BoundaryCheckError
from geo.schema import LANGUAGES
from geo.settings import HOW_TO_GET_BOUNDARIES, get_settings

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
GEOMETRY_READ_ERRORS = (
    ValueError, TypeError, KeyError, IndexError, AttributeError, shapely.errors.ShapelyError
)

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
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on < self.valid_to
        )


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


def load_boundaries(
    folder: Path | None = None,
    *,
    check: bool = True,
    almaty_snapshot: str | None = None,
) -> BoundarySet:
    """Read the district layers and city outlines of both cities from ``folder``.

    Parameters
    ----------
    folder
        Folder holding the boundary files; default
        ``geo.settings.get_settings().boundaries_dir``.
    check
        Run the checks of :func:`check_boundaries` on the files loaded, and
        raise when any fails.  Without checks, no tiling figures nor warnings
        are computed.
    almaty_snapshot
        Which ``almaty_districts_osm<snapshot>.geojson`` to use, e.g. ``"2026"``.
        Default: ``2017`` when present (recommended for joins), else the newest.

    Returns
    -------
    BoundarySet
        Cached per folder, snapshot and file modification times: loading twice
        is cheap and returns the same object.

    Raises
    ------
    BoundariesNotConfigured
        No folder is configured, it does not exist, or it holds no boundary file.
    BoundaryCheckError
        A file cannot be read, a wanted file or snapshot is missing, or (with
        ``check``) a check failed; the message lists every problem.
    """
    folder = _resolve_folder(folder)
    stamp = tuple(
        (path.name, path.stat().st_mtime_ns, path.stat().st_size) for path in _boundary_files(folder)
    )
    return _load_cached(folder, almaty_snapshot, stamp, check)


def check_boundaries(folder: Path | None = None) -> list[str]:
    """Every problem in the boundary files of ``folder``, one readable line each.

    Every file is checked, every Almaty snapshot included.  ``[]`` means all
    is well.  See :func:`boundary_report` for the warnings and figures too.

    Raises
    ------
    BoundariesNotConfigured
        No folder is configured, it does not exist, or it holds no boundary file.
    """
    return list(boundary_report(folder).problems)


def boundary_report(folder: Path | None = None) -> BoundaryReport:
    """Check every boundary file of ``folder``: problems, warnings and measured figures.

    The checks: each file is a GeoJSON FeatureCollection in EPSG:4326/CRS84;
    every geometry is a valid (Multi)Polygon; the properties ``district_id``,
    ``name_en``, ``name_ru``, ``name_kk`` are present and ``district_id`` is
    unique; the number of districts is the one the city had in the layer's
    period (:data:`DISTRICT_ERAS`); the districts tile the city outline (overlap,
    gap and overhang each under :data:`TILING_TOLERANCE` of the city's area);
    Astana periods do not overlap (and a gap between them is a warning).
    """
    folder = _resolve_folder(folder)
    _boundary_files(folder)
    almaty = [_read_geojson(path) for path in sorted(folder.glob(ALMATY_PATTERN))]
    astana = [_read_geojson(path) for path in sorted(folder.glob(ASTANA_PATTERN))]
    outlines_path = folder / OUTLINES_FILE
    outlines = _read_geojson(outlines_path) if outlines_path.is_file() else None
    result = _check_files(folder, almaty, astana, outlines)
    figures = tuple(
        f"{path.name}: {tiling.describe()}" for path, tiling in sorted(result.tilings.items())
    )
    return BoundaryReport(folder, tuple(result.problems), tuple(result.warnings), figures)


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


# --------------------------------------------------------------------------- helpers


@dataclass
class _Parsed:
    """One GeoJSON file as read: properties + geometry, or the reason it could not be read."""

    path: Path
    frame: gpd.GeoDataFrame | None = None
    crs_ok: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name


@dataclass
class _CheckResult:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    tilings: dict[Path, Tiling] = field(default_factory=dict)


def _resolve_folder(folder: Path | None) -> Path:
    if folder is None:
        folder = get_settings().boundaries_dir
    if folder is None:
        raise BoundariesNotConfigured(HOW_TO_GET_BOUNDARIES)
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise BoundariesNotConfigured(
            f"{HOW_TO_GET_BOUNDARIES}\n(Tried {folder}: it is not an existing folder.)"
        )
    return folder.resolve()


def _boundary_files(folder: Path) -> list[Path]:
    files = sorted(folder.glob(ALMATY_PATTERN)) + sorted(folder.glob(ASTANA_PATTERN))
    if (folder / OUTLINES_FILE).is_file():
        files.append(folder / OUTLINES_FILE)
    if not files:
        raise BoundariesNotConfigured(
            f"{HOW_TO_GET_BOUNDARIES}\n(Tried {folder}: it holds no {ALMATY_PATTERN}, "
            f"{ASTANA_PATTERN} nor {OUTLINES_FILE}.)"
        )
    return files


@functools.lru_cache(maxsize=16)
def _load_cached(
    folder: Path, almaty_snapshot: str | None, stamp: tuple, check: bool
) -> BoundarySet:
    del stamp  # only part of the cache key: a changed file makes a new entry
    almaty_path = _choose_almaty(folder, almaty_snapshot)
    astana_paths = sorted(folder.glob(ASTANA_PATTERN))
    outlines_path = folder / OUTLINES_FILE

    almaty = [_read_geojson(almaty_path)] if almaty_path else []
    astana = [_read_geojson(path) for path in astana_paths]
    outlines = _read_geojson(outlines_path) if outlines_path.is_file() else None

    if check:
        result = _check_files(folder, almaty, astana, outlines)
    else:
        result = _CheckResult(problems=_essential_problems(folder, almaty, astana, outlines))
    if result.problems:
        raise _check_error(folder, result.problems)

    assert outlines is not None and outlines.frame is not None
    layers = [_build_layer(parsed, "almaty", result.tilings.get(parsed.path)) for parsed in almaty]
    layers += [_build_layer(parsed, "astana", result.tilings.get(parsed.path)) for parsed in astana]
    return BoundarySet(
        layers=tuple(layers),
        outlines=_build_outlines(outlines.frame),
        folder=folder,
        warnings=tuple(result.warnings),
    )


def _choose_almaty(folder: Path, snapshot: str | None) -> Path | None:
    snapshots = {
        path.name[len("almaty_districts_osm") : -len(".geojson")]: path
        for path in folder.glob(ALMATY_PATTERN)
    }
    if snapshot is not None:
        wanted = snapshot.removeprefix("almaty_districts_osm").removesuffix(".geojson")
        if wanted not in snapshots:
            raise BoundaryCheckError(
                f"{folder}: no Almaty snapshot {snapshot!r} "
                f"(expected a file almaty_districts_osm{wanted}.geojson); "
                f"available: {sorted(snapshots) or 'none'}"
            )
        return snapshots[wanted]
    if PREFERRED_ALMATY_SNAPSHOT in snapshots:
        return snapshots[PREFERRED_ALMATY_SNAPSHOT]
    if snapshots:
        return snapshots[max(snapshots)]
    return None


def _check_error(folder: Path, problems: list[str]) -> BoundaryCheckError:
    lines = "\n".join(f"- {p}" for p in problems)
    return BoundaryCheckError(
        f"{len(problems)} problem(s) in the boundary files in {folder}:\n{lines}\n"
        "Fix or replace these files (see the folder's SOURCES.md), or point "
        "PROTESTMAP_BOUNDARIES at another folder."
    )


def _read_geojson(path: Path) -> _Parsed:
    """Parse one GeoJSON file; problems name the file and say what was expected."""
    parsed = _Parsed(path)
    name = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        parsed.problems.append(f"{name}: not readable as GeoJSON ({exc})")
        return parsed
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        found = data.get("type") if isinstance(data, dict) else type(data).__name__
        parsed.problems.append(f"{name}: top-level type is {found!r}; expected a GeoJSON FeatureCollection")
        return parsed
    features = data.get("features")
    if not isinstance(features, list):
        parsed.problems.append(f"{name}: 'features' is not a list; expected a GeoJSON FeatureCollection")
        return parsed

    crs, crs_problem = _declared_crs(data.get("crs"))
    if crs_problem:
        parsed.problems.append(f"{name}: {crs_problem}")
    parsed.crs_ok = crs_problem is None

    rows, geometries = [], []
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        rows.append(dict(props) if isinstance(props, dict) else {})
        raw = feature.get("geometry") if isinstance(feature, dict) else None
        geometry = None
        if raw is None:
            parsed.problems.append(
                f"{name}, feature {number}: no geometry; expected a Polygon or MultiPolygon"
            )
        else:
            try:
                geometry = shape(raw)
            except GEOMETRY_READ_ERRORS as exc:
                parsed.problems.append(f"{name}, feature {number}: geometry cannot be read ({exc})")
        geometries.append(geometry)
    parsed.frame = gpd.GeoDataFrame(rows, geometry=geometries, crs=crs)
    return parsed


def _declared_crs(member: object) -> tuple[pyproj.CRS, str | None]:
    """The CRS a GeoJSON ``crs`` member declares (none: CRS84), and the problem if not lon/lat WGS 84."""
    wgs84 = pyproj.CRS("OGC:CRS84")
    if member is None:
        return wgs84, None
    name = member.get("properties", {}).get("name") if isinstance(member, dict) else None
    try:
        crs = pyproj.CRS.from_user_input(name)
    except pyproj.exceptions.CRSError:
        return wgs84, f"declares an unknown CRS {name!r}; expected EPSG:4326 or OGC:CRS84"
    if crs.equals(wgs84, ignore_axis_order=True):
        return wgs84, None
    found = f"EPSG:{crs.to_epsg()}" if crs.to_epsg() else crs.name
    return crs, (
        f"CRS is {found} ({name!r}); expected EPSG:4326 or OGC:CRS84 (lon/lat WGS 84). "
        "Reproject the file, e.g. `ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson`"
    )


def _essential_problems(
    folder: Path, almaty: list[_Parsed], astana: list[_Parsed], outlines: _Parsed | None
) -> list[str]:
    """What stops a set from being built at all, even unchecked."""
    problems = _missing_files(folder, almaty, astana, outlines)
    for parsed in [*almaty, *astana, *([outlines] if outlines else [])]:
        if parsed.frame is None:
            problems.extend(parsed.problems)
    return problems


def _missing_files(
    folder: Path, almaty: list[_Parsed], astana: list[_Parsed], outlines: _Parsed | None
) -> list[str]:
    problems = []
    if not almaty:
        problems.append(f"{folder}: no Almaty district file; expected {ALMATY_PATTERN}")
    if not astana:
        problems.append(f"{folder}: no Astana district file; expected {ASTANA_PATTERN}")
    if outlines is None:
        problems.append(f"{folder}: no city outline file; expected {OUTLINES_FILE}")
    return problems


def _check_files(
    folder: Path, almaty: list[_Parsed], astana: list[_Parsed], outlines: _Parsed | None
) -> _CheckResult:
    result = _CheckResult(problems=_missing_files(folder, almaty, astana, outlines))
    city_outlines: dict[str, BaseGeometry] = {}
    if outlines is not None:
        result.problems.extend(outlines.problems)
        city_outlines = _check_outlines(outlines, result.problems)

    periods = []
    for city_id, files in (("almaty", almaty), ("astana", astana)):
        for parsed in files:
            result.problems.extend(parsed.problems)
            if parsed.frame is None:
                continue
            period = _check_period(parsed, city_id, result.problems)
            if city_id == "astana" and period is not None:
                periods.append((parsed.name, *period))
            geometry_ok = _check_districts(parsed, city_id, period, result.problems)
            if geometry_ok and parsed.crs_ok and city_id in city_outlines:
                tiling = _measure_tiling(parsed.frame, city_outlines[city_id], city_id)
                result.tilings[parsed.path] = tiling
                _judge_tiling(parsed.name, tiling, result)
    _check_periods_sequence(periods, result)
    return result


def _check_outlines(parsed: _Parsed, problems: list[str]) -> dict[str, BaseGeometry]:
    """Check the outline file; return the usable outline of each city."""
    if parsed.frame is None:
        return {}
    found: dict[str, list[int]] = {}
    usable = {}
    for number, (props, geometry) in enumerate(
        zip(parsed.frame.drop(columns="geometry").to_dict("records"), parsed.frame.geometry), start=1
    ):
        city = str(props.get("city") or "")
        city_id = _OUTLINE_CITY_IDS.get(city.strip().lower())
        if city_id is None:
            problems.append(
                f"{parsed.name}, feature {number}: property 'city' is {city!r}; expected 'Almaty' or 'Astana'"
            )
            continue
        found.setdefault(city_id, []).append(number)
        problem = _geometry_problem(geometry)
        if problem:
            problems.append(f"{parsed.name}, feature {number} ({city}): {problem}")
        elif parsed.crs_ok:
            usable[city_id] = geometry
    for city_id in CITY_IDS:
        numbers = found.get(city_id, [])
        if len(numbers) != 1:
            problems.append(
                f"{parsed.name}: {len(numbers)} outline(s) of {city_id!r} (features {numbers}); "
                "expected exactly 1"
            )
            usable.pop(city_id, None)
    return usable


def _check_period(
    parsed: _Parsed, city_id: str, problems: list[str]
) -> tuple[date | None, date | None] | None:
    """The layer's (valid_from, valid_to); ``None`` (and a problem) when unreadable."""
    frame = parsed.frame
    bounds = []
    for key in ("valid_from", "valid_to"):
        values = {_text(v) for v in frame.get(key, [""] * len(frame))}
        if city_id == "astana" and key not in frame:
            problems.append(
                f"{parsed.name}: property {key!r} missing; expected 'YYYY-MM' or '' on every feature"
            )
            return None
        if len(values) > 1:
            problems.append(
                f"{parsed.name}: features disagree on {key!r} ({sorted(values)}); expected one value"
            )
            return None
        try:
            bounds.append(parse_month(values.pop() if values else ""))
        except ValueError as exc:
            problems.append(f"{parsed.name}: property {key!r}: {exc}")
            return None
    valid_from, valid_to = bounds
    if valid_from and valid_to and valid_from >= valid_to:
        problems.append(f"{parsed.name}: valid_from {valid_from} is not before valid_to {valid_to}")
        return None
    return valid_from, valid_to


def _check_districts(
    parsed: _Parsed, city_id: str, period: tuple[date | None, date | None] | None, problems: list[str]
) -> bool:
    """Properties, ids, geometries and count of one district file; True when every geometry is usable."""
    frame, name = parsed.frame, parsed.name
    for key in REQUIRED_PROPERTIES:
        values = frame[key] if key in frame else [None] * len(frame)
        missing = [n for n, v in enumerate(values, start=1) if _text(v).strip() == ""]
        if missing:
            problems.append(
                f"{name}: property {key!r} missing or empty in feature(s) {_numbers(missing)}; "
                "expected a non-empty value on every feature"
            )
    if "district_id" in frame:
        for district_id, rows in frame.groupby("district_id").groups.items():
            if len(rows) > 1:
                numbers = [int(i) + 1 for i in rows]
                problems.append(
                    f"{name}: district_id {district_id!r} appears {len(rows)} times "
                    f"(features {_numbers(numbers)}); expected each district once"
                )

    geometry_ok = True
    ids = frame["district_id"] if "district_id" in frame else [None] * len(frame)
    for number, (district_id, geometry) in enumerate(zip(ids, frame.geometry), start=1):
        if geometry is None:
            geometry_ok = False  # already reported by the reader
            continue
        problem = _geometry_problem(geometry)
        if problem:
            geometry_ok = False
            problems.append(f"{name}, feature {number} (district_id {district_id!r}): {problem}")

    if period is not None:
        expected, why = _expected_count(city_id, *period)
        period_text = _period_text(*period)
        if expected is None:
            problems.append(
                f"{name}: valid period {period_text} {why}; expected one period with one district count"
            )
        elif len(frame) != expected:
            problems.append(
                f"{name}: {len(frame)} districts; expected {expected} for {city_id} {period_text} ({why})"
            )
    return geometry_ok


def _geometry_problem(geometry: BaseGeometry) -> str | None:
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        return f"geometry is a {geometry.geom_type}; expected a Polygon or MultiPolygon"
    if geometry.is_empty:
        return "geometry is empty; expected a Polygon or MultiPolygon"
    if not geometry.is_valid:
        return (
            f"invalid geometry ({shapely.is_valid_reason(geometry)}); "
            "expected a valid polygon (repair it, e.g. with shapely.make_valid)"
        )
    return None


def _expected_count(city_id: str, valid_from: date | None, valid_to: date | None) -> tuple[int | None, str]:
    """The district count over [valid_from, valid_to), with the reason; None when it changes inside."""
    eras = DISTRICT_ERAS[city_id]
    start, end = valid_from or date.min, valid_to or date.max
    touched = [
        (count, why)
        for (first_day, count, why), nxt in zip(eras, [*eras[1:], None])
        if first_day < end and (nxt is None or nxt[0] > start)
    ]
    if len({count for count, _ in touched}) == 1:
        return touched[0]
    return None, "spans changes in the district count: " + "; ".join(why for _, why in touched)


def _period_text(valid_from: date | None, valid_to: date | None) -> str:
    if valid_from is None and valid_to is None:
        return "(undated)"
    start = valid_from.strftime("%Y-%m") if valid_from else "open start"
    end = valid_to.strftime("%Y-%m") if valid_to else "open end"
    return f"{start} to {end}"


def _measure_tiling(frame: gpd.GeoDataFrame, outline: BaseGeometry, city_id: str) -> Tiling:
    utm = UTM_EPSG[city_id]
    districts = frame.set_crs("EPSG:4326", allow_override=True).to_crs(utm)
    city = gpd.GeoSeries([outline], crs="EPSG:4326").to_crs(utm).iloc[0]
    ids = [str(v) for v in (frame["district_id"] if "district_id" in frame else frame.index)]

    pairs = []
    for (id_a, geom_a), (id_b, geom_b) in itertools.combinations(zip(ids, districts.geometry), 2):
        if geom_a.intersects(geom_b):
            overlap = geom_a.intersection(geom_b).area / 1e6
            if overlap > 0:
                pairs.append((id_a, id_b, overlap))
    union = shapely.union_all(districts.geometry.values)
    filled = shapely.union_all([shapely.Polygon(part.exterior) for part in shapely.get_parts(union)])
    holes = [h for h in shapely.get_parts(filled.difference(union).intersection(city)) if h.area > 1.0]
    largest = max(holes, key=lambda h: h.area) if holes else None
    largest_at = None
    if largest is not None:
        point = gpd.GeoSeries([largest.representative_point()], crs=utm).to_crs("EPSG:4326").iloc[0]
        largest_at = (round(point.x, 4), round(point.y, 4))
    return Tiling(
        city_km2=city.area / 1e6,
        districts_km2=float(districts.area.sum() / 1e6),
        overlap_km2=sum(p[2] for p in pairs),
        gap_km2=city.difference(union).area / 1e6,
        overhang_km2=union.difference(city).area / 1e6,
        holes=len(holes),
        holes_km2=sum(h.area for h in holes) / 1e6,
        largest_hole_km2=largest.area / 1e6 if largest is not None else 0.0,
        largest_hole_at=largest_at,
        overlapping_pairs=tuple(pairs),
    )


def _judge_tiling(name: str, tiling: Tiling, result: _CheckResult) -> None:
    limit = (
        f"the tolerance is {TILING_TOLERANCE:.0%} of the city's area "
        f"({tiling.city_km2 * TILING_TOLERANCE:.2f} km²)"
    )
    if tiling.share(tiling.overlap_km2) > TILING_TOLERANCE:
        worst = sorted(tiling.overlapping_pairs, key=lambda p: -p[2])[:5]
        pairs = ", ".join(f"{a}/{b} {km2:.3f} km²" for a, b, km2 in worst)
        result.problems.append(
            f"{name}: districts overlap by {tiling.overlap_km2:.3f} km² "
            f"({tiling.share(tiling.overlap_km2):.2%}; {pairs}); {limit}"
        )
    elif tiling.overlap_km2 > OVERLAP_WARNING_KM2:
        result.warnings.append(
            f"{name}: districts overlap by {tiling.overlap_km2:.3f} km² "
            "(under the tolerance; a point there joins to two districts)"
        )
    for what, km2, meaning in (
        ("gap", tiling.gap_km2, "city area covered by no district"),
        ("overhang", tiling.overhang_km2, "district area outside the city outline"),
    ):
        if tiling.share(km2) > TILING_TOLERANCE:
            result.problems.append(
                f"{name}: {what} of {km2:.3f} km² ({tiling.share(km2):.2%}, {meaning}) "
                f"against the city outline of {tiling.city_km2:.2f} km²; {limit}"
            )
    if tiling.holes_km2 > HOLE_WARNING_KM2:
        lon, lat = tiling.largest_hole_at or (float("nan"), float("nan"))
        result.warnings.append(
            f"{name}: {tiling.holes} unassigned hole(s) between districts, "
            f"{tiling.holes_km2:.2f} km² in total; the largest, {tiling.largest_hole_km2:.2f} km², "
            f"is near {lon}E {lat}N. A point there joins to no district."
        )


def _check_periods_sequence(
    periods: list[tuple[str, date | None, date | None]], result: _CheckResult
) -> None:
    """Astana layers: periods must not overlap; a gap between them is a warning."""
    ordered = sorted(periods, key=lambda p: p[1] or date.min)
    for (name_a, _, end_a), (name_b, start_b, _) in zip(ordered, ordered[1:]):
        start = start_b or date.min
        if end_a is None or end_a > start:
            result.problems.append(
                f"{name_a} and {name_b}: valid periods overlap ({name_a} ends "
                f"{end_a or 'never'}, {name_b} starts {start_b or 'at the open start'}); "
                "expected one Astana layer in force on any date"
            )
        elif end_a < start:
            result.warnings.append(
                f"{name_a} and {name_b}: no Astana layer is in force from {end_a} to {start_b} "
                "(the periods are not contiguous)"
            )


def _numbers(numbers: list[int]) -> str:
    text = ", ".join(str(n) for n in numbers[:10])
    return text + (f" and {len(numbers) - 10} more" if len(numbers) > 10 else "")


def _build_layer(parsed: _Parsed, city_id: str, tiling: Tiling | None) -> Layer:
    frame = parsed.frame
    first = frame.drop(columns="geometry").iloc[0].to_dict() if len(frame) else {}
    districts = gpd.GeoDataFrame(
        {key: [_text(v) for v in frame.get(key, [""] * len(frame))] for key in REQUIRED_PROPERTIES},
        geometry=list(frame.geometry),
        crs="EPSG:4326",
    )
    districts["area_km2"] = area_km2(districts.geometry, city_id)
    districts = districts[DISTRICT_COLUMNS].sort_values("district_id").reset_index(drop=True)
    return Layer(
        city_id=city_id,
        name=parsed.path.stem,
        districts=districts,
        valid_from=parse_month(_text(first.get("valid_from"))),
        valid_to=parse_month(_text(first.get("valid_to"))),
        attribution=_attribution(first),
        license=_text(first.get("license")),
        path=parsed.path,
        tiling=tiling,
    )


def _build_outlines(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    rows = []
    for props, geometry in zip(frame.drop(columns="geometry").to_dict("records"), frame.geometry):
        city_id = _OUTLINE_CITY_IDS.get(_text(props.get("city")).strip().lower())
        if city_id is None:
            continue
        names = CITY_NAMES[city_id][-1][1]  # today's names
        rows.append(
            {
                "city_id": city_id,
                "name_en": names["en"],
                "name_ru": _text(props.get("name_ru")) or names["ru"],
                "name_kk": _text(props.get("name_kk")) or names["kk"],
                "attribution": _attribution(props),
                "geometry": geometry,
            }
        )
    return gpd.GeoDataFrame(rows, columns=OUTLINE_COLUMNS, geometry="geometry", crs="EPSG:4326")


def _attribution(props: dict) -> str:
    """The attribution line a layer needs, from its ``license`` and ``source`` properties."""
    license_text, source = _text(props.get("license")), _text(props.get("source"))
    if "odbl" in license_text.lower() or "openstreetmap" in license_text.lower() or source.startswith("OSM"):
        return OSM_ATTRIBUTION
    who = "Astana city GIS (gis.esaulet.kz)" if "esaulet" in source else (source or "source not stated")
    licence = license_text.split("(")[0].strip() or "not stated"
    if licence.lower().startswith("not "):
        return f"Districts: {who}, licence {licence}"
    return f"Districts: {who}, licence: {licence}"


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)
