"""Overview: headline figures for the current filters, a small map of both cities, key dates."""

import streamlit as st
from streamlit_folium import st_folium

from geo.maps import incident_map
from geo.words import reason_text
from pages.ui import data, state
from pages.ui.i18n import t

f = state.current()
lang = f.lang
st.title(t("overview", lang))
st.caption("Protest incidents and arrests in Almaty and Nur-Sultan (Astana), Kazakhstan. " + t("range_note", lang))

key = data.filter_key(f)
area = "national" if f.city == "all" else f.city
result = data.detained(area, *key)
records = data.view(f)
label = t("detained_national", lang) if area == "national" else f"{t('detained', lang)}, {area.title()}"
cols = st.columns(4)
cols[0].metric(label, result["label"], help=f"{f.start} – {f.end}; {t('range_note', lang)}")
cols[1].metric(t("incidents", lang), len(records[records["city"] != "national"]))
journalists = records["event_type"].isin(["journalist_detained", "journalist_assaulted"])
cols[2].metric(t("journalists", lang), int(journalists.sum()))
cols[3].metric(t("rallies", lang), int((records["event_type"] == "rally").sum()))

with st.expander(t("basis_heading", lang)):
    basis = records[records["record_id"].isin(result["basis"])]
    st.dataframe(
        basis[["record_id", "date", "city", "detained_low", "detained_high", "summary", "source_names"]],
        hide_index=True,
    )
    if result["alternatives"]:
        st.write(t("considered", lang))
        st.dataframe([a | {"reason": reason_text(a["reason"], lang)} for a in result["alternatives"]], hide_index=True)

bset, problem = data.boundaries()
if bset is None:
    st.warning(f"{t('no_boundaries', lang)}. {problem}")
else:
    key = data.filter_key(f)
    for column, city in zip(st.columns(2), ("almaty", "astana")):
        with column:
            table = data.districts(city, *key)
            m = incident_map(
                data.view(f.but(city=city), include_national=False),
                bset,
                city_id=city,
                on=f.end,
                districts=table[table["kind"] == "district"],
                metric=f.metric,
                lang=lang,
                height=340,
                legend=False,
            )
            st_folium(m, height=340, use_container_width=True, returned_objects=[], key=f"overview-{city}")

st.subheader(t("key_dates", lang))
for _, event in data.key_events().iterrows():
    text = event[f"label_{lang}"] or event["label_ru"] or event["label_en"]
    st.text(f"{event['date']:%Y-%m-%d}  {text}")  # plain text: labels come from a data file
