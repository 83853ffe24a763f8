"""The running app in headless Chromium with no network: what AppTest cannot see.

Every request to a host other than 127.0.0.1/localhost is aborted (see conftest):
pages must draw from the app's own server alone.  Map tiles are the one thing
allowed to be missing.  The map is located through the DOM classes geo.maps sets:
``pm-district`` on district polygons, ``pm-incident`` on incident markers.
"""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

ALMATY_JUNE = "city=almaty&from=2019-06-09&to=2019-06-13"
#: A map tile's address: .../{z}/{x}/{y}.png (or jpg, webp; @2x for retina tiles).
TILE = re.compile(r"/\d+/\d+/\d+(@2x)?\.(png|jpe?g|webp)$")
FOLIUM_FRAME = 'iframe[title*="st_folium"]'
RECORDS_SHOWN = re.compile(r"Records shown:\s*([\d,]+)")


def _not_tiles(urls: list[str]) -> list[str]:
    return [u for u in urls if not TILE.search(urlsplit(u).path)]


def _why(blocked: list[str]) -> str:
    """The failure message for requests that went to another host."""
    hint = ""
    if any("fonts.gstatic.com/s/i/" in u for u in blocked):
        hint = (
            " (st.set_page_config(page_icon=':material/...:') makes Streamlit fetch the favicon "
            "from fonts.gstatic.com; an emoji page_icon is drawn locally as a data: URL)"
        )
    return f"the page asked other hosts for {blocked}{hint}"


def _wait_until_idle(page) -> None:
    """Wait until Streamlit has no script run in progress."""
    page.wait_for_selector('[data-testid="stApp"]')
    # the app's own run state (a reader's toolbar, toolbarMode "viewer", may show no "Running")
    page.wait_for_function(
        "() => !['running', 'rerunRequested'].includes("
        "document.querySelector('[data-testid=\"stApp\"]').getAttribute('data-test-script-state'))"
    )
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')"
    )


def _first(page, selector: str, app) -> None:
    """Wait for ``selector`` on the page, failing at once (with the error) if the page raised."""
    page.locator(f"{selector}, [data-testid='stException']").first.wait_for()
    error = page.locator("[data-testid='stException']")
    if error.count():
        pytest.fail(f"the page raised instead of drawing:\n{error.first.inner_text()}\nserver log:\n{app.log_tail()}")


def _records_shown(page) -> int:
    caption = page.get_by_text(RECORDS_SHOWN).first
    caption.wait_for()
    return int(re.sub(r"\D", "", RECORDS_SHOWN.search(caption.inner_text()).group(1)))


def _open_map(offline_page, app):
    page = offline_page.page
    page.goto(f"{app.url}/map?{ALMATY_JUNE}")
    _first(page, FOLIUM_FRAME, app)
    frame = page.frame_locator(FOLIUM_FRAME).first
    try:
        frame.locator("path.leaflet-interactive.pm-district").first.wait_for(state="attached")
    except Exception as exc:
        offline_page.screenshot("map-failed")
        raise AssertionError(
            f"no district polygon drew in the map; blocked: {offline_page.blocked}; server log:\n{app.log_tail()}"
        ) from exc
    return page, frame


def test_overview_loads_with_no_network(app, offline_page):
    page = offline_page.page
    page.goto(f"{app.url}/?from=2019-06-09&to=2019-06-10")

    _first(page, '[data-testid="stMetric"]', app)
    _wait_until_idle(page)

    assert "protest-map" in page.title()
    assert page.locator("h1").first.inner_text().strip()
    metrics = page.locator('[data-testid="stMetric"]')
    figures = {
        metrics.nth(i).locator('[data-testid="stMetricValue"]').inner_text().strip(): metrics.nth(i)
        .locator('[data-testid="stMetricLabel"]')
        .inner_text()
        for i in range(metrics.count())
    }
    assert "700" in figures, figures
    assert re.search(r"nation|whole country", figures["700"], re.IGNORECASE), figures
    # a small map of each city: Almaty's 8 districts, Nur-Sultan's 4 (the 2019 layer)
    for n, districts in enumerate((8, 4)):
        frame = page.frame_locator(FOLIUM_FRAME).nth(n)
        frame.locator("path.leaflet-interactive.pm-district").nth(districts - 1).wait_for(state="attached")
        assert frame.locator("path.leaflet-interactive.pm-district").count() == districts
    assert offline_page.screenshot("overview").stat().st_size > 0
    assert _not_tiles(offline_page.blocked) == [], _why(_not_tiles(offline_page.blocked))


def test_map_draws_districts_and_incidents_from_the_app_alone(app, offline_page):
    page, frame = _open_map(offline_page, app)

    districts = frame.locator("path.leaflet-interactive.pm-district")
    incidents = frame.locator(".leaflet-interactive.pm-incident")
    incidents.first.wait_for(state="attached")
    _wait_until_idle(page)

    assert districts.count() == 8
    assert incidents.count() > 0
    assert frame.locator(".leaflet-container").count() == 1
    offline_page.screenshot("map-almaty")
    # Leaflet and its plugins came from /app/static/vendor: nothing but tiles went unanswered.
    assert _not_tiles(offline_page.blocked) == [], _why(_not_tiles(offline_page.blocked))


def test_clicking_a_district_filters_the_records_under_the_map(app, offline_page):
    page, frame = _open_map(offline_page, app)
    _wait_until_idle(page)
    before = _records_shown(page)
    districts = frame.locator("path.leaflet-interactive.pm-district")
    assert districts.count() == 8

    after = before
    for i in range(districts.count()):
        districts.nth(i).dispatch_event("click")
        try:
            page.wait_for_function(
                "before => [...document.querySelectorAll('p, span, div')].some(e =>"
                " /Records shown:\\s*[\\d,]+/.test(e.innerText)"
                " && Number(e.innerText.match(/Records shown:\\s*([\\d,]+)/)[1].replace(/,/g, '')) !== before)",
                arg=before,
                timeout=15_000,
            )
        except Exception:  # this district holds every record shown: try the next one
            continue
        _wait_until_idle(page)
        after = _records_shown(page)
        break

    offline_page.screenshot("map-district-selected")
    assert after != before, f"clicking any of the 8 districts left 'Records shown: {before}'"
    assert after < before
    assert _not_tiles(offline_page.blocked) == [], _why(_not_tiles(offline_page.blocked))


def test_timeline_draws_its_vega_chart(app, offline_page):
    page = offline_page.page
    page.goto(f"{app.url}/timeline?{ALMATY_JUNE}")

    _first(page, ".vega-embed canvas, .vega-embed svg", app)
    chart = page.locator(".vega-embed canvas, .vega-embed svg").first
    chart.wait_for(state="visible")
    _wait_until_idle(page)

    box = chart.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 50
    offline_page.screenshot("timeline")
    assert offline_page.blocked == [], _why(offline_page.blocked)


def test_first_request_of_a_fresh_server_to_a_page_runs_the_whole_app(fresh_app, offline_page):
    """A link straight to a page, opened first after the server starts, gets app.py's sidebar
    and navigation (not Streamlit's legacy pages-folder mode, which lists every file)."""
    page = offline_page.page
    page.goto(f"{fresh_app.url}/districts?city=almaty&lang=ru")
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Фильтры").wait_for()
    # the navigation arrives with app.py's run (a frame may still show the one before it)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stSidebarNav\"] a')]"
        ".some(a => a.innerText.includes('Обзор'))",
        timeout=30_000,
    )
    nav = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    # each link is the icon's ligature name, then the title
    assert [n.split()[-1] for n in nav] == ["Обзор", "Карта", "Хронология", "Районы", "Источники", "Справка", "Импорт"]
    page.get_by_text("Алмалинский район").first.wait_for(state="attached")  # a grid cell (canvas table)
    # and no "Page not found" dialog from Streamlit's legacy pages-folder mode
    assert page.locator('[role="dialog"]').count() == 0
    offline_page.screenshot("districts-ru-first-request")
    # the link's filters survive the first click after that hand-over (they used to fall
    # back to their defaults: all cities, English)
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Карта").click()
    page.wait_for_url(re.compile(r"/map\?"))
    _wait_until_idle(page)
    assert "city=almaty" in page.url and "lang=ru" in page.url, page.url
    assert page.locator('[data-testid="stSidebar"] label:has(input[type=radio]:checked)').first.inner_text() == "Алматы"


def test_import_checks_a_large_file_in_the_background(app, offline_page, tmp_path):
    """5,000 rows are checked in a thread while the page shows progress, then the counts."""
    from benchmarks.imports import write_acled

    path = tmp_path / "acled-5000.csv"
    write_acled(path, 5000)
    page = offline_page.page
    page.goto(f"{app.url}/import")
    _first(page, '[data-testid="stFileUploader"]', app)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    page.get_by_text("detected format:").wait_for()
    page.get_by_role("button", name="Check every row").click()
    imported = page.locator('[data-testid="stMetric"]').filter(has_text="Imported")
    imported.wait_for(timeout=120_000)
    assert imported.locator('[data-testid="stMetricValue"]').inner_text().strip() == "5,000"
    offline_page.screenshot("import-checked")
    assert _not_tiles(offline_page.blocked) == [], _why(_not_tiles(offline_page.blocked))


def _download(page, label: str, *, timeout: float = 120_000) -> tuple[str, bytes]:
    """Click the download button ``label``; the file's suggested name and bytes."""
    button = page.locator('[data-testid="stDownloadButton"] button').filter(has_text=label)
    button.wait_for(timeout=timeout)
    with page.expect_download(timeout=timeout) as info:
        button.click()
    return info.value.suggested_filename, Path(info.value.path()).read_bytes()


def test_the_map_pages_png_button_draws_the_static_map_when_clicked(app, offline_page):
    """The button's file is made on the click (deferred), on the server, with no network."""
    page, _ = _open_map(offline_page, app)
    _wait_until_idle(page)
    name, data = _download(page, "Map as PNG")
    assert name == "protest-map_almaty_2019-06-09_2019-06-13_map.png"
    assert data.startswith(b"\x89PNG") and len(data) > 50_000
    name, data = _download(page, "Briefing PDF (A4)")  # the PDF's library is loaded by the click, not the page
    assert name == "protest-map_almaty_2019-06-09_2019-06-13_brief.pdf" and data.startswith(b"%PDF")
    assert _not_tiles(offline_page.blocked) == [], _why(_not_tiles(offline_page.blocked))


def test_the_sources_downloads_are_the_views_records_made_when_clicked(app, offline_page):
    """The CSV and GeoJSON buttons make their files on the click (deferred): the view's rows, every one."""
    import io
    import json

    import pandas as pd

    from geo.filters import Filters, filter_records
    from geo.records import load_embedded_records

    page = offline_page.page
    page.goto(f"{app.url}/sources?{ALMATY_JUNE}")
    _first(page, '[data-testid="stDataFrame"]', app)
    _wait_until_idle(page)
    view = Filters(city="almaty", start=date(2019, 6, 9), end=date(2019, 6, 13))
    expected = sorted(filter_records(load_embedded_records(), view)["record_id"])
    name, data = _download(page, "Download CSV")
    assert name == "protest-map_almaty_2019-06-09_2019-06-13.csv"
    got = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert sorted(got["record_id"]) == expected and len(expected) > 20
    name, data = _download(page, "Download GeoJSON")
    assert name.endswith(".geojson")
    assert sorted(f["properties"]["record_id"] for f in json.loads(data)["features"]) == expected
    assert _not_tiles(offline_page.blocked) == [], _why(_not_tiles(offline_page.blocked))


def test_briefing_page_prepares_the_pack_and_hands_over_its_files(app, offline_page, tmp_path):
    page = offline_page.page
    page.goto(f"{app.url}/briefing?{ALMATY_JUNE}")
    _first(page, '[data-testid="stMetric"]', app)
    figure = page.locator('[data-testid="stMetricValue"]').first.inner_text().strip()
    assert figure == "at least 231"
    page.get_by_role("button").filter(has_text="Prepare the briefing pack").click()
    name, data = _download(page, "Briefing PDF (A4)")
    assert name == "protest-map_almaty_2019-06-09_2019-06-13_brief.pdf" and data.startswith(b"%PDF")
    pdf = tmp_path / name
    pdf.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert figure in text  # the app's figure, in the pack
    name, data = _download(page, "Briefing HTML (works offline)")
    assert name.endswith("_brief.html") and b"Content-Security-Policy" in data and figure.encode() in data
    offline_page.screenshot("briefing")
    assert _not_tiles(offline_page.blocked) == [], _why(_not_tiles(offline_page.blocked))
