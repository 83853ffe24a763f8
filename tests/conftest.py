"""Shared fixtures.

Boundary fixtures (``boundary_*``): a tiny synthetic boundary folder made of
squares near the real cities, written by the tests themselves, and the real
boundaries: the ones the project ships in ``data/boundaries``, or the folder
``PROTESTMAP_BOUNDARIES`` names.

``tests/test_research.py`` compares the embedded dataset with the research files it
was built from; it is collected when ``PROTESTMAP_RESEARCH`` names their folder, and
the test session's header says whether it ran.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest

CRS84 = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}

#: Synthetic city squares (lon0, lat0, lon1, lat1), roughly where the cities are.
BOUNDARY_ALMATY_BOX = (76.80, 43.20, 77.00, 43.30)
BOUNDARY_ASTANA_BOX = (71.30, 51.05, 71.60, 51.25)

BOUNDARY_ALMATY_IDS = ["alatau", "almaly", "auezov", "bostandyk", "medeu", "nauryzbay", "turksib", "zhetysu"]
OSM_LICENSE = "ODbL-1.0 (© OpenStreetMap contributors)"
ESAULET_SOURCE = "gis.esaulet.kz Hosted/raiony/FeatureServer/0 (synthetic test copy)"
ESAULET_LICENSE = "not established (public municipal ArcGIS layer, empty copyright field)"


def boundary_box(lon0: float, lat0: float, lon1: float, lat1: float, step: float = 0.025) -> dict:
    """A GeoJSON Polygon for an axis-aligned box, with a vertex at every multiple of ``step``.

    Shared vertices on a common lattice keep neighbouring boxes tiling exactly
    once projected to UTM (a straight lon/lat edge is not straight there).
    """

    def stops(a: float, b: float) -> list[float]:
        n = round(abs(b - a) / step)
        return [round(a + (b - a) * k / n, 6) for k in range(n)] if n else [round(a, 6)]

    ring = (
        [[x, round(lat0, 6)] for x in stops(lon0, lon1)]
        + [[round(lon1, 6), y] for y in stops(lat0, lat1)]
        + [[x, round(lat1, 6)] for x in stops(lon1, lon0)]
        + [[round(lon0, 6), y] for y in stops(lat1, lat0)]
    )
    return {"type": "Polygon", "coordinates": [ring + [ring[0]]]}


def boundary_collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "crs": copy.deepcopy(CRS84), "features": features}


def _feature(geometry: dict, **props) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def _names(district_id: str) -> dict:
    return {
        "district_id": district_id,
        "name_en": district_id.replace("_", " ").title(),
        "name_ru": f"{district_id} (ru)",
        "name_kk": f"{district_id} (kk)",
    }


def _almaty_districts() -> dict:
    lon0, lat0, lon1, lat1 = BOUNDARY_ALMATY_BOX
    width, height = (lon1 - lon0) / 4, (lat1 - lat0) / 2
    features = []
    for n, district_id in enumerate(BOUNDARY_ALMATY_IDS):
        col, row = n % 4, n // 4
        geometry = boundary_box(
            lon0 + col * width, lat0 + row * height, lon0 + (col + 1) * width, lat0 + (row + 1) * height
        )
        features.append(
            _feature(
                geometry,
                city="Almaty",
                **_names(district_id),
                osm_relation=1000 + n,
                source="OSM (synthetic test copy)",
                osm_snapshot="2017-05",
                license=OSM_LICENSE,
            )
        )
    return boundary_collection(features)


def _astana_cells(count: int) -> dict[str, dict]:
    """Astana as a 2x2 grid; Nura cut from Yesil's east half (5+), Saraishyk from the Almaty district's (6)."""
    lon0, lat0, lon1, lat1 = BOUNDARY_ASTANA_BOX
    lon_mid, lat_mid = (lon0 + lon1) / 2, (lat0 + lat1) / 2
    lon_q1, lon_q3 = (lon0 + lon_mid) / 2, (lon_mid + lon1) / 2
    cells = {
        "almaty_district": boundary_box(lon0, lat0, lon_mid, lat_mid),
        "baikonyr": boundary_box(lon_mid, lat0, lon1, lat_mid),
        "saryarka": boundary_box(lon0, lat_mid, lon_mid, lat1),
        "yesil": boundary_box(lon_mid, lat_mid, lon1, lat1),
    }
    if count >= 5:
        cells["yesil"] = boundary_box(lon_mid, lat_mid, lon_q3, lat1)
        cells["nura"] = boundary_box(lon_q3, lat_mid, lon1, lat1)
    if count >= 6:
        cells["almaty_district"] = boundary_box(lon0, lat0, lon_q1, lat_mid)
        cells["saraishyk"] = boundary_box(lon_q1, lat0, lon_mid, lat_mid)
    return cells


def _astana_districts(count: int, valid_from: str, valid_to: str) -> dict:
    features = [
        _feature(
            geometry,
            city="Astana",
            **_names(district_id),
            valid_from=valid_from,
            valid_to=valid_to,
            source=ESAULET_SOURCE,
            license=ESAULET_LICENSE,
        )
        for district_id, geometry in _astana_cells(count).items()
    ]
    return boundary_collection(features)


def _outlines() -> dict:
    return boundary_collection(
        [
            _feature(
                boundary_box(*BOUNDARY_ALMATY_BOX),
                city="Almaty",
                name_ru="Алматы",
                name_kk="Алматы",
                source="OSM (synthetic test copy)",
                license=OSM_LICENSE,
            ),
            _feature(
                boundary_box(*BOUNDARY_ASTANA_BOX),
                city="Astana",
                name_ru="Астана",
                name_kk="Астана",
                source="OSM (synthetic test copy)",
                license=OSM_LICENSE,
            ),
        ]
    )


@pytest.fixture
def boundary_files() -> dict[str, dict]:
    """A good synthetic boundary folder as {file name: GeoJSON dict}; edit it, then write it.

    Almaty: 8 squares tiling a square outline.  Astana: 4 squares (2018-03 to
    2022-12), 5 (to 2024-09) and 6 (open), tiling their square outline.
    """
    return {
        "almaty_districts_osm2017.geojson": _almaty_districts(),
        "astana_districts_2018_4.geojson": _astana_districts(4, "2018-03", "2022-12"),
        "astana_districts_2022_5.geojson": _astana_districts(5, "2022-12", "2024-09"),
        "astana_districts_2024_6.geojson": _astana_districts(6, "2024-09", ""),
        "city_outlines_osm.geojson": _outlines(),
    }


@pytest.fixture
def write_boundary_folder(tmp_path):
    """Return ``write(files, name='boundaries') -> Path``, writing GeoJSON dicts into a new folder."""

    def write(files: dict[str, dict], name: str = "boundaries") -> Path:
        folder = tmp_path / name
        folder.mkdir()
        for file_name, data in files.items():
            (folder / file_name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return folder

    return write


@pytest.fixture
def boundary_real_dir() -> Path:
    """The real boundary folder: the one the project ships, or the one PROTESTMAP_BOUNDARIES names."""
    return _real_dir()


def _real_dir() -> Path:
    from geo.settings import EMBEDDED_BOUNDARIES

    configured = os.environ.get("PROTESTMAP_BOUNDARIES", "").strip()
    folder = Path(configured).expanduser() if configured else EMBEDDED_BOUNDARIES
    if not folder.is_dir():
        pytest.fail(
            f"the real boundaries are not at {folder} (PROTESTMAP_BOUNDARIES={configured!r}); "
            "the project ships them in data/boundaries"
        )
    return folder


def _research_dir() -> Path | None:
    configured = os.environ.get("PROTESTMAP_RESEARCH", "").strip()
    return Path(configured).expanduser() if configured else None


#: The research comparison runs only where the research files are.
collect_ignore = [] if _research_dir() is not None else ["test_research.py"]


def pytest_report_header(config):
    folder = _research_dir()
    if folder is None:
        return (
            "research files: PROTESTMAP_RESEARCH is not set, so tests/test_research.py (the embedded "
            "dataset against the research it was built from) is not collected"
        )
    return f"research files: {folder} (tests/test_research.py compares the embedded dataset with them)"


@pytest.fixture(scope="session")
def real_boundaries():
    """The real reference boundaries, loaded once per session (fails, never skips, without them)."""
    from geo.boundaries import load_boundaries

    return load_boundaries(_real_dir())


@pytest.fixture(scope="session")
def embedded_joined(real_boundaries):
    """The embedded dataset joined to the real boundaries, as the app caches it."""
    from geo.join import join_incidents
    from geo.records import load_embedded_records

    return join_incidents(load_embedded_records(), real_boundaries)


#: The generated-at time of the packs the tests make (fixed, so two runs compare equal).
BRIEF_TIME = "2026-11-25T12:00:00+00:00"


@pytest.fixture(scope="session")
def make_briefing(embedded_joined, real_boundaries):
    """``make_briefing(city="almaty", lang="ru", ...)``: a Briefing of the embedded data (Filters' fields)."""
    from datetime import datetime

    from geo.brief import build_briefing
    from geo.filters import Filters

    def make(**filters):
        return build_briefing(
            embedded_joined, Filters(**filters), boundaries=real_boundaries, now=datetime.fromisoformat(BRIEF_TIME)
        )

    return make


@pytest.fixture(scope="session", autouse=True)
def _store_of_this_test_session(tmp_path_factory):
    """Every test (and the app the browser tests start) uses a store and a cache folder of this session,
    never the user's (the cache holds the join's kept answers, which the app writes)."""
    mine = {
        "PROTESTMAP_STORE": str(tmp_path_factory.mktemp("store") / "store.sqlite"),
        "PROTESTMAP_CACHE": str(tmp_path_factory.mktemp("cache")),
    }
    previous = {name: os.environ.get(name) for name in mine}
    os.environ.update(mine)
    yield
    for name, value in previous.items():
        if value is None:
            del os.environ[name]
        else:
            os.environ[name] = value


# --------------------------------------------------------------------------- PostGIS


@pytest.fixture(scope="session")
def postgis_server():
    """URL of the session's throwaway PostgreSQL + PostGIS server's template database (postgis installed).

    Started on first use only (:func:`geo.postgis.server.throwaway_server`: a Unix socket in a
    temporary folder, no TCP port), stopped and removed at the end of the session.
    """
    from geo.postgis.server import throwaway_server

    with throwaway_server() as url:
        yield url


@pytest.fixture
def postgis_url(postgis_server):
    """URL of a new, empty database with PostGIS on the session's server, dropped after the test."""
    from geo.postgis.server import scratch_database

    with scratch_database(postgis_server) as url:
        yield url
