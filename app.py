"""protest-map: the Streamlit entry point. It builds the sidebar filters and the navigation, then runs the page."""

import streamlit as st

from geo.assets import ensure_assets
from pages import _state
from pages._i18n import t

st.set_page_config(page_title="protest-map", page_icon="🗺️", layout="wide")

filters = _state.sidebar()
lang = filters.lang
PAGES = [
    st.Page("pages/overview.py", title=t("overview", lang), icon=":material/dashboard:", default=True),
    st.Page("pages/map.py", title=t("map", lang), icon=":material/map:", url_path="map"),
    st.Page("pages/timeline.py", title=t("timeline", lang), icon=":material/timeline:", url_path="timeline"),
    st.Page("pages/districts.py", title=t("districts", lang), icon=":material/grid_view:",
            url_path="districts"),
    st.Page("pages/sources.py", title=t("sources", lang), icon=":material/menu_book:", url_path="sources"),
]

if assets_problem := ensure_assets():  # Leaflet & co. missing from static/vendor and not installable
    st.warning(assets_problem, icon=":material/cloud_off:")
st.navigation(PAGES).run()
