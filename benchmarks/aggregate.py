"""Benchmark: ``geo.aggregate.detained_range`` on many incidents, beside the naive sum.

N synthetic episode counts (one per incident, both cities, ten days of January 2022)
plus two national running totals that contain them.  The baseline is what a naive
dashboard shows: the column's sum, which double counts every episode the totals
already contain.  Best of ``repeat``, with and without the per-city breakdown.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from benchmarks.timing import best, machine
from geo.aggregate import detained_range


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks aggregate", description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print(machine())
    print(f"\n{'incidents':>10} {'naive sum':>10} {'naive s':>8} {'ours':>16} {'ours s':>7} "
          f"{'with breakdown s':>17}")
    for n in (int(s) for s in args.sizes.split(",")):
        records = synthetic(n)
        naive_s, naive = best(lambda: int(records["detained_low"].sum()), args.repeat)
        ours_s, ours = best(lambda: detained_range(records, area="national", start="2022-01-02",
                                                    end="2022-01-12", breakdown=False), args.repeat)
        full_s, _ = best(lambda: detained_range(records, area="national", start="2022-01-02",
                                                 end="2022-01-12"), 1)
        print(f"{n:>10,} {naive:>10,} {naive_s:>8.3f} {ours.label():>16} {ours_s:>7.2f} {full_s:>17.2f}")
    return 0


def synthetic(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2022-01-02") + pd.to_timedelta(rng.integers(0, 10, n), unit="D")
    episodes = pd.DataFrame({
        "record_id": [f"R{i}" for i in range(n)],
        "date": days, "period_start": days, "period_end": days,
        "city": rng.choice(["Almaty", "Nur-Sultan"], n),
        "count_kind": "incremental",
        "detained_low": pd.array(rng.integers(0, 20, n), dtype="Int64"),
        "detained_high": pd.array([pd.NA] * n, dtype="Int64"),
        "included_in": "", "contested_by": "",
    })
    totals = pd.DataFrame({
        "record_id": ["KZ-1", "KZ-2"],
        "date": pd.to_datetime(["2022-01-07", "2022-01-10"]),
        "period_start": pd.to_datetime(["2022-01-02", "2022-01-02"]),
        "period_end": pd.to_datetime(["2022-01-07", "2022-01-10"]),
        "city": "national", "count_kind": "cumulative",
        "detained_low": pd.array([3811, 7939], dtype="Int64"),
        "detained_high": pd.array([3811, 7939], dtype="Int64"),
        "included_in": "", "contested_by": "",
    })
    return pd.concat([episodes, totals], ignore_index=True)
