"""Districts: ranking by detentions and incidents, per km², names in three languages, remainders."""

import pandas as pd
import streamlit as st

from pages.ui import data, state
from pages.ui.i18n import city_label, t

f = state.current()
lang = f.lang
st.title(t("districts", lang))

data.boundaries_or_stop(lang)

cities = ["almaty", "astana"] if f.city == "all" else [f.city]
for city in cities:
    table = data.districts(city, *data.filter_key(f))
    st.subheader(city_label(city, lang))
    sort = "detained_low" if f.metric == "detained" else "incidents"
    body = table[table["kind"] == "district"].sort_values([sort, "name_en"], ascending=[False, True])
    shown = pd.concat([body, table[table["kind"] != "district"]])
    st.dataframe(
        shown.drop(columns=["kind"]),
        hide_index=True,
        width="stretch",
        column_config={
            "district_id": None,
            "name_en": "English",
            "name_ru": "Русский",
            "name_kk": "Қазақша",
            "area_km2": st.column_config.NumberColumn(t("area_km2", lang), format="%.1f"),
            "incidents": t("incidents", lang),
            "detained_low": t("detained_low", lang),
            "detained_high": t("detained_high", lang),
            "detained_per_km2": st.column_config.NumberColumn(t("per_km2", lang), format="%.2f"),
            "incidents_per_km2": st.column_config.NumberColumn(t("incidents_per_km2", lang), format="%.3f"),
        },
    )
st.caption(t("range_note", lang))
