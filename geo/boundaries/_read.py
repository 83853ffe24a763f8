"""Finding and reading the boundary files of a folder, and building layers from them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pyproj
from shapely.geometry import shape

from geo.boundaries._model import (
    _OUTLINE_CITY_IDS,
    ALMATY_PATTERN,
    ASTANA_PATTERN,
    CITY_NAMES,
    DISTRICT_COLUMNS,
    GEOMETRY_READ_ERRORS,
    OSM_ATTRIBUTION,
    OUTLINE_COLUMNS,
    OUTLINES_FILE,
    PREFERRED_ALMATY_SNAPSHOT,
    REQUIRED_PROPERTIES,
    Layer,
    Tiling,
    area_km2,
    parse_month,
)
from geo.errors import BoundariesNotConfigured, BoundaryCheckError
from geo.settings import HOW_TO_GET_BOUNDARIES, get_settings


def _resolve_folder(folder: Path | None) -> Path:
    if folder is None:
        folder = get_settings().boundaries_dir
    if folder is None:
        raise BoundariesNotConfigured(HOW_TO_GET_BOUNDARIES)
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise BoundariesNotConfigured(f"{HOW_TO_GET_BOUNDARIES}\n(Tried {folder}: it is not an existing folder.)")
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


def _choose_almaty(folder: Path, snapshot: str | None) -> Path | None:
    snapshots = {
        path.name[len("almaty_districts_osm") : -len(".geojson")]: path for path in folder.glob(ALMATY_PATTERN)
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

    def read_frame(self) -> gpd.GeoDataFrame:
        """The frame read; only asked of a file that was read (``frame`` is not ``None``)."""
        if self.frame is None:
            problems = "; ".join(self.problems) or "not read"
            raise BoundaryCheckError(f"{self.name}: the file was not read as GeoJSON ({problems})")
        return self.frame


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
            parsed.problems.append(f"{name}, feature {number}: no geometry; expected a Polygon or MultiPolygon")
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


def _build_layer(parsed: _Parsed, city_id: str, tiling: Tiling | None) -> Layer:
    frame = parsed.read_frame()
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
