"""geo.maps.static: the briefing pack's static map, checked on its artists and on the PNG.

Real boundaries and the embedded dataset (the June 2019 election protests, the
view the app opens on).  Every figure is drawn (``canvas.draw()``) so that a
missing glyph would warn, and warnings are errors here.
"""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import pytest
from matplotlib.colors import to_hex
from matplotlib.image import imread

from geo.boundaries import UTM_EPSG
from geo.brief import build_briefing
from geo.filters import Filters
from geo.maps import EVENT_COLOURS, SHADE_SCALE, ZERO_FILL, shade_classes, shade_fill
from geo.maps.static import map_figure, map_png
from geo.words import word as label

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "staticmap"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def by_gid(fig, gid: str) -> list:
    return fig.findobj(lambda artist: artist.get_gid() == gid)


def one(fig, gid: str):
    found = by_gid(fig, gid)
    assert len(found) == 1, f"{len(found)} artists with gid {gid!r}"
    return found[0]


def with_prefix(fig, prefix: str) -> dict:
    return {a.get_gid()[len(prefix) :]: a for a in fig.findobj(lambda a: str(a.get_gid()).startswith(prefix))}


def drawn(fig):
    fig.canvas.draw()
    return fig


def plain(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def almaty(make_briefing):
    return make_briefing(city="almaty")


@pytest.fixture(scope="module")
def almaty_figure(almaty):
    return drawn(map_figure(almaty))


def district_values(part, column: str = "detained_low") -> dict[str, int]:
    rows = part.districts[part.districts["kind"] == "district"]
    return {str(d): int(v) for d, v in zip(rows["district_id"], rows[column])}


def test_almaty_june_2019_districts_are_shaded_by_the_reconciled_floor(almaty, almaty_figure):
    [part] = almaty.cities
    patches = with_prefix(almaty_figure, "district:")
    layer = almaty.boundaries.layer_for("almaty", date(2019, 6, 13))
    assert sorted(patches) == sorted(layer.districts["district_id"]) and len(patches) == 8
    values = district_values(part)
    classes = shade_classes(values.values())
    fills = {d: to_hex(p.get_facecolor(), keep_alpha=False) for d, p in patches.items()}
    assert fills == {d: shade_fill(v, classes) for d, v in values.items()}
    top = max(values, key=values.get)
    assert values[top] > 0 and fills[top] == SHADE_SCALE[-1]  # the darkest class
    zeros = [d for d, v in values.items() if v == 0]
    assert zeros and all(fills[d] == ZERO_FILL for d in zeros)
    assert len({fills[d] for d in values if values[d] > 0}) >= 2  # Almaly and Alatau differ


def test_district_patches_are_the_layer_in_utm_metres(almaty, almaty_figure):
    layer = almaty.boundaries.layer_for("almaty", date(2019, 6, 13))
    utm = layer.districts.to_crs(UTM_EPSG["almaty"]).set_index("district_id")
    for district_id, patch in with_prefix(almaty_figure, "district:").items():
        x0, y0, x1, y1 = utm.loc[district_id].geometry.bounds
        extent = patch.get_path().get_extents()
        assert np.allclose([extent.x0, extent.y0, extent.x1, extent.y1], [x0, y0, x1, y1], atol=1.0)


def test_metric_incidents_shades_by_the_incident_count(make_briefing):
    brief = make_briefing(city="almaty", metric="incidents")
    fig = drawn(map_figure(brief))
    [part] = brief.cities
    values = district_values(part, "incidents")
    classes = shade_classes(values.values())
    fills = {d: to_hex(p.get_facecolor(), keep_alpha=False) for d, p in with_prefix(fig, "district:").items()}
    assert fills == {d: shade_fill(v, classes) for d, v in values.items()}
    legend = one(fig, "legend-classes")
    assert plain(legend.get_title().get_text()) == "Incidents"


@pytest.mark.parametrize("lang, column", [("ru", "name_ru"), ("kk", "name_kk"), ("en", "name_en")])
def test_district_labels_are_the_boundary_names_in_the_language(make_briefing, lang, column):
    brief = make_briefing(city="almaty", lang=lang)
    fig = drawn(map_figure(brief))  # a missing Cyrillic or Kazakh glyph would warn (an error here)
    layer = brief.boundaries.layer_for("almaty", brief.cities[0].layer_date)
    expected = dict(zip(layer.districts["district_id"], layer.districts[column]))
    labels = {d: plain(t.get_text()) for d, t in with_prefix(fig, "district-label:").items()}
    assert labels == expected
    if lang == "kk":
        assert labels["auezov"] == "Әуезов ауданы" and labels["turksib"] == "Түрксіб ауданы"
    if lang == "ru":
        assert labels["almaly"] == "Алмалинский район"


def test_every_placed_record_is_one_point_coloured_by_its_event_type(almaty, almaty_figure):
    [part] = almaty.cities
    points = one(almaty_figure, "incidents")
    offsets = points.get_offsets()
    assert len(offsets) == len(part.placed) == 9
    colours = sorted(to_hex(c, keep_alpha=False) for c in points.get_facecolors())
    assert colours == sorted(EVENT_COLOURS[k].lower() for k in part.placed["event_type"])
    # a point sits on its record's spot, or at the end of a leader line from that spot
    transformer = pyproj.Transformer.from_crs(4326, UTM_EPSG["almaty"], always_xy=True)
    x, y = transformer.transform(part.placed["longitude"].to_numpy(float), part.placed["latitude"].to_numpy(float))
    spots = {(round(a), round(b)) for a, b in zip(x, y)}
    leaders = one(almaty_figure, "incident-leaders").get_segments()
    fanned = {(round(s[1][0]), round(s[1][1])): (round(s[0][0]), round(s[0][1])) for s in leaders}
    for px, py in offsets:
        key = (round(px), round(py))
        assert key in spots or fanned.get(key) in spots
    # 8 records at Republic Square (Almaly) fan out; the one in Alatau stays on its spot
    assert len(leaders) == 8
    assert len(set(fanned.values())) == 1


def test_fanned_points_do_not_overlap(almaty_figure):
    points = one(almaty_figure, "incidents")
    ax = points.axes
    pixels = ax.transData.transform(points.get_offsets())
    diameter = np.sqrt(points.get_sizes()[0]) * almaty_figure.dpi / 72
    gaps = [np.hypot(*(a - b)) for i, a in enumerate(pixels) for b in pixels[i + 1 :]]
    assert min(gaps) >= diameter * 0.99


def test_city_level_note_counts_the_records_not_drawn(almaty, almaty_figure, make_briefing):
    [part] = almaty.cities
    assert len(part.city_level) == 10
    assert plain(one(almaty_figure, "city-level-note").get_text()) == (
        "10 records known only to city level (not on the map)"
    )
    ru = drawn(map_figure(make_briefing(city="almaty", lang="ru")))
    assert plain(one(ru, "city-level-note").get_text()).startswith("10 записей известны только")


def test_scale_bar_is_a_round_length_drawn_true_to_scale(almaty_figure):
    text = one(almaty_figure, "scalebar-label").get_text()
    match = re.fullmatch(r"(\d+) km", text)
    assert match, text
    km = int(match.group(1))
    assert km in (1, 2, 5, 10, 20, 50)
    bar = one(almaty_figure, "scalebar")
    assert bar.get_width() == pytest.approx(km * 1000)
    ax = bar.axes
    x0, x1 = ax.get_xlim()
    assert 0.1 * (x1 - x0) <= bar.get_width() <= 0.3 * (x1 - x0)
    # on the ground: the bar's ends are km apart (UTM's scale factor is within 0.1 % here)
    back = pyproj.Transformer.from_crs(UTM_EPSG["almaty"], 4326, always_xy=True)
    lon0, lat0 = back.transform(bar.get_x(), bar.get_y())
    lon1, lat1 = back.transform(bar.get_x() + bar.get_width(), bar.get_y())
    _, _, metres = pyproj.Geod(ellps="WGS84").inv(lon0, lat0, lon1, lat1)
    assert metres == pytest.approx(km * 1000, rel=2e-3)


def test_north_arrow_points_to_true_north(almaty, almaty_figure):
    assert one(almaty_figure, "north-arrow-label").get_text() == "N"
    arrow = one(almaty_figure, "north-arrow")
    (tx, ty), (hx, hy) = arrow._posA_posB
    bearing = np.degrees(np.arctan2(hx - tx, hy - ty))  # clockwise from grid north
    outline = almaty.boundaries.outline("almaty").centroid
    factors = pyproj.Proj(f"EPSG:{UTM_EPSG['almaty']}").get_factors(outline.x, outline.y)
    # grid north is east of true north east of the central meridian: true north is to the left
    assert bearing == pytest.approx(-factors.meridian_convergence, abs=0.05)
    assert 0.5 < abs(bearing) < 3


def test_attribution_and_titles(almaty, almaty_figure, make_briefing):
    assert plain(one(almaty_figure, "attribution").get_text()) == "© OpenStreetMap contributors"
    assert one(almaty_figure, "title").get_text() == "Almaty: 2019-06-09 – 2019-06-13"
    assert one(almaty_figure, "subtitle").get_text() == "districts in force on 2019-06-13"
    astana = make_briefing(city="astana", lang="ru")
    fig = drawn(map_figure(astana))
    assert astana.boundaries.attributions("astana", date(2019, 6, 13)) == [
        "Districts: Astana city GIS (gis.esaulet.kz), licence not established",
        "© OpenStreetMap contributors",
    ]
    assert plain(one(fig, "attribution").get_text()) == (  # in the pack's language: the names stay
        "Районы: ГИС города Астаны (gis.esaulet.kz), лицензия не установлена · © участники OpenStreetMap"
    )
    assert one(fig, "title").get_text() == "Нур-Султан: 2019-06-09 – 2019-06-13"
    assert one(fig, "subtitle").get_text() == "районы на 2019-06-13"


def test_legends_list_the_classes_and_the_event_types_present(almaty, almaty_figure):
    [part] = almaty.cities
    classes = shade_classes(district_values(part).values())
    legend = one(almaty_figure, "legend-classes")
    assert plain(legend.get_title().get_text()) == "Detained, at least (reconciled floor)"
    texts = [t.get_text() for t in legend.get_texts()]
    assert texts[0] == "0" and len(texts) == len(classes) + 1
    assert texts[-1].endswith(str(max(district_values(part).values())))
    events = one(almaty_figure, "legend-events")
    assert [t.get_text() for t in events.get_texts()] == ["Rally", "Detention", "Journalist detained"]


def test_astana_june_2019_has_its_four_districts(make_briefing):
    brief = make_briefing(city="astana")
    fig = drawn(map_figure(brief))
    assert sorted(with_prefix(fig, "district:")) == ["almaty_district", "baikonyr", "saryarka", "yesil"]
    assert len(one(fig, "incidents").get_offsets()) == len(brief.cities[0].placed) == 1
    assert by_gid(fig, "incident-leaders") == []


def test_both_cities_side_by_side(make_briefing):
    brief = make_briefing()
    fig = drawn(map_figure(brief, size_in=(14, 8)))
    panels = [ax for ax in fig.axes if str(ax.get_gid()).startswith("panel:")]
    assert [ax.get_gid() for ax in panels] == ["panel:almaty", "panel:astana"]
    left, right = (ax.get_position() for ax in panels)
    assert left.x1 <= right.x0
    assert left.y0 == pytest.approx(right.y0) and left.y1 == pytest.approx(right.y1)  # maps aligned
    assert len(with_prefix(fig, "district:")) == 12
    # one scale for both: metres per inch of map are equal
    per_inch = [np.diff(ax.get_xlim())[0] / (ax.get_position().width * fig.get_figwidth()) for ax in panels]
    assert per_inch[0] == pytest.approx(per_inch[1])
    for ax in panels:  # and the whole city is on its map
        city = brief.boundaries.outline(ax.get_gid().split(":")[1])
        x0, y0, x1, y1 = gpd.GeoSeries([city], crs=4326).to_crs(UTM_EPSG[ax.get_gid().split(":")[1]]).total_bounds
        (ax0, ax1), (ay0, ay1) = ax.get_xlim(), ax.get_ylim()
        assert ax0 < x0 and x1 < ax1 and ay0 < y0 and y1 < ay1
    assert len(by_gid(fig, "scalebar")) == len(by_gid(fig, "north-arrow")) == 2
    one_city = drawn(map_figure(brief, city_id="astana"))
    assert [ax.get_gid() for ax in one_city.axes] == ["panel:astana"]


def test_unknown_city_is_an_error(almaty):
    with pytest.raises(ValueError, match="astana"):
        map_figure(almaty, city_id="astana")


def test_map_png_is_a_deterministic_png_of_the_asked_size(almaty, make_briefing):
    data = map_png(almaty, dpi=100, size_in=(8, 6))
    assert data.startswith(PNG_SIGNATURE)
    image = imread(io.BytesIO(data), format="png")
    assert image.shape[:2] == (600, 800)
    assert map_png(almaty, dpi=100, size_in=(8, 6)) == data
    assert b"tEXt" not in data and b"iTXt" not in data  # no software version or time stamp
    # the map is drawn: the darkest class colour is on it
    dark = np.array([int(SHADE_SCALE[-1][i : i + 2], 16) / 255 for i in (1, 3, 5)])
    assert (np.abs(image[:, :, :3] - dark).max(axis=2) < 0.02).sum() > 200


def test_the_june_2019_pngs_as_artefacts(almaty, make_briefing):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    both = make_briefing()
    for name, brief, size in (("almaty_2019-06", almaty, (8, 8)), ("both_2019-06", both, (14, 8))):
        data = map_png(brief)
        image = imread(io.BytesIO(data), format="png")
        assert image.shape[:2] == (size[1] * 200, size[0] * 200)
        (ARTIFACTS / f"{name}.png").write_bytes(data)


def test_without_boundaries_a_message_instead_of_a_map(embedded_joined):
    brief = build_briefing(embedded_joined, Filters(), boundaries=None)
    fig = drawn(map_figure(brief))
    assert fig.axes == []
    messages = by_gid(fig, "message")
    assert len(messages) == 2
    assert {plain(m.get_text()) for m in messages} == {label("no_boundaries_pack", "en")}
    assert map_png(brief, dpi=50).startswith(PNG_SIGNATURE)


def test_no_layer_in_force_gives_a_message(embedded_joined, real_boundaries):
    # Astana's reference layers start in March 2018 (Baikonyr formed)
    brief = build_briefing(
        embedded_joined,
        Filters(city="astana", start=date(2017, 1, 1), end=date(2017, 12, 31)),
        boundaries=real_boundaries,
    )
    assert brief.cities[0].districts is None
    fig = drawn(map_figure(brief))
    assert fig.axes == []
    assert plain(one(fig, "message").get_text()) == "Astana: no district layer is in force on 2017-12-31"


def window_boxes(fig, artists):
    renderer = fig.canvas.get_renderer()
    return [a.get_window_extent(renderer) for a in artists]


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("size_in", [(8, 8), (7.087, 6.378), (4, 3.5)])  # slide; the PDF's A4 column; a thumbnail
def test_layout_nothing_overlaps_and_everything_is_on_the_page(make_briefing, lang, size_in):
    fig = drawn(map_figure(make_briefing(city="almaty", lang=lang), size_in=size_in))
    page = fig.bbox
    names = window_boxes(fig, with_prefix(fig, "district-label:").values())
    for i, a in enumerate(names):  # district names never overlap one another
        assert not any(a.overlaps(b) for b in names[i + 1 :])
    [ax] = fig.axes
    legends = window_boxes(fig, fig.legends)
    notes = window_boxes(fig, by_gid(fig, "city-level-note") + by_gid(fig, "stack-note") + by_gid(fig, "attribution"))
    titles = window_boxes(fig, by_gid(fig, "title") + by_gid(fig, "subtitle"))
    frame = ax.get_window_extent()
    for box in legends + notes + titles:
        assert not box.overlaps(frame)
        assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1
    for i, a in enumerate(legends + notes):
        assert not any(a.overlaps(b) for b in (legends + notes)[i + 1 :])
    # the map takes a fair share of the page (less on a thumbnail, where the words need more room)
    assert frame.width * frame.height > (0.4 if min(size_in) >= 6 else 0.3) * page.width * page.height


def test_a_window_without_incidents_has_the_zero_class_only(make_briefing):
    # June 2023: Astana's five districts (Nura split from Yesil in December 2022), nothing recorded
    brief = make_briefing(city="astana", start=date(2023, 6, 1), end=date(2023, 6, 30))
    [part] = brief.cities
    assert part.records.empty
    fig = drawn(map_figure(brief))
    patches = with_prefix(fig, "district:")
    assert "nura" in patches and len(patches) == 5
    assert {to_hex(p.get_facecolor(), keep_alpha=False) for p in patches.values()} == {ZERO_FILL}
    assert [t.get_text() for t in one(fig, "legend-classes").get_texts()] == ["0"]
    assert by_gid(fig, "incidents") == by_gid(fig, "legend-events") == by_gid(fig, "city-level-note") == []
    assert one(fig, "title").get_text() == "Astana: 2023-06-01 – 2023-06-30"  # renamed in September 2022


def test_kazakh_words_on_the_static_map(make_briefing):
    fig = drawn(map_figure(make_briefing(city="astana", lang="kk")))
    assert one(fig, "title").get_text() == "Нұр-Сұлтан: 2019-06-09 – 2019-06-13"
    assert plain(one(fig, "legend-classes").get_title().get_text()) == (
        "Ұсталғандар, кемінде (салыстырылған төменгі шек)"
    )
    assert [t.get_text() for t in one(fig, "legend-events").get_texts()] == ["Ұстау"]
    assert one(fig, "scalebar-label").get_text().endswith(" км")
    assert plain(one(fig, "city-level-note").get_text()).startswith("5 жазба тек қала деңгейінде")


def test_threads_render_the_same_bytes(make_briefing):
    """Streamlit runs each session's script in a thread: renders at once give what renders one by one give."""
    from concurrent.futures import ThreadPoolExecutor

    briefs = [make_briefing(city="almaty", lang="ru"), make_briefing(city="astana", lang="kk")] * 2
    alone = [map_png(b, dpi=60) for b in briefs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda b: map_png(b, dpi=60), briefs))
    assert together == alone


def test_the_pack_renderer_uses_this_map_for_png_at_slide_size(almaty):
    from matplotlib.image import imread

    from geo.brief import render
    from geo.brief.png import SLIDE_DPI, SLIDE_SIZE_IN

    png = render(almaty, "png", chart="map")
    assert png == map_png(almaty, size_in=SLIDE_SIZE_IN, dpi=SLIDE_DPI)
    assert imread(io.BytesIO(png)).shape[:2] == (1125, 2000)  # 16:9 for slides
