"""Benchmark: ``geo.join.join_incidents`` against a plain ``geopandas.sjoin``.

N points are drawn uniformly inside the two city outlines (rejection sampling, fixed
seed), half per city, dated 2019-2025 so every Astana layer is used, mostly
geo_precision 1.  Timed in one run, best of ``repeat``:

* ``join_incidents`` on a records DataFrame (the whole join: checks, city, layer by
  date, point in polygon, gaps, notes, output frame; grids warm);
* ``geopandas.sjoin(points, districts, predicate="within")`` per (city, layer) group,
  with and without building the points GeoDataFrame.

Peak memory is measured in a separate, untimed run under ``tracemalloc``.
"""

from __future__ import annotations

import argparse
import tracemalloc
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from benchmarks.timing import best, machine, reference_boundaries, timed
from geo.join import _grid, join_incidents
from geo.settings import get_settings

CITIES = [("almaty", "Almaty"), ("astana", "Astana")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks join", description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000, help="points (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="best of (default 3)")
    args = parser.parse_args(argv)

    boundaries = reference_boundaries()
    folder = get_settings().boundaries_dir

    print(f"{machine()}; grid {1 << _grid.GRID_DEPTH}x{1 << _grid.GRID_DEPTH}")
    print(f"boundaries: {folder}")
    records = synthetic_records(boundaries, args.n, args.seed)
    groups = layer_groups(boundaries, records)

    _grid._GRIDS.clear()
    ours_cold = timed(lambda: join_incidents(records, boundaries))[0]
    ours_s, ours = best(lambda: join_incidents(records, boundaries), args.repeat)
    with_build_s, theirs = best(lambda: sjoin_all(records, groups, build=True), args.repeat)
    points = {key: build_points(records, rows) for key, (rows, _) in groups.items()}
    without_build_s, _ = best(lambda: sjoin_all(records, groups, points=points), args.repeat)

    peak = {
        "join_incidents": _peak(lambda: join_incidents(records, boundaries)),
        "sjoin incl. points": _peak(lambda: sjoin_all(records, groups, build=True)),
        "sjoin excl. points": _peak(lambda: sjoin_all(records, groups, points=points)),
    }
    n = len(records)
    rows = [
        ("join_incidents (ours)", ours_s, peak["join_incidents"]),
        ("sjoin within, incl. building points", with_build_s, peak["sjoin incl. points"]),
        ("sjoin within, excl. building points", without_build_s, peak["sjoin excl. points"]),
    ]
    print()
    print(f"{'method':40} {'points':>10} {'seconds':>9} {'points/s':>12} {'peak MB':>9} {'speed-up':>10}")
    for name, seconds, mb in rows:
        print(f"{name:40} {n:>10,} {seconds:>9.3f} {n / seconds:>12,.0f} {mb:>9.1f} {seconds / ours_s:>9.2f}x")
    print(
        f"(speed-up: ours against each row. First join_incidents call, cold: the {len(groups)} layers' "
        f"grids built as their points outgrow testing them directly: {ours_cold:.3f} s)"
    )

    agree, gap_assigned, disagree = compare(ours, theirs)
    print(
        f"district answers: {agree:,} agree, {gap_assigned:,} placed by us in a gap "
        f"between districts (sjoin: none, join_note says so), {disagree:,} disagree"
    )
    return 0 if disagree == 0 else 1


def synthetic_records(boundaries, n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lon, lat, city = [], [], []
    for k, (city_id, stated) in enumerate(CITIES):
        want = n // 2 + (n % 2 if k == 0 else 0)
        outline = boundaries.outline(city_id)
        x0, y0, x1, y1 = outline.bounds
        got_x, got_y, have = [], [], 0
        while have < want:
            x = rng.uniform(x0, x1, 2 * want)
            y = rng.uniform(y0, y1, 2 * want)
            keep = shapely.contains_xy(outline, x, y)
            got_x.append(x[keep])
            got_y.append(y[keep])
            have += int(keep.sum())
        lon.append(np.concatenate(got_x)[:want])
        lat.append(np.concatenate(got_y)[:want])
        city += [stated] * want
    days = rng.integers(0, (date(2025, 12, 31) - date(2019, 1, 1)).days, n)
    return pd.DataFrame(
        {
            "record_id": pd.Series(np.arange(n)).astype("str"),
            "date": pd.Timestamp("2019-01-01") + pd.to_timedelta(days, unit="D"),
            "city": pd.Series(city, dtype="str"),
            "latitude": np.concatenate(lat),
            "longitude": np.concatenate(lon),
            "geo_precision": pd.array(rng.choice([1, 1, 1, 1, 1, 1, 1, 1, 2, 3], n), dtype="Int64"),
        }
    )


def layer_groups(boundaries, records):
    """(city, layer name) -> (row numbers, layer) for the layer in force on each date."""
    groups = {}
    stated = records["city"].to_numpy()
    for city_id, name in CITIES:
        mine = stated == name
        for layer in boundaries.layers_for(city_id):
            lo = pd.Timestamp(layer.valid_from) if layer.valid_from else pd.Timestamp.min
            hi = pd.Timestamp(layer.valid_to) if layer.valid_to else pd.Timestamp.max
            inside = mine & (records["date"] >= lo).to_numpy() & (records["date"] < hi).to_numpy()
            groups[(city_id, layer.name)] = (np.flatnonzero(inside), layer)
    return groups


def build_points(records, rows) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"row": rows},
        geometry=gpd.points_from_xy(records["longitude"].to_numpy()[rows], records["latitude"].to_numpy()[rows]),
        crs=4326,
    )


def sjoin_all(records, groups, *, build=False, points=None) -> np.ndarray:
    """District id per record by plain sjoin ('' when none)."""
    out = np.full(len(records), "", dtype=object)
    for key, (rows, layer) in groups.items():
        pts = build_points(records, rows) if build else points[key]
        joined = gpd.sjoin(pts, layer.districts[["district_id", "geometry"]], predicate="within")
        out[joined["row"].to_numpy()] = joined["district_id"].to_numpy()
    return out


def compare(ours: pd.DataFrame, theirs: np.ndarray) -> tuple[int, int, int]:
    """Compared on precise records (geo_precision 1/2; coarse ones are never pinned)."""
    precise = ours["geo_precision"].isin([1, 2]).to_numpy(dtype=bool)
    mine = ours["district_id"].to_numpy(dtype=object)[precise]
    them = theirs[precise]
    gap = ours["join_note"].str.startswith("in a gap").to_numpy(dtype=bool)[precise]
    agree = int(((mine == them) & ~gap).sum())
    gap_assigned = int((gap & (them == "")).sum())
    return agree, gap_assigned, int(len(mine) - agree - gap_assigned)


def _peak(fn) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()
