"""The join in the database: PostGIS places the points, the project's one set of rules decides.

:func:`join_in_database` gives exactly what :func:`geo.join.join_incidents` gives for
the same records and boundaries.  The spatial work runs in SQL over
``protestmap.records`` and the boundary tables (:mod:`geo.postgis._boundaries`):
which city's box holds each point, the layer in force on its date, the district whose
interior holds it (``ST_Contains``: a point on a border is in neither district, as in
the embedded join), the city outline, the nearest district and its distance in UTM
for a point in a gap, and the same tests for the exchanged pair of a point that lies
in no city (the "swapped" check).  Those facts are the embedded join's ``_Located``;
the decision (precision, gap tolerance, stated city, notes and codes) is the embedded
join's own code, so the two paths cannot drift apart on the rules.

The placements (``city_id``, ``district_id``, ``attribution``) are kept in
``protestmap.placements`` per boundary set and record, so that the district table
(:mod:`geo.postgis._districts`) can count in SQL.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg import sql

from geo.boundaries import BoundarySet
from geo.join import join_incidents
from geo.join.stages import (
    OUTPUT_COLUMNS,
    TEXT_DTYPE,
    VALID,
    Cities,
    Located,
    assign_city,
    check_rows,
    city_table,
    decide,
    grid_for,
    notes,
    swapped_band,
    to_frame,
)
from geo.postgis._boundaries import ensure_boundaries, fingerprint

_PLACEMENTS = [
    """CREATE TABLE IF NOT EXISTS protestmap.placements (
    bset text NOT NULL, dataset text NOT NULL, seq integer NOT NULL,
    city_id text NOT NULL, district_id text NOT NULL, district_name_en text NOT NULL, attribution text NOT NULL,
    join_note text NOT NULL, join_code text NOT NULL, boundary_layer text NOT NULL,
    PRIMARY KEY (bset, dataset, seq))""",
    # one row per dataset and boundary set: which writing of the dataset, which tolerance, how many
    """CREATE TABLE IF NOT EXISTS protestmap.placement_sets (
    bset text NOT NULL, dataset text NOT NULL, written_at text NOT NULL, tolerance double precision NOT NULL,
    rows bigint NOT NULL, PRIMARY KEY (bset, dataset))""",
]

#: The join's default gap tolerance in metres (geo.join.join_incidents).
TOLERANCE = 100.0

#: The points to place: (dataset, seq, point, day); pass 1 the records' points, pass 2 the exchanged pairs.
_POINTS = {
    "records": """SELECT dataset, seq, geom AS g, date::date AS day FROM protestmap.records
                  WHERE dataset = ANY(%(names)s) AND geom IS NOT NULL""",
    "swapped": """SELECT r.dataset, r.seq, ST_SetSRID(ST_MakePoint(r.latitude, r.longitude), 4326) AS g,
                         r.date::date AS day
                  FROM protestmap.records r JOIN unnest(%(lost_dataset)s::text[], %(lost_seq)s::int[]) AS l (d, s)
                       ON r.dataset = l.d AND r.seq = l.s""",
}

#: The points inside a piece of a district of their layer: for the records, piece by piece through the
#: records' GiST index (a piece is then one polygon tested against many points); for a few other points,
#: point by point through the pieces' index.
_INSIDE_PIECE = {
    "records": """piece_hits AS MATERIALIZED (  -- a spatial join alone: its one plan is the GiST lookups
    SELECT r.dataset, r.seq, p.layer_no, min(p.district_row) AS district_row
    FROM protestmap.b_district_pieces p
    JOIN protestmap.records r ON r.geom && p.geom AND ST_Contains(p.geom, r.geom)
    WHERE p.bset = %(bset)s AND r.dataset = ANY(%(names)s)
    GROUP BY r.dataset, r.seq, p.layer_no
),
inside_piece AS MATERIALIZED (
    SELECT cand.dataset, cand.seq, cand.city_no, h.district_row
    FROM cand JOIN piece_hits h ON h.dataset = cand.dataset AND h.seq = cand.seq AND h.layer_no = cand.layer_no
),""",
    "swapped": """inside_piece AS MATERIALIZED (
    SELECT cand.dataset, cand.seq, cand.city_no, dp.district_row
    FROM cand CROSS JOIN LATERAL (
        SELECT min(p.district_row) AS district_row FROM protestmap.b_district_pieces p
        WHERE p.geom && cand.g AND p.bset = %(bset)s AND p.layer_no = cand.layer_no AND ST_Contains(p.geom, cand.g)
        OFFSET 0  -- kept a per-point index scan: a hash join would test every piece of the layer
    ) dp
    WHERE dp.district_row IS NOT NULL
),""",
}

#: Per point: the first city (in the join's order) whose box holds it and that holds it in a district
#: of the layer in force on its day, or in its outline; district_row NULL: in the outline only (a gap).
#: Each point meets the pieces of the districts (at most 64 vertices, GiST) whose box holds it and is
#: inside one; a point inside no piece (in a gap, outside, or on a piece's edge: a cut through the
#: district or the district's own border) is decided by the whole districts, so that a point on a
#: border is in neither district (ST_Contains: the interior), as in the embedded join.
_LOCATE = """
pts AS ({points}),
cand AS MATERIALIZED (
    SELECT p.dataset, p.seq, p.g, c.city_no, c.epsg,
           CASE WHEN p.day IS NULL THEN c.newest_layer ELSE per.layer_no END AS layer_no
    FROM pts p
    JOIN protestmap.b_cities c ON c.bset = %(bset)s AND c.bbox IS NOT NULL AND p.g && c.bbox
    LEFT JOIN protestmap.b_periods per ON per.bset = c.bset AND per.city_no = c.city_no AND p.day IS NOT NULL
         AND (per.from_day IS NULL OR p.day >= per.from_day) AND (per.to_day IS NULL OR p.day < per.to_day)
),
{inside_piece}
in_district AS MATERIALIZED (  -- inside no piece: in a gap, outside, or on an edge; the whole districts decide
    SELECT * FROM inside_piece
    UNION ALL
    SELECT cand.dataset, cand.seq, cand.city_no, dd.district_row
    FROM cand LEFT JOIN inside_piece i USING (dataset, seq, city_no)
    CROSS JOIN LATERAL (  -- only the districts of the pieces it touches
        SELECT min(d.district_row) AS district_row
        FROM protestmap.b_district_pieces p JOIN protestmap.b_districts d USING (bset, layer_no, district_row)
        WHERE p.geom && cand.g AND p.bset = %(bset)s AND p.layer_no = cand.layer_no
          AND ST_Intersects(p.geom, cand.g) AND ST_Contains(d.geom, cand.g)
        OFFSET 0
    ) dd
    WHERE i.dataset IS NULL AND dd.district_row IS NOT NULL
),
rest AS MATERIALIZED (
    SELECT cand.* FROM cand LEFT JOIN in_district i USING (dataset, seq, city_no) WHERE i.dataset IS NULL
),
in_outline AS (
    SELECT rest.dataset, rest.seq, rest.city_no
    FROM rest CROSS JOIN LATERAL (
        SELECT bool_or(ST_Contains(p.geom, rest.g)) AS inside, bool_or(ST_Intersects(p.geom, rest.g)) AS touches
        FROM protestmap.b_outline_pieces p
        WHERE p.geom && rest.g AND p.bset = %(bset)s AND p.city_no = rest.city_no
        OFFSET 0
    ) op
    WHERE op.inside OR (op.touches AND NOT op.inside AND EXISTS (
        SELECT 1 FROM protestmap.b_outlines o
        WHERE o.bset = %(bset)s AND o.city_no = rest.city_no AND o.geom && rest.g AND ST_Contains(o.geom, rest.g)))
),
located AS (
    SELECT DISTINCT ON (dataset, seq) dataset, seq, g, city_no, epsg, layer_no, district_row FROM (
        SELECT cand.*, i.district_row FROM cand JOIN in_district i USING (dataset, seq, city_no)
        UNION ALL
        SELECT rest.*, NULL::integer FROM rest JOIN in_outline o USING (dataset, seq, city_no)
    ) placed
    ORDER BY dataset, seq, city_no
)"""

#: The nearest district of each point in a gap of a layer and its distance in metres (UTM), lowest row on a
#: tie; and the distance of the second nearest (a near tie is measured again, see _locate_in_database).
_NEAREST = """
WITH {located}
SELECT l.dataset, l.seq, l.city_no, l.layer_no, l.district_row, near.best, near.metres, near.second
FROM located l
LEFT JOIN LATERAL (
    SELECT (array_agg(x.district_row ORDER BY x.metres, x.district_row))[1] AS best,
           (array_agg(x.metres ORDER BY x.metres, x.district_row))[1] AS metres,
           (array_agg(x.metres ORDER BY x.metres, x.district_row))[2] AS second
    FROM (
        SELECT d.district_row, ST_Distance(ST_Transform(l.g, l.epsg), d.edges_utm) AS metres
        FROM protestmap.b_districts d
        WHERE l.district_row IS NULL AND l.layer_no IS NOT NULL  -- a gap
          AND d.bset = %(bset)s AND d.layer_no = l.layer_no AND NOT ST_IsEmpty(d.edges_utm)
        ORDER BY metres, d.district_row LIMIT 2
    ) x
) near ON true
"""

#: Metres within which two distances are one to the rounding of two projection libraries.
SAME_M = 1e-6


def join_in_database(
    store,
    names: Sequence[str] | None,
    boundaries: BoundarySet,
    *,
    gap_tolerance_m: float = TOLERANCE,
    records: pd.DataFrame | None = None,
    keep_placements: bool = True,
) -> pd.DataFrame:
    """:func:`geo.join.join_incidents` of the named datasets, the spatial part run by PostGIS.

    Parameters
    ----------
    store : geo.postgis.PostGISStore
    names : datasets (all when ``None``), read in the store's order (by name, then as written).
    boundaries : the boundary set to join with; loaded into the database once per fingerprint.
    records : the frame ``store.read(names)`` gave, when the caller has it (its record ids may
        have been changed since; its rows must be those records in that order).
    keep_placements : write each record's placement to ``protestmap.placements`` (the district
        table's SQL counts them); a read-only store keeps none.
    """
    wanted = [info.name for info in store.datasets()] if names is None else list(dict.fromkeys(names))
    if records is None:
        records = store.read(wanted)
    rows = check_rows(records, boundaries, gap_tolerance_m)
    cities = city_table(boundaries)
    stated = assign_city(rows, cities)
    order = sorted(wanted)
    datasets = records["dataset"].to_numpy(dtype=object) if "dataset" in records else np.array([], dtype=object)
    offsets = _offsets(datasets, order)
    n = len(records)
    read_only = bool(getattr(store, "read_only", False))
    marks = written_marks(store)
    with store.connect() as conn:
        bset = fingerprint(cities)
        sizes = dict(zip(order, np.diff([*offsets.values(), n]).tolist()))
        kept = _kept(conn, bset, sizes, marks, gap_tolerance_m)
        if kept is not None:  # joined before, on these boundaries, since the datasets were last written
            return _with_placements(records, kept)
        if read_only:  # a public view writes nothing: boundaries a writer has not loaded are joined here
            if not _loaded(conn, bset):
                return join_incidents(records, boundaries, gap_tolerance_m=gap_tolerance_m)
        else:
            ensure_boundaries(conn, boundaries, cities)
            conn.commit()
        located = _locate_in_database(conn, bset, order, offsets, rows, n, cities, gap_tolerance_m)
        conn.rollback()
    decided = decide(rows, stated, located, gap_tolerance_m)
    said = notes(rows, located, decided, cities, gap_tolerance_m)
    out = to_frame(records, decided, said, cities)
    if keep_placements and not read_only:
        _keep_placements(store, bset, order, out, marks, gap_tolerance_m)
    return out


def _loaded(conn, bset: str) -> bool:
    if conn.execute("SELECT to_regclass('protestmap.b_sets')").fetchone()[0] is None:
        return False
    return conn.execute("SELECT 1 FROM protestmap.b_sets WHERE bset = %s", (bset,)).fetchone() is not None


def _offsets(datasets: np.ndarray, order: list[str]) -> dict[str, int]:
    """Row of each dataset's first record in the read frame (its records follow in ``seq`` order)."""
    out: dict[str, int] = {}
    at = 0
    for name in order:
        out[name] = at
        at += int((datasets == name).sum())
    if at != len(datasets):
        raise ValueError("the records given are not the named datasets' records in the store's order")
    return out


def _positions(offsets: dict[str, int], dataset: np.ndarray, seq: np.ndarray) -> np.ndarray:
    base = pd.Series(np.asarray(dataset, dtype=object)).map(offsets).to_numpy(dtype=np.int64)
    return base + seq.astype(np.int64)


_FACTS = ["dataset", "seq", "city_no", "layer_no", "district_row", "near", "metres", "second"]


def _fetch(conn, points: str, params: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run the point-in-cities SQL over ``points``: (dataset, seq, [city, layer, district, near, m, 2nd m]).

    One statement (no temporary table: a read-only store runs it too), its rows sent as CSV (COPY) and
    read by pyarrow: a million rows are not a million Python tuples.  Missing numbers are -1, missing
    distances NaN.
    """
    located = _LOCATE.format(points=_POINTS[points], inside_piece=_INSIDE_PIECE[points])
    query = psycopg.ClientCursor(conn).mogrify(_NEAREST.format(located=located), params)  # COPY binds no parameters
    data = bytearray()
    # The planner cannot count a CTE's rows: a nested loop over two of them (a million x a million)
    # would never end. Off, it joins them by hash; where only a nested loop can join (the GiST
    # lookups, the LATERAL ones) it still takes it.
    conn.execute("SET LOCAL enable_nestloop = off")
    with conn.cursor().copy(f"COPY ({query}) TO STDOUT (FORMAT csv)") as copy:
        for block in copy:
            data += block
    if not data:
        return np.zeros(0, dtype=object), np.zeros(0, dtype=np.int64), np.zeros((0, 6))
    types = {"dataset": pa.string(), **dict.fromkeys(_FACTS[1:6], pa.int64()), "metres": pa.float64()}
    table = pacsv.read_csv(
        pa.BufferReader(bytes(data)),
        read_options=pacsv.ReadOptions(column_names=_FACTS),
        convert_options=pacsv.ConvertOptions(column_types={**types, "second": pa.float64()}),
    )
    numbers = [table.column(c).fill_null(-1).to_numpy().astype(float) for c in _FACTS[2:6]]
    metres = [table.column(c).fill_null(np.nan).to_numpy() for c in _FACTS[6:]]
    dataset = table.column("dataset").to_numpy(zero_copy_only=False)
    return dataset, table.column("seq").to_numpy(), np.column_stack([*numbers, *metres])


def _locate_in_database(conn, bset: str, order, offsets, rows, n: int, cities: Cities, tol: float) -> Located:
    """The embedded join's ``_Located`` (geo.join._locate) from SQL.

    Where the nearest district of a point in a gap is a near tie (two districts within
    :data:`SAME_M`) or lies at the tolerance itself, PostGIS's PROJ and pyproj can round
    the other way; those few points are measured again by the embedded join's code, so
    that the answers are the same ones.
    """
    valid = rows.coords == VALID
    city = np.full(n, -1, dtype=np.int64)
    district = np.full(n, -1, dtype=np.int64)
    layer = np.full(n, -1, dtype=np.int64)
    gap = np.zeros(n, dtype=bool)
    near = np.full(n, -1, dtype=np.int64)
    near_m = np.full(n, np.nan)
    dataset, seq, values = _fetch(conn, "records", {"bset": bset, "names": order})
    if len(seq):
        at = _positions(offsets, dataset, seq)
        keep = valid[at]  # the store's point and the join's validity agree; a record the join rejects stays out
        at, values = at[keep], values[keep]
        city[at] = values[:, 0]
        layer[at] = values[:, 1]
        in_district = values[:, 2] >= 0
        district[at[in_district]] = values[in_district, 2]
        gap[at] = ~in_district & (values[:, 1] >= 0)
        near[at] = values[:, 3]
        near_m[at] = values[:, 4]
        near[~gap] = -1
        near_m[~gap] = np.nan
        close = np.zeros(n, dtype=bool)
        close[at] = (np.abs(values[:, 5] - values[:, 4]) <= SAME_M) | (np.abs(values[:, 4] - tol) <= SAME_M)
        for g in np.unique(layer[close & gap]):
            sel = np.flatnonzero(close & gap & (layer == g))
            c = cities.cities[cities.layer_city[g]]
            grid = grid_for(cities.layers[g].districts, c.outline, c.city_id)
            near[sel], near_m[sel] = grid.nearest(rows.lon[sel], rows.lat[sel])

    lost = np.flatnonzero(valid & (city < 0))
    swapped = np.zeros(n, dtype=bool)
    if lost.size:
        lat, lon = rows.lat[lost], rows.lon[lost]
        swapped[lost] = swapped_band(lat, lon)
        names_at = np.repeat(np.array(order, dtype=object), np.diff([*offsets.values(), n]))
        base = np.array([offsets[d] for d in names_at[lost]], dtype=np.int64)
        params = {"bset": bset, "lost_dataset": list(names_at[lost]), "lost_seq": (lost - base).tolist()}
        s_dataset, s_seq, _ = _fetch(conn, "swapped", params)
        if len(s_seq):
            swapped[_positions(offsets, s_dataset, s_seq)] = True
    return Located(city, district, layer, gap, near, near_m, swapped)


def written_marks(store) -> dict[str, str]:
    """Per dataset, what tells one writing of it from another (the placements of an older one are stale)."""
    return {info.name: f"{info.created_at}|{info.rows}|{info.version}" for info in store.datasets()}


def _keep_placements(store, bset: str, order: list[str], joined: pd.DataFrame, marks: dict, tol: float) -> None:
    """Each record's placement (the join's columns), replacing the datasets' earlier ones; those of
    datasets no longer in the store go."""
    n = len(joined)
    seq = joined.groupby("dataset", sort=False).cumcount().to_numpy()
    names = joined["dataset"].to_numpy(dtype=object)
    table = pa.table(
        {
            "bset": pa.array([bset] * n, pa.string()),
            "dataset": pa.array(names, pa.string()),
            "seq": pa.array(seq, pa.int64()),
            **{c: pa.array(joined[c].to_numpy(dtype=object), pa.string()) for c in OUTPUT_COLUMNS},
        }
    )
    buffer = pa.BufferOutputStream()
    pacsv.write_csv(table, buffer, write_options=pacsv.WriteOptions(include_header=False))
    data = buffer.getvalue().to_pybytes()
    with store.connect() as conn:
        for statement in _PLACEMENTS:
            conn.execute(statement)
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('protestmap.placements'))")
        for table_name in ("placements", "placement_sets"):  # these datasets', and those no longer in the store
            conn.execute(
                f"DELETE FROM protestmap.{table_name} WHERE (bset = %s AND dataset = ANY(%s)) OR NOT dataset = ANY(%s)",
                (bset, order, list(marks)),
            )
        counts = pd.Series(names).value_counts() if n else pd.Series(dtype=int)
        for name in order:
            conn.execute(
                "INSERT INTO protestmap.placement_sets VALUES (%s, %s, %s, %s, %s)",
                (bset, name, marks[name], float(tol), int(counts.get(name, 0))),
            )
        columns = ", ".join(table.column_names)
        texts = ", ".join(OUTPUT_COLUMNS)  # an empty text is '' (unquoted, CSV would read it as NULL)
        copy_sql = f"COPY protestmap.placements ({columns}) FROM STDIN (FORMAT csv, FORCE_NOT_NULL ({texts}))"
        with conn.cursor().copy(copy_sql) as copy:
            for start in range(0, len(data), 1 << 20):
                copy.write(data[start : start + (1 << 20)])


def _kept(
    conn, bset: str, sizes: dict[str, int], marks: dict[str, str], tol: float, *, fetch: bool = True
) -> pa.Table | None:
    """The kept placements of the datasets (name -> records read), in the read order, when every one is
    there and current: written after the dataset's last writing, with this tolerance, one per record."""
    order = list(sizes)
    if not order or conn.execute("SELECT to_regclass('protestmap.placement_sets')").fetchone()[0] is None:
        return None
    got = conn.execute(
        "SELECT dataset, written_at, tolerance, rows FROM protestmap.placement_sets "
        "WHERE bset = %s AND dataset = ANY(%s)",
        (bset, order),
    ).fetchall()
    current = {name: (written, tolerance, rows) for name, written, tolerance, rows in got}
    if any(current.get(name) != (marks.get(name), float(tol), sizes[name]) for name in order):
        return None
    if not fetch:  # the caller asks only whether they are current
        return pa.table({})
    query = sql.SQL(
        "COPY (SELECT {} FROM protestmap.placements WHERE bset = {} AND dataset = ANY({}) "
        'ORDER BY dataset COLLATE "C", seq) TO STDOUT (FORMAT csv)'
    ).format(sql.SQL(", ").join(map(sql.Identifier, OUTPUT_COLUMNS)), sql.Literal(bset), sql.Literal(order))
    data = bytearray()
    with conn.cursor().copy(query) as copy:
        for block in copy:
            data += block
    if not data:
        return pa.table({c: pa.array([], pa.string()) for c in OUTPUT_COLUMNS})
    options = pacsv.ReadOptions(column_names=OUTPUT_COLUMNS)
    convert = pacsv.ConvertOptions(column_types=dict.fromkeys(OUTPUT_COLUMNS, pa.large_string()))
    return pacsv.read_csv(pa.BufferReader(bytes(data)), read_options=options, convert_options=convert)


def _text(column: pa.ChunkedArray):
    """A text column as geo.join's output has it (geo.join._notes._text_array)."""
    if getattr(TEXT_DTYPE, "storage", None) == "pyarrow":
        return pd.array(column.combine_chunks(), dtype=TEXT_DTYPE)
    return pd.array(np.asarray(column.to_pylist(), dtype=object), dtype=TEXT_DTYPE)


def _with_placements(records: pd.DataFrame, kept: pa.Table) -> pd.DataFrame:
    """``records`` with the kept join columns, as geo.join's output frame has them."""
    out = records.drop(columns=[c for c in OUTPUT_COLUMNS if c in records.columns])
    for name in OUTPUT_COLUMNS:
        out[name] = _text(kept.column(name))
    return out
