"""protest-map: the Streamlit entry point. It builds the sidebar filters and the navigation, then runs the page."""

import json

import streamlit as st

from geo.errors import SettingsError
from geo.maps.assets import ensure_assets
from geo.words import capital
from pages.ui import deployment, memory, state, uploads
from pages.ui.i18n import t

st.set_page_config(page_title="protest-map", page_icon="🗺️", layout="wide")

try:
    public = deployment.public()  # PROTESTMAP_MODE, as an environment variable or a Streamlit secret
except SettingsError as exc:
    st.error(capital(str(exc)), icon=":material/settings:")
    st.stop()
deployment.apply(public)

filters = state.sidebar()
lang = filters.lang
# <html lang> follows the reader's language (screen readers' voice, hyphenation, the browser's offer to
# translate). Streamlit has no setting for it; st.html runs its script in the app's own document (not an
# iframe). In the sidebar, so that it takes no room on the page; the language is one of geo.schema.LANGUAGES.
st.sidebar.html(f"<script>document.documentElement.lang = {json.dumps(lang)};</script>", unsafe_allow_javascript=True)
PAGES = [
    st.Page("pages/views/overview.py", title=t("overview", lang), icon=":material/dashboard:", default=True),
    st.Page("pages/views/map.py", title=t("map", lang), icon=":material/map:", url_path="map"),
    st.Page("pages/views/timeline.py", title=t("timeline", lang), icon=":material/timeline:", url_path="timeline"),
    st.Page("pages/views/districts.py", title=t("districts", lang), icon=":material/grid_view:", url_path="districts"),
    st.Page("pages/views/sources.py", title=t("sources", lang), icon=":material/menu_book:", url_path="sources"),
    st.Page("pages/views/briefing.py", title=t("briefing", lang), icon=":material/description:", url_path="briefing"),
]
if not public:  # a public deployment has no Import page at all: /import opens the Overview
    PAGES.append(
        st.Page("pages/views/import_data.py", title=t("import", lang), icon=":material/upload_file:", url_path="import")
    )
    uploads.sweep_once()  # uploads a crashed or killed server left behind

if assets_problem := ensure_assets():  # Leaflet & co. missing from static/vendor and not installable
    st.warning(deployment.shown(assets_problem, t("public_no_map_files", lang)), icon=":material/cloud_off:")
try:
    st.navigation(PAGES).run()
finally:  # also when the run stops or reruns early
    memory.release()  # what the page let go of (hundreds of MB at a million records) goes back to the system
