"""Benchmark: the project at 1k, 10k, 100k and 1M incidents, each measure beside a baseline in the same run.

Synthetic incidents inside the real city outlines (2019–2025, half in each city, fixed
seed).  One table, size × measure: ours, the baseline, their ratio, the target, pass;
the same rows as JSON (``size``, ``measure``, ``ours``, ``baseline``, ``ratio``,
``unit``, ``target``, ``pass``) in the file it names.

===================  ==========================================  ============================
measure              ours                                        baseline
===================  ==========================================  ============================
join (points/s)      ``geo.join.join_incidents``                 ``geopandas.sjoin`` per layer
map build (s)        ``incident_map`` for one city + its HTML    folium + ``FastMarkerCluster``
map document (MB)    that HTML                                   the baseline's HTML
store read (s)       ``Store.read`` of the whole dataset         ``pandas.read_csv`` of it
===================  ==========================================  ============================

The targets are those of the issue on scale (map build ≤ 0.3 s at 100k and ≤ 1 s at 1M,
document ≤ 2 MB, store read ≤ 3 s at 1M, join ≥ 2 M points/s); where a size has no
target the column is blank.  ``--quick`` runs 1k and 10k only (under a minute).  This
measures where the project stands; it changes nothing.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from datetime import date
from pathlib import Path

import folium
import numpy as np
import pandas as pd
from folium.plugins import FastMarkerCluster

from benchmarks.join import layer_groups, sjoin_all, synthetic_records
from benchmarks.timing import best, machine, reference_boundaries
from geo import schema
from geo.join import join_incidents
from geo.maps import incident_map
from geo.store import open_store

SIZES = (1_000, 10_000, 100_000, 1_000_000)
QUICK = (1_000, 10_000)
ON = date(2025, 12, 31)

#: measure -> (unit, higher is better, {size: target}); a size absent has no target.
TARGETS = {
    "join": ("points/s", True, dict.fromkeys(SIZES, 2_000_000.0)),
    "map build": ("s", False, {100_000: 0.3, 1_000_000: 1.0}),
    "map document": ("MB", False, dict.fromkeys(SIZES, 2.0)),
    "store read": ("s", False, {1_000_000: 3.0}),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks scale", description=__doc__)
    parser.add_argument("--sizes", help="incident counts, comma-separated (default 1k, 10k, 100k, 1M)")
    parser.add_argument("--quick", action="store_true", help="1k and 10k only")
    parser.add_argument("--json", default="scale.json", help="where the rows go as JSON (default scale.json)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else tuple(int(s) for s in args.sizes.split(",")) if args.sizes else SIZES
    boundaries = reference_boundaries()
    print(machine())
    rows = []
    for n in sizes:
        rows.extend(measure(n, boundaries, args.seed))
    print(table(rows))
    Path(args.json).write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    print(f"\nthe same rows as JSON: {args.json}")
    return 0


def measure(n: int, boundaries, seed: int) -> list[dict]:
    records = complete(synthetic_records(boundaries, n, seed))
    repeat = 2 if n <= 100_000 else 1  # best of two: the first call of either builds its indexes
    join_s, joined = best(lambda: join_incidents(records, boundaries), repeat)
    groups = layer_groups(boundaries, records)
    sjoin_s, _ = best(lambda: sjoin_all(records, groups, build=True), repeat)
    out = [_row(n, "join", n / join_s, n / sjoin_s)]

    almaty = joined[joined["city_id"] == "almaty"]
    ours_s, html = best(lambda: incident_map(almaty, boundaries, city_id="almaty", on=ON).get_root().render(), repeat)
    base_s, base_html = best(lambda: fast_cluster(almaty).get_root().render(), repeat)
    out.append(_row(n, "map build", ours_s, base_s))
    out.append(_row(n, "map document", len(html) / 1e6, len(base_html) / 1e6))

    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder) / "store.sqlite")
        store.write("synthetic", records, kind="import")
        read_s, _ = best(lambda: store.read(["synthetic"]), repeat)
        csv = Path(folder) / "synthetic.csv"
        records.to_csv(csv, index=False)
        csv_s, _ = best(lambda: pd.read_csv(csv, dtype=str, keep_default_na=False), repeat)
    out.append(_row(n, "store read", read_s, csv_s))
    return out


def complete(records: pd.DataFrame) -> pd.DataFrame:
    """Synthetic points as whole native records (every column of geo.schema, typed as geo.records types them)."""
    n = len(records)
    rng = np.random.default_rng(len(records))
    out = records.copy()
    out["event_type"] = rng.choice(["rally", "detention", "police_violence"], n)
    out["source_urls"] = [f"https://example.org/{i}" for i in range(n)]
    out["summary"] = "Synthetic incident for the scale benchmark."
    for col in schema.COLUMNS:
        if col in out.columns:
            continue
        if col in schema.DATE_COLUMNS:
            out[col] = out["date"] if col.startswith("period") else pd.NaT
        elif col in schema.FLOAT_COLUMNS:
            out[col] = np.nan
        elif col in schema.INT_COLUMNS:
            out[col] = pd.array([pd.NA] * n, dtype="Int64")
        else:
            out[col] = ""
    return out[list(schema.COLUMNS)]


def fast_cluster(joined: pd.DataFrame) -> folium.Map:
    """The baseline: a bare folium map with the same points in a FastMarkerCluster (no popups)."""
    m = folium.Map(location=[43.25, 76.9], zoom_start=11, tiles=None)
    placed = joined[joined["attribution"] == "district"]
    FastMarkerCluster(placed[["latitude", "longitude"]].to_numpy().tolist()).add_to(m)
    return m


def _row(size: int, measure: str, ours: float, baseline: float, targets_of: dict | None = None) -> dict:
    """One table row; ``targets_of`` is a TARGETS-shaped table (default this module's)."""
    unit, higher, targets = (targets_of or TARGETS)[measure]
    target = targets.get(size)
    passed = None if target is None else (ours >= target if higher else ours <= target)
    ratio = ours / baseline if baseline else None
    return {
        "size": size,
        "measure": measure,
        "ours": round(ours, 4),
        "baseline": round(baseline, 4),
        "ratio": None if ratio is None else round(ratio, 3),
        "unit": unit,
        "target": target,
        "pass": passed,
    }


def table(rows: list[dict]) -> str:
    head = f"\n{'size':>10} {'measure':<13} {'ours':>12} {'baseline':>12} {'ratio':>7} {'unit':<9} {'target':>10} pass"
    lines = [head]
    for r in rows:
        target = "" if r["target"] is None else f"{r['target']:,.4g}"
        ok = "" if r["pass"] is None else ("yes" if r["pass"] else "NO")
        lines.append(
            f"{r['size']:>10,} {r['measure']:<13} {r['ours']:>12,.3f} {r['baseline']:>12,.3f} "
            f"{r['ratio'] if r['ratio'] is not None else '':>7} {r['unit']:<9} {target:>10} {ok}"
        )
    return "\n".join(lines)
