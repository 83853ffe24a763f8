"""geo.maps.assets with no network: a fake npm registry on 127.0.0.1 serving tarballs built here,
and localize() on real folium maps, checked on the rendered HTML."""

from __future__ import annotations

import base64
import hashlib
import io
import socket
import tarfile
import threading
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

import branca.colormap
import folium
import folium.plugins
import pytest
from folium.elements import JSCSSMixin

from geo.errors import AssetsError, ProtestMapError
from geo.maps import assets
from geo.maps.assets import NpmPackage

# --------------------------------------------------------------------------- a fake registry


def _tarball(files: dict[str, bytes], top: str = "package") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


class _Registry:
    """Serves ``files`` (registry path -> bytes) on 127.0.0.1; counts requests."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[str] = []
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                registry.requests.append(self.path)
                body = registry.files.get(self.path.lstrip("/"))
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def publish(
        self, name: str, version: str, files: dict[str, bytes], wanted: tuple[str, ...], *, served: bytes | None = None
    ) -> NpmPackage:
        """Put a package on the registry; ``served`` replaces the bytes served (a tampered copy)."""
        data = _tarball(files)
        package = NpmPackage(name, version, _integrity(data), wanted)
        self.files[package.tarball_path] = data if served is None else served
        return package


@pytest.fixture
def registry(monkeypatch):
    fake = _Registry()
    fake.thread.start()
    monkeypatch.setenv("PROTESTMAP_NPM_REGISTRY", fake.url)
    yield fake
    fake.server.shutdown()
    fake.server.server_close()
    fake.thread.join()


LEAFLET_FILES = {
    "dist/leaflet.js": b"window.L = {};",
    "dist/leaflet.css": b".leaflet{}",
    "dist/images/marker-icon.png": b"\x89PNG fake",
    "dist/leaflet-src.js": b"// not wanted",
    "README.md": b"# not wanted",
}
FONT_FILES = {
    "css/all.min.css": b"@font-face{src:url(../webfonts/fa-solid-900.woff2)}",
    "webfonts/fa-solid-900.woff2": b"wOF2 fake",
    "svgs/solid/x.svg": b"<svg/>",
}


@pytest.fixture
def two_packages(registry, monkeypatch):
    """A plain and a scoped package on the fake registry, pinned as geo.maps.assets.PACKAGES."""
    packages = (
        registry.publish("leaflet", "1.9.4", LEAFLET_FILES, ("dist/leaflet.js", "dist/leaflet.css", "dist/images/")),
        registry.publish("@fortawesome/fontawesome-free", "6.7.2", FONT_FILES, ("css/all.min.css", "webfonts/")),
    )
    monkeypatch.setattr(assets, "PACKAGES", packages)
    return packages


def _tree(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


# --------------------------------------------------------------------------- install_assets


def test_install_extracts_only_the_wanted_files_and_is_idempotent(tmp_path, registry, two_packages):
    dest = tmp_path / "static" / "vendor"

    assert assets.install_assets(dest, timeout=5) == dest

    assert _tree(dest) == [
        ".installed.json",
        "@fortawesome/fontawesome-free/css/all.min.css",
        "@fortawesome/fontawesome-free/webfonts/fa-solid-900.woff2",
        "leaflet/dist/images/marker-icon.png",
        "leaflet/dist/leaflet.css",
        "leaflet/dist/leaflet.js",
        "protest-map/awesome-rotate.css",
    ]
    assert (dest / "leaflet/dist/leaflet.js").read_bytes() == LEAFLET_FILES["dist/leaflet.js"]
    assert registry.requests == [
        "/leaflet/-/leaflet-1.9.4.tgz",
        "/@fortawesome/fontawesome-free/-/fontawesome-free-6.7.2.tgz",
    ]
    assert assets.assets_installed(dest)

    assets.install_assets(dest, timeout=5)
    assert len(registry.requests) == 2  # the stamp matched: nothing downloaded again

    (dest / "leaflet/dist/leaflet.css").unlink()
    assert not assets.assets_installed(dest)
    assets.install_assets(dest, timeout=5)
    assert len(registry.requests) == 4 and assets.assets_installed(dest)


def test_a_new_pin_reinstalls(tmp_path, registry, two_packages, monkeypatch):
    dest = tmp_path / "vendor"
    assets.install_assets(dest, timeout=5)
    newer = registry.publish(
        "leaflet", "1.9.5", {**LEAFLET_FILES, "dist/leaflet.js": b"// 1.9.5"}, two_packages[0].files
    )
    monkeypatch.setattr(assets, "PACKAGES", (newer, two_packages[1]))
    assert not assets.assets_installed(dest)
    assets.install_assets(dest, timeout=5)
    assert (dest / "leaflet/dist/leaflet.js").read_bytes() == b"// 1.9.5"


def test_a_tampered_tarball_is_refused_and_nothing_is_half_installed(tmp_path, registry, two_packages, monkeypatch):
    dest = tmp_path / "vendor"
    assets.install_assets(dest, timeout=5)
    before = {rel: (dest / rel).read_bytes() for rel in _tree(dest)}
    tampered = registry.publish(
        "leaflet",
        "1.9.5",
        LEAFLET_FILES,
        two_packages[0].files,
        served=_tarball({**LEAFLET_FILES, "dist/leaflet.js": b"stealCookies()"}),
    )
    monkeypatch.setattr(assets, "PACKAGES", (two_packages[1], tampered))

    with pytest.raises(AssetsError) as caught:
        assets.install_assets(dest, timeout=5)

    message = str(caught.value)
    assert isinstance(caught.value, ProtestMapError)
    assert "leaflet@1.9.5" in message
    assert f"{registry.url}/leaflet/-/leaflet-1.9.5.tgz" in message
    assert "integrity" in message and tampered.integrity in message
    assert "Nothing was installed" in message
    assert {rel: (dest / rel).read_bytes() for rel in _tree(dest)} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".vendor.lock", "vendor"]


def test_a_failed_first_install_leaves_no_folder(tmp_path, registry, two_packages, monkeypatch):
    dest = tmp_path / "vendor"
    missing = NpmPackage("leaflet.heat", "0.2.0", _integrity(b"x"), ("dist/leaflet-heat.js",))
    monkeypatch.setattr(assets, "PACKAGES", (*two_packages, missing))

    with pytest.raises(AssetsError, match=r"leaflet\.heat@0\.2\.0 from .*: HTTP 404"):
        assets.install_assets(dest, timeout=5)
    assert not dest.exists()
    assert [p.name for p in tmp_path.iterdir()] == [".vendor.lock"]


def test_a_pinned_file_missing_from_the_tarball_is_an_error(tmp_path, registry, monkeypatch):
    package = registry.publish("leaflet", "1.9.4", LEAFLET_FILES, ("dist/leaflet.js", "dist/leaflet.min.js"))
    monkeypatch.setattr(assets, "PACKAGES", (package,))
    with pytest.raises(AssetsError, match=r"leaflet@1\.9\.4 lacks dist/leaflet\.min\.js"):
        assets.install_assets(tmp_path / "vendor", timeout=5)
    assert not (tmp_path / "vendor").exists()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_registry_is_a_clear_error(tmp_path, monkeypatch):
    url = f"http://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("PROTESTMAP_NPM_REGISTRY", url)

    with pytest.raises(AssetsError) as caught:
        assets.install_assets(tmp_path / "vendor", timeout=5)

    message = str(caught.value)
    first = assets.PACKAGES[0]
    assert message.startswith(
        f"Could not download the npm package {first.name}@{first.version} from {url}/{first.tarball_path}: "
    )
    assert "refused" in message.lower()
    assert "PROTESTMAP_NPM_REGISTRY" in message and "python -m geo.maps.assets install" in message
    assert not (tmp_path / "vendor").exists()


def test_ensure_assets_says_why_the_map_cannot_be_drawn(tmp_path, monkeypatch):
    monkeypatch.setenv("PROTESTMAP_NPM_REGISTRY", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setattr(assets, "_last_failure", None)

    message = assets.ensure_assets(tmp_path / "vendor", timeout=5)

    assert message is not None
    assert message.startswith("The map cannot be drawn")
    assert "Could not download" in message
    assert assets.ensure_assets(tmp_path / "vendor", timeout=5) == message  # remembered, not retried


def test_ensure_assets_installs_then_answers_none(tmp_path, registry, two_packages, monkeypatch):
    monkeypatch.setattr(assets, "_last_failure", None)
    assert assets.ensure_assets(tmp_path / "vendor", timeout=5) is None
    assert assets.assets_installed(tmp_path / "vendor")
    assert assets.ensure_assets(tmp_path / "vendor", timeout=5) is None
    assert len(registry.requests) == 2


def test_command_line_install_and_check(tmp_path, registry, two_packages, capsys):
    dest = tmp_path / "vendor"
    assert assets.main(["check", "--dest", str(dest)]) == 1
    assert assets.main(["install", "--dest", str(dest), "--timeout", "5"]) == 0
    assert "installed leaflet@1.9.4, @fortawesome/fontawesome-free@6.7.2" in capsys.readouterr().out
    assert assets.main(["check", "--dest", str(dest)]) == 0


# --------------------------------------------------------------------------- the real pins


def test_every_local_file_comes_from_a_pinned_package_or_our_own():
    for rel in {*assets.JS_ASSETS.values(), *assets.CSS_ASSETS.values()}:
        if rel in assets.OWN_FILES:
            continue
        package = next(p for p in assets.PACKAGES if rel.startswith(p.name + "/"))
        inner = rel[len(package.name) + 1 :]
        assert inner in package.files or any(inner.startswith(d) for d in package.files if d.endswith("/")), rel


def test_pins_are_exact_versions_with_sha512_integrity():
    for package in assets.PACKAGES:
        assert package.version.count(".") == 2 and package.version.replace(".", "").isdigit(), package
        algorithm, _, digest = package.integrity.partition("-")
        assert algorithm == "sha512" and len(base64.b64decode(digest)) == 64, package


def test_asset_files_lists_what_maps_load(tmp_path):
    files = assets.asset_files(tmp_path)
    assert tmp_path / "leaflet/dist/leaflet.js" in files
    assert tmp_path / "protest-map/awesome-rotate.css" in files
    assert len(files) == len({*assets.JS_ASSETS.values(), *assets.CSS_ASSETS.values()})


# --------------------------------------------------------------------------- localize


class _Links(HTMLParser):
    """Every <script src> and <link href> of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.urls.append(values["src"])
        if tag == "link" and values.get("href"):
            self.urls.append(values["href"])


def _page_urls(m: folium.Map) -> list[str]:
    parser = _Links()
    parser.feed(m.get_root().render())
    return parser.urls


def _busy_map() -> folium.Map:
    m = folium.Map(location=[43.25, 76.9], zoom_start=11)
    folium.GeoJson(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"name": "square"},
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [[[76.8, 43.2], [76.9, 43.2], [76.9, 43.3], [76.8, 43.3], [76.8, 43.2]]],
                    },
                }
            ],
        },
        style_function=lambda _: {"className": "pm-district"},
        tooltip=folium.GeoJsonTooltip(fields=["name"]),
    ).add_to(m)
    cluster = folium.plugins.MarkerCluster().add_to(m)
    folium.Marker([43.25, 76.9], icon=folium.Icon(prefix="fa", icon="flag", angle=30), popup="rally").add_to(cluster)
    folium.CircleMarker([43.24, 76.91], radius=5).add_to(cluster)
    folium.plugins.HeatMap([[43.25, 76.9, 1.0], [43.26, 76.92, 0.5]]).add_to(m)
    folium.plugins.Fullscreen().add_to(m)
    folium.LayerControl().add_to(m)
    return m


def test_localize_leaves_no_remote_url_in_scripts_or_links():
    before = _page_urls(_busy_map())
    assert any(urlsplit(u).scheme == "https" for u in before)  # folium's CDNs, as a control

    urls = _page_urls(assets.localize(_busy_map()))

    assert urls, "the page loads its scripts and styles"
    assert [u for u in urls if urlsplit(u).scheme or urlsplit(u).netloc] == []
    assert all(u.startswith("/app/static/vendor/") for u in urls), urls
    for needed in (
        "leaflet/dist/leaflet.js",
        "leaflet.markercluster/dist/leaflet.markercluster.js",
        "leaflet.heat/dist/leaflet-heat.js",
        "leaflet/dist/leaflet.css",
        "@fortawesome/fontawesome-free/css/all.min.css",
    ):
        assert f"/app/static/vendor/{needed}" in urls
    assert not any("glyphicons" in u for u in urls)


def test_localize_takes_a_base_url():
    urls = _page_urls(assets.localize(_busy_map(), base_url="/base/static/vendor/"))
    assert "/base/static/vendor/leaflet/dist/leaflet.js" in urls


def test_localize_changes_instances_not_folium_classes():
    class_js = list(folium.Map.default_js)
    cluster_css = list(folium.plugins.MarkerCluster.default_css)

    assets.localize(_busy_map())

    assert folium.Map.default_js == class_js
    assert folium.plugins.MarkerCluster.default_css == cluster_css
    assert any(urlsplit(u).netloc for u in _page_urls(folium.Map()))  # a new map is untouched


def test_localize_refuses_an_unknown_cdn_asset():
    class Sparkles(JSCSSMixin):
        default_js: ClassVar = [("sparkles", "https://cdn.example.org/sparkles.js")]

    m = folium.Map()
    sparkles = Sparkles().add_to(m)

    with pytest.raises(AssetsError) as caught:
        assets.localize(m)
    message = str(caught.value)
    assert "https://cdn.example.org/sparkles.js" in message
    assert "Sparkles" in message and sparkles.get_name() in message
    assert "geo.maps.assets.PACKAGES" in message


def test_localize_refuses_a_plugin_it_cannot_serve():
    m = folium.Map()
    folium.plugins.Terminator().add_to(m)
    with pytest.raises(AssetsError, match=r"Terminator .* https://unpkg\.com/"):
        assets.localize(m)


def test_localize_refuses_a_remote_link_added_to_the_header():
    m = folium.Map()
    m.get_root().header.add_child(folium.CssLink("https://fonts.example.org/font.css"), name="font")
    with pytest.raises(AssetsError, match=r"'font' to https://fonts\.example\.org/font\.css"):
        assets.localize(m)


def test_localize_refuses_a_colormap_legend():
    m = folium.Map()
    branca.colormap.LinearColormap(["white", "red"], vmin=0, vmax=10).add_to(m)
    with pytest.raises(AssetsError, match="d3"):
        assets.localize(m)
