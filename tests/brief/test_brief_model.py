"""geo.brief: the pack's content is the app's numbers for the same filters."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from geo.aggregate import detained_range
from geo.brief import data_version, discrepancies, format_of, source_list
from geo.districts import district_table
from geo.errors import ProtestMapError
from geo.filters import Filters, filter_records
from geo.words import range_text
from geo.words import word as label


def test_national_june_2019_figure_is_the_seed_reports_4000(make_briefing):
    brief = make_briefing()
    assert brief.area == "national"
    assert (brief.headline.detained_low, brief.headline.detained_high) == (4000, 4000)
    assert [c.city_id for c in brief.cities] == ["almaty", "astana"]
    assert brief.app_link == "http://localhost:8501/map"


def test_city_figures_and_district_tables_are_what_the_pages_compute(make_briefing, embedded_joined, real_boundaries):
    f = Filters(city="almaty", start=date(2019, 6, 9), end=date(2019, 6, 10))
    brief = make_briefing(city="almaty", start=f.start, end=f.end)
    everywhere = filter_records(embedded_joined, f.but(city="all"))  # pages/ui/data.view
    app = detained_range(everywhere, area="almaty", start=f.start, end=f.end)
    assert (brief.headline.detained_low, brief.headline.detained_high) == (app.detained_low, app.detained_high)
    assert brief.headline.basis == app.basis
    [part] = brief.cities
    expected = district_table(everywhere, real_boundaries, city_id="almaty", start=f.start, end=f.end)
    pd.testing.assert_frame_equal(part.districts, expected)
    assert len(part.districts[part.districts["kind"] == "district"]) == 8
    # a record known only to city level is listed, never placed in a district
    assert (part.city_level["district_id"] == "").all()
    assert len(part.placed) + len(part.city_level) == len(part.records)
    assert brief.app_link == "http://localhost:8501/map?city=almaty&to=2019-06-10"


def test_astana_has_the_districts_in_force_on_the_last_day(make_briefing):
    june_2019 = make_briefing(city="astana").cities[0]
    late_2023 = make_briefing(city="astana", start=date(2023, 6, 1), end=date(2023, 6, 30)).cities[0]
    assert june_2019.name == "Nur-Sultan" and late_2023.name == "Astana"
    assert (june_2019.districts["kind"] == "district").sum() == 4
    assert "nura" in set(late_2023.districts["district_id"])  # Nura district, formed December 2022
    assert (late_2023.districts["kind"] == "district").sum() == 5


def test_discrepancies_are_ranges_open_ends_and_contested_records(make_briefing):
    brief = make_briefing()
    rows = brief.discrepancies.set_index("record_id")
    # Al Jazeera's "200 in Almaty" is contested; AFP-style "more than 100" has no upper bound
    assert (rows["contested_by"] != "").any()
    assert rows["detained_high"].isna().any()
    for _, row in rows.iterrows():
        assert row["contested_by"] or pd.isna(row["detained_high"]) or row["detained_high"] != row["detained_low"]
    assert set(rows.index) <= set(brief.records["record_id"])


def test_discrepancies_leave_out_exact_and_uncounted_records():
    frame = pd.DataFrame(
        {
            "detained_low": pd.array([5, None, 5, 5], dtype="Int64"),
            "detained_high": pd.array([5, None, 9, None], dtype="Int64"),
            "contested_by": ["", "", "", ""],
        }
    )
    assert discrepancies(frame).index.tolist() == [2, 3]


def test_source_list_keeps_every_url_once_with_its_records():
    frame = pd.DataFrame(
        {
            "record_id": ["a", "b"],
            "source_urls": ["https://x.org/1 https://y.kz/2", "https://x.org/1"],
            "source_names": ["X; Y", "X"],
        }
    )
    refs = source_list(frame)
    assert [(r.url, r.host, r.record_ids) for r in refs] == [
        ("https://x.org/1", "x.org", ["a", "b"]),
        ("https://y.kz/2", "y.kz", ["a"]),
    ]
    assert refs[0].names == ["X", "Y"]
    events = pd.DataFrame({"date": pd.to_datetime(["2019-06-09"]), "source_urls": ["https://y.kz/2 https://z.org/3"]})
    refs = source_list(frame, events)
    assert [(r.url, r.record_ids) for r in refs][1:] == [
        ("https://y.kz/2", ["a", "key event 2019-06-09"]),
        ("https://z.org/3", ["key event 2019-06-09"]),
    ]


def test_every_cited_url_of_the_view_is_in_the_source_list(make_briefing):
    brief = make_briefing()
    cited = {u for urls in brief.records["source_urls"] for u in urls.split()}
    events = {u for urls in brief.events["source_urls"] for u in urls.split()}
    assert {r.url for r in brief.sources} == cited | events
    assert len(cited) > 20 and events
    by_url = {r.url: r for r in brief.sources}
    odihr = "https://odihr.osce.org/node/434465"  # cited by the 9 June key event
    assert "key event 2019-06-09" in by_url[odihr].record_ids


def test_data_version_follows_content_not_order(embedded_joined):
    version = data_version(embedded_joined)
    assert version.startswith("sha256:") and len(version) == len("sha256:") + 12
    assert data_version(embedded_joined.iloc[::-1]) == version
    changed = embedded_joined.copy()
    changed.loc[changed.index[0], "detained_low"] = 12345
    assert data_version(changed) != version


def test_labels_and_ranges_in_each_language():
    assert range_text(700, 700) == "700"
    assert range_text(30, 100, "en") == "30–100"
    assert range_text(4000, None, "ru") == "не менее 4\u202f000"
    assert range_text(None, None) == ""
    assert label("detained", "kk") == "Ұсталғандар"
    assert label("discrepancies", "kk") == "Дереккөздер келіспейтін жерлер"  # Kazakh of its own


def test_format_follows_the_extension():
    assert format_of("brief.PDF") == "pdf"
    assert format_of("x/brief.html") == "html"
    with pytest.raises(ProtestMapError, match=r"brief\.docx.*\.docx"):
        format_of("brief.docx")


def test_long_lists_say_what_was_cut_and_where_the_rest_is(make_briefing):
    from geo.brief import some_ids

    ids = [f"R{i}" for i in range(35)]
    assert some_ids(ids, 30) == ", ".join(ids[:30]) + " and 5 more"
    assert some_ids(ids[:3], 30, "ru") == "R0, R1, R2"
    assert some_ids(ids, 30, "ru").endswith("и ещё 5")
    brief = make_briefing(city="almaty", lang="en")
    assert brief.cap_note(29, 29, "records") == ""
    assert brief.cap_note(5, 1234, "records") == (
        "Listed here: the first 5 of 1,234 records. Every one is in the CSV download of the app's Sources "
        "page for this view: http://localhost:8501/sources?city=almaty"
    )


def test_the_timeline_is_drawn_once_per_pack(make_briefing, monkeypatch):
    import vl_convert

    from geo.brief.png import timeline_png

    brief = make_briefing(city="almaty")
    calls = []
    real = vl_convert.vegalite_to_png
    monkeypatch.setattr(vl_convert, "vegalite_to_png", lambda *a, **k: calls.append(1) or real(*a, **k))
    first = timeline_png(brief)
    assert timeline_png(brief) is first and len(calls) == 1
    assert first.startswith(b"\x89PNG")
    assert timeline_png(make_briefing(city="almaty")) == first and len(calls) == 2  # a new pack draws afresh
