"""The page's own language (<html lang>) and what a reader's toolbar shows, as the app sets them."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from test_app import _boundaries, _navigation_like_the_server, open_page  # noqa: F401 (autouse fixtures)

from pages.ui.state import widget_key

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = "<script>document.documentElement.lang = {};</script>"


def _lang_scripts(at) -> list[str]:
    """The bodies of the st.html elements that set the document's language."""
    return [h.proto.body for h in at.sidebar.get("html") if "documentElement.lang" in h.proto.body]


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_html_lang_follows_the_chosen_language(lang):
    at = open_page("pages/views/overview.py", lang=lang)
    assert _lang_scripts(at) == [SCRIPT.format(f'"{lang}"')]
    (element,) = [h for h in at.sidebar.get("html") if "documentElement.lang" in h.proto.body]
    assert element.proto.unsafe_allow_javascript  # else Streamlit drops the script


def test_html_lang_changes_with_the_sidebar_and_a_bad_link_stays_english():
    at = open_page("pages/views/timeline.py")
    assert _lang_scripts(at) == [SCRIPT.format('"en"')]
    at.selectbox(key="f_lang").set_value("kk").run()
    assert _lang_scripts(at) == [SCRIPT.format('"kk"')]
    at.radio(key=widget_key("f_city", "kk")).set_value("almaty").run()  # any rerun keeps it
    assert _lang_scripts(at) == [SCRIPT.format('"kk"')]
    hostile = open_page("pages/views/overview.py", lang='"; alert(1); "')
    assert _lang_scripts(hostile) == [SCRIPT.format('"en"')]


def test_readers_see_no_deploy_button():
    """``viewer`` hides Streamlit's developer options (Deploy, rerun, clear cache), keeps print and the theme."""
    import streamlit as st

    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["client"]["toolbarMode"] == "viewer"
    # Streamlit reads it so (an unknown option or value would be ignored, with Deploy back on localhost)
    assert Path.cwd() == ROOT
    assert st.get_option("client.toolbarMode") == "viewer"
