"""The one Streamlit internal the app reads (pages/ui/internals.py) is still there and still means what it meant.

When this fails after a Streamlit upgrade, the hand-over of a link straight to a page
on a fresh server (pages/__init__.py) needs another way to know its run; keep
pyproject.toml's bound on Streamlit to the versions this test passed on.
"""

from __future__ import annotations

import textwrap
import tomllib
from importlib.metadata import version
from pathlib import Path

from packaging.requirements import Requirement
from streamlit.testing.v1 import AppTest

from pages.ui import internals

ROOT = Path(__file__).resolve().parents[1]


def test_the_pages_manager_and_its_flag_are_where_the_app_looks():
    manager = internals.pages_manager()
    assert manager.__name__ == internals.PAGES_MANAGER[1]
    assert internals.LEGACY_FLAG in vars(manager), (
        f"streamlit {version('streamlit')}: {internals.PAGES_MANAGER} has no class attribute "
        f"{internals.LEGACY_FLAG!r} any more; see pages/ui/internals.py"
    )


def test_the_flag_is_on_for_an_app_with_a_pages_folder_until_st_navigation_runs(tmp_path):
    (tmp_path / "pages").mkdir()
    module, name = internals.PAGES_MANAGER
    script = tmp_path / "app.py"
    script.write_text(
        textwrap.dedent(f"""
        import importlib
        import streamlit as st

        manager = getattr(importlib.import_module({module!r}), {name!r})
        st.session_state["before"] = getattr(manager, {internals.LEGACY_FLAG!r})
        st.navigation([st.Page(lambda: None, title="only", url_path="only")]).run()
        st.session_state["after"] = getattr(manager, {internals.LEGACY_FLAG!r})
        """)
    )
    at = AppTest.from_file(str(script), default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["before"] is True
    assert at.session_state["after"] is False


def test_legacy_pages_mode_reads_the_flag(monkeypatch):
    manager = internals.pages_manager()
    monkeypatch.setattr(manager, internals.LEGACY_FLAG, True)
    assert internals.legacy_pages_mode() is True
    internals.leave_legacy_pages_mode()
    assert getattr(manager, internals.LEGACY_FLAG) is False
    assert internals.legacy_pages_mode() is False


def test_a_vanished_internal_leaves_the_app_working(monkeypatch):
    monkeypatch.setattr(internals, "PAGES_MANAGER", ("streamlit.runtime.pages_manager", "NoSuchManager"))
    assert internals.legacy_pages_mode() is False


def test_streamlit_is_bounded_to_the_versions_this_test_passed_on():
    with open(ROOT / "pyproject.toml", "rb") as f:
        deps = [Requirement(d) for d in tomllib.load(f)["project"]["dependencies"]]
    (streamlit,) = [d for d in deps if d.name == "streamlit"]
    assert any(s.operator == "<" for s in streamlit.specifier), f"no upper bound on streamlit: {streamlit}"
    assert streamlit.specifier.contains(version("streamlit")), (version("streamlit"), str(streamlit))


def test_the_uploader_s_test_ids_are_in_streamlit_s_front_end():
    import streamlit

    bundle = Path(streamlit.__file__).parent / "static" / "static" / "js"
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in bundle.glob("FileUploader*.js")]
    assert texts, f"streamlit {version('streamlit')}: no FileUploader bundle in {bundle}"
    for test_id in internals.UPLOADER_TEST_IDS:
        assert any(f"`{test_id}`" in text for text in texts), (
            f"streamlit {version('streamlit')} has no element {test_id!r}: see pages/ui/internals.py"
        )


def test_the_uploader_s_words_cannot_close_the_style_or_its_strings():
    css = internals.uploader_words_css('Файл "таңдау" </style><script>', "До 50 МБ\\ • CSV")
    assert css.count("</style>") == 1 and css.endswith("</style>")
    assert "<script>" not in css and '"таңдау"' not in css
    assert 'content:"Файл \\22 таңдау\\22  \\3c \\2f style\\3e \\3c script\\3e "' in css
    assert 'content:"До 50 МБ\\5c  • CSV"' in css
