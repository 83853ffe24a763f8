"""Overview: headline figures for the current filters, a small map of both cities, key dates."""

import streamlit as st

from geo.boundaries import city_name_over
from geo.words import number
from pages.ui import data, state, tables
from pages.ui.i18n import t


def show() -> None:
    """The page, in a function: its frames (a city's records at a million: hundreds of MB) are let go when it
    has run, not kept by the page's globals, which the widgets' callbacks hold until the next run."""
    f = state.current()
    lang = f.lang
    st.title(t("overview", lang))
    st.caption(f"{t('overview_intro', lang)} {t('range_note', lang)}")

    key = data.filter_key(f)
    area = "national" if f.city == "all" else f.city
    result = data.detained(area, *key)
    records = data.view(f)
    # the city as it was called in the view's dates: Nur-Sultan in June 2019, Astana from 2022-09-17
    label = (
        t("detained_national", lang)
        if area == "national"
        else t("detained_in", lang, area=city_name_over(area, f.start, f.end, lang))
    )
    cols = st.columns(4)
    cols[0].metric(label, result["label"], help=f"{f.start} – {f.end}; {t('range_note', lang)}")
    cols[1].metric(t("incidents", lang), number(len(records[records["city"] != "national"]), lang))
    journalists = records["event_type"].isin(["journalist_detained", "journalist_assaulted"])
    cols[2].metric(t("journalists", lang), number(int(journalists.sum()), lang))
    cols[3].metric(t("rallies", lang), number(int((records["event_type"] == "rally").sum()), lang))

    with st.expander(t("basis_heading", lang)):
        basis = records[records["record_id"].isin(result["basis"])]
        tables.show_first(basis, tables.basis_frame, lang, "records")
        if result["alternatives"]:
            st.write(t("considered", lang))
            tables.show_first(
                result["alternatives"],
                tables.alternatives_frame,
                lang,
                "alternatives",
                total=result["alternatives_total"],
            )

    bset, problem = data.boundaries()
    if bset is None:
        st.warning(f"{t('no_boundaries', lang)}. {problem}")
    else:
        key = data.filter_key(f)
        # folium and st_folium are imported here, after the figures are on the page (a second at a cold start)
        from streamlit_folium import st_folium

        from geo.maps import incident_map

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


show()
