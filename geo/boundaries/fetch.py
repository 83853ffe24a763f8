"""Rebuild the boundary files from their public origins (needs a network).

* Almaty's 8 district relations and both city outline relations come from
  OpenStreetMap through Nominatim's ``/lookup`` endpoint
  (``PROTESTMAP_NOMINATIM_URL``).
* Astana's 6 districts come from the city's ArcGIS layer «Районы»
  (``PROTESTMAP_ASTANA_GIS_URL``); the 5- and 4-district layers of earlier
  periods are derived from it by dissolving the districts split off since
  (:data:`geo.boundaries.ASTANA_SPLITS`), using the layer's own ``region``
  (parent district) attribute.

Everything is written to a temporary folder next to ``dest`` and moved into
``dest`` only when every download succeeded and :func:`geo.boundaries.check_boundaries`
passes on the result: a failed fetch leaves ``dest`` as it was.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, date, datetime
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from geo import __version__
from geo.boundaries import (
    ASTANA_SPLITS,
    GEOMETRY_READ_ERRORS,
    OUTLINES_FILE,
    area_km2,
    boundary_report,
)
from geo.errors import FetchError
from geo.settings import get_settings

USER_AGENT = f"protest-map/{__version__} (boundary fetch; python urllib)"

#: Answers larger than this are refused as malformed.
MAX_ANSWER_BYTES = 100 * 1024 * 1024

OSM_LICENSE = "ODbL-1.0 (© OpenStreetMap contributors)"
ASTANA_LICENSE = "not established (public municipal ArcGIS layer, empty copyright field)"

#: Almaty districts: district_id -> (OSM relation, name_en, name_ru, name_kk).
ALMATY_DISTRICTS = {
    "alatau": (3072216, "Alatau", "Алатауский район", "Алатау ауданы"),
    "almaly": (3072807, "Almaly", "Алмалинский район", "Алмалы ауданы"),
    "auezov": (3072808, "Auezov", "Ауэзовский район", "Әуезов ауданы"),
    "bostandyk": (3390291, "Bostandyk", "Бостандыкский район", "Бостандық ауданы"),
    "medeu": (3072217, "Medeu", "Медеуский район", "Медеу ауданы"),
    "nauryzbay": (5460063, "Nauryzbay", "Наурызбайский район", "Наурызбай ауданы"),
    "turksib": (3072001, "Turksib", "Турксибский район", "Түрксіб ауданы"),
    "zhetysu": (3072130, "Zhetysu", "Жетысуский район", "Жетісу ауданы"),
}

#: City outlines: city_id -> (OSM relation, city property, name_en, name_ru, name_kk).
CITY_OUTLINES = {
    "almaty": (2465058, "Almaty", "Almaty", "Алматы", "Алматы"),
    "astana": (3087155, "Astana", "Astana", "Астана", "Астана"),
}

#: Astana districts: district_id -> (name_en, name_ru, name_kk, spellings in the GIS layer).
ASTANA_DISTRICTS = {
    "almaty_district": (
        "Almaty district",
        "Алматинский район (район «Алматы»)",
        "Алматы ауданы",
        ("алматы", "алматинский"),
    ),
    "baikonyr": ("Baikonyr", "район Байконыр", "Байқоңыр ауданы", ("байконур", "байконыр", "байқоңыр")),
    "yesil": ("Yesil (Esil)", "Есильский район (район «Есиль»)", "Есіл ауданы", ("есиль", "есіл", "есильский")),
    "saryarka": (
        "Saryarka",
        "Сарыаркинский район (район «Сарыарка»)",
        "Сарыарқа ауданы",
        ("сарыарка", "сарыарқа", "сарыаркинский"),
    ),
    "nura": ("Nura", "район Нура", "Нұра ауданы", ("нура", "нұра")),
    "saraishyk": ("Saraishyk", "район Сарайшык", "Сарайшық ауданы", ("сарайшык", "сарайшық")),
}

#: The Astana layers written: (file name, valid_from, valid_to, splits not yet made).
ASTANA_LAYERS = (
    ("astana_districts_2024_6.geojson", "2024-09", "", 0),
    ("astana_districts_2022_5.geojson", "2022-12", "2024-09", 1),
    ("astana_districts_2018_4.geojson", "2018-03", "2022-12", 2),
)

_CRS84 = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}


def fetch_boundaries(dest: Path | None = None, *, timeout: float | None = None) -> list[Path]:
    """Download the boundary files from their public origins into ``dest``.

    Parameters
    ----------
    dest
        Folder to write to; default ``get_settings().fetched_boundaries_dir``
        (the cache folder :func:`geo.boundaries.load_boundaries` finds
        without any setting).  Created when missing; files of the same name
        are replaced, other files are left alone.
    timeout
        Seconds to wait for each answer; default ``PROTESTMAP_HTTP_TIMEOUT``.

    Returns
    -------
    list[Path]
        The files written in ``dest``: ``almaty_districts_osm<YYYY>.geojson``
        (YYYY = this year), ``city_outlines_osm.geojson``, the three
        ``astana_districts_*.geojson`` layers and ``SOURCES.md``.

    Raises
    ------
    FetchError
        A download failed (no network, refused, timeout, HTTP error, malformed
        answer) or the result failed the checks.  ``dest`` is left untouched.
    """
    settings = get_settings()
    dest = Path(dest).expanduser() if dest is not None else settings.fetched_boundaries_dir
    timeout = settings.http_timeout if timeout is None else float(timeout)
    today = date.today()

    nominatim = _nominatim_lookup_url(settings.nominatim_url)
    osm = _osm_polygons(_get_json(nominatim, "OSM boundaries from Nominatim", timeout), nominatim)
    arcgis = f"{settings.astana_gis_url}/query?where=1%3D1&outFields=*&outSR=4326&f=geojson"
    esaulet = _esaulet_districts(_get_json(arcgis, "Astana districts from the city GIS", timeout), arcgis)

    files = {
        f"almaty_districts_osm{today.year}.geojson": _almaty_collection(osm, nominatim, today),
        OUTLINES_FILE: _outline_collection(osm, nominatim, today),
    }
    for name, valid_from, valid_to, undone in ASTANA_LAYERS:
        files[name] = _astana_collection(esaulet, undone, valid_from, valid_to, arcgis, today)

    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.fetching-", dir=dest.parent))
    try:
        for name, collection in files.items():
            (staging / name).write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
        report = boundary_report(staging)
        if report.problems:
            lines = "\n".join(f"- {p}" for p in report.problems)
            raise FetchError(
                f"The boundaries downloaded from {settings.nominatim_url} and {settings.astana_gis_url} "
                f"failed the checks, so nothing was written to {dest}:\n{lines}\n{_ADVICE}"
            )
        (staging / "SOURCES.md").write_text(_sources_md(files, report, nominatim, arcgis), encoding="utf-8")
        dest.mkdir(parents=True, exist_ok=True)
        written = []
        for name in [*files, "SOURCES.md"]:
            os.replace(staging / name, dest / name)
            written.append(dest / name)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# --------------------------------------------------------------------------- helpers

_ADVICE = (
    "Nothing is lost: without a fetch the project uses the boundaries it ships in "
    "data/boundaries (or a folder PROTESTMAP_BOUNDARIES points at)."
)


def _nominatim_lookup_url(base: str) -> str:
    relations = [r for r, *_ in ALMATY_DISTRICTS.values()] + [r for r, *_ in CITY_OUTLINES.values()]
    query = urllib.parse.urlencode(
        {
            "osm_ids": ",".join(f"R{r}" for r in relations),
            "format": "geojson",
            "polygon_geojson": "1",
        },
        safe=",",
    )
    return f"{base}/lookup?{query}"


def _get_json(url: str, what: str, timeout: float) -> object:
    """GET ``url`` and parse JSON; every failure becomes a :class:`FetchError` saying why."""
    request = urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, "Accept": "application/geo+json, application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise _fetch_error(what, url, f"the server answered HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise _fetch_error(what, url, _describe(exc.reason, timeout)) from exc
    except (OSError, http.client.HTTPException) as exc:
        raise _fetch_error(what, url, _describe(exc, timeout)) from exc
    except ValueError as exc:
        raise _fetch_error(what, url, f"the URL is not usable ({exc})") from exc
    if len(body) > MAX_ANSWER_BYTES:
        raise _fetch_error(what, url, f"the answer is larger than {MAX_ANSWER_BYTES // 2**20} MB")
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        start = body[:80].decode("utf-8", errors="replace")
        raise _fetch_error(what, url, f"the answer is not JSON (it starts {start!r})") from None


def _describe(reason: object, timeout: float) -> str:
    if isinstance(reason, socket.gaierror):
        return f"the host name could not be resolved ({reason}); is there a network?"
    if isinstance(reason, ConnectionRefusedError):
        return "the connection was refused (nothing listens at that address)"
    if isinstance(reason, TimeoutError | socket.timeout):
        return f"no answer within {timeout:g} s (PROTESTMAP_HTTP_TIMEOUT)"
    return f"the connection failed ({reason})"


def _fetch_error(what: str, url: str, why: str) -> FetchError:
    return FetchError(f"Could not fetch {what} from {url}: {why}. {_ADVICE}")


def _malformed(what: str, url: str, why: str) -> FetchError:
    return _fetch_error(what, url, f"the answer is not what was expected: {why}")


def _features(answer: object, what: str, url: str) -> list[dict]:
    if isinstance(answer, dict) and isinstance(answer.get("error"), dict):
        error = answer["error"]
        why = f"the server reported error {error.get('code')}: {error.get('message')}"
        raise _fetch_error(what, url, why)
    if not isinstance(answer, dict) or answer.get("type") != "FeatureCollection":
        found = answer.get("type") if isinstance(answer, dict) else type(answer).__name__
        raise _malformed(what, url, f"a GeoJSON FeatureCollection was expected, got {found!r}")
    features = answer.get("features")
    if not isinstance(features, list) or not all(isinstance(f, dict) for f in features):
        raise _malformed(what, url, "'features' is not a list of features")
    return features


def _polygon(raw: object, what: str, url: str, label: str) -> BaseGeometry:
    try:
        geometry = shape(raw)
    except GEOMETRY_READ_ERRORS as exc:
        raise _malformed(what, url, f"the geometry of {label} cannot be read ({exc})") from exc
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        raise _malformed(what, url, f"{label} came back as a {geometry.geom_type}, not a polygon")
    return geometry


def _osm_polygons(answer: object, url: str) -> dict[int, BaseGeometry]:
    """Nominatim lookup answer -> {relation id: polygon}; every wanted relation must be there."""
    what = "OSM boundaries from Nominatim"
    found = {}
    for feature in _features(answer, what, url):
        props = feature.get("properties") or {}
        if str(props.get("osm_type", "relation")).lower() not in ("relation", "r"):
            continue
        osm_id = props.get("osm_id")
        if osm_id is None:  # int(None) would raise the TypeError caught below
            continue
        try:
            relation = int(osm_id)
        except (TypeError, ValueError):
            continue
        found[relation] = _polygon(feature.get("geometry"), what, url, f"relation R{relation}")
    wanted = [r for r, *_ in ALMATY_DISTRICTS.values()] + [r for r, *_ in CITY_OUTLINES.values()]
    missing = [f"R{r}" for r in wanted if r not in found]
    if missing:
        raise _malformed(what, url, f"relation(s) {', '.join(missing)} missing from the answer")
    return found


def _normalise_name(value: object) -> str:
    text = str(value or "").lower()
    text = re.sub(r"[«»\"'()]", " ", text)
    text = re.sub(r"\b(район|ауданы)\b", " ", text)
    return " ".join(text.split())


def _district_from_name(*values: object) -> str | None:
    for value in values:
        name = _normalise_name(value)
        for district_id, (*_, spellings) in ASTANA_DISTRICTS.items():
            if name in spellings:
                return district_id
    return None


def _esaulet_districts(answer: object, url: str) -> list[dict]:
    """ArcGIS answer -> one record per district: id, parent id, geometry, original attributes."""
    what = "Astana districts from the city GIS"
    records, unknown = [], []
    for number, feature in enumerate(_features(answer, what, url), start=1):
        props = feature.get("properties") or {}
        district_id = _district_from_name(props.get("name_object"), props.get("name_object_kaz"))
        if district_id is None:
            unknown.append(
                f"feature {number}: name_object={props.get('name_object')!r}, "
                f"name_object_kaz={props.get('name_object_kaz')!r}"
            )
            continue
        parent = _district_from_name(props.get("region")) or district_id
        geometry = _polygon(feature.get("geometry"), what, url, f"district {district_id!r}")
        records.append({"district_id": district_id, "parent": parent, "geometry": geometry, "props": props})
    if unknown:
        raise _malformed(what, url, "district name(s) not recognised: " + "; ".join(unknown))
    ids = sorted(r["district_id"] for r in records)
    if ids != sorted(ASTANA_DISTRICTS):
        raise _malformed(what, url, f"expected the 6 districts {sorted(ASTANA_DISTRICTS)}, got {ids}")
    for new, parent, _ in ASTANA_SPLITS:
        given = next(r["parent"] for r in records if r["district_id"] == new)
        if given != parent:
            raise _malformed(
                what,
                url,
                f"the layer's region attribute makes {given!r} the parent of {new!r}; "
                f"expected {parent!r} (the district it was split from)",
            )
    return records


def _collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "crs": _CRS84, "features": features}


def _feature(props: dict, geometry: BaseGeometry) -> dict:
    return {"type": "Feature", "properties": props, "geometry": mapping(geometry)}


def _areas(geometries: list[BaseGeometry], city_id: str) -> list[float]:
    return [round(a, 3) for a in area_km2(gpd.GeoSeries(geometries, crs="EPSG:4326"), city_id)]


def _almaty_collection(osm: dict[int, BaseGeometry], url: str, today: date) -> dict:
    ids = sorted(ALMATY_DISTRICTS)
    geometries = [osm[ALMATY_DISTRICTS[d][0]] for d in ids]
    features = []
    for district_id, geometry, area in zip(ids, geometries, _areas(geometries, "almaty")):
        relation, name_en, name_ru, name_kk = ALMATY_DISTRICTS[district_id]
        features.append(
            _feature(
                {
                    "city": "Almaty",
                    "district_id": district_id,
                    "name_en": name_en,
                    "name_ru": name_ru,
                    "name_kk": name_kk,
                    "osm_relation": relation,
                    "area_km2": area,
                    "source": f"OSM via Nominatim lookup ({url.split('?')[0]}), fetched {today.isoformat()}",
                    "osm_snapshot": today.strftime("%Y-%m"),
                    "license": OSM_LICENSE,
                },
                geometry,
            )
        )
    return _collection(features)


def _outline_collection(osm: dict[int, BaseGeometry], url: str, today: date) -> dict:
    features = []
    for city_id, (relation, city, name_en, name_ru, name_kk) in CITY_OUTLINES.items():
        geometry = osm[relation]
        features.append(
            _feature(
                {
                    "city": city,
                    "name_en": name_en,
                    "name_ru": name_ru,
                    "name_kk": name_kk,
                    "osm_relation": relation,
                    "area_km2": _areas([geometry], city_id)[0],
                    "source": f"OSM via Nominatim lookup ({url.split('?')[0]}), fetched {today.isoformat()}",
                    "osm_snapshot": today.strftime("%Y-%m"),
                    "license": OSM_LICENSE,
                },
                geometry,
            )
        )
    return _collection(features)


def _astana_collection(records: list[dict], undone: int, valid_from: str, valid_to: str, url: str, today: date) -> dict:
    """The Astana layer before the last ``undone`` splits: those districts dissolved into their parents."""
    merge = {new: parent for new, parent, _ in ASTANA_SPLITS[len(ASTANA_SPLITS) - undone :]}
    parts: dict[str, list[BaseGeometry]] = {}
    for record in records:
        target = merge.get(record["district_id"], record["district_id"])
        parts.setdefault(target, []).append(record["geometry"])
    by_id = {r["district_id"]: r for r in records}
    if undone:
        derived = "yes: dissolve " + " and ".join(
            f"{ASTANA_DISTRICTS[new][0]} into {ASTANA_DISTRICTS[parent][0]}" for new, parent in merge.items()
        )
    else:
        derived = "no (as published)"

    ids = sorted(parts)
    geometries = [shapely.union_all(parts[d]) if len(parts[d]) > 1 else parts[d][0] for d in ids]
    features = []
    for district_id, geometry, area in zip(ids, geometries, _areas(geometries, "astana")):
        name_en, name_ru, name_kk, _ = ASTANA_DISTRICTS[district_id]
        original = by_id[district_id]["props"]
        props = {
            "city": "Astana",
            "district_id": district_id,
            "name_en": name_en,
            "name_ru": name_ru,
            "name_kk": name_kk,
            "area_km2": area,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "source": f"gis.esaulet.kz Hosted/raiony/FeatureServer/0 (Astana municipal GIS), "
            f"fetched {today.isoformat()} from {url.split('?')[0]}",
            "derived": derived,
            "license": ASTANA_LICENSE,
            "esaulet_kato": _plain(original.get("kato")),
        }
        if not undone:
            props.update(
                esaulet_objectid=_plain(original.get("objectid", original.get("OBJECTID"))),
                esaulet_parent=_plain(original.get("region")),
                esaulet_name_ru=_plain(original.get("name_object")),
                esaulet_name_kk=_plain(original.get("name_object_kaz")),
            )
        features.append(_feature(props, geometry))
    return _collection(features)


def _plain(value: object) -> object:
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)


def _sources_md(files: dict[str, dict], report, nominatim: str, arcgis: str) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    rows = []
    for name, collection in files.items():
        origin = arcgis if name.startswith("astana_districts_") else nominatim
        first = collection["features"][0]["properties"]
        licence = "not established"
        if first["license"] == OSM_LICENSE:
            licence = "ODbL 1.0, © OpenStreetMap contributors"
        derived = f" ({first['derived']})" if first.get("derived", "no").startswith("yes") else ""
        rows.append(f"| `{name}` | {len(collection['features'])} | {origin}{derived} | {licence} |")
    figures = "\n".join(f"- {line}" for line in report.figures) or "- none"
    warnings = "\n".join(f"- {line}" for line in report.warnings) or "- none"
    return (
        "# Boundary files fetched by protest-map\n\n"
        f"Fetched {now} by `geo.boundaries.fetch.fetch_boundaries` (protest-map {__version__}).\n\n"
        "| file | features | fetched from | licence |\n|---|---|---|---|\n"
        + "\n".join(rows)
        + "\n\nThe Astana 5- and 4-district layers are derived from the 6-district layer by "
        "dissolving Saraishyk into the Almaty district (split 2024-09) and, for the 4-district "
        "layer, Nura into Yesil (split 2022-12), following the layer's own `region` attribute.\n\n"
        'ODbL files need the attribution "© OpenStreetMap contributors" wherever the map is shown. '
        "The Astana district layer's licence is not established: confirm before a public release.\n\n"
        f"## Checks (all passed)\n\n{figures}\n\n## Warnings\n\n{warnings}\n"
    )
