"""The store's columnar layout (schema version 4): exact round trips at a few thousand rows, and migration.

Every column type is exercised with the values that are easy to lose: blank and missing text, Cyrillic,
quotes, line breaks and NUL in text; ``<NA>`` and the int64 extremes in nullable integers; ``NaT``,
times of day to the nanosecond in dates; ``NaN``, ``-0.0`` and infinities in floats; extra columns of
several dtypes with missing values; flags as lists; source rows with gaps.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from geo import _store_frames, schema
from geo import store as store_module
from geo.errors import StoreError
from geo.store import SCHEMA_VERSION, open_store

_TEXTS = np.array(
    [
        "",
        " ",
        "Алматы, пр. Абая",
        "Қазақстан",
        'say "hi"',
        "it's",
        "a\nb\r\nc",
        "\x00nul",
        "🚓🚨",
        "\\N",
        "NULL",
        "nan",
        "<NA>",
        "  padded  ",
        "=1+1",
    ],
    dtype=object,
)
_INT64 = np.iinfo(np.int64)


def varied_records(n: int, seed: int = 0, prefix: str = "r") -> pd.DataFrame:
    """``n`` records, every schema column in geo.records' dtypes, with hard values; and extras, flags, source rows."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(index=range(n))
    for col in schema.COLUMNS:
        if col == "record_id":
            frame[col] = pd.Series([f"{prefix}{i}-{_TEXTS[i % len(_TEXTS)]}" for i in range(n)], dtype=str)
        elif col in schema.TEXT_COLUMNS:
            frame[col] = pd.Series(_TEXTS[rng.integers(0, len(_TEXTS), n)].tolist(), dtype=str)
        elif col in schema.DATE_COLUMNS:
            days = rng.integers(0, 3000, n)
            values = np.datetime64("2015-01-01", "ns") + days.astype("timedelta64[D]")
            if col == "date":  # some with a time of day, to the nanosecond
                values = values + np.where(rng.random(n) < 0.2, rng.integers(0, 86_400 * 10**9, n), 0).astype(
                    "timedelta64[ns]"
                )
            values[rng.random(n) < 0.1] = np.datetime64("NaT")
            frame[col] = pd.Series(values, dtype="datetime64[ns]")
        elif col in schema.FLOAT_COLUMNS:
            values = rng.normal(45.0, 10.0, n)
            values[rng.random(n) < 0.15] = np.nan
            values[:4] = [-0.0, np.inf, -np.inf, 5e-324]
            frame[col] = values
        else:
            values = pd.array(rng.integers(-1000, 100_000, n), dtype="Int64")
            values[rng.random(n) < 0.3] = pd.NA
            values[:3] = [_INT64.min, _INT64.max, 0]
            frame[col] = values
    frame["acled_event_id_cnty"] = pd.Series([f"KAZ{i}" for i in range(n)], dtype=str)
    actors = _TEXTS[rng.integers(0, len(_TEXTS), n)].copy()
    actors[rng.random(n) < 0.3] = None
    frame["acled_actor1"] = pd.Series(actors, dtype=object)
    late = np.full(n, None, dtype=object)
    late[n // 2 :: 97] = "Айгерим"  # first present half-way through
    frame["kept_by"] = late
    frame["acled_timestamp"] = pd.array(np.where(rng.random(n) < 0.5, 1_600_000_000, 0), dtype="Int64")
    frame.loc[frame.index % 5 == 0, "acled_timestamp"] = pd.NA
    frame["never"] = pd.Series([None] * n, dtype=object)  # an extra column without a single value
    frame["source_file"] = "экспорт.csv"
    frame["flags"] = [["swapped_coordinates", "future_date"] if i % 7 == 0 else "" for i in range(n)]
    frame["source_row"] = pd.array([i + 2 if i % 11 else None for i in range(n)], dtype="Int64")
    return frame


# --------------------------------------------------------------------------- a store as version 3 wrote it

_V3_TYPES = {
    **dict.fromkeys(schema.TEXT_COLUMNS, "TEXT NOT NULL DEFAULT ''"),
    **dict.fromkeys(schema.DATE_COLUMNS, "TEXT"),
    **dict.fromkeys(schema.FLOAT_COLUMNS, "REAL"),
    **dict.fromkeys(schema.INT_COLUMNS, "INTEGER"),
}
_V3_SCHEMA = [
    "CREATE TABLE datasets (name TEXT PRIMARY KEY CHECK (name <> ''), kind TEXT NOT NULL "
    "CHECK (kind IN ('embedded', 'import')), rows INTEGER NOT NULL, created_at TEXT NOT NULL, "
    "source_file TEXT NOT NULL DEFAULT '', source_format TEXT NOT NULL DEFAULT '', "
    "version TEXT NOT NULL DEFAULT '', notes TEXT NOT NULL DEFAULT '')",
    "CREATE TABLE records (dataset TEXT NOT NULL REFERENCES datasets (name) ON DELETE CASCADE, "
    "seq INTEGER NOT NULL, "
    + "".join(f'"{c}" {_V3_TYPES[c]}, ' for c in schema.COLUMNS)
    + "flags TEXT NOT NULL DEFAULT '', extras TEXT, source_row INTEGER, "
    "CHECK (record_id <> ''), UNIQUE (dataset, record_id))",
    "CREATE UNIQUE INDEX records_dataset_seq ON records (dataset, seq)",
]
_NOT_EXTRAS = {*schema.COLUMNS, "dataset", "flags", "source_row"}


def _v3_column(frame: pd.DataFrame, col: str) -> list:
    """One column's values as version 3 stored them (dates as ISO text, NULL for NaN / <NA> / NaT)."""
    series = frame[col]
    if col in schema.DATE_COLUMNS:
        present = series.dropna()
        if (present == present.dt.normalize()).all():
            return [None if pd.isna(t) else t.strftime("%Y-%m-%d") for t in series]
        return [None if pd.isna(t) else t.isoformat() for t in series]
    if col in schema.FLOAT_COLUMNS:
        return [None if np.isnan(v) else float(v) for v in series]
    if col in schema.INT_COLUMNS:
        return [None if v is pd.NA else int(v) for v in series.astype(object)]
    return [str(v) for v in series]


def version_3_store(path: Path, frames: dict[str, pd.DataFrame]) -> None:
    """A store exactly as protest-map's schema version 3 wrote ``frames`` (one row per record, JSON extras)."""
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("BEGIN")
        for statement in _V3_SCHEMA:
            conn.execute(statement)
        for name, frame in frames.items():
            conn.execute(
                "INSERT INTO datasets VALUES (?, 'import', ?, '2026-11-30T12:00:00+00:00', 'team.csv', 'native', "
                "'sha256:0', '')",
                (name, len(frame)),
            )
            columns = [_v3_column(frame, c) for c in schema.COLUMNS]
            flags = [
                "; ".join(v) if isinstance(v, list) else "" if v is None else str(v)
                for v in frame.get("flags", pd.Series([""] * len(frame)))
            ]
            extra_names = [c for c in frame.columns if c not in _NOT_EXTRAS]
            extras = []
            for i in range(len(frame)):
                present = {str(c): str(frame[c].iloc[i]) for c in extra_names if not pd.isna(frame[c].iloc[i])}
                extras.append(json.dumps(present, ensure_ascii=False, separators=(",", ":")) if present else None)
            source = (
                [None if v is pd.NA else int(v) for v in frame["source_row"].astype(object)]
                if "source_row" in frame
                else [None] * len(frame)
            )
            conn.executemany(
                f"INSERT INTO records VALUES ({', '.join('?' * (len(schema.COLUMNS) + 5))})",
                [(name, seq, *row) for seq, row in enumerate(zip(*columns, flags, extras, source))],
            )
        conn.execute("PRAGMA user_version = 3")
        conn.execute("COMMIT")


# --------------------------------------------------------------------------- exact round trips


def expected_read(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """What ``read([name])`` must give for ``frame``: the schema columns as they are, extras as text ('' when
    missing) in the order they first appear, then dataset, flags and source_row."""
    extras = [c for c in frame.columns if c not in _NOT_EXTRAS]
    firsts = {c: int(np.argmax(frame[c].notna().to_numpy())) for c in extras if frame[c].notna().any()}
    order = sorted(firsts, key=lambda c: (firsts[c], extras.index(c)))
    out = frame[schema.COLUMNS].copy()
    for c in order:
        out[c] = pd.Series(["" if pd.isna(v) else str(v) for v in frame[c]], dtype=str)
    out["dataset"] = pd.Series([name] * len(frame), dtype=str)
    out["flags"] = pd.Series(["; ".join(v) if isinstance(v, list) else str(v) for v in frame["flags"]], dtype=str)
    if "source_row" in frame and frame["source_row"].notna().any():
        out["source_row"] = frame["source_row"].astype("Int64")
    return out


def _bits(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).view(np.int64)


@pytest.fixture
def store(tmp_path):
    return open_store(tmp_path / "store.sqlite")


def test_every_column_type_round_trips_exactly_at_a_few_thousand_rows(store):
    frame = varied_records(5000, seed=3)
    store.write("varied", frame)
    back = store.read(["varied"])
    pd.testing.assert_frame_equal(back, expected_read(frame, "varied"), check_exact=True)
    assert list(back.columns[len(schema.COLUMNS) : -3]) == [
        "acled_event_id_cnty",
        "acled_actor1",
        "source_file",
        "acled_timestamp",
        "kept_by",
    ]  # by first appearance, then the written order; "never" has no value, so no column
    for col in schema.FLOAT_COLUMNS:  # -0.0, infinities, the smallest subnormal and NaN, to the bit
        assert (_bits(back[col]) == _bits(frame[col])).all()
    for col in schema.DATE_COLUMNS:
        assert (back[col].to_numpy().view(np.int64) == frame[col].to_numpy().view(np.int64)).all()
    assert back["detained_low"].iloc[:3].tolist() == [_INT64.min, _INT64.max, 0]
    assert back["date"].dt.nanosecond.any()  # times of day kept to the nanosecond
    assert back[schema.COLUMNS].dtypes.to_dict() == frame[schema.COLUMNS].dtypes.to_dict()


def test_round_trips_across_several_chunks_and_datasets(store, monkeypatch):
    monkeypatch.setattr(_store_frames, "CHUNK_ROWS", 700)
    frames = {"b-team": varied_records(2500, seed=4, prefix="b"), "a-acled": varied_records(900, seed=5, prefix="a")}
    frames["a-acled"] = frames["a-acled"].drop(columns=["kept_by"]).assign(only_here=["x"] * 900)
    for name, frame in frames.items():
        store.write(name, frame)
    with closing(sqlite3.connect(store.path)) as conn:
        chunks = conn.execute("SELECT dataset, chunk, rows FROM record_chunks ORDER BY dataset, chunk").fetchall()
    assert chunks == [
        ("a-acled", 0, 700),
        ("a-acled", 1, 200),
        *(("b-team", k, n) for k, n in enumerate([700] * 3 + [400])),
    ]
    back = store.read()
    a, b = expected_read(frames["a-acled"], "a-acled"), expected_read(frames["b-team"], "b-team")
    # the extras of both, in the order they first appear over the two; '' where a dataset has none
    extras = ["acled_event_id_cnty", "acled_actor1", "source_file", "only_here", "acled_timestamp", "kept_by"]
    assert list(back.columns) == [*schema.COLUMNS, *extras, "dataset", "flags", "source_row"]
    both = pd.concat([a, b], ignore_index=True).reindex(columns=back.columns)
    both[["only_here", "kept_by"]] = both[["only_here", "kept_by"]].fillna("")
    pd.testing.assert_frame_equal(back, both.astype({"only_here": str, "kept_by": str}), check_exact=True)
    # a few columns only, as an import compares with
    few = store.read_columns(["b-team", "a-acled"], ["dataset", "record_id", "date", "latitude", "injured"])
    pd.testing.assert_frame_equal(few, back[["dataset", "record_id", "date", "latitude", "injured"]])


def test_read_columns_decodes_only_the_columns_asked(store, monkeypatch):
    store.write("team", varied_records(1000, seed=6))
    seen = []
    real = store_module.decode_chunk

    def decode(data, columns=None):
        seen.append(columns)
        table = real(data, columns)
        assert columns is None or table.column_names == list(columns)
        return table

    monkeypatch.setattr(store_module, "decode_chunk", decode)
    store.read_columns(["team"], ["record_id", "dataset", "city"])
    assert seen == [["record_id", "city"]]  # never the summaries, notes and extras


def test_the_chunks_are_arrow_files_with_typed_columns(store):
    store.write("team", varied_records(300, seed=7))
    with closing(sqlite3.connect(store.path)) as conn:
        (data,) = conn.execute("SELECT data FROM record_chunks").fetchone()
    table = pa.ipc.open_file(pa.BufferReader(data)).read_all()
    assert table.schema.field("date").type == pa.timestamp("ns")
    assert table.schema.field("detained_low").type == pa.int64()
    assert table.schema.field("latitude").type == pa.float64()
    assert table.schema.field("summary").type == pa.large_string()
    assert json.loads(table.schema.metadata[_store_frames.EXTRAS_KEY])[:2] == [
        "acled_event_id_cnty",
        "acled_actor1",
    ]


def test_a_chunk_whose_bytes_changed_is_a_damaged_store(store):
    store.write("team", varied_records(300, seed=8))
    with closing(sqlite3.connect(store.path)) as conn:
        (data,) = conn.execute("SELECT data FROM record_chunks").fetchone()
        flipped = bytearray(data)
        flipped[len(data) // 2] ^= 0x01  # one bit: SQLite reads it as it is, the checksum does not match
        conn.execute("UPDATE record_chunks SET data = ?", (bytes(flipped),))
        conn.commit()
    for call in (lambda: store.read(["team"]), lambda: store.read_columns(["team"], ["record_id"])):
        with pytest.raises(StoreError, match=r"is damaged \(corrupt records: dataset 'team', chunk 0: its bytes"):
            call()


def test_a_missing_chunk_is_a_damaged_store(store, monkeypatch):
    monkeypatch.setattr(_store_frames, "CHUNK_ROWS", 100)
    store.write("team", varied_records(300, seed=9))
    with closing(sqlite3.connect(store.path)) as conn:
        conn.execute("DELETE FROM record_chunks WHERE chunk = 1")
        conn.commit()
    with pytest.raises(StoreError, match=r"is damaged .*dataset 'team' \(200 of 300 records\)"):
        store.read()


def test_read_only_reads_the_chunks(tmp_path):
    path = tmp_path / "store.sqlite"
    frame = varied_records(1500, seed=10)
    open_store(path).write("team", frame)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path.chmod(0o444)
    try:
        back = open_store(path, read_only=True).read(["team"])
    finally:
        path.chmod(0o644)
    pd.testing.assert_frame_equal(back, expected_read(frame, "team"), check_exact=True)


# --------------------------------------------------------------------------- migration from version 3


def test_a_version_3_store_is_migrated_to_chunks_with_every_value(tmp_path, monkeypatch):
    """A store as the version before this one wrote it (row per record, JSON extras) reads the same after."""
    monkeypatch.setattr(_store_frames, "CHUNK_ROWS", 1000)
    monkeypatch.setattr(store_module, "CHUNK_ROWS", 1000)  # the migration reads the rows 1,000 at a time
    frames = {
        "team": varied_records(3000, seed=11, prefix="t"),
        "acled": varied_records(500, seed=12, prefix="a").drop(columns=["kept_by", "source_row"]),
    }
    path = tmp_path / "v3.sqlite"
    version_3_store(path, frames)

    store = open_store(path, read_only=True)  # an older store is not migrated read-only: it says how
    with pytest.raises(StoreError, match=r"schema version 3, not 4, and is open read-only.*python -m geo import"):
        store.read()
    store = open_store(path)
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,) == (4,)
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        chunks = conn.execute("SELECT dataset, chunk, rows FROM record_chunks ORDER BY dataset, chunk").fetchall()
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert tables == ["datasets", "record_chunks"]
    assert chunks == [("acled", 0, 500), ("team", 0, 1000), ("team", 1, 1000), ("team", 2, 1000)]
    assert [(d.name, d.rows, d.source_file, d.version) for d in store.datasets()] == [
        ("acled", 500, "team.csv", "sha256:0"),
        ("team", 3000, "team.csv", "sha256:0"),
    ]
    for name, frame in frames.items():
        back = store.read([name])
        expected = expected_read(frame, name)
        pd.testing.assert_frame_equal(back, expected, check_exact=True)  # -0.0 was 0.0 in version 3's REAL
        assert (_bits(back["longitude"].iloc[1:]) == _bits(frame["longitude"].iloc[1:])).all()
    fresh = open_store(tmp_path / "fresh.sqlite")
    for name, frame in frames.items():
        fresh.write(name, frame)
    pd.testing.assert_frame_equal(store.read(), fresh.read(), check_exact=True)  # several datasets: same extras
    store.write("more", varied_records(10, seed=13, prefix="m"))  # the migrated store is written like a new one
    assert len(open_store(path).read()) == 3510


def test_a_failed_version_3_migration_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "v3.sqlite"
    version_3_store(path, {"team": varied_records(50, seed=14)})

    def broken(table):
        raise RuntimeError("power cut")

    monkeypatch.setattr(store_module, "encode_chunks", broken)
    with pytest.raises(RuntimeError, match="power cut"):
        open_store(path)
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (3,)
        assert conn.execute("SELECT count(*) FROM records").fetchone() == (50,)
        assert "record_chunks" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    monkeypatch.undo()
    assert len(open_store(path).read(["team"])) == 50


# --------------------------------------------------------------------------- python -m geo summary --dataset


ROOT = Path(__file__).resolve().parents[1]


def _geo(*args: str) -> tuple[int, str, str]:
    import os
    import subprocess
    import sys

    env = {**os.environ, "PROTESTMAP_BOUNDARIES": ""}
    res = subprocess.run(
        [sys.executable, "-m", "geo", *args], cwd=ROOT, capture_output=True, text=True, env=env, timeout=120
    )
    return res.returncode, res.stdout, res.stderr


def test_summary_of_a_dataset_of_the_store_says_what_the_file_says(tmp_path):
    from geo.records import EMBEDDED_FILE, load_embedded_records
    from geo.settings import EMBEDDED_INCIDENTS

    path = tmp_path / "store.sqlite"
    open_store(path).write("june", load_embedded_records(), source_file="incidents.csv")
    window = ["--area", "national", "--from", "2019-06-09", "--to", "2019-06-13"]
    for extra in ([], ["--json"]):
        from_file = _geo("summary", *window, *extra, "--data", str(EMBEDDED_INCIDENTS / EMBEDDED_FILE))
        from_store = _geo("summary", *window, *extra, "--dataset", "june", "--store", str(path))
        assert from_store[0] == from_file[0] == 0, from_store[2]
        assert from_store[1] == from_file[1]
        assert ('"detained_low": 4000' if extra else "4,000 detained") in from_store[1]
    code, out, err = _geo("summary", "--dataset", "nope", "--store", str(path))
    assert code == 1 and out == "" and "no dataset named 'nope'" in err and str(path) in err
    assert "Traceback" not in err
    code, _, err = _geo("summary", "--dataset", "june", "--data", "x.csv")
    assert code == 2 or (code == 1 and "not both" in err)
