"""Benchmark: ``geo.importing.import_rows`` on a 100,000-row ACLED-style export (``--native``: and a native CSV).

The file is written by the benchmark (fixed seed, points in both cities, both
ACLED date styles, arrest counts in the tags).  The baseline is reading the same
file with ``pandas.read_csv``: parsing alone, no conversion, validation, flags
or de-duplication.  Best of ``repeat``; the coordinate flags use the configured
boundaries when there are any.

``--existing N`` also stores N records first and measures what an import compares
with: the store read whole (``Store.read``, what the import read before) beside the
columns the comparison needs (``Store.read_columns``), in seconds and in megabytes of
the frame, and the duplicate candidates of the file against them.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.timing import best, machine
from geo.importing import import_rows

HEADER = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,"
    "assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,"
    "admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,"
    "tags,timestamp"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks imports", description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--existing", type=int, default=0, help="records in the store to compare with (0: skip)")
    parser.add_argument(
        "--native",
        action="store_true",
        help="also a native CSV of the scale benchmark's synthetic records (needs the boundaries)",
    )
    args = parser.parse_args(argv)
    print(machine())
    print(f"\n{'method':<44} {'rows':>9} {'seconds':>8} {'rows/s':>9}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "acled.csv"
        write_acled(path, args.rows)
        measure("ACLED export", path, args.rows, args.repeat)
        if args.native:
            path.unlink()
            path = Path(folder) / "native.csv"
            write_native(path, args.rows)
            measure("native CSV", path, args.rows, args.repeat)
    if args.existing:
        compare(args.existing, args.rows, args.repeat)
    return 0


def measure(what: str, path: Path, rows: int, repeat: int) -> None:
    """One file: ``pandas.read_csv`` (the baseline) and the whole import, in the same run."""
    base_s, _ = best(lambda: pd.read_csv(path, dtype=str, keep_default_na=False), repeat)
    ours_s, result = best(lambda: import_rows(path), repeat)
    c = result.counts
    print(f"{what + ': pandas.read_csv (parsing only)':<44} {rows:>9,} {base_s:>8.2f} {rows / base_s:>9,.0f}")
    print(f"{what + ': import_rows (whole import)':<44} {rows:>9,} {ours_s:>8.2f} {rows / ours_s:>9,.0f}")
    print(
        f"  accounted for: {c['imported']:,} imported ({c['flagged']:,} flagged), {c['merged']:,} merged, "
        f"{c['rejected']:,} rejected of {c['total']:,}"
    )


def write_native(path: Path, n: int, seed: int = 0) -> None:
    """The scale benchmark's synthetic records (every native column) as a native CSV."""
    from benchmarks.join import synthetic_records
    from benchmarks.scale import complete
    from benchmarks.timing import reference_boundaries
    from geo.export import records_to_csv

    records = complete(synthetic_records(reference_boundaries(), n, seed))
    path.write_text(records_to_csv(records), encoding="utf-8")


def compare(existing: int, rows: int, repeat: int) -> None:
    """The store read whole beside the comparison's columns, and the candidates, in one table."""
    from geo.importing.candidates import COMPARE_COLUMNS, find_candidates
    from geo.store import open_store

    with tempfile.TemporaryDirectory() as folder:
        old, new = Path(folder) / "old.csv", Path(folder) / "new.csv"
        write_acled(old, existing, seed=1)
        write_acled(new, rows, seed=2)
        store = open_store(Path(folder) / "store.sqlite")
        store.write("old", import_rows(old).records, kind="import")
        whole_s, whole = best(lambda: store.read(["old"]), repeat)
        narrow_s, narrow = best(lambda: store.read_columns(["old"], COMPARE_COLUMNS), repeat)
        records = import_rows(new).records
        cand_s, found = best(lambda: find_candidates(records, narrow), repeat)
    mb = {"whole": whole.memory_usage(deep=True).sum() / 1e6, "narrow": narrow.memory_usage(deep=True).sum() / 1e6}
    print(f"\n{'what the import compares with':<44} {'rows':>9} {'seconds':>8} {'MB':>8}")
    print(f"{'Store.read (whole records: before)':<44} {existing:>9,} {whole_s:>8.2f} {mb['whole']:>8.0f}")
    print(f"{'Store.read_columns (COMPARE_COLUMNS: now)':<44} {existing:>9,} {narrow_s:>8.2f} {mb['narrow']:>8.0f}")
    print(f"{'find_candidates (file against them)':<44} {rows:>9,} {cand_s:>8.2f} {len(found):>8,} pairs")


def write_acled(path: Path, n: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    almaty = rng.random(n) < 0.6
    lat = np.where(almaty, rng.uniform(43.20, 43.30, n), rng.uniform(51.08, 51.18, n)).round(5)
    lon = np.where(almaty, rng.uniform(76.85, 76.98, n), rng.uniform(71.38, 71.50, n)).round(5)
    days = pd.Timestamp("2022-01-02") + pd.to_timedelta(rng.integers(0, 10, n), unit="D")
    dates = np.where(rng.random(n) < 0.5, days.strftime("%Y-%m-%d"), days.strftime("%d %B %Y"))
    city = np.where(almaty, "Almaty", "Nur-Sultan")
    sub = rng.choice(["Peaceful protest", "Protest with intervention", "Arrests"], n)
    arrests = rng.integers(0, 40, n)
    lines = [HEADER]
    for i in range(n):
        lines.append(
            f"KAZ{i},{dates[i]},2022,1,Demonstrations,Protests,{sub[i]},Protesters (Kazakhstan),,Protesters,,,,"
            f"Protesters only,,398,Central Asia,Kazakhstan,{city[i]},,,{city[i]},{lat[i]},{lon[i]},1,"
            f"Vlast; Azattyq,National,Protesters gathered.,0,arrests={arrests[i]},1640000000"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
