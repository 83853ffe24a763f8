"""Self-contained documents: a folium map with Leaflet and its plugins inlined, the Vega bundle,
and the Content-Security-Policy that lets only the pack's own scripts run.

Nothing here loads from a network: the map's scripts and styles come from
``static/vendor`` (installed from the npm registry by ``python -m geo.maps.assets
install``), every CSS ``url(...)`` becomes a ``data:`` URI, and the Vega bundle is
vl-convert's, kept in the cache folder per vl-convert version.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from geo.errors import AssetsError
from geo.maps.assets import CSS_ASSETS, DEFAULT_DEST, JS_ASSETS, assets_installed
from geo.maps.interactive import DEFAULT_ASSET_BASE

#: Map resources :func:`standalone_map_html` leaves out by default (``lean=True``): jQuery,
#: Bootstrap, Font Awesome and Awesome Markers, which :mod:`geo.maps` maps never use
#: (they draw circle markers).  A map holding a ``folium.Icon`` keeps the icon files.
LEAN_DROPPED = frozenset(
    {
        JS_ASSETS["jquery"],
        JS_ASSETS["bootstrap"],
        CSS_ASSETS["bootstrap_css"],
    }
)
_ICON_ASSETS = frozenset(
    {
        JS_ASSETS["awesome_markers"],
        CSS_ASSETS["awesome_markers_css"],
        CSS_ASSETS["awesome_markers_font_css"],
        CSS_ASSETS["awesome_rotate_css"],
    }
)

#: Where the pack's own maps point their resources before they are inlined (never served).
_INLINE_BASE = "/protest-map-inline/vendor"

_MIME = {
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".gif": "image/gif",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject",
}

_SCRIPT_LINK = re.compile(r'<script src="([^"<>]*)"></script>')
_CSS_LINK = re.compile(r'<link rel="stylesheet" href="([^"<>]*)"\s*/?>')
_INLINE_SCRIPT = re.compile(r"<script(\s[^>]*)?>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)""", re.IGNORECASE | re.DOTALL)
_CSS_DECLARATION = re.compile(r"([{;])([^{};]*)")


# --------------------------------------------------------------------------- public API


def standalone_map_html(
    m,
    *,
    asset_base: str = DEFAULT_ASSET_BASE,
    vendor: Path | None = None,
    lean: bool = True,
) -> str:
    """Folium map ``m`` as one self-contained HTML document (no request to any host).

    Parameters
    ----------
    m : folium.Map
        A map whose resources point at ``asset_base`` (:func:`geo.maps.incident_map`
        with that ``asset_base``, or :func:`geo.maps.assets.localize`).
    asset_base : str
        The base URL the map's ``<script src>``/``<link href>`` start with.
    vendor : Path, optional
        Where the files are installed (default ``static/vendor``).
    lean : bool
        Leave out the files :mod:`geo.maps` maps never use (:data:`LEAN_DROPPED`;
        the icon files too unless the map holds a ``folium.Icon``).

    Every script and stylesheet is inlined, every CSS ``url(...)`` becomes a
    ``data:`` URI (a declaration whose URL is no file, such as IE's
    ``behavior:url(#default#VML)``, is dropped), and the document carries a
    Content-Security-Policy that allows only its own inline scripts.

    Raises
    ------
    geo.errors.AssetsError
        The files are not installed, or the map loads something that is not
        under ``asset_base`` (a CDN URL, say).
    """
    return _standalone(m, asset_base=asset_base, vendor=vendor, lean=lean).html


def content_security_policy(script_hashes) -> str:
    """The policy of a pack: nothing from the network; only the listed inline scripts run.

    ``script_hashes`` are ``sha256-<base64>`` sources (each inline script's text).
    Styles may be inline (Leaflet and Vega set ``style`` attributes); images and
    fonts only ``data:``/``blob:``; no frame may be loaded by URL (srcdoc frames
    have no URL to load), no fetch, no form, no ``<base>``.
    """
    scripts = " ".join(f"'{h}'" for h in dict.fromkeys(script_hashes)) or "'none'"
    return (
        "default-src 'none'; "
        f"script-src {scripts}; "
        "style-src 'unsafe-inline'; "
        "img-src data: blob:; "
        "font-src data:; "
        "connect-src 'none'; "
        "frame-src 'none'; "
        "worker-src 'none'; "
        "object-src 'none'; "
        "media-src 'none'; "
        "manifest-src 'none'; "
        "base-uri 'none'; "
        "form-action 'none'"
    )


# --------------------------------------------------------------------------- words


# --------------------------------------------------------------------------- markup helpers


@dataclass(frozen=True)
class _Document:
    html: str
    script_hashes: tuple[str, ...]


def _standalone(m, *, asset_base: str, vendor: Path | None, lean: bool) -> _Document:
    vendor = Path(vendor) if vendor is not None else DEFAULT_DEST
    if not assets_installed(vendor):
        raise AssetsError(
            f"The map's JavaScript and CSS (Leaflet and plugins) are not installed in {vendor}, so "
            "a self-contained map cannot be written. Run `python -m geo.maps.assets install` (or ./dev run) "
            "on a machine that reaches the npm registry."
        )
    base = asset_base.rstrip("/") + "/"
    dropped = set(LEAN_DROPPED) if lean else set()
    if lean and not _has_icons(m):
        dropped |= _ICON_ASSETS
    page = _newlines(m.get_root().render())

    def resource(url: str, kind: str) -> str:
        if not url.startswith(base):
            raise AssetsError(
                f"The map loads {kind} {url!r}, which is not one of the local files under {asset_base!r}; "
                "a self-contained map cannot fetch it. Localize the map (geo.maps.assets.localize) first."
            )
        return url[len(base) :]

    def script(match: re.Match) -> str:
        rel = resource(html.unescape(match.group(1)), "the script")
        if rel in dropped:
            return ""
        return f"<script>{_script_text(_vendor_text(vendor, rel))}</script>"

    def stylesheet(match: re.Match) -> str:
        rel = resource(html.unescape(match.group(1)), "the stylesheet")
        if rel in dropped:
            return ""
        return f"<style>{_style_text(_inline_css(vendor, rel))}</style>"

    page = _SCRIPT_LINK.sub(script, page)
    page = _CSS_LINK.sub(stylesheet, page)
    leftover = re.search(r"<(script|link)\b[^>]*\b(src|href)\s*=", page, re.IGNORECASE)
    if leftover:
        raise AssetsError(f"The map still loads a file after inlining: {leftover.group(0)!r}")
    hashes = tuple(_script_hashes(page))
    policy = content_security_policy(hashes)
    head = page.find("<head>")
    if head < 0:
        raise AssetsError("The rendered map has no <head>; cannot add its Content-Security-Policy.")
    at = head + len("<head>")
    page = (
        page[:at] + '\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(policy, quote=True)}">' + page[at:]
    )
    return _Document(html=page, script_hashes=hashes)


def _has_icons(m) -> bool:
    import folium

    stack = [m]
    while stack:
        element = stack.pop()
        if isinstance(element, folium.Icon):
            return True
        stack.extend(getattr(element, "_children", {}).values())
    return False


def _newlines(text: str) -> str:
    """LF line ends only (the HTML parser turns CR LF into LF before a script's hash is taken)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _vendor_bytes(path: Path) -> bytes:
    stat = path.stat()
    return _read_cached(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _read_cached(path: Path, mtime_ns: int, size: int) -> bytes:
    """A vendor file's bytes, read once while it is unchanged (the key holds its mtime and size)."""
    return path.read_bytes()


def _vendor_file(vendor: Path, rel: str) -> Path:
    root = vendor.resolve()
    path = (root / rel).resolve()
    if root not in path.parents or not path.is_file():
        raise AssetsError(f"{rel!r} is not an installed file under {vendor}")
    return path


def _vendor_text(vendor: Path, rel: str) -> str:
    return _newlines(_vendor_bytes(_vendor_file(vendor, rel)).decode("utf-8"))


def _data_uri(vendor: Path, rel: str) -> str:
    path = _vendor_file(vendor, rel)
    mime = _MIME.get(path.suffix.lower())
    if mime is None:
        raise AssetsError(f"{rel!r}: no known type for a data: URI")
    return f"data:{mime};base64,{base64.b64encode(_vendor_bytes(path)).decode('ascii')}"


def _inline_css(vendor: Path, rel: str) -> str:
    """The stylesheet ``rel`` with every ``url()`` a ``data:`` URI (or its declaration dropped)."""
    text = re.sub(r"/\*.*?\*/", "", _vendor_text(vendor, rel), flags=re.DOTALL)
    if re.search(r"@import\b", text, re.IGNORECASE):
        raise AssetsError(f"{rel!r} imports another stylesheet (@import); not supported inline")
    folder = PurePosixPath(rel).parent

    def target(url: str) -> str | None:
        """The file ``url`` names under ``vendor`` (relative to the sheet), or None."""
        if url.lower().startswith("data:"):
            return url
        path = re.split(r"[?#]", url, maxsplit=1)[0]
        if not path or urlsplit(url).scheme or url.startswith("/"):
            return None
        parts: list[str] = []
        for piece in (folder / path).parts:
            if piece == "..":
                if not parts:
                    return None
                parts.pop()
            elif piece != ".":
                parts.append(piece)
        candidate = "/".join(parts)
        try:
            _vendor_file(vendor, candidate)
        except AssetsError:
            return None
        return candidate

    def declaration(match: re.Match) -> str:
        lead, decl = match.group(1), match.group(2)
        if "url(" not in decl.lower():
            return match.group(0)
        name, _, value = decl.partition(":")
        if name.strip().lower() == "src":
            value = _prefer_woff2(value)
        resolved = []
        for url_match in _CSS_URL.finditer(value):
            found = target(url_match.group(2).strip())
            if found is None:
                return lead  # a URL that is no installed file: drop the declaration
            resolved.append(found)
        it = iter(resolved)

        def replace(_url_match: re.Match) -> str:
            found = next(it)
            return f'url("{found}")' if found.lower().startswith("data:") else f'url("{_data_uri(vendor, found)}")'

        return lead + name + ":" + _CSS_URL.sub(replace, value)

    return _CSS_DECLARATION.sub(declaration, "{" + text)[1:]


def _prefer_woff2(value: str) -> str:
    """An ``@font-face`` ``src`` list without the other formats when a woff2 is there."""
    entries = value.split(",")
    woff2 = [e for e in entries if "woff2" in e.lower()]
    return ",".join(woff2) if woff2 and len(woff2) < len(entries) else value


def _script_text(js: str) -> str:
    """JavaScript that cannot end (or re-enter) its ``<script>`` element early.

    ``</script`` becomes ``<\\/script`` and ``<!--`` becomes ``\\x3C!--``: in a string,
    template or regular expression both still mean the same characters, and in a
    comment they are harmless.
    """
    js = re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE)
    return js.replace("<!--", "\\x3C!--")


def _style_text(css: str) -> str:
    """CSS that cannot end its ``<style>`` element early (``<\\/style`` means ``</style`` in CSS)."""
    return re.sub(r"</(style)", r"<\\/\1", css, flags=re.IGNORECASE)


def _safe_json_text(text: str) -> str:
    """JSON text safe inside ``<script>``: ``<``, ``>`` and ``&`` only as ``\\uXXXX`` (still valid JSON)."""
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _safe_json(value) -> str:
    return _safe_json_text(json.dumps(value, ensure_ascii=False))


def _script_hashes(page: str) -> list[str]:
    """``sha256-<base64>`` of every executable inline ``<script>`` of ``page`` (for the policy)."""
    out = []
    for match in _INLINE_SCRIPT.finditer(page):
        attrs = (match.group(1) or "").lower()
        kind = re.search(r"\btype\s*=\s*['\"]?([^'\"\s>]+)", attrs)
        if kind and kind.group(1) not in ("text/javascript", "module", "application/javascript"):
            continue  # a data block: never executed
        if re.search(r"\bsrc\s*=", attrs):
            continue
        digest = hashlib.sha256(match.group(2).encode("utf-8")).digest()
        out.append("sha256-" + base64.b64encode(digest).decode("ascii"))
    return out


@functools.cache
def _vega_bundle() -> str:
    """vega-embed, Vega-Lite and Vega in one script.

    vl-convert builds it in a few seconds; it is kept in the cache folder
    (``<cache>/vega/vl-convert-<version>.js``), so a command-line pack pays that
    once per vl-convert version, not once per run.
    """
    import vl_convert

    from geo.settings import get_settings

    version = vl_convert.__version__  # type: ignore[attr-defined]  # vl_convert's stub omits __version__
    path = get_settings().cache_dir / "vega" / f"vl-convert-{version}.js"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    # the stub makes ``snippet`` required; the function's signature is (snippet=None, vl_version=None)
    bundle = _newlines(vl_convert.javascript_bundle())  # type: ignore[call-arg]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(bundle, encoding="utf-8")
        partial.replace(path)  # atomic: a reader sees the whole bundle or none
    except OSError:
        pass  # a read-only cache only costs time
    return bundle


# --------------------------------------------------------------------------- style
