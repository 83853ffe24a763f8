"""Sources: the filtered records with clickable sources, disagreements side by side, downloads."""

import streamlit as st

from geo.brief import discrepancies
from geo.export import records_to_csv, records_to_geojson
from geo.words import reason_text
from pages.ui import data, state, tables
from pages.ui.i18n import t

f = state.current()
lang = f.lang
st.title(t("sources", lang))

records = data.view(f)
st.caption(f"{t('records_shown', lang)}: {len(records)}")
tables.table(records, lang)

name = f"protest-map_{f.city}_{f.start}_{f.end}"
left, right = st.columns(2)
left.download_button(t("download_csv", lang), records_to_csv(records), file_name=f"{name}.csv", mime="text/csv")
right.download_button(
    t("download_geojson", lang), records_to_geojson(records), file_name=f"{name}.geojson", mime="application/geo+json"
)

st.subheader(t("discrepancies", lang))
disputed = discrepancies(records)  # the same rows as the briefing packs
side = tables.display_frame(disputed, lang)[["record_id", t("date", lang), t("detained", lang)]]
side[t("source_names", lang)] = disputed["source_names"].to_numpy()
side["contested_by"] = disputed["contested_by"].to_numpy()
side[t("notes", lang)] = disputed["notes"].to_numpy()
st.dataframe(side, hide_index=True, width="stretch")

area = "national" if f.city == "all" else f.city
result = data.detained(area, *data.filter_key(f))
st.subheader(t("considered", lang))
st.metric(f"{t('detained', lang)} ({area}, {f.start} – {f.end})", result["label"])
st.text(f"{t('basis_heading', lang)}: {', '.join(result['basis']) or '—'}")  # plain text: ids come from data
st.dataframe(
    [a | {"reason": reason_text(a["reason"], lang)} for a in result["alternatives"]],
    hide_index=True,
    width="stretch",
    column_config={"reason": t("reason", lang)},
)
