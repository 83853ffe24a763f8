"""Map: districts shaded by detentions or incidents, incidents as markers, city-level records beside."""

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.maps import drawn_without_districts, incident_map
from geo.words import capital, number
from pages.ui import briefs, data, state, tables
from pages.ui.i18n import city_label, t

f = state.current()
lang = f.lang
st.title(t("map", lang))

bset = data.boundaries_or_notice(lang)  # without boundaries: incidents and the city-level list, no districts

city = f.city if f.city != "all" else "almaty"
st.session_state["map_city"] = city
st.segmented_control(
    t("city", lang),
    ["almaty", "astana"],
    key="map_city",
    format_func=lambda c: city_label(c, lang),
    on_change=lambda: state.set_city(st.session_state["map_city"] or city),
)

records = data.view(f.but(city=city), include_national=False)
days = pd.date_range(f.start, f.end).date.tolist()
# keyed, so that its label changing with the language keeps the chosen day (a day's label is the
# same in every language; "all days" is the default in every language anyway)
day = st.select_slider(
    t("day", lang),
    options=[None, *days],
    value=None,
    key="map_day",
    format_func=lambda d: t("all_days", lang) if d is None else d.isoformat(),
)
if day is not None:
    on_day = (records["period_start"].dt.date <= day) & (records["period_end"].dt.date >= day)
    records = records[on_day]

key = data.filter_key(f)
table = None
if bset is not None:
    table = data.districts(city, *key) if day is None else data.districts(city, day, day, *key[2:])
    table = table[table["kind"] == "district"]
m = incident_map(records, bset, city_id=city, on=day or f.end, districts=table, metric=f.metric, lang=lang)

left, right = st.columns([3, 1])
with left:
    resets = st.session_state.setdefault("map_resets", 0)
    clicked = st_folium(
        m, height=560, width="stretch", key=f"map-{city}-{resets}", returned_objects=["last_active_drawing"]
    )
props = ((clicked or {}).get("last_active_drawing") or {}).get("properties") or {}
if bset is None:  # drawn where their sources put them, in no district; the others listed beside
    in_city = records[records["city_id"] == city]
    drawn = drawn_without_districts(in_city)
    placed, city_level = in_city[drawn], in_city[~drawn]
else:
    placed, city_level = records[records["attribution"] == "district"], records[records["attribution"] == "city"]
if props.get("record_id"):
    shown = placed[placed["record_id"] == props["record_id"]]
    what = props["record_id"]
elif props.get("district_id"):
    shown = placed[placed["district_id"] == props["district_id"]]
    what = props.get("name") or props["district_id"]
else:
    shown, what = placed, None

with right:
    st.subheader(t("city_level", lang))
    tables.table(city_level, lang, compact=True)

shown_view = f.but(city=city) if day is None else f.but(city=city, start=day, end=day)
briefs.download_row(shown_view, "map", key="map")

if what:
    st.button(f"{t('clear_selection', lang)} ({what})", on_click=lambda: st.session_state.update(map_resets=resets + 1))
st.caption(f"{capital(t('records_shown', lang))}: {number(len(shown), lang)}")
tables.table(shown, lang)
