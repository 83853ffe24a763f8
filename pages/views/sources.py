"""Sources: the filtered records with clickable sources, disagreements side by side, downloads."""

import streamlit as st

from geo.boundaries import city_name_over
from geo.brief import discrepancies
from geo.brief.model import some_ids
from geo.export import records_to_csv, records_to_geojson
from geo.words import number
from pages.ui import data, state, tables
from pages.ui.i18n import t

#: The floor's record ids named in full; past these, how many more.
BASIS_IDS = 50


def show() -> None:
    """The page, in a function: its frames (a city's records at a million: hundreds of MB) are let go when it
    has run, not kept by the page's globals, which the widgets' callbacks hold until the next run."""
    f = state.current()
    lang = f.lang
    st.title(t("sources", lang))

    records = data.view(f)
    st.caption(f"{t('records_shown', lang)}: {number(len(records), lang)}")
    tables.table(records, lang)

    name = f"protest-map_{f.city}_{f.start}_{f.end}"
    # made when clicked: a million records are hundreds of megabytes of CSV or GeoJSON, too much for every run
    same_view = data.view_later(f)
    DOWNLOADS = (
        ("download_csv", records_to_csv, "csv", "text/csv"),
        ("download_geojson", records_to_geojson, "geojson", "application/geo+json"),
    )
    for column, (label, write, ext, mime) in zip(st.columns(2), DOWNLOADS):
        column.download_button(
            t(label, lang),
            lambda write=write: write(same_view()),
            file_name=f"{name}.{ext}",
            mime=mime,
            on_click="ignore",
        )

    st.subheader(t("discrepancies", lang))
    disputed = discrepancies(records)  # the same rows as the briefing packs
    tables.show_first(disputed, tables.discrepancy_frame, lang, "discrepancies")

    area = "national" if f.city == "all" else f.city
    result = data.detained(area, *data.filter_key(f))
    st.subheader(t("considered", lang))
    area_name = t("national", lang) if area == "national" else city_name_over(area, f.start, f.end, lang)
    st.metric(f"{t('detained', lang)} ({area_name}, {f.start} – {f.end})", result["label"])
    basis = some_ids(result["basis"], BASIS_IDS, lang) or "—"
    st.text(f"{t('basis_heading', lang)}: {basis}")  # plain text: ids come from data
    tables.show_first(
        result["alternatives"], tables.alternatives_frame, lang, "alternatives", total=result["alternatives_total"]
    )


show()
