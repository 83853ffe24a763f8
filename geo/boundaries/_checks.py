"""The checks of a boundary folder: files, CRS, properties, district counts by period, tiling."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.boundaries._model import (
    _OUTLINE_CITY_IDS,
    ALMATY_PATTERN,
    ASTANA_PATTERN,
    CITY_IDS,
    DISTRICT_ERAS,
    HOLE_WARNING_KM2,
    OUTLINES_FILE,
    OVERLAP_WARNING_KM2,
    REQUIRED_PROPERTIES,
    TILING_TOLERANCE,
    UTM_EPSG,
    Tiling,
    parse_month,
)
from geo.boundaries._read import _Parsed, _text
from geo.errors import BoundaryCheckError


@dataclass
class _CheckResult:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    tilings: dict[Path, Tiling] = field(default_factory=dict)


def _check_error(folder: Path, problems: list[str]) -> BoundaryCheckError:
    lines = "\n".join(f"- {p}" for p in problems)
    return BoundaryCheckError(
        f"{len(problems)} problem(s) in the boundary files in {folder}:\n{lines}\n"
        "Fix or replace these files (see the folder's SOURCES.md), or point "
        "PROTESTMAP_BOUNDARIES at another folder."
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


def _missing_files(folder: Path, almaty: list[_Parsed], astana: list[_Parsed], outlines: _Parsed | None) -> list[str]:
    problems = []
    if not almaty:
        problems.append(f"{folder}: no Almaty district file; expected {ALMATY_PATTERN}")
    if not astana:
        problems.append(f"{folder}: no Astana district file; expected {ASTANA_PATTERN}")
    if outlines is None:
        problems.append(f"{folder}: no city outline file; expected {OUTLINES_FILE}")
    return problems


def _check_files(folder: Path, almaty: list[_Parsed], astana: list[_Parsed], outlines: _Parsed | None) -> _CheckResult:
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
                f"{parsed.name}: {len(numbers)} outline(s) of {city_id!r} (features {numbers}); expected exactly 1"
            )
            usable.pop(city_id, None)
    return usable


def _check_period(parsed: _Parsed, city_id: str, problems: list[str]) -> tuple[date | None, date | None] | None:
    """The layer's (valid_from, valid_to); ``None`` (and a problem) when unreadable."""
    frame = parsed.read_frame()
    bounds = []
    for key in ("valid_from", "valid_to"):
        values = {_text(v) for v in frame.get(key, [""] * len(frame))}
        if city_id == "astana" and key not in frame:
            problems.append(f"{parsed.name}: property {key!r} missing; expected 'YYYY-MM' or '' on every feature")
            return None
        if len(values) > 1:
            problems.append(f"{parsed.name}: features disagree on {key!r} ({sorted(values)}); expected one value")
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
    frame, name = parsed.read_frame(), parsed.name
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
            problems.append(f"{name}: valid period {period_text} {why}; expected one period with one district count")
        elif len(frame) != expected:
            problems.append(f"{name}: {len(frame)} districts; expected {expected} for {city_id} {period_text} ({why})")
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
    ids = [str(v) for v in frame.get("district_id", frame.index)]

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
    limit = f"the tolerance is {TILING_TOLERANCE:.0%} of the city's area ({tiling.city_km2 * TILING_TOLERANCE:.2f} km²)"
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


def _check_periods_sequence(periods: list[tuple[str, date | None, date | None]], result: _CheckResult) -> None:
    """Astana layers: periods must not overlap; a gap between them is a warning."""
    ordered = sorted(periods, key=lambda p: p[1] or date.min)
    for (name_a, _, end_a), (name_b, start_b, _) in itertools.pairwise(ordered):
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
