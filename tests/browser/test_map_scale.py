"""The Map page with more incidents than popups can carry, in headless Chromium with no network.

A store holding a few thousand synthetic incidents inside the shipped boundaries (the
map packs them: geo.maps._packed); a click on one marker must show that record, and
only it, under the map.  With tens of thousands the page draws supercluster's clusters of
the view, never a marker per incident.  What each representation holds is tested in tests/maps.
"""

from __future__ import annotations

import contextlib

import pytest
from test_browser import (  # tests/browser is on sys.path
    FOLIUM_FRAME,
    _first,
    _not_tiles,
    _records_shown,
    _wait_until_idle,
    _why,
)

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


@contextlib.contextmanager
def serving(tmp_path_factory, name: str, records):
    """The app served on a store of its own holding ``records`` as dataset ``synthetic``."""
    folder = tmp_path_factory.mktemp(name)
    store = folder / "store.sqlite"
    open_store(store).write("synthetic", records, kind="import")
    with serve(folder, PROTESTMAP_STORE=str(store)) as running:
        yield running


@pytest.fixture(scope="module")
def synthetic():
    boundaries = load_boundaries(get_settings().boundaries_dir)
    return complete(synthetic_records(boundaries, N, 3))


@pytest.fixture(scope="module")
def app_with_many(tmp_path_factory, synthetic):
    with serving(tmp_path_factory, "many", synthetic) as running:
        yield running


#: The packed layer (geo.maps._packed._PackedClusters): its index holds every incident drawn. The view
#: is set, zoomed in far, on the point that far (a share) into the index, where it is drawn alone as its marker.
_MARKER_AT = """
(share) => {
    const map = window.map;
    const layer = Object.values(map._layers).find(l => l.isPackedIncidents);
    const i = Math.floor(layer.count * share);
    map.setView(layer.latLngOf(i), 18, {animate: false});
    window.__pm_pick = () => layer.drawn(i);  // drawn once the layer has redrawn the new view
    return layer.count;
}
"""


def _marker_at(iframe, share: float) -> dict:
    """Zoom in on the incident ``share`` of the way into the packed layer and wait until it is drawn; its
    marker is then ``window.__pm_marker``: the layer's count and the marker's place."""
    n = iframe.evaluate(_MARKER_AT, share)
    iframe.wait_for_function("() => !!(window.__pm_marker = window.__pm_pick())")
    where = iframe.evaluate("() => window.__pm_marker.getLatLng()")
    return {"n": n, "lat": where["lat"], "lng": where["lng"]}


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
    picked = _marker_at(iframe, 1 / 3)
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


# --------------------------------------------------------------------------- tens of thousands: clusters

N_MANY = 133_000  # about 60,000 precise in Almaty: far more than a page draws as markers
STACKED = 5  # of them at one place


@pytest.fixture(scope="module")
def app_with_tens_of_thousands(tmp_path_factory):
    boundaries = load_boundaries(get_settings().boundaries_dir)
    records = complete(synthetic_records(boundaries, N_MANY, 7))
    # a few reported at one place (one square, say): they never split into clusters of their own
    precise = records.index[(records["city"] == "Almaty") & (records["geo_precision"] == 1)]
    stacked = precise[:STACKED]
    records.loc[stacked, ["latitude", "longitude"]] = records.loc[stacked[0], ["latitude", "longitude"]].to_numpy()
    with serving(tmp_path_factory, "tens-of-thousands", records) as running:
        yield running, records.set_index("record_id")


#: What the packed layer drew in the view: its clusters' counts, its points alone, every element.
_DRAWN = """
() => {
    const map = window.map, view = map.getBounds();
    const layer = Object.values(map._layers).find(l => l.isPackedIncidents);
    let inView = 0;
    for (let i = 0; i < layer.count; i++) { if (view.contains(layer.latLngOf(i))) { inView += 1; } }
    const bubbles = [...document.querySelectorAll(".pm-cluster")];
    return {
        zoom: map.getZoom(),
        count: layer.count,
        inView: inView,
        counts: bubbles.map(b => Number(b.querySelector("[data-count]").dataset.count)),
        texts: bubbles.map(b => b.innerText.trim()),
        singles: document.querySelectorAll("path.pm-incident").length,
        elements: document.querySelectorAll(".leaflet-marker-pane > *, .leaflet-overlay-pane path.pm-incident").length,
    };
}
"""

#: Click the largest cluster of the view, as a reader's click does (on its icon).
_CLICK_A_CLUSTER = """
() => {
    const bubbles = [...document.querySelectorAll(".pm-cluster")];
    const count = b => Number(b.querySelector("[data-count]").dataset.count);
    const biggest = bubbles.reduce((a, b) => (count(b) > count(a) ? b : a));
    biggest.dispatchEvent(new MouseEvent("click", {bubbles: true}));
    return count(biggest);
}
"""

#: Zoom in far on the place several incidents share: each is drawn, beside the others.
_ZOOM_ON_THE_STACK = """
([lat, lng]) => {
    const map = window.map;
    const layer = Object.values(map._layers).find(l => l.isPackedIncidents);
    map.setView([lat, lng], 19, {animate: false});
    const here = [];
    for (let i = 0; i < layer.count; i++) { if (layer.latLngOf(i).distanceTo([lat, lng]) < 1) { here.push(i); } }
    const markers = here.map(i => layer.drawn(i)).filter(m => m);
    const at = markers.map(m => map.latLngToContainerPoint(m.getLatLng()));
    let apart = Infinity;
    at.forEach((a, j) => at.forEach((b, k) => { if (j < k) { apart = Math.min(apart, a.distanceTo(b)); } }));
    const last = markers[markers.length - 1];
    window.__pm_marker = last;
    return {here: here.length, drawn: markers.length, apart: apart, kind: last.feature.properties.event_type};
}
"""


def test_tens_of_thousands_are_drawn_as_the_view_s_clusters_and_a_click_still_shows_one(
    app_with_tens_of_thousands, offline_page
):
    app, records = app_with_tens_of_thousands
    page = offline_page.page
    page.goto(f"{app.url}/map?{VIEW}")
    _first(page, FOLIUM_FRAME, app)
    frame = page.frame_locator(FOLIUM_FRAME).first
    frame.locator(".pm-cluster").first.wait_for(state="attached")
    _wait_until_idle(page)
    shown = _records_shown(page)
    assert maps.POPUP_LIMIT < shown <= maps.POINT_LIMIT and shown > 50_000
    iframe = page.query_selector(FOLIUM_FRAME).content_frame()

    drawn = iframe.evaluate(_DRAWN)
    assert drawn["count"] == shown  # every incident is in the index, none lost in packing
    # the whole city is in view at the start: every incident is in a cluster or drawn alone, once
    assert drawn["inView"] == shown
    assert sum(drawn["counts"]) + drawn["singles"] == shown
    assert drawn["texts"] == [str(c) for c in drawn["counts"]]  # each bubble says its count
    assert len(drawn["counts"]) > 0 and drawn["elements"] < 500, drawn["elements"]
    assert iframe.locator(".leaflet-marker-icon").count() == len(drawn["counts"])  # no marker per incident
    offline_page.screenshot("map-clusters")

    # a click on a cluster zooms to where it splits; the page is not run again for it
    zoom = drawn["zoom"]
    biggest = iframe.evaluate(_CLICK_A_CLUSTER)
    assert biggest > 1
    iframe.wait_for_function(f"() => window.map.getZoom() > {zoom} && !window.map._animatingZoom")
    after = iframe.evaluate(_DRAWN)
    assert after["zoom"] > zoom and after["elements"] < 500
    assert _records_shown(page) == shown

    # zoomed in far, a point stands alone: a click on it shows that record under the map
    picked = _marker_at(iframe, 1 / 2)
    iframe.wait_for_function("() => window.__pm_marker._path && window.__pm_marker._path.isConnected")
    assert "pm-incident" in iframe.evaluate("() => window.__pm_marker._path.getAttribute('class')")
    iframe.evaluate("() => window.__pm_marker._path.dispatchEvent(new MouseEvent('click', {bubbles: true}))")
    page.get_by_text("Records shown: 1", exact=True).wait_for(timeout=120_000)
    _wait_until_idle(page)
    chosen = page.get_by_role("button", name="Show all records").inner_text().split("(")[-1].rstrip(")")
    record = records.loc[chosen]
    assert abs(record["latitude"] - picked["lat"]) < 1e-5 and abs(record["longitude"] - picked["lng"]) < 1e-5
    offline_page.screenshot("map-clusters-selected")

    # several at one place: past the clusters' last zoom each is drawn apart, and a click shows it
    stacked = records[records.duplicated(["latitude", "longitude"], keep=False)]
    assert len(stacked) == STACKED
    spot = stacked.iloc[0]
    here = iframe.evaluate(_ZOOM_ON_THE_STACK, [spot["latitude"], spot["longitude"]])
    assert here["here"] == here["drawn"] == STACKED and here["apart"] >= 14, here  # a marker is 14 px across
    iframe.wait_for_function("() => window.__pm_marker._path && window.__pm_marker._path.isConnected")
    iframe.evaluate("() => window.__pm_marker._path.dispatchEvent(new MouseEvent('click', {bubbles: true}))")
    names = "[...document.querySelectorAll('button')].map(b => b.innerText)"
    page.wait_for_function(
        f"ids => {names}.some(text => ids.some(id => text.endsWith('(' + id + ')')))",
        arg=[str(i) for i in stacked.index],
        timeout=120_000,
    )
    _wait_until_idle(page)
    chosen = page.get_by_role("button", name="Show all records").inner_text().split("(")[-1].rstrip(")")
    assert chosen in stacked.index and records.loc[chosen, "event_type"] == here["kind"]
    assert _not_tiles(offline_page.blocked) == [], _why(_not_tiles(offline_page.blocked))


# --------------------------------------------------------------------------- past the point limit: the grid

N_GRID = 340_000  # about 153,000 precise in Almaty: more than maps.POINT_LIMIT


@pytest.fixture(scope="module")
def app_with_a_grid(tmp_path_factory):
    boundaries = load_boundaries(get_settings().boundaries_dir)
    records = complete(synthetic_records(boundaries, N_GRID, 5))
    with serving(tmp_path_factory, "grid", records) as running:
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
