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


# ------------------------------------------------------------------ the uploader's own words

#: The test ids of st.file_uploader's drop zone, whose words ("200MB per file • CSV",
#: the button's "Upload") Streamlit writes in English only, with no option to change them.
UPLOADER_TEST_IDS = ("stFileUploaderDropzone", "stFileUploaderDropzoneInstructions")


def uploader_words_css(button: str, limit: str) -> str:
    """A style that shows the drop zone's words in the reader's language instead of Streamlit's English.

    Streamlit's words are hidden (``font-size: 0``: they take no room and are not part
    of what the reader sees) and ours drawn in their place by CSS ``content``; nothing
    of the uploader's behaviour changes.  Should a Streamlit upgrade rename the test
    ids, Streamlit's English words simply show again; ``tests/test_streamlit_internals.py``
    fails first.
    """
    zone, instructions = UPLOADER_TEST_IDS
    return (
        "<style>"
        f'[data-testid="{instructions}"] span {{font-size:0 !important;}}'
        f'[data-testid="{instructions}"] > div::before {{content:{_css_string(limit)};font-size:0.875rem;}}'
        f'[data-testid="{zone}"] button {{font-size:0 !important;}}'
        f'[data-testid="{zone}"] button span {{display:none !important;}}'
        f'[data-testid="{zone}"] button::after {{content:{_css_string(button)};font-size:0.875rem;}}'
        "</style>"
    )


def _css_string(text: str) -> str:
    """``text`` as a CSS string: anything but letters, digits, spaces and plain punctuation as a CSS escape."""
    escaped = "".join(ch if ch.isalnum() or ch in " .,;:!?()–-•" else f"\\{ord(ch):x} " for ch in text)
    return f'"{escaped}"'
