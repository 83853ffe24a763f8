"""Every page at a desktop width (1,400 px) and a phone's (390 px), in English and Kazakh.

What a reader sees and AppTest cannot: no element wider than the container it sits in
(a chart or a map cut off at the side), no English word of the interface left in a
Kazakh view, and a map that starts with its legend folded on a phone.  Screenshots of
every page go to ``artifacts/screenshots/widths/`` for a person to look at.

"No English word" is checked against the words table itself: the English words of
:data:`geo.words.WORDS` that no Kazakh entry also uses (names such as ACLED, CSV or
OpenStreetMap are the same in every language) must not appear in the Kazakh page's
visible text.  Data values are not words of the interface: table cells are drawn on a
canvas and never in the text checked, and the records' English summaries show only in
map popups, which are closed.  The check is tried on the English view first, where it
must find the words it looks for (a check that finds nothing anywhere proves nothing).
"""

from __future__ import annotations

import re

import pytest

from geo.words import WORDS
from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": 1400, "phone": 390}
VIEW = "city=almaty&from=2019-06-09&to=2019-06-13"
PAGES = {
    "overview": "",
    "map": "map",
    "timeline": "timeline",
    "districts": "districts",
    "sources": "sources",
    "briefing": "briefing",
    "import": "import",
}
FOLIUM_FRAME = 'iframe[title*="st_folium"]'

#: Elements that reach outside their container (the Streamlit element, column or block
#: they sit in), in the page: each with its box.  What an ancestor scrolls sideways on
#: purpose (a table, a code block) has a scrollbar, not a cut: it is left out, as are
#: floating boxes (tooltips, menus, an element's hover toolbar).
OVERFLOWING_JS = """
() => {
  const CONTAINERS = new Set(["stElementContainer", "stColumn", "stVerticalBlock", "stHorizontalBlock",
                              "stMainBlockContainer", "stMain", "stSidebarContent", "stExpander"]);
  const root = document.querySelector('[data-testid="stApp"]');
  const out = [];
  const floating = (el) => ["absolute", "fixed"].includes(getComputedStyle(el).position);
  const scrolls = (el) =>
    ["auto", "scroll"].includes(getComputedStyle(el).overflowX) && el.scrollWidth > el.clientWidth;
  for (const el of root.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || !el.checkVisibility()) continue;
    let parent = el.parentElement, container = null, skip = floating(el);
    while (parent && !skip) {
      if (scrolls(parent) || floating(parent)) { skip = true; break; }
      if (CONTAINERS.has(parent.getAttribute("data-testid"))) { container = parent; break; }
      parent = parent.parentElement;
    }
    if (skip || !container) continue;
    const limit = container.getBoundingClientRect();
    if (limit.right <= 0) continue;  // the sidebar, folded away off the screen (a phone)
    if (box.right > limit.right + 3 || box.left < limit.left - 3) {
      const id = el.getAttribute("data-testid") || el.getAttribute("class") || "";
      out.push(`${el.tagName.toLowerCase()}.${id.slice(0, 50)}: ${Math.round(box.left)}..${Math.round(box.right)} px ` +
               `in ${container.getAttribute("data-testid")} ${Math.round(limit.left)}..${Math.round(limit.right)} px`);
    }
  }
  if (document.documentElement.scrollWidth > window.innerWidth + 1) {
    out.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px in ${window.innerWidth} px`);
  }
  for (const frame of document.querySelectorAll("iframe")) {
    const box = frame.getBoundingClientRect(), holder = frame.closest('[data-testid="stElementContainer"]');
    const right = holder ? holder.getBoundingClientRect().right : 0;
    if (holder && box.width && box.right > right + 3) {
      out.push(`iframe ${frame.title}: ${Math.round(box.right)} px past ${Math.round(right)} px`);
    }
  }
  return out.slice(0, 12);
}
"""

#: The text a reader sees: every visible text node of the app (sidebar and page), without
#: the names of Material icons (drawn as glyphs from their names) and text of size 0.
TEXT_JS = """
(rootSelector) => {
  const root = document.querySelector(rootSelector) || document.body;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const parts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || !el.checkVisibility() || parseFloat(getComputedStyle(el).fontSize) === 0) continue;
    if (el.closest('[data-testid="stIconMaterial"]')) continue;
    if (["SCRIPT", "STYLE", "NOSCRIPT"].includes(el.tagName)) continue;
    parts.push(node.textContent);
  }
  return parts.join(" ");
}
"""


def _latin_words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'’-]{3,}", text)}


def _placeholders_removed(text: str) -> str:
    return re.sub(r"\{[^}]*\}", " ", text)


#: English words of the interface: in some English entry, in no Kazakh entry.
ENGLISH_ONLY = set().union(*(_latin_words(_placeholders_removed(e["en"])) for e in WORDS.values())) - set().union(
    *(_latin_words(_placeholders_removed(e["kk"])) for e in WORDS.values())
)


def english_words_in(text: str) -> list[str]:
    """The English-only interface words found in ``text`` (sorted)."""
    return sorted(_latin_words(text) & ENGLISH_ONLY)


def _open(page, app, path: str, lang: str) -> None:
    page.goto(f"{app.url}/{path}?{VIEW}&lang={lang}")
    page.locator("h1, [data-testid='stException']").first.wait_for()
    assert page.locator("[data-testid='stException']").count() == 0, page.locator(
        "[data-testid='stException']"
    ).first.inner_text()
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')"
    )
    page.wait_for_timeout(800)  # charts and the map lay themselves out after the run


def _all_text(page) -> str:
    """The visible text of the app and of every map frame in it."""
    text = page.evaluate(TEXT_JS, '[data-testid="stApp"]')
    for frame in page.frames:
        if frame is not page.main_frame and frame.locator(".leaflet-container").count():
            text += "\n" + frame.evaluate(TEXT_JS, "body")
    return text


@pytest.fixture
def sized_page(chromium, request):
    """A page of the given viewport width (a phone with touch, or a desktop)."""
    width = WIDTHS[request.param]
    phone = width < 600
    context = chromium.new_context(
        viewport={"width": width, "height": 844 if phone else 1000},
        is_mobile=phone,
        has_touch=phone,
        device_scale_factor=1,
    )
    context.set_default_timeout(60_000)
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(("http://127.0.0.1", "http://localhost"))
            else route.abort()
        ),
    )
    page = context.new_page()
    page.width_name = request.param
    yield page
    context.close()


def test_the_english_check_finds_english_words():
    assert {"detained", "district", "legend", "timeline"} <= ENGLISH_ONLY
    assert "acled" not in ENGLISH_ONLY and "openstreetmap" not in ENGLISH_ONLY  # names, the same in Kazakh
    assert english_words_in("Detained, Алматы · Шартты белгілер · ACLED") == ["detained"]
    assert english_words_in("Astana, Almaty") == ["almaty", "astana"]  # the English place names too


@pytest.mark.parametrize("sized_page", list(WIDTHS), indirect=True)
@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_fits_its_width_in_english_and_kazakh(app, sized_page, name):
    page = sized_page
    found = {}
    for lang in ("en", "kk"):
        _open(page, app, PAGES[name], lang)
        if name == "timeline":
            page.locator(".vega-embed").first.wait_for(state="attached")
        if name == "map":
            page.frame_locator(FOLIUM_FRAME).first.locator("path.pm-district").first.wait_for(state="attached")
        (SCREENSHOTS / "widths").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "widths" / f"{name}-{lang}-{page.width_name}.png"), full_page=True)
        too_wide = page.evaluate(OVERFLOWING_JS)
        assert too_wide == [], f"{name} in {lang} at {WIDTHS[page.width_name]} px: {too_wide}"
        found[lang] = english_words_in(_all_text(page))
    assert found["en"], f"the English {name} page shows none of the words the check looks for"
    assert found["kk"] == [], f"English words in the Kazakh {name} page: {found['kk']}"


@pytest.mark.parametrize("sized_page", ["phone"], indirect=True)
def test_on_a_phone_the_map_legend_starts_folded_and_opens(app, sized_page):
    page = sized_page
    _open(page, app, "map", "kk")
    frame = page.frame_locator(FOLIUM_FRAME).first
    frame.locator("path.pm-district").first.wait_for(state="attached")
    legend = frame.locator(".pm-legend details")
    assert legend.get_attribute("open") is None
    map_box = frame.locator(".leaflet-container").bounding_box()
    folded = frame.locator(".pm-legend").bounding_box()
    assert folded["width"] * folded["height"] < 0.05 * map_box["width"] * map_box["height"]
    note = frame.locator(".pm-tile-note")  # no network here: the note says so in a few words, the rest on a tap
    note.wait_for()
    assert note.locator("summary").inner_text() == "Негізгі қабат жоқ (желі жоқ)"
    assert note.locator("details").get_attribute("open") is None
    assert note.bounding_box()["height"] < 0.1 * map_box["height"]
    frame.locator(".pm-legend summary").click()
    assert legend.get_attribute("open") == ""
    assert "Шартты белгілер" in frame.locator(".pm-legend summary").inner_text()
    # the city fills the map: Almaty's districts span most of its width
    districts = frame.locator("path.pm-district")
    boxes = [districts.nth(i).bounding_box() for i in range(districts.count())]
    span = max(b["x"] + b["width"] for b in boxes) - min(b["x"] for b in boxes)
    assert span > 0.6 * map_box["width"]


def test_without_boundaries_the_map_draws_the_incidents_and_says_once_how_to_get_districts(
    app_without_boundaries, offline_page
):
    page = offline_page.page
    _open(page, app_without_boundaries, "map", "ru")
    notices = page.locator('[data-testid="stAlert"]')
    assert notices.count() == 1
    assert "python -m geo boundaries fetch" in notices.first.inner_text()
    assert "Границы районов не настроены" in notices.first.inner_text()
    frame = page.frame_locator(FOLIUM_FRAME).first
    frame.locator(".pm-incident").first.wait_for(state="attached")
    assert frame.locator(".pm-incident").count() > 0
    assert frame.locator("path.pm-district").count() == 0
    assert "Нет границ районов" in frame.locator(".pm-legend").inner_text()
    offline_page.screenshot("map-without-boundaries")
