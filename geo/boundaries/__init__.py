"""City and district boundaries: load, check, and choose the layer in force on a date.

The boundary files are reference data: the project ships a copy in
``data/boundaries`` and :mod:`geo.settings` picks the folder
(``PROTESTMAP_BOUNDARIES``, else a fetched copy, else the shipped one).  A folder holds

* ``almaty_districts_osm<YYYY>.geojson``: Almaty's 8 districts from OpenStreetMap,
  one file per snapshot (``2017`` is preferred for joins, see the folder's SOURCES.md);
* ``astana_districts_<YYYY>_<n>.geojson``: Astana's districts, one file per period,
  with ``valid_from``/``valid_to`` properties (``'YYYY-MM'`` or ``''``);
* ``city_outlines_osm.geojson``: both city outlines (property ``city``).

:func:`load_boundaries` reads and checks them into a :class:`BoundarySet`;
:func:`check_boundaries` lists every problem in a folder without loading it;
:func:`geo.boundaries.fetch.fetch_boundaries` downloads a fresh copy.

The modules: ``_model`` (what a boundary set is, the cities' district eras and
names by date), ``_read`` (finding and reading the files, building layers),
``_checks`` (every check of a folder), ``fetch`` (the download).
"""

from __future__ import annotations

import functools
from pathlib import Path

from geo.boundaries._checks import (
    _check_error,
    _check_files,
    _CheckResult,
    _essential_problems,
)
from geo.boundaries._model import (
    ALMATY_PATTERN,
    ASTANA_PATTERN,
    ASTANA_SPLITS,
    CITY_IDS,
    CITY_NAMES,
    DISTRICT_COLUMNS,
    DISTRICT_ERAS,
    GEOMETRY_READ_ERRORS,
    HOLE_WARNING_KM2,
    OSM_ATTRIBUTION,
    OUTLINE_COLUMNS,
    OUTLINES_FILE,
    OVERLAP_WARNING_KM2,
    PREFERRED_ALMATY_SNAPSHOT,
    REQUIRED_PROPERTIES,
    TILING_TOLERANCE,
    UTM_EPSG,
    BoundaryReport,
    BoundarySet,
    Layer,
    Tiling,
    area_km2,
    city_display_name,
    city_name_over,
    expected_district_count,
    parse_month,
)
from geo.boundaries._read import (
    _boundary_files,
    _build_layer,
    _build_outlines,
    _choose_almaty,
    _read_geojson,
    _resolve_folder,
)

__all__ = [
    "ALMATY_PATTERN",
    "ASTANA_PATTERN",
    "ASTANA_SPLITS",
    "CITY_IDS",
    "CITY_NAMES",
    "DISTRICT_COLUMNS",
    "DISTRICT_ERAS",
    "GEOMETRY_READ_ERRORS",
    "HOLE_WARNING_KM2",
    "OSM_ATTRIBUTION",
    "OUTLINES_FILE",
    "OUTLINE_COLUMNS",
    "OVERLAP_WARNING_KM2",
    "PREFERRED_ALMATY_SNAPSHOT",
    "REQUIRED_PROPERTIES",
    "TILING_TOLERANCE",
    "UTM_EPSG",
    "BoundaryReport",
    "BoundarySet",
    "Layer",
    "Tiling",
    "area_km2",
    "boundary_report",
    "check_boundaries",
    "city_display_name",
    "city_name_over",
    "expected_district_count",
    "load_boundaries",
    "parse_month",
]


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
    stamp = tuple((path.name, path.stat().st_mtime_ns, path.stat().st_size) for path in _boundary_files(folder))
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
    figures = tuple(f"{path.name}: {tiling.describe()}" for path, tiling in sorted(result.tilings.items()))
    return BoundaryReport(folder, tuple(result.problems), tuple(result.warnings), figures)


@functools.lru_cache(maxsize=16)
def _load_cached(folder: Path, almaty_snapshot: str | None, stamp: tuple, check: bool) -> BoundarySet:
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

    if outlines is None or outlines.frame is None:  # _essential_problems reports this; never reached
        raise _check_error(folder, [f"{OUTLINES_FILE}: missing or unreadable"])
    layers = [_build_layer(parsed, "almaty", result.tilings.get(parsed.path)) for parsed in almaty]
    layers += [_build_layer(parsed, "astana", result.tilings.get(parsed.path)) for parsed in astana]
    return BoundarySet(
        layers=tuple(layers),
        outlines=_build_outlines(outlines.frame),
        folder=folder,
        warnings=tuple(result.warnings),
    )
