"""The briefing pack's static map: districts, outline and incidents drawn by matplotlib.

:func:`map_figure` draws the map of a :class:`~geo.brief.Briefing` as a
:class:`matplotlib.figure.Figure` (one panel per city, side by side, or one
city); :func:`map_png` renders it to PNG bytes for the PDF pack and for slides.
Nothing is fetched: no tiles, no network.  The districts are shaded with the
app map's classes and colours (:mod:`geo.maps`), the incidents coloured by
event type as in the app.

Every panel is drawn in its city's UTM zone (:data:`geo.boundaries.UTM_EPSG`),
so a length on the map is a true length and the scale bar holds everywhere on
it.  Data units of a map axes are metres.

Threads: Streamlit runs scripts in threads, so this module never touches
``matplotlib.pyplot`` (global state): figures are plain ``Figure`` objects
rendered by the Agg canvas.

This module lays out the panel (title, legends, notes); what is drawn inside the map
axes (districts, incidents, scale bar, north arrow) is in ``geo.maps._drawing``.

Artists carry ``gid``s for whoever needs to find them (tests, the PDF):

==========================  ===================================================
``panel:<city_id>``         the map axes of a city
``district:<id>``           a district's patch
``district-label:<id>``     a district's name
``city-outline:<city_id>``  the city outline
``incidents``               the incident points (one collection, one per record)
``incidents:<event_type>``  past ``geo.maps._drawing.MANY_POINTS`` incidents, instead: one
                            collection per event type (one colour each: cheap to draw)
``incident-leaders``        lines from a spot to incidents fanned out around it
``incident-sites``          the spots of fanned-out incidents
``city-level-note``         "N records known only to city level …"
``stack-note``              says that incidents at one spot are fanned out
``scalebar``                the scale bar (a rectangle ``length`` metres wide)
``scalebar-label``          its length, e.g. ``5 km``
``north-arrow``             the arrow (points to true north)
``north-arrow-label``       ``N``
``attribution``             the boundary attribution lines
``title`` / ``subtitle``    the panel's title lines
``legend-classes``          legend of the shading classes
``legend-events``           legend of the event types present
``message``                 the text of a panel without a map
==========================  ===================================================
"""

from __future__ import annotations

import io
import math
import textwrap

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from geo.brief.model import Briefing, CityPart
from geo.maps._drawing import _INK, _MUTED, DEFAULT_SIZE_IN, FONT, _Box, _MapData, scale_length_km
from geo.maps.style import (  # the interactive map's classes and colours: both maps read alike
    badge_text,
)
from geo.words import attribution_text, word

__all__ = ["DEFAULT_SIZE_IN", "FONT", "map_figure", "map_png", "scale_length_km"]

# ----------------------------------------------------------------------------- public


def map_figure(
    briefing: Briefing,
    *,
    city_id: str | None = None,
    size_in: tuple[float, float] | None = None,
) -> Figure:
    """The briefing's map as a matplotlib figure (Agg canvas attached).

    Parameters
    ----------
    briefing : Briefing
        :func:`geo.brief.build_briefing`; its filters give the metric
        (``detained``: the reconciled floor per district, or ``incidents``) and
        the language.
    city_id : str, optional
        Draw this city of ``briefing.cities`` alone; ``None``: every city of the
        briefing, side by side.
    size_in : (width, height), optional
        Figure size in inches; :data:`DEFAULT_SIZE_IN` by panel count.

    Returns
    -------
    matplotlib.figure.Figure
        One map axes per city (``gid`` ``panel:<city_id>``).  A city without
        boundaries or without a district layer in force gets a panel with a
        message instead of a map (``gid`` ``message``).

    Raises
    ------
    ValueError
        ``city_id`` is not a city of the briefing; ``size_in`` is not positive.
    """
    parts = _parts(briefing, city_id)
    size = tuple(float(v) for v in (size_in or DEFAULT_SIZE_IN.get(len(parts), (7.0 * len(parts), 8.0))))
    if len(size) != 2 or min(size) <= 0:
        raise ValueError(f"size_in must be two positive numbers (inches), got {size_in!r}")
    fig = Figure(figsize=size, dpi=100, facecolor="white")
    FigureCanvasAgg(fig)
    width, height = size
    panel_width = width / len(parts)
    # type and symbols shrink on a small figure (a thumbnail), never grow
    k = min(1.0, max(0.55, min(panel_width, height) / 6.0))
    panels = [
        _Panel(fig, briefing, part, x0=n * panel_width, width=panel_width, height=height, k=k)
        for n, part in enumerate(parts)
    ]
    for panel in panels:
        panel.prepare()
    # legends below the maps or beside them: whichever draws the maps larger;
    # the maps of a row share their top and bottom edges
    best: tuple[float, str, float, float] | None = None
    for place in _Panel.LEGEND_PLACES:
        rooms = [room for room in (panel.room(place) for panel in panels) if room is not None]
        if len(rooms) < len(panels):  # the legends do not fit some panel there
            continue
        top = min(room[1] for room in rooms)
        bottom = max(room[0] for room in rooms)
        score = sum(math.log(panel.scale(place, top, bottom)) for panel in panels)
        if best is None or score < best[0] - 1e-9:
            best = (score, place, top, bottom)
    if best is None:  # never: the legends always fit below
        raise ValueError(f"no place for the legends on a {width} x {height} in figure; expected them to fit below")
    _, place, top, bottom = best
    # side by side, the cities are drawn at one scale (the smaller one), so they compare
    scale = max(panel.scale(place, top, bottom) for panel in panels)
    for panel in panels:
        panel.finish(place, top, bottom, scale)
    return fig


def map_png(
    briefing: Briefing,
    *,
    city_id: str | None = None,
    dpi: int = 200,
    size_in: tuple[float, float] | None = None,
) -> bytes:
    """:func:`map_figure` as PNG bytes, ``size_in`` × ``dpi`` pixels.

    The same briefing gives the same bytes: the PNG carries no metadata text
    (no software version, no time).
    """
    if dpi <= 0:
        raise ValueError(f"dpi must be positive, got {dpi!r}")
    fig = map_figure(briefing, city_id=city_id, size_in=size_in)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
    return out.getvalue()


# ----------------------------------------------------------------------------- panels


def _parts(briefing: Briefing, city_id: str | None) -> list[CityPart]:
    if city_id is None:
        if not briefing.cities:
            raise ValueError("the briefing has no city to draw")
        return list(briefing.cities)
    found = [part for part in briefing.cities if part.city_id == city_id]
    if not found:
        raise ValueError(f"city_id {city_id!r} is not in this briefing; it has {[p.city_id for p in briefing.cities]}")
    return found


class _Panel:
    """One city's panel: title on top, the map, its legends (below or beside it), notes at the bottom."""

    MARGIN = 0.18  # inches around the panel's content
    GAP = 0.12
    #: Where the legends may go; the first wins a tie.
    LEGEND_PLACES = ("below", "beside")

    def __init__(
        self, fig: Figure, briefing: Briefing, part: CityPart, *, x0: float, width: float, height: float, k: float = 1.0
    ):
        self.fig = fig
        self.k = k  # type scale
        self.briefing = briefing
        self.part = part
        self.lang = briefing.lang
        self.box = _Box(x0 + self.MARGIN, self.MARGIN, x0 + width - self.MARGIN, height - self.MARGIN)
        canvas = fig.canvas
        if not isinstance(canvas, FigureCanvasAgg):
            raise TypeError(f"the static map measures text on an Agg canvas; got a {type(canvas).__name__}")
        self.renderer = canvas.get_renderer()
        self.map: _MapData | None = None
        self.legends: list = []
        self.legend_sizes: list[tuple[float, float]] = []

    # -- measuring, in inches

    def _extent(self, artist) -> tuple[float, float]:
        bbox = artist.get_window_extent(self.renderer)
        return bbox.width / self.fig.dpi, bbox.height / self.fig.dpi

    def _text(self, x: float, y: float, text: str, *, gid: str, size: float, **kwargs):
        """Figure text at (x, y) inches, wrapped to the panel's width."""
        artist = self.fig.text(
            x, y, text, transform=self.fig.dpi_scale_trans, fontsize=size * self.k, fontfamily=FONT, gid=gid, **kwargs
        )
        self._wrap(artist, text)
        return artist

    def _wrap(self, artist, text: str) -> None:
        limit = self.box.width
        width, _ = self._extent(artist)
        if width <= limit:
            return
        chars = max(12, int(len(text) * limit / width))
        while chars > 12:
            artist.set_text("\n".join(textwrap.wrap(text, chars, break_long_words=False)))
            if self._extent(artist)[0] <= limit:
                return
            chars -= 2

    # -- layout

    def prepare(self) -> None:
        """Draw the title and the notes, make the legends; the map waits for :meth:`finish`."""
        self.top = self._title()
        boundaries = self.briefing.boundaries
        layer = None
        if boundaries is not None:
            layer = boundaries.layer_for(self.part.city_id, self.part.layer_date)
        if layer is None:
            self.notes_top = self.box.y0
            return
        self.map = _MapData(self.briefing, self.part, layer, self.k)
        self.notes_top = self._notes(self.map)
        self.legends = [self._legend(self.map.class_handles(), self.map.legend_title, "legend-classes")]
        events = self.map.event_handles()
        if events:
            self.legends.append(self._legend(events, word("event_type", self.lang), "legend-events"))
        self.legend_sizes = [self._extent(legend) for legend in self.legends]

    def _stacked_height(self) -> float:
        return sum(h for _, h in self.legend_sizes) + self.GAP * (len(self.legend_sizes) - 1)

    def _side_by_side(self) -> bool:
        widths = [w for w, _ in self.legend_sizes]
        return sum(widths) + self.GAP * (len(widths) - 1) <= self.box.width

    def room(self, place: str) -> tuple[float, float] | None:
        """(bottom, top) inches left to the map with the legends at ``place``; ``None`` if they do not fit."""
        if self.map is None:
            return self.notes_top, self.top
        if place == "below":
            height = max(h for _, h in self.legend_sizes) if self._side_by_side() else self._stacked_height()
            bottom = self.notes_top + height + self.GAP
        else:
            if self._stacked_height() > self.top - self.notes_top - self.GAP:
                return None
            if max(w for w, _ in self.legend_sizes) > self.box.width / 2:
                return None
            bottom = self.notes_top
            if self.top - bottom < 1.0:
                return None
            return bottom, self.top
        # below always fits: on a page too small for everything, the map overlaps its legends
        return min(bottom, self.top - 0.6), self.top

    def _area(self, place: str, top: float, bottom: float) -> _Box:
        x1 = self.box.x1
        if place == "beside" and self.legends:
            x1 -= max(w for w, _ in self.legend_sizes) + self.GAP
        y0 = bottom + self.GAP
        return _Box(self.box.x0, y0, max(x1, self.box.x0 + 0.2), max(top - self.GAP, y0 + 0.2))

    def scale(self, place: str, top: float, bottom: float) -> float:
        """Metres per inch of the map with this layout (smaller: a larger map)."""
        if self.map is None:
            return 1.0
        return self.map.scale(self._area(place, top, bottom))

    def finish(self, place: str, top: float, bottom: float, scale: float) -> None:
        """Draw the map (or the message) between ``bottom`` and ``top`` (inches)."""
        if self.map is None:
            self._message()
            return
        area = self._area(place, top, bottom)
        self._place_legends(place, area)
        fig_w, fig_h = self.fig.get_figwidth(), self.fig.get_figheight()
        ax = self.fig.add_axes(
            (area.x0 / fig_w, area.y0 / fig_h, area.width / fig_w, area.height / fig_h),
            gid=f"panel:{self.part.city_id}",
        )
        self.map.draw(ax, area, max(scale, self.map.scale(area)))

    def _place_legends(self, place: str, area: _Box) -> None:
        if place == "beside":
            x, y = area.x1 + self.GAP, area.y1
        else:
            x, y = self.box.x0, area.y0 - self.GAP
        side_by_side = place == "below" and self._side_by_side()
        for legend, (w, h) in zip(self.legends, self.legend_sizes):
            legend.set_bbox_to_anchor((x, y), transform=self.fig.dpi_scale_trans)
            if side_by_side:
                x += w + self.GAP
            else:
                y -= h + self.GAP

    # -- pieces

    def _title(self) -> float:
        """Draw the title lines; return the y (inches) below them."""
        f = self.briefing.filters
        centre = (self.box.x0 + self.box.x1) / 2
        title = self._text(
            centre,
            self.box.y1,
            f"{self.part.name}: {f.start.isoformat()} – {f.end.isoformat()}",
            gid="title",
            size=13,
            ha="center",
            va="top",
            fontweight="bold",
            color=_INK,
            multialignment="center",
        )
        y = self.box.y1 - self._extent(title)[1] - 0.06
        if self.briefing.boundaries is not None:
            sub = self._text(
                centre,
                y,
                word("districts_on", self.lang, date=self.part.layer_date.isoformat()),
                gid="subtitle",
                size=9.5,
                ha="center",
                va="top",
                color=_MUTED,
            )
            y -= self._extent(sub)[1]
        return y

    def _message(self) -> None:
        if self.briefing.boundaries is None:
            text = word("no_boundaries_pack", self.lang)
        else:
            text = word("no_layer", self.lang, city=self.part.name, date=self.part.layer_date.isoformat())
        centre = (self.box.x0 + self.box.x1) / 2
        self._text(
            centre,
            (self.box.y0 + self.top) / 2,
            text,
            gid="message",
            size=11,
            ha="center",
            va="center",
            color=_INK,
            multialignment="center",
        )

    def _notes(self, map_: _MapData) -> float:
        """Draw the attribution and the notes from the bottom up; return the y above them."""
        y = self.box.y0
        attributions = map_.boundaries.attributions(self.part.city_id, self.part.layer_date)
        if attributions:
            text = self._text(
                self.box.x0,
                y,
                " · ".join(attribution_text(a, self.lang) for a in attributions),
                gid="attribution",
                size=7,
                ha="left",
                va="bottom",
                color=_MUTED,
            )
            y += self._extent(text)[1] + 0.05
        notes = []
        if map_.fanned:
            notes.append((word("stacked", self.lang), "stack-note"))
        city_level = len(self.part.city_level)
        if city_level:
            notes.append((badge_text(city_level, self.lang), "city-level-note"))
        for text, gid in notes:
            artist = self._text(
                self.box.x0, y, text, gid=gid, size=8.5, ha="left", va="bottom", color=_INK, fontstyle="italic"
            )
            y += self._extent(artist)[1] + 0.04
        return y

    def _legend(self, handles, title: str, gid: str):
        legend = self.fig.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(0, 0),
            bbox_transform=self.fig.dpi_scale_trans,
            borderaxespad=0,
            borderpad=0,
            frameon=False,
            prop={"family": FONT, "size": 8.5 * self.k},
            title=title,
            title_fontproperties={"family": FONT, "size": 8.5 * self.k, "weight": "bold"},
            alignment="left",
            handlelength=1.4,
            handleheight=1.0,
            labelspacing=0.35,
        )
        legend.set_gid(gid)
        # a long title (the metric's, in Russian say) on two lines rather than one wide column
        heading = legend.get_title()
        if " " in title and self._extent(heading)[0] > 0.3 * self.box.width:
            half = len(title) // 2
            cuts = [i for i, c in enumerate(title) if c == " "]
            cut = min(cuts, key=lambda i: (abs(i - half), i))
            heading.set_text(title[:cut] + "\n" + title[cut + 1 :])
        return legend
