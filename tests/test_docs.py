"""The README's map of the tree and CONTRIBUTING.md stay true to the tree."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _what_is_here() -> list[str]:
    """The backticked paths of the README's "What is here" table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## What is here", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    return [p for row in rows for p in re.findall(r"`([^`]+)`", row)]


def _exists(path: str) -> bool:
    return any(ROOT.glob(path.rstrip("/"))) if "*" in path else (ROOT / path).exists()


def _tracked_top_level() -> set[str]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return {line.split("/")[0] for line in out.splitlines()}


def test_every_path_in_the_table_exists():
    paths = _what_is_here()
    assert len(paths) > 20
    assert [p for p in paths if not _exists(p)] == []


def test_every_part_of_geo_is_in_the_table():
    listed = set(_what_is_here())
    parts = {
        f"geo/{p.name}/" if p.is_dir() else f"geo/{p.name}"
        for p in (ROOT / "geo").iterdir()
        if (p.is_dir() and (p / "__init__.py").exists())
        or (p.suffix == ".py" and p.stem not in ("__init__", "__main__"))
    }
    assert "geo/join/" in parts and "geo/words/" in parts
    assert sorted(parts - listed) == []


def test_every_top_level_entry_is_in_the_table():
    listed = {p.split("/")[0] for p in _what_is_here()}
    unlisted = {
        name
        for name in _tracked_top_level()
        if not name.startswith(".") and name not in ("README.md", "CONTRIBUTING.md")
    } - listed
    assert sorted(unlisted) == []


def test_the_paths_contributing_names_exist():
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    paths = {
        p for p in re.findall(r"`([\w./*-]+)`", text) if "/" in p and not p.startswith(("./", "-")) and "<" not in p
    }
    assert "geo/words/" in paths and "pages/ui/internals.py" in paths
    assert sorted(p for p in paths if not _exists(p)) == []
