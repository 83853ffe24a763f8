"""The district table in the database: counts in SQL, detentions by the project's one reconciliation.

:func:`district_table_in_database` gives what :func:`geo.districts.district_table`
gives for the view's records (the dates, event types and precisions of
:func:`geo.filters.filter_records`, every city) of the named datasets.  The window
and the incident counts per district are one SQL query over ``protestmap.records``
and the placements :func:`~geo.postgis._join.join_in_database` kept; the
reconciliation is fed with only the window's claims (the columns it reads), so a
million records in the store send the app the few thousand rows of a week.

The ids of the datasets are kept apart as :func:`geo.records.keep_ids_apart` keeps
them: a dataset that repeats an id of a dataset before it (by name) has its ids and
its references to its own ids prefixed with ``<dataset>:``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from geo import schema
from geo.aggregate import NEEDED_COLUMNS, OPTIONAL_COLUMNS
from geo.boundaries import BoundarySet
from geo.districts import IncidentCounts, district_table
from geo.join.stages import city_table
from geo.postgis._boundaries import fingerprint
from geo.postgis._join import TOLERANCE, _kept, join_in_database, written_marks
from geo.postgis.store import DAYS_COVERED

#: The columns the reconciliation reads (geo.aggregate), all of them sent from the window.
CLAIM_COLUMNS = [*NEEDED_COLUMNS, *OPTIONAL_COLUMNS]

#: The join's columns among them, from the kept placements; the rest from the records.
PLACED = ("city_id", "district_id", "attribution")

_WINDOW = """
prefixed AS (  -- datasets that repeat an id of a dataset before them (geo.records.keep_ids_apart)
    SELECT DISTINCT b.dataset FROM protestmap.records a JOIN protestmap.records b
        ON a.record_id = b.record_id AND a.dataset COLLATE "C" < b.dataset COLLATE "C"
    WHERE %(several)s AND a.dataset = ANY(%(names)s) AND b.dataset = ANY(%(names)s)  -- one dataset: none
),
window_ AS (
SELECT r.dataset, r.seq, (x.dataset IS NOT NULL) AS prefixed, {columns}
FROM protestmap.records r
JOIN protestmap.placements p ON p.bset = %(bset)s AND p.dataset = r.dataset AND p.seq = r.seq
LEFT JOIN prefixed x ON x.dataset = r.dataset
WHERE r.dataset = ANY(%(names)s)
  AND {days_covered} && tsrange(%(start)s, %(end)s, '[]')  -- the index; then exactly geo.filters' rule
  AND r.period_start <= %(end)s AND r.period_end >= %(start)s
  AND r.event_type = ANY(%(types)s)
  AND CASE WHEN r.geo_precision IS NULL THEN %(all_precisions)s ELSE r.geo_precision = ANY(%(precisions)s) END
)""".replace("{columns}", ", ".join(("p." if c in PLACED else "r.") + c for c in CLAIM_COLUMNS)).replace(
    "{days_covered}", DAYS_COVERED.replace("period_", "r.period_")
)

#: The incident counts: per district of the city, the city's records in no district, the national records.
_COUNTS = """
WITH {window}
SELECT 'district', district_id, count(*) FROM window_
WHERE city_id = %(city)s AND attribution = 'district' GROUP BY district_id
UNION ALL SELECT 'city_level', '', count(*) FROM window_ WHERE city_id = %(city)s AND attribution <> 'district'
UNION ALL SELECT 'national', '', count(*) FROM window_ WHERE city = 'national'
"""


def _refs(column: str) -> str:
    """A reference column with the ids of its own (prefixed) dataset prefixed, as keep_ids_apart does."""
    return f"""CASE WHEN w.prefixed THEN coalesce((
        SELECT string_agg(CASE WHEN EXISTS (SELECT 1 FROM protestmap.records o
                                            WHERE o.dataset = w.dataset AND o.record_id = t.v)
                          THEN w.dataset || ':' || t.v ELSE t.v END, ' ' ORDER BY t.k)
        FROM unnest(regexp_split_to_array(btrim(w.{column}), '\\s+')) WITH ORDINALITY AS t (v, k)
        WHERE t.v <> ''), '') ELSE w.{column} END"""


def _claim(column: str) -> str:
    """The SELECT expression of one claim column over the window (``w``)."""
    if column == "record_id":
        return "CASE WHEN w.prefixed THEN w.dataset || ':' || w.record_id ELSE w.record_id END"
    return _refs(column) if column in ("included_in", "contested_by") else f"w.{column}"


_CLAIMS = f"""
WITH {{window}}
SELECT {", ".join(_claim(c) for c in CLAIM_COLUMNS)}
FROM window_ w ORDER BY w.dataset COLLATE "C", w.seq
"""


def district_table_in_database(
    store,
    names: Sequence[str],
    boundaries: BoundarySet,
    *,
    city_id: str,
    start: date,
    end: date,
    event_types: Sequence[str] = schema.EVENT_TYPES,
    precisions: Sequence[int] = schema.GEO_PRECISIONS,
) -> pd.DataFrame:
    """:func:`geo.districts.district_table` of the view, counted in SQL (see the module)."""
    names = list(dict.fromkeys(names))
    bset = fingerprint(city_table(boundaries))
    if _stale(store, bset, names):
        if getattr(store, "read_only", False):  # nothing kept to count: the view's records, joined here
            from geo.filters import Filters, filter_records

            joined = join_in_database(store, names, boundaries, keep_placements=False)
            view = Filters(start=start, end=end, event_types=tuple(event_types), precisions=tuple(precisions))
            return district_table(filter_records(joined, view), boundaries, city_id=city_id, start=start, end=end)
        join_in_database(store, names, boundaries)  # keeps the placements this table counts
    params = {
        "bset": bset,
        "names": names,
        "several": len(names) > 1,
        "city": city_id,
        "start": pd.Timestamp(start).to_pydatetime(),
        "end": pd.Timestamp(end).to_pydatetime(),
        "types": list(event_types),
        "precisions": [int(p) for p in precisions],
        "all_precisions": set(precisions) == set(schema.GEO_PRECISIONS),
    }
    with store.connect() as conn:
        found = conn.execute(_COUNTS.format(window=_WINDOW), params).fetchall()
        claims = _claims_frame(conn.execute(_CLAIMS.format(window=_WINDOW), params).fetchall())
        conn.rollback()
    districts = {str(k): int(v) for kind, k, v in found if kind == "district"}
    totals = {kind: int(v) for kind, _, v in found if kind != "district"}
    counts = IncidentCounts(districts, totals["city_level"], totals["national"])
    return district_table(claims, boundaries, city_id=city_id, start=start, end=end, counts=counts)


def _stale(store, bset: str, names: list[str]) -> bool:
    """Whether a dataset's placements on this boundary set are missing, older than the dataset, or of
    another gap tolerance than the district table's (the join's default)."""
    sizes = {info.name: info.rows for info in store.datasets()}
    with store.connect() as conn:
        return (
            _kept(conn, bset, {n: sizes.get(n, -1) for n in names}, written_marks(store), TOLERANCE, fetch=False)
            is None
        )


def _claims_frame(rows: list[tuple]) -> pd.DataFrame:
    columns = CLAIM_COLUMNS
    values = list(zip(*rows)) if rows else [()] * len(columns)
    data: dict[str, object] = {}
    for name, column in zip(columns, values):
        if name in schema.DATE_COLUMNS:
            data[name] = pd.to_datetime(pd.Series(column, dtype=object)).astype("datetime64[ns]")
        elif name in schema.INT_COLUMNS:
            data[name] = pd.array(column, dtype="Int64")
        else:
            data[name] = pd.Series(np.array(column, dtype=object), dtype=object).astype(str)
    return pd.DataFrame(data, columns=columns)
