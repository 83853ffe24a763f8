"""Districts: ranking by detentions and incidents, per km², names in three languages, remainders."""

import pandas as pd
import streamlit as st

from geo.boundaries import city_name_over
from pages.ui import data, state, tables
from pages.ui.i18n import t

f = state.current()
lang = f.lang
st.title(t("districts", lang))

data.boundaries_or_stop(lang)

cities = ["almaty", "astana"] if f.city == "all" else [f.city]
for city in cities:
    table = data.districts(city, *data.filter_key(f))
    st.subheader(city_name_over(city, f.start, f.end, lang))  # Nur-Sultan in June 2019, Astana in 2023
    sort = "detained_low" if f.metric == "detained" else "incidents"
    body = table[table["kind"] == "district"].sort_values([sort, "name_en"], ascending=[False, True])
    shown = pd.concat([body, table[table["kind"] != "district"]])
    tables.show(tables.districts_frame(shown, lang), lang)
st.caption(t("range_note", lang))
