"""The HTML briefing pack opened from a file in headless Chromium, with nothing else reachable.

Every request that is not the pack's own file, ``data:``, ``blob:`` or
``about:`` is recorded and aborted; the maps (one srcdoc frame per city) and
the Vega chart must draw from the file alone, with no error, no
Content-Security-Policy violation and no dialog.

(Named ``..._offline`` because pytest, without ``__init__.py`` in tests/,
cannot collect two test files both called ``test_brief_html.py``.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pytest

from geo.brief import build_briefing
from geo.brief.html import render_html
from geo.filters import Filters

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
BRIEF_TIME = datetime.fromisoformat("2026-11-25T12:00:00+00:00")
HOSTILE_ID = "ALA-20190610-99"
HOSTILE_SUMMARY = "<script>alert(1)</script>"
DISTRICT = "path.leaflet-interactive.pm-district"
#: an incident drawn alone, or a cluster bubble of several (markercluster's own class)
MARKER = ".leaflet-interactive.pm-incident, .marker-cluster"

#: Record every CSP violation in every frame, before any script of the page runs.
_WATCH = """
window.__pmViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__pmViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@dataclass
class Opened:
    page: object
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def violations(self) -> list[str]:
        return [v for frame in self.page.frames for v in frame.evaluate("window.__pmViolations || []")]


@pytest.fixture
def open_pack(chromium, tmp_path):
    """``open_pack(briefing) -> Opened``: the pack written to a file and opened as file://."""
    contexts = []

    def open_(briefing) -> Opened:
        path = tmp_path / f"brief-{len(contexts)}.html"
        path.write_text(render_html(briefing), encoding="utf-8")
        own = path.resolve().as_uri()
        context = chromium.new_context(viewport={"width": 1400, "height": 1000})
        contexts.append(context)
        context.set_default_timeout(60_000)
        opened = Opened(page=None)

        def only_the_file(route):
            url = route.request.url
            if url == own or urlsplit(url).scheme in ("data", "blob", "about"):
                route.continue_()
            else:
                opened.blocked.append(url)
                route.abort("blockedbyclient")

        context.route("**/*", only_the_file)
        context.add_init_script(_WATCH)
        page = context.new_page()
        page.on("pageerror", lambda exc: opened.errors.append(str(exc)))
        page.on("console", lambda msg: opened.errors.append(msg.text) if msg.type == "error" else None)

        def dialog(d):
            opened.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)
        opened.page = page
        page.goto(own)
        return opened

    yield open_
    for context in contexts:
        context.close()


def _chart_drawn(page) -> None:
    chart = page.locator("#pm-timeline")
    page.locator('#pm-timeline:not([data-state="pending"])').wait_for()
    assert chart.get_attribute("data-state") == "drawn", chart.inner_text()


def _placed_with_coordinates(part) -> int:
    placed = part.placed
    return int((placed["latitude"].notna() & placed["longitude"].notna()).sum())


def _markers_drawn(frame) -> int:
    """Incidents on the map: lone markers plus the count in each cluster bubble."""
    frame.locator(MARKER).first.wait_for(state="attached")
    alone = frame.locator(".leaflet-interactive.pm-incident").count()
    bubbles = frame.locator(".marker-cluster")
    in_bubbles = sum(int(bubbles.nth(i).inner_text().strip()) for i in range(bubbles.count()))
    return alone + in_bubbles


def test_pack_draws_maps_and_chart_from_the_file_alone(make_briefing, open_pack):
    brief = make_briefing()
    opened = open_pack(brief)
    page = opened.page

    almaty = page.frame_locator('iframe.pm-map-frame[data-city="almaty"]')
    almaty.locator(DISTRICT).nth(7).wait_for(state="attached")
    assert almaty.locator(DISTRICT).count() == 8
    parts = {p.city_id: p for p in brief.cities}
    assert _markers_drawn(almaty) == _placed_with_coordinates(parts["almaty"]) > 0
    # Nur-Sultan in June 2019: the 4-district layer
    astana = page.frame_locator('iframe.pm-map-frame[data-city="astana"]')
    astana.locator(DISTRICT).nth(3).wait_for(state="attached")
    assert astana.locator(DISTRICT).count() == 4
    assert _markers_drawn(astana) == _placed_with_coordinates(parts["astana"]) > 0
    # the map's own controls: legend and the city-level badge
    assert almaty.locator(".pm-legend").count() == 1
    assert almaty.locator(".pm-city-badge").get_attribute("data-count") == str(len(parts["almaty"].city_level))

    _chart_drawn(page)
    marks = page.locator("#pm-timeline svg g.role-mark > path, #pm-timeline svg g.role-mark > line")
    assert marks.count() > 0
    chart_text = page.locator("#pm-timeline svg").first.inner_html()
    assert "Almaty" in chart_text and "Nur-Sultan" in chart_text
    # no link to the online Vega editor, nor any other action that leaves the file
    assert page.get_by_text("Open in Vega Editor").count() == 0
    assert page.locator("#pm-timeline a[href^='http']").count() == 0

    assert page.locator(".pm-headline-figure").inner_text() == "4,000"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "brief-html.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0

    assert opened.blocked == [], f"the pack asked for {opened.blocked}"
    assert opened.violations() == []
    assert opened.errors == []


def test_hostile_record_runs_nothing_in_the_browser(embedded_joined, real_boundaries, open_pack):
    placed = embedded_joined[
        (embedded_joined["city_id"] == "almaty")
        & (embedded_joined["attribution"] == "district")
        & (embedded_joined["date"] == pd.Timestamp("2019-06-10"))
    ]
    row = placed.iloc[[0]].copy()
    row["record_id"] = HOSTILE_ID
    row["summary"] = HOSTILE_SUMMARY
    row["place_name_en"] = "{{ 7*7 }} square"
    row["source_urls"] = "javascript:alert(2) https://example.org/report"
    row[["included_in", "contested_by"]] = ""
    joined = pd.concat([embedded_joined, row], ignore_index=True)
    brief = build_briefing(joined, Filters(city="almaty"), boundaries=real_boundaries, now=BRIEF_TIME)
    opened = open_pack(brief)
    page = opened.page

    frame = page.frame_locator("iframe.pm-map-frame")
    frame.locator(DISTRICT).nth(7).wait_for(state="attached")
    assert _markers_drawn(frame) == _placed_with_coordinates(brief.cities[0])
    _chart_drawn(page)

    cells = page.locator(f'tr[data-record="{HOSTILE_ID}"] td')
    assert cells.nth(6).inner_text() == HOSTILE_SUMMARY
    assert cells.nth(3).inner_text() == "{{ 7*7 }} square"
    assert page.locator('a[href^="javascript:" i]').count() == 0
    assert opened.dialogs == []
    assert opened.blocked == [] and opened.violations() == [] and opened.errors == []
