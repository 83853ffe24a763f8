"""The Map page with more incidents than popups can carry, in headless Chromium with no network.

A store holding a few thousand synthetic incidents inside the shipped boundaries (the
map packs them: geo.maps._packed); a click on one marker must show that record, and
only it, under the map.  What each representation holds is tested in tests/maps.
"""

from __future__ import annotations

import pytest
from test_browser import FOLIUM_FRAME, _first, _records_shown, _wait_until_idle  # tests/browser is on sys.path

from benchmarks.join import synthetic_records
from benchmarks.scale import complete
from geo import maps
from geo.boundaries import load_boundaries
from geo.settings import get_settings
from geo.store import open_store
from tests.browser.conftest import serve

pytestmark = pytest.mark.browser

N = 6_000  # half in Almaty, about 2,700 of them precise: more than maps.POPUP_LIMIT
VIEW = "data=synthetic&city=almaty&from=2019-01-01&to=2025-12-31"


@pytest.fixture(scope="module")
def synthetic():
    boundaries = load_boundaries(get_settings().boundaries_dir)
    return complete(synthetic_records(boundaries, N, 3))


@pytest.fixture(scope="module")
def app_with_many(tmp_path_factory, synthetic):
    folder = tmp_path_factory.mktemp("many")
    store = folder / "store.sqlite"
    open_store(store).write("synthetic", synthetic, kind="import")
    with serve(folder, PROTESTMAP_STORE=str(store)) as running:
        yield running


_PICK_A_MARKER = """
() => {
    const map = window.map;
    const cluster = Object.values(map._layers).find(l => l._featureGroup && l.getLayers);
    const markers = cluster.getLayers();
    const marker = markers[Math.floor(markers.length / 3)];
    window.__pm_marker = marker;
    map.setView(marker.getLatLng(), 18, {animate: false});
    const p = marker.feature.properties;
    return {n: markers.length, i: p.i, view: p.view, lat: marker.getLatLng().lat, lng: marker.getLatLng().lng};
}
"""


def test_a_click_on_a_packed_marker_shows_its_record_under_the_map(app_with_many, offline_page, synthetic):
    page = offline_page.page
    page.goto(f"{app_with_many.url}/map?{VIEW}")
    _first(page, FOLIUM_FRAME, app_with_many)
    frame = page.frame_locator(FOLIUM_FRAME).first
    frame.locator(".marker-cluster").first.wait_for(state="attached")  # clustered at the city's zoom
    _wait_until_idle(page)
    before = _records_shown(page)
    assert before > maps.POPUP_LIMIT

    iframe = page.query_selector(FOLIUM_FRAME).content_frame()
    picked = iframe.evaluate(_PICK_A_MARKER)
    assert picked["n"] == before  # every incident of the view is a marker, none lost in packing
    iframe.wait_for_function("() => window.__pm_marker._path && window.__pm_marker._path.isConnected")
    assert "pm-incident" in iframe.evaluate("() => window.__pm_marker._path.getAttribute('class')")
    assert iframe.locator(".leaflet-popup").count() == 0
    iframe.evaluate("() => window.__pm_marker._path.dispatchEvent(new MouseEvent('click', {bubbles: true}))")

    page.get_by_text("Records shown: 1", exact=True).wait_for()
    _wait_until_idle(page)
    assert iframe.locator(".leaflet-popup").count() == 0  # the record is shown under the map, not in a popup
    button = page.get_by_role("button", name="Show all records")
    chosen = button.inner_text().split("(")[-1].rstrip(")")
    record = synthetic.set_index("record_id").loc[chosen]
    # the record chosen is the one under the marker: its position, to the packing's step (under a metre)
    assert abs(record["latitude"] - picked["lat"]) < 1e-5 and abs(record["longitude"] - picked["lng"]) < 1e-5
    offline_page.screenshot("map-packed-selected")


# --------------------------------------------------------------------------- past the point limit: the grid

N_GRID = 340_000  # about 153,000 precise in Almaty: more than maps.POINT_LIMIT


@pytest.fixture(scope="module")
def app_with_a_grid(tmp_path_factory):
    boundaries = load_boundaries(get_settings().boundaries_dir)
    records = complete(synthetic_records(boundaries, N_GRID, 5))
    folder = tmp_path_factory.mktemp("grid")
    store = folder / "store.sqlite"
    open_store(store).write("synthetic", records, kind="import")
    with serve(folder, PROTESTMAP_STORE=str(store)) as running:
        yield running, records.set_index("record_id")


_ZOOM_IN = """
([lat, lng]) => {
    window.map.setView([lat, lng], 18, {animate: false});
    return window.map.getZoom();
}
"""

_PICK_IN_VIEW = """
() => {
    const map = window.map;
    const groups = (window.feature_group || []).filter(g => map.hasLayer(g));
    let marker = null;
    groups.forEach(g => g.eachLayer(c => { if (!marker && c.getLayers) { marker = c.getLayers()[0]; } }));
    if (!marker) { return null; }
    window.__pm_marker = marker;
    return {lat: marker.getLatLng().lat, lng: marker.getLatLng().lng, view: marker.feature.properties.view};
}
"""


def test_a_grid_map_draws_the_incidents_of_a_zoomed_in_view_and_a_click_shows_one(app_with_a_grid, offline_page):
    app, records = app_with_a_grid
    page = offline_page.page
    page.goto(f"{app.url}/map?{VIEW}")
    _first(page, FOLIUM_FRAME, app)
    frame = page.frame_locator(FOLIUM_FRAME).first
    frame.locator("path.pm-grid").first.wait_for(state="attached")
    _wait_until_idle(page)
    assert _records_shown(page) > maps.POINT_LIMIT
    assert frame.locator(".pm-incident").count() == 0 and frame.locator(".marker-cluster").count() == 0
    offline_page.screenshot("map-grid")

    iframe = page.query_selector(FOLIUM_FRAME).content_frame()
    precise = records[(records["city"] == "Almaty") & (records["geo_precision"] == 1)].iloc[0]
    assert iframe.evaluate(_ZOOM_IN, [precise["latitude"], precise["longitude"]]) == 18
    # st_folium reports the new view, the page reruns and adds the view's incidents as a layer
    iframe.wait_for_function("() => (window.feature_group || []).some(g => window.map.hasLayer(g))", timeout=120_000)
    assert iframe.locator("path.pm-grid").count() > 0  # the map itself was not drawn again
    picked = iframe.evaluate(_PICK_IN_VIEW)
    assert picked is not None
    iframe.wait_for_function("() => window.__pm_marker._path && window.__pm_marker._path.isConnected")
    iframe.evaluate("() => window.__pm_marker._path.dispatchEvent(new MouseEvent('click', {bubbles: true}))")
    page.get_by_text("Records shown: 1", exact=True).wait_for(timeout=120_000)
    _wait_until_idle(page)
    chosen = page.get_by_role("button", name="Show all records").inner_text().split("(")[-1].rstrip(")")
    record = records.loc[chosen]
    assert abs(record["latitude"] - picked["lat"]) < 1e-5 and abs(record["longitude"] - picked["lng"]) < 1e-5
    offline_page.screenshot("map-grid-zoomed-selected")
