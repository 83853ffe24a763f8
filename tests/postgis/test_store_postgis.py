"""The PostGIS store's own behaviour (geo.postgis.PostGISStore) on the session's throwaway server.

tests/test_store.py runs the backend-neutral store tests on it as well; here: the
layout other SQL relies on (the generated ``geom``, the indexes), parity with the SQLite
store, read-only use, writes failing halfway, concurrent writers and readers, a newer
layout, and a database where PostGIS is missing and cannot be created.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg
import pytest
from test_store import make_records, snapshot

from geo import schema
from geo.errors import ProtestMapError, StoreError
from geo.postgis import PostGISStore
from geo.postgis import store as pg_module
from geo.postgis.server import database_url
from geo.records import EMBEDDED_FILE, load_records
from geo.settings import EMBEDDED_INCIDENTS
from geo.store import open_store


@pytest.fixture
def store(postgis_url) -> PostGISStore:
    opened = open_store(postgis_url)
    assert isinstance(opened, PostGISStore)
    return opened


def _query(url: str, statement: str, params=None) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(statement, params).fetchall()


def with_extras(n: int = 5) -> pd.DataFrame:
    records = make_records(n, prefix="x", place_name_ru=["Алматы", 'пр. "Абая"', "", "a\nb", "\\N"][:n])
    records["acled_actor1"] = ["Протестующие", 'say "hi"\t\\', "", None, "\x01ctl"][:n]
    records["Район / аудан"] = pd.Series([None, None, "Алмалинский", None, "{}"][:n], dtype=object)
    records["acled_timestamp"] = pd.array([1600000000, None, 3, 4, None][:n], dtype="Int64")
    records["source_row"] = pd.array([2, None, 5, 7, 8][:n], dtype="Int64")
    records["flags"] = [["swapped_coordinates", "future_date"], "", "outside_cities", None, ""][:n]
    return records


# --------------------------------------------------------------------------- parity with SQLite


def test_the_same_writes_read_back_identically_from_both_backends(store, tmp_path):
    embedded = load_records(EMBEDDED_INCIDENTS / EMBEDDED_FILE)
    sqlite = open_store(tmp_path / "store.sqlite")
    for backend in (sqlite, store):
        backend.write("embedded", embedded, kind="embedded", source_format="native", version="sha256:x")
        backend.write("acled", with_extras(), source_format="acled", notes="Заметки")
        backend.write("plain", make_records(3, prefix="p", latitude=[np.nan, 95.0, 43.25]))
        backend.write("empty", embedded.iloc[:0])

    for names in (None, ["embedded"], ["acled"], ["plain", "acled"], ["empty"], ["empty", "embedded"], []):
        pd.testing.assert_frame_equal(store.read(names), sqlite.read(names))
    back = store.read()
    assert list(back.columns) == [
        *schema.COLUMNS,
        "acled_actor1",  # by dataset ("acled" first), then record, then the written order
        "acled_timestamp",
        "Район / аудан",
        "source_file",
        "dataset",
        "flags",
        "source_row",
    ]
    columns = ["record_id", "dataset", "date", "latitude", "detained_low", "flags", "summary"]
    for names in (["embedded", "acled", "plain"], ["empty"], []):
        pd.testing.assert_frame_equal(store.read_columns(names, columns), sqlite.read_columns(names, columns))
    strip = [(i.name, i.kind, i.rows, i.source_file, i.source_format, i.version, i.notes) for i in sqlite.datasets()]
    assert [(i.name, i.kind, i.rows, i.source_file, i.source_format, i.version, i.notes) for i in store.datasets()] == (
        strip
    )


def test_ensure_embedded_puts_the_embedded_dataset_in_once(store):
    info = store.ensure_embedded()
    assert (info.name, info.kind, info.rows) == ("embedded", "embedded", 88)
    assert store.ensure_embedded() == info == store.datasets()[0]


# --------------------------------------------------------------------------- the layout


def test_geom_holds_the_point_for_valid_coordinates_and_null_otherwise(store):
    lat = [43.25, np.nan, 95.0, 43.25, -90.0, 51.1, np.inf]
    lon = [76.9, 76.9, 76.9, np.nan, 180.0, -181.0, 71.4]
    store.write("points", make_records(len(lat), latitude=lat, longitude=lon))
    rows = _query(
        store.url,
        "SELECT seq, latitude, longitude, ST_X(geom), ST_Y(geom), ST_SRID(geom), GeometryType(geom) "
        "FROM protestmap.records WHERE dataset = 'points' ORDER BY seq",
    )
    assert rows == [
        (0, 43.25, 76.9, 76.9, 43.25, 4326, "POINT"),
        (1, None, 76.9, None, None, None, None),  # NaN is NULL in the table
        (2, 95.0, 76.9, None, None, None, None),
        (3, 43.25, None, None, None, None, None),
        (4, -90.0, 180.0, 180.0, -90.0, 4326, "POINT"),
        (5, 51.1, -181.0, None, None, None, None),
        (6, float("inf"), 71.4, None, None, None, None),
    ]
    back = store.read(["points"])
    assert back["latitude"].tolist()[:3] == [43.25, pytest.approx(np.nan, nan_ok=True), 95.0]
    assert back["latitude"].iloc[6] == np.inf


def test_the_layout_other_sql_relies_on(store):
    store.write("acled", with_extras())
    url = store.url
    types = dict(
        _query(
            url,
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'protestmap' AND table_name = 'records' ORDER BY ordinal_position",
        )
    )
    expected = {"dataset": "text", "seq": "integer"}
    for col in schema.COLUMNS:
        expected[col] = (
            "text"
            if col in schema.TEXT_COLUMNS
            else "timestamp without time zone"
            if col in schema.DATE_COLUMNS
            else "double precision"
            if col in schema.FLOAT_COLUMNS
            else "bigint"
        )
    expected |= {"flags": "text", "source_row": "bigint", "extras": "jsonb", "geom": "USER-DEFINED"}
    assert list(types.items()) == list(expected.items())
    assert _query(url, "SELECT Find_SRID('protestmap', 'records', 'geom'), 1")[0] == (4326, 1)
    indexes = " ".join(row[0] for row in _query(url, "SELECT indexdef FROM pg_indexes WHERE schemaname = 'protestmap'"))
    assert "USING gist (geom)" in indexes and "USING btree (date)" in indexes
    assert "UNIQUE INDEX" in indexes and "(dataset, record_id)" in indexes and "(dataset, seq)" in indexes
    assert _query(url, "SELECT key, value FROM protestmap.meta") == [("schema_version", "1")]
    assert _query(url, "SELECT extra_columns FROM protestmap.datasets") == [
        (["acled_actor1", "Район / аудан", "acled_timestamp"],)
    ]
    extras = _query(url, "SELECT extras FROM protestmap.records WHERE dataset = 'acled' ORDER BY seq")
    assert extras == [
        ({"acled_actor1": "Протестующие", "acled_timestamp": "1600000000"},),
        ({"acled_actor1": 'say "hi"\t\\'},),
        ({"acled_actor1": "", "Район / аудан": "Алмалинский", "acled_timestamp": "3"},),
        ({"acled_timestamp": "4"},),
        ({"acled_actor1": "\x01ctl", "Район / аудан": "{}"},),
    ]
    assert _query(url, "SELECT source_row, flags FROM protestmap.records ORDER BY seq")[:2] == [
        (2, "swapped_coordinates; future_date"),
        (None, ""),
    ]
    # what another module's SQL does: a spatial query on the records, through the store's own connection
    with store.connect() as conn:
        assert not conn.autocommit
        assert conn.execute("SHOW search_path").fetchone() == ("protestmap, public",)
        near = conn.execute(
            "SELECT count(*) FROM records WHERE ST_DWithin(geom, ST_SetSRID(ST_MakePoint(76.8, 43.2), 4326), 0.01)"
        ).fetchone()
    assert near == (1,)


def test_opening_twice_at_once_creates_the_tables_once(postgis_url):
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def open_it():
        try:
            barrier.wait()
            open_store(postgis_url).datasets()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _query(postgis_url, "SELECT value FROM protestmap.meta") == [("1",)]


def test_a_database_without_postgis_gets_it_when_the_user_may_create_it(postgis_server):
    admin = database_url(postgis_server, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("CREATE DATABASE plain_db TEMPLATE template0")
    try:
        url = database_url(postgis_server, "plain_db")
        open_store(url).write("a", make_records(2))
        assert _query(url, "SELECT extname FROM pg_extension WHERE extname = 'postgis'") == [("postgis",)]
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("DROP DATABASE plain_db WITH (FORCE)")


def test_a_database_without_postgis_that_the_user_may_not_create_says_what_to_ask(postgis_server):
    admin = database_url(postgis_server, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("CREATE ROLE team_user LOGIN")
        conn.execute("CREATE DATABASE team_db OWNER team_user TEMPLATE template0")
    try:
        url = database_url(postgis_server, "team_db").replace("postgresql://postgres@", "postgresql://team_user@")
        with pytest.raises(ProtestMapError) as err:
            open_store(url)
        message = str(err.value)
        assert "needs the PostGIS extension" in message and "'team_db'" in message
        assert "the database administrator must run `CREATE EXTENSION postgis;` in that database" in message
        assert _query(url, "SELECT count(*) FROM pg_namespace WHERE nspname = 'protestmap'") == [(0,)]
        # once the administrator has run it, the same user sets the store up
        with psycopg.connect(database_url(postgis_server, "team_db"), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION postgis")
        assert open_store(url).write("mine", make_records(2)).rows == 2
        assert len(open_store(url, read_only=True).read(["mine"])) == 2
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("DROP DATABASE team_db WITH (FORCE)")
            conn.execute("DROP ROLE team_user")


def test_a_newer_schema_version_is_refused(store):
    store.write("a", make_records(1))
    _execute(store.url, "UPDATE protestmap.meta SET value = '2' WHERE key = 'schema_version'")
    for read_only in (False, True):
        with pytest.raises(StoreError, match=r"has schema version 2, written by a newer protest-map.*up to version 1"):
            open_store(store.url, read_only=read_only).datasets()
    with pytest.raises(StoreError, match="newer protest-map"):
        store.read()  # an instance opened before is refused too: each call checks


def _execute(url: str, statement: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement)


# --------------------------------------------------------------------------- read-only


def test_read_only_refuses_writes_and_sees_the_datasets(store):
    store.write("team", with_extras())
    reader = open_store(store.url, read_only=True)
    assert isinstance(reader, PostGISStore) and reader.read_only
    assert reader.datasets() == store.datasets()
    pd.testing.assert_frame_equal(reader.read(), store.read())
    for call in (lambda: reader.write("new", make_records(1)), lambda: reader.delete("team")):
        with pytest.raises(ProtestMapError, match=r"this store is open read-only \(PROTESTMAP_MODE=public\)"):
            call()
    with pytest.raises(StoreError, match="read-only transaction"), reader.connect() as conn:
        conn.execute("DELETE FROM protestmap.datasets")
    assert [i.name for i in store.datasets()] == ["team"]


def test_read_only_on_a_database_without_the_store_has_no_datasets_and_creates_nothing(postgis_url, tmp_path):
    reader = open_store(postgis_url, read_only=True)
    assert reader.datasets() == []
    empty = open_store(tmp_path / "none.sqlite", read_only=True)
    pd.testing.assert_frame_equal(reader.read(), empty.read())
    pd.testing.assert_frame_equal(reader.read([]), empty.read([]))
    pd.testing.assert_frame_equal(reader.read_columns([], ["record_id"]), empty.read_columns([], ["record_id"]))
    with pytest.raises(ProtestMapError, match=r"no dataset named 'x'.*no datasets yet"):
        reader.read(["x"])
    with pytest.raises(ProtestMapError, match=r"no dataset named 'x'.*no datasets yet"):
        reader.read_columns(["x"], ["record_id"])
    assert _query(postgis_url, "SELECT count(*) FROM pg_namespace WHERE nspname = 'protestmap'") == [(0,)]


# --------------------------------------------------------------------------- one transaction


def _failing_blocks(after: int):
    """``_csv_blocks`` that stops with an error once ``after`` blocks went into the COPY."""
    real = pg_module._csv_blocks

    def blocks(name, table, keys):
        for n, block in enumerate(real(name, table, keys)):
            if n == after:
                raise RuntimeError(f"network cable pulled out after {after} blocks")
            yield block

    return blocks


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(pg_module, "COPY_ROWS", 100)


def test_a_write_failing_halfway_through_the_copy_leaves_the_database_as_before(store, monkeypatch, small_blocks):
    store.write("kept", with_extras())
    before = snapshot(store)
    monkeypatch.setattr(pg_module, "_csv_blocks", _failing_blocks(after=3))
    with pytest.raises(RuntimeError, match="after 3 blocks"):
        store.write("half", make_records(1000))
    after = snapshot(store)
    assert after[0] == before[0] and after[2:] == before[2:]
    pd.testing.assert_frame_equal(after[1], before[1])
    monkeypatch.undo()
    assert store.write("half", make_records(1000)).rows == 1000  # nothing left locked or half-written
    assert len(store.read(["half"])) == 1000


def test_a_replace_failing_halfway_keeps_the_old_dataset(store, monkeypatch, small_blocks):
    store.write("team", make_records(140, prefix="old"), version="v1")
    before = snapshot(store)
    monkeypatch.setattr(pg_module, "_csv_blocks", _failing_blocks(after=1))
    with pytest.raises(RuntimeError):
        store.write("team", make_records(250, prefix="new"), version="v2", replace=True)
    after = snapshot(store)
    assert after[0] == before[0] and after[2:] == before[2:]
    pd.testing.assert_frame_equal(after[1], before[1])
    assert store.read(["team"])["record_id"].iloc[0] == "old0"


def test_a_server_side_failure_in_the_middle_is_a_clear_message_and_rolls_back(store, monkeypatch, small_blocks):
    """Real SQL failure in the COPY: a block whose row breaks a constraint (a blank record_id)."""
    store.write("kept", make_records(5))
    before = snapshot(store)
    real = pg_module._csv_blocks

    def with_a_bad_row(name, table, keys):
        for n, block in enumerate(real(name, table, keys)):
            yield memoryview(bytes(block).replace(b'"r250"', b'""')) if n == 2 else block

    monkeypatch.setattr(pg_module, "_csv_blocks", with_a_bad_row)
    with pytest.raises(StoreError, match=r"dataset 'broken' was not written: .*records_record_id_check"):
        store.write("broken", make_records(600))
    after = snapshot(store)
    assert after[0] == before[0] and after[2:] == before[2:]
    pd.testing.assert_frame_equal(after[1], before[1])


def test_delete_and_replace_leave_no_table_behind(store):
    tables = snapshot(store)[4]
    store.write("a", make_records(3))
    store.write("a", make_records(4), replace=True)
    store.write("b", make_records(2))
    assert len(snapshot(store)[4]) == len(tables) + 2  # one table (partition of records) per dataset
    store.delete("a")
    store.delete("b")
    assert snapshot(store)[4] == tables
    assert store.datasets() == []


# --------------------------------------------------------------------------- concurrency


def test_two_threads_writing_different_datasets_at_once_both_complete_while_others_read(store):
    store.write("old", make_records(5_000, prefix="o"))
    frames = {"north": make_records(20_000, prefix="n"), "south": make_records(15_000, prefix="s")}
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []
    reads: list[int] = []

    def write(name):
        try:
            barrier.wait()
            store.write(name, frames[name])
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    def replace_old():
        try:
            barrier.wait()
            store.write("old", make_records(6_000, prefix="o2"), replace=True)
        except BaseException as exc:
            errors.append(exc)

    def read_meanwhile():
        try:
            barrier.wait()
            for _ in range(5):
                back = store.read(["old"])
                assert len(back) in (5_000, 6_000)  # the old dataset or the new one, never a mix
                assert back["record_id"].str.startswith("o2" if len(back) == 6_000 else "o").all()
                reads.append(len(back))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=f, args=a) for f, a in [(write, ("north",)), (write, ("south",))]]
    threads += [threading.Thread(target=replace_old), threading.Thread(target=read_meanwhile)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(reads) == 5
    assert [(i.name, i.rows) for i in store.datasets()] == [("north", 20_000), ("old", 6_000), ("south", 15_000)]
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(store.read([name])[schema.COLUMNS], frame)


def test_two_writers_of_one_new_name_one_wins_and_the_other_is_told(store):
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def write(prefix):
        try:
            barrier.wait()
            outcomes.append(store.write("same", make_records(3_000, prefix=prefix)).rows)
        except ProtestMapError as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=write, args=(p,)) for p in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 2 and 3_000 in outcomes
    told = [o for o in outcomes if o != 3_000]
    assert len(told) == 1 and "dataset 'same' is already in the store" in str(told[0])
    assert [(i.name, i.rows) for i in store.datasets()] == [("same", 3_000)]


# --------------------------------------------------------------------------- errors


def test_psycopg_errors_inside_a_call_are_store_errors_with_the_message(store):
    store.write("a", make_records(2))
    _execute(store.url, "DROP TABLE protestmap.records CASCADE")
    with pytest.raises(StoreError, match=r"cannot use the store 'postgresql://.*records.*does not exist"):
        store.read()
    with pytest.raises(StoreError, match=r"cannot use the store .*syntax error"), store.connect() as conn:
        conn.execute("SELEC 1")


def test_text_postgresql_cannot_keep_is_refused_clearly(store):
    with pytest.raises(ProtestMapError, match=r"'nul', column 'summary': 1 value\(s\) hold the NUL character"):
        store.write("nul", make_records(2, summary=["fine", "bad\x00"]))
    with pytest.raises(ProtestMapError, match=r"column 'extra': 1 value\(s\) hold the NUL"):
        store.write("nul", make_records(2).assign(extra=["\x00", None]))
    assert store.datasets() == []


def test_times_finer_than_a_microsecond_are_refused_clearly(store):
    """PostgreSQL's timestamps keep microseconds (kept: tests/test_store.py); a finer time is refused, not rounded."""
    stamps = [pd.Timestamp("2019-06-09 10:15:00.123456789"), None, pd.Timestamp("2022-01-05")]
    with pytest.raises(ProtestMapError, match=r"'times', column 'date': 1 value\(s\) have a time finer than a micro"):
        store.write("times", make_records(3, date=stamps))
    assert store.datasets() == []
    store.write("times", make_records(3, date=pd.Series(stamps).dt.round("us")))
    assert store.read()["date"].iloc[0] == pd.Timestamp("2019-06-09 10:15:00.123457")


def test_the_connection_timeout_is_kept_when_the_url_sets_one(tmp_path: Path):
    quick = PostGISStore(f"postgresql://u:pw@/db?host={tmp_path}&connect_timeout=3", read_only=True)
    assert "connect_timeout" not in quick._connect_options
    default = PostGISStore(f"postgresql://u:pw@/db?host={tmp_path}", read_only=True)
    assert default._connect_options == {"connect_timeout": pg_module.CONNECT_TIMEOUT, "application_name": "protest-map"}
