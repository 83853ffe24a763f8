"""The app, driven in-process through Streamlit's AppTest from app.py."""

from __future__ import annotations

import ast
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def _registered_pages() -> list[str]:
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    return [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "Page"
    ]


def test_overview_shows_the_reconciled_headlines():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    values = {m.label: m.value for m in at.metric}
    assert values == {
        "Detained nationally, election day, 9 June 2019": "500",
        "Detained nationally, 9-10 June 2019": "700",
        "Detained nationally, 9-13 June 2019": "4,000",
    }


def test_every_registered_page_has_an_app_test():
    pages = _registered_pages()
    assert pages == ["pages/overview.py"]
    this = Path(__file__).read_text(encoding="utf-8")
    for page in pages:
        name = Path(page).stem
        assert f"test_{name}_" in this, f"{page} is registered in app.py but has no AppTest here"
