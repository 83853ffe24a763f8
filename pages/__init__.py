"""Streamlit pages. Each page is thin: read filters, call :mod:`geo`, render."""
