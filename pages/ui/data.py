"""The one place where the Streamlit side caches calls into :mod:`geo`.

Loading, joining and aggregating are cached here, on functions that take plain
values (the filters' fields) and return data: a filter change re-filters and
re-aggregates, it never reloads or re-joins the data.  Pages call these and
render; they never touch files or GeoPandas themselves.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from geo.aggregate import detained_range
from geo.boundaries import BoundarySet, load_boundaries
from geo.errors import BoundariesNotConfigured, BoundaryCheckError, ProtestMapError
from geo.filters import EMBEDDED_DATASET, Filters, filter_records
from geo.join import join_incidents, place_by_stated_city
from geo.records import keep_ids_apart, load_embedded_records
from geo.store import open_store


@st.cache_resource(show_spinner=False)
def boundaries() -> tuple[BoundarySet | None, str]:
    """The configured boundaries, or ``None`` and the message saying how to get them."""
    try:
        return load_boundaries(), ""
    except (BoundariesNotConfigured, BoundaryCheckError) as exc:
        return None, str(exc)


def boundaries_or_stop(lang: str) -> BoundarySet:
    """The boundaries; without them, say how to get them and stop the page (figures by city still work elsewhere)."""
    from pages.ui.i18n import t

    bset, problem = boundaries()
    if bset is None:
        st.warning(f"{t('no_boundaries', lang)}. {problem}")
        st.stop()
    return bset


@st.cache_resource(show_spinner=False)
def store():
    """The dataset store with the embedded dataset in it, or ``None`` and why not."""
    try:
        opened = open_store()
        opened.ensure_embedded()
        return opened, ""
    except ProtestMapError as exc:
        return None, str(exc)


def dataset_names() -> list[str]:
    """The datasets the user can choose (the embedded one alone when the store is unavailable)."""
    opened, _ = store()
    return [d.name for d in opened.datasets()] if opened is not None else [EMBEDDED_DATASET]


@st.cache_data(show_spinner="Loading and joining the incident records…")
def joined(datasets: tuple[str, ...] = (EMBEDDED_DATASET,)) -> pd.DataFrame:
    """The chosen datasets' records, joined to the boundaries when there are any."""
    opened, _ = store()
    if opened is None:
        records = load_embedded_records()
    else:
        known = set(dataset_names())
        records = keep_ids_apart(opened.read([n for n in datasets if n in known] or [EMBEDDED_DATASET]))
    return join_preview(records)


def join_preview(records: pd.DataFrame) -> pd.DataFrame:
    """Records joined to the boundaries; without boundaries, placed by their stated city only."""
    bset, _ = boundaries()
    if bset is None:  # figures by stated city still work; the pages say how to get boundaries
        return place_by_stated_city(records)
    return join_incidents(records, bset)


def view(filters: Filters, *, include_national: bool = True) -> pd.DataFrame:
    """The records of the current view (cheap: a boolean mask over the cached join)."""
    return filter_records(joined(filters.datasets), filters, include_national=include_national)


@st.cache_data(show_spinner=False)
def detained(
    area: str, start: date, end: date, types: tuple[str, ...], precs: tuple[int, ...], datasets: tuple[str, ...]
) -> dict:
    """The reconciled detained range for the view, as a plain dict with a ``label``."""
    records = view(Filters(start=start, end=end, event_types=types, precisions=precs, datasets=datasets))
    result = detained_range(records, area=area, start=start, end=end)
    return result.to_dict() | {"label": result.label()}


@st.cache_data(show_spinner=False)
def districts(
    city_id: str, start: date, end: date, types: tuple[str, ...], precs: tuple[int, ...], datasets: tuple[str, ...]
):
    """The district table of one city for the view (see geo.districts.district_table)."""
    from geo.districts import district_table

    bset, _ = boundaries()
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


def filter_key(filters: Filters) -> tuple:
    """The filter fields the cached functions take (dates, types, precisions, datasets)."""
    return filters.start, filters.end, tuple(filters.event_types), tuple(filters.precisions), filters.datasets
