"""The pack's pictures: the timeline chart and the map as a 16:9 slide, drawn with no network."""

from __future__ import annotations

from geo.brief.model import Briefing

#: The map PNG is for slides: 16:9, 2,000 × 1,125 pixels.
SLIDE_SIZE_IN = (40 / 3, 7.5)
SLIDE_DPI = 150


def timeline_png(briefing: Briefing, *, scale: float = 2.0) -> bytes:
    """The timeline chart as PNG (rendered offline by vl-convert, the same chart as the app's)."""
    import vl_convert

    key = ("timeline", scale)
    if key not in briefing.drawn:
        briefing.drawn[key] = vl_convert.vegalite_to_png(briefing.timeline_json(), scale=scale)
    return briefing.drawn[key]


def slide_png(briefing: Briefing) -> bytes:
    """The view's map (:mod:`geo.maps.static`) as a slide."""
    from geo.maps.static import map_png

    return map_png(briefing, size_in=SLIDE_SIZE_IN, dpi=SLIDE_DPI)
