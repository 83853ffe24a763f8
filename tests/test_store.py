"""The persistent dataset store (geo.store): round trips, one transaction per write, concurrency.

The backend-neutral tests run on both backends (the ``store`` fixture): an SQLite store
under ``tmp_path`` and a PostGIS store in a new database of the session's throwaway
server (tests/conftest.py); the tests of SQLite files (WAL, migrations, damaged files,
paths, two processes on one file) use ``sqlite_store`` or ``tmp_path``.  None touches the
user's cache.  tests/postgis/test_store_postgis.py has the PostGIS store's own tests.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import _store_frames, schema
from geo import store as store_module
from geo.errors import ProtestMapError
from geo.postgis import PostGISStore
from geo.records import EMBEDDED_FILE, load_embedded_records
from geo.settings import EMBEDDED_INCIDENTS
from geo.store import (
    SCHEMA_VERSION,
    SQLiteStore,
    Store,
    file_version,
    open_store,
)

ROOT = Path(__file__).resolve().parents[1]
READ_COLUMNS = [*schema.COLUMNS, "dataset", "flags"]


# --------------------------------------------------------------------------- helpers


def make_records(n: int, prefix: str = "r", **columns) -> pd.DataFrame:
    """``n`` valid-looking records in the dtypes geo.records produces; ``columns`` override."""
    data = {
        "record_id": [f"{prefix}{i}" for i in range(n)],
        "date": pd.to_datetime(["2019-06-09"] * n).astype("datetime64[ns]"),
        "city": ["Almaty"] * n,
        "event_type": ["detention"] * n,
        "source_urls": [f"https://example.org/{prefix}/{i}" for i in range(n)],
        "latitude": np.linspace(43.2, 43.3, n),
        "longitude": np.linspace(76.8, 77.0, n),
        "detained_low": pd.array([i if i % 3 else None for i in range(n)], dtype="Int64"),
    }
    data.update(columns)
    frame = pd.DataFrame(index=range(n))
    for col in schema.COLUMNS:
        if col in data:
            values = data[col]
        elif col in schema.TEXT_COLUMNS:
            values = [""] * n
        elif col in schema.DATE_COLUMNS:
            values = data["date"]
        elif col in schema.FLOAT_COLUMNS:
            values = [np.nan] * n
        else:
            values = [None] * n
        frame[col] = _typed(col, values)
    return frame


def _typed(col: str, values) -> pd.Series:
    if col in schema.TEXT_COLUMNS:
        return pd.Series(list(values), dtype=str)
    if col in schema.DATE_COLUMNS:
        return pd.Series(pd.to_datetime(pd.Series(list(values), dtype=object)), dtype="datetime64[ns]")
    if col in schema.FLOAT_COLUMNS:
        return pd.Series(list(values), dtype=float)
    return pd.Series(pd.array(list(values), dtype="Int64"))


def snapshot(store: Store) -> tuple:
    """Everything a failed write must leave untouched (PostGIS: also every table of the schema)."""
    if isinstance(store, PostGISStore):
        with store.connect() as conn:
            records = conn.execute("SELECT count(*), count(DISTINCT dataset) FROM protestmap.records").fetchone()
            datasets = conn.execute("SELECT count(*) FROM protestmap.datasets").fetchone()[0]
            tables = conn.execute(
                "SELECT array_agg(tablename::text ORDER BY tablename) FROM pg_tables WHERE schemaname = 'protestmap'"
            ).fetchone()[0]
        return store.datasets(), store.read(), records, datasets, tables
    with closing(sqlite3.connect(store.path)) as conn:
        records = conn.execute("SELECT total(rows), count(*) FROM record_chunks").fetchone()
        datasets = conn.execute("SELECT count(*) FROM datasets").fetchone()[0]
    return store.datasets(), store.read(), records, datasets


def stored_records(store: Store) -> list[tuple[str, int]]:
    """(dataset, records) as the store keeps them, by dataset."""
    if isinstance(store, PostGISStore):
        with store.connect() as conn:
            query = "SELECT dataset, count(*) FROM protestmap.records GROUP BY dataset ORDER BY dataset"
            return [(name, int(n)) for name, n in conn.execute(query).fetchall()]
    with closing(sqlite3.connect(store.path)) as conn:
        query = "SELECT dataset, total(rows) FROM record_chunks GROUP BY dataset ORDER BY dataset"
        return [(name, int(n)) for name, n in conn.execute(query).fetchall()]


def stored_chunks(path: Path, name: str) -> list[pa.Table]:
    """The chunks of dataset ``name`` as they are in the file (Arrow IPC files in record_chunks.data)."""
    with closing(sqlite3.connect(path)) as conn:
        blobs = conn.execute("SELECT data FROM record_chunks WHERE dataset = ? ORDER BY chunk", (name,)).fetchall()
    return [pa.ipc.open_file(pa.BufferReader(blob)).read_all() for (blob,) in blobs]


def stored_extras(where: Path | Store, name: str) -> list[dict[str, str]]:
    """Per record of dataset ``name``, its stored extra values (a missing value is absent, '' is kept).

    ``where``: an SQLite store's file, or a store (PostGIS: the ``extras`` jsonb of ``records``).
    """
    if isinstance(where, PostGISStore):
        with where.connect() as conn:
            query = "SELECT extras FROM protestmap.records WHERE dataset = %s ORDER BY seq"
            return [extras or {} for (extras,) in conn.execute(query, (name,)).fetchall()]
    path = where.path if isinstance(where, SQLiteStore) else where
    out = []
    for table in stored_chunks(path, name):
        keys = json.loads(table.schema.metadata[_store_frames.EXTRAS_KEY])
        columns = [table.column(f"x{k}").to_pylist() for k in range(len(keys))]
        out.extend({k: v for k, v in zip(keys, row) if v is not None} for row in zip(*columns))
    return out


def assert_same_snapshot(before, after) -> None:
    assert after[0] == before[0]
    pd.testing.assert_frame_equal(after[1], before[1])
    assert after[2:] == before[2:]


#: The backends every backend-neutral test runs on.
BACKENDS = ["sqlite", "postgis"]


def open_backend(backend: str, request: pytest.FixtureRequest, folder: Path) -> Store:
    """A new, empty store of ``backend`` (PostGIS: a new database; the server starts on first use only)."""
    if backend == "postgis":
        return open_store(request.getfixturevalue("postgis_url"))
    return open_store(folder / "store.sqlite")


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path) -> Store:
    """An empty store of each backend."""
    return open_backend(request.param, request, tmp_path)


@pytest.fixture
def sqlite_store(tmp_path) -> SQLiteStore:
    """An empty SQLite store (for the tests of SQLite files)."""
    store = open_store(tmp_path / "store.sqlite")
    assert isinstance(store, SQLiteStore)
    return store


@pytest.fixture(scope="module")
def embedded() -> pd.DataFrame:
    return load_embedded_records()


# --------------------------------------------------------------------------- round trips


def test_embedded_dataset_round_trips_identically(store, embedded):
    # the data really has what must survive: blanks, NA integers, NaN coordinates, Cyrillic
    assert (embedded["time_local"] == "").any()
    assert embedded["detained_low"].isna().any() and embedded["detained_low"].notna().any()
    assert embedded["latitude"].isna().any() and embedded["latitude"].notna().any()
    assert embedded["place_name_ru"].str.contains("[А-Яа-я]", regex=True).any()

    info = store.write("june-2019", embedded, source_file="incidents.csv", source_format="native")
    back = store.read(["june-2019"])

    pd.testing.assert_frame_equal(back[schema.COLUMNS], embedded[schema.COLUMNS])
    # the loader's extra columns come back too: source_file as an extra, source_row as Int64
    assert list(back.columns) == [*schema.COLUMNS, "source_file", "dataset", "flags", "source_row"]
    assert back["source_file"].tolist() == embedded["source_file"].tolist()
    assert back["source_row"].tolist() == embedded["source_row"].tolist()
    assert back["source_row"].dtype == "Int64"
    assert back["dataset"].tolist() == ["june-2019"] * len(embedded)
    assert back["flags"].tolist() == [""] * len(embedded)
    assert back["dataset"].dtype == embedded["record_id"].dtype == back["flags"].dtype
    assert isinstance(back.index, pd.RangeIndex)
    assert info.rows == len(embedded) == 88


def test_flags_round_trip_from_text_or_lists(store):
    records = make_records(3)
    records["flags"] = [["swapped_coordinates", "future_date"], "outside_cities", None]
    store.write("flagged", records)
    assert store.read()["flags"].tolist() == ["swapped_coordinates; future_date", "outside_cities", ""]


def test_empty_dataset_round_trips_with_the_schema_dtypes(store, embedded):
    store.write("empty", embedded.iloc[:0])
    back = store.read(["empty"])
    assert len(back) == 0 and list(back.columns) == READ_COLUMNS
    assert back[schema.COLUMNS].dtypes.to_dict() == embedded[schema.COLUMNS].dtypes.to_dict()
    assert store.datasets()[0].rows == 0


def test_dates_with_a_time_of_day_keep_it(store):
    # SQLite keeps nanoseconds; PostgreSQL's timestamps keep microseconds, and refuse finer times
    finest = "2019-06-09 10:15:00.123456" + ("789" if isinstance(store, SQLiteStore) else "")
    stamps = [pd.Timestamp(finest), None, pd.Timestamp("2022-01-05")]
    store.write("times", make_records(3, date=stamps))
    assert store.read()["date"].tolist()[0] == pd.Timestamp(finest)
    assert pd.isna(store.read()["date"].iloc[1])
    assert store.read()["date"].iloc[2] == pd.Timestamp("2022-01-05")


# --------------------------------------------------------------------------- extra columns


def test_extra_columns_round_trip_as_text(store):
    records = make_records(4)
    records["acled_event_id_cnty"] = ["KAZ1", "KAZ2", "KAZ3", "KAZ4"]
    records["acled_actor1"] = ["Протестующие (Казахстан)", 'say "hi"', "", None]
    records["Район / аудан"] = pd.Series(["Алмалинский", None, "it's", "\\N"], dtype=object)
    records["acled_timestamp"] = pd.array([1600000000, None, 3, 4], dtype="Int64")
    records["source_file"] = "экспорт.csv"
    records["source_row"] = [2, 3, 5, 7]
    records["flags"] = ["", "outside_cities", "", ""]
    store.write("acled", records)

    back = store.read(["acled"])
    assert list(back.columns) == [
        *schema.COLUMNS,
        "acled_event_id_cnty",
        "acled_actor1",
        "Район / аудан",
        "acled_timestamp",
        "source_file",
        "dataset",
        "flags",
        "source_row",
    ]
    pd.testing.assert_frame_equal(back[schema.COLUMNS], records[schema.COLUMNS])
    assert back["acled_event_id_cnty"].tolist() == ["KAZ1", "KAZ2", "KAZ3", "KAZ4"]
    assert back["acled_actor1"].tolist() == ["Протестующие (Казахстан)", 'say "hi"', "", ""]
    assert back["Район / аудан"].tolist() == ["Алмалинский", "", "it's", "\\N"]
    assert back["acled_timestamp"].tolist() == ["1600000000", "", "3", "4"]  # kept as text
    assert back["source_file"].tolist() == ["экспорт.csv"] * 4
    assert back["source_row"].tolist() == [2, 3, 5, 7] and back["source_row"].dtype == "Int64"
    assert back["flags"].tolist() == ["", "outside_cities", "", ""]
    assert back["acled_actor1"].dtype == back["record_id"].dtype

    stored = stored_extras(store, "acled")
    assert stored[1] == {"acled_event_id_cnty": "KAZ2", "acled_actor1": 'say "hi"', "source_file": "экспорт.csv"}
    assert "acled_actor1" not in stored[3]  # missing values are left out, '' is kept
    assert stored[2]["acled_actor1"] == ""


def test_extras_of_several_datasets_are_blank_where_a_dataset_lacks_them(store):
    store.write("plain", make_records(2, prefix="p"))
    store.write("acled", make_records(2, prefix="a").assign(acled_actor1=["A", None], source_row=[2, None]))
    store.write("team", make_records(1, prefix="t").assign(kept_by=["Айгерим"]))
    back = store.read()
    assert list(back.columns) == [*schema.COLUMNS, "acled_actor1", "kept_by", "dataset", "flags", "source_row"]
    assert back["dataset"].tolist() == ["acled", "acled", "plain", "plain", "team"]
    assert back["acled_actor1"].tolist() == ["A", "", "", "", ""]
    assert back["kept_by"].tolist() == ["", "", "", "", "Айгерим"]
    assert back["source_row"].tolist() == [2, pd.NA, pd.NA, pd.NA, pd.NA]
    # without extras or source rows, read gives just the schema, dataset and flags
    assert list(store.read(["plain"]).columns) == READ_COLUMNS


def test_a_read_frame_written_again_round_trips(store):
    records = make_records(3).assign(acled_tags=["arrests=3", "", "crowd size=50"], source_row=[4, 5, 6])
    store.write("first", records)
    once = store.read(["first"])
    store.write("second", once)  # its dataset column is read's own, not an extra
    twice = store.read(["second"])
    pd.testing.assert_frame_equal(twice.drop(columns="dataset"), once.drop(columns="dataset"))
    assert twice["dataset"].tolist() == ["second"] * 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.assign(source_row=["2", "row three", "4"]), "column 'source_row'"),
        (
            lambda f: f.rename(columns={"notes": 7}).assign(**{"7": ["a", "b", "c"], "notes": ""}),
            "several columns named '7'",
        ),
    ],
)
def test_extras_that_cannot_be_kept_are_refused(store, change, message):
    store.write("kept", make_records(2))
    before = snapshot(store)
    with pytest.raises(ProtestMapError, match=message):
        store.write("bad", change(make_records(3)))
    assert_same_snapshot(before, snapshot(store))


# --------------------------------------------------------------------------- datasets, read, write, delete


def test_datasets_lists_name_kind_rows_version(store, embedded):
    assert store.datasets() == []
    store.write(
        "b-team",
        make_records(5),
        source_file="team.csv",
        source_format="mapped",
        version="sha256:abc",
        notes="kept by the team",
    )
    store.write("acled", make_records(2), source_format="acled")

    infos = store.datasets()
    assert [(i.name, i.kind, i.rows, i.version) for i in infos] == [
        ("acled", "import", 2, ""),
        ("b-team", "import", 5, "sha256:abc"),
    ]
    team = infos[1]
    assert (team.source_file, team.source_format, team.notes) == ("team.csv", "mapped", "kept by the team")
    created = dt.datetime.fromisoformat(team.created_at)
    assert created.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.UTC) - created) < dt.timedelta(minutes=5)


def test_read_several_datasets_in_a_stable_order(store):
    # the same record_id may appear in two datasets
    store.write("zeta", make_records(3, prefix="r", city=["Astana", "Almaty", "national"]))
    store.write("alpha", make_records(2, prefix="r"))
    store.write("mid", make_records(4, prefix="m"))

    both = store.read(["zeta", "alpha"])
    assert list(zip(both["dataset"], both["record_id"])) == [
        ("alpha", "r0"),
        ("alpha", "r1"),
        ("zeta", "r0"),
        ("zeta", "r1"),
        ("zeta", "r2"),
    ]
    assert both.loc[both["dataset"] == "zeta", "city"].tolist() == ["Astana", "Almaty", "national"]
    pd.testing.assert_frame_equal(store.read(["alpha", "zeta", "alpha"]), both)
    everything = store.read()
    assert everything["dataset"].tolist() == ["alpha"] * 2 + ["mid"] * 4 + ["zeta"] * 3
    assert store.read([]).empty


def test_unknown_dataset_names_it_and_the_known_ones(store):
    store.write("acled", make_records(1))
    store.write("team", make_records(1))
    with pytest.raises(ProtestMapError) as err:
        store.read(["team", "nope"])
    message = str(err.value)
    assert "'nope'" in message and "'acled', 'team'" in message
    with pytest.raises(ProtestMapError, match=r"no dataset named 'gone'.*'acled', 'team'"):
        store.delete("gone")


def test_unknown_dataset_in_an_empty_store(store):
    with pytest.raises(ProtestMapError, match=r"no dataset named 'x'.*no datasets yet"):
        store.read(["x"])


def test_duplicate_name_is_refused_and_changes_nothing(store):
    store.write("team", make_records(3))
    before = snapshot(store)
    with pytest.raises(ProtestMapError, match=r"'team' is already in the store.*replace"):
        store.write("team", make_records(7))
    assert_same_snapshot(before, snapshot(store))


def test_replace_swaps_the_whole_dataset(store):
    store.write("team", make_records(3, prefix="old"), version="v1")
    store.write("other", make_records(2))
    info = store.write("team", make_records(5, prefix="new"), version="v2", replace=True)

    assert info.rows == 5 and info.version == "v2"
    back = store.read(["team"])
    assert back["record_id"].tolist() == [f"new{i}" for i in range(5)]
    assert [(i.name, i.rows, i.version) for i in store.datasets()] == [("other", 2, ""), ("team", 5, "v2")]
    assert len(store.read(["other"])) == 2


def test_delete_removes_the_dataset_and_its_records_only(store):
    store.write("a", make_records(3))
    store.write("b", make_records(4))
    store.delete("a")
    assert [i.name for i in store.datasets()] == ["b"]
    assert store.read()["dataset"].unique().tolist() == ["b"]
    assert stored_records(store) == [("b", 4)]
    store.write("a", make_records(1))  # the name is free again
    assert [i.name for i in store.datasets()] == ["a", "b"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns=["city", "injured"]), "lack column.*city, injured"),
        (lambda f: f.assign(record_id=["a", "", "c"]), "record_id is blank in 1 record"),
        (lambda f: f.assign(record_id=["a", "b", "a"]), "record_id repeats within the dataset: 'a'"),
        (lambda f: f.assign(detained_low=["1", "many", ""]), "column 'detained_low'"),
        (lambda f: f.assign(latitude=["43.2", "north", ""]), "column 'latitude'"),
    ],
)
def test_records_that_do_not_fit_are_refused_before_anything_is_written(store, change, message):
    store.write("kept", make_records(2))
    before = snapshot(store)
    with pytest.raises(ProtestMapError, match=message):
        store.write("bad", change(make_records(3)))
    assert_same_snapshot(before, snapshot(store))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "non-blank"),
        ("   ", "non-blank"),
        (" padded", "without leading or trailing spaces"),
        ("two\nlines", "printable"),
        ("tab\there", "printable"),
        ("zero\u200bwidth", "printable"),
        ("a,b", "',' cannot be in a name"),
        ("q&a", "'&' cannot be in a name"),
        ("x" * 101, "101 characters; at most 100"),
        (42, "non-blank text"),
    ],
)
def test_bad_dataset_names_are_refused(store, name, message):
    with pytest.raises(ProtestMapError, match=f"dataset name .*{message}"):
        store.write(name, make_records(1))
    assert store.datasets() == []


@pytest.mark.parametrize("name", ["acled-2022", "команда 2019", "Team (June) v2.1", "x" * 100])
def test_good_dataset_names_are_kept_and_can_be_selected_in_a_link(store, name):
    from geo.filters import Filters

    store.write(name, make_records(1))
    link = Filters.from_query({"data": f"embedded,{name}"}).to_query()["data"]
    assert Filters.from_query({"data": link}).datasets == ("embedded", name)
    assert [d.name for d in store.datasets()] == [name]


def test_the_embedded_name_is_kept_for_the_embedded_dataset(store):
    with pytest.raises(ProtestMapError, match="kept for the embedded dataset"):
        store.write("embedded", make_records(1))
    with pytest.raises(ProtestMapError, match="kept for the embedded dataset"):
        store.write("mine", make_records(1), kind="embedded")
    with pytest.raises(ProtestMapError, match="kind 'other'"):
        store.write("mine", make_records(1), kind="other")


# --------------------------------------------------------------------------- one transaction


def _failing_rows(after: int):
    """``_rows`` that stops with an error after ``after`` chunks have been inserted."""
    real = store_module._rows

    def rows(name, chunks):
        for n, row in enumerate(real(name, chunks)):
            if n == after:
                raise RuntimeError(f"disk pulled out after {after} chunks")
            yield row

    return rows


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 100 records, so that a write of a few hundred records inserts several."""
    monkeypatch.setattr(_store_frames, "CHUNK_ROWS", 100)


def test_a_write_failing_halfway_leaves_the_store_exactly_as_before(sqlite_store, monkeypatch, small_chunks):
    store = sqlite_store
    store.write("kept", make_records(250, prefix="k"))
    before = snapshot(store)
    assert before[2] == (250, 3)
    real_rows = store_module._rows
    monkeypatch.setattr(store_module, "_rows", _failing_rows(after=6))

    with pytest.raises(RuntimeError, match="after 6 chunks"):
        store.write("half", make_records(1000))

    assert_same_snapshot(before, snapshot(store))
    monkeypatch.setattr(store_module, "_rows", real_rows)
    assert store.write("half", make_records(1000)).rows == 1000  # nothing left locked or half-written
    assert len(store.read(["half"])) == 1000


def test_a_replace_failing_halfway_keeps_the_old_dataset(sqlite_store, monkeypatch, small_chunks):
    store = sqlite_store
    store.write("team", make_records(140, prefix="old"), version="v1")
    before = snapshot(store)
    monkeypatch.setattr(store_module, "_rows", _failing_rows(after=1))
    with pytest.raises(RuntimeError):
        store.write("team", make_records(250, prefix="new"), version="v2", replace=True)
    assert_same_snapshot(before, snapshot(store))
    assert store.read(["team"])["record_id"].iloc[0] == "old0"


def test_a_constraint_violation_in_the_middle_rolls_everything_back(sqlite_store, monkeypatch, small_chunks):
    store = sqlite_store
    """A real SQL failure halfway (a chunk breaking the CHECK on its record count), not a Python one."""
    store.write("kept", make_records(5))
    before = snapshot(store)
    real = store_module._rows

    def rows_with_a_bad_one(name, chunks):
        for n, row in enumerate(real(name, chunks)):
            yield row[:2] + (0,) + row[3:] if n == 3 else row

    monkeypatch.setattr(store_module, "_rows", rows_with_a_bad_one)
    with pytest.raises(ProtestMapError, match=r"'broken' was not written.*CHECK"):
        store.write("broken", make_records(600))
    assert_same_snapshot(before, snapshot(store))
    with closing(sqlite3.connect(store.path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


# --------------------------------------------------------------------------- concurrency


def test_two_threads_writing_at_once_both_complete(store):
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    frames = {"north": make_records(20_000, prefix="n"), "south": make_records(15_000, prefix="s")}

    def write(name):
        try:
            barrier.wait()
            store.write(name, frames[name])
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(name,)) for name in frames]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert [(i.name, i.rows) for i in store.datasets()] == [("north", 20_000), ("south", 15_000)]
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(store.read([name])[schema.COLUMNS], frame)


_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    sys.path.insert(0, sys.argv[4])
    from tests.test_store import make_records
    from geo.store import open_store
    store = open_store(sys.argv[1])
    frame = make_records(int(sys.argv[3]), prefix=sys.argv[2])
    go = Path(sys.argv[1] + ".go")
    while not go.exists():
        time.sleep(0.01)
    store.write(sys.argv[2], frame)
    """
)


def test_two_processes_writing_at_once_both_complete(tmp_path):
    path = tmp_path / "shared" / "store.sqlite"
    open_store(path)
    sizes = {"proc-a": 20_000, "proc-b": 15_000}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(path), name, str(n), str(ROOT)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, n in sizes.items()
    ]
    time.sleep(0.5)
    Path(str(path) + ".go").touch()
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err

    store = open_store(path)
    assert [(i.name, i.rows) for i in store.datasets()] == list(sizes.items())
    for name, n in sizes.items():
        pd.testing.assert_frame_equal(store.read([name])[schema.COLUMNS], make_records(n, prefix=name))
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_writer_waits_for_another_ones_lock(sqlite_store):
    """Another connection holds the write lock for a while: the write waits instead of failing."""
    store = sqlite_store
    store.write("first", make_records(1))
    locked, release = threading.Event(), threading.Event()
    committed: list[float] = []

    def hold_lock():
        with closing(sqlite3.connect(store.path, isolation_level=None)) as conn:
            conn.execute("BEGIN IMMEDIATE")
            locked.set()
            release.wait(10)
            time.sleep(0.5)  # the write below starts meanwhile and must wait
            committed.append(time.monotonic())
            conn.execute("COMMIT")

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(10)
        assert [i.name for i in store.datasets()] == ["first"]  # readers are not blocked
        release.set()
        info = store.write("second", make_records(10))
        finished = time.monotonic()
    finally:
        release.set()
        holder.join()
    assert info.rows == 10 and committed and finished > committed[0]  # it waited, then wrote
    assert [i.name for i in store.datasets()] == ["first", "second"]


# --------------------------------------------------------------------------- the embedded dataset


@pytest.fixture
def embedded_copy(tmp_path) -> Path:
    folder = tmp_path / "incidents"
    folder.mkdir()
    return Path(shutil.copy(EMBEDDED_INCIDENTS / EMBEDDED_FILE, folder / EMBEDDED_FILE))


def test_ensure_embedded_loads_it_once(store, embedded, embedded_copy, monkeypatch):
    info = store.ensure_embedded(embedded_copy)
    assert (info.name, info.kind, info.rows, info.source_format) == ("embedded", "embedded", 88, "native")
    assert info.version == file_version(embedded_copy) and info.version.startswith("sha256:")
    pd.testing.assert_frame_equal(store.read(["embedded"])[schema.COLUMNS], embedded[schema.COLUMNS])

    def no_write(*args, **kwargs):
        raise AssertionError("ensure_embedded rewrote an unchanged dataset")

    monkeypatch.setattr(type(store), "write", no_write)
    assert store.ensure_embedded(embedded_copy) == info
    assert store.datasets() == [info]


def test_ensure_embedded_reloads_when_the_file_changes(store, embedded_copy):
    first = store.ensure_embedded(embedded_copy)
    store.write("mine", make_records(2))
    lines = embedded_copy.read_text(encoding="utf-8").splitlines(keepends=True)
    embedded_copy.write_text("".join(lines[:-1]), encoding="utf-8")

    second = store.ensure_embedded(embedded_copy)
    assert second.rows == first.rows - 1 == 87
    assert second.version != first.version and second.version == file_version(embedded_copy)
    assert [(i.name, i.rows) for i in store.datasets()] == [("embedded", 87), ("mine", 2)]
    assert len(store.read(["embedded"])) == 87


def test_ensure_embedded_defaults_to_the_settings_incidents_dir(store, embedded_copy, monkeypatch):
    import geo._store_base as store_base  # where Store.ensure_embedded reads the settings

    real = store_base.get_settings()
    monkeypatch.setattr(
        store_base, "get_settings", lambda: type(real)(**{**real.__dict__, "incidents_dir": embedded_copy.parent})
    )
    assert store.ensure_embedded().source_file == str(embedded_copy)


def test_ensure_embedded_names_a_missing_file(store, tmp_path):
    with pytest.raises(ProtestMapError, match="embedded dataset file not found"):
        store.ensure_embedded(tmp_path / "nowhere.csv")


# --------------------------------------------------------------------------- opening


def test_the_store_survives_closing_and_reopening(tmp_path, embedded):
    path = tmp_path / "deep" / "er" / "store.sqlite"
    first = open_store(path)
    assert path.is_file()  # created with its parent folders
    first.write("june", embedded)
    expected = (first.datasets(), first.read())
    del first

    for location in (path, str(path), f"sqlite:///{path}"):
        again = open_store(location)
        assert isinstance(again, Store)
        assert again.datasets() == expected[0]
        pd.testing.assert_frame_equal(again.read(), expected[1])


def test_the_store_uses_wal_and_records_its_schema_version(sqlite_store):
    store = sqlite_store
    with closing(sqlite3.connect(store.path)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        key = [row[1] for row in conn.execute("PRAGMA table_info(record_chunks)") if row[5]]
    assert key == ["dataset", "chunk"]  # chunks are found and ordered by their primary key


def test_open_store_defaults_to_the_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("PROTESTMAP_STORE", str(tmp_path / "from-env" / "s.sqlite"))
    assert open_store().path == (tmp_path / "from-env" / "s.sqlite").resolve()
    monkeypatch.delenv("PROTESTMAP_STORE")
    monkeypatch.setenv("PROTESTMAP_CACHE", str(tmp_path / "cache"))
    assert open_store().path == (tmp_path / "cache" / "store.sqlite").resolve()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://team:s3cret@127.0.0.1:1/protests",
        "postgres://team:s3cret@127.0.0.1:1/protests",
        "postgresql+psycopg://team:s3cret@127.0.0.1:1/protests",
        "postgresql://team@127.0.0.1:1/protests?password=s3cret&sslmode=disable",
    ],
)
def test_a_postgresql_server_that_is_not_running_is_a_clear_message_without_the_password(url):
    for read_only in (False, True):
        with pytest.raises(ProtestMapError) as err:
            open_store(url, read_only=read_only).datasets()
        message = str(err.value)
        assert "s3cret" not in message
        assert message.startswith("cannot connect to the store 'postgres")
        assert "team:***@127.0.0.1:1/protests" in message or "password=***" in message
        assert "Connection refused" in message and "Check that the PostgreSQL server is running" in message
        assert "\n" not in message


def test_a_postgresql_socket_folder_without_a_server_is_a_clear_message(tmp_path):
    url = f"postgresql://postgres:pw-s3cret@/protestmap?host={tmp_path}"
    with pytest.raises(ProtestMapError, match=r"cannot connect to the store .*No such file.*Check that") as err:
        open_store(url)
    assert "pw-s3cret" not in str(err.value) and "postgres:***@" in str(err.value)


def test_postgresql_urls_open_the_postgis_store(postgis_url):
    store = open_store(postgis_url)
    assert isinstance(store, PostGISStore) and isinstance(store, Store)
    assert store.url == postgis_url and repr(store) == f"PostGISStore({postgis_url!r})"
    rest = postgis_url.removeprefix("postgresql://")
    for scheme in ("postgres", "postgresql+psycopg", "POSTGRESQL", "postgis"):
        again = open_store(f"{scheme}://{rest}", read_only=True)
        assert isinstance(again, PostGISStore) and again.read_only and again.url == postgis_url
        assert again.datasets() == []


def test_a_postgis_store_repr_hides_the_password():
    store = open_store("postgresql://team:s3cret@127.0.0.1:1/protests", read_only=True)  # nothing connects yet
    assert repr(store) == "PostGISStore('postgresql://team:***@127.0.0.1:1/protests', read_only=True)"
    assert store.url == "postgresql://team:s3cret@127.0.0.1:1/protests"  # for code that runs its own SQL


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("mysql://db/x", "unknown scheme 'mysql'"),
        ("sqlite://", "names no file"),
    ],
)
def test_other_locations_are_refused_clearly(location, message):
    with pytest.raises(ProtestMapError, match=message):
        open_store(location)


def test_a_newer_schema_version_is_refused(tmp_path):
    path = tmp_path / "store.sqlite"
    open_store(path).write("a", make_records(1))
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(ProtestMapError, match=f"schema version {SCHEMA_VERSION + 1}.*newer protest-map"):
        open_store(path)


#: The schema columns of a version 1 or 2 store.
OLD_COLUMNS = [c for c in schema.COLUMNS if c not in store_module.ADDED_COLUMNS]


def _version_1_store(path: Path, frames: dict[str, pd.DataFrame]) -> None:
    """A store as protest-map wrote it at schema version 1 (no extras, no source_row)."""
    types = {
        **dict.fromkeys(schema.TEXT_COLUMNS, "TEXT NOT NULL DEFAULT ''"),
        **dict.fromkeys(schema.DATE_COLUMNS, "TEXT"),
        **dict.fromkeys(schema.FLOAT_COLUMNS, "REAL"),
        **dict.fromkeys(schema.INT_COLUMNS, "INTEGER"),
    }
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("BEGIN")
        conn.execute(
            "CREATE TABLE datasets (name TEXT PRIMARY KEY CHECK (name <> ''), kind TEXT NOT NULL "
            "CHECK (kind IN ('embedded', 'import')), rows INTEGER NOT NULL, created_at TEXT NOT NULL, "
            "source_file TEXT NOT NULL DEFAULT '', source_format TEXT NOT NULL DEFAULT '', "
            "version TEXT NOT NULL DEFAULT '', notes TEXT NOT NULL DEFAULT '')"
        )
        conn.execute(
            "CREATE TABLE records (dataset TEXT NOT NULL REFERENCES datasets (name) ON DELETE CASCADE, "
            "seq INTEGER NOT NULL, "
            + "".join(f'"{c}" {types[c]}, ' for c in OLD_COLUMNS)
            + "flags TEXT NOT NULL DEFAULT '', CHECK (record_id <> ''), UNIQUE (dataset, record_id))"
        )
        conn.execute("CREATE UNIQUE INDEX records_dataset_seq ON records (dataset, seq)")
        for name, frame in frames.items():
            conn.execute(
                "INSERT INTO datasets VALUES (?, 'import', ?, '2024-01-01T00:00:00+00:00', "
                "'old.csv', 'native', '', '')",
                (name, len(frame)),
            )
            for seq, row in enumerate(frame[OLD_COLUMNS].astype(object).itertuples(index=False)):
                values = [
                    None
                    if pd.isna(v)
                    else v.strftime("%Y-%m-%d")
                    if isinstance(v, pd.Timestamp)
                    else int(v)
                    if isinstance(v, (int, np.integer))
                    else v
                    for v in row
                ]
                conn.execute(
                    f"INSERT INTO records VALUES ({', '.join('?' * (len(values) + 3))})",
                    (name, seq, *values, "outside_cities" if seq == 1 else ""),
                )
        conn.execute("PRAGMA user_version = 1")
        conn.execute("COMMIT")


def test_a_version_1_store_is_migrated_in_place(tmp_path):
    path = tmp_path / "old.sqlite"
    old = {
        "team": make_records(3, prefix="t", place_name_ru=["Алматы", 'пр. "Абая"', ""]),
        "acled": make_records(2, prefix="a"),
    }
    _version_1_store(path, old)

    store = open_store(path)
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,) == (4,)
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert tables == ["datasets", "record_chunks"]  # the rows became column chunks
    assert [(i.name, i.rows, i.source_file) for i in store.datasets()] == [
        ("acled", 2, "old.csv"),
        ("team", 3, "old.csv"),
    ]
    back = store.read(["team"])
    assert list(back.columns) == READ_COLUMNS  # no extras, no source rows
    pd.testing.assert_frame_equal(back[schema.COLUMNS], old["team"])
    assert back["flags"].tolist() == ["", "outside_cities", ""]

    # the migrated store takes extras like a new one, and opening it again changes nothing
    store.write("new", make_records(1, prefix="n").assign(acled_actor1=["Актёры"], source_row=[9]))
    again = open_store(path)
    assert again.read(["new"])["acled_actor1"].tolist() == ["Актёры"]
    pd.testing.assert_frame_equal(again.read(["acled"])[schema.COLUMNS], old["acled"])


def test_a_version_2_store_gains_the_new_columns_and_moves_them_out_of_its_extras(tmp_path):
    path = tmp_path / "v2.sqlite"
    old = make_records(3, prefix="t")
    _version_1_store(path, {"team": old})
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:  # as protest-map wrote version 2
        conn.execute("ALTER TABLE records ADD COLUMN extras TEXT")
        conn.execute("ALTER TABLE records ADD COLUMN source_row INTEGER")
        conn.execute("""UPDATE records SET extras = '{"detained_text":"dozens","actor":"Актёр"}' WHERE seq = 0""")
        conn.execute("""UPDATE records SET extras = '{"inferred":"period_start"}' WHERE seq = 1""")
        conn.execute("PRAGMA user_version = 2")

    back = open_store(path).read(["team"])
    assert back["detained_text"].tolist() == ["dozens", "", ""]
    assert back["inferred"].tolist() == ["", "period_start", ""]
    assert back["actor"].tolist() == ["Актёр", "", ""]  # the other extras stay where they were
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    assert stored_extras(path, "team") == [{"actor": "Актёр"}, {}, {}]
    pd.testing.assert_frame_equal(
        back[[c for c in schema.COLUMNS if c not in ("detained_text", "inferred")]],
        old[[c for c in schema.COLUMNS if c not in ("detained_text", "inferred")]],
    )


def test_a_failed_migration_leaves_the_version_1_store_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "old.sqlite"
    _version_1_store(path, {"team": make_records(2)})
    monkeypatch.setitem(
        store_module._MIGRATIONS, 2, [*store_module._MIGRATIONS[2], "ALTER TABLE records ADD COLUMN broken BROKEN("]
    )
    with pytest.raises(ProtestMapError, match=f"cannot use the store '{path}': incomplete input"):
        open_store(path)
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (1,)
        assert "extras" not in [row[1] for row in conn.execute("PRAGMA table_info(records)")]
    monkeypatch.undo()
    assert len(open_store(path).read(["team"])) == 2


def test_files_that_are_not_stores_are_refused(tmp_path):
    other = tmp_path / "other.sqlite"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE mine (x)")
    with pytest.raises(ProtestMapError, match=r"not a protest-map store.*tables mine"):
        open_store(other)
    text = tmp_path / "notes.txt"
    text.write_text("not a database at all " * 100)
    with pytest.raises(ProtestMapError, match="not a protest-map store"):
        open_store(text)
    with pytest.raises(ProtestMapError, match="is a folder"):
        open_store(tmp_path)


# --------------------------------------------------------------------------- property


_hostile_text = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=30),
    st.sampled_from(
        [
            "",
            " ",
            '"',
            "'",
            "''; DROP TABLE records; --",
            "a\nb\r\nc",
            "Алматы, пр. Абая",
            "Қазақстан",
            "🚓🚨",
            "\x00nul",
            "\\N",
            "NULL",
            "nan",
            "<NA>",
            "  padded  ",
        ]
    ),
)
_names = _hostile_text.filter(
    lambda s: s.strip() == s and s != "" and s.isprintable() and not any(c in s for c in store_module.NAME_SEPARATORS)
)


@st.composite
def record_frames(draw) -> pd.DataFrame:
    n = draw(st.integers(0, 6))
    ids = draw(st.lists(_hostile_text.filter(bool), min_size=n, max_size=n, unique=True))
    columns = {"record_id": ids}
    for col in schema.COLUMNS[1:]:
        if col in schema.TEXT_COLUMNS:
            cell = _hostile_text
        elif col in schema.DATE_COLUMNS:
            cell = st.one_of(st.none(), st.dates(dt.date(1700, 1, 1), dt.date(2200, 12, 31)))
        elif col in schema.FLOAT_COLUMNS:
            cell = st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False))
        else:
            cell = st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1))
        columns[col] = draw(st.lists(cell, min_size=n, max_size=n))
    frame = pd.DataFrame({col: _typed(col, values) for col, values in columns.items()})
    frame["flags"] = pd.Series(draw(st.lists(_hostile_text, min_size=n, max_size=n)), dtype=str)
    extras = draw(st.lists(_hostile_text.filter(lambda s: s not in _NOT_EXTRAS), max_size=3, unique=True))
    for col in extras:
        frame[col] = pd.Series(
            draw(st.lists(st.one_of(st.none(), _hostile_text), min_size=n, max_size=n)), dtype=object
        )
    if draw(st.booleans()):
        frame["source_row"] = pd.Series(
            draw(st.lists(st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)), min_size=n, max_size=n)),
            dtype="Int64",
        )
    return frame


_NOT_EXTRAS = {*schema.COLUMNS, "dataset", "flags", "source_row"}


def expected_extras(frame: pd.DataFrame) -> pd.DataFrame:
    """The extra columns read gives back: text, '' for missing, in order of first appearance."""
    cols = [c for c in frame.columns if c not in _NOT_EXTRAS]
    values = {c: frame[c].tolist() for c in cols}
    order = list(dict.fromkeys(c for i in range(len(frame)) for c in cols if values[c][i] is not None))
    return pd.DataFrame(
        {c: pd.Series(["" if v is None else v for v in frame[c]], dtype=str) for c in order},
        index=pd.RangeIndex(len(frame)),
        columns=order,
    )


@pytest.fixture(scope="module", params=BACKENDS)
def shared_store(request, tmp_path_factory) -> Iterator[Store]:
    """One store of each backend for every example of the property test (emptied after each)."""
    if request.param == "postgis":
        from geo.postgis.server import scratch_database

        with scratch_database(request.getfixturevalue("postgis_server")) as url:
            yield open_store(url)
    else:
        yield open_store(tmp_path_factory.mktemp("property") / "store.sqlite")


def _has_nul(frame: pd.DataFrame) -> bool:
    return any("\x00" in str(c) for c in frame.columns) or any(
        isinstance(v, str) and "\x00" in v for c in frame.columns for v in frame[c].astype(object).tolist()
    )


def _without_nul(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without the NUL character (PostgreSQL cannot keep it): out of its text, and its columns so named."""
    out = frame[[c for c in frame.columns if "\x00" not in str(c)]].copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            values = [
                v.replace("\x00", "\u2400") if isinstance(v, str) else v for v in out[col].astype(object).tolist()
            ]
            out[col] = pd.Series(values, index=out.index, dtype=out[col].dtype)
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames=st.lists(st.tuples(_names, record_frames()), min_size=1, max_size=3, unique_by=lambda pair: pair[0]))
def test_random_frames_round_trip_identically(shared_store, frames):
    store = shared_store
    if isinstance(store, PostGISStore):  # PostgreSQL cannot keep NUL in text: refused clearly, then kept without it
        for k, (name, frame) in enumerate(frames):
            if _has_nul(frame):
                with pytest.raises(ProtestMapError, match=r"NUL character"):
                    store.write(name, frame, kind="embedded" if name == "embedded" else "import")
                assert store.datasets() == []
                frames[k] = (name, _without_nul(frame))
    try:
        for name, frame in frames:
            store.write(name, frame, kind="embedded" if name == "embedded" else "import")
        for name, frame in frames:
            back = store.read([name])
            pd.testing.assert_frame_equal(back[schema.COLUMNS], frame[schema.COLUMNS])
            assert back["flags"].tolist() == frame["flags"].tolist()
            assert back["dataset"].tolist() == [name] * len(frame)
            extras = expected_extras(frame)
            assert list(back.columns) == [
                *schema.COLUMNS,
                *extras.columns,
                "dataset",
                "flags",
                *(["source_row"] if "source_row" in frame and frame["source_row"].notna().any() else []),
            ]
            pd.testing.assert_frame_equal(
                back[list(extras.columns)], extras, check_column_type=False, check_index_type=False
            )
            if "source_row" in back:
                assert back["source_row"].tolist() == frame["source_row"].tolist()
        assert sorted(i.name for i in store.datasets()) == sorted(name for name, _ in frames)
        assert len(store.read()) == sum(len(frame) for _, frame in frames)
    finally:
        for info in store.datasets():
            store.delete(info.name)


# --------------------------------------------------------------------------- stores that cannot be used


def _damaged_store(tmp_path: Path) -> Path:
    """A real store of a few hundred kB whose middle pages are overwritten (its header is intact)."""
    path = tmp_path / "damaged.sqlite"
    store = open_store(path)
    rng = np.random.default_rng(0)
    letters = np.array(list("абвгдежзийклмнопрстуфхцчшщыэюя "))
    store.write("big", make_records(4000, summary=["".join(rng.choice(letters, 160)) for _ in range(4000)]))
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = path.stat().st_size
    assert size > 500_000
    with path.open("r+b") as handle:
        handle.seek(size // 2)
        handle.write(b"\xff" * 16384)
    return path


def test_a_store_damaged_mid_file_is_said_with_its_name(tmp_path):
    path = _damaged_store(tmp_path)
    store = open_store(path)  # the header and the schema pages are still good
    assert [d.name for d in store.datasets()] == ["big"]
    for call in (lambda: store.read(["big"]), lambda: store.delete("big")):
        with pytest.raises(
            ProtestMapError, match=f"the store '{path}' is damaged \\(database disk image is malformed\\)"
        ):
            call()
    with pytest.raises(ProtestMapError, match="is damaged"):
        open_store(path, read_only=True).read()


def test_a_newer_store_is_refused_read_only_too(tmp_path):
    path = tmp_path / "store.sqlite"
    open_store(path).write("a", make_records(1))
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 7}")
    with pytest.raises(ProtestMapError, match=f"'{path}' has schema version {SCHEMA_VERSION + 7}, written by a newer"):
        open_store(path, read_only=True).datasets()
