"""Map: districts shaded by detentions or incidents, incidents as markers, city-level records beside."""

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import maps
from geo.maps import drawn_without_districts, incident_map
from geo.words import capital, number
from pages.ui import briefs, data, state, tables
from pages.ui.i18n import city_label, t


def show() -> None:
    """The page, in a function: its frames (a city's records at a million: hundreds of MB) are let go when it
    has run, not kept by the page's globals, which the widgets' callbacks hold until the next run."""
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

    if bset is None:  # drawn where their sources put them, in no district; the others listed beside
        in_city = records[records["city_id"] == city]
        drawn_mask = drawn_without_districts(in_city)
        placed, city_level = in_city[drawn_mask], in_city[~drawn_mask]
    else:
        placed, city_level = records[records["attribution"] == "district"], records[records["attribution"] == "city"]
    drawn = maps.drawn_incidents(placed)
    grid = maps.representation(len(drawn)) == "grid"

    # A grid map (too many incidents for the page) draws the incidents of the view once zoomed in:
    # st_folium's last bounds and zoom (kept under the key) choose them, added as a layer of their own
    # so that the map itself is not drawn again.
    resets = st.session_state.setdefault("map_resets", 0)
    map_key = f"map-{city}-{resets}"
    in_view, view_layer, view_note = drawn, None, None
    if grid:
        last = st.session_state.get(map_key) or {}
        if (last.get("zoom") or 0) >= maps.POINTS_FROM_ZOOM:
            in_view = maps.within(drawn, last.get("bounds"))
            if len(in_view) <= maps.VIEW_POINT_LIMIT:
                view_layer = maps.incidents_in_view(in_view, lang)
            else:
                view_note = t(
                    "map_zoom_further", lang, n=number(len(in_view), lang), limit=number(maps.VIEW_POINT_LIMIT, lang)
                )

    left, right = st.columns([3, 1])
    with left:
        clicked = st_folium(
            m,
            height=560,
            width="stretch",
            key=map_key,
            returned_objects=["last_active_drawing", *(["bounds", "zoom"] if grid else [])],
            feature_group_to_add=view_layer,
        )
        if view_note:
            st.caption(view_note)
    props = ((clicked or {}).get("last_active_drawing") or {}).get("properties") or {}
    chosen = maps.selected_record(in_view, props)
    if chosen:
        shown = placed[placed["record_id"] == chosen]
        what = chosen
    elif props.get("district_id"):
        shown = placed[placed["district_id"] == props["district_id"]]
        what = props.get("name") or props["district_id"]
    elif props.get("cell"):
        shown = drawn[maps.in_cell(drawn, str(props["cell"]))]
        what = t("grid_cell", lang)
    else:
        shown, what = placed, None

    with right:
        st.subheader(t("city_level", lang))
        tables.table_on_request(city_level, lang, compact=True, key="map_list_city_level")

    shown_view = f.but(city=city) if day is None else f.but(city=city, start=day, end=day)
    briefs.download_row(shown_view, "map", key="map")

    if what:
        st.button(
            f"{t('clear_selection', lang)} ({what})", on_click=lambda: st.session_state.update(map_resets=resets + 1)
        )
    st.caption(f"{capital(t('records_shown', lang))}: {number(len(shown), lang)}")
    tables.table_on_request(shown, lang, key="map_list_shown")


show()
