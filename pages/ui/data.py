"""The one place where the Streamlit side caches calls into :mod:`geo`.

Loading, joining and aggregating are cached here, on functions that take plain
values (the filters' fields) and return data: a filter change re-filters and
re-aggregates, it never reloads or re-joins the data.  Pages call these and
render; they never touch files or GeoPandas themselves.

In public mode (:mod:`pages.ui.deployment`) the store is read-only and nothing is
written: :class:`geo.published.PublishedStore` serves the embedded dataset from
its file and the operator's imports from the store; problems are shown without
their server paths.
"""

from __future__ import annotations

import logging
import sys
from datetime import date

import pandas as pd
import streamlit as st

from geo.aggregate import detained_range
from geo.boundaries import BoundarySet, load_boundaries
from geo.errors import BoundariesNotConfigured, BoundaryCheckError, ProtestMapError, SettingsError
from geo.filters import EMBEDDED_DATASET, Filters, filter_records
from geo.join import join_kept, place_by_stated_city
from geo.published import PublishedStore
from geo.records import keep_ids_apart, load_embedded_records
from geo.schema import LANGUAGES
from geo.settings import get_settings
from geo.store import open_store
from geo.words import range_text
from pages.ui import deployment

_LOG = logging.getLogger(__name__)


def boundaries() -> tuple[BoundarySet | None, str]:
    """The configured boundaries, or ``None`` and the message saying how to get them (no path in public mode)."""
    from pages.ui.i18n import t

    bset, problem = _boundaries()
    return bset, deployment.shown(problem, t("public_no_boundaries", state_lang()))


@st.cache_resource(show_spinner=False)
def _boundaries() -> tuple[BoundarySet | None, str]:
    try:
        return load_boundaries(), ""
    except (BoundariesNotConfigured, BoundaryCheckError) as exc:
        return None, str(exc)


#: The names in the notice saying how to get districts: the same in every language.
HOW_TO_GET_DISTRICTS = {
    "folder": "data/boundaries",
    "restore": "git checkout -- data/boundaries",
    "setting": "PROTESTMAP_BOUNDARIES",
    "command": "`python -m geo boundaries fetch`",
}


def boundaries_or_stop(lang: str) -> BoundarySet:
    """The boundaries; without them, say how to get them and stop the page (figures by city still work elsewhere)."""
    bset = boundaries_or_notice(lang)
    if bset is None:
        st.stop()
    return bset


def boundaries_or_notice(lang: str, headline: str = "no_boundaries") -> BoundarySet | None:
    """The boundaries, or ``None`` after one notice in ``lang`` saying how to get them.

    Locally the notice says what to do (restore data/boundaries, set
    PROTESTMAP_BOUNDARIES, or fetch them) with the technical detail folded under
    it; in public mode it says the operator can add them, and names no path.
    """
    from pages.ui.i18n import t

    bset, problem = boundaries()
    if bset is not None:
        return bset
    if deployment.public():
        st.warning(f"{_sentence(t(headline, lang))} {problem}", icon=":material/map:")
        return None
    st.warning(
        f"{_sentence(t(headline, lang))} {t('no_boundaries_how', lang, **HOW_TO_GET_DISTRICTS)}", icon=":material/map:"
    )
    with st.expander(t("details", lang)):
        st.text(problem)
    return None


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else f"{text}."


def store():
    """The dataset store, or ``None`` and why not.

    Locally the store with the embedded dataset in it (written there on first use);
    in public mode a :class:`~geo.published.PublishedStore` that writes nothing.  Where
    it is: :func:`pages.ui.deployment.store_location` (``PROTESTMAP_STORE``, from the
    environment or the secrets).  The reason never holds the location's password.
    """
    try:
        location = deployment.store_location()
    except SettingsError as exc:
        return None, str(exc)
    return _store(deployment.public(), location)


def _location() -> str:
    """The store's location, ``''`` when its setting is not usable (:func:`store` says why)."""
    try:
        return deployment.store_location()
    except SettingsError:
        return ""


@st.cache_resource(show_spinner=False)
def _store(public: bool, location: str):
    try:
        if public:
            return PublishedStore(open_store(location, read_only=True)), ""
        opened = open_store(location)
        opened.ensure_embedded()
        return opened, ""
    except ProtestMapError as exc:
        return None, deployment.without_password(str(exc), location)


def dataset_names() -> list[str]:
    """The datasets the user can choose (the embedded one alone when the store is unavailable, with a warning)."""
    from pages.ui.i18n import t

    opened, problem = store()
    names, problem = _names(opened, problem)
    if problem:
        st.warning(deployment.shown(problem, t("public_store_unreadable", state_lang())), icon=":material/database:")
    return names


def _names(opened, problem: str) -> tuple[list[str], str]:
    if opened is not None:
        try:
            return [d.name for d in opened.datasets()], ""
        except ProtestMapError as exc:
            problem = str(exc)
    return [EMBEDDED_DATASET], problem


def joined(datasets: tuple[str, ...] = (EMBEDDED_DATASET,)) -> pd.DataFrame:
    """The chosen datasets' records, joined to the boundaries when there are any."""
    return _joined(tuple(datasets), deployment.public(), _location())


def forget_records() -> None:
    """After the store changed: every figure and the joined records are read again."""
    st.cache_data.clear()
    _joined.clear()


# A resource, not data: st.cache_data would hand every caller a fresh unpickled copy (at a
# million records a second and a gigabyte each time, several times per page). Callers only
# read it: view() and the packs take their rows with a mask, which copies.
@st.cache_resource(show_spinner="Loading and joining the incident records…", max_entries=4)
def _joined(datasets: tuple[str, ...], public: bool, location: str) -> pd.DataFrame:
    """:func:`joined` for one store (its mode and place are part of the cache key)."""
    opened, problem = _store(public, location) if location else (None, "")
    if opened is None:
        records = load_embedded_records()
    else:
        known = set(_names(opened, problem)[0])
        names = [n for n in datasets if n in known] or [EMBEDDED_DATASET]
        records = keep_ids_apart(opened.read(names))
        bset, _ = boundaries()
        if _in_database(opened) and bset is not None:
            from geo.postgis import join_in_database

            try:  # the points placed by PostGIS, once per dataset written (the placements are kept)
                return join_in_database(opened, names, bset, records=records)
            except ProtestMapError as exc:  # the same join, here: the figures do not depend on where it ran
                _LOG.warning("the join in the database failed, joined here instead: %s", exc)
    return join_preview(records)


def join_preview(records: pd.DataFrame) -> pd.DataFrame:
    """Records joined to the boundaries; without boundaries, placed by their stated city only.

    Locally the answers are kept in the cache folder (``placements``), so that the next start
    reads them instead of placing every point again; in public mode nothing is written."""
    bset, _ = boundaries()
    if bset is None:  # figures by stated city still work; the pages say how to get boundaries
        return place_by_stated_city(records)
    return join_kept(records, bset, None if deployment.public() else _placements_folder())


def _placements_folder():
    try:
        return get_settings().cache_dir / "placements"
    except SettingsError:
        return None


def view(filters: Filters, *, include_national: bool = True) -> pd.DataFrame:
    """The records of the current view (cheap: a boolean mask over the cached join)."""
    return filter_records(joined(filters.datasets), filters, include_national=include_national)


def view_later(filters: Filters, *, include_national: bool = True):
    """A function that gives :func:`view`'s records when called, holding only the cached join.

    For a download button's file, made when it is clicked, outside the page's run: it must
    not reach for Streamlit's caches itself, and a page must not hold a copy of the view for it.
    """
    records = joined(filters.datasets)
    return lambda: filter_records(records, filters, include_national=include_national)


def detained(
    area: str, start: date, end: date, types: tuple[str, ...], precs: tuple[int, ...], datasets: tuple[str, ...]
) -> dict:
    """The reconciled detained range for the view, as a plain dict with a ``label`` in the reader's language."""
    answer = _detained(area, start, end, types, precs, datasets)
    return answer | {"label": answer["labels"][state_lang()]}


#: A page lists at most this many records or figures (the first), and says how many there are.
TABLE_LIMIT = 1_000


@st.cache_data(show_spinner=False)
def _detained(
    area: str, start: date, end: date, types: tuple[str, ...], precs: tuple[int, ...], datasets: tuple[str, ...]
) -> dict:
    """:func:`detained`, its label in every language (the figure never depends on the language)."""
    records = view(Filters(start=start, end=end, event_types=types, precisions=precs, datasets=datasets))
    result = detained_range(records, area=area, start=start, end=end)
    labels = {lang: range_text(result.detained_low, result.detained_high, lang) for lang in LANGUAGES}
    return result.to_dict(alternatives=TABLE_LIMIT) | {"labels": labels}  # the pages list no more


@st.cache_data(show_spinner=False)
def districts(
    city_id: str, start: date, end: date, types: tuple[str, ...], precs: tuple[int, ...], datasets: tuple[str, ...]
):
    """The district table of one city for the view (see geo.districts.district_table)."""
    from geo.districts import district_table

    bset, _ = boundaries()
    opened, _ = store()
    if _in_database(opened) and bset is not None:  # the window and its counts in SQL
        from geo.postgis import district_table_in_database

        known = set(_names(opened, "")[0])
        names = [n for n in datasets if n in known] or [EMBEDDED_DATASET]
        try:
            return district_table_in_database(
                opened, names, bset, city_id=city_id, start=start, end=end, event_types=types, precisions=precs
            )
        except ProtestMapError as exc:
            _LOG.warning("the district table in the database failed, counted here instead: %s", exc)
    records = view(Filters(start=start, end=end, event_types=types, precisions=precs, datasets=datasets))
    return district_table(records, bset, city_id=city_id, start=start, end=end)


@st.cache_data(show_spinner=False)
def timeline(start: date, end: date, types: tuple[str, ...], precs: tuple[int, ...], datasets: tuple[str, ...]):
    """(daily ranges per city, national cumulative figures, hours of day, key events) for the view."""
    from geo.series import daily_ranges, hour_of_day, national_cumulative

    records = view(Filters(start=start, end=end, event_types=types, precisions=precs, datasets=datasets))
    events = key_events()
    in_window = events[(events["date"] >= pd.Timestamp(start)) & (events["date"] <= pd.Timestamp(end))]
    return (
        daily_ranges(records, start=start, end=end),
        national_cumulative(records, start=start, end=end),
        hour_of_day(records),
        in_window,
    )


@st.cache_data(show_spinner=False)
def key_events() -> pd.DataFrame:
    """The sourced key events (data/events/key_events.csv)."""
    from geo.series import load_key_events

    return load_key_events()


def state_lang() -> str:
    """The language chosen in the sidebar (for a message shown before a page reads the filters)."""
    return str(st.session_state.get("f_lang", "en"))


def filter_key(filters: Filters) -> tuple:
    """The filter fields the cached functions take (dates, types, precisions, datasets)."""
    return filters.start, filters.end, tuple(filters.event_types), tuple(filters.precisions), filters.datasets


def _in_database(opened) -> bool:
    """Whether ``opened`` is a PostGIS store (geo.postgis, and psycopg with it, is loaded only for one)."""
    module = sys.modules.get("geo.postgis.store")
    return module is not None and isinstance(opened, module.PostGISStore)
