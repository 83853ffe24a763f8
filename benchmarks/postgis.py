"""Benchmark: the PostGIS store beside the embedded path, at 100k and 1M incidents, in the same run.

Synthetic incidents inside the real city outlines (those of ``benchmarks scale``),
written to a PostGIS store and to the embedded SQLite store.  Rows, size × measure:

==========================  =============================================  ==========================================
measure                     ours (PostGIS)                                 baseline (embedded)
==========================  =============================================  ==========================================
write (s)                   ``PostGISStore.write`` (COPY)                   ``SQLiteStore.write``
read (s)                    ``PostGISStore.read``                           ``SQLiteStore.read``
join (points/s)             ``join_in_database`` (the points in SQL)        ``join_incidents`` of the read records
district table (s)          ``district_table_in_database``: a week's        read, join, filter, ``district_table``
                            window and counts in SQL, the claims fetched
district table, warm (s)    the same                                        filter + ``district_table`` of a join held
                                                                            in memory (the app's cached path)
rows to the app             the window's claims                             every record
size on disk (MB)           the dataset's table, its indexes, placements   the SQLite file
==========================  =============================================  ==========================================

It starts a throwaway server of its own (Debian's postgresql and postgresql-postgis),
or uses ``--url`` (a database of yours: it writes dataset ``benchmark``).  The rows go
to ``--json`` as well.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import tempfile
from datetime import date
from pathlib import Path

from benchmarks.join import synthetic_records
from benchmarks.scale import _row as row
from benchmarks.scale import complete, table
from benchmarks.timing import best, machine, reference_boundaries
from geo.districts import district_table
from geo.filters import Filters, filter_records
from geo.join import join_incidents
from geo.store import open_store

SIZES = (100_000, 1_000_000)
QUICK = (10_000,)
#: The district table's window: one week of the synthetic years, Almaty.
WINDOW = (date(2022, 1, 3), date(2022, 1, 9))
CITY = "almaty"

#: measure -> (unit, higher is better, {size: target}); none are the issue's targets but the join's.
TARGETS: dict[str, tuple[str, bool, dict[int, float]]] = {
    "write": ("s", False, {}),
    "read": ("s", False, {}),
    "join": ("points/s", True, {}),
    "district table": ("s", False, {}),
    "district, warm": ("s", False, {}),
    "rows to app": ("rows", False, {}),
    "size on disk": ("MB", False, {}),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks postgis", description=__doc__)
    parser.add_argument("--sizes", help="incident counts, comma-separated (default 100k, 1M)")
    parser.add_argument("--quick", action="store_true", help="10k only")
    parser.add_argument("--url", help="a PostGIS database to use instead of a throwaway server")
    parser.add_argument("--json", default="postgis.json", help="where the rows go as JSON (default postgis.json)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else tuple(int(s) for s in args.sizes.split(",")) if args.sizes else SIZES
    boundaries = reference_boundaries()
    print(machine())
    rows: list[dict] = []
    with _server(args.url) as url, tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            rows.extend(measure(n, boundaries, args.seed, url, Path(folder) / f"store-{n}.sqlite"))
    print(table(rows))
    Path(args.json).write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    print(f"\nthe same rows as JSON: {args.json}")
    return 0


@contextlib.contextmanager
def _server(url: str | None):
    if url:
        yield url
        return
    from geo.postgis.server import throwaway_server

    with throwaway_server() as started:
        yield started


def measure(n: int, boundaries, seed: int, url: str, sqlite_path: Path) -> list[dict]:
    from geo.postgis import district_table_in_database, join_in_database
    from geo.postgis.store import _partition

    records = complete(synthetic_records(boundaries, n, seed))
    ours, embedded = open_store(url), open_store(sqlite_path)
    ours.write("warm-up", records.head(10), replace=True)  # the boundaries go into the database once, first
    join_in_database(ours, ["warm-up"], boundaries)
    write_pg, _ = best(lambda: ours.write("benchmark", records, replace=True), 1)
    write_sq, _ = best(lambda: embedded.write("benchmark", records, replace=True), 1)
    read_pg, _ = best(lambda: ours.read(["benchmark"]), 1)
    read_sq, _ = best(lambda: embedded.read(["benchmark"]), 1)
    join_pg, _ = best(lambda: join_in_database(ours, ["benchmark"], boundaries), 1)
    join_sq, joined = best(lambda: join_incidents(embedded.read(["benchmark"]), boundaries), 1)
    start, end = WINDOW
    view = Filters(start=start, end=end)

    def embedded_table(frame):
        return district_table(filter_records(frame, view), boundaries, city_id=CITY, start=start, end=end)

    table_pg, got = best(lambda: district_table_in_database(ours, ["benchmark"], boundaries, city_id=CITY,
                                                             start=start, end=end), 2)  # fmt: skip
    table_cold, expected = best(lambda: embedded_table(join_incidents(embedded.read(["benchmark"]), boundaries)), 1)
    table_warm, _ = best(lambda: embedded_table(joined), 2)
    if not got.equals(expected):
        raise AssertionError("the district tables of the two paths differ")
    window = len(filter_records(joined, view))
    with ours.connect() as conn:
        size = conn.execute(
            "SELECT pg_total_relation_size(%s) + pg_total_relation_size('protestmap.placements')",
            (f"protestmap.{_partition('benchmark')}",),
        ).fetchone()[0]
    return [
        row(n, "write", write_pg, write_sq, TARGETS),
        row(n, "read", read_pg, read_sq, TARGETS),
        row(n, "join", n / join_pg, n / join_sq, TARGETS),
        row(n, "district table", table_pg, table_cold, TARGETS),
        row(n, "district, warm", table_pg, table_warm, TARGETS),
        row(n, "rows to app", window, n, TARGETS),
        row(n, "size on disk", size / 1e6, sqlite_path.stat().st_size / 1e6, TARGETS),
    ]
