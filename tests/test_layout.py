"""House rules that keep the layers apart."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_geo_never_imports_streamlit():
    offenders = [p.name for p in sorted((ROOT / "geo").glob("*.py")) if "streamlit" in _imports(p)]
    assert offenders == []


def test_pages_do_not_reach_past_geo_into_files_or_geopandas():
    for page in sorted((ROOT / "pages").rglob("*.py")):
        imported = _imports(page)
        assert not imported & {"geopandas", "shapely", "pyogrio"}, page.name


def test_scripts_directly_in_pages_only_hand_over_to_app_py():
    """One hand-over per page url_path (see pages/__init__.py), and nothing else there."""
    app = (ROOT / "app.py").read_text(encoding="utf-8")
    url_paths = set(re.findall(r'url_path="([\w-]+)"', app))
    scripts = {p.stem for p in (ROOT / "pages").glob("*.py")} - {"__init__"}
    assert scripts == url_paths == {"map", "timeline", "districts", "sources", "import", "briefing"}
    for name in scripts:
        body = (ROOT / "pages" / f"{name}.py").read_text(encoding="utf-8")
        assert 'runpy.run_path(str(Path(__file__).resolve().parents[1] / "app.py"), run_name="__main__")' in body
        assert "streamlit" not in _imports(ROOT / "pages" / f"{name}.py")
