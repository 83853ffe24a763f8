"""Switching the sidebar's language in a real browser changes the words, never the view.

Streamlit's multiselect and radio send their value back from the browser as the
option *labels*; a widget whose labels are translated would come back, after a
language switch, with last run's words, which the new language cannot read (the
filters used to fall back to their defaults: "Place known to" emptied, event
types dropped, the headline changed).  AppTest never sees it: only a browser
sends labels.  Each test opens a view in English, reads every filter, the URL,
every figure on the Overview and the Map page's record count, then switches the
language through the sidebar's selectbox, as a user would, and reads them again.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from test_browser import (  # tests/browser is on sys.path (rootdir conftest)
    _first,
    _wait_until_idle,
)

from geo import schema
from geo.words import capital
from pages.ui.i18n import t

pytestmark = pytest.mark.browser

LANG_NAMES = {"en": "English", "ru": "Русский", "kk": "Қазақша"}
SIDEBAR = '[data-testid="stSidebar"]'
#: "Records shown: 9" under the Map, in any of the three languages (digits grouped as each writes them).
RECORDS_SHOWN = re.compile(
    "(?:"
    + "|".join(re.escape(capital(t("records_shown", lang))) for lang in schema.LANGUAGES)
    + r"):\s*(\d[\d,\u00a0\u202f ]*)"
)


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def _digits(text: str) -> str:
    """A figure's digits: '4,000', '4 000' (normal or narrow space) and 'не менее 238' compare alike."""
    return re.sub(r"\D", "", text)


def _canonical(labels: list[str], keys: dict[str, object], lang: str) -> list[object]:
    """Map a widget's shown labels back to their values (``keys``: value -> i18n key).

    A label that is not one of ``lang``'s (last run's words left in the widget) stays
    as ``'not a <lang> label: ...'``, so the comparison shows it.
    """
    by_label = {t(key, lang): value for value, key in keys.items()}
    return [by_label.get(label, f"not a {lang} label: {label!r}") for label in labels]


def _settle(page, lang: str) -> None:
    """Wait until the run for ``lang`` has drawn the sidebar and the page, and nothing runs."""
    page.locator(SIDEBAR).get_by_text(t("filters", lang), exact=True).wait_for()
    # every filter drawn (a reader's toolbar may show no "Running" status to wait on)
    page.wait_for_function(
        '() => document.querySelectorAll(\'[data-testid="stSidebar"] [data-testid="stRadio"]\').length >= 2'
        ' && document.querySelectorAll(\'[data-testid="stSidebar"] [data-testid="stMultiSelect"]\').length >= 3',
        timeout=30_000,
    )
    _wait_until_idle(page)
    # a run's elements from before it are shown faded until it ends; wait for a still page
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=30_000)
    page.wait_for_timeout(300)
    _wait_until_idle(page)


def _sidebar_filters(page, lang: str) -> dict[str, object]:
    """Every sidebar filter's value as the browser shows it, mapped back to the app's values."""
    sidebar = page.locator(SIDEBAR)
    assert sidebar.locator('[data-testid="stSelectbox"] input').first.input_value() == LANG_NAMES[lang]
    radios = sidebar.locator('[data-testid="stRadio"]')
    multis = sidebar.locator('[data-testid="stMultiSelect"]')
    assert radios.count() == 2 and multis.count() == 3, "the sidebar's filters changed: update this test"

    def checked(radio) -> int | None:
        chosen = radio.locator("input[type=radio]").evaluate_all(
            "inputs => inputs.filter(i => i.checked).map(i => Number(i.value))"
        )
        return chosen[0] if chosen else None  # the option's index (its label is translated)

    def chips(multi) -> list[str]:
        return multi.locator('[data-testid="stMultiSelectTagsContainer"] [data-tag]').evaluate_all(
            "tags => tags.map(t => t.getAttribute('aria-label'))"
        )

    return {
        "city": checked(radios.nth(0)),
        "dates": sidebar.locator('[data-testid="stDateInputField"]').first.inner_text().strip(),
        "event_types": _canonical(chips(multis.nth(0)), {e: f"event_{e}" for e in schema.EVENT_TYPES}, lang),
        "precision": _canonical(chips(multis.nth(1)), {p: f"prec_{p}" for p in schema.GEO_PRECISIONS}, lang),
        "metric": checked(radios.nth(1)),
        # the shipped dataset by its title in the language, an import by its name
        "datasets": [schema.EMBEDDED_DATASET if c == t("dataset_embedded", lang) else c for c in chips(multis.nth(2))],
    }


def _overview_figures(page) -> list[str]:
    values = page.locator('[data-testid="stMain"] [data-testid="stMetricValue"]')
    values.first.wait_for()
    return [_digits(v) for v in values.all_inner_texts()]


def _nav(page, n: int) -> None:
    """Follow the sidebar's n-th navigation link (0 the Overview, 1 the Map), as a user would."""
    page.locator('[data-testid="stSidebarNav"] a').nth(n).click()


def _map_records(page, app, lang: str) -> int:
    _nav(page, 1)
    page.wait_for_url(re.compile(r"/map(\?|$)"))
    _first(page, 'iframe[title*="st_folium"]', app)
    _settle(page, lang)
    caption = page.get_by_text(RECORDS_SHOWN).first
    caption.wait_for()
    shown = int(re.sub(r"\D", "", RECORDS_SHOWN.search(caption.inner_text()).group(1)))
    _nav(page, 0)
    page.wait_for_url(lambda url: urlsplit(url).path in ("", "/"))
    _first(page, '[data-testid="stMetric"]', app)
    _settle(page, lang)
    return shown


def _view(page, app, lang: str) -> dict[str, object]:
    """What the user sees in ``lang``: filters, the URL without ``lang=``, figures, the Map's count;
    then the Overview's again, back from the Map (each page is a run of its own)."""

    def query() -> dict[str, list[str]]:
        values = _query(page.url)
        assert values.pop("lang", None) == (None if lang == "en" else [lang]), page.url
        return values

    seen = {
        "filters": _sidebar_filters(page, lang),
        "query": query(),
        "figures": _overview_figures(page),
        "map_records": _map_records(page, app, lang),
    }
    seen |= {
        "filters back from the Map": _sidebar_filters(page, lang),
        "query back from the Map": query(),
        "figures back from the Map": _overview_figures(page),
    }
    return seen


def _pick_language(page, lang: str) -> None:
    box = page.locator(SIDEBAR).locator('[data-testid="stSelectbox"]').first
    box.locator("input").click()
    page.get_by_role("option", name=LANG_NAMES[lang], exact=True).click()


def _switch_through(page, app, path: str, languages: str) -> dict[str, object]:
    """Open ``path`` in English, then switch to each of ``languages`` in turn; the English view."""
    page.goto(f"{app.url}{path}")
    _first(page, '[data-testid="stMetric"]', app)
    _settle(page, "en")
    english = _view(page, app, "en")
    for lang in languages.split()[1:]:
        _pick_language(page, lang)
        page.wait_for_function("lang => (new URL(location.href).searchParams.get('lang') || 'en') === lang", arg=lang)
        _first(page, '[data-testid="stMetric"]', app)
        _settle(page, lang)
        seen = _view(page, app, lang)
        changed = [
            f"{what}:\n  English: {english[what]}\n  {lang}: {seen[what]}"
            for what in english
            if seen[what] != english[what]
        ]
        assert not changed, f"switching to {lang} ({languages}) changed the view (URL {page.url}):\n" + "\n".join(
            changed
        )
    return english


@pytest.mark.parametrize("languages", ["en ru kk en", "en kk ru en", "en ru en", "en kk en"])
def test_switching_the_language_keeps_the_default_view(app, offline_page, languages):
    english = _switch_through(offline_page.page, app, "/", languages)
    assert english["query"] == {}  # the default view: June 2019, everything selected
    assert english["filters"]["event_types"] == list(schema.EVENT_TYPES)
    assert english["filters"]["precision"] == list(schema.GEO_PRECISIONS)
    assert english["figures"][0] == "4000"  # the national headline, in every language (checked above)


def test_switching_the_language_keeps_a_shared_links_filters(app, offline_page):
    # every ordered pair of languages, and each language seen again after another one
    english = _switch_through(
        offline_page.page,
        app,
        "/?city=almaty&types=detention,journalist_detained&prec=1,2&metric=incidents",
        "en ru kk ru en kk en",
    )
    assert english["query"] == {
        "city": ["almaty"],
        "types": ["detention,journalist_detained"],
        "prec": ["1,2"],
        "metric": ["incidents"],
    }
    assert english["filters"]["city"] == 1 and english["filters"]["metric"] == 1
    assert english["filters"]["event_types"] == ["detention", "journalist_detained"]
    assert english["filters"]["precision"] == [1, 2]


def test_the_maps_chosen_day_survives_a_language_switch(app, offline_page):
    page = offline_page.page
    page.goto(f"{app.url}/map?city=almaty")
    _first(page, 'iframe[title*="st_folium"]', app)
    _settle(page, "en")
    thumb = page.locator('[data-testid="stMain"] [data-testid="stSlider"] input[type=range]').first
    thumb.focus()
    thumb.press("ArrowRight")  # from "All days" to the window's first day
    thumb.press("ArrowRight")  # and the second: 10 June 2019
    _settle(page, "en")
    assert thumb.get_attribute("aria-valuetext") == "2019-06-10"
    caption = page.get_by_text(RECORDS_SHOWN).first
    english = int(re.sub(r"\D", "", RECORDS_SHOWN.search(caption.inner_text()).group(1)))
    for lang in ("ru", "kk", "en"):
        _pick_language(page, lang)
        page.wait_for_function("lang => (new URL(location.href).searchParams.get('lang') || 'en') === lang", arg=lang)
        _first(page, 'iframe[title*="st_folium"]', app)
        _settle(page, lang)
        thumb = page.locator('[data-testid="stMain"] [data-testid="stSlider"] input[type=range]').first
        assert thumb.get_attribute("aria-valuetext") == "2019-06-10", lang
        caption = page.get_by_text(RECORDS_SHOWN).first
        assert int(re.sub(r"\D", "", RECORDS_SHOWN.search(caption.inner_text()).group(1))) == english, lang
