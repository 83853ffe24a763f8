"""geo.maps: what the folium maps hold and what their HTML says.

Synthetic boundaries (squares, tests/conftest.py) and a handful of records for
the unit tests; the real boundaries and the embedded dataset for the last ones.
"""

from __future__ import annotations

import json
import re
from datetime import date

import folium
import pandas as pd
import pytest
from folium.plugins import HeatMap, MarkerCluster

from geo import maps
from geo.boundaries import load_boundaries
from geo.join import join_incidents
from geo.maps import incident_map, overview_map
from geo.records import load_embedded_records, load_records
from geo.schema import EVENT_TYPES

ON = date(2019, 6, 10)
HOSTILE_SUMMARY = "<img src=x onerror=alert(1)>"
HOSTILE_PLACE = "Square </script><b>bold</b>"

#: record_id, city, lat, lon, precision, event_type, detained_low, detained_high
ROWS = [
    ("A1", "Almaty", 43.225, 76.875, 1, "detention", 100, None),  # almaly
    ("A2", "Almaty", 43.226, 76.876, 1, "rally", None, None),  # almaly
    ("A3", "Almaty", 43.275, 76.825, 2, "journalist_detained", 1, 1),  # medeu
    ("A4", "Almaty", 43.225, 76.925, 3, "detention", 200, 200),  # in auezov, but city only
    ("A5", "Almaty", None, None, 3, "detention", 5, 10),  # city only, no point
    ("H", "Almaty", 43.227, 76.877, 1, "police_violence", 3, 7),  # almaly; made hostile below
    ("N1", "Nur-Sultan", 51.10, 71.35, 1, "rally", None, None),  # Astana's almaty_district
    ("N2", "Nur-Sultan", None, None, 3, "official_statement", 200, 200),
]


def js(text: str) -> str:
    """``text`` as it appears inside a JSON string embedded in the page (HTML-safe, ASCII)."""
    return (
        json.dumps(text)[1:-1]
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
    )


def walk(element):
    yield element
    for child in element._children.values():
        yield from walk(child)


def geojsons(m: folium.Map) -> list[folium.GeoJson]:
    return [e for e in walk(m) if isinstance(e, folium.GeoJson)]


def point_layers(m: folium.Map) -> list[folium.GeoJson]:
    return [g for g in geojsons(m) if g.data["features"] and g.data["features"][0]["geometry"]["type"] == "Point"]


def district_layer(m: folium.Map) -> folium.GeoJson:
    found = [g for g in geojsons(m) if g.data["features"] and "district_id" in g.data["features"][0]["properties"]]
    assert len(found) == 1
    return found[0]


def controls(m: folium.Map, css_class: str) -> list:
    return [e for e in walk(m) if getattr(e, "css_class", None) == css_class]


@pytest.fixture
def boundaries(boundary_files, write_boundary_folder):
    return load_boundaries(write_boundary_folder(boundary_files))


@pytest.fixture
def joined(tmp_path, boundaries) -> pd.DataFrame:
    lines = [
        "record_id,date,city,place_name_en,place_name_ru,latitude,longitude,geo_precision,"
        "event_type,detained_low,detained_high,count_kind,summary,source_urls"
    ]
    for rid, city, lat, lon, precision, kind, low, high in ROWS:
        count_kind = "incremental" if low is not None else ""
        lines.append(
            f"{rid},2019-06-10,{city},Place {rid},Место {rid},{'' if lat is None else lat},"
            f"{'' if lon is None else lon},{precision},{kind},{'' if low is None else low},"
            f"{'' if high is None else high},{count_kind},Summary of {rid},https://example.org/{rid}"
        )
    path = tmp_path / "records.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    records = load_records(path)
    # A hostile row, as if a bad source had slipped past validation.
    hostile = records["record_id"] == "H"
    records.loc[hostile, "summary"] = HOSTILE_SUMMARY
    records.loc[hostile, "place_name_en"] = HOSTILE_PLACE
    records.loc[hostile, "source_urls"] = (
        'javascript:alert(1) https://news.example.com/a?x=1&y="2" ftp://files.example.com/f'
    )
    return join_incidents(records, boundaries)


def render(m: folium.Map) -> str:
    return m.get_root().render()


# --------------------------------------------------------------------------- incidents


def test_incidents_are_one_feature_collection_in_a_cluster(joined, boundaries):
    m = incident_map(joined, boundaries, city_id="almaty", on=ON, asset_base=None)
    points = point_layers(m)
    assert len(points) == 1
    layer = points[0]
    assert isinstance(layer._parent, MarkerCluster)
    ids = [f["properties"]["record_id"] for f in layer.data["features"]]
    assert sorted(ids) == ["A1", "A2", "A3", "H"]
    assert {f["properties"]["event_type"] for f in layer.data["features"]} <= set(EVENT_TYPES)
    kinds = {type(e).__name__ for e in walk(m)}
    assert not kinds & {"Marker", "CircleMarker", "Circle", "Popup", "Tooltip"}
    html = render(m)
    assert html.count("L.markerClusterGroup(") == 1
    assert html.count('className: "pm-incident"') == 1
    assert html.count(f"{layer.get_name()}.addTo({layer._parent.get_name()})") == 1
    for rid in ids:
        assert f'"record_id": "{rid}"' in html


def test_popup_counts_place_and_links(joined, boundaries):
    m = incident_map(joined, boundaries, city_id="almaty", on=ON, asset_base=None)
    popups = {f["properties"]["record_id"]: f["properties"]["popup"] for f in point_layers(m)[0].data["features"]}
    assert "Detained: at least 100" in popups["A1"]
    assert "Detained: 1<" in popups["A3"]
    assert "Detained: 3–7" in popups["H"]
    assert "Detained" not in popups["A2"]
    assert "<div>Place A1</div>" in popups["A1"] and "2019-06-10" in popups["A1"]
    assert ('<a href="https://example.org/A1" target="_blank" rel="noopener noreferrer">example.org</a>') in popups[
        "A1"
    ]
    ru = incident_map(joined, boundaries, city_id="almaty", on=ON, lang="ru", asset_base=None)
    ru_popups = {f["properties"]["record_id"]: f["properties"]["popup"] for f in point_layers(ru)[0].data["features"]}
    assert "<div>Место A1</div>" in ru_popups["A1"]
    assert "Задержано: не менее 100" in ru_popups["A1"]
    kk = incident_map(joined, boundaries, city_id="almaty", on=ON, lang="kk", asset_base=None)
    kk_popups = {f["properties"]["record_id"]: f["properties"]["popup"] for f in point_layers(kk)[0].data["features"]}
    assert "<div>Место A1</div>" in kk_popups["A1"]  # no Kazakh name: Russian, then English (one rule)
    assert "Ұсталғандар: кемінде 100" in kk_popups["A1"]


def test_hostile_record_produces_no_live_markup(joined, boundaries):
    m = incident_map(joined, boundaries, city_id="almaty", on=ON, asset_base=None)
    popup = next(
        f["properties"]["popup"] for f in point_layers(m)[0].data["features"] if f["properties"]["record_id"] == "H"
    )
    assert "&lt;img src=x onerror=alert(1)&gt;" in popup
    assert "<img" not in popup
    assert "Square &lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in popup
    assert "<b>bold" not in popup
    assert "javascript:" not in popup
    assert 'href="https://news.example.com/a?x=1&amp;y=&quot;2&quot;"' in popup
    assert ">news.example.com</a>" in popup
    assert "ftp:" not in popup
    assert "not shown (not http/https): 2" in popup
    html = render(m)
    assert "<img src=x" not in html
    assert "</script><b>" not in html
    assert "javascript:" not in html
    assert js("&lt;img src=x onerror=alert(1)&gt;") in html
    assert html.count("<script") == html.count("</script>")


def test_template_syntax_in_the_data_is_never_evaluated(joined, boundary_files, write_boundary_folder):
    # branca compiles rendered scripts as Jinja templates: a '{{ 7*7 }}' would print 49.
    boundary_files["almaty_districts_osm2017.geojson"]["features"][1]["properties"]["name_en"] = (
        "Almaly {{ 7*7 }} {% if true %}x{% endif %}"
    )
    boundaries = load_boundaries(write_boundary_folder(boundary_files, name="templated"))
    frame = joined.copy()
    frame.loc[frame["record_id"] == "A1", "summary"] = "{{ 7*7 }} {{ this.get_name() }}"
    html = render(incident_map(frame, boundaries, city_id="almaty", on=ON, asset_base=None))
    assert "{{ 7*7 }} {{ this.get_name() }}" in html
    assert "Almaly {{ 7*7 }} {% if true %}x{% endif %}" in html
    assert "Almaly 49" not in html and "49 element_" not in html and "49 geo_json" not in html


def test_city_level_records_are_counted_not_drawn(joined, boundaries):
    m = incident_map(joined, boundaries, city_id="almaty", on=ON, asset_base=None)
    ids = {f["properties"]["record_id"] for f in point_layers(m)[0].data["features"]}
    assert not ids & {"A4", "A5", "N1", "N2"}
    (badge,) = controls(m, "pm-city-badge")
    assert badge.data == {"count": 2}
    assert badge.html == "2 records known only to city level (not on the map)"
    assert badge.position == "topright"
    assert js(badge.html) in render(m)
    astana = incident_map(joined, boundaries, city_id="astana", on=ON, asset_base=None)
    assert controls(astana, "pm-city-badge")[0].html == ("1 record known only to city level (not on the map)")
    ru = incident_map(joined, boundaries, city_id="almaty", on=ON, lang="ru", asset_base=None)
    assert controls(ru, "pm-city-badge")[0].html.startswith("2 записи известны")


def test_heat_layer_is_off_and_weighted_by_detained_low(joined, boundaries):
    m = incident_map(joined, boundaries, city_id="almaty", on=ON, asset_base=None)
    (heat,) = [e for e in walk(m) if isinstance(e, HeatMap)]
    assert heat.show is False
    assert sorted(w for _, _, w in heat.data) == [1.0, 1.0, 3.0, 100.0]


# --------------------------------------------------------------------------- districts


def test_district_features_carry_id_metric_value_and_class(joined, boundaries):
    table = pd.DataFrame(
        {
            "district_id": ["almaly", "medeu", "city_level"],
            "incidents": [3, 1, 2],
            "detained_low": [103, 1, 205],
        }
    )
    m = incident_map(joined, boundaries, city_id="almaty", on=ON, districts=table, asset_base=None)
    layer = district_layer(m)
    props = {f["properties"]["district_id"]: f["properties"] for f in layer.data["features"]}
    assert sorted(props) == sorted(
        ["alatau", "almaly", "auezov", "bostandyk", "medeu", "nauryzbay", "turksib", "zhetysu"]
    )
    assert {d: p["value"] for d, p in props.items() if p["value"]} == {"almaly": 103, "medeu": 1}
    assert {p["metric"] for p in props.values()} == {"detained"}
    assert props["almaly"]["tooltip"] == "<b>Almaly</b><br>Detained, at least: 103"
    styles = [layer.style_function(f) for f in layer.data["features"]]
    assert all(s["className"] == "pm-district" for s in styles)
    fills = {f["properties"]["district_id"]: s["fillColor"] for f, s in zip(layer.data["features"], styles)}
    assert fills["auezov"] == maps.ZERO_FILL
    assert fills["almaly"] != fills["medeu"] != maps.ZERO_FILL
    html = render(m)
    assert '"className": "pm-district"' in html
    assert '"district_id": "almaly"' in html


def test_a_whole_district_table_with_its_remainder_rows_shades_only_districts(joined, boundaries):
    table = pd.DataFrame(
        {
            "district_id": ["almaly", "", ""],
            "incidents": [3, 10, 10],
            "detained_low": [103, 0, 3562],
            "kind": ["district", "city_level", "unallocated"],
        }
    )
    m = incident_map(joined, boundaries, city_id="almaty", on=ON, districts=table, asset_base=None)
    props = {f["properties"]["district_id"]: f["properties"] for f in district_layer(m).data["features"]}
    assert {d: p["value"] for d, p in props.items() if p["value"]} == {"almaly": 103}


def test_metric_changes_legend_title_and_values(joined, boundaries):
    table = pd.DataFrame({"district_id": ["almaly"], "incidents": [3], "detained_low": [103]})
    legends = {}
    for metric in ("detained", "incidents"):
        m = incident_map(joined, boundaries, city_id="almaty", on=ON, districts=table, metric=metric, asset_base=None)
        props = {f["properties"]["district_id"]: f["properties"] for f in district_layer(m).data["features"]}
        assert props["almaly"]["metric"] == metric
        assert props["almaly"]["value"] == {"detained": 103, "incidents": 3}[metric]
        (legend,) = controls(m, "pm-legend")
        legends[metric] = legend.html
    assert "Detained, at least (reconciled floor)" in legends["detained"]
    assert "Detained" not in legends["incidents"].split("Event type")[0]
    assert "Incidents</div>" in legends["incidents"]
    assert "84–103</div>" in legends["detained"] and "103" not in legends["incidents"]
    assert "</span>3</div>" in legends["incidents"]


def test_without_a_district_table_districts_are_shaded_by_incidents_and_the_legend_says_so(joined, boundaries):
    m = incident_map(joined, boundaries, city_id="almaty", on=ON, metric="detained", asset_base=None)
    props = {f["properties"]["district_id"]: f["properties"] for f in district_layer(m).data["features"]}
    assert {d: p["value"] for d, p in props.items() if p["value"]} == {"almaly": 3, "medeu": 1}
    assert {p["metric"] for p in props.values()} == {"incidents"}
    legend = controls(m, "pm-legend")[0].html
    assert "detention figures are not added up per district" in legend


def test_astana_layer_follows_the_date(joined, boundaries):
    for on, expected in ((date(2019, 6, 10), 4), (date(2023, 6, 1), 5), (date(2025, 1, 1), 6)):
        m = incident_map(joined, boundaries, city_id="astana", on=on, asset_base=None)
        ids = [f["properties"]["district_id"] for f in district_layer(m).data["features"]]
        assert len(ids) == expected, on
        assert ("nura" in ids) == (expected >= 5)
    legend = controls(incident_map(joined, boundaries, city_id="astana", on=ON, asset_base=None), "pm-legend")[0].html
    assert "Nur-Sultan: districts on 2019-06-10" in legend


def test_no_layer_in_force_draws_no_districts_and_says_so(joined, boundaries):
    m = incident_map(joined, boundaries, city_id="astana", on=date(2017, 1, 1), asset_base=None)
    assert not [g for g in geojsons(m) if g.data["features"] and "district_id" in g.data["features"][0]["properties"]]
    assert "no district layer is in force on 2017-01-01" in controls(m, "pm-legend")[0].html


def test_russian_names_in_tooltips(joined, boundaries):
    m = incident_map(joined, boundaries, city_id="almaty", on=ON, lang="ru", asset_base=None)
    props = {f["properties"]["district_id"]: f["properties"] for f in district_layer(m).data["features"]}
    assert props["almaly"]["name"] == "almaly (ru)"
    assert props["almaly"]["tooltip"] == "<b>almaly (ru)</b><br>Инциденты: 3"
    assert js("<b>almaly (ru)</b>") in render(m)
    kk = incident_map(joined, boundaries, city_id="almaty", on=ON, lang="kk", asset_base=None)
    kk_props = {f["properties"]["district_id"]: f["properties"] for f in district_layer(kk).data["features"]}
    assert kk_props["almaly"]["name"] == "almaly (kk)"


# --------------------------------------------------------------------------- basemap, attribution


def test_without_tiles_no_tile_layer_and_a_plain_background(joined, boundaries):
    m = incident_map(joined, boundaries, city_id="almaty", on=ON, tiles=False, asset_base=None)
    assert not [e for e in walk(m) if isinstance(e, folium.TileLayer)]
    html = render(m)
    assert "tile.openstreetmap.org" not in html and "L.tileLayer" not in html
    assert "No basemap: districts and incidents are drawn on a plain background." in html
    assert js(maps.PLAIN_BACKGROUND) in html
    # without a tile layer the map itself carries the zoom limit MarkerCluster needs
    assert '"maxZoom": 19' in html


def test_with_tiles_the_tile_error_note_is_wired(joined, boundaries):
    m = incident_map(joined, boundaries, city_id="almaty", on=ON, tiles=True, asset_base=None)
    (tiles,) = [e for e in walk(m) if isinstance(e, folium.TileLayer)]
    html = render(m)
    assert f'{tiles.get_name()}.on("tileerror"' in html
    assert (
        "Basemap tiles could not be loaded (no network): districts and incidents are drawn on a plain background."
    ) in html
    assert js("© OpenStreetMap contributors") in html


def test_attributions_of_the_data_layers(joined, boundaries):
    almaty = render(incident_map(joined, boundaries, city_id="almaty", on=ON, tiles=False, asset_base=None))
    assert f'"attribution": "{js("© OpenStreetMap contributors")}"' in almaty
    astana_map = incident_map(joined, boundaries, city_id="astana", on=ON, tiles=False, asset_base=None)
    line = boundaries.layer_for("astana", ON).attribution
    assert line == "Districts: Astana city GIS (gis.esaulet.kz), licence not established"
    assert district_layer(astana_map).options["attribution"] == line
    html = render(astana_map)
    assert js(line) in html
    assert f'"attribution": "{js("© OpenStreetMap contributors")}"' in html  # the outline


def test_layer_control_and_fit_to_the_city(joined, boundaries):
    m = incident_map(joined, boundaries, city_id="almaty", on=ON, asset_base=None)
    assert len([e for e in walk(m) if isinstance(e, folium.LayerControl)]) == 1
    html = render(m)
    assert "fitBounds(" in html
    assert re.search(r"\[\[43\.2, 76\.8\], \[43\.3, 77\.0\]\]", html)


@pytest.mark.parametrize("which", ["incident", "overview"])
def test_the_boundary_layers_bounds_are_those_of_their_coordinates(joined, boundaries, which):
    # st_folium asks the map for its bounds: the boundary layers give theirs without walking every coordinate
    if which == "incident":
        m = incident_map(joined, boundaries, city_id="almaty", on=ON, asset_base=None)
    else:
        m = overview_map(joined, boundaries, ON, tiles=False, asset_base=None)
    told = [g for g in geojsons(m) if g._known_bounds is not None]
    # the districts and the outline of one city, or each city's districts and the outlines
    assert len(told) == (2 if which == "incident" else 3)

    def flat(bounds):
        return [value for corner in bounds for value in corner]

    for layer in told:
        walked = folium.utilities.get_bounds(layer.data, lonlat=True)
        assert flat(layer._get_self_bounds()) == pytest.approx(flat(walked))
    every = [c for g in geojsons(m) for c in folium.utilities.iter_coords(g.data)]
    assert flat(m.get_bounds()) == pytest.approx(flat(folium.utilities.get_bounds(every, lonlat=True)))


def test_rendered_html_loads_nothing_remote_when_assets_are_local(joined, boundaries):
    m = incident_map(joined, boundaries, city_id="almaty", on=ON)  # default asset_base
    html = render(m)
    remote = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?:[^"]*)"', html)
    assert remote == []
    assert "/app/static/vendor/leaflet.markercluster/" in html


def test_bad_arguments_say_what_was_expected(joined, boundaries):
    with pytest.raises(ValueError, match="unknown metric 'arrests'"):
        incident_map(joined, boundaries, city_id="almaty", on=ON, metric="arrests")
    with pytest.raises(ValueError, match="unknown language 'de'"):
        incident_map(joined, boundaries, city_id="almaty", on=ON, lang="de")
    with pytest.raises(ValueError, match="unknown city_id 'shymkent'"):
        incident_map(joined, boundaries, city_id="shymkent", on=ON)
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['attribution'\]"):
        incident_map(joined.drop(columns="attribution"), boundaries, city_id="almaty", on=ON)


# --------------------------------------------------------------------------- overview, speed


def test_overview_map_shows_both_cities(joined, boundaries):
    m = overview_map(joined, boundaries, ON, tiles=False, asset_base=None)
    (points,) = point_layers(m)
    assert sorted(f["properties"]["record_id"] for f in points.data["features"]) == ["A1", "A2", "A3", "H", "N1"]
    district_ids = [
        f["properties"]["district_id"]
        for g in geojsons(m)
        for f in g.data["features"]
        if "district_id" in f["properties"]
    ]
    assert len(district_ids) == 8 + 4
    assert not [e for e in walk(m) if isinstance(e, MarkerCluster)]
    assert re.search(r"\[\[43\.2, 71\.3\], \[51\.25, 77\.0\]\]", render(m))


# (maps of more than POPUP_LIMIT incidents: tests/maps/test_maps_scale.py)


# --------------------------------------------------------------------------- real data


@pytest.fixture
def real_joined(boundary_real_dir):
    boundaries = load_boundaries(boundary_real_dir)
    records = load_embedded_records()
    return join_incidents(records, boundaries), boundaries


def test_real_almaty_map_9_to_13_june_2019(real_joined):
    joined, boundaries = real_joined
    window = joined[(joined["date"] >= "2019-06-09") & (joined["date"] <= "2019-06-13")]
    m = incident_map(window, boundaries, city_id="almaty", on=date(2019, 6, 13), asset_base=None)
    assert len(district_layer(m).data["features"]) == 8
    ids = {f["properties"]["record_id"] for f in point_layers(m)[0].data["features"]}
    square = window[
        (window["city_id"] == "almaty")
        & window["place_name_en"].str.contains("Astana Square")
        & (window["attribution"] == "district")
    ]
    assert len(square) >= 5
    assert set(square["record_id"]) <= ids
    assert {"ALA-20190609-02", "ALA-20190610-01", "ALA-20190612-01"} <= ids
    expected_city = int(((window["city_id"] == "almaty") & (window["attribution"] == "city")).sum())
    assert controls(m, "pm-city-badge")[0].data == {"count": expected_city}
    render(m)


def test_real_astana_map_2019_has_four_districts(real_joined):
    joined, boundaries = real_joined
    window = joined[(joined["date"] >= "2019-06-09") & (joined["date"] <= "2019-06-13")]
    m = incident_map(window, boundaries, city_id="astana", on=date(2019, 6, 13), asset_base=None)
    assert len(district_layer(m).data["features"]) == 4
    ids = {f["properties"]["record_id"] for f in point_layers(m)[0].data["features"]}
    assert "NQZ-20190613-01" in ids


def test_legend_can_be_left_out_for_small_maps(joined, boundaries):
    with_legend = incident_map(joined, boundaries, city_id="almaty", on=ON, asset_base=None)
    without = incident_map(joined, boundaries, city_id="almaty", on=ON, asset_base=None, legend=False)
    assert len(controls(with_legend, "pm-legend")) == 1 and controls(without, "pm-legend") == []
    assert len(controls(without, "pm-city-badge")) == 1


# --------------------------------------------------------------------------- no boundaries


@pytest.fixture
def unjoined(joined) -> pd.DataFrame:
    """The same records as a dashboard without any boundaries has them: placed by stated city only."""
    from geo.join import place_by_stated_city

    return place_by_stated_city(joined[[c for c in joined.columns if c not in ("city_id", "district_id")]])


def test_without_boundaries_precise_incidents_are_drawn_in_no_district_and_the_rest_counted(unjoined):
    m = incident_map(unjoined, None, city_id="almaty", on=ON, asset_base=None)
    (points,) = point_layers(m)
    drawn = {f["properties"]["record_id"] for f in points.data["features"]}
    assert drawn == {"A1", "A2", "A3", "H"}  # precision 1-2 in Almaty; A4 (precision 3) never pinned
    assert not [g for g in geojsons(m) if g.data["features"] and "district_id" in g.data["features"][0]["properties"]]
    assert "pm-district" not in render(m)
    (badge,) = controls(m, "pm-city-badge")
    assert badge.data == {"count": 2}  # A4 and A5
    (legend,) = controls(m, "pm-legend")
    assert "No district boundaries: the incidents of Almaty are drawn where their sources put them" in legend.html
    west, south, east, north = maps.CITY_EXTENTS["almaty"]
    assert re.search(rf"fitBounds\(\s*\[\[{south}, {west}\], \[{north}, {east}\]\]", render(m))


def test_without_boundaries_the_map_speaks_the_reader_s_language(unjoined):
    m = incident_map(unjoined, None, city_id="astana", on=ON, lang="kk", asset_base=None)
    (legend,) = controls(m, "pm-legend")
    assert "Аудан шекаралары жоқ: оқиғалар (Нұр-Сұлтан)" in legend.html
    assert {f["properties"]["record_id"] for f in point_layers(m)[0].data["features"]} == {"N1"}
    assert controls(m, "pm-city-badge")[0].data == {"count": 1}
    with pytest.raises(ValueError, match="unknown city_id 'karaganda'"):
        incident_map(unjoined, None, city_id="karaganda", on=ON)


def test_the_city_extents_contain_the_shipped_outlines(boundary_real_dir):
    outlines = load_boundaries(boundary_real_dir).outlines
    for city_id, geometry in zip(outlines["city_id"], outlines.geometry):
        west, south, east, north = maps.CITY_EXTENTS[city_id]
        minx, miny, maxx, maxy = geometry.bounds
        assert west <= minx and south <= miny and east >= maxx and north >= maxy
        assert minx - west < 0.02 and maxy - north > -0.02  # and hug them


def test_the_legend_folds_and_starts_folded_on_a_narrow_map(joined, boundaries):
    m = incident_map(joined, boundaries, city_id="almaty", on=ON, lang="ru", asset_base=None)
    (legend,) = controls(m, "pm-legend")
    assert legend.html.startswith('<details class="pm-legend-fold" open><summary')
    assert "<summary" in legend.html and ">Легенда</summary>" in legend.html
    html = render(m)
    assert f".getSize().x < {maps.interactive.LEGEND_FOLDED_BELOW}" in html
    overview = overview_map(joined, boundaries, ON, asset_base=None)
    assert controls(overview, "pm-legend")[0].html.startswith('<details class="pm-legend-fold" open>')


def test_the_no_network_note_can_be_closed_in_the_reader_s_language(joined, boundaries):
    html = render(incident_map(joined, boundaries, city_id="almaty", on=ON, lang="kk", tiles=False, asset_base=None))
    assert 'close.title = "\\u0416\\u0430\\u0431\\u0443"' in html  # «Жабу», as the template's JSON writes it
    assert "note.remove()" in html


def test_attributions_speak_the_map_s_language_and_keep_the_names(joined, boundaries):
    m = incident_map(joined, boundaries, city_id="astana", on=ON, lang="kk", asset_base=None)
    assert district_layer(m).options["attribution"] == (
        "Аудандар: Астана қаласының ГАЖ (gis.esaulet.kz), лицензиясы анықталмаған"
    )
    assert js("© OpenStreetMap қатысушылары") in render(m)


def test_a_district_s_tooltip_gives_its_whole_range_as_the_districts_page_does(joined, boundaries):
    table = pd.DataFrame(
        {
            "district_id": ["almaly", "medeu", "auezov"],
            "incidents": [3, 1, 1],
            "detained_low": [230, 10, 1500],
            "detained_high": [None, 20, 1500],
        }
    )
    for lang, expected in {
        "en": {"almaly": "Detained: at least 230", "medeu": "Detained: 10–20", "auezov": "Detained: 1,500"},
        "kk": {"almaly": "Ұсталғандар: кемінде 230", "medeu": "Ұсталғандар: 10–20"},
    }.items():
        m = incident_map(joined, boundaries, city_id="almaty", on=ON, districts=table, lang=lang, asset_base=None)
        tips = {f["properties"]["district_id"]: f["properties"]["tooltip"] for f in district_layer(m).data["features"]}
        for district, text in expected.items():
            assert tips[district].endswith(f"<br>{text}"), (lang, tips[district])
    # shaded by incidents, the tooltip says the incidents
    m = incident_map(joined, boundaries, city_id="almaty", on=ON, districts=table, metric="incidents", asset_base=None)
    almaly = next(f for f in district_layer(m).data["features"] if f["id"] == "almaly")
    assert almaly["properties"]["tooltip"] == "<b>Almaly</b><br>Incidents: 3"
