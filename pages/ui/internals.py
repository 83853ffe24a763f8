"""Every use of a Streamlit internal, in one place.

Streamlit has no public API for one thing the app needs: knowing that a run is
its legacy pages-folder run (a fresh server's first request to ``/<page>``, see
``pages/__init__.py``).  The class attribute ``PagesManager.uses_pages_directory``
says so.  ``tests/test_streamlit_internals.py`` fails loudly when it moves or
changes, and ``pyproject.toml`` bounds Streamlit to the versions that test passed
on: widen the bound only after it passes on the new version.
"""

from __future__ import annotations

from importlib import import_module

#: Where the internal lives, and its name.
PAGES_MANAGER = ("streamlit.runtime.pages_manager", "PagesManager")
LEGACY_FLAG = "uses_pages_directory"


def pages_manager() -> type:
    """Streamlit's ``PagesManager`` class (ImportError or AttributeError when it moved)."""
    module, name = PAGES_MANAGER
    return getattr(import_module(module), name)


def legacy_pages_mode() -> bool:
    """Whether this run is Streamlit's legacy pages-folder run.

    ``False`` when the internal is gone: the app still works, only a link straight
    to a page on a fresh server's very first request loses its hand-over.
    """
    try:
        return bool(getattr(pages_manager(), LEGACY_FLAG, False))
    except (ImportError, AttributeError):
        return False


def leave_legacy_pages_mode() -> None:
    """Turn the legacy flag off, as the server's first ``st.navigation`` call does."""
    setattr(pages_manager(), LEGACY_FLAG, False)
