"""geo.boundaries.fetch against a real HTTP server on 127.0.0.1 serving small synthetic answers."""

from __future__ import annotations

import json
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from geo.boundaries import check_boundaries, load_boundaries
from geo.boundaries.fetch import ALMATY_DISTRICTS, CITY_OUTLINES, fetch_boundaries
from geo.errors import FetchError

#: How the synthetic ArcGIS layer spells each district: (name_object, name_object_kaz, region).
ESAULET_NAMES = {
    "almaty_district": ("Алматы", "Алматы", "Алматы"),
    "baikonyr": ("Байконур", "Байқоңыр", "Байконур"),
    "yesil": ("Есиль", "Есіл", "Есиль"),
    "saryarka": ("Сарыарка", "Сарыарқа", "Сарыарка"),
    "nura": ("Нура", "Нұра", "Есиль"),
    "saraishyk": ("Сарайшык", "Сарайшық", "Алматы"),
}


class _Server:
    """A bounded HTTP server: ``routes`` maps a path to (status, body, delay in seconds)."""

    def __init__(self):
        self.routes: dict[str, tuple[int, bytes, float]] = {}
        self.requests: list[tuple[str, str]] = []
        routes, requests = self.routes, self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                path = self.path.split("?")[0]
                requests.append((self.path, self.headers.get("User-Agent", "")))
                status, body, delay = routes.get(path, (404, b"not found", 0.0))
                time.sleep(delay)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.handle_error = lambda request, address: None  # a client that gave up is fine
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05})

    def serve(self, path: str, answer: object, status: int = 200, delay: float = 0.0) -> None:
        body = answer if isinstance(answer, bytes) else json.dumps(answer, ensure_ascii=False).encode()
        self.routes[path] = (status, body, delay)


@pytest.fixture
def fetch_server(monkeypatch, boundary_files):
    """A local server answering like Nominatim (/nominatim/lookup) and ArcGIS (/arcgis/query)."""
    server = _Server()
    server.thread.start()
    server.serve("/nominatim/lookup", _nominatim_answer(boundary_files))
    server.serve("/arcgis/query", _arcgis_answer(boundary_files))
    monkeypatch.setenv("PROTESTMAP_NOMINATIM_URL", server.url + "/nominatim")
    monkeypatch.setenv("PROTESTMAP_ASTANA_GIS_URL", server.url + "/arcgis")
    monkeypatch.setenv("PROTESTMAP_HTTP_TIMEOUT", "5")
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()
    server.thread.join(timeout=5)


def _nominatim_answer(boundary_files) -> dict:
    geometries = {
        f["properties"]["district_id"]: f["geometry"]
        for f in boundary_files["almaty_districts_osm2017.geojson"]["features"]
    }
    outlines = {
        f["properties"]["city"].lower(): f["geometry"] for f in boundary_files["city_outlines_osm.geojson"]["features"]
    }
    relations = [(relation, name, geometries[d]) for d, (relation, name, *_) in ALMATY_DISTRICTS.items()]
    relations += [(relation, city, outlines[c]) for c, (relation, city, *_) in CITY_OUTLINES.items()]
    features = [
        {
            "type": "Feature",
            "properties": {
                "place_id": n,
                "osm_type": "relation",
                "osm_id": relation,
                "display_name": name,
                "category": "boundary",
                "type": "administrative",
            },
            "geometry": geometry,
        }
        for n, (relation, name, geometry) in enumerate(relations)
    ]
    return {"type": "FeatureCollection", "licence": "Data © OpenStreetMap contributors", "features": features}


def _arcgis_answer(boundary_files) -> dict:
    features = []
    for n, feature in enumerate(boundary_files["astana_districts_2024_6.geojson"]["features"], start=1):
        name_ru, name_kk, region = ESAULET_NAMES[feature["properties"]["district_id"]]
        features.append(
            {
                "type": "Feature",
                "id": n,
                "properties": {
                    "objectid": n,
                    "name_object": name_ru,
                    "name_object_kaz": name_kk,
                    "kato": f"7110{n}0000",
                    "region": region,
                    "SHAPE__Area": 1.0,
                },
                "geometry": feature["geometry"],
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _leftovers(dest):
    """Everything in dest's parent besides dest itself (a staging folder left behind, say)."""
    return sorted(p.name for p in dest.parent.iterdir() if p != dest)


# ---------------------------------------------------------------- success


def test_fetch_writes_a_folder_load_boundaries_accepts(fetch_server, tmp_path):
    dest = tmp_path / "cache" / "boundaries"
    written = fetch_boundaries(dest)

    year = date.today().year
    assert sorted(p.name for p in written) == sorted(
        [
            f"almaty_districts_osm{year}.geojson",
            "astana_districts_2018_4.geojson",
            "astana_districts_2022_5.geojson",
            "astana_districts_2024_6.geojson",
            "city_outlines_osm.geojson",
            "SOURCES.md",
        ]
    )
    assert sorted(p.name for p in dest.iterdir()) == sorted(p.name for p in written)
    assert _leftovers(dest) == []
    assert check_boundaries(dest) == []

    boundaries = load_boundaries(dest)
    assert len(boundaries.layer_for("almaty", date(2019, 6, 9)).districts) == 8
    by_date = {
        on: boundaries.layer_for("astana", on).districts.set_index("district_id")["area_km2"]
        for on in (date(2019, 6, 9), date(2023, 1, 1), date(2025, 1, 1))
    }
    assert [len(areas) for areas in by_date.values()] == [4, 5, 6]
    six, five, four = by_date[date(2025, 1, 1)], by_date[date(2023, 1, 1)], by_date[date(2019, 6, 9)]
    assert five["almaty_district"] == pytest.approx(six["almaty_district"] + six["saraishyk"])
    assert four["yesil"] == pytest.approx(six["yesil"] + six["nura"])
    assert four["almaty_district"] == pytest.approx(five["almaty_district"])
    assert "Yesil (Esil)" in set(boundaries.layer_for("astana", date(2019, 6, 9)).districts["name_en"])
    assert boundaries.attributions("astana", date(2019, 6, 9)) == [
        "Districts: Astana city GIS (gis.esaulet.kz), licence not established",
        "© OpenStreetMap contributors",
    ]


def test_fetch_asks_properly(fetch_server, tmp_path):
    fetch_boundaries(tmp_path / "boundaries")
    (lookup, agent), (query, _) = fetch_server.requests
    assert agent.startswith("protest-map/")
    assert lookup == (
        "/nominatim/lookup?osm_ids=R3072216,R3072807,R3072808,R3390291,R3072217,R5460063,R3072001,"
        "R3072130,R2465058,R3087155&format=geojson&polygon_geojson=1"
    )
    assert query == "/arcgis/query?where=1%3D1&outFields=*&outSR=4326&f=geojson"


def test_fetch_properties_match_the_reference_files(fetch_server, tmp_path):
    dest = tmp_path / "boundaries"
    fetch_boundaries(dest)
    almaty = json.loads(next(dest.glob("almaty_districts_osm*.geojson")).read_text(encoding="utf-8"))
    props = almaty["features"][0]["properties"]
    assert set(props) == {
        "city",
        "district_id",
        "name_en",
        "name_ru",
        "name_kk",
        "osm_relation",
        "area_km2",
        "source",
        "osm_snapshot",
        "license",
    }
    assert (props["district_id"], props["osm_relation"], props["name_kk"]) == ("alatau", 3072216, "Алатау ауданы")
    four = json.loads((dest / "astana_districts_2018_4.geojson").read_text(encoding="utf-8"))
    assert {(f["properties"]["valid_from"], f["properties"]["valid_to"]) for f in four["features"]} == {
        ("2018-03", "2022-12")
    }
    assert "Fetched " in (dest / "SOURCES.md").read_text(encoding="utf-8")


# ---------------------------------------------------------------- failures


def test_http_500_is_a_fetch_error(fetch_server, tmp_path):
    fetch_server.serve("/nominatim/lookup", b"oops", status=500)
    dest = tmp_path / "boundaries"
    with pytest.raises(FetchError) as caught:
        fetch_boundaries(dest)
    message = str(caught.value)
    assert message.startswith(
        f"Could not fetch OSM boundaries from Nominatim from {fetch_server.url}/nominatim/lookup?"
    )
    assert "the server answered HTTP 500 Internal Server Error" in message
    assert "the project uses the boundaries it ships in data/boundaries" in message
    assert not dest.exists() and _leftovers(dest) == []


def test_garbage_is_a_fetch_error_and_dest_is_untouched(fetch_server, tmp_path):
    fetch_server.serve("/arcgis/query", b"<html>maintenance</html>")
    dest = tmp_path / "boundaries"
    dest.mkdir()
    (dest / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(
        FetchError,
        match=r"Astana districts from the city GIS .* the answer is not JSON "
        r"\(it starts '<html>maintenance</html>'\)",
    ):
        fetch_boundaries(dest)
    assert [p.name for p in dest.iterdir()] == ["keep.txt"]
    assert _leftovers(dest) == []


def test_arcgis_error_answer_is_a_fetch_error(fetch_server, tmp_path):
    fetch_server.serve("/arcgis/query", {"error": {"code": 400, "message": "Invalid query parameters"}})
    with pytest.raises(FetchError, match="the server reported error 400: Invalid query parameters"):
        fetch_boundaries(tmp_path / "boundaries")


def test_missing_relation_is_a_fetch_error(fetch_server, boundary_files, tmp_path):
    answer = _nominatim_answer(boundary_files)
    answer["features"] = [f for f in answer["features"] if f["properties"]["osm_id"] != 3087155]
    fetch_server.serve("/nominatim/lookup", answer)
    with pytest.raises(FetchError, match=r"the answer is not what was expected: relation\(s\) R3087155 missing"):
        fetch_boundaries(tmp_path / "boundaries")


def test_unknown_district_name_is_a_fetch_error(fetch_server, boundary_files, tmp_path):
    answer = _arcgis_answer(boundary_files)
    answer["features"][0]["properties"].update(name_object="Новый", name_object_kaz="Жаңа")
    fetch_server.serve("/arcgis/query", answer)
    with pytest.raises(FetchError, match=r"district name.s. not recognised: feature 1: name_object='Новый'"):
        fetch_boundaries(tmp_path / "boundaries")


def test_result_failing_the_checks_is_not_written(fetch_server, boundary_files, tmp_path):
    answer = _nominatim_answer(boundary_files)
    ring = [[76.80, 43.20], [76.85, 43.25], [76.85, 43.20], [76.80, 43.25], [76.80, 43.20]]  # bow-tie
    answer["features"][0]["geometry"] = {"type": "Polygon", "coordinates": [ring]}
    fetch_server.serve("/nominatim/lookup", answer)
    dest = tmp_path / "boundaries"
    with pytest.raises(FetchError) as caught:
        fetch_boundaries(dest)
    assert "failed the checks, so nothing was written to" in str(caught.value)
    assert "feature 1 (district_id 'alatau'): invalid geometry (Self-intersection" in str(caught.value)
    assert not dest.exists() and _leftovers(dest) == []


def test_unreachable_server_fails_quickly(monkeypatch, tmp_path):
    monkeypatch.setenv("PROTESTMAP_NOMINATIM_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("PROTESTMAP_ASTANA_GIS_URL", "http://127.0.0.1:9/arcgis")
    dest = tmp_path / "boundaries"
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch_boundaries(dest, timeout=2)
    assert time.monotonic() - started < 3
    message = str(caught.value)
    assert message.startswith("Could not fetch OSM boundaries from Nominatim from http://127.0.0.1:9/lookup?")
    assert "the connection was refused" in message
    assert not dest.exists() and _leftovers(dest) == []


def test_slow_server_times_out(fetch_server, tmp_path):
    fetch_server.serve("/arcgis/query", {"type": "FeatureCollection", "features": []}, delay=1.0)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"no answer within 0.2 s \(PROTESTMAP_HTTP_TIMEOUT\)"):
        fetch_boundaries(tmp_path / "boundaries", timeout=0.2)
    assert time.monotonic() - started < 1.0


# ---------------------------------------------------------------- real geometry through the fetch


def test_fetch_rebuilds_the_reference_layers_from_real_geometry(fetch_server, boundary_real_dir, tmp_path):
    """Serve the reference files' real polygons as the origins would; the derived layers must match."""
    reference = {
        path.name: json.loads(path.read_text(encoding="utf-8")) for path in boundary_real_dir.glob("*.geojson")
    }
    fetch_server.serve(
        "/nominatim/lookup",
        _nominatim_answer(
            {
                "almaty_districts_osm2017.geojson": reference["almaty_districts_osm2026.geojson"],
                "city_outlines_osm.geojson": reference["city_outlines_osm.geojson"],
            }
        ),
    )
    arcgis = {"type": "FeatureCollection", "features": []}
    for feature in reference["astana_districts_2024_6.geojson"]["features"]:
        props = feature["properties"]
        arcgis["features"].append(
            {
                "type": "Feature",
                "geometry": feature["geometry"],
                "properties": {
                    "objectid": props["esaulet_objectid"],
                    "name_object": props["esaulet_name_ru"],
                    "name_object_kaz": props["esaulet_name_kk"],
                    "region": props["esaulet_parent"],
                    "kato": props["esaulet_kato"],
                },
            }
        )
    fetch_server.serve("/arcgis/query", arcgis)

    dest = tmp_path / "boundaries"
    fetch_boundaries(dest)
    fetched = load_boundaries(dest)
    expected = load_boundaries(boundary_real_dir)
    for on in (date(2019, 6, 9), date(2023, 1, 1), date(2025, 1, 1)):
        got = fetched.layer_for("astana", on).districts.set_index("district_id")
        want = expected.layer_for("astana", on).districts.set_index("district_id")
        assert got["area_km2"].to_dict() == pytest.approx(want["area_km2"].to_dict(), abs=0.001)
        assert got["name_en"].to_dict() == want["name_en"].to_dict()
    almaty = fetched.layers_for("almaty")[0]
    assert almaty.districts.set_index("district_id")["area_km2"]["medeu"] == pytest.approx(273.11, abs=0.01)
    (warning,) = fetched.warnings  # today's OSM districts leave the 2026 snapshot's holes
    assert "7 unassigned hole(s) between districts, 0.51 km² in total" in warning
