"""Briefing packs on the Streamlit side: the view's Briefing, the files, and the download buttons.

The pack is built by :func:`geo.brief.build_briefing` from the same cached
join the pages show, with the same filters, so its figures are the app's.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st

from geo.brief import DEFAULT_APP_URL, Briefing, build_briefing, render
from geo.brief.png import timeline_png
from geo.filters import Filters
from pages.ui import data
from pages.ui.i18n import t

#: The app's own pages (url_path); a link back drops them to find the app's address.
PAGE_PATHS = ("map", "timeline", "districts", "sources", "import", "briefing")
MIME = {"pdf": "application/pdf", "html": "text/html", "png": "image/png"}


def app_url() -> str:
    """The address this app is reached at (for the pack's link back), e.g. ``http://localhost:8501``."""
    return app_base(getattr(st.context, "url", None) or "")


def app_base(url: str) -> str:
    """The app's address from a page's: ``https://x.streamlit.app/map?city=almaty`` -> ``https://x.streamlit.app``.

    Anything that is not an http(s) address gives the local default.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return DEFAULT_APP_URL
    path = parts.path.rstrip("/")
    head, _, last = path.rpartition("/")
    if last in PAGE_PATHS:
        path = head
    return f"{parts.scheme}://{parts.netloc}{path}"


def briefing(f: Filters) -> Briefing:
    """The view's Briefing (the cached join and boundaries; the figures are computed afresh, in about a second)."""
    return later(f)()


def later(f: Filters):
    """A function that builds the view's Briefing, holding only plain inputs read now.

    A download button calls it when clicked, outside the page's run, so it must
    not reach for Streamlit's caches itself.
    """
    bset, _ = data.boundaries()
    joined, events, url = data.joined(f.datasets), data.key_events(), app_url()
    return lambda: build_briefing(joined, f, boundaries=bset, key_events=events, app_url=url)


def file_name(f: Filters, ext: str, what: str = "brief") -> str:
    """``protest-map_<area>_<from>_<to>_<what>.<ext>``."""
    area = "national" if f.city == "all" else f.city
    return f"protest-map_{area}_{f.start}_{f.end}_{what}.{ext}"


def map_png_button(f: Filters, *, key: str) -> None:
    """A button that draws the view's static map (scale bar, legend, attribution) as a 16:9 PNG when clicked."""
    make = later(f)
    st.download_button(
        t("download_map_png", f.lang),
        data=lambda: render(make(), "png", chart="map"),
        file_name=file_name(f, "png", "map"),
        mime=MIME["png"],
        on_click="ignore",
        icon=":material/image:",
        key=key,
    )


def timeline_png_button(f: Filters, *, key: str) -> None:
    """A button that renders the Timeline page's chart as PNG (offline) when clicked."""
    make = later(f)
    st.download_button(
        t("download_timeline_png", f.lang),
        data=lambda: timeline_png(make()),
        file_name=file_name(f, "png", "timeline"),
        mime=MIME["png"],
        on_click="ignore",
        icon=":material/image:",
        key=key,
    )


def pdf_button(f: Filters, *, key: str) -> None:
    """A button that lays out the view's briefing PDF when clicked."""
    make = later(f)
    st.download_button(
        t("download_pdf", f.lang),
        data=lambda: _pdf(make()),
        file_name=file_name(f, "pdf"),
        mime=MIME["pdf"],
        on_click="ignore",
        icon=":material/picture_as_pdf:",
        key=key,
    )


def download_row(f: Filters, png: str, *, key: str) -> None:
    """Under a page's chart: its PNG (``map`` or ``timeline``), the view's PDF, a link to the Briefing page."""
    columns = st.columns(3)
    with columns[0]:
        (map_png_button if png == "map" else timeline_png_button)(f, key=f"{key}-png")
    with columns[1]:
        pdf_button(f, key=f"{key}-pdf")
    columns[2].page_link("pages/views/briefing.py", label=t("briefing", f.lang), icon=":material/description:")


def _pdf(brief: Briefing) -> bytes:
    """The PDF of ``brief``; fpdf is imported only now (0.4 s: a page with the button does not wait for it)."""
    from geo.brief.pdf import render_pdf

    return render_pdf(brief)
