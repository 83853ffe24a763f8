"""Benchmark: the reconciliation (``geo.aggregate``) on many incidents, beside the naive sum.

N synthetic episode counts (one per incident, both cities, ten days of January 2022;
four in five placed in a district of the reference boundaries, the rest known only
to their city) plus two national running totals that contain them.  The baseline is
what a naive dashboard shows: the column's sum, which double counts every episode the
totals already contain, and a naive district table (a group-by sum per district).

Timed, best of ``repeat``, each from the records frame (preparing the records is part
of every figure):

* the national answer alone, and with its per-city breakdown;
* a city's district table (``geo.districts.district_table``: every district, the
  city, the national remainder);
* the same national answer with 300 official daily totals added (a daily series
  over ten months with running totals over it), the case an enumerating solver
  cannot take.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from benchmarks.timing import best, machine, reference_boundaries
from geo.aggregate import detained_range
from geo.districts import district_table

WINDOW = ("2022-01-02", "2022-01-12")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks aggregate", description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    bset = reference_boundaries()
    print(machine())
    print("seconds, best of", args.repeat, "; the naive figures double count what the totals contain\n")
    print(
        f"{'incidents':>10} | {'naive sum':>10} {'s':>6} | {'ours':>16} {'s':>6} {'+cities s':>9} | "
        f"{'naive districts s':>17} {'district table s':>16} | {'+300 totals s':>13}"
    )
    start, end = WINDOW
    for n in (int(s) for s in args.sizes.split(",")):
        records = joined_synthetic(n, bset)
        naive_s, naive = best(lambda: int(records["detained_low"].sum()), args.repeat)
        ours_s, ours = best(
            lambda: detained_range(records, area="national", start=start, end=end, breakdown=False), args.repeat
        )
        cities_s, _ = best(lambda: detained_range(records, area="national", start=start, end=end), args.repeat)
        group_s, _ = best(
            lambda: records[records["city_id"] == "almaty"].groupby("district_id")["detained_low"].sum(), args.repeat
        )
        table_s, _ = best(
            lambda: district_table(
                records, bset, city_id="almaty", start=pd.Timestamp(start).date(), end=pd.Timestamp(end).date()
            ),
            args.repeat,
        )
        series = pd.concat([records, daily_series(300)], ignore_index=True)
        many_s, _ = best(
            lambda: detained_range(series, area="national", start="2021-03-01", end=end, breakdown=False), 1
        )
        print(
            f"{n:>10,} | {naive:>10,} {naive_s:>6.3f} | {ours.label():>16} {ours_s:>6.2f} {cities_s:>9.2f} | "
            f"{group_s:>17.3f} {table_s:>16.2f} | {many_s:>13.2f}"
        )
    return 0


def synthetic(n: int, seed: int = 0) -> pd.DataFrame:
    """N episode counts in both cities over 2-11 January 2022, and two national running totals."""
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2022-01-02") + pd.to_timedelta(rng.integers(0, 10, n), unit="D")
    episodes = pd.DataFrame(
        {
            "record_id": [f"R{i}" for i in range(n)],
            "date": days,
            "period_start": days,
            "period_end": days,
            "city": rng.choice(["Almaty", "Nur-Sultan"], n),
            "event_type": "detention",
            "count_kind": "incremental",
            "detained_low": pd.array(rng.integers(0, 20, n), dtype="Int64"),
            "detained_high": pd.array([pd.NA] * n, dtype="Int64"),
            "included_in": "",
            "contested_by": "",
        }
    )
    totals = pd.DataFrame(
        {
            "record_id": ["KZ-1", "KZ-2"],
            "date": pd.to_datetime(["2022-01-07", "2022-01-10"]),
            "period_start": pd.to_datetime(["2022-01-02", "2022-01-02"]),
            "period_end": pd.to_datetime(["2022-01-07", "2022-01-10"]),
            "city": "national",
            "event_type": "official_statement",
            "count_kind": "cumulative",
            "detained_low": pd.array([3811, 7939], dtype="Int64"),
            "detained_high": pd.array([3811, 7939], dtype="Int64"),
            "included_in": "",
            "contested_by": "",
        }
    )
    return pd.concat([episodes, totals], ignore_index=True)


def joined_synthetic(n: int, bset, seed: int = 0) -> pd.DataFrame:
    """:func:`synthetic` as the join leaves it: four in five episodes in a district of the layer in force."""
    records = synthetic(n, seed)
    rng = np.random.default_rng(seed + 1)
    city_id = records["city"].map({"Almaty": "almaty", "Nur-Sultan": "astana"}).fillna("")
    on = pd.Timestamp(WINDOW[1]).date()
    district = np.full(len(records), "", dtype=object)
    for city in ("almaty", "astana"):
        rows = np.flatnonzero((city_id == city).to_numpy())
        ids = bset.layer_for(city, on).districts["district_id"].to_numpy(dtype=object)
        district[rows] = rng.choice(ids, len(rows))
    placed = (rng.random(len(records)) < 0.8) & (city_id != "").to_numpy()
    records["city_id"] = city_id
    records["district_id"] = np.where(placed, district, "")
    records["attribution"] = np.where(placed, "district", np.where(city_id != "", "city", "unlocated"))
    return records


def daily_series(days: int) -> pd.DataFrame:
    """Official national daily totals ending on 1 January 2022, with a running total over each week."""
    end = pd.Timestamp("2022-01-01")
    day = end - pd.to_timedelta(np.arange(days)[::-1], unit="D")
    daily = pd.DataFrame(
        {
            "record_id": [f"KZ-d{i:03d}" for i in range(days)],
            "date": day,
            "period_start": day,
            "period_end": day,
            "detained_low": pd.array(10 + np.arange(days) % 17, dtype="Int64"),
        }
    )
    weeks = np.arange(0, days, 7)
    weekly = pd.DataFrame(
        {
            "record_id": [f"KZ-w{i:03d}" for i in range(len(weeks))],
            "date": day[np.minimum(weeks + 6, days - 1)],
            "period_start": day[weeks],
            "period_end": day[np.minimum(weeks + 6, days - 1)],
            "detained_low": pd.array(60 + weeks % 50, dtype="Int64"),
        }
    )
    out = pd.concat([daily, weekly], ignore_index=True)
    out["detained_high"] = out["detained_low"]
    return out.assign(
        city="national",
        event_type="official_statement",
        count_kind="cumulative",
        included_in="",
        contested_by="",
        city_id="",
        district_id="",
        attribution="city",
    )
