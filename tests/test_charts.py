"""geo.charts: the Vega-Lite specs (to_dict() validates them against the schema)."""

from __future__ import annotations

import json
import re
from itertools import pairwise

import altair as alt
import pandas as pd
import pytest

from geo.charts import hour_chart, timeline_chart
from geo.records import load_embedded_records
from geo.series import daily_ranges, hour_of_day, load_key_events, national_cumulative
from geo.words import word


@pytest.fixture(scope="module")
def june():
    records = load_embedded_records()
    start, end = "2019-06-05", "2019-06-16"
    return (
        daily_ranges(records, start=start, end=end),
        national_cumulative(records, start=start, end=end),
        load_key_events(),
        hour_of_day(records),
    )


def _name(view: dict) -> str:
    """A view's name without the _N suffix Altair adds inside a concat."""
    return re.sub(r"_\d+$", "", view.get("name", ""))


def _panels(spec: dict) -> dict[str, dict]:
    return {_name(p): p for p in spec["vconcat"]}


def _layers(panel: dict) -> dict[str, dict]:
    return {_name(layer): layer for layer in panel["layer"]}


def _values(spec: dict, view: dict, panel: dict | None = None) -> list[dict]:
    data = view.get("data") or (panel or {}).get("data")
    return spec["datasets"][data["name"]]


@pytest.fixture(scope="module")
def spec(june):
    daily, national, events, _ = june
    return timeline_chart(daily, national, events).to_dict()


def test_timeline_panels_and_layers(spec):
    panels = _panels(spec)
    assert list(panels) == ["events", "city_ranges", "national_totals", "event_list"]
    assert list(_layers(panels["events"])) == ["event_rule", "event_marker", "event_number"]
    assert list(_layers(panels["event_list"])) == ["event_list_number", "event_line"]
    assert list(_layers(panels["city_ranges"])) == [
        "city_event_rule",
        "city_band",
        "city_floor",
        "city_open",
        "city_open_mark",
    ]
    assert list(_layers(panels["national_totals"])) == [
        "national_event_rule",
        "national_period",
        "national_range",
        "national_point",
    ]
    assert spec["resolve"]["scale"]["x"] == "shared"
    assert spec["resolve"]["scale"]["y"] == "independent"


def test_city_bands_encode_low_to_high_without_stacking(spec):
    layers = _layers(_panels(spec)["city_ranges"])
    band = layers["city_band"]
    assert band["mark"]["type"] == "rule"
    enc = band["encoding"]
    assert (enc["y"]["field"], enc["y2"]["field"]) == ("detained_low", "detained_high")
    assert enc["x"]["field"] == "x_pos" and enc["x"]["type"] == "temporal"
    assert enc["color"]["field"] == "city_label"
    tooltip_fields = [t["field"] for t in enc["tooltip"]]
    assert {"basis", "high_basis", "figure", "uncounted", "spanning"} <= set(tooltip_fields)
    # no quantitative encoding of any city layer stacks
    for layer in layers.values():
        for channel in ("x", "y"):
            definition = layer["encoding"].get(channel, {})
            if definition.get("type") == "quantitative":
                assert definition.get("stack", None) in (None, False), (layer["name"], channel)
                assert "stack" in definition  # said explicitly, not left to the default


def test_city_band_values_for_known_days(spec):
    panel = _panels(spec)["city_ranges"]
    layers = _layers(panel)
    bands = {(r["day_text"], r["city_id"]): r for r in _values(spec, layers["city_band"], panel)}
    # June 2019: every protest day lies under a national total (500, 700, 4,000) that no
    # source splits by city, so no city's day there is closed
    assert not [k for k in bands if "2019-06-09" <= k[0] <= "2019-06-13"]
    march = timeline_chart(
        daily_ranges(load_embedded_records(), start="2019-03-20", end="2019-03-23"),
        national_cumulative(load_embedded_records(), start="2019-03-20", end="2019-03-23"),
        load_key_events(),
    ).to_dict()
    march_panel = _panels(march)["city_ranges"]
    closed = {(r["day_text"], r["city_id"]): r for r in _values(march, _layers(march_panel)["city_band"], march_panel)}
    n22 = closed[("2019-03-22", "astana")]  # about 10 (Interfax) to about 60 (iPress), a journalist inside
    assert (n22["detained_low"], n22["detained_high"], n22["figure"]) == (10, 60, "10–60")
    assert n22["basis"] == "NQZ-20190322-01" and n22["x_pos"] == "2019-03-22T16:00:00Z"
    assert closed[("2019-03-22", "almaty")]["figure"] == "10"
    # open-ended days are never drawn as closed bands ...
    assert ("2019-06-09", "almaty") not in bands
    opened = {(r["day_text"], r["city_id"]): r for r in _values(spec, layers["city_open"], panel)}
    a9 = opened[("2019-06-09", "almaty")]
    assert (a9["detained_low"], a9["figure"]) == (100, "at least 100")
    a10 = opened[("2019-06-10", "almaty")]
    assert (a10["detained_low"], a10["figure"], a10["basis"]) == (31, "at least 31", "ALA-20190610-01 ALA-20190610-03")
    assert a10["x_pos"] == "2019-06-10T08:00:00Z"
    assert opened[("2019-06-12", "almaty")]["figure"] == "at least 100"
    assert a9["detained_high"] is None or pd.isna(a9["detained_high"])
    n10 = opened[("2019-06-10", "astana")]
    assert (n10["figure"], n10["city_name"], n10["uncounted"]) == (
        "detentions reported, no number",
        "Nur-Sultan",
        "NQZ-20190610-01",
    )
    # ... but drawn distinctly: a dashed line to the top of the panel and an upward triangle
    dash = layers["city_open"]["encoding"]["strokeDash"]
    assert dash["field"] == "style" and {r["style"] for r in _values(spec, layers["city_open"], panel)} == {
        "at least: no upper figure"
    }
    assert dict(zip(dash["scale"]["domain"], dash["scale"]["range"]))["at least: no upper figure"] == [4, 3]
    assert layers["city_open"]["encoding"]["y2"] == {"value": 0}
    assert layers["city_open_mark"]["mark"]["shape"] == "triangle-up"
    # empty days are not drawn at all
    drawn = {(r["day_text"], r["city_id"]) for r in _values(spec, layers["city_floor"], panel)}
    assert ("2019-06-05", "almaty") not in drawn and ("2019-06-10", "almaty") in drawn


def test_national_totals_have_their_own_panel_and_only_national_rows(spec, june):
    records = load_embedded_records()
    national_ids = set(records.loc[records["city"] == "national", "record_id"])
    panel = _panels(spec)["national_totals"]
    layers = _layers(panel)
    points = _values(spec, layers["national_point"], panel)
    assert {r["record_id"] for r in points} == {
        "KZ-20190609-01",
        "KZ-20190609-02",
        "KZ-20190611-01",
        "KZ-20190611-03",
        "KZ-20190618-01",
    }
    assert {r["record_id"] for r in points} <= national_ids
    four = next(r for r in points if r["record_id"] == "KZ-20190618-01")
    assert (four["detained_low"], four["period_text"], four["point_at"]) == (
        4000,
        "2019-06-09 – 2019-06-13",
        "2019-06-13T12:00:00Z",
    )
    assert (four["period_from"], four["period_to"]) == ("2019-06-09T00:00:00Z", "2019-06-14T00:00:00Z")
    for name in ("national_period", "national_point"):
        assert layers[name]["encoding"]["y"]["stack"] is None
        assert layers[name]["encoding"]["y"]["field"] == "detained_low"
    # no national record in the city panel, and no city record in the national one
    city_panel = _panels(spec)["city_ranges"]
    for layer in _layers(city_panel).values():
        for row in _values(spec, layer, city_panel):
            if "basis" in row:
                assert not set((row["basis"] + " " + row["high_basis"]).split()) & national_ids


def test_event_rules_at_their_dates(spec):
    panels = _panels(spec)
    for panel, name in (
        (panels["events"], "event_rule"),
        (panels["city_ranges"], "city_event_rule"),
        (panels["national_totals"], "national_event_rule"),
    ):
        layer = _layers(panel)[name]
        assert layer["mark"]["type"] == "rule"
        assert layer["encoding"]["x"]["field"] == "date"
        rows = _values(spec, layer, panel)
        assert [r["date"] for r in rows] == ["2019-06-09T00:00:00Z", "2019-06-10T00:00:00Z", "2019-06-12T00:00:00Z"]
    numbers = _values(spec, _layers(panels["events"])["event_number"], panels["events"])
    assert [(r["number"], r["label"]) for r in numbers][1] == ("2", "Rinat Zaitov detained; released the same night")
    # the list under the chart: each number, then its date and label (wrapped, the number on the first line)
    lines = _values(spec, _layers(panels["event_list"])["event_line"], panels["event_list"])
    assert [(r["number"], r["text"]) for r in lines] == [
        ("1.", "09 Jun 2019  Presidential election;"),
        ("", "protests in Almaty and Nur-Sultan"),
        ("2.", "10 Jun 2019  Rinat Zaitov detained;"),
        ("", "released the same night"),
        ("3.", "12 Jun 2019  Tokayev's inauguration;"),
        ("", "central Almaty locked down"),
    ]
    # the x scale: UTC calendar days over the window, declared once
    x = _layers(panels["events"])["event_rule"]["encoding"]["x"]
    assert x["scale"]["type"] == "utc"
    assert x["scale"]["domain"] == [
        {"year": 2019, "month": 6, "date": 5, "utc": True},
        {"year": 2019, "month": 6, "date": 17, "utc": True},
    ]


def test_russian_labels(june):
    daily, national, events, hours = june
    spec = timeline_chart(daily, national, events, lang="ru").to_dict()
    text = json.dumps(spec, ensure_ascii=False)
    panels = _panels(spec)
    city = _layers(panels["city_ranges"])
    assert city["city_band"]["encoding"]["y"]["title"] == "Задержано"
    assert city["city_band"]["encoding"]["x"]["title"] == "День"
    assert city["city_band"]["encoding"]["color"]["title"] == "Город"
    assert city["city_band"]["encoding"]["color"]["scale"]["domain"] == ["Алматы", "Нур-Султан"]
    assert "не менее 100" in text
    assert "Задержан Ринат Заитов; освобождён той же ночью" in text
    assert " ".join(panels["national_totals"]["title"]["text"]) == word("national_title", "ru")
    hours_spec = hour_chart(hours, lang="ru").to_dict()
    assert hours_spec["encoding"]["x"]["title"] == "Час (местное время)"
    assert "задержание" in {r["event_label"] for r in hours_spec["datasets"][hours_spec["data"]["name"]]}


def test_kazakh_texts_with_kazakh_city_names(june):
    daily, national, events, _ = june
    spec = timeline_chart(daily, national, events, lang="kk").to_dict()
    band = _layers(_panels(spec)["city_ranges"])["city_band"]
    assert band["encoding"]["y"]["title"] == "Ұсталғандар"
    assert band["encoding"]["color"]["scale"]["domain"] == ["Алматы", "Нұр-Сұлтан"]


def test_city_names_follow_the_date():
    records = load_embedded_records()
    daily = daily_ranges(records, start="2022-09-10", end="2022-09-20")
    daily.loc[:, "open_ended"] = True  # draw every day
    spec = timeline_chart(
        daily, national_cumulative(records, start="2022-09-10", end="2022-09-20"), load_key_events()
    ).to_dict()
    panel = _panels(spec)["city_ranges"]
    rows = _values(spec, _layers(panel)["city_open"], panel)
    names = {r["day_text"]: r["city_name"] for r in rows if r["city_id"] == "astana"}
    assert (names["2022-09-16"], names["2022-09-17"]) == ("Nur-Sultan", "Astana")
    assert _layers(panel)["city_open"]["encoding"]["color"]["scale"]["domain"] == ["Almaty", "Nur-Sultan / Astana"]


def test_labels_override_and_bad_language(june):
    daily, national, events, _ = june
    spec = timeline_chart(daily, national, events, labels={"detained": "People detained"}).to_dict()
    assert _layers(_panels(spec)["city_ranges"])["city_band"]["encoding"]["y"]["title"] == "People detained"
    with pytest.raises(ValueError, match="unknown label key"):
        timeline_chart(daily, national, events, labels={"nope": "x"})
    with pytest.raises(ValueError, match="unknown language"):
        timeline_chart(daily, national, events, lang="de")


def test_no_link_no_html_no_data_in_expressions(june):
    """Data text only ever reaches Vega as data: no href channel, no HTML tooltip, no expressions."""
    daily, national, events, hours = june
    hostile = events.copy()
    hostile.loc[0, "label_en"] = "<img src=x onerror=alert(1)>"
    hostile.loc[0, "notes"] = "'); alert(1); ('"
    for chart in (timeline_chart(daily, national, hostile), hour_chart(hours)):
        spec = chart.to_dict()
        seen_keys: set = set()

        def walk(node, seen_keys=seen_keys):
            if isinstance(node, dict):
                seen_keys.update(node)
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        body = {k: v for k, v in spec.items() if k != "datasets"}
        walk(body)
        assert not seen_keys & {"href", "expr", "labelExpr", "calculate", "filter", "signal", "url"}
        tooltip_marks = [m for m in json.dumps(body).split('"tooltip"')[1:] if m.lstrip(": ").startswith('{"content')]
        assert tooltip_marks == []
        assert "onerror" not in json.dumps(body)  # hostile text stays in the datasets


def test_hour_chart(june):
    *_, hours = june
    chart = hour_chart(hours)
    assert isinstance(chart, alt.Chart)
    spec = chart.to_dict()
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["x"]["field"] == "hour"
    assert spec["encoding"]["x"]["scale"]["domain"] == list(range(24))
    assert spec["encoding"]["y"]["field"] == "n" and spec["encoding"]["y"]["aggregate"] == "sum"
    assert spec["encoding"]["color"]["field"] == "event_label"
    rows = spec["datasets"][spec["data"]["name"]]
    assert sum(r["n"] for r in rows) == int(hours["n"].sum())
    eleven = {r["event_type"]: r["n"] for r in rows if r["hour"] == 11}
    assert eleven == {"detention": 3, "rally": 1}
    assert {r["city_name"] for r in rows} == {"Almaty", "Nur-Sultan / Astana"}


def test_empty_inputs_still_make_valid_specs(june):
    daily, national, events, hours = june
    spec = timeline_chart(daily.iloc[0:0], national.iloc[0:0], events.iloc[0:0]).to_dict()
    assert [_name(p) for p in spec["vconcat"]] == ["events", "city_ranges", "national_totals", "event_list"]
    list_panel = spec["vconcat"][3]
    assert _values(spec, _layers(list_panel)["event_line"], list_panel)[0]["text"] == "No key event in these dates."
    hour_chart(hours.iloc[0:0]).to_dict()


@pytest.mark.parametrize("lang,month", [("ru", "июн"), ("kk", "мау")])
def test_the_date_axis_speaks_the_chosen_language(june, lang, month):
    import vl_convert

    daily, national, events, _ = june
    chart = timeline_chart(daily, national, events, lang=lang)
    assert chart.to_dict()["config"]["locale"]["time"]["shortMonths"][5] == month
    svg = vl_convert.vegalite_to_svg(chart.to_json())
    assert f"09 {month} 2019" in svg and "Jun 2019" not in svg
    english = timeline_chart(daily, national, events, lang="en")
    assert "locale" not in english.to_dict().get("config", {})
    assert "09 Jun 2019" in vl_convert.vegalite_to_svg(english.to_json())


# --------------------------------------------------------------------------- fit, legends, key events


def _as_streamlit_draws_it(spec: dict, width: int) -> dict:
    """The spec as ``st.altair_chart(..., width="stretch")`` hands it to Vega.

    Streamlit 1.67's frontend (ArrowVegaLiteChart) sets the top-level width and the
    width of every panel of a vconcat to its column's width; without ``fit-x`` the
    axes, legends and padding then come on top of it (1,014 px in a 940 px column).
    """
    out = json.loads(json.dumps(spec))
    out["width"] = width
    for panel in out.get("vconcat", []):
        panel["width"] = width
    return out


def _marks(node, out: list) -> list:
    if isinstance(node, dict):
        if node.get("marktype"):
            out.append(node)
        for value in node.values():
            _marks(value, out)
    elif isinstance(node, list):
        for value in node:
            _marks(value, out)
    return out


def _right_edge_is_blank(png: bytes) -> bool:
    """Whether the last 3 pixel columns are all background: nothing drawn is cut at the right edge."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    w, h = image.size
    return all(image.getpixel((x, y)) == (255, 255, 255) for x in range(w - 3, w) for y in range(h))


@pytest.mark.parametrize("width", [940, 358])  # a 940 px column at 1,400 px, a 390 px phone's column
@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_the_timeline_fits_its_column(june, lang, width):
    import vl_convert

    daily, national, events, _ = june
    spec = timeline_chart(daily, national, events, lang=lang).to_dict()
    assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}
    drawn = json.dumps(_as_streamlit_draws_it(spec, width))
    assert vl_convert.vegalite_to_scenegraph(drawn)["width"] == width
    # nothing cut: no text shortened with an ellipsis (titles, legends, the event list) ...
    assert "…" not in vl_convert.vegalite_to_svg(drawn)
    # ... and nothing drawn past the right edge (the last day's label, a legend, a title)
    assert _right_edge_is_blank(vl_convert.vegalite_to_png(drawn, scale=1))
    # without fit-x the same column overflows: the check above can fail
    unfit = _as_streamlit_draws_it(spec, width)
    del unfit["autosize"]
    assert vl_convert.vegalite_to_scenegraph(json.dumps(unfit))["width"] > width


def test_the_pack_png_keeps_its_fixed_width(june):
    import vl_convert

    daily, national, events, _ = june
    chart = timeline_chart(daily, national, events, lang="ru", width=640)
    assert vl_convert.vegalite_to_scenegraph(chart.to_json())["width"] == 640
    png = vl_convert.vegalite_to_png(chart.to_json(), scale=2)
    assert png.startswith(b"\x89PNG") and _right_edge_is_blank(png)


@pytest.mark.parametrize("width", [1100, 358])
def test_the_hour_chart_fits_its_column(june, width):
    import vl_convert

    *_, hours = june
    spec = hour_chart(hours, lang="kk").to_dict()
    assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}
    drawn = json.dumps(spec | {"width": width})
    assert vl_convert.vegalite_to_scenegraph(drawn)["width"] == width
    assert "…" not in vl_convert.vegalite_to_svg(drawn)
    assert spec["encoding"]["color"]["legend"]["orient"] == "top"  # not beside the bars, eating a phone's width


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_a_legend_says_what_solid_dashed_and_dotted_mean(june, lang):
    import vl_convert

    daily, national, events, _ = june
    spec = timeline_chart(daily, national, events, lang=lang).to_dict()
    panels = _panels(spec)
    expected = {
        "city_ranges": {"style_range": [1, 0], "style_open": [4, 3], "style_event": [2, 2]},
        "national_totals": {"style_period": [1, 0], "style_event": [2, 2]},
    }
    for name, styles in expected.items():
        for layer in _layers(panels[name]).values():
            dash = layer["encoding"].get("strokeDash")
            if dash is None:
                continue
            assert dash["title"] == word("style_title", lang)
            assert dict(zip(dash["scale"]["domain"], dash["scale"]["range"])) == {
                word(k, lang): v for k, v in styles.items()
            }
            assert dash["legend"]["labelLimit"] >= 300  # Vega's default (160 px) cuts Russian labels
    # each layer's rows carry the style the legend names: the closed bands solid, the open days dashed
    city = _layers(panels["city_ranges"])
    march = timeline_chart(
        daily_ranges(load_embedded_records(), start="2019-03-20", end="2019-03-23"),
        national_cumulative(load_embedded_records(), start="2019-03-20", end="2019-03-23"),
        load_key_events(),
        lang=lang,
    ).to_dict()
    band = _layers(_panels(march)["city_ranges"])["city_band"]
    assert {r["style"] for r in _values(march, band, _panels(march)["city_ranges"])} == {word("style_range", lang)}
    assert {r["style"] for r in _values(spec, city["city_open"], panels["city_ranges"])} == {word("style_open", lang)}
    # drawn: the legend's labels are there, whole
    labels = [
        item["text"]
        for mark in _marks(vl_convert.vegalite_to_scenegraph(json.dumps(spec))["scenegraph"], [])
        if mark.get("role") == "legend-label"
        for item in mark["items"]
    ]
    for key in ("style_range", "style_open", "style_event", "style_period"):
        assert word(key, lang) in labels


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_every_title_of_the_chart_is_in_the_chosen_language(june, lang):
    """Axis and legend titles, tooltips, panel titles: each one of the words table's, in ``lang``."""
    from geo.charts import TEXT_KEYS

    daily, national, events, hours = june
    words = {word(k, lang) for k in TEXT_KEYS}
    english_only = {word(k, "en") for k in TEXT_KEYS} - words
    for chart in (timeline_chart(daily, national, events, lang=lang), hour_chart(hours, lang=lang)):
        spec = chart.to_dict()
        titles: list[str] = []

        def walk(node, titles=titles):
            if isinstance(node, dict):
                title = node.get("title")
                if isinstance(title, str):
                    titles.append(title)
                elif isinstance(title, dict):
                    text = title["text"]
                    titles.append(" ".join(text) if isinstance(text, list) else text)
                for key, value in node.items():
                    if key != "datasets":
                        walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk({k: v for k, v in spec.items() if k != "datasets"})
        assert len(titles) >= 8  # the hour chart has 8 (title, axes, legend, tooltips), the timeline dozens
        assert not set(titles) & english_only
        assert set(titles) - {"#"} <= words, set(titles) - words


def _dense_events() -> pd.DataFrame:
    """Eight key events within four days of a 30-day window: three on one day."""
    days = [
        "2019-06-09",
        "2019-06-09",
        "2019-06-09",
        "2019-06-10",
        "2019-06-11",
        "2019-06-11",
        "2019-06-12",
        "2019-07-01",
    ]
    return pd.DataFrame(
        {
            "date": pd.to_datetime(days),
            "label_en": [f"event {i}" for i in range(len(days))],
            "label_ru": "",
            "label_kk": "",
            "kind": "",
            "source_urls": "",
            "notes": "",
        }
    )


def _boxes(scenegraph: dict, name: str) -> list[tuple[float, float, float, float]]:
    """The key-event markers' boxes (left, top, right, bottom) as Vega placed them."""
    (mark,) = [m for m in _marks(scenegraph["scenegraph"], []) if m.get("name", "").startswith(name)]
    out = []
    for item in mark["items"]:
        r = item["size"] ** 0.5 / 2
        out.append((item["x"] - r, item["y"] - r, item["x"] + r, item["y"] + r))
    return out


@pytest.mark.parametrize("width", [1100, 640, 358])
@pytest.mark.parametrize("which", ["june", "dense"])
def test_key_event_markers_never_overlap(june, width, which):
    import vl_convert

    from geo.charts import EVENT_MARKER_PX

    daily, national, events, _ = june
    if which == "dense":
        records = load_embedded_records()
        daily = daily_ranges(records, start="2019-06-05", end="2019-07-04")
        national = national_cumulative(records, start="2019-06-05", end="2019-07-04")
        events = _dense_events()
    spec = timeline_chart(daily, national, events).to_dict()
    boxes = _boxes(vl_convert.vegalite_to_scenegraph(json.dumps(_as_streamlit_draws_it(spec, width))), "event_marker")
    assert len(boxes) == (8 if which == "dense" else 3)
    assert all(abs((b[2] - b[0]) - EVENT_MARKER_PX) < 0.01 for b in boxes)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
            assert apart, (a, b)
    if which == "dense":  # markers under 2.1 days apart (20 px at 280 px for 30 days) never share a row
        rows = _values(spec, _layers(spec["vconcat"][0])["event_marker"], spec["vconcat"][0])
        assert [r["row"] for r in rows] == [0, 1, 2, 3, 4, 5, 0, 0]
        assert [r["number"] for r in rows] == [str(n) for n in range(1, 9)]


def test_key_event_rows_from_the_spacing_rule():
    from datetime import date

    from geo.charts import EVENT_MARKER_PX, MIN_PLOT_WIDTH, event_rows

    rows = event_rows(_dense_events(), "en", date(2019, 6, 5), date(2019, 7, 4))
    px_per_day = MIN_PLOT_WIDTH / 30
    at = pd.to_datetime(rows["date"]).dt.tz_localize(None)
    for row in set(rows["row"]):
        xs = sorted(((at[rows["row"] == row] - pd.Timestamp("2019-06-05")).dt.days * px_per_day).tolist())
        assert all(b - a >= EVENT_MARKER_PX for a, b in pairwise(xs))
