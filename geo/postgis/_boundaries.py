"""The boundaries inside the database: a :class:`~geo.boundaries.BoundarySet` as tables the join's SQL reads.

One set of boundaries is kept per fingerprint (``bset``: the sha256 of everything
the join reads from it), so app instances with different boundary folders can share
one database.  The tables, all in schema ``protestmap``:

``b_sets``
    One row per loaded set.
``b_cities``
    The join's cities in its order (``city_no``), with the box of everything they
    hold (``bbox``: the join's bounds test) and the UTM zone the join measures in.
``b_periods``
    Per city, the day intervals between its layers' validity limits and the layer in
    force in each (``layer_no``, the join's global layer number; NULL: none).
``b_districts`` / ``b_district_pieces``
    Every layer's districts (``district_row``: the row in the layer), their edges cut
    and projected as the join measures gap distances (``edges_utm``), and the
    districts cut into pieces of at most 64 vertices with a GiST index (the fast
    point-in-polygon path).
``b_outlines`` / ``b_outline_pieces``
    The city outlines, likewise.
"""

from __future__ import annotations

from datetime import date

import shapely

from geo.boundaries import UTM_EPSG, BoundarySet
from geo.join.stages import DENSIFY_DEG, Cities, fingerprint, layer_for

#: Most vertices of a piece of a district or outline (ST_Subdivide).
PIECE_VERTICES = 64

_TABLES = [
    """CREATE TABLE IF NOT EXISTS protestmap.b_sets (
        bset text PRIMARY KEY, loaded_at timestamptz NOT NULL DEFAULT now())""",
    """CREATE TABLE IF NOT EXISTS protestmap.b_cities (
        bset text NOT NULL REFERENCES protestmap.b_sets ON DELETE CASCADE,
        city_no integer NOT NULL, city_id text NOT NULL, bbox geometry(Polygon, 4326),
        epsg integer NOT NULL, newest_layer integer, PRIMARY KEY (bset, city_no))""",
    """CREATE TABLE IF NOT EXISTS protestmap.b_periods (
        bset text NOT NULL REFERENCES protestmap.b_sets ON DELETE CASCADE,
        city_no integer NOT NULL, from_day date, to_day date, layer_no integer)""",
    """CREATE TABLE IF NOT EXISTS protestmap.b_districts (
        bset text NOT NULL REFERENCES protestmap.b_sets ON DELETE CASCADE,
        layer_no integer NOT NULL, district_row integer NOT NULL, district_id text NOT NULL,
        geom geometry NOT NULL, edges_utm geometry, PRIMARY KEY (bset, layer_no, district_row))""",
    """CREATE TABLE IF NOT EXISTS protestmap.b_district_pieces (
        bset text NOT NULL REFERENCES protestmap.b_sets ON DELETE CASCADE,
        layer_no integer NOT NULL, district_row integer NOT NULL, geom geometry NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS b_district_pieces_geom ON protestmap.b_district_pieces USING gist (geom)",
    """CREATE TABLE IF NOT EXISTS protestmap.b_outlines (
        bset text NOT NULL REFERENCES protestmap.b_sets ON DELETE CASCADE,
        city_no integer NOT NULL, geom geometry NOT NULL, PRIMARY KEY (bset, city_no))""",
    """CREATE TABLE IF NOT EXISTS protestmap.b_outline_pieces (
        bset text NOT NULL REFERENCES protestmap.b_sets ON DELETE CASCADE,
        city_no integer NOT NULL, geom geometry NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS b_outline_pieces_geom ON protestmap.b_outline_pieces USING gist (geom)",
]


def utm_epsg(city_id: str, bounds: tuple[float, float, float, float] | None) -> int:
    """The UTM zone the join measures a city's distances in (geo.join._grid._to_utm)."""
    if city_id in UTM_EPSG:
        return UTM_EPSG[city_id]
    x0, y0 = (bounds[0], bounds[1]) if bounds else (0.0, 0.0)
    return (32600 if y0 >= 0 else 32700) + int((x0 + 180.0) // 6) % 60 + 1


def periods(layers) -> list[tuple[date | None, date | None, int | None]]:
    """(from, to, row in ``layers`` or None) over the days, as ``geo.join._locate._layer_in_force`` reads them."""
    limits = sorted({d for layer in layers for d in (layer.valid_from, layer.valid_to) if d is not None})
    starts: list[date | None] = [None, *limits]
    ends: list[date | None] = [*limits, None]
    return [(a, b, layer_for(layers, a or date.min)) for a, b in zip(starts, ends)]


def ensure_boundaries(conn, boundaries: BoundarySet, cities: Cities) -> str:
    """Load ``boundaries`` into the database unless a set with its fingerprint is there; its ``bset``.

    ``conn`` is inside a transaction; the caller commits.
    """
    bset = fingerprint(cities)
    for statement in _TABLES:
        conn.execute(statement)
    conn.execute("SELECT pg_advisory_xact_lock(hashtext('protestmap.b_sets'))")
    if conn.execute("SELECT 1 FROM protestmap.b_sets WHERE bset = %s", (bset,)).fetchone():
        return bset
    conn.execute("INSERT INTO protestmap.b_sets (bset) VALUES (%s)", (bset,))
    for number, c in enumerate(cities.cities):
        bbox = None if c.bounds is None else shapely.to_wkb(shapely.box(*c.bounds))
        newest = c.first_layer + len(c.layers) - 1 if c.layers else None
        conn.execute(
            "INSERT INTO protestmap.b_cities VALUES (%s, %s, %s, ST_SetSRID(ST_GeomFromWKB(%s), 4326), %s, %s)",
            (bset, number, c.city_id, bbox, utm_epsg(c.city_id, c.bounds), newest),
        )
        for start, stop, k in periods(c.layers):
            layer_no = None if k is None else c.first_layer + k
            conn.execute(
                "INSERT INTO protestmap.b_periods VALUES (%s, %s, %s, %s, %s)", (bset, number, start, stop, layer_no)
            )
        if c.outline is not None and not c.outline.is_empty:
            conn.execute(
                "INSERT INTO protestmap.b_outlines VALUES (%s, %s, ST_SetSRID(ST_GeomFromWKB(%s), 4326))",
                (bset, number, shapely.to_wkb(c.outline)),
            )
        epsg = utm_epsg(c.city_id, c.bounds)
        for k, layer in enumerate(c.layers):
            for row, (district_id, geom) in enumerate(zip(layer.districts["district_id"], layer.districts.geometry)):
                if geom is None or geom.is_empty:
                    continue  # the join's grid reads it as an empty polygon: it holds nothing
                conn.execute(
                    "INSERT INTO protestmap.b_districts VALUES (%s, %s, %s, %s, ST_SetSRID(ST_GeomFromWKB(%s), 4326), "
                    "ST_Transform(ST_Segmentize(ST_Boundary(ST_SetSRID(ST_GeomFromWKB(%s), 4326)), %s), %s))",
                    (bset, c.first_layer + k, row, str(district_id), shapely.to_wkb(geom), shapely.to_wkb(geom),
                     DENSIFY_DEG, epsg),
                )  # fmt: skip
    conn.execute(
        "INSERT INTO protestmap.b_district_pieces SELECT bset, layer_no, district_row, ST_Subdivide(geom, %s) "
        "FROM protestmap.b_districts WHERE bset = %s",
        (PIECE_VERTICES, bset),
    )
    conn.execute(
        "INSERT INTO protestmap.b_outline_pieces SELECT bset, city_no, ST_Subdivide(geom, %s) "
        "FROM protestmap.b_outlines WHERE bset = %s",
        (PIECE_VERTICES, bset),
    )
    return bset
