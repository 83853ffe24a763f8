"""protest-map: the Streamlit entry point. It only builds the navigation and runs it."""

import streamlit as st

st.set_page_config(page_title="protest-map", page_icon=":material/map:", layout="wide")

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
]

st.navigation(PAGES).run()
