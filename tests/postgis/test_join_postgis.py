"""Parity: the join and the district table in PostGIS give exactly what the embedded path gives.

Every test writes records to a fresh PostGIS database (a throwaway server of this test
session) and compares whole frames with :func:`geo.join.join_incidents` and
:func:`geo.districts.district_table` of the same records read back.
"""

from __future__ import annotations

from datetime import date
from unittest.mock import patch

import numpy as np
import pandas as pd
import pytest
import shapely

from geo.districts import district_table
from geo.filters import Filters, filter_records
from geo.join import join_incidents
from geo.postgis import _join, district_table_in_database, join_in_database
from geo.records import keep_ids_apart, load_embedded_records
from geo.store import open_store
from tests.join.test_join import BOUNDARIES, VORONOI
from tests.test_store import make_records


@pytest.fixture
def store(postgis_url):
    return open_store(postgis_url)


def points(n: int, seed: int, boxes, **columns) -> pd.DataFrame:
    """``n`` full records at random points in ``boxes`` (one picked per record), random cities, precisions, dates."""
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(boxes), n)
    b = np.asarray(boxes, dtype=float)[pick]
    lon = b[:, 0] + rng.random(n) * (b[:, 2] - b[:, 0])
    lat = b[:, 1] + rng.random(n) * (b[:, 3] - b[:, 1])
    swap = rng.random(n) < 0.05  # some exchanged pairs
    lon, lat = np.where(swap, lat, lon), np.where(swap, lon, lat)
    lat[rng.random(n) < 0.03] = np.nan  # partial
    lon[rng.random(n) < 0.02] = 200.0  # out of range
    days = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 4000, n), unit="D")
    dates = pd.Series(days).where(rng.random(n) >= 0.03)  # some without a date
    data = {
        "latitude": lat,
        "longitude": lon,
        "city": rng.choice(["Almaty", "Astana", "Nur-Sultan", "national", "other"], n),
        "geo_precision": pd.array(rng.choice([1, 2, 3, 4], n), dtype="Int64"),
        "date": dates.astype("datetime64[ns]"),
    }
    data.update(columns)
    return make_records(n, prefix=f"s{seed}-", **data)


def assert_same_join(store, names, boundaries, **options):
    """The join in the database equals the embedded one, computed, and again from the kept placements."""
    ours = join_in_database(store, names, boundaries, **options)
    theirs = join_incidents(store.read(names), boundaries, **options)
    pd.testing.assert_frame_equal(ours, theirs)
    with patch.object(_join, "_locate_in_database", side_effect=AssertionError("joined again")):
        pd.testing.assert_frame_equal(join_in_database(store, names, boundaries, **options), theirs)
    return ours


def test_the_embedded_dataset_joins_identically(store, real_boundaries):
    store.ensure_embedded()
    joined = assert_same_join(store, ["embedded"], real_boundaries)
    assert (joined["attribution"] == "district").sum() > 10


def test_random_records_in_both_cities_join_identically_over_the_real_layers(store, real_boundaries):
    boxes = [(76.7, 43.1, 77.2, 43.45), (71.2, 50.95, 71.75, 51.35)]
    store.write("b", points(4000, 1, boxes))
    store.write("a", points(3000, 2, boxes))
    joined = assert_same_join(store, ["b", "a"], real_boundaries)
    codes = set(joined["join_code"])
    # the rules the facts from SQL feed: every one of these cases is among the random records
    assert {"district", "outside", "swapped", "other_city", "placed_by_point", "precision_city"} <= codes
    assert {"no_layer", "no_date", "out_of_range", "partial_coordinates"} <= codes
    assert joined["boundary_layer"].str.startswith("astana").any()


def test_gaps_borders_layers_and_the_tolerance_follow_the_embedded_rules(store):
    lat = 43.5
    rows = [  # (date, city, lat, lon, precision)
        ("2019-06-09", "Almaty", lat, 77.0005, 1),  # gap, nearest within 100 m
        ("2019-06-09", "Almaty", lat, 77.002, 2),  # gap, beyond the tolerance
        ("2019-06-09", "Almaty", lat, 77.002, 3),  # coarse: no gap search
        ("2020-01-01", "Astana", 51.5, 71.25, 1),  # on the border between North and South
        ("2022-11-30", "Astana", 51.25, 71.75, 1),  # old layer
        ("2022-12-01", "Astana", 51.25, 71.75, 1),  # new layer, the month of the change
        (None, "Astana", 51.25, 71.75, 1),  # no date: the newest layer
        ("2019-06-09", "Almaty", 76.5, 43.5, 1),  # exchanged pair
        ("2019-06-09", "Almaty", 51.7, 71.5, 1),  # in the other city
        ("2019-06-09", "national", 43.5, 76.5, 1),  # placed by its point
    ]
    frame = make_records(
        len(rows),
        date=pd.to_datetime([r[0] for r in rows]).astype("datetime64[ns]"),
        city=[r[1] for r in rows],
        latitude=[r[2] for r in rows],
        longitude=[r[3] for r in rows],
        geo_precision=pd.array([r[4] for r in rows], dtype="Int64"),
    )
    store.write("cases", frame)
    joined = assert_same_join(store, ["cases"], BOUNDARIES)
    assert joined["join_code"].tolist() == [
        "nearest_district",
        "gap",
        "precision_city",
        "nearest_district",
        "district",
        "boundary_change",
        "no_date",
        "swapped",
        "other_city",
        "placed_by_point",
    ]
    assert joined["district_id"].tolist()[:7] == ["west", "", "", "north", "south", "south_east", "south_east"]
    wide = assert_same_join(store, ["cases"], BOUNDARIES, gap_tolerance_m=500)
    assert wide["join_code"].tolist()[1] == "nearest_district"


def test_points_on_vertices_and_edges_of_a_messy_tiling_join_identically(store):
    rng = np.random.default_rng(3)
    xy = shapely.get_coordinates(VORONOI.layers[0].districts.geometry.array)
    mid = (xy[:-1] + xy[1:]) / 2
    lon = np.concatenate([rng.uniform(75.8, 77.8, 3000), xy[:400, 0], mid[:400, 0]])
    lat = np.concatenate([rng.uniform(42.9, 44.3, 3000), xy[:400, 1], mid[:400, 1]])
    n = len(lon)
    frame = make_records(n, latitude=lat, longitude=lon, geo_precision=pd.array([1] * n, dtype="Int64"))
    store.write("voronoi", frame)
    for tolerance in (0.0, 100.0):
        joined = assert_same_join(store, ["voronoi"], VORONOI, gap_tolerance_m=tolerance)
        assert (joined["join_code"] == "nearest_district").sum() > 10  # borders, vertices, the hole, the notch


# --------------------------------------------------------------------------- the district table


def python_table(store, names, boundaries, *, city_id, start, end, **filters):
    joined = join_incidents(keep_ids_apart(store.read(names)), boundaries)
    view = filter_records(joined, Filters(start=start, end=end, **filters))
    return district_table(view, boundaries, city_id=city_id, start=start, end=end)


WINDOWS = [
    ("almaty", date(2019, 6, 9), date(2019, 6, 13), {}),
    ("astana", date(2019, 6, 9), date(2019, 6, 13), {}),
    ("almaty", date(2019, 6, 1), date(2022, 12, 31), {"event_types": ("detention", "rally")}),
    ("astana", date(2022, 1, 1), date(2022, 1, 31), {"precisions": (1, 2)}),
]


@pytest.mark.parametrize(("city_id", "start", "end", "filters"), WINDOWS)
def test_the_district_table_counted_in_sql_is_the_embedded_one(store, real_boundaries, city_id, start, end, filters):
    store.ensure_embedded()
    want = python_table(store, ["embedded"], real_boundaries, city_id=city_id, start=start, end=end, **filters)
    got = district_table_in_database(
        store, ["embedded"], real_boundaries, city_id=city_id, start=start, end=end, **filters
    )
    pd.testing.assert_frame_equal(got, want)
    if (city_id, start) == ("almaty", date(2019, 6, 9)):  # the seed report's Almaty: figures, not zeros
        assert got["incidents"].sum() > 0 and got["detained_low"].sum() > 0


def test_datasets_that_repeat_ids_are_kept_apart_as_in_the_app(store, real_boundaries):
    embedded = load_embedded_records()
    store.write("copy", embedded)  # the same ids as the embedded dataset, written before it by name
    store.ensure_embedded()
    names = ["embedded", "copy"]
    for city_id in ("almaty", "astana"):
        kwargs = {"city_id": city_id, "start": date(2019, 6, 9), "end": date(2019, 6, 13)}
        want = python_table(store, names, real_boundaries, **kwargs)
        got = district_table_in_database(store, names, real_boundaries, **kwargs)
        pd.testing.assert_frame_equal(got, want)


def test_a_replaced_dataset_is_counted_afresh(store, real_boundaries):
    boxes = [(76.85, 43.2, 77.0, 43.3)]
    dates = {"date": pd.Series(pd.to_datetime(["2020-03-03"] * 500)).astype("datetime64[ns]")}
    store.write("team", points(500, 5, boxes, **dates))
    kwargs = {"city_id": "almaty", "start": date(2020, 3, 1), "end": date(2020, 3, 31)}
    first = district_table_in_database(store, ["team"], real_boundaries, **kwargs)
    store.write("team", points(200, 6, boxes, **dates), replace=True)
    again = district_table_in_database(store, ["team"], real_boundaries, **kwargs)
    pd.testing.assert_frame_equal(again, python_table(store, ["team"], real_boundaries, **kwargs))
    assert again["incidents"].sum() < first["incidents"].sum()


def test_a_read_only_store_writes_nothing_and_gives_the_same_table(postgis_url, real_boundaries):
    writer = open_store(postgis_url)
    writer.ensure_embedded()
    reader = open_store(postgis_url, read_only=True)
    kwargs = {"city_id": "almaty", "start": date(2019, 6, 9), "end": date(2019, 6, 13)}
    want = python_table(writer, ["embedded"], real_boundaries, **kwargs)
    # nothing loaded by a writer yet: the reader joins the records itself
    pd.testing.assert_frame_equal(district_table_in_database(reader, ["embedded"], real_boundaries, **kwargs), want)
    pd.testing.assert_frame_equal(
        join_in_database(reader, ["embedded"], real_boundaries),
        join_incidents(reader.read(["embedded"]), real_boundaries),
    )
    with writer.connect() as conn:
        assert conn.execute("SELECT to_regclass('protestmap.placement_sets')").fetchone()[0] is None
    # once a writer has counted, the reader counts in SQL too
    district_table_in_database(writer, ["embedded"], real_boundaries, **kwargs)
    pd.testing.assert_frame_equal(district_table_in_database(reader, ["embedded"], real_boundaries, **kwargs), want)


def test_the_window_is_all_the_app_receives(store, real_boundaries, monkeypatch):
    import geo.postgis._districts as districts

    boxes = [(76.85, 43.2, 77.0, 43.3)]
    store.write("many", points(3000, 8, boxes))
    seen = []
    real = districts._claims_frame
    monkeypatch.setattr(districts, "_claims_frame", lambda rows: seen.append(len(rows)) or real(rows))
    kwargs = {"city_id": "almaty", "start": date(2020, 3, 1), "end": date(2020, 3, 7)}
    got = district_table_in_database(store, ["many"], real_boundaries, **kwargs)
    joined = join_incidents(store.read(["many"]), real_boundaries)
    view = filter_records(joined, Filters(start=kwargs["start"], end=kwargs["end"]))
    assert seen == [len(view)] and 0 < len(view) < 30  # a week of six years: not the 3,000 records
    placed = (view["city_id"] == "almaty") & (view["attribution"] == "district")
    assert int(got.loc[got["kind"] == "district", "incidents"].sum()) == int(placed.sum())


def test_an_import_into_postgis_is_placed_in_the_districts_at_once(postgis_url, real_boundaries, tmp_path, capsys):
    from geo.cli import main

    source = tmp_path / "team.csv"
    frame = points(300, 9, [(76.85, 43.2, 77.0, 43.3)])
    frame.to_csv(source, index=False, date_format="%Y-%m-%d")
    assert main(["import", str(source), "--dataset", "team", "--store", postgis_url]) == 0
    store = open_store(postgis_url)
    (team,) = store.datasets()
    assert team.rows > 50  # the rows the import takes (the random file's odd coordinates are rejected)
    assert f"placed in the districts by the database ({team.rows} records)" in capsys.readouterr().err
    # the app's first view reads the kept placements: nothing is placed again
    with patch.object(_join, "_locate_in_database", side_effect=AssertionError("joined again")):
        kept = join_in_database(store, ["team"], real_boundaries)
    pd.testing.assert_frame_equal(kept, join_incidents(store.read(["team"]), real_boundaries))
