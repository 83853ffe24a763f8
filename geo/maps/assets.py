"""Front-end files for folium maps, installed from the npm registry and served locally.

folium points every map at Leaflet, jQuery, Bootstrap, Font Awesome and a few
plugins on public CDNs; with no network (a briefing room) such a map stays
blank.  This module

* pins the npm packages those files come from (:data:`PACKAGES`: exact version
  and the registry's ``sha512`` integrity),
* installs the few files a map needs into ``static/vendor/<package>/...``
  (:func:`install_assets`, ``python -m geo.maps.assets install``), where Streamlit
  serves them at ``/app/static/vendor/...`` (``enableStaticServing`` in
  ``.streamlit/config.toml``), and
* points a map's resources at those files (:func:`localize`), refusing any
  resource it cannot serve locally, so no CDN address ever reaches a page.

The registry is ``https://registry.npmjs.org`` unless ``PROTESTMAP_NPM_REGISTRY``
says otherwise (:mod:`geo.settings`).  Map tiles are not assets: they need a
network or a tile set of their own.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import shutil
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from geo import __version__
from geo.errors import AssetsError
from geo.settings import PROJECT_ROOT, get_settings

#: Where :func:`install_assets` writes by default; Streamlit serves it at ``/app/static/vendor``.
DEFAULT_DEST = PROJECT_ROOT / "static" / "vendor"
DEFAULT_BASE_URL = "/app/static/vendor"
STAMP_FILE = ".installed.json"
USER_AGENT = f"protest-map/{__version__} (front-end assets; python urllib)"
#: Tarballs larger than this are refused as malformed (the largest pinned one is about 5 MB).
MAX_TARBALL_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class NpmPackage:
    """One pinned npm package and the files of it that are installed.

    ``files`` are paths inside the package (without the tarball's top folder);
    an entry ending in ``/`` takes every file under that folder.
    """

    name: str
    version: str
    integrity: str
    files: tuple[str, ...]

    @property
    def tarball_path(self) -> str:
        """The tarball's path on the registry, ``<name>/-/<basename>-<version>.tgz``."""
        return f"{self.name}/-/{self.name.rsplit('/', 1)[-1]}-{self.version}.tgz"


#: The pinned packages; ``integrity`` is the registry's ``dist.integrity`` for that version.
PACKAGES: tuple[NpmPackage, ...] = (
    NpmPackage(
        "leaflet",
        "1.9.4",
        "sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==",
        ("LICENSE", "dist/leaflet.js", "dist/leaflet.css", "dist/images/"),
    ),
    NpmPackage(
        "jquery",
        "3.7.1",
        "sha512-m4avr8yL8kmFN8psrbFFFmB/If14iN5o9nw/NgnnM+kybDJpRsAynV2BsfpTYrTRysYUdADVD7CkUUizgkpLfg==",
        ("LICENSE.txt", "dist/jquery.min.js"),
    ),
    NpmPackage(
        "bootstrap",
        "5.2.3",
        "sha512-cEKPM+fwb3cT8NzQZYEu4HilJ3anCrWqh3CHAok1p9jXqMPsPTBhU25fBckEJHJ/p+tTxTFTsFQGM+gaHpi3QQ==",
        ("LICENSE", "dist/js/bootstrap.bundle.min.js", "dist/css/bootstrap.min.css"),
    ),
    NpmPackage(
        "@fortawesome/fontawesome-free",
        "6.7.2",
        "sha512-JUOtgFW6k9u4Y+xeIaEiLr3+cjoUPiAuLXoyKOJSia6Duzb7pq+A76P9ZdPDoAoxHdHzq6gE9/jKBGXlZT8FbA==",
        ("LICENSE.txt", "css/all.min.css", "webfonts/"),
    ),
    NpmPackage(
        "leaflet.awesome-markers",
        "2.0.5",
        "sha512-Ne/xDjkGyaujwNVVkv2tyXQUV0ZW7gZ0Mo0FuQY4jp2qWrvXi0hwDBvmZyF/8YOvybyMabTMM/mFWCTd1jZIQA==",
        ("LICENSE", "dist/leaflet.awesome-markers.js", "dist/leaflet.awesome-markers.css", "dist/images/"),
    ),
    NpmPackage(
        "leaflet.markercluster",
        "1.5.3",
        "sha512-vPTw/Bndq7eQHjLBVlWpnGeLa3t+3zGiuM7fJwCkiMFq+nmRuG3RI3f7f4N4TDX7T4NpbAXpR2+NTRSEGfCSeA==",
        (
            "MIT-LICENCE.txt",
            "dist/leaflet.markercluster.js",
            "dist/MarkerCluster.css",
            "dist/MarkerCluster.Default.css",
        ),
    ),
    NpmPackage(
        "supercluster",
        "8.0.1",
        "sha512-IiOea5kJ9iqzD2t7QJq/cREyLHTtSmUT6gQsweojg9WH2sYJqZK9SswTu6jrscO6D1G5v5vYZ9ru/eq85lXeZQ==",
        ("LICENSE", "dist/supercluster.min.js"),
    ),
    NpmPackage(
        "leaflet.heat",
        "0.2.0",
        "sha512-Cd5PbAA/rX3X3XKxfDoUGi9qp78FyhWYurFg3nsfhntcM/MCNK08pRkf4iEenO1KNqwVPKCmkyktjW3UD+h9bQ==",
        ("LICENSE", "dist/leaflet-heat.js"),
    ),
    NpmPackage(
        "leaflet.fullscreen",
        "3.0.0",
        "sha512-81wWSUXz1ZtdneR0v5eJDWXUSx+Zo5J50WXWeydG/UcILfIEAgz/iOjZSi3p00Z9MJ/FC/P5i3CgdYuEAos0yQ==",
        ("LICENSE", "Control.FullScreen.js", "Control.FullScreen.css", "icon-fullscreen.svg"),
    ),
)

#: Our own files, written by :func:`install_assets` beside the packages (path -> text).
OWN_FILES: dict[str, str] = {
    # folium.Icon(angle=N) adds the class fa-rotate-N to the icon; folium itself loads the
    # matching rules from its GitHub repository.  These are our own, for every whole angle.
    "protest-map/awesome-rotate.css": (
        "/* Written by geo.maps.assets: rotation for folium.Icon(angle=N). */\n"
        + "".join(f".awesome-marker i.fa-rotate-{n}{{transform:rotate({n}deg)}}\n" for n in range(360))
    ),
}

#: folium's resource names -> the local file (``<package>/<path>``) that replaces the CDN one.
JS_ASSETS: dict[str, str] = {
    "leaflet": "leaflet/dist/leaflet.js",
    "jquery": "jquery/dist/jquery.min.js",
    "bootstrap": "bootstrap/dist/js/bootstrap.bundle.min.js",
    "awesome_markers": "leaflet.awesome-markers/dist/leaflet.awesome-markers.js",
    "markerclusterjs": "leaflet.markercluster/dist/leaflet.markercluster.js",
    "leaflet-heat.js": "leaflet.heat/dist/leaflet-heat.js",
    "Control.Fullscreen.js": "leaflet.fullscreen/Control.FullScreen.js",
}
CSS_ASSETS: dict[str, str] = {
    "leaflet_css": "leaflet/dist/leaflet.css",
    "bootstrap_css": "bootstrap/dist/css/bootstrap.min.css",
    "awesome_markers_font_css": "@fortawesome/fontawesome-free/css/all.min.css",
    "awesome_markers_css": "leaflet.awesome-markers/dist/leaflet.awesome-markers.css",
    "awesome_rotate_css": "protest-map/awesome-rotate.css",
    "markerclustercss": "leaflet.markercluster/dist/MarkerCluster.css",
    "markerclusterdefaultcss": "leaflet.markercluster/dist/MarkerCluster.Default.css",
    "Control.FullScreen.css": "leaflet.fullscreen/Control.FullScreen.css",
}
#: Resources dropped from every map: Bootstrap 3's glyphicons (folium's default
#: ``Icon(prefix="glyphicon")`` needs them; use ``prefix="fa"`` with Font Awesome names).
DROPPED_ASSETS = frozenset({"glyphicons_css"})


# --------------------------------------------------------------------------- public API


def install_assets(dest: Path | None = None, *, timeout: float = 60) -> Path:
    """Download, verify and install the pinned front-end files into ``dest``.

    Parameters
    ----------
    dest : Path, optional
        Target folder (default ``<repo>/static/vendor``).  Each package lands in
        ``dest/<package name>/`` with its own paths, so the relative ``url()`` in
        its CSS (fonts, images) keeps working.
    timeout : float
        Seconds before one download gives up.

    Returns
    -------
    Path
        ``dest``.

    Raises
    ------
    AssetsError
        A download failed, a tarball does not match its pinned integrity or lacks
        a file.  Nothing is half-installed: the files are assembled in a
        temporary folder beside ``dest`` and swapped in only when all are there.

    Idempotent: when ``dest`` holds a stamp matching :data:`PACKAGES` and every
    file is present, nothing is downloaded.
    """
    dest = Path(dest) if dest is not None else DEFAULT_DEST
    if assets_installed(dest):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    with _install_lock(dest):
        if assets_installed(dest):  # another process finished while we waited
            return dest
        registry = get_settings().npm_registry
        tarballs = {pkg.name: _download(pkg, registry, timeout) for pkg in PACKAGES}
        staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}-new-", dir=dest.parent))
        try:
            for pkg in PACKAGES:
                _extract(pkg, tarballs[pkg.name], staging / pkg.name)
            for rel, text in OWN_FILES.items():
                (staging / rel).parent.mkdir(parents=True, exist_ok=True)
                (staging / rel).write_text(text, encoding="utf-8")
            files = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
            stamp = {"manifest": _manifest(), "files": files}
            (staging / STAMP_FILE).write_text(json.dumps(stamp, indent=1), encoding="utf-8")
            _swap_into_place(staging, dest)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return dest


def assets_installed(dest: Path | None = None) -> bool:
    """Whether ``dest`` holds exactly the pinned files (stamp matches and every file is there)."""
    dest = Path(dest) if dest is not None else DEFAULT_DEST
    stamp = _read_stamp(dest)
    if stamp is None or stamp.get("manifest") != _manifest():
        return False
    return all((dest / rel).is_file() for rel in stamp.get("files", ()))


def asset_files(dest: Path | None = None) -> list[Path]:
    """Every file a localized map may load, as paths under ``dest`` (installed or not)."""
    dest = Path(dest) if dest is not None else DEFAULT_DEST
    return [dest / rel for rel in sorted(set(JS_ASSETS.values()) | set(CSS_ASSETS.values()))]


#: When the last install attempt of :func:`ensure_assets` failed: (time.monotonic(), message).
_last_failure: tuple[float, str] | None = None
RETRY_AFTER_SECONDS = 300


def ensure_assets(dest: Path | None = None, *, timeout: float = 20) -> str | None:
    """Install the front-end files when they are missing; ``None`` when they are there.

    For the app's start (Streamlit Community Cloud never runs ``./dev``): cheap
    when the files are installed.  When installing fails (no network, say) it
    returns a message for the page to show instead of a blank map, and does not
    try again for :data:`RETRY_AFTER_SECONDS` (so a room with no network does
    not wait for a download on every rerun).
    """
    global _last_failure
    if assets_installed(dest):
        return None
    if _last_failure is not None and time.monotonic() - _last_failure[0] < RETRY_AFTER_SECONDS:
        return _last_failure[1]
    try:
        install_assets(dest, timeout=timeout)
    except AssetsError as exc:
        message = (
            "The map cannot be drawn: its JavaScript and CSS files (Leaflet and plugins) are "
            f"not installed and installing them failed. {exc}"
        )
        _last_failure = (time.monotonic(), message)
        return message
    _last_failure = None
    return None


def localize(m, base_url: str = DEFAULT_BASE_URL):
    """Point every JS/CSS resource of map ``m`` at the local copies under ``base_url``.

    Walks ``m`` and all its children (layers, plugins such as MarkerCluster,
    HeatMap, Fullscreen) and gives each element its own ``default_js`` and
    ``default_css`` lists (the classes' lists are left alone, so nothing leaks
    into other maps), with every known folium resource name replaced by its file
    from :data:`JS_ASSETS` / :data:`CSS_ASSETS` and :data:`DROPPED_ASSETS` removed.

    ``base_url`` is where ``static/vendor`` is served; the default suits
    ``streamlit run`` with static serving and no ``server.baseUrlPath``.

    Returns
    -------
    folium.Map
        ``m`` itself, changed in place.

    Raises
    ------
    AssetsError
        A resource is neither known nor already local (naming the element and the
        URL), a link was added to the page header by hand with a remote URL, or
        the map holds a branca colormap (its legend needs d3 from a CDN).
    """
    base = base_url.rstrip("/")
    for element in _walk(m):
        _refuse_colormap(element)
        for attr, table in (("default_js", JS_ASSETS), ("default_css", CSS_ASSETS)):
            resources = getattr(element, attr, None)
            if not resources:
                continue
            local = []
            for name, url in resources:
                if name in DROPPED_ASSETS:
                    continue
                if name in table:
                    local.append((name, f"{base}/{table[name]}"))
                elif _is_local(url):
                    local.append((name, url))
                else:
                    raise AssetsError(
                        f"{_describe(element)} loads {attr[len('default_') :].upper()} "
                        f"resource {name!r} from {url}, which is not served locally, so the map "
                        "would need a network. Add its npm package to geo.maps.assets.PACKAGES and "
                        "map the name in JS_ASSETS/CSS_ASSETS, or do not use this element."
                    )
            setattr(element, attr, local)
    _check_header_links(m)
    return m


# --------------------------------------------------------------------------- helpers


def _manifest() -> list[dict]:
    """What the stamp records: every pinned package, file list and own file."""
    own = {rel: hashlib.sha256(text.encode()).hexdigest() for rel, text in OWN_FILES.items()}
    return [
        {"name": p.name, "version": p.version, "integrity": p.integrity, "files": list(p.files)} for p in PACKAGES
    ] + [{"own": own}]


def _read_stamp(dest: Path) -> dict | None:
    try:
        return json.loads((dest / STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@contextlib.contextmanager
def _install_lock(dest: Path) -> Iterator[None]:
    """One installer at a time (several Streamlit sessions may start together)."""
    try:
        import fcntl
    except ImportError:  # Windows: no lock; the swap is still all-or-nothing
        yield
        return
    with open(dest.parent / f".{dest.name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _download(pkg: NpmPackage, registry: str, timeout: float) -> bytes:
    url = f"{registry.rstrip('/')}/{pkg.tarball_path}"
    what = f"the npm package {pkg.name}@{pkg.version}"
    todo = (
        "Run `python -m geo.maps.assets install` (or `./dev run`) on a machine that reaches the "
        "npm registry, or set PROTESTMAP_NPM_REGISTRY to a registry mirror you can reach, "
        "then copy static/vendor/ along with the checkout."
    )
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            data = answer.read(MAX_TARBALL_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise AssetsError(f"Could not download {what} from {url}: HTTP {exc.code} {exc.reason}. {todo}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise AssetsError(f"Could not download {what} from {url}: {reason}. {todo}") from exc
    if len(data) > MAX_TARBALL_BYTES:
        raise AssetsError(f"Refused {what} from {url}: larger than {MAX_TARBALL_BYTES} bytes. {todo}")
    algorithm, _, expected = pkg.integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        raise AssetsError(
            f"The tarball of {what} from {url} does not match its pinned integrity "
            f"({pkg.integrity}; got {algorithm}-{actual}): the download is corrupt or the "
            "registry serves a different file. Nothing was installed. Check PROTESTMAP_NPM_REGISTRY "
            "and try again; if the registry is the real one, do not use this file."
        )
    return data


def _extract(pkg: NpmPackage, data: bytes, target: Path) -> None:
    """Write the package's wanted files into ``target``, without its top folder ('package/')."""
    wanted_files = {f for f in pkg.files if not f.endswith("/")}
    wanted_dirs = tuple(f for f in pkg.files if f.endswith("/"))
    found: set[str] = set()
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            for member in tar.getmembers():
                parts = PurePosixPath(member.name).parts[1:]
                if not member.isfile() or not parts or ".." in parts:
                    continue
                rel = "/".join(parts)
                prefix = next((d for d in wanted_dirs if rel.startswith(d)), None)
                if rel not in wanted_files and prefix is None:
                    continue
                source = tar.extractfile(member)
                if source is None:
                    continue
                out = target / rel
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(source.read())
                found.add(rel if prefix is None else prefix)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise AssetsError(
            f"The tarball of {pkg.name}@{pkg.version} could not be unpacked ({exc}). Nothing was installed."
        ) from exc
    missing = sorted(set(pkg.files) - found)
    if missing:
        raise AssetsError(
            f"The tarball of {pkg.name}@{pkg.version} lacks {', '.join(missing)}; "
            "geo.maps.assets.PACKAGES names files that are not in it. Nothing was installed."
        )


def _swap_into_place(staging: Path, dest: Path) -> None:
    old = None
    if dest.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{dest.name}-old-", dir=dest.parent))
        dest.rename(old / dest.name)
    staging.rename(dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _walk(element) -> Iterator:
    yield element
    for child in list(getattr(element, "_children", {}).values()):
        yield from _walk(child)
    # folium.Choropleth keeps its legend as an attribute and adds it only when rendered
    scale = getattr(element, "color_scale", None)
    if scale is not None:
        yield scale


def _refuse_colormap(element) -> None:
    from branca.colormap import ColorMap

    if isinstance(element, ColorMap):
        raise AssetsError(
            f"{_describe(element)} is a branca colormap legend: branca and streamlit-folium load "
            "d3 for it from a CDN, so the map would stay blank with no network. Draw the legend "
            "outside the map (in the page) instead, e.g. Choropleth(..., legend_name=None) or "
            "no colormap child."
        )


def _check_header_links(m) -> None:
    from branca.element import Figure, Link

    root = m.get_root()
    if not isinstance(root, Figure):
        return
    for name, child in root.header._children.items():
        url = getattr(child, "url", None)
        if isinstance(child, Link) and url and not _is_local(url):
            raise AssetsError(
                f"The page header of {_describe(m)} links {name!r} to {url}, which is not served "
                "locally; add the file to geo.maps.assets and link it under /app/static/vendor."
            )


def _is_local(url: str) -> bool:
    """No host: a path on the app's own server (or a data: URL)."""
    parts = urllib.parse.urlsplit(url)
    return not parts.netloc and parts.scheme in ("", "data")


def _describe(element) -> str:
    name = element.get_name() if hasattr(element, "get_name") else ""
    return f"{type(element).__module__}.{type(element).__name__} {name!r}"


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    """``python -m geo.maps.assets install|check [--dest DIR] [--timeout S]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m geo.maps.assets", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["install", "check"])
    parser.add_argument("--dest", type=Path, default=None, help=f"target folder (default {DEFAULT_DEST})")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per download (default 60)")
    args = parser.parse_args(argv)
    dest = args.dest or DEFAULT_DEST
    if args.command == "check":
        ok = assets_installed(dest)
        print(f"{dest}: {'installed' if ok else 'missing or out of date (run python -m geo.maps.assets install)'}")
        return 0 if ok else 1
    if assets_installed(dest):
        print(f"{dest}: already installed")
        return 0
    started = time.monotonic()
    try:
        install_assets(dest, timeout=args.timeout)
    except AssetsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    names = ", ".join(f"{p.name}@{p.version}" for p in PACKAGES)
    print(f"{dest}: installed {names} in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
