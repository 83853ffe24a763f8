"""Benchmark: ``geo.maps.incident_map`` against one folium CircleMarker with a popup per incident.

Random incidents inside Almaty's outline are drawn (fixed seed) and each map is
built and rendered to HTML (``m.get_root().render()``, what ``st_folium`` does),
best of ``repeat``.  The baseline is the pattern the project avoids: one Python
``folium.CircleMarker`` with a ``folium.Popup`` per incident, in a MarkerCluster.
It is skipped above ``--baseline-max`` incidents (it grows linearly: ~1 s per 1,000).
"""

from __future__ import annotations

import argparse
from datetime import date

import folium
import numpy as np
import pandas as pd
import shapely
from folium.plugins import MarkerCluster

from benchmarks.timing import best, machine, reference_boundaries
from geo.maps import EVENT_COLOURS, incident_map

ON = date(2019, 6, 10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks maps", description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,50000", help="incident counts, comma-separated")
    parser.add_argument("--baseline-max", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    boundaries = reference_boundaries()
    print(machine())
    print(f"\n{'incidents':>10} {'ours s':>8} {'ours MB':>8} {'baseline s':>11} {'baseline MB':>12} {'speed-up':>9}")
    for n in (int(s) for s in args.sizes.split(",")):
        records = _records(boundaries, n, args.seed)
        ours_s, ours_html = best(
            lambda: _render(incident_map(records, boundaries, city_id="almaty", on=ON)), args.repeat
        )
        if n <= args.baseline_max:
            base_s, base_html = best(lambda: _render(_baseline(records)), 1)
            base = f"{base_s:>11.2f} {len(base_html) / 1e6:>12.1f} {base_s / ours_s:>8.0f}x"
        else:
            base = f"{'not run':>11} {'':>12} {'':>9}"
        print(f"{n:>10,} {ours_s:>8.2f} {len(ours_html) / 1e6:>8.1f} {base}")
    return 0


def _records(boundaries, n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    outline = boundaries.outline("almaty")
    minx, miny, maxx, maxy = outline.bounds
    xs, ys = [], []
    while len(xs) < n:
        x = rng.uniform(minx, maxx, n)
        y = rng.uniform(miny, maxy, n)
        inside = shapely.contains_xy(outline, x, y)
        xs.extend(x[inside])
        ys.extend(y[inside])
    frame = pd.DataFrame(
        {
            "record_id": [f"R{i}" for i in range(n)],
            "date": pd.Timestamp(ON),
            "city": "Almaty",
            "city_id": "almaty",
            "attribution": "district",
            "district_id": "almaly",
            "latitude": ys[:n],
            "longitude": xs[:n],
            "geo_precision": pd.array([1] * n, dtype="Int64"),
            "event_type": rng.choice(list(EVENT_COLOURS), n),
            "detained_low": pd.array(rng.integers(0, 50, n), dtype="Int64"),
            "detained_high": pd.array([pd.NA] * n, dtype="Int64"),
            "place_name_en": "A square",
            "summary": "A summary of about the length the real records have, paraphrased from sources.",
            "source_urls": "https://example.org/a https://example.com/b",
            "source_names": "Example",
        }
    )
    return frame


def _baseline(records: pd.DataFrame) -> folium.Map:
    m = folium.Map(location=[43.25, 76.9], zoom_start=11, tiles=None)
    cluster = MarkerCluster().add_to(m)
    for row in records.itertuples():
        popup = folium.Popup(f"{row.date:%Y-%m-%d} {row.place_name_en}: {row.summary} {row.source_urls}")
        folium.CircleMarker([row.latitude, row.longitude], radius=6, popup=popup).add_to(cluster)
    return m


def _render(m: folium.Map) -> str:
    return m.get_root().render()
