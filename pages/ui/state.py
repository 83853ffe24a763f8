"""The one helper that keeps the view's filters in the URL and the sidebar.

``app.py`` calls :func:`sidebar` once per run, before the page: the widgets
start from the query string, and whatever the user changes is written back to
the query string, so a copied URL reproduces the view on any page.
"""

from __future__ import annotations

import re

import streamlit as st

from geo import schema
from geo.filters import CITY_CHOICES, LANGUAGES, METRICS, Filters
from geo.schema import EMBEDDED_DATASET
from pages.ui import data, internals
from pages.ui.i18n import city_label, t

_KEY = "pm_filters"
_LANG_NAMES = {"en": "English", "ru": "Русский", "kk": "Қазақша"}
#: The widgets whose option labels are translated: each language has its own key
#: (``f_city@ru``), see :func:`widget_key`.
_TRANSLATED = ("f_city", "f_types", "f_prec", "f_metric")


def widget_key(name: str, lang: str | None = None) -> str:
    """The session-state key of the sidebar widget ``name`` (``f_city``, ``f_lang`` ...) in ``lang``.

    A radio or multiselect comes back from the browser as its options' *labels*,
    and a widget with a key keeps its identity when its labels change.  After a
    language switch the browser would send last run's words, which the new
    language's labels cannot match, and Streamlit would drop them (the filters fell
    back to their defaults or emptied).  So each language has its own widgets for
    the filters with translated labels (``f_city@ru``), seeded from the view's
    values (:func:`current`) when the language changes.  ``lang`` defaults to the
    language chosen in the sidebar.
    """
    if name not in _TRANSLATED:
        return name
    return f"{name}@{lang or st.session_state.get('f_lang', 'en')}"


def sidebar() -> Filters:
    """Render the sidebar filters (seeded from the URL) and return them; keep the URL in step."""
    if _KEY not in st.session_state or "f_lang" not in st.session_state:
        _seed(Filters.from_query(st.query_params.to_dict()))
    elif st.session_state.pop("pm_handed_over", False) and _KEY in st.session_state:
        # The run before was a fresh server's hand-over (pages/<name>.py, see
        # pages/__init__.py); the browser then drops the widgets' values, which would
        # lose a shared link's filters on the first click.  Set them again.
        _seed(st.session_state[_KEY].but(problems=()))
    if internals.legacy_pages_mode():
        st.session_state["pm_handed_over"] = True
    lang = st.session_state.get("f_lang", "en")
    with st.sidebar:
        st.selectbox(t("language", lang), LANGUAGES, key="f_lang", format_func=_LANG_NAMES.get)
        lang = st.session_state["f_lang"]
        _seed_translated(lang)
        st.header(t("filters", lang))
        st.radio(
            t("city", lang),
            CITY_CHOICES,
            key=widget_key("f_city", lang),
            format_func=lambda c: t("all_cities", lang) if c == "all" else city_label(c, lang),
        )
        st.date_input(t("dates", lang), key="f_dates", format="YYYY-MM-DD")
        st.multiselect(
            t("event_types", lang),
            schema.EVENT_TYPES,
            key=widget_key("f_types", lang),
            format_func=lambda e: t(f"event_{e}", lang),
        )
        st.multiselect(
            t("precision", lang),
            schema.GEO_PRECISIONS,
            key=widget_key("f_prec", lang),
            format_func=lambda p: t(f"prec_{p}", lang),
        )
        st.radio(
            t("metric", lang),
            METRICS,
            key=widget_key("f_metric", lang),
            horizontal=True,
            format_func=lambda m: t(f"metric_{m}", lang),
        )
        names = data.dataset_names()
        st.session_state["f_data"] = [n for n in st.session_state.get("f_data", []) if n in names]
        st.multiselect(t("datasets", lang), names, key="f_data", format_func=lambda n: dataset_label(n, lang))
        st.caption(t("share", lang))
    filters = _from_widgets(lang)
    for problem in st.session_state.pop("f_problems", ()):
        st.sidebar.warning(f"Link: {_markdown_literal(problem)}")
    _write_query(filters)
    st.session_state[_KEY] = filters
    return filters


def current() -> Filters:
    """The filters :func:`sidebar` read on this run."""
    return st.session_state.get(_KEY) or Filters()


def set_city(city: str) -> None:
    """Switch the city filter (for use in a widget callback on a page)."""
    st.session_state[widget_key("f_city")] = city
    if _KEY in st.session_state:
        st.session_state[_KEY] = st.session_state[_KEY].but(city=city)


def _seed(f: Filters) -> None:
    """Set every sidebar widget (those of ``f.lang``) and the view's values to ``f``."""
    st.session_state["f_lang"] = f.lang
    _set_translated(f, f.lang)
    st.session_state["f_dates"] = (f.start, f.end)
    st.session_state["f_data"] = list(f.datasets)
    st.session_state["f_problems"] = f.problems
    st.session_state[_KEY] = f.but(problems=())


def _seed_translated(lang: str) -> None:
    """Give ``lang``'s widgets the view's values when the language changed since the last run.

    The view's values are the last run's filters (:func:`current`): a language switch
    is a run of its own, so nothing else changed since.  A widget of ``lang`` that is
    missing (a run stopped before the sidebar was drawn) gets its value too.
    """
    view = current()
    if view.lang != lang:
        _set_translated(view, lang)
        return
    for name, value in _translated_values(view).items():
        st.session_state.setdefault(widget_key(name, lang), value)


def _set_translated(f: Filters, lang: str) -> None:
    for name, value in _translated_values(f).items():
        st.session_state[widget_key(name, lang)] = value


def _translated_values(f: Filters) -> dict[str, object]:
    return {"f_city": f.city, "f_types": list(f.event_types), "f_prec": list(f.precisions), "f_metric": f.metric}


def _from_widgets(lang: str) -> Filters:
    dates = st.session_state.get("f_dates") or ()
    default = Filters()
    start = dates[0] if len(dates) >= 1 else default.start
    end = dates[1] if len(dates) >= 2 else start  # a half-picked range is one day
    chosen_types = st.session_state.get(widget_key("f_types", lang)) or ()
    chosen_precs = st.session_state.get(widget_key("f_prec", lang)) or ()
    types = tuple(e for e in schema.EVENT_TYPES if e in chosen_types)
    precs = tuple(p for p in schema.GEO_PRECISIONS if p in chosen_precs)
    return Filters(
        city=st.session_state[widget_key("f_city", lang)],
        start=start,
        end=end,
        event_types=types or default.event_types,
        precisions=precs or default.precisions,
        lang=lang,
        metric=st.session_state[widget_key("f_metric", lang)],
        datasets=tuple(st.session_state.get("f_data") or ()) or default.datasets,
    )


def _write_query(filters: Filters) -> None:
    wanted = filters.to_query()
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def _markdown_literal(text: str) -> str:
    """``text`` shown as typed: a value from a link is never markdown (no links, no emphasis)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!<>|~:$])", r"\\\1", text)


def dataset_label(name: str, lang: str) -> str:
    """A dataset as the sidebar names it: the shipped one in the reader's language, an import by its name."""
    return t("dataset_embedded", lang) if name == EMBEDDED_DATASET else name
