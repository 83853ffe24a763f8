"""Briefing: the current view as an A4 PDF, a self-contained HTML file and PNGs, with progress while it is made."""

import streamlit as st

from geo.boundaries import city_name_over
from geo.brief import render
from pages.ui import briefs, data, state
from pages.ui.i18n import t

f = state.current()
lang = f.lang
st.title(t("briefing", lang))
st.caption(t("brief_intro", lang))

bset = data.boundaries_or_notice(lang, headline="no_boundaries_brief")  # a pack without maps, and how to get them

area = "national" if f.city == "all" else f.city
result = data.detained(area, *data.filter_key(f))
label = (
    t("detained_national", lang)
    if area == "national"
    else f"{t('detained', lang)}, {city_name_over(area, f.start, f.end, lang)}"
)
st.metric(label, result["label"], help=f"{f.start} – {f.end}; {t('range_note', lang)}")

view = (f, briefs.app_url())
if st.button(t("brief_prepare", lang), type="primary", icon=":material/description:"):
    progress = st.progress(0.0, text=t("brief_step_figures", lang))
    brief = briefs.briefing(f)
    files = {}
    steps = [
        ("map_png", "png", "map", "brief_step_map"),
        ("timeline_png", "png", "timeline", "brief_step_timeline"),
        ("pdf", "pdf", "map", "brief_step_pdf"),
        ("html", "html", "map", "brief_step_html"),
    ]
    for done, (name, fmt, chart, step) in enumerate(steps, start=1):
        progress.progress(done / (len(steps) + 1), text=t(step, lang))
        if name == "map_png" and bset is None:
            continue  # no map without boundaries; the PDF and HTML say so
        files[name] = render(brief, fmt, chart=chart)
    progress.progress(1.0, text=t("brief_ready", lang))
    st.session_state["brief"] = {
        "view": view,
        "files": files,
        "version": brief.data_version,
        "generated": f"{brief.generated_at:%Y-%m-%d %H:%M:%S} UTC",
    }

pack = st.session_state.get("brief")
if pack and pack["view"] != view:
    st.info(t("brief_stale", lang))
elif pack:
    st.caption(f"{t('brief_ready', lang)}: {pack['generated']} · {pack['version']}")
    names = {
        "pdf": ("download_pdf", "pdf", "brief"),
        "html": ("download_html", "html", "brief"),
        "map_png": ("download_map_png", "png", "map"),
        "timeline_png": ("download_timeline_png", "png", "timeline"),
    }
    for column, (name, payload) in zip(st.columns(len(pack["files"])), pack["files"].items()):
        key, ext, what = names[name]
        column.download_button(
            t(key, lang),
            payload,
            file_name=briefs.file_name(f, ext, what),
            mime=briefs.MIME[ext],
            on_click="ignore",
            key=f"brief-{name}",
        )
