"""uv.lock agrees with pyproject.toml, requirements*.txt are exported from it, and the tests run on it.

``./dev lock`` re-resolves the lock and exports both files; ``./dev`` installs
``requirements-dev.txt`` (every extra); Streamlit Community Cloud installs
``requirements.txt`` (the app's own dependencies).
"""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
FIX = "run ./dev lock (it re-resolves uv.lock and exports requirements.txt and requirements-dev.txt)"


def _toml(name: str) -> dict:
    with open(ROOT / name, "rb") as f:
        return tomllib.load(f)


PYPROJECT = _toml("pyproject.toml")
LOCK = _toml("uv.lock")
PROJECT = canonicalize_name(PYPROJECT["project"]["name"])


def _packages() -> dict[str, list[dict]]:
    by_name: dict[str, list[dict]] = {}
    for package in LOCK["package"]:
        by_name.setdefault(canonicalize_name(package["name"]), []).append(package)
    return by_name


PACKAGES = _packages()
(ROOT_PACKAGE,) = PACKAGES[PROJECT]


def _declared() -> set[tuple[str, str, str | None]]:
    """(name, specifier, extra) of every dependency pyproject.toml declares."""
    out = set()
    groups = {None: PYPROJECT["project"]["dependencies"], **PYPROJECT["project"]["optional-dependencies"]}
    for extra, lines in groups.items():
        for line in lines:
            req = Requirement(line)
            out.add((canonicalize_name(req.name), str(SpecifierSet(str(req.specifier))), extra))
    return out


def _locked() -> set[tuple[str, str, str | None]]:
    """The same, as uv.lock recorded them when it was resolved."""
    out = set()
    for entry in ROOT_PACKAGE["metadata"]["requires-dist"]:
        extra = re.fullmatch(r"extra == '([^']+)'", entry.get("marker", ""))
        spec = str(SpecifierSet(entry.get("specifier", "")))
        out.add((canonicalize_name(entry["name"]), spec, extra[1] if extra else None))
    return out


def _closure(extras: bool) -> set[str]:
    """Names of every package the project needs (with every extra, or the app alone)."""
    todo = list(ROOT_PACKAGE.get("dependencies", []))
    if extras:
        for deps in ROOT_PACKAGE.get("optional-dependencies", {}).values():
            todo += deps
    seen: set[str] = set()
    while todo:
        dep = todo.pop()
        name = canonicalize_name(dep["name"])
        wanted_extras = dep.get("extra", [])
        if name in seen and not wanted_extras:
            continue
        seen.add(name)
        for package in PACKAGES[name]:
            todo += package.get("dependencies", [])
            for extra in wanted_extras:
                todo += package.get("optional-dependencies", {}).get(extra, [])
    return seen


def _pins(name: str) -> tuple[list[str], dict[str, list[tuple[str, str | None]]]]:
    """The file's project lines (``-e .``) and its pins: name -> [(version, marker)]."""
    project, pins = [], {}
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith("-e "):
            project.append(line)
            continue
        requirement, _, marker = line.partition(" ; ")
        pkg, _, pinned = requirement.partition("==")
        assert pinned, f"{name}: {line!r} is not an exact pin; {FIX}"
        pins.setdefault(canonicalize_name(pkg), []).append((pinned.strip(), marker.strip() or None))
    return project, pins


def test_the_lock_was_resolved_from_this_pyproject():
    declared, locked = _declared(), _locked()
    assert declared == locked, (
        f"pyproject.toml and uv.lock disagree; only in pyproject: {sorted(declared - locked, key=str)}, "
        f"only in the lock: {sorted(locked - declared, key=str)}; {FIX}"
    )
    assert LOCK["requires-python"] == PYPROJECT["project"]["requires-python"]


def test_every_locked_version_meets_what_pyproject_asks():
    for name, spec, extra in _declared():
        for package in PACKAGES[name]:
            assert SpecifierSet(spec).contains(package["version"]), (name, package["version"], spec, extra)


@pytest.mark.parametrize(("name", "extras"), [("requirements.txt", False), ("requirements-dev.txt", True)])
def test_the_requirements_are_exported_from_the_lock(name, extras):
    project, pins = _pins(name)
    assert project == ["-e ."], f"{name} must install the project itself (-e .); {FIX}"
    assert set(pins) == _closure(extras), (
        f"{name} and uv.lock disagree; only in {name}: {sorted(set(pins) - _closure(extras))}, "
        f"only in the lock: {sorted(_closure(extras) - set(pins))}; {FIX}"
    )
    for pkg, versions in pins.items():
        locked = {p["version"] for p in PACKAGES[pkg]}
        for pinned, _ in versions:
            assert pinned in locked, f"{name}: {pkg}=={pinned}, but uv.lock has {sorted(locked)}; {FIX}"


def test_the_app_alone_does_not_install_the_test_tools():
    _, pins = _pins("requirements.txt")
    assert {"pytest", "playwright", "ruff", "mypy", "uv"}.isdisjoint(pins)
    assert {"streamlit", "geopandas", "folium", "streamlit-folium"} <= set(pins)


def test_the_tests_run_on_the_locked_versions():
    """What runs here is what the lock says (./dev installs requirements-dev.txt)."""
    _, pins = _pins("requirements-dev.txt")
    drift = []
    for pkg, versions in sorted(pins.items()):
        wanted = [v for v, marker in versions if marker is None or Marker(marker).evaluate()]
        if not wanted:
            continue
        try:
            installed = version(pkg)
        except PackageNotFoundError:
            installed = "not installed"
        if installed != wanted[0]:
            drift.append(f"{pkg} {installed} (locked {wanted[0]})")
    assert not drift, "installed versions differ from uv.lock: " + ", ".join(drift) + "; run ./dev test"
