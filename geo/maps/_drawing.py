"""What the static map draws, in one city's UTM metres: districts, outline, incidents, scale bar, north arrow.

The panel around it (title, legends, notes) and the public API are in :mod:`geo.maps.static`.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely.ops
from matplotlib import patheffects
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, PathPatch, Rectangle
from matplotlib.path import Path
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.polygon import orient

from geo.boundaries import UTM_EPSG, BoundarySet
from geo.brief.model import Briefing, CityPart
from geo.maps.style import (  # the interactive map's classes and colours: both maps read alike
    EVENT_COLOURS,
    OTHER_COLOUR,
    PLAIN_BACKGROUND,
    ZERO_FILL,
    district_values,
    shade_classes,
    shade_fill,
)
from geo.schema import EVENT_TYPES
from geo.words import capital, named, number, word

#: Figure size (inches) by number of panels when ``size_in`` is not given.
DEFAULT_SIZE_IN = {1: (8.0, 8.0), 2: (14.0, 8.0)}

FONT = "DejaVu Sans"  # bundled with matplotlib; covers Cyrillic and Kazakh letters
_INK = "#222222"
_MUTED = "#555555"
_DISTRICT_EDGE = "#444444"
_MARKER_PT = 7.0  # incident marker diameter, points
#: Past this many incidents a map draws them the cheap way: one marker collection per event type
#: (one colour each, which Agg stamps instead of drawing every marker anew), and the district
#: names keep clear of a grid of the cells the markers occupy rather than of every marker's disc.
MANY_POINTS = 2_000
#: Round scale-bar lengths (km) to choose from.
_SCALE_STEPS_KM = (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 25, 50, 100, 200, 500)


def scale_length_km(span_m: float, *, share: float = 0.3) -> float:
    """The longest round length (km) not above ``share`` of ``span_m`` metres.

    >>> scale_length_km(40_000)
    10
    >>> scale_length_km(3_000)
    0.5
    >>> scale_length_km(30_000)
    5
    """
    limit = span_m * share / 1000
    fitting = [step for step in _SCALE_STEPS_KM if step <= limit]
    return fitting[-1] if fitting else _SCALE_STEPS_KM[0]


# ----------------------------------------------------------------------------- words


def _district_name(row: dict, lang: str) -> str:
    """The district's name in ``lang`` (by the words' fallback), else its id."""
    return named(row, "name", lang) or str(row.get("district_id", ""))


def _km_text(km: float, lang: str) -> str:
    text = f"{km:g}"
    if lang != "en":
        text = text.replace(".", ",")
    return f"{text} {word('km', lang)}"


def _class_text(lo: int, hi: int, lang: str) -> str:
    return number(lo, lang) if lo == hi else f"{number(lo, lang)}–{number(hi, lang)}"


@dataclass
class _Box:
    """A rectangle in figure inches."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0


# ----------------------------------------------------------------------------- the map itself


class _MapData:
    """One city's map content in UTM metres, and how to draw it on an axes."""

    def __init__(self, briefing: Briefing, part: CityPart, layer, k: float = 1.0):
        self.briefing = briefing
        self.k = k  # type scale
        self.marker_pt = _MARKER_PT * k
        self.halo = [patheffects.withStroke(linewidth=2.5 * k, foreground="white")]
        self.part = part
        self.lang = briefing.lang
        if briefing.boundaries is None:
            raise ValueError(f"{part.city_id}: a map needs the briefing's boundaries; it has none")
        self.boundaries: BoundarySet = briefing.boundaries
        self.epsg = UTM_EPSG[part.city_id]
        self.districts = layer.districts.to_crs(self.epsg)
        self.outline = gpd.GeoSeries([self.boundaries.outline(part.city_id)], crs=4326).to_crs(self.epsg).iloc[0]
        metric = briefing.filters.metric
        table = part.districts
        if table is not None and "kind" in table.columns:
            table = table[table["kind"] == "district"]  # as the map page passes it
        values, _, self.legend_title = district_values(part.placed, layer, table, metric, self.lang)
        self.values = values
        self.classes = shade_classes(values.values())
        self.points = _incident_points(part.placed, self.epsg)
        self.fanned = bool(self.points["group_size"].gt(1).any()) if len(self.points) else False

    # -- legend handles

    def class_handles(self) -> list:
        edge = {"edgecolor": _DISTRICT_EDGE, "linewidth": 0.8}
        handles = [_patch_handle(ZERO_FILL, "0", edge)]
        for lo, hi, colour in self.classes:
            handles.append(_patch_handle(colour, _class_text(lo, hi, self.lang), edge))
        return handles

    def event_handles(self) -> list:
        present = set(self.points["event_type"])
        kinds = [k for k in EVENT_TYPES if k in present] + sorted(present - set(EVENT_TYPES))
        return [
            Line2D(
                [],
                [],
                linestyle="",
                marker="o",
                markersize=self.marker_pt,
                markerfacecolor=EVENT_COLOURS.get(kind, OTHER_COLOUR),
                markeredgecolor="#1a1a1a",
                markeredgewidth=0.7,
                label=capital(word(f"event_{kind}", self.lang)),
            )
            for kind in kinds
        ]

    # -- drawing

    def extent(self) -> tuple[float, float, float, float]:
        """What the map must show (metres): the outline and the incidents, with a margin."""
        xmin, ymin, xmax, ymax = self.outline.bounds
        if len(self.points):
            xmin = min(xmin, self.points["x"].min())
            xmax = max(xmax, self.points["x"].max())
            ymin = min(ymin, self.points["y"].min())
            ymax = max(ymax, self.points["y"].max())
        pad = 0.04 * max(xmax - xmin, ymax - ymin)
        return xmin - pad, ymin - pad, xmax + pad, ymax + pad

    def scale(self, area: _Box) -> float:
        """Metres per inch (equal in x and y) when the map fills ``area``."""
        xmin, ymin, xmax, ymax = self.extent()
        return max((xmax - xmin) / area.width, (ymax - ymin) / area.height)

    def draw(self, ax, area: _Box, scale: float) -> None:
        """Draw the map on ``ax``, which fills ``area``, at ``scale`` metres per inch."""
        xmin, ymin, xmax, ymax = self.extent()
        cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
        ax.set_xlim(cx - scale * area.width / 2, cx + scale * area.width / 2)
        ax.set_ylim(cy - scale * area.height / 2, cy + scale * area.height / 2)
        ax.set_aspect("equal", adjustable="box")
        ax.set_facecolor(PLAIN_BACKGROUND)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_edgecolor("#999999")
            spine.set_linewidth(0.8)
        self.metres_per_point = scale / 72

        self._layout_incidents()
        self._draw_districts(ax)
        ax.add_artist(
            PathPatch(
                _path(self.outline),
                facecolor="none",
                edgecolor=_INK,
                linewidth=1.8 * self.k,
                linestyle=(0, (5, 3)),
                zorder=3,
                gid=f"city-outline:{self.part.city_id}",
            )
        )
        self._draw_incidents(ax)
        self._draw_scalebar(ax)
        self._draw_north_arrow(ax)

    def _draw_districts(self, ax) -> None:
        rows = self.districts.drop(columns="geometry").to_dict("records")
        geometries = list(self.districts.geometry)
        for row, geometry in zip(rows, geometries):
            district_id = str(row["district_id"])
            fill = shade_fill(self.values.get(district_id, 0), self.classes)
            ax.add_artist(
                PathPatch(
                    _path(geometry),
                    facecolor=fill,
                    edgecolor=_DISTRICT_EDGE,
                    linewidth=0.9 * self.k,
                    zorder=1,
                    gid=f"district:{district_id}",
                )
            )
        # names: the smallest districts first (they have the least room), each clear of
        # the markers and of the names already placed
        renderer = ax.figure.canvas.get_renderer()
        metres_per_pixel = self.metres_per_point * 72 / ax.figure.dpi
        taken = [self._keep_out()] if len(self.points) else []
        for i in sorted(range(len(rows)), key=lambda i: (geometries[i].area, str(rows[i]["district_id"]))):
            name = _district_name(rows[i], self.lang)
            text = ax.text(
                0,
                0,
                _label_lines(name),
                ha="center",
                va="center",
                fontsize=7.5 * self.k,
                fontfamily=FONT,
                color=_INK,
                zorder=5,
                gid=f"district-label:{rows[i]['district_id']}",
                path_effects=self.halo,
                multialignment="center",
            )
            obstacles = shapely.union_all(taken) if taken else None
            for attempt in range(3):  # where no spot is clear, a smaller name
                bbox = text.get_window_extent(renderer)
                width = (bbox.width + 4) * metres_per_pixel
                height = (bbox.height + 2) * metres_per_pixel
                x, y, clash = _label_point(geometries[i], width, height, obstacles)
                if clash == 0 or attempt == 2:
                    break
                text.set_fontsize(text.get_fontsize() * 0.85)
            text.set_position((x, y))
            taken.append(shapely.box(x - width / 2, y - height / 2, x + width / 2, y + height / 2))

    def _layout_incidents(self) -> None:
        """Where each incident is drawn: on its spot, or fanned out on a ring around a shared spot.

        Sets ``drawn_x``/``drawn_y`` (metres, in :attr:`points` order), ``leaders``
        (spot → drawn point) and ``rings`` (spot x, spot y, ring radius).
        """
        points = self.points
        radius = self.marker_pt / 2 * self.metres_per_point
        px = points["x"].to_numpy(dtype=float).copy()
        py = points["y"].to_numpy(dtype=float).copy()
        self.leaders: list[tuple[tuple[float, float], tuple[float, float]]] = []  # (spot, drawn point)
        self.rings: list[tuple[float, float, float]] = []  # (spot x, spot y, ring radius)
        shared = points[points["group_size"].to_numpy() > 1]  # a spot of one record stays where it is
        for (x, y), group in shared.groupby(["x", "y"], sort=True):
            k = len(group)
            # neighbours on the ring 2.3 radii apart (centre to centre): they never touch
            ring = max(2.6 * radius, k * 2.3 * radius / (2 * math.pi))
            angles = math.pi / 2 - 2 * math.pi * np.arange(k) / k
            index = group.index.to_numpy()
            px[index] = x + ring * np.cos(angles)
            py[index] = y + ring * np.sin(angles)
            self.leaders.extend(((x, y), (a, b)) for a, b in zip(px[index], py[index]))
            self.rings.append((x, y, ring))
        self.drawn_x, self.drawn_y = px, py

    def _keep_out(self):
        """The area district names keep clear of: the markers and the fanned rings (metres)."""
        radius = self.marker_pt / 2 * self.metres_per_point
        margin = 4 * self.k * self.metres_per_point
        if len(self.drawn_x) > MANY_POINTS:
            shapes = _occupied_cells(self.drawn_x, self.drawn_y, radius + margin)
        else:
            # 12-sided discs: a keep-out zone needs no finer circle, and with thousands of markers
            # the union's vertex count is what the label search pays for
            shapes = list(shapely.buffer(shapely.points(self.drawn_x, self.drawn_y), radius + margin, quad_segs=3))
        shapes += [shapely.Point(x, y).buffer(ring + radius + margin, quad_segs=3) for x, y, ring in self.rings]
        return shapely.union_all(shapes) if shapes else None

    def _draw_incidents(self, ax) -> None:
        if self.points.empty:
            return
        if self.leaders:
            ax.add_collection(
                LineCollection(self.leaders, colors=_INK, linewidths=0.6, zorder=6, gid="incident-leaders")
            )
            sites = np.array([(x, y) for x, y, _ in self.rings])
            ax.scatter(sites[:, 0], sites[:, 1], s=9, color=_INK, zorder=6, gid="incident-sites", linewidths=0)
        kinds = self.points["event_type"].to_numpy(dtype=object)
        if len(kinds) > MANY_POINTS:
            # one collection per event type, in the legend's order: a collection of one colour
            # is stamped marker by marker, one of many colours is drawn path by path (3x slower)
            present = set(kinds)
            for kind in [k for k in EVENT_TYPES if k in present] + sorted(present - set(EVENT_TYPES)):
                mine = kinds == kind
                ax.scatter(
                    self.drawn_x[mine],
                    self.drawn_y[mine],
                    s=self.marker_pt**2,
                    color=EVENT_COLOURS.get(kind, OTHER_COLOUR),
                    edgecolors="#1a1a1a",
                    linewidths=0.7,
                    zorder=7,
                    gid=f"incidents:{kind}",
                )
            return
        colours = [EVENT_COLOURS.get(k, OTHER_COLOUR) for k in kinds]
        ax.scatter(
            self.drawn_x,
            self.drawn_y,
            s=self.marker_pt**2,
            c=colours,
            edgecolors="#1a1a1a",
            linewidths=0.7,
            zorder=7,
            gid="incidents",
        )

    def _draw_scalebar(self, ax) -> None:
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        km = scale_length_km(x1 - x0)
        length = km * 1000
        height = 5 * self.k * self.metres_per_point
        left = x0 + 0.04 * (x1 - x0)
        base = y0 + 0.04 * (y1 - y0)
        ax.add_artist(
            Rectangle(
                (left, base), length, height, facecolor="white", edgecolor=_INK, linewidth=0.8, zorder=8, gid="scalebar"
            )
        )
        ax.add_artist(
            Rectangle(
                (left, base),
                length / 2,
                height,
                facecolor=_INK,
                edgecolor=_INK,
                linewidth=0.8,
                zorder=8,
                gid="scalebar-half",
            )
        )
        ax.text(
            left + length / 2,
            base + height + 3 * self.k * self.metres_per_point,
            _km_text(km, self.lang),
            ha="center",
            va="bottom",
            fontsize=8.5 * self.k,
            fontfamily=FONT,
            color=_INK,
            zorder=8,
            path_effects=self.halo,
            gid="scalebar-label",
        )

    def _draw_north_arrow(self, ax) -> None:
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        length = 28 * self.k * self.metres_per_point
        dx, dy = _true_north(self.outline, self.epsg)
        tail = (
            x1 - 0.05 * (x1 - x0) - 0.5 * length * dx,
            y1 - 0.05 * (y1 - y0) - 16 * self.k * self.metres_per_point - length * dy,
        )
        tip = (tail[0] + length * dx, tail[1] + length * dy)
        ax.add_artist(
            FancyArrowPatch(
                tail,
                tip,
                arrowstyle="-|>",
                mutation_scale=14 * self.k,
                color=_INK,
                linewidth=1.6,
                zorder=8,
                gid="north-arrow",
            )
        )
        ax.text(
            tip[0] + 3 * self.metres_per_point * dx,
            tip[1] + 3 * self.metres_per_point * dy,
            "N",
            ha="center",
            va="bottom",
            fontsize=11 * self.k,
            fontweight="bold",
            fontfamily=FONT,
            color=_INK,
            zorder=8,
            path_effects=self.halo,
            gid="north-arrow-label",
        )


# ----------------------------------------------------------------------------- helpers


def _patch_handle(colour: str, text: str, edge: dict):
    from matplotlib.patches import Patch

    return Patch(facecolor=colour, label=text, **edge)


def _incident_points(placed: pd.DataFrame, epsg: int) -> pd.DataFrame:
    """The placed records with coordinates, in UTM metres (``x``, ``y``), in a fixed order.

    ``group_size`` counts the records at the same spot (to the metre).
    """
    columns = ["record_id", "date", "event_type", "latitude", "longitude"]
    frame = placed[[c for c in columns if c in placed.columns]].copy()
    lat = pd.to_numeric(frame["latitude"], errors="coerce")
    lon = pd.to_numeric(frame["longitude"], errors="coerce")
    frame = frame[lat.notna() & lon.notna()]
    if frame.empty:
        return pd.DataFrame(columns=[*columns, "x", "y", "group_size"])
    frame = frame.sort_values([c for c in ("date", "record_id") if c in frame.columns], kind="stable")
    frame = frame.reset_index(drop=True)
    transformer = pyproj.Transformer.from_crs(4326, epsg, always_xy=True)
    x, y = transformer.transform(frame["longitude"].to_numpy(dtype=float), frame["latitude"].to_numpy(dtype=float))
    frame["x"] = np.round(x, 0)
    frame["y"] = np.round(y, 0)
    frame["event_type"] = frame["event_type"].astype(str)
    frame["group_size"] = frame.groupby(["x", "y"])["x"].transform("size")
    return frame


def _occupied_cells(x: np.ndarray, y: np.ndarray, reach: float) -> list:
    """Rectangles (metres) covering every disc of radius ``reach`` around the points ``x``, ``y``.

    The plane is cut into square cells ``reach`` wide; a cell holding a point and its eight
    neighbours are covered (a disc reaches at most one cell beyond its own), and each row's
    covered cells are merged into runs: a few hundred rectangles for tens of thousands of
    markers, where one disc per marker makes a union that costs seconds.
    """
    if not len(x) or reach <= 0:
        return []
    x0, y0 = float(np.min(x)), float(np.min(y))
    ix = np.floor((x - x0) / reach).astype(np.int64) + 1
    iy = np.floor((y - y0) / reach).astype(np.int64) + 1
    grid = np.zeros((int(iy.max()) + 2, int(ix.max()) + 2), dtype=bool)  # a spare cell on each side
    grid[iy, ix] = True
    rows, cols = grid.shape
    padded = np.pad(grid, 1)
    covered = np.zeros_like(grid)
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            covered |= padded[dy : dy + rows, dx : dx + cols]
    boxes = []
    for row in range(covered.shape[0]):
        line = np.concatenate([[False], covered[row], [False]]).astype(np.int8)
        edges = np.flatnonzero(np.diff(line))
        for first, after in zip(edges[::2], edges[1::2]):
            left, bottom = x0 + (first - 1) * reach, y0 + (row - 1) * reach
            boxes.append(shapely.box(left, bottom, x0 + (after - 1) * reach, bottom + reach))
    return boxes


def _polygons(geometry) -> list[Polygon]:
    if isinstance(geometry, Polygon):
        return [geometry]
    if isinstance(geometry, MultiPolygon):
        return list(geometry.geoms)
    return [g for g in getattr(geometry, "geoms", []) if isinstance(g, Polygon)]


def _path(geometry) -> Path:
    """A matplotlib path of a (multi)polygon, holes wound the other way (so they stay empty)."""
    vertices, codes = [], []
    for polygon in _polygons(geometry):
        polygon = orient(polygon, sign=1.0)
        for ring in (polygon.exterior, *polygon.interiors):
            coords = np.asarray(ring.coords)[:, :2]
            if len(coords) < 4:
                continue
            vertices.append(coords)
            ring_codes = np.full(len(coords), Path.LINETO, dtype=Path.code_type)
            ring_codes[0] = Path.MOVETO
            ring_codes[-1] = Path.CLOSEPOLY
            codes.append(ring_codes)
    if not vertices:
        return Path(np.zeros((0, 2)))
    return Path(np.concatenate(vertices), np.concatenate(codes))


def _label_point(geometry, width: float, height: float, obstacles=None) -> tuple[float, float, float]:
    """Where a ``width`` × ``height`` name of a district goes (metres), and the share of it on obstacles.

    Candidates: the centre of the largest circle inside the district's largest
    part, then a grid over that part.  The best one keeps the name clear of
    ``obstacles``, then inside the district, then near that centre.
    """
    # scored on a simplified outline: 1/500 of the district's size changes no choice
    geometry = geometry.simplify(math.sqrt(geometry.area) / 500)
    largest = max(_polygons(geometry), key=lambda p: p.area)
    centre = shapely.ops.polylabel(largest, tolerance=max(1.0, math.sqrt(largest.area) / 200))
    xmin, ymin, xmax, ymax = largest.bounds
    gx, gy = np.meshgrid(np.linspace(xmin, xmax, 21), np.linspace(ymin, ymax, 21))
    xs = np.concatenate([[centre.x], gx.ravel()])
    ys = np.concatenate([[centre.y], gy.ravel()])
    inside = shapely.contains_xy(largest, xs, ys)
    inside[0] = True
    xs, ys = xs[inside], ys[inside]
    boxes = shapely.box(xs - width / 2, ys - height / 2, xs + width / 2, ys + height / 2)
    area = width * height
    outside = 1 - shapely.area(shapely.intersection(boxes, geometry)) / area
    clash = np.zeros(len(xs))
    if obstacles is not None:
        # only the obstacles near this district, and only the boxes that touch them (with
        # thousands of markers the whole union is a large shape: this is what costs)
        local = shapely.clip_by_rect(obstacles, xmin - width, ymin - height, xmax + width, ymax + height)
        shapely.prepare(local)
        hit = shapely.intersects(local, boxes)
        clash[hit] = shapely.area(shapely.intersection(boxes[hit], local)) / area
    clash = np.where(clash < 1e-6, 0.0, clash)
    distance = np.hypot(xs - centre.x, ys - centre.y) / math.sqrt(largest.area)
    score = 10 * clash + 3 * outside + distance
    best = int(np.argmin(np.round(score, 9)))
    return float(xs[best]), float(ys[best]), float(np.round(clash[best], 9))


def _label_lines(name: str, width: int = 12) -> str:
    """A long name on two or more lines (at spaces)."""
    if len(name) <= width or " " not in name:
        return name
    return "\n".join(textwrap.wrap(name, width, break_long_words=False))


def _true_north(outline, epsg: int) -> tuple[float, float]:
    """Unit vector (map metres) pointing to true north at the outline's centre (UTM grid north differs)."""
    centre = outline.centroid
    back = pyproj.Transformer.from_crs(epsg, 4326, always_xy=True)
    forward = pyproj.Transformer.from_crs(4326, epsg, always_xy=True)
    lon, lat = back.transform(centre.x, centre.y)
    nx, ny = forward.transform(lon, lat + 0.05)
    dx, dy = nx - centre.x, ny - centre.y
    norm = math.hypot(dx, dy)
    return dx / norm, dy / norm
