"""A records table as the pages show it: names in the chosen language, counts as ranges, sources as links."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.words import named_column
from pages.ui.i18n import t


def display_frame(records: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Plain display columns; every value stays text or a number (Streamlit escapes it)."""
    place = named_column(records, "place_name", lang)
    sources = records["source_urls"].str.split()
    return pd.DataFrame(
        {
            "record_id": records["record_id"],
            t("date", lang): records["date"].dt.strftime("%Y-%m-%d"),
            "time": records["time_local"],
            t("event", lang): records["event_type"].map(lambda e: t(f"event_{e}", lang)),
            t("place", lang): place,
            t("district", lang): records.get("district_name_en", ""),
            t("detained", lang): [
                count_label(lo, hi) for lo, hi in zip(records["detained_low"], records["detained_high"])
            ],
            t("summary", lang): records["summary"],
            t("source", lang): sources.str[0].fillna(""),
            "all_sources": sources,
            t("source_names", lang): records["source_names"],
        }
    )


def table(records: pd.DataFrame, lang: str, *, compact: bool = False) -> None:
    """Render ``records`` with clickable sources."""
    frame = display_frame(records, lang)
    if compact:
        frame = frame[["record_id", t("date", lang), t("detained", lang), t("summary", lang)]]
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        column_config={
            t("source", lang): st.column_config.LinkColumn(t("source", lang)),
            "all_sources": st.column_config.ListColumn("all sources"),
        },
    )


def count_label(low, high) -> str:
    """``''``, ``'at least 100'``, ``'700'`` or ``'30–100'``."""
    if pd.isna(low):
        return ""
    if pd.isna(high):
        return f"at least {int(low):,}"
    if int(high) == int(low):
        return f"{int(low):,}"
    return f"{int(low):,}–{int(high):,}"
