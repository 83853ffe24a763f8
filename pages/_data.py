"""The one place where the Streamlit side caches calls into :mod:`geo`.

Functions here take plain values and return data; pages call them and render.
"""

from __future__ import annotations

import streamlit as st

from geo.aggregate import detained_range
from geo.records import load_embedded_records

HEADLINE_WINDOWS = [
    ("election day, 9 June 2019", "2019-06-09", "2019-06-09"),
    ("9-10 June 2019", "2019-06-09", "2019-06-10"),
    ("9-13 June 2019", "2019-06-09", "2019-06-13"),
]


@st.cache_data(show_spinner=False)
def records():
    """The embedded dataset, validated."""
    return load_embedded_records()


@st.cache_data(show_spinner=False)
def detained(area: str, start: str, end: str) -> dict:
    """The reconciled detained range as a plain dict (see geo.aggregate.Reconciliation)."""
    result = detained_range(records(), area=area, start=start, end=end)
    return result.to_dict() | {"label": result.label()}
