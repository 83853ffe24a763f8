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
from geo.errors import BoundariesNotConfigured, BoundaryCheckError
from geo.filters import Filters, filter_records
from geo.join import join_incidents
from geo.records import load_embedded_records
from geo.schema import CITY_IDS


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


@st.cache_data(show_spinner="Loading and joining the incident records…")
def joined() -> pd.DataFrame:
    """The embedded dataset, joined to the boundaries when there are any."""
    records = load_embedded_records()
    bset, _ = boundaries()
    if bset is None:  # figures by stated city still work; the pages say how to get boundaries
        city_id = records["city"].map(CITY_IDS).fillna("")
        return records.assign(city_id=city_id, district_id="", district_name_en="",
                              attribution=city_id.map(lambda c: "city" if c else "unlocated"),
                              join_note="no boundaries configured", boundary_layer="")
    return join_incidents(records, bset)


def view(filters: Filters, *, include_national: bool = True) -> pd.DataFrame:
    """The records of the current view (cheap: a boolean mask over the cached join)."""
    return filter_records(joined(), filters, include_national=include_national)


@st.cache_data(show_spinner=False)
def detained(area: str, start: date, end: date, types: tuple[str, ...], precs: tuple[int, ...]) -> dict:
    """The reconciled detained range for the view, as a plain dict with a ``label``."""
    records = view(Filters(start=start, end=end, event_types=types, precisions=precs))
    result = detained_range(records, area=area, start=start, end=end)
    return result.to_dict() | {"label": result.label()}


@st.cache_data(show_spinner=False)
def districts(city_id: str, start: date, end: date, types: tuple[str, ...], precs: tuple[int, ...]):
    """The district table of one city for the view (see geo.districts.district_table)."""
    from geo.districts import district_table

    bset, _ = boundaries()
    records = view(Filters(start=start, end=end, event_types=types, precisions=precs))
    return district_table(records, bset, city_id=city_id, start=start, end=end)


@st.cache_data(show_spinner=False)
def timeline(start: date, end: date, types: tuple[str, ...], precs: tuple[int, ...]):
    """(daily ranges per city, national cumulative figures, hours of day, key events) for the view."""
    from geo.series import daily_ranges, hour_of_day, national_cumulative

    records = view(Filters(start=start, end=end, event_types=types, precisions=precs))
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
    """The filter fields the cached functions take (dates, types, precisions)."""
    return filters.start, filters.end, tuple(filters.event_types), tuple(filters.precisions)
