"""House rules that keep the layers apart and the modules small (see CONTRIBUTING.md)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 800


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _import_nodes(tree: ast.AST):
    """Every import of a module, at any depth, except those under ``if TYPE_CHECKING:``."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for branch in node.body for n in ast.walk(branch))
    return [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom) and id(n) not in skip]


def _imports(path: Path) -> set[str]:
    """The dotted names a module imports; ``from a.b import c`` gives ``a.b`` and ``a.b.c``."""
    names = set()
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            up = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*up, *([base] if base else [])])
        names.add(base)
        names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _tops(path: Path) -> set[str]:
    return {name.split(".")[0] for name in _imports(path)}


GEO = {_module_name(p): p for p in sorted((ROOT / "geo").rglob("*.py"))}


def _graph() -> dict[str, set[str]]:
    """geo module -> the geo modules it imports by name (a package's own submodules included)."""
    return {name: {m for m in _imports(path) if m in GEO and m != name} for name, path in GEO.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_geo_never_imports_streamlit():
    offenders = [name for name, path in GEO.items() if "streamlit" in _tops(path)]
    assert offenders == []
    assert "geo.brief" in GEO and "geo.join._grid" in GEO  # the walk reaches the subpackages


def test_no_import_cycle_in_geo():
    assert _cycles(_graph()) == []


def test_the_cycle_check_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_packs_model_never_imports_its_renderers():
    renderers = {name for name in GEO if name.startswith("geo.brief.") and name != "geo.brief.model"}
    assert renderers >= {"geo.brief.html", "geo.brief.pdf", "geo.brief.png", "geo.brief.inline"}
    assert not _imports(GEO["geo.brief.model"]) & (renderers | {"geo.brief"})


def test_private_modules_stay_inside_their_package():
    """``geo.join._grid`` is the join's business: nothing outside geo.join imports it."""
    for name, path in GEO.items():
        for imported in _imports(path):
            parts = imported.split(".")
            private = [i for i, part in enumerate(parts) if part.startswith("_") and imported in GEO]
            if private:
                owner = ".".join(parts[: private[0]])
                assert name == owner or name.startswith(owner + "."), f"{name} imports {imported}"


def test_no_module_is_over_800_lines():
    files = [*GEO.values(), *(ROOT / "pages").rglob("*.py"), *(ROOT / "benchmarks").glob("*.py"), ROOT / "app.py"]
    long = {
        str(p.relative_to(ROOT)): n for p in files if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_every_geo_package_says_what_it_holds():
    for name, path in GEO.items():
        if path.name == "__init__.py" or not name.rpartition(".")[2].startswith("_"):
            assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))), f"{name} has no docstring"


def test_pages_do_not_reach_past_geo_into_files_or_geopandas():
    for page in sorted((ROOT / "pages").rglob("*.py")):
        imported = _tops(page)
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
        assert "streamlit" not in _tops(ROOT / "pages" / f"{name}.py")


def test_streamlit_internals_are_read_in_one_place():
    users = sorted(
        str(p.relative_to(ROOT))
        for p in [*(ROOT / "pages").rglob("*.py"), ROOT / "app.py", *GEO.values()]
        if re.search(r"streamlit\.runtime|PagesManager|uses_pages_directory", p.read_text(encoding="utf-8"))
    )
    assert users == ["pages/ui/internals.py"]
