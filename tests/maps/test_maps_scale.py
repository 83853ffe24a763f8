"""geo.maps at size: the representation chosen by the number of incidents, what each sends, clicks.

Popups while few (tests/maps/test_maps_interactive.py), packed points while moderate,
a grid of counts beyond, with the incidents of a zoomed-in view as a layer of their own.
What the browser makes of them is tested in tests/browser/test_map_scale.py.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import date

import folium
import numpy as np
import pandas as pd
import pytest

from geo import maps
from geo.boundaries import load_boundaries
from geo.maps import EVENT_COLOURS, assets, incident_map, overview_map
from geo.maps._packed import (
    CLUSTER_OPTIONS,
    GRID_DEGREES,
    SUPERCLUSTER_JS,
    _PackedClusters,
    _PackedHeat,
    _PackedPoints,
    view_token,
)
from geo.words import number, word

ON = date(2019, 6, 10)
SUMMARY = "A summary of about this length, as the real records have."


@pytest.fixture
def boundaries(boundary_files, write_boundary_folder):
    return load_boundaries(write_boundary_folder(boundary_files))


def frame(n: int, seed: int = 0, *, box=(76.8, 43.2, 77.0, 43.3)) -> pd.DataFrame:
    """``n`` incidents placed in Almaty's synthetic districts, every column a popup would use."""
    rng = np.random.default_rng(seed)
    west, south, east, north = box
    return pd.DataFrame(
        {
            "record_id": [f"R{i}" for i in range(n)],
            "date": pd.to_datetime(["2019-06-10"] * n),
            "city_id": "almaty",
            "attribution": "district",
            "district_id": "almaly",
            "latitude": rng.uniform(south, north, n),
            "longitude": rng.uniform(west, east, n),
            "event_type": rng.choice(list(EVENT_COLOURS), n),
            "detained_low": pd.array(rng.integers(0, 50, n), dtype="Int64"),
            "summary": SUMMARY,
            "source_urls": "https://example.org/a https://example.com/b",
        }
    )


def walk(element):
    yield element
    for child in element._children.values():
        yield from walk(child)


def of_type(m: folium.Map, kind: type) -> list:
    return [e for e in walk(m) if isinstance(e, kind)]


def grids(m: folium.Map) -> list[folium.GeoJson]:
    found = [g for g in of_type(m, folium.GeoJson) if g.data["features"]]
    return [g for g in found if "cell" in g.data["features"][0]["properties"]]


def unpack(packed: dict) -> dict[str, np.ndarray]:
    """The packed points read back as the page's script reads them."""
    n, (west, south, east, north) = packed["n"], packed["box"]
    raw = base64.b64decode(packed["payload"])
    assert len(raw) == 7 * n
    x = np.frombuffer(raw, "<u2", n, 0)
    y = np.frombuffer(raw, "<u2", n, 2 * n)
    w = np.frombuffer(raw, "<u2", n, 4 * n)
    k = np.frombuffer(raw, "u1", n, 6 * n)
    return {
        "lon": west + x * (east - west) / 65535,
        "lat": south + y * (north - south) / 65535,
        "weight": w.astype(int),
        "event_type": np.array(packed["kinds"])[k],
    }


def test_the_representation_follows_the_number_drawn():
    assert maps.representation(0) == maps.representation(maps.POPUP_LIMIT) == "popups"
    assert maps.representation(maps.POPUP_LIMIT + 1) == maps.representation(maps.POINT_LIMIT) == "points"
    assert maps.representation(maps.POINT_LIMIT + 1) == "grid"


def test_a_thousand_incidents_keep_their_popups(boundaries):
    m = incident_map(frame(maps.POPUP_LIMIT), boundaries, city_id="almaty", on=ON, asset_base=None)
    html = m.get_root().render()
    assert not of_type(m, _PackedPoints) and not of_type(m, _PackedClusters)
    assert html.count(SUMMARY) == maps.POPUP_LIMIT


def test_ten_thousand_incidents_are_packed_with_no_popup_and_read_back_exactly(boundaries):
    records = frame(10_000)
    m = incident_map(records, boundaries, city_id="almaty", on=ON, asset_base=None)
    html = m.get_root().render()
    (points,) = of_type(m, _PackedClusters)  # one layer of the map, clustered in the page
    assert points._parent is m and not of_type(m, folium.plugins.MarkerCluster) and not of_type(m, _PackedPoints)
    got = unpack(points.packed)
    # under a metre from where the record puts it: 1/65,535 of a 0.2° box is 0.3 m
    step_lon = (records["longitude"].max() - records["longitude"].min()) / 65535
    step_lat = (records["latitude"].max() - records["latitude"].min()) / 65535
    assert np.abs(got["lon"] - records["longitude"].to_numpy()).max() <= step_lon / 2 + 1e-12
    assert np.abs(got["lat"] - records["latitude"].to_numpy()).max() <= step_lat / 2 + 1e-12
    assert list(got["event_type"]) == list(records["event_type"])
    assert list(got["weight"]) == list(records["detained_low"].astype(int).clip(lower=1))
    assert points.token == view_token(list(records["record_id"]))
    # the heat layer reads the same points (nothing sent twice), off at the start
    (heat,) = of_type(m, _PackedHeat)
    assert heat.source is points and heat.show is False
    assert re.search(rf"L\.heatLayer\(\s*heat_of_{points.get_name()},", html)
    # no popup, no summary, one marker constructor in a loop; about 10 bytes an incident
    assert SUMMARY not in html and "bindPopup" not in html.split(points.get_name())[1]
    assert html.count("L.circleMarker(") == 1
    assert len(html) < 10_000 * 12 + 150_000


def test_a_click_on_a_packed_point_chooses_its_record_only_on_its_own_map(boundaries):
    records = frame(5_000)
    drawn = maps.drawn_incidents(records)
    token = view_token(list(drawn["record_id"]))
    assert maps.selected_record(drawn, {"i": 17, "view": token}) == "R17"
    assert maps.selected_record(drawn, {"i": 17, "view": "0" * 16}) is None  # another map's click
    assert maps.selected_record(drawn.iloc[1:], {"i": 17, "view": token}) is None  # the filters changed since
    assert maps.selected_record(drawn, {"i": 5_000, "view": token}) is None
    assert maps.selected_record(drawn, {"i": "17", "view": token}) is None
    assert maps.selected_record(drawn, {"record_id": "R3"}) == "R3"  # a GeoJSON point says its id
    assert maps.selected_record(drawn, {"district_id": "almaly"}) is None


def test_a_hostile_event_type_in_a_packed_map_stays_text(boundaries):
    records = frame(2_000)
    records.loc[5, "event_type"] = "</script><img src=x onerror=alert(1)>"
    html = incident_map(records, boundaries, city_id="almaty", on=ON, asset_base=None).get_root().render()
    assert "</script><img" not in html and "<img src=x" not in html
    assert "\\u003c/script\\u003e\\u003cimg src=x onerror=alert(1)\\u003e" in html


def test_past_the_point_limit_the_map_counts_incidents_per_square(boundaries):
    n = maps.POINT_LIMIT + 1_000
    records = frame(n)
    m = incident_map(records, boundaries, city_id="almaty", on=ON, asset_base=None)
    html = m.get_root().render()
    assert not of_type(m, _PackedPoints) and not of_type(m, folium.plugins.MarkerCluster)
    assert not of_type(m, _PackedClusters)
    (grid,) = [
        g for g in of_type(m, folium.GeoJson) if g.data["features"] and "cell" in g.data["features"][0]["properties"]
    ]
    cells = grid.data["features"]
    assert sum(c["properties"]["count"] for c in cells) == n
    lat, lon = records["latitude"].to_numpy(), records["longitude"].to_numpy()
    for cell in cells[:: max(1, len(cells) // 25)]:  # each count is the number of incidents inside its square
        (w, s), _, (e, north) = cell["geometry"]["coordinates"][0][:3]
        assert e - w == pytest.approx(GRID_DEGREES) and north - s == pytest.approx(GRID_DEGREES)
        inside = (lon >= w) & (lon < e) & (lat >= s) & (lat < north)
        assert cell["properties"]["count"] == int(inside.sum())
        assert cell["properties"]["tooltip"] == f"Incidents in the square (about 1 km): {inside.sum():,}"
        assert maps.in_cell(records, cell["properties"]["cell"]).sum() == inside.sum()
    for forged in ("", "7", "a:b", "1:2:3", "<script>"):  # a click's value comes from the browser
        assert not maps.in_cell(records, forged).any()
    assert f"Incidents: {n:,}. Counted per square of about 1 km; zoom in (to level {maps.POINTS_FROM_ZOOM})" in html
    assert "pm-grid" in html and SUMMARY not in html
    assert len(html) < 2_000_000


def test_the_grid_speaks_the_reader_s_language(boundaries):
    n = maps.POINT_LIMIT + 1
    html = incident_map(frame(n), boundaries, city_id="almaty", on=ON, lang="kk", asset_base=None).get_root().render()
    assert json.dumps("Шаршыдағы оқиғалар (шамамен 1 км)")[1:-1] in html
    assert json.dumps(f"Оқиғалар: {number(n, 'kk')}. Шамамен 1 км шаршылардағы саны көрсетілген")[1:-1] in html
    assert number(n, "kk") == "150\u202f001"


def test_a_zoomed_in_view_draws_its_own_incidents_as_a_layer_to_add(boundaries):
    records = frame(maps.POINT_LIMIT + 1)
    drawn = maps.drawn_incidents(records)
    bounds = {"_southWest": {"lat": 43.24, "lng": 76.90}, "_northEast": {"lat": 43.25, "lng": 76.92}}
    view = maps.within(drawn, bounds)
    expected = drawn[drawn["latitude"].between(43.24, 43.25) & drawn["longitude"].between(76.90, 76.92)]
    assert list(view["record_id"]) == list(expected["record_id"]) and 0 < len(view) <= maps.VIEW_POINT_LIMIT
    layer = maps.incidents_in_view(view, "en")
    assert isinstance(layer, folium.FeatureGroup)
    (points,) = [e for e in walk(layer) if isinstance(e, _PackedPoints)]
    assert points.packed["n"] == len(view)
    assert maps.selected_record(view, {"i": 0, "view": points.token}) == view["record_id"].iloc[0]
    assert maps.selected_record(drawn, {"i": 0, "view": points.token}) is None
    assert maps.within(drawn, None).empty and maps.within(drawn, {"bounds": "nonsense"}).empty


def test_the_overview_counts_per_square_past_the_popup_limit(boundaries):
    records = frame(maps.POPUP_LIMIT + 1)
    m = overview_map(records, boundaries, ON, asset_base=None)
    html = m.get_root().render()
    assert SUMMARY not in html and "pm-grid" in html
    (grid,) = [
        g for g in of_type(m, folium.GeoJson) if g.data["features"] and "cell" in g.data["features"][0]["properties"]
    ]
    assert sum(c["properties"]["count"] for c in grid.data["features"]) == len(records)


def test_a_map_without_boundaries_packs_its_precise_incidents_too():
    records = frame(3_000).assign(geo_precision=1)
    records.loc[:99, "geo_precision"] = 3  # known to city level: counted, never drawn
    m = incident_map(records, None, city_id="almaty", on=ON, asset_base=None)
    (points,) = of_type(m, _PackedClusters)
    assert points.packed["n"] == 2_900
    assert re.search(r'data-count", "100"', m.get_root().render())


def test_the_packed_layers_survive_st_folium_s_renaming(boundaries):
    # st_folium renames every element before it takes the script: names must be taken at render time
    from streamlit_folium import generate_leaflet_string

    m = incident_map(frame(3_000), boundaries, city_id="almaty", on=ON, asset_base=None)
    script = generate_leaflet_string(m)
    defined = re.findall(r"var (heat_of_\w+) =", script)
    used = re.findall(r"L\.heatLayer\(\s*(heat_of_\w+),", script)
    assert len(defined) == 1 and used == defined
    (layer,) = re.findall(r"var (packed_clusters_\w+) = \(function", script)
    assert defined == [f"heat_of_{layer}"] and f"heat_of_{layer} = heat;" in script


def test_a_grid_map_carries_the_cluster_files_a_zoomed_in_layer_needs(boundaries):
    # st_folium loads a map's scripts once, when it first draws it: a layer added later has only those
    m = incident_map(frame(maps.POINT_LIMIT + 1), boundaries, city_id="almaty", on=ON)
    html = m.get_root().render()
    assert "/app/static/vendor/leaflet.markercluster/dist/leaflet.markercluster.js" in html
    layer = maps.incidents_in_view(frame(50), "en")
    urls = [url for e in walk(layer) for _, url in getattr(e, "default_js", []) + getattr(e, "default_css", [])]
    assert urls and all(u.startswith("/app/static/vendor/") for u in urls), urls


# --------------------------------------------------------------------------- supercluster in the page


def _links(html: str) -> list[str]:
    return re.findall(r'<script src="([^"]*)"', html) + re.findall(r'<link rel="stylesheet" href="([^"]*)"', html)


def test_a_packed_map_loads_supercluster_from_the_app_and_nothing_from_a_cdn(boundaries):
    m = incident_map(frame(5_000), boundaries, city_id="almaty", on=ON)
    html = m.get_root().render()
    links = _links(html)
    assert f"/app/static/vendor/{SUPERCLUSTER_JS}" in links
    assert links and all(u.startswith("/app/static/vendor/") for u in links), links
    assert "supercluster" not in "".join(u for u in links if "://" in u)
    # the bubbles look like the cluster plugin's; its script is not needed on this map
    assert "/app/static/vendor/leaflet.markercluster/dist/MarkerCluster.Default.css" in links
    assert not [u for u in links if u.endswith("leaflet.markercluster.js")]
    # st_folium loads the files its elements list (folium's JSCSSMixin ones): supercluster among them
    listed = [url for e in of_type(m, folium.elements.JSCSSMixin) for _, url in e.default_js]
    assert f"/app/static/vendor/{SUPERCLUSTER_JS}" in listed


def test_a_packed_map_served_from_elsewhere_loads_supercluster_from_there(boundaries):
    html = incident_map(frame(2_000), boundaries, city_id="almaty", on=ON, asset_base="/x/vendor/").get_root().render()
    assert f'<script src="/x/vendor/{SUPERCLUSTER_JS}"' in html
    assert "/app/static/vendor" not in html


def test_the_packed_script_builds_one_index_and_draws_the_view(boundaries):
    m = incident_map(frame(4_000), boundaries, city_id="almaty", on=ON, lang="ru", asset_base=None)
    html = m.get_root().render()
    (points,) = of_type(m, _PackedClusters)
    script = html.split(f"var {points.get_name()} = (function")[1].split("</script>")[0]
    options = json.dumps(CLUSTER_OPTIONS, sort_keys=True)
    assert f"var options = {options}, index = new Supercluster(options).load(points);" in script
    assert script.count("new Supercluster(") == 1 and script.count(".load(") == 1  # one index, built once
    assert 'map.on("moveend zoomend", this.redraw, this)' in script
    assert "index.getClusters(box, zoom)" in script and "map.getBounds()" in script
    assert "index.getClusterExpansionZoom(feature.properties.cluster_id)" in script
    assert "L.FeatureGroup.extend(" in script  # a click on a point reaches st_folium as the group's layer
    assert "properties: {i: i, view: token, event_type: kind}" in script
    # the layer control lists the layer by its localized name; the heat layer reads the same points
    name = json.dumps(word("incidents", "ru"))
    assert re.search(rf"{re.escape(name)} : {points.get_name()},", html)
    assert f"heat_of_{points.get_name()} = heat;" in script


def test_supercluster_is_pinned_and_installed_from_the_registry():
    (package,) = [p for p in assets.PACKAGES if p.name == "supercluster"]
    assert package.version.split(".")[0] == "8" and package.integrity.startswith("sha512-")
    assert f"{package.name}/{package.files[1]}" == SUPERCLUSTER_JS and "LICENSE" in package.files
    assert assets.assets_installed(), "run python -m geo.maps.assets install"
    text = (assets.DEFAULT_DEST / SUPERCLUSTER_JS).read_text(encoding="utf-8")
    assert ".Supercluster=" in text and "KDBush" in text  # the browser build, kdbush bundled


def test_a_self_contained_map_inlines_supercluster(boundaries):
    from geo.brief.inline import standalone_map_html

    page = standalone_map_html(incident_map(frame(2_000), boundaries, city_id="almaty", on=ON, tiles=False))
    assert "<script src=" not in page and ".Supercluster=" in page
