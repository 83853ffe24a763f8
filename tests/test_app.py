"""The app, driven in-process through Streamlit's AppTest from app.py (every page, real content)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.words import word
from pages.ui import internals
from pages.ui.state import widget_key

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _boundaries(boundary_real_dir, monkeypatch):
    monkeypatch.setenv("PROTESTMAP_BOUNDARIES", str(boundary_real_dir))


@pytest.fixture(autouse=True)
def _navigation_like_the_server(monkeypatch):
    """Run app.py's st.navigation on every rerun, as a running server does.

    Streamlit keeps a process-wide flag for apps with a ``pages/`` folder (its
    legacy multipage mode); the server's first ``st.navigation`` call turns it off
    for good (the hand-over scripts in ``pages/`` cover that first request: see
    pages/__init__.py and the browser test).  AppTest resets the flag before every
    run, so turn it off again after the reset, as on the server.
    """
    manager = internals.pages_manager()
    original = manager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        internals.leave_legacy_pages_mode()

    monkeypatch.setattr(manager, "__init__", init)


def open_page(page: str, **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    if page != "pages/views/overview.py":
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _registered_pages() -> list[str]:
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    return [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "Page"
    ]


def test_overview_headline_for_9_10_june_is_700():
    at = open_page("pages/views/overview.py", **{"from": "2019-06-09", "to": "2019-06-10"})
    values = {m.label: m.value for m in at.metric}
    assert values["Detained, whole country"] == "700"
    # the basis is shown: the ministry's 700 for 9-10 June
    assert "KZ-20190611-01" in at.dataframe[0].value["Record"].tolist()


def test_overview_opens_on_june_2019_and_city_headline():
    at = open_page("pages/views/overview.py")
    assert {m.label: m.value for m in at.metric}["Detained, whole country"] == "4,000"
    assert "2019-06-10  Rinat Zaitov detained; released the same night" in [x.value for x in at.text]
    at = open_page("pages/views/overview.py", city="almaty")
    assert at.metric[0].value == "at least 231"


def test_query_parameters_restore_the_filters():
    at = open_page(
        "pages/views/overview.py",
        city="astana",
        lang="ru",
        **{"from": "2019-06-10", "to": "2019-06-12"},
        types="detention,rally",
        prec="1,2,3",
    )
    assert at.radio(key=widget_key("f_city", "ru")).value == "astana"
    assert at.selectbox(key="f_lang").value == "ru"
    assert at.date_input(key="f_dates").value == (date(2019, 6, 10), date(2019, 6, 12))
    assert at.multiselect(key=widget_key("f_types", "ru")).value == ["rally", "detention"]
    assert at.multiselect(key=widget_key("f_prec", "ru")).value == [1, 2, 3]
    assert at.title[0].value == "Обзор"
    # the URL keeps exactly the non-default filters
    assert dict(at.query_params) == {
        "city": "astana",
        "lang": "ru",
        "from": "2019-06-10",
        "to": "2019-06-12",
        "types": "rally,detention",
        "prec": "1,2,3",
    }


def test_a_changed_filter_is_written_to_the_url():
    at = open_page("pages/views/overview.py")
    at.radio(key=widget_key("f_city", "en")).set_value("almaty").run()
    assert dict(at.query_params) == {"city": "almaty"}
    assert at.metric[0].value == "at least 231"


def test_bad_link_values_are_reported_not_fatal():
    at = open_page("pages/views/overview.py", city="Karaganda", **{"from": "yesterday"})
    assert at.radio(key=widget_key("f_city", "en")).value == "all"
    assert any("city='karaganda'" in w.value for w in at.sidebar.warning)


def test_a_hostile_link_value_is_shown_as_text_not_markdown():
    at = open_page("pages/views/overview.py", lang="[x](javascript:alert(1))")
    (warning,) = at.sidebar.warning
    assert "\\[x\\]\\(javascript\\:alert\\(1\\)\\)" in warning.value
    assert at.selectbox(key="f_lang").value == "en"


def test_districts_page_lists_the_8_almaty_districts():
    at = open_page("pages/views/districts.py", city="almaty")
    table = at.dataframe[0].value
    assert list(table.columns) == [
        "District",
        "In Russian",
        "In Kazakh",
        "Detained",
        "Incidents",
        "Area, km²",
        "Detained per km²",
        "Incidents per km²",
    ]
    districts = table.iloc[:-2]
    assert sorted(districts["District"]) == [
        "Alatau",
        "Almaly",
        "Auezov",
        "Bostandyk",
        "Medeu",
        "Nauryzbay",
        "Turksib",
        "Zhetysu",
    ]
    assert districts.iloc[0]["District"] == "Almaly"
    assert set(districts["In Kazakh"]) >= {"Алмалы ауданы", "Әуезов ауданы"}
    assert table.iloc[-2]["District"] == "City level (no district)"


def test_map_page_renders_its_lists():
    at = open_page("pages/views/map.py", city="almaty")
    caption = [c.value for c in at.caption if c.value.startswith("Records shown:")]
    # placed in a district, 9-13 June: five on Astana Square on the 9th, two squares on the 10th
    # (Astana Square, Almaty Arena), two on Astana Square on the 12th
    assert caption == ["Records shown: 9"]
    # city-level records are listed beside the map, never pinned
    city_level = at.dataframe[0].value
    assert "ALA-20190609-06" in city_level["Record"].tolist()
    assert "ALA-20190609-02" not in city_level["Record"].tolist()


def test_timeline_page_draws_its_charts():
    at = open_page("pages/views/timeline.py")
    charts = at.get("vega_lite_chart")
    assert len(charts) == 2


def test_sources_page_lists_records_and_offers_downloads():
    at = open_page("pages/views/sources.py", city="almaty")
    table = at.dataframe[0].value
    assert len(table) == 29
    assert "https://" in table["Source"].iloc[0]
    assert [b.label for b in at.get("download_button")] == ["Download CSV", "Download GeoJSON"]


def test_why_a_figure_was_not_used_reads_in_the_chosen_language():
    at = open_page("pages/views/sources.py", lang="ru")
    reasons = at.dataframe[-1].value["Почему не использовано"].tolist()
    assert "входит в KZ-20190618-01, которая учтена" in reasons


def test_map_and_timeline_pages_offer_their_png_and_the_pdf():
    at = open_page("pages/views/map.py", city="almaty")
    assert [b.label for b in at.get("download_button")] == ["Map as PNG", "Briefing PDF (A4)"]
    at = open_page("pages/views/timeline.py", lang="ru")
    assert [b.label for b in at.get("download_button")] == ["Хронология в PNG", "Справка PDF (A4)"]


def test_the_packs_link_back_is_the_apps_address_without_the_page():
    from pages.ui.briefs import app_base

    assert app_base("https://pm.streamlit.app/map?city=almaty") == "https://pm.streamlit.app"
    assert app_base("http://127.0.0.1:8501/") == "http://127.0.0.1:8501"
    assert app_base("http://host:8501/base/path/briefing") == "http://host:8501/base/path"
    assert app_base("javascript:alert(1)") == app_base("") == "http://localhost:8501"


def _pdf_text(payload: bytes, tmp_path) -> str:
    import subprocess

    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(payload)
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_briefing_page_prepares_the_pack_with_the_apps_figures(tmp_path):
    query = {"city": "almaty", "from": "2019-06-09", "to": "2019-06-12"}
    overview = open_page("pages/views/overview.py", **query).metric[0].value
    at = open_page("pages/views/briefing.py", **query)
    assert at.metric[0].value == overview == "at least 231"
    assert not at.get("download_button")  # nothing until asked: a pack takes seconds
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    pack = at.session_state["brief"]
    assert set(pack["files"]) == {"pdf", "html", "map_png", "timeline_png"}
    assert pack["files"]["map_png"].startswith(b"\x89PNG") and pack["files"]["timeline_png"].startswith(b"\x89PNG")
    text = _pdf_text(pack["files"]["pdf"], tmp_path)
    assert "231" in text and "Almaty" in text
    # the link back to this view in the app (AppTest has no address: the default one)
    assert 'href="http://localhost:8501/map?city=almaty&amp;to=2019-06-12"' in pack["files"]["html"].decode()
    assert [b.label for b in at.get("download_button")] == [
        "Map as PNG",
        "Timeline as PNG",
        "Briefing PDF (A4)",
        "Briefing HTML (works offline)",
    ]
    # another view: the pack is not offered as if it were this one's
    at.radio(key=widget_key("f_city", "en")).set_value("astana").run()
    assert not at.get("download_button")
    assert "The filters changed since the pack was prepared" in at.info[0].value


@pytest.mark.parametrize(
    "page",
    [
        "pages/views/overview.py",
        "pages/views/map.py",
        "pages/views/timeline.py",
        "pages/views/districts.py",
        "pages/views/sources.py",
        "pages/views/briefing.py",
    ],
)
def test_without_boundaries_every_page_says_how_to_get_them(page, tmp_path, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("PROTESTMAP_BOUNDARIES", str(tmp_path / "not-there"))
    st.cache_resource.clear()  # the boundaries are a process-wide resource
    try:
        at = open_page(page)
        if page.endswith("briefing.py"):  # a pack without maps
            at.button[0].click().run()
    finally:
        st.cache_resource.clear()  # and the next test loads the real boundaries again
    if page.endswith(("map.py", "districts.py", "overview.py")):
        (warning,) = at.warning
        assert "python -m geo boundaries fetch" in warning.value and "PROTESTMAP_BOUNDARIES" in warning.value
    if page.endswith(("overview.py", "briefing.py")):  # figures by stated city still work
        assert at.metric[0].value == "4,000"
    if page.endswith("map.py"):  # the map still draws the incidents, and lists the rest beside it
        assert [s.value for s in at.subheader] == ["Known only to city level (not on the map)"]
        (caption,) = [c.value for c in at.caption if c.value.startswith("Records shown: ")]
        shown = int(caption.split(": ")[1])
        assert shown > 0 and len(at.dataframe) == 2
        assert not at.exception
    if page.endswith("briefing.py"):  # a pack without maps, and it says so
        assert "Without district boundaries the pack has figures by city, no maps." in at.warning[0].value
        assert set(at.session_state["brief"]["files"]) == {"pdf", "html", "timeline_png"}


ACLED_HEADER = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,"
    "assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,"
    "admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,"
    "tags,timestamp"
)
ACLED_ROWS = [
    "KAZ9001,09 June 2019,2019,1,Demonstrations,Protests,Protest with intervention,Protesters (Kazakhstan),,"
    "Protesters,Police Forces of Kazakhstan (2019-),,State forces,Protesters-State forces,,398,Central Asia,"
    "Kazakhstan,Almaty,,,Almaty,43.2547,76.9431,1,Azattyq,National,Rally on Astana Square.,0,"
    "arrests=40; crowd size=around 300,1600000000",
    "KAZ9002,2019-06-10,2019,1,Political violence,Violence against civilians,Arrests,"
    "Police Forces of Kazakhstan (2019-),,State forces,Civilians (Kazakhstan),,Civilians,"
    "State forces-Civilians,,398,Central Asia,Kazakhstan,Almaty,,,Almaty,43.2383,76.9453,1,Vlast,National,"
    "Detentions near Republic Square.,0,arrests=12,1600000001",
    "KAZ9003,not a date,2019,1,Demonstrations,Protests,Peaceful protest,Protesters (Kazakhstan),,Protesters,"
    ",,,Protesters only,,398,Central Asia,Kazakhstan,Almaty,,,Almaty,43.25,76.94,3,Vlast,National,x,0,,1",
]


def test_import_an_acled_export_and_see_its_events_on_the_map():
    at = open_page("pages/views/import_data.py")
    body = "\n".join([ACLED_HEADER, *ACLED_ROWS]).encode("utf-8")
    at.file_uploader(key="import_file").set_value(("acled-kaz.csv", body, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.radio(key="import_format").value == "acled"
    # how its events are typed: each sub-event type of the file, its rows and its type (changeable)
    types = at.dataframe[0].value.set_index("sub")
    assert types.to_dict("index") == {
        "Protest with intervention": {"rows": 1, "native": "rally"},
        "Arrests": {"rows": 1, "native": "detention"},
        "Peaceful protest": {"rows": 1, "native": "rally"},
    }
    shown = at.dataframe[1].value.set_index("record_id")  # the preview, before anything is written
    assert len(shown) == 3
    assert shown.loc["ACLED-KAZ9002", "acled_rule"] == (
        "event_type detention by rule sub_event_type (sub_event_type 'Arrests'); detained 12 from tags"
    )
    at.text_input(key="import_name").set_value("acled-june").run()
    at.button(key="import_check").click().run()
    for _ in range(120):  # the rows are checked in a background thread; the page polls it
        if at.metric:
            break
        time.sleep(0.25)
        at.run()
    counts = {m.label: m.value for m in at.metric}
    assert (counts["Imported"], counts["Merged"], counts["Rejected"]) == ("2", "0", "1")
    # the export's first row is at Republic Square, where the embedded data has detentions that
    # day and the day before: listed as possible duplicates, for the user to decide
    candidates = at.dataframe[2].value
    assert candidates[["record_id", "existing_record_id", "days_apart"]].values.tolist() == [
        ["ACLED-KAZ9001", "ALA-20190609-02", 0],
        ["ACLED-KAZ9001", "ALA-20190610-01", 1],
    ]
    assert candidates["reason"].iloc[0] == "same type (detention), the same day, points 4 m apart"
    rejected = at.dataframe[3].value
    assert rejected.loc[0, "value"] == "not a date" and rejected.loc[0, "column"] == "event_date"
    # the records to import, joined: both points fall in Almaly/Bostandyk, not pinned by a guess
    to_import = at.dataframe[4].value.set_index("Record")
    assert to_import.loc["ACLED-KAZ9001", "District"] == "Almaly"
    assert "Where they fall (Almaty, districts in force on 2019-06-10):" in [m.value for m in at.markdown]
    at.button(key="import_go").click().run()
    assert "Imported 2 records as 'acled-june'" in at.success[0].value
    from geo.store import open_store

    stored = open_store().read(["acled-june"]).set_index("record_id")
    # nothing of the export is lost: ACLED's own columns and the file row come along
    assert stored.loc["ACLED-KAZ9002", "acled_event_id_cnty"] == "KAZ9002"
    assert stored.loc["ACLED-KAZ9002", "source_row"] == 3

    at = open_page("pages/views/map.py", city="almaty", data="embedded,acled-june")
    listed = at.dataframe[1].value["Record"].tolist()
    assert {"ACLED-KAZ9001", "ACLED-KAZ9002"} <= set(listed)
    assert "ALA-20190609-02" in listed  # the embedded records are there too
    assert at.multiselect(key="f_data").value == ["embedded", "acled-june"]


def test_every_registered_page_has_an_app_test():
    pages = _registered_pages()
    assert pages == [
        "pages/views/overview.py",
        "pages/views/map.py",
        "pages/views/timeline.py",
        "pages/views/districts.py",
        "pages/views/sources.py",
        "pages/views/briefing.py",
        "pages/views/import_data.py",
    ]
    this = Path(__file__).read_text(encoding="utf-8")
    for page in pages:
        assert f'open_page("{page}"' in this, f"{page} is registered in app.py but has no AppTest here"


def test_the_figure_s_words_follow_the_language_and_the_figure_does_not():
    view = {"city": "almaty", "from": "2019-06-09", "to": "2019-06-13"}
    figures = {}
    for lang in ("en", "ru", "kk"):
        at = open_page("pages/views/briefing.py", lang=lang, **view)
        figures[lang] = at.metric[0].value
        assert at.multiselect(key="f_data").value == ["embedded"]  # the value stays the dataset's name
        assert word("dataset_embedded", lang) in at.multiselect(key="f_data").options
    assert figures == {"en": "at least 231", "ru": "не менее 231", "kk": "кемінде 231"}


_MAP_PAGE_IMPORTS = """
import sys
from streamlit.testing.v1 import AppTest

at = AppTest.from_file("app.py", default_timeout=120)
at.query_params.update({"city": "almaty", "from": "2019-06-09", "to": "2019-06-13"})
at.run()
at.switch_page("pages/views/map.py").run()
assert not at.exception, at.exception
labels = [b.label for b in at.get("download_button")]
print("fpdf" in sys.modules, "Briefing PDF (A4)" in labels)
"""


def test_the_map_page_offers_the_pdf_without_loading_the_pdf_library(tmp_path):
    """fpdf takes 0.4 s to import: a page with the PDF button loads it when the button is clicked (in a fresh
    interpreter: other tests have loaded it here). The browser test clicks it: tests/browser/test_browser.py."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROTESTMAP_")} | {"PROTESTMAP_CACHE": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-c", _MAP_PAGE_IMPORTS], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split()[-2:] == ["False", "True"]
