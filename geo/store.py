"""The persistent dataset store: named datasets of incident records that survive restarts.

A store holds several named datasets: the embedded 2019 set (``embedded``) and
each import.  The interface is deliberately narrow (:class:`Store`: five
methods), with two backends: :class:`SQLiteStore`, a single local file created on
first use, and :class:`geo.postgis.PostGISStore`, a team's shared PostgreSQL +
PostGIS database (``open_store("postgresql://user:password@host/database")``),
which reads back the same frames.

>>> store = open_store()                          # doctest: +SKIP
>>> store.ensure_embedded()                       # doctest: +SKIP
>>> store.write("acled-2022", records)            # doctest: +SKIP
>>> frame = store.read(["embedded", "acled-2022"])  # doctest: +SKIP

``open_store(read_only=True)`` (a public deployment, ``PROTESTMAP_MODE=public``)
opens the file for reading only: it creates nothing, a missing file is a store
with no datasets, and ``write`` / ``delete`` refuse.

Every write is one transaction: the whole dataset is written, or the store is
exactly as it was.  Writers take the write lock up front (``BEGIN IMMEDIATE``)
and wait for each other (busy timeout, then a few retries), so two imports at
once never corrupt the store; readers see a consistent snapshot (WAL mode) and
never block a writer.

The SQLite file has two tables, ``datasets`` (one row per dataset, see
:class:`DatasetInfo`) and ``record_chunks`` (``dataset``, ``chunk``, ``rows``,
``crc32``, ``data``), and its schema version in ``PRAGMA user_version``.  A
dataset's records are kept column by column (see :mod:`geo._store_frames`):
chunks of up to 262,144 records, each an Arrow IPC file (zstd) in ``data`` (``crc32``
its checksum, checked on every read), so that reading a million records decodes
a few typed columns instead of building 34 million Python values.

No column of a written frame is lost: every column that is not a schema column,
``flags``, ``source_row`` or ``dataset`` (an import's ``acled_event_id_cnty``,
actors, tags, ``source_file``...) is kept as a text column (missing values are
null), and ``source_row`` (the row in the source file) as an integer column of
its own.

Schema versions: 1 kept the records one row each in a ``records`` table, without
``extras`` and ``source_row``; 2 adds them (the extras as one JSON object per
record); 3 adds the schema columns ``detained_text`` and ``inferred`` (a
version-2 record that kept them among its extras gets them moved into the
columns); 4 keeps the records in ``record_chunks``, column by column (the
``records`` table is converted and dropped).  Opening an older store migrates it
in place, in one transaction (a version-1 store's records then have no extras);
a store of a newer version is refused, and so is an older one opened read-only.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pandas as pd
import pyarrow as pa

from geo import schema
from geo._store_base import (  # the interface and what every backend shares, re-exported here
    _INFO_FIELDS,
    _RECORD_COLUMNS,
    _check_known,
    _redact,
    checked_name_and_kind,
)
from geo._store_base import KINDS as KINDS
from geo._store_base import MAX_NAME as MAX_NAME
from geo._store_base import NAME_SEPARATORS as NAME_SEPARATORS
from geo._store_base import DatasetInfo as DatasetInfo
from geo._store_base import DatasetKind as DatasetKind
from geo._store_base import Store as Store
from geo._store_base import check_dataset_name as check_dataset_name
from geo._store_base import file_version as file_version
from geo._store_frames import (
    CHUNK_ROWS,
    SOURCE_ROW,
    _columns_to_store,
    columns_from_chunks,
    decode_chunk,
    encode_chunks,
    frame_from_chunks,
)
from geo._store_frames import EXTRA_COLUMNS as EXTRA_COLUMNS  # re-exported: geo.published reads it here
from geo.errors import ProtestMapError, StoreError, StoreUnusable
from geo.settings import get_settings

#: Version of the SQLite layout this module writes (``PRAGMA user_version``).
SCHEMA_VERSION = 4

#: Seconds a writer waits for another writer before one retry (SQLite busy timeout).
BUSY_TIMEOUT = 30.0
#: How often a writer tries to take the write lock before giving up.
LOCK_ATTEMPTS = 3

_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")


def open_store(location: str | Path | None = None, *, read_only: bool = False) -> Store:
    """Open the dataset store at ``location``, creating it on first use (unless ``read_only``).

    Parameters
    ----------
    location : str, Path or None
        A file path or ``sqlite:///path`` (``sqlite:////abs/path`` for an
        absolute one): the SQLite store, created with its parent folders when
        absent.  ``postgresql://user:password@host/database`` (``postgres://``,
        ``postgresql+psycopg://``...): the PostGIS store in that database
        (:class:`geo.postgis.PostGISStore`), its tables created on first use.
        ``None``: ``get_settings().store_path`` (``PROTESTMAP_STORE``, default
        ``<cache>/store.sqlite``).
    read_only : bool
        Never write: the file (or the database's tables) is not created (a missing
        one has no datasets), not migrated, and ``write`` / ``delete`` raise
        ``ProtestMapError``.

    Returns
    -------
    Store

    Raises
    ------
    ProtestMapError
        For an unknown URL scheme, a file or database that is not a protest-map
        store (or one written by a newer protest-map), or a database server that
        cannot be reached (the message has no password).
    """
    if location is None:
        location = get_settings().store_path
    if isinstance(location, Path):
        return SQLiteStore(location, read_only=read_only)
    text = str(location).strip()
    match = _URL_SCHEME.match(text)
    if not match:
        return SQLiteStore(Path(text), read_only=read_only)
    scheme = match.group(1).lower()
    if scheme == "sqlite":
        path = text[len("sqlite:///") :] if text.lower().startswith("sqlite:///") else ""
        if not path:
            raise ProtestMapError(
                f"store URL {text!r} names no file; expected sqlite:///relative/path.sqlite "
                "or sqlite:////absolute/path.sqlite (an in-memory store would not persist)"
            )
        return SQLiteStore(Path(path), read_only=read_only)
    if scheme.startswith("postgres") or scheme.split("+")[0] == "postgis":
        try:
            from geo.postgis.store import PostGISStore
        except ImportError as exc:
            raise ProtestMapError(
                f"store URL {_redact(text)!r}: the PostGIS store needs psycopg ({exc}); install it: "
                "pip install 'psycopg[binary]'"
            ) from None
        return PostGISStore(text, read_only=read_only)
    raise ProtestMapError(
        f"store location {_redact(text)!r} has an unknown scheme {scheme!r}; expected a file path, "
        "sqlite:///path.sqlite or postgresql://user:password@host/database"
    )


class SQLiteStore(Store):
    """The store as one local SQLite file (standard library :mod:`sqlite3`).

    Every call opens its own connection and closes it, so one instance can be
    shared between threads (a Streamlit server) and processes can share the
    file.
    """

    def __init__(self, path: str | Path, *, read_only: bool = False):
        path = Path(path).expanduser()
        if path.is_dir():
            raise ProtestMapError(
                f"store location {str(path)!r} is a folder; expected a file such as {str(path / 'store.sqlite')!r}"
            )
        self.read_only = read_only
        if read_only:  # nothing created nor migrated; the file is opened as it is, on each call
            self.path = path.resolve()
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ProtestMapError(f"cannot create the store's folder {str(path.parent)!r}: {exc}") from None
        self.path = path.resolve()
        self._initialise()

    def __repr__(self) -> str:
        return f"SQLiteStore({str(self.path)!r})"

    # ------------------------------------------------------------ the interface

    def datasets(self) -> list[DatasetInfo]:
        if self._absent():
            return []
        with self._connection() as conn:
            rows = conn.execute(f"SELECT {', '.join(_INFO_FIELDS)} FROM datasets ORDER BY name").fetchall()
        return [DatasetInfo(*row) for row in rows]

    def read(self, names: Sequence[str] | None = None) -> pd.DataFrame:
        if isinstance(names, str):
            names = [names]
        wanted = None if names is None else list(dict.fromkeys(names))
        if self._absent():
            _check_known(wanted or [], [], self.path)
            return frame_from_chunks([])
        return frame_from_chunks(self._chunks(wanted))

    def read_columns(self, names: Sequence[str], columns: Sequence[str]) -> pd.DataFrame:
        wanted, cols = list(dict.fromkeys(names)), list(columns)
        bad = [c for c in cols if c not in _RECORD_COLUMNS]
        if bad:
            raise ProtestMapError(
                f"cannot read column(s) {', '.join(map(repr, bad))} by column; expected record columns"
            )
        if self._absent():
            _check_known(wanted, [], self.path)
            return columns_from_chunks([], cols)
        stored = [c for c in dict.fromkeys(cols) if c != "dataset"]
        return columns_from_chunks(self._chunks(wanted, stored) if wanted else [], cols)

    def _chunks(self, wanted: list[str] | None, columns: list[str] | None = None) -> list[tuple[str, pa.Table]]:
        """``(dataset, chunk)`` of the named datasets (all when ``None``), by name then in the written order.

        Only ``columns`` are decoded when given.  A chunk whose bytes fail their checksum, or a
        dataset whose chunks do not add up to its rows, is a damaged store (:class:`StoreUnusable`).
        """
        select = "SELECT dataset, chunk, rows, crc32, data FROM record_chunks"
        with self._connection() as conn:
            conn.execute("BEGIN")  # one snapshot for the name check and the records
            try:
                counts = dict(conn.execute("SELECT name, rows FROM datasets ORDER BY name").fetchall())
                if wanted is not None:
                    _check_known(wanted, list(counts), self.path)
                    select += f" WHERE dataset IN ({', '.join('?' * len(wanted))})"
                rows = (
                    conn.execute(f"{select} ORDER BY dataset, chunk", wanted or ()).fetchall() if wanted != [] else []
                )
            finally:
                conn.execute("COMMIT")
        out, found = [], dict.fromkeys(counts if wanted is None else wanted, 0)
        for dataset, chunk, n, crc, data in rows:
            where = f"dataset {dataset!r}, chunk {chunk}"
            if zlib.crc32(data) != crc:
                raise StoreUnusable(self.path, _damaged(f"{where}: its bytes do not match their checksum"))
            try:
                table = decode_chunk(data, columns)
            except (pa.ArrowException, OSError, ValueError) as exc:
                raise StoreUnusable(self.path, _damaged(f"{where}: {exc}")) from None
            if table.num_rows != n:
                raise StoreUnusable(self.path, _damaged(f"{where}: {table.num_rows} records, not {n}"))
            found[dataset] += n
            out.append((dataset, table))
        short = [f"{name!r} ({got} of {counts[name]} records)" for name, got in found.items() if got != counts[name]]
        if short:
            raise StoreUnusable(self.path, _damaged(f"dataset {', '.join(short)}"))
        return out

    def write(
        self,
        name: str,
        records: pd.DataFrame,
        *,
        kind: str = "import",
        source_file: str = "",
        source_format: str = "",
        version: str = "",
        notes: str = "",
        replace: bool = False,
    ) -> DatasetInfo:
        self._refuse_if_read_only(f"write dataset {name!r}")
        name, kind = checked_name_and_kind(name, kind)
        chunks = encode_chunks(_columns_to_store(records, name))  # all checked and encoded before the lock
        now = datetime.now(UTC).isoformat(timespec="seconds")
        info = DatasetInfo(
            name, kind, len(records), now, str(source_file), str(source_format), str(version), str(notes)
        )
        with self._write_transaction() as conn:
            exists = conn.execute("SELECT 1 FROM datasets WHERE name = ?", (name,)).fetchone()
            if exists and not replace:
                raise ProtestMapError(
                    f"dataset {name!r} is already in the store at {str(self.path)!r}; "
                    "choose another name, or replace it (replace=True / --replace)"
                )
            if exists:
                conn.execute("DELETE FROM record_chunks WHERE dataset = ?", (name,))
                conn.execute("DELETE FROM datasets WHERE name = ?", (name,))
            conn.execute(
                f"INSERT INTO datasets ({', '.join(_INFO_FIELDS)}) VALUES ({', '.join('?' * len(_INFO_FIELDS))})",
                [getattr(info, f) for f in _INFO_FIELDS],
            )
            try:
                conn.executemany(_INSERT_CHUNK, _rows(name, chunks))
            except sqlite3.IntegrityError as exc:
                raise ProtestMapError(f"dataset {name!r} was not written: {exc}") from None
            stored = conn.execute("SELECT total(rows) FROM record_chunks WHERE dataset = ?", (name,)).fetchone()[0]
            if stored != info.rows:  # a chunk generator that stopped early must not commit
                raise ProtestMapError(f"dataset {name!r} was not written: {stored} of {info.rows} rows stored")
        return info

    def delete(self, name: str) -> None:
        self._refuse_if_read_only(f"delete dataset {name!r}")
        with self._write_transaction() as conn:
            if not conn.execute("SELECT 1 FROM datasets WHERE name = ?", (name,)).fetchone():
                known = [row[0] for row in conn.execute("SELECT name FROM datasets ORDER BY name")]
                _check_known([name], known, self.path)
            conn.execute("DELETE FROM record_chunks WHERE dataset = ?", (name,))
            conn.execute("DELETE FROM datasets WHERE name = ?", (name,))

    # ------------------------------------------------------------ connections

    def _absent(self) -> bool:
        """A read-only store whose file does not exist (yet): no datasets."""
        return self.read_only and not self.path.exists()

    def _refuse_if_read_only(self, what: str) -> None:
        if self.read_only:
            raise ProtestMapError(f"cannot {what}: this store is open read-only (PROTESTMAP_MODE=public)")

    def _connect(self) -> sqlite3.Connection:
        try:
            conn, found = self._open()
        except sqlite3.Error as exc:
            if not self.read_only or not os.statvfs(self.path.parent).f_flag & os.ST_RDONLY:
                raise StoreUnusable(self.path, exc) from None
            try:  # a read-only file system has no room for SQLite's -shm file; nothing can change the file there
                conn, found = self._open("&immutable=1")
            except sqlite3.Error as again:
                raise StoreUnusable(self.path, again) from None
        if found == SCHEMA_VERSION or (found < SCHEMA_VERSION and not self.read_only):
            return conn
        conn.close()
        raise StoreError(
            f"the store {str(self.path)!r} has schema version {found}, "
            + (  # an older one is not migrated here: that would write
                f"not {SCHEMA_VERSION}, and is open read-only; write to it once with the command line "
                "(python -m geo import), which migrates it"
                if found < SCHEMA_VERSION
                else f"written by a newer protest-map; this one knows up to version {SCHEMA_VERSION}. "
                "Upgrade protest-map, or point PROTESTMAP_STORE at another file"
            )
        )

    def _open(self, options: str = "") -> tuple[sqlite3.Connection, int]:
        """A connection and the store's schema version (``PRAGMA user_version``)."""
        if self.read_only:  # SQLite's own guarantee: this connection cannot change the file
            uri = f"file:{quote(str(self.path))}?mode=ro{options}"
            conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT, isolation_level=None)
        else:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            return conn, conn.execute("PRAGMA user_version").fetchone()[0]
        except BaseException:
            conn.close()
            raise

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """A connection; an SQLite error inside becomes a :class:`StoreError` naming the file."""
        with closing(self._connect()) as conn:
            try:
                yield conn
            except sqlite3.Error as exc:
                raise StoreUnusable(self.path, exc) from None

    @contextmanager
    def _write_transaction(self) -> Iterator[sqlite3.Connection]:
        """Everything inside commits together or not at all; one writer at a time."""
        with self._connection() as conn:
            self._begin_immediate(conn)
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _begin_immediate(self, conn: sqlite3.Connection) -> None:
        for attempt in range(1, LOCK_ATTEMPTS + 1):
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc):
                    raise StoreUnusable(self.path, exc) from None
                if attempt == LOCK_ATTEMPTS:
                    raise ProtestMapError(
                        f"the store {str(self.path)!r} stayed busy (another import is writing) for "
                        f"{attempt} x {BUSY_TIMEOUT:g} s: {exc}; try again when it has finished"
                    ) from None
                time.sleep(0.05 * attempt)

    def _initialise(self) -> None:
        with self._connection() as conn:
            for attempt in range(1, LOCK_ATTEMPTS + 1):
                try:
                    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                    break
                except sqlite3.OperationalError as exc:
                    if not _is_busy(exc) or attempt == LOCK_ATTEMPTS:
                        raise StoreUnusable(self.path, exc) from None
                    time.sleep(0.05 * attempt)
            if str(mode).lower() != "wal":
                raise ProtestMapError(
                    f"the store {str(self.path)!r} cannot use write-ahead logging (journal mode "
                    f"{mode!r}); put it on a local disk, not a network share"
                )
            if conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
                return
            self._begin_immediate(conn)
            try:
                found = conn.execute("PRAGMA user_version").fetchone()[0]  # another process may have won
                if found == 0:
                    tables = [
                        row[0]
                        for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                    ]
                    if tables:
                        raise ProtestMapError(
                            f"{str(self.path)!r} is an SQLite file but not a protest-map store "
                            f"(it has tables {', '.join(tables)}); point PROTESTMAP_STORE at another file"
                        )
                    for statement in _SCHEMA:
                        conn.execute(statement)
                    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                elif found < SCHEMA_VERSION:  # an older store: migrate it in place, all steps or none
                    for version in range(found + 1, SCHEMA_VERSION + 1):
                        step = _MIGRATIONS[version]
                        if callable(step):
                            step(conn)
                        else:
                            for statement in step:
                                conn.execute(statement)
                    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")


# --------------------------------------------------------------------------- helpers


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


#: The records, column by column: chunk 0, 1, ... of each dataset, an Arrow IPC file each (geo._store_frames).
_CHUNKS_TABLE = """CREATE TABLE record_chunks (
        dataset TEXT NOT NULL REFERENCES datasets (name) ON DELETE CASCADE,
        chunk INTEGER NOT NULL CHECK (chunk >= 0),
        rows INTEGER NOT NULL CHECK (rows > 0),
        crc32 INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (dataset, chunk)
    )"""

_SCHEMA = [
    """CREATE TABLE datasets (
        name TEXT PRIMARY KEY CHECK (name <> ''),
        kind TEXT NOT NULL CHECK (kind IN ('embedded', 'import')),
        rows INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        source_file TEXT NOT NULL DEFAULT '',
        source_format TEXT NOT NULL DEFAULT '',
        version TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT ''
    )""",
    _CHUNKS_TABLE,
]

#: Schema columns added after version 2, with the version that added them.
ADDED_COLUMNS = {"detained_text": 3, "inferred": 3}


def _add_column(column: str) -> list[str]:
    """Add a text schema column; a record that kept it among its extras has it moved in."""
    key = f'$."{column}"'
    return [
        f"ALTER TABLE records ADD COLUMN {_quote(column)} TEXT NOT NULL DEFAULT ''",
        f"UPDATE records SET {_quote(column)} = json_extract(extras, '{key}'), "
        f"extras = NULLIF(json_remove(extras, '{key}'), '{{}}') "
        f"WHERE extras IS NOT NULL AND json_type(extras, '{key}') = 'text'",
    ]


#: The columns of a version-3 ``records`` row (one row per record), as version 3 read them.
_VERSION_3_COLUMNS = [*schema.COLUMNS, "flags", "extras", SOURCE_ROW]


def _records_to_chunks(conn: sqlite3.Connection) -> None:
    """Version 3 -> 4: each dataset's ``records`` rows become its column chunks; ``records`` goes.

    The rows are read as version 3 read them, a chunk's worth at a time (memory stays bounded
    at any size), and written as version 4 writes a frame.
    """
    conn.execute(_CHUNKS_TABLE)
    select = (
        f"SELECT seq, {', '.join(_quote(c) for c in _VERSION_3_COLUMNS)} FROM records "
        "WHERE dataset = ? AND seq > ? ORDER BY seq LIMIT ?"
    )
    for (name,) in conn.execute("SELECT name FROM datasets ORDER BY name").fetchall():
        chunk, last = 0, -1
        while rows := conn.execute(select, (name, last, CHUNK_ROWS)).fetchall():
            last = rows[-1][0]
            for n, data in encode_chunks(_columns_to_store(_version_3_frame([row[1:] for row in rows]), name)):
                conn.execute(_INSERT_CHUNK, (name, chunk, n, zlib.crc32(data), data))
                chunk += 1
    conn.execute("DROP TABLE records")  # and its indexes


def _version_3_frame(rows: list[tuple]) -> pd.DataFrame:
    """Version-3 ``records`` rows as a frame to write: typed as version 3 read them, extras ``None`` where absent."""
    columns = dict(zip(_VERSION_3_COLUMNS, zip(*rows)))
    data: dict[str, object] = {}
    for col in schema.COLUMNS:
        values = columns[col]
        if col in schema.DATE_COLUMNS:  # ISO 8601 text, NULL when blank
            data[col] = np.array(values, dtype="datetime64[ns]")
        elif col in schema.FLOAT_COLUMNS:
            data[col] = np.array(values, dtype=float)
        elif col in schema.INT_COLUMNS:
            data[col] = pd.array(values, dtype="Int64")
        else:
            data[col] = pd.Series(np.array(values, dtype=object), dtype=object).astype(str)
    data["flags"] = pd.Series(np.array(columns["flags"], dtype=object), dtype=object).astype(str)
    parsed = [json.loads(text) if text else {} for text in columns["extras"]]
    for key in dict.fromkeys(key for extras in parsed for key in extras):  # in the order they first appear
        data[key] = pd.Series([extras.get(key) for extras in parsed], dtype=object)
    data[SOURCE_ROW] = pd.array(columns[SOURCE_ROW], dtype="Int64")
    return pd.DataFrame(data)


#: Schema version -> what brings a store of the version before up to it: SQL statements, or a
#: function of the connection (inside the migration's one transaction).
_MIGRATIONS: dict[int, list[str] | Callable[[sqlite3.Connection], None]] = {
    2: [
        "ALTER TABLE records ADD COLUMN extras TEXT",
        "ALTER TABLE records ADD COLUMN source_row INTEGER",
    ],
    3: [statement for column, version in ADDED_COLUMNS.items() if version == 3 for statement in _add_column(column)],
    4: _records_to_chunks,
}

_INSERT_CHUNK = "INSERT INTO record_chunks (dataset, chunk, rows, crc32, data) VALUES (?, ?, ?, ?, ?)"


def _rows(name: str, chunks: list[tuple[int, bytes]]) -> Iterator[tuple]:
    """The rows ``executemany`` inserts: (dataset, chunk, rows, crc32, data)."""
    for chunk, (n, data) in enumerate(chunks):
        yield (name, chunk, n, zlib.crc32(data), data)


def _damaged(what: str) -> sqlite3.DatabaseError:
    """What :class:`StoreUnusable` says as a damaged store: records SQLite read that are not what was written."""
    return sqlite3.DatabaseError(f"corrupt records: {what}")


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text
