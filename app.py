"""protest-map: the Streamlit entry point. It builds the sidebar filters and the navigation, then runs the page."""

import streamlit as st

from geo.maps.assets import ensure_assets
from pages.ui import state
from pages.ui.i18n import t

st.set_page_config(page_title="protest-map", page_icon="🗺️", layout="wide")

filters = state.sidebar()
lang = filters.lang
PAGES = [
    st.Page("pages/views/overview.py", title=t("overview", lang), icon=":material/dashboard:", default=True),
    st.Page("pages/views/map.py", title=t("map", lang), icon=":material/map:", url_path="map"),
    st.Page("pages/views/timeline.py", title=t("timeline", lang), icon=":material/timeline:", url_path="timeline"),
    st.Page("pages/views/districts.py", title=t("districts", lang), icon=":material/grid_view:", url_path="districts"),
    st.Page("pages/views/sources.py", title=t("sources", lang), icon=":material/menu_book:", url_path="sources"),
    st.Page("pages/views/briefing.py", title=t("briefing", lang), icon=":material/description:", url_path="briefing"),
    st.Page("pages/views/import_data.py", title=t("import", lang), icon=":material/upload_file:", url_path="import"),
]

if assets_problem := ensure_assets():  # Leaflet & co. missing from static/vendor and not installable
    st.warning(assets_problem, icon=":material/cloud_off:")
st.navigation(PAGES).run()
