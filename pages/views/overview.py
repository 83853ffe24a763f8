"""Overview: headline figures for the current filters, a small map of both cities, key dates."""

import streamlit as st

from pages.ui import data, state
from pages.ui.i18n import t

f = state.current()
lang = f.lang
st.title(t("overview", lang))
st.caption(
    "Protest incidents and arrests in Almaty and Nur-Sultan (Astana), Kazakhstan. "
    + t("range_note", lang)
)

key = data.filter_key(f)
area = "national" if f.city == "all" else f.city
result = data.detained(area, *key)
records = data.view(f)
label = t("detained_national", lang) if area == "national" else f"{t('detained', lang)}, {area.title()}"
cols = st.columns(4)
cols[0].metric(f"{label}, {f.start} – {f.end}", result["label"])
cols[1].metric(t("incidents", lang), len(records[records["city"] != "national"]))
journalists = records["event_type"].isin(["journalist_detained", "journalist_assaulted"])
cols[2].metric(t("journalists", lang), int(journalists.sum()))
cols[3].metric(t("rallies", lang), int((records["event_type"] == "rally").sum()))

with st.expander(t("basis", lang)):
    basis = records[records["record_id"].isin(result["basis"])]
    st.dataframe(basis[["record_id", "date", "city", "detained_low", "detained_high", "summary",
                        "source_names"]], hide_index=True)
    if result["alternatives"]:
        st.write(t("considered", lang))
        st.dataframe(result["alternatives"], hide_index=True)
