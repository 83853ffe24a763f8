"""Overview: the reconciled headline figures. The full dashboard is being built."""

import streamlit as st

from pages import _data

st.title("protest-map")
st.write(
    "Protest incidents and arrests in Almaty and Nur-Sultan (Astana), Kazakhstan, "
    "from the June 2019 presidential election on. The map, timeline, district and "
    "source pages are coming; the figures below already come from the reconciled data."
)

for label, start, end in _data.HEADLINE_WINDOWS:
    result = _data.detained("national", start, end)
    st.metric(f"Detained nationally, {label}", result["label"],
              help="Rests on: " + ", ".join(result["basis"]))
