"""Timeline: detained per day per city as low-high bands, national totals as their own series."""

import streamlit as st

from geo.charts import hour_chart, timeline_chart
from pages.ui import briefs, data, state
from pages.ui.i18n import t

f = state.current()
lang = f.lang
st.title(t("timeline", lang))
st.caption(t("range_note", lang))

daily, national, hours, events = data.timeline(*data.filter_key(f))
if f.city != "all":
    daily = daily[daily["city_id"] == f.city]
st.altair_chart(timeline_chart(daily, national, events, lang=lang), width="stretch")
briefs.download_row(f, "timeline", key="timeline")

st.subheader(t("hour_of_day", lang))
if f.city != "all":
    hours = hours[hours["city_id"] == f.city]
if hours.empty:
    st.info(t("no_clock_time", lang))
else:
    st.altair_chart(hour_chart(hours, lang=lang), width="stretch")
