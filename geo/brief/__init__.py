"""Briefing packs: the view in the sidebar as an A4 PDF, one offline HTML file, and PNGs.

:func:`build_briefing` (:mod:`geo.brief.model`) computes what a pack shows, once, with
the functions the pages call; the renderers lay it out: :mod:`geo.brief.html` (with
:mod:`geo.brief.inline`, which makes it self-contained), :mod:`geo.brief.pdf`,
:mod:`geo.brief.png` and the static map of :mod:`geo.maps.static`.  The model never
imports a renderer; :func:`render` and :func:`write_brief` pick one by format.
"""

from __future__ import annotations

from pathlib import Path

from geo.brief.model import (
    CITIES,
    DEFAULT_APP_URL,
    Briefing,
    CityPart,
    SourceRef,
    build_briefing,
    data_version,
    discrepancies,
    some_ids,
    source_list,
    web_url,
)
from geo.errors import ProtestMapError

__all__ = [
    "CITIES",
    "DEFAULT_APP_URL",
    "FORMATS",
    "Briefing",
    "CityPart",
    "SourceRef",
    "build_briefing",
    "data_version",
    "discrepancies",
    "format_of",
    "render",
    "some_ids",
    "source_list",
    "web_url",
    "write_brief",
]

#: The formats a pack is written in.
FORMATS = ("html", "pdf", "png")


def render(briefing: Briefing, fmt: str, *, chart: str = "map") -> bytes:
    """The pack in ``fmt`` (``html``, ``pdf`` or ``png``; a PNG is the ``map`` or the ``timeline``)."""
    if fmt == "html":
        from geo.brief.html import render_html

        return render_html(briefing).encode("utf-8")
    if fmt == "pdf":
        from geo.brief.pdf import render_pdf

        return render_pdf(briefing)
    if fmt == "png":
        from geo.brief.png import slide_png, timeline_png

        if chart == "timeline":
            return timeline_png(briefing)
        if chart != "map":
            raise ProtestMapError(f"unknown chart {chart!r}; expected map or timeline")
        return slide_png(briefing)
    raise ProtestMapError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def format_of(path: Path | str) -> str:
    """The format an output file's extension asks for."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ProtestMapError(
            f"{path}: cannot tell the format from the extension {Path(path).suffix or '(none)'!r}; "
            f"use .{', .'.join(FORMATS)}"
        )
    return suffix


def write_brief(briefing: Briefing, out: Path | str, *, chart: str = "map") -> Path:
    """Write the pack to ``out`` in the format its extension names; returns the path."""
    out = Path(out)
    data = render(briefing, format_of(out), chart=chart)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out
