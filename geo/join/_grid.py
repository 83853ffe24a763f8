"""The join's point-in-polygon index: a grid over one city's layer, crossed cells tested exactly."""

from __future__ import annotations

import threading
from collections import OrderedDict

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

from geo.boundaries import UTM_EPSG
from geo.join._common import (
    _CACHE_SIZE,
    _DENSIFY_DEG,
    _GAP,
    _MIXED,
    _OUT,
    GRID_DEPTH,
    WGS84,
)

# --------------------------------------------------------------------------- the grid

#: Points a layer's grid tests directly before it is built: building the grid of one of the real
#: layers takes 0.1-0.2 s, testing 100,000 points against its prepared polygons 0.04-0.07 s (the
#: 2-core machine), so a grid pays for itself after about this many points.
DIRECT_POINTS = 300_000


class _Grid:
    """Point-in-polygon for one district layer plus a city outline, on a 2**depth grid.

    ``locate`` answers exactly what ``shapely.contains_xy`` answers for each district
    (first district row on overlaps), then for the outline.  The grid is built when the
    points asked about outgrow what it costs: until then (the first
    :data:`DIRECT_POINTS` points, a cold start on a small dataset) every point is
    tested against the prepared polygons directly, which is that same answer.
    """

    def __init__(
        self, districts: list[BaseGeometry], outline: BaseGeometry | None, city_id: str, depth: int = GRID_DEPTH
    ):
        # private copies, prepared, so the caller's geometries are not touched
        regions = [_prepared_copy(g) for g in districts]
        if outline is not None:
            regions.append(_prepared_copy(outline))
        self.regions = regions
        self.n_districts = len(districts)
        self.city_id = city_id
        seg_xy, seg_region = _segments(regions)
        self.seg_xy, self.seg_region = seg_xy, seg_region
        self._nearest_tree: tuple[Transformer, shapely.STRtree, np.ndarray] | None = None
        n = 1 << depth
        self.n = n
        self._direct_left = DIRECT_POINTS
        self._depth: int | None = None
        self._steps = (0.0, 0.0)
        self._lock = threading.Lock()
        if seg_xy.shape[0] == 0:
            self.origin, self.inv, self.labels = (0.0, 0.0), (0.0, 0.0), np.full((1, 1), _OUT)
            self.n = 1
            self.cand_ptr = np.zeros(1, dtype=np.int64)
            self.cand_region = np.zeros(0, dtype=np.int64)
            return
        x0, y0 = seg_xy[:, :, 0].min(), seg_xy[:, :, 1].min()
        x1, y1 = seg_xy[:, :, 0].max(), seg_xy[:, :, 1].max()
        pad_x, pad_y = max((x1 - x0) * 1e-3, 1e-9), max((y1 - y0) * 1e-3, 1e-9)
        x0, x1, y0, y1 = x0 - pad_x, x1 + pad_x, y0 - pad_y, y1 + pad_y
        self.origin = (x0, y0)
        dx, dy = (x1 - x0) / n, (y1 - y0) / n
        self.inv = (1.0 / dx, 1.0 / dy)
        self._depth, self._steps = depth, (dx, dy)  # the grid is built on demand (_ensure_built)

    @property
    def built(self) -> bool:
        """Whether the grid is built (see :data:`DIRECT_POINTS`)."""
        return self._depth is None

    def _ensure_built(self) -> None:
        with self._lock:  # two sessions' joins may ask at once: one builds, the other waits
            if self._depth is not None:
                self._build(self._depth, *self._steps)
                self._depth = None

    def _build(self, depth: int, dx: float, dy: float) -> None:
        # Quadtree descent: a cell no boundary segment touches (with a margin far above
        # the rounding of the point -> cell arithmetic) is wholly inside or outside every
        # region, so its centre tells; crossed cells are split, down to the grid cells.
        tree = shapely.STRtree(shapely.linestrings(self.seg_xy))
        x0, y0 = self.origin
        ex, ey = dx * 1e-6, dy * 1e-6
        labels = np.full((self.n, self.n), _OUT, dtype=np.int32)
        ci = np.zeros(1, dtype=np.int64)
        cj = np.zeros(1, dtype=np.int64)
        for level in range(depth + 1):
            size = 1 << (depth - level)
            boxes = shapely.box(
                x0 + ci * size * dx - ex,
                y0 + cj * size * dy - ey,
                x0 + (ci + 1) * size * dx + ex,
                y0 + (cj + 1) * size * dy + ey,
            )
            hit_box, hit_seg = tree.query(boxes, predicate="intersects")
            crossed = np.zeros(len(boxes), dtype=bool)
            crossed[hit_box] = True
            pure = np.flatnonzero(~crossed)
            if pure.size:
                cx = x0 + (ci[pure] + 0.5) * size * dx
                cy = y0 + (cj[pure] + 0.5) * size * dy
                lab = self._label_centres(cx, cy)
                m = self.n // size
                view = labels.reshape(m, size, m, size)
                view[cj[pure], :, ci[pure], :] = lab[:, None, None]
            keep = np.flatnonzero(crossed)
            if level < depth:
                ci = np.repeat(ci[keep] * 2, 4) + np.tile([0, 1, 0, 1], keep.size)
                cj = np.repeat(cj[keep] * 2, 4) + np.tile([0, 0, 1, 1], keep.size)
                continue
            # crossed grid cells: candidates are the regions whose border crosses the
            # cell plus the regions holding its centre (then holding all of it)
            pos = np.full(len(boxes), -1, dtype=np.int64)
            pos[keep] = np.arange(keep.size)
            found = [np.stack([pos[hit_box], self.seg_region[hit_seg]], axis=1)]
            cx = x0 + (ci[keep] + 0.5) * dx
            cy = y0 + (cj[keep] + 0.5) * dy
            for r, geom in enumerate(self.regions):
                holds = np.flatnonzero(shapely.contains_xy(geom, cx, cy))
                found.append(np.stack([holds, np.full(holds.size, r)], axis=1))
            pairs = np.unique(np.concatenate(found), axis=0)  # sorted by cell, region
            self.cand_ptr = np.searchsorted(pairs[:, 0], np.arange(keep.size + 1))
            self.cand_region = pairs[:, 1]
            labels[cj[keep], ci[keep]] = _MIXED - np.arange(keep.size)
        small = labels.min() >= np.iinfo(np.int16).min
        self.labels = labels.astype(np.int16) if small else labels  # fewer cache misses

    def _label_centres(self, x, y) -> np.ndarray:
        out = np.full(len(x), _OUT, dtype=np.int32)
        if self.n_districts < len(self.regions):  # the outline
            out[shapely.contains_xy(self.regions[-1], x, y)] = _GAP
        for r in range(self.n_districts - 1, -1, -1):  # lowest row wins on overlaps
            out[shapely.contains_xy(self.regions[r], x, y)] = r
        return out

    def locate(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """District row of each point, or _GAP (in the outline only), or _OUT."""
        if self._depth is not None:  # not built yet
            if len(x) <= self._direct_left:
                self._direct_left -= len(x)
                return self._label_centres(x, y)
            self._ensure_built()
        fx = x - self.origin[0]
        fx *= self.inv[0]
        fy = y - self.origin[1]
        fy *= self.inv[1]
        on_grid = fx >= 0
        on_grid &= fx < self.n
        on_grid &= fy >= 0
        on_grid &= fy < self.n
        if on_grid.all():
            cell = fy.astype(np.int32)
            cell *= self.n
            cell += fx.astype(np.int32)
            out = self.labels.ravel().take(cell).astype(np.int32)
        else:
            out = np.full(len(x), _OUT, dtype=np.int32)
            idx = np.flatnonzero(on_grid)
            out[idx] = self.labels[fy[idx].astype(np.int32), fx[idx].astype(np.int32)]
        mixed = np.flatnonzero(out <= _MIXED)
        if mixed.size:
            out[mixed] = self._exact(x[mixed], y[mixed], _MIXED - out[mixed])
        return out

    def _exact(self, x, y, cell) -> np.ndarray:
        start, stop = self.cand_ptr[cell], self.cand_ptr[cell + 1]
        count = stop - start
        point = np.repeat(np.arange(len(x)), count)
        first = np.repeat(start - (np.cumsum(count) - count), count)
        region = self.cand_region[first + np.arange(point.size)]
        out = np.full(len(x), _OUT, dtype=np.int64)
        if self.n_districts < len(self.regions):
            sel = region == self.n_districts
            p = point[sel]
            out[p[shapely.contains_xy(self.regions[-1], x[p], y[p])]] = _GAP
        for r in range(self.n_districts - 1, -1, -1):
            p = point[region == r]
            if p.size:
                out[p[shapely.contains_xy(self.regions[r], x[p], y[p])]] = r
        return out

    def nearest(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest district row of each point and its distance in metres (UTM)."""
        if self._nearest_tree is None:
            to_utm = _to_utm(self.city_id, self.origin)
            # edges are first cut to <= _DENSIFY_DEG so that an edge drawn straight in
            # lon/lat stays (within centimetres) where it is once projected
            mine = self.seg_region < self.n_districts
            edges = shapely.segmentize(shapely.linestrings(self.seg_xy[mine]), _DENSIFY_DEG)
            xy, edge = shapely.get_coordinates(edges, return_index=True)
            px, py = to_utm.transform(xy[:, 0], xy[:, 1])
            same = edge[1:] == edge[:-1]
            start = np.column_stack([px[:-1], py[:-1]])[same]
            stop = np.column_stack([px[1:], py[1:]])[same]
            pieces = shapely.linestrings(np.stack([start, stop], axis=1))
            self._nearest_tree = (to_utm, shapely.STRtree(pieces), self.seg_region[mine][edge[:-1][same]])
        to_utm, tree, seg_region = self._nearest_tree
        out_k = np.full(len(x), -1, dtype=np.int64)
        out_d = np.full(len(x), np.nan)
        if len(tree) == 0 or len(x) == 0:
            return out_k, out_d
        px, py = to_utm.transform(x, y)
        (point, seg), dist = tree.query_nearest(shapely.points(px, py), return_distance=True)
        order = np.lexsort((seg_region[seg], dist, point))  # per point: closest, lowest row
        point, seg, dist = point[order], seg[order], dist[order]
        first = np.ones(point.size, dtype=bool)
        first[1:] = point[1:] != point[:-1]
        out_k[point[first]] = seg_region[seg[first]]
        out_d[point[first]] = dist[first]
        return out_k, out_d


def _prepared_copy(geom: BaseGeometry) -> BaseGeometry:
    copy = shapely.from_wkb(shapely.to_wkb(geom))
    shapely.prepare(copy)
    return copy


def _segments(regions: list[BaseGeometry]) -> tuple[np.ndarray, np.ndarray]:
    """Every edge of every ring as an (m, 2, 2) array, with the region of each edge."""
    parts, part_region = shapely.get_parts(np.asarray(regions, dtype=object), return_index=True)
    polys = shapely.get_type_id(parts) == 3
    parts, part_region = parts[polys], part_region[polys]
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    xy, point_ring = shapely.get_coordinates(rings, return_index=True)
    same = point_ring[1:] == point_ring[:-1]
    seg = np.stack([xy[:-1][same], xy[1:][same]], axis=1)
    return seg, part_region[ring_part[point_ring[:-1][same]]].astype(np.int64)


def _to_utm(city_id: str, origin) -> Transformer:
    epsg = UTM_EPSG.get(city_id)
    if epsg is None:
        zone = int((origin[0] + 180.0) // 6) % 60 + 1
        epsg = (32600 if origin[1] >= 0 else 32700) + zone
    return Transformer.from_crs(WGS84, CRS.from_epsg(epsg), always_xy=True)


_GRIDS: OrderedDict = OrderedDict()


def _grid_for(districts: gpd.GeoDataFrame | None, outline: BaseGeometry | None, city_id: str) -> _Grid:
    """The grid of one layer + outline, built once and cached by object identity.

    Layers are frozen dataclasses and treated as immutable: a GeoDataFrame changed
    in place after a join is not noticed.
    """
    key = (id(districts), id(outline), city_id)
    hit = _GRIDS.get(key)
    if hit is not None and hit[0] is districts and hit[1] is outline:
        _GRIDS.move_to_end(key)
        return hit[2]
    geoms = [] if districts is None else list(districts.geometry.array)
    geoms = [g if g is not None else shapely.Polygon() for g in geoms]
    grid = _Grid(geoms, outline, city_id)
    _GRIDS[key] = (districts, outline, grid)  # keeps the objects alive: ids stay unique
    while len(_GRIDS) > _CACHE_SIZE:
        _GRIDS.popitem(last=False)
    return grid
