"""The dataset store in a PostgreSQL database with PostGIS (a team's shared store).

``open_store("postgresql://user:password@host/database")`` opens it (see
:func:`geo.store.open_store`); :class:`PostGISStore` implements
:class:`geo.store.Store` and reads back exactly the frames :class:`geo.store.SQLiteStore`
gives for the same writes (dtypes, values, column order, extras, row order), with one
limit of PostgreSQL: text cannot hold the NUL character and timestamps keep microseconds,
so records with either are refused with a message saying so.

Everything lives in the schema ``protestmap`` (the database may hold other things):

* ``meta (key, value)``: ``schema_version`` is :data:`SCHEMA_VERSION`; a newer one is refused.
* ``datasets``: one row per dataset (the fields of :class:`geo.store.DatasetInfo`, and
  ``extra_columns``: the names of the extra columns in the written frame's order).
* ``records``: one row per record: ``dataset``, ``seq`` (its 0-based position in the
  written frame), every :data:`geo.schema.COLUMNS` column (text ``''`` when blank; dates
  ``timestamp``, floats ``double precision`` and integers ``bigint``, NULL when blank),
  ``flags``, ``source_row``, ``extras`` (``jsonb``, the record's extra values by column
  name; NULL when it has none) and ``geom`` (a generated ``Point`` in EPSG:4326, NULL
  without valid coordinates), indexed by GiST; ``date`` has a btree index.  Its primary
  key is (dataset, seq), and (dataset, record_id) is unique.

``records`` is partitioned by ``dataset`` (LIST): each dataset's records are one table,
``records_<md5 of the name>``, which its write fills with ``COPY`` (CSV made by Arrow, no
Python object per value), indexes once it is full (much faster than indexing row by row)
and attaches; replacing or deleting a dataset drops its table.  SQL reads ``records`` as
one table.  Each write is one transaction, a failure leaves the database as it was;
writers load at the same time and take turns only to attach (an advisory lock).  Readers
read with ``COPY ... TO STDOUT``, parsed by Arrow, in one snapshot; a replace or delete
waits for the readers of ``records`` in progress, and they for it.  Writers need to own
the tables: a team's writers use one database role (or members of the owner's role).

The first non-read-only open creates the schema (and the ``postgis`` extension when it is
missing and the user may create it), in one transaction under an advisory lock, so two
processes may do it at once.  Every call opens its own connection, so one instance can be
shared between threads; :meth:`PostGISStore.connect` gives other modules a connection to
the same database for their own SQL.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from psycopg import sql

from geo import schema
from geo._store_base import (
    _INFO_FIELDS,
    _RECORD_COLUMNS,
    DatasetInfo,
    Store,
    _check_known,
    _redact,
    checked_name_and_kind,
)
from geo._store_frames import (
    _ARROW_TYPES,
    EXTRAS_KEY,
    FIXED_FIELDS,
    SOURCE_ROW,
    _columns_to_store,
    columns_from_chunks,
    frame_from_chunks,
)
from geo.errors import ProtestMapError, StoreError

#: The days a record covers as a range (its bounds in either order; a missing one leaves it open): the
#: expression of the index a view's window uses (geo.postgis._districts).
DAYS_COVERED = "tsrange(LEAST(period_start, period_end), GREATEST(period_start, period_end), '[]')"

#: The schema (namespace) every table lives in.
SCHEMA = "protestmap"
#: Version of the layout this module writes (``protestmap.meta``'s ``schema_version``).
SCHEMA_VERSION = 1
#: Records per block of CSV sent to ``COPY`` (the memory a write needs beyond its frame).
COPY_ROWS = 65_536
#: Seconds a connection attempt waits when the URL sets no ``connect_timeout``.
CONNECT_TIMEOUT = 10
#: ``maintenance_work_mem`` of a write (its index builds sort in memory up to this).
MAINTENANCE_WORK_MEM = "256MB"
#: Advisory lock keys (class, key): creating the tables; changing which datasets there are.
_INIT_LOCK = (0x50524F54, 0)
_CATALOG_LOCK = (0x50524F54, 1)

_TEXT = pa.large_string()
_SCHEMES = re.compile(r"^(postgres(?:ql)?|postgis)(\+[A-Za-z0-9+.\-]*)?://", re.IGNORECASE)


def _pg_type(col: str) -> str:
    if col in schema.TEXT_COLUMNS:
        return "text NOT NULL DEFAULT ''"
    if col in schema.DATE_COLUMNS:
        return "timestamp"
    if col in schema.FLOAT_COLUMNS:
        return "double precision"
    return "bigint"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


#: The columns ``write`` copies into ``records``, in the CSV's order.
_COPY_COLUMNS = ["dataset", "seq", *schema.COLUMNS, "flags", SOURCE_ROW, "extras"]

_GEOM = (
    "geometry(Point, 4326) GENERATED ALWAYS AS (CASE WHEN latitude BETWEEN -90 AND 90 "
    "AND longitude BETWEEN -180 AND 180 THEN ST_SetSRID(ST_MakePoint(longitude, latitude), 4326) END) STORED"
)

#: The columns of ``records`` after ``dataset``, and its CHECK constraints (a partition has the same).
_RECORD_COLUMNS_SQL = ", ".join(
    [
        "seq integer NOT NULL",
        *(f"{_ident(c)} {_pg_type(c)}" for c in schema.COLUMNS),
        "flags text NOT NULL DEFAULT ''",
        "source_row bigint",
        "extras jsonb",
        f"geom {_GEOM}",
        "CONSTRAINT records_seq_check CHECK (seq >= 0)",
        "CONSTRAINT records_record_id_check CHECK (record_id <> '')",
    ]
)

#: The layout, created in one transaction (the search path is protestmap, then PostGIS's schema).
_DDL = [
    f"CREATE TABLE {SCHEMA}.meta (key text PRIMARY KEY, value text NOT NULL)",
    f"""CREATE TABLE {SCHEMA}.datasets (
        name text PRIMARY KEY CHECK (name <> ''),
        kind text NOT NULL CHECK (kind IN ('embedded', 'import')),
        rows integer NOT NULL CHECK (rows >= 0),
        created_at timestamptz NOT NULL,
        source_file text NOT NULL DEFAULT '',
        source_format text NOT NULL DEFAULT '',
        version text NOT NULL DEFAULT '',
        notes text NOT NULL DEFAULT '',
        extra_columns text[] NOT NULL DEFAULT '{{}}'
    )""",
    f"""CREATE TABLE {SCHEMA}.records (
        dataset text NOT NULL REFERENCES {SCHEMA}.datasets (name) ON DELETE CASCADE,
        {_RECORD_COLUMNS_SQL},
        PRIMARY KEY (dataset, seq),
        UNIQUE (dataset, record_id)
    ) PARTITION BY LIST (dataset)""",
    f"CREATE INDEX records_geom ON {SCHEMA}.records USING gist (geom)",
    f"CREATE INDEX records_date ON {SCHEMA}.records (date)",
    f"INSERT INTO {SCHEMA}.meta (key, value) VALUES ('schema_version', '{SCHEMA_VERSION}')",
]

_WRITE_CSV = pa_csv.WriteOptions(include_header=False, quoting_style="all_valid")


def redact(url: str) -> str:
    """``url`` without its password (``user:***@host``, ``password=***``)."""
    return re.sub(r"([?&]password=)[^&]*", r"\1***", _redact(url), flags=re.IGNORECASE)


def libpq_url(url: str) -> str:
    """``url`` with a scheme libpq reads: ``postgresql+psycopg://`` and ``postgis://`` become ``postgresql://``."""
    match = _SCHEMES.match(url.strip())
    if not match:
        raise ProtestMapError(f"store URL {redact(url)!r} is not a postgresql:// URL")
    return "postgresql://" + url.strip()[match.end() :]


class PostGISStore(Store):
    """The store in schema ``protestmap`` of a PostgreSQL + PostGIS database (see the module docstring).

    Parameters
    ----------
    url : str
        ``postgresql://user:password@host:port/database?options`` (also ``postgres://``,
        ``postgresql+psycopg://``...): anything libpq reads, e.g. ``?host=/run/socket``
        or ``?sslmode=require``.
    read_only : bool
        Every connection runs with ``default_transaction_read_only``; nothing is created
        (a database without the schema is a store with no datasets) and ``write`` /
        ``delete`` refuse.

    Attributes
    ----------
    url : str
        The full URL (password included, scheme ``postgresql://``) for code that runs its
        own SQL; never show it: ``repr`` and every message give it redacted.
    """

    def __init__(self, url: str, *, read_only: bool = False):
        self.url = libpq_url(url)
        self.read_only = read_only
        self._where = redact(url.strip())
        try:
            params = psycopg.conninfo.conninfo_to_dict(self.url)
        except psycopg.Error as exc:
            raise ProtestMapError(f"store URL {self._where!r} cannot be read: {self._scrub(str(exc))}") from None
        self._password = str(params.get("password") or "")
        self._connect_options: dict[str, object] = {}
        if not params.get("connect_timeout"):
            self._connect_options["connect_timeout"] = CONNECT_TIMEOUT
        if not params.get("application_name"):  # what the server's administrator sees in pg_stat_activity
            self._connect_options["application_name"] = "protest-map"
        if not read_only:
            self._initialise()

    def __repr__(self) -> str:
        return f"PostGISStore({self._where!r}{', read_only=True' if self.read_only else ''})"

    # ------------------------------------------------------------ connections

    @contextmanager
    def connect(self) -> Iterator[psycopg.Connection]:
        """A connection to the store's database: not autocommit, search path ``protestmap, public``.

        (PostGIS's schema follows when the extension lives in another one.)  What runs inside
        commits when the block ends, and rolls back when it raises; the connection is closed
        either way.  A read-only store's connection is read-only.  Failing to connect raises
        :class:`~geo.errors.ProtestMapError`, and a psycopg error inside :class:`~geo.errors.StoreError`
        (a ProtestMapError too, the psycopg error its ``__cause__``); no message has the password.
        """
        conn = self._open()
        try:
            yield conn
            conn.commit()
        except psycopg.Error as exc:
            with suppress(psycopg.Error):
                conn.rollback()
            raise StoreError(f"cannot use the store {self._where!r}: {self._scrub(_flat(exc))}") from exc
        except BaseException:
            with suppress(psycopg.Error):
                conn.rollback()
            raise
        finally:
            conn.close()

    def _open(self) -> psycopg.Connection:
        try:
            conn = psycopg.connect(self.url, autocommit=True, **self._connect_options)  # type: ignore[arg-type]
        except psycopg.Error as exc:
            raise ProtestMapError(
                f"cannot connect to the store {self._where!r}: {self._scrub(_flat(exc))}. Check that the "
                "PostgreSQL server is running and reachable at that host and port, that the database "
                "exists, and the user name and password (PROTESTMAP_STORE, or --store)"
            ) from None
        try:
            conn.execute(
                "SELECT set_config('search_path', %s || coalesce((SELECT ', ' || quote_ident(n.nspname) "
                "FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'postgis' "
                "AND n.nspname NOT IN ('public', %s)), ''), false), set_config('TimeZone', 'UTC', false), "
                "set_config('DateStyle', 'ISO, MDY', false), set_config('extra_float_digits', '3', false), "
                "set_config('client_encoding', 'UTF8', false), "
                "set_config('default_transaction_read_only', %s, false)",
                (f"{SCHEMA}, public", SCHEMA, "on" if self.read_only else "off"),
            )
            conn.autocommit = False
        except psycopg.Error as exc:
            conn.close()
            raise StoreError(f"cannot use the store {self._where!r}: {self._scrub(_flat(exc))}") from None
        return conn

    @contextmanager
    def _session(
        self, failure: str | None = None, *, snapshot: bool = False
    ) -> Iterator[tuple[psycopg.Connection, bool]]:
        """A connection in one transaction, and whether the store's tables are there (version checked).

        ``snapshot``: the transaction is REPEATABLE READ (several queries see one state) and holds
        ``records`` (every partition) from its start, so that no dataset it reads is replaced or
        deleted meanwhile (a writer waits).  A psycopg error inside becomes a :class:`StoreError`
        saying ``failure`` (default: the store cannot be used) and the error's message.
        """
        try:
            with self.connect() as conn:
                if snapshot:
                    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
                    try:  # LOCK takes no snapshot: the snapshot is taken after the lock is held
                        conn.execute(f"LOCK TABLE {SCHEMA}.records IN ACCESS SHARE MODE")
                    except (psycopg.errors.UndefinedTable, psycopg.errors.InvalidSchemaName):
                        conn.rollback()  # no tables (a read-only store of an empty database): said below
                yield conn, self._present(conn)
        except StoreError as exc:
            cause = exc.__cause__
            if failure is None or not isinstance(cause, psycopg.Error):
                raise
            raise StoreError(f"{failure}: {self._scrub(_flat(cause))}") from cause

    def _present(self, conn: psycopg.Connection) -> bool:
        """Whether the store's tables exist (only a read-only store may lack them); refuses a newer layout."""
        if conn.execute("SELECT to_regclass(%s)", (f"{SCHEMA}.meta",)).fetchone() == (None,):
            if self.read_only:
                return False
            raise StoreError(f"the store {self._where!r} has no {SCHEMA}.meta table (was the schema dropped?)")
        row = conn.execute(f"SELECT value FROM {SCHEMA}.meta WHERE key = 'schema_version'").fetchone()
        self._check_version(None if row is None else row[0])
        return True

    def _check_version(self, found: str | None) -> None:
        try:
            version = int(str(found))
        except ValueError:
            raise StoreError(
                f"the schema {SCHEMA!r} of {self._where!r} is not a protest-map store (its meta table has "
                f"schema_version {found!r}); point PROTESTMAP_STORE at another database"
            ) from None
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the store {self._where!r} has schema version {version}, written by a newer protest-map; "
                f"this one knows up to version {SCHEMA_VERSION}. Upgrade protest-map, or point "
                "PROTESTMAP_STORE at another database"
            )

    def _initialise(self) -> None:
        """Create the extension, the schema and its tables when absent (idempotent, safe when concurrent)."""
        with self.connect() as conn:
            if conn.execute("SELECT to_regclass(%s)", (f"{SCHEMA}.meta",)).fetchone() != (None,):
                row = conn.execute(f"SELECT value FROM {SCHEMA}.meta WHERE key = 'schema_version'").fetchone()
                self._check_version(None if row is None else row[0])
                return
            conn.rollback()
            conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", _INIT_LOCK)
            if self._create_extension(conn):  # the session's search path did not have its schema yet
                schemas = conn.execute(
                    "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                    "WHERE e.extname = 'postgis'"
                ).fetchone()
                path = [SCHEMA, "public", *(schemas if schemas and schemas[0] != "public" else [])]
                conn.execute("SELECT set_config('search_path', %s, true)", (", ".join(map(_ident, path)),))
            try:
                conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
            except psycopg.errors.InsufficientPrivilege as exc:
                raise ProtestMapError(
                    f"the store {self._where!r} cannot be set up: the user may not create schema {SCHEMA!r} "
                    f"({self._scrub(_flat(exc))}); the database administrator must run "
                    f"`CREATE SCHEMA {SCHEMA} AUTHORIZATION <your user>;` in that database"
                ) from None
            if conn.execute("SELECT to_regclass(%s)", (f"{SCHEMA}.meta",)).fetchone() != (None,):
                row = conn.execute(f"SELECT value FROM {SCHEMA}.meta WHERE key = 'schema_version'").fetchone()
                self._check_version(None if row is None else row[0])  # another process made it meanwhile
                return
            tables = conn.execute(
                "SELECT string_agg(tablename, ', ' ORDER BY tablename) FROM pg_tables WHERE schemaname = %s",
                (SCHEMA,),
            ).fetchone()
            if tables and tables[0]:
                raise StoreError(
                    f"the schema {SCHEMA!r} of {self._where!r} is not a protest-map store (it has tables "
                    f"{tables[0]} and no meta table); point PROTESTMAP_STORE at another database"
                )
            for statement in _DDL:
                conn.execute(statement)

    def _create_extension(self, conn: psycopg.Connection) -> bool:
        """Create the ``postgis`` extension when the database lacks it; whether it did."""
        if conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone():
            return False
        try:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        except psycopg.errors.InsufficientPrivilege as exc:
            database = conn.info.dbname
            raise ProtestMapError(
                f"the store {self._where!r} needs the PostGIS extension, which the database {database!r} "
                f"lacks and this user may not create ({self._scrub(_flat(exc))}); the database administrator "
                f"must run `CREATE EXTENSION postgis;` in that database"
            ) from None
        except (psycopg.errors.UndefinedFile, psycopg.errors.FeatureNotSupported) as exc:
            raise ProtestMapError(
                f"the store {self._where!r} needs the PostGIS extension, which is not installed on that "
                f"server ({self._scrub(_flat(exc))}); the server's administrator must install PostGIS "
                "(Debian: postgresql-postgis), then run `CREATE EXTENSION postgis;` in that database"
            ) from None
        return True

    def _scrub(self, text: str) -> str:
        return text.replace(self._password, "***") if self._password else text

    def _refuse_if_read_only(self, what: str) -> None:
        if self.read_only:
            raise ProtestMapError(f"cannot {what}: this store is open read-only (PROTESTMAP_MODE=public)")

    # ------------------------------------------------------------ the interface

    def datasets(self) -> list[DatasetInfo]:
        with self._session() as (conn, present):
            rows = (
                conn.execute(f"SELECT {', '.join(_INFO_FIELDS)} FROM {SCHEMA}.datasets").fetchall() if present else []
            )
        infos = [_info(row) for row in rows]
        return sorted(infos, key=lambda info: info.name)

    def read(self, names: Sequence[str] | None = None) -> pd.DataFrame:
        if isinstance(names, str):
            names = [names]
        wanted = None if names is None else list(dict.fromkeys(names))
        with self._session(snapshot=True) as (conn, present):
            known = self._known(conn, present)
            _check_known(wanted or [], sorted(known), self._where)  # type: ignore[arg-type]
            chosen = sorted(known if wanted is None else wanted)
            chunks = [(name, self._fetch(conn, name, known[name][0], FIXED_FIELDS, known[name][1])) for name in chosen]
        return frame_from_chunks(chunks)

    def read_columns(self, names: Sequence[str], columns: Sequence[str]) -> pd.DataFrame:
        wanted, cols = list(dict.fromkeys(names)), list(columns)
        bad = [c for c in cols if c not in _RECORD_COLUMNS]
        if bad:
            raise ProtestMapError(
                f"cannot read column(s) {', '.join(map(repr, bad))} by column; expected record columns"
            )
        if not wanted:
            return columns_from_chunks([], cols)
        stored = [c for c in dict.fromkeys(cols) if c != "dataset"]
        with self._session(snapshot=True) as (conn, present):
            known = self._known(conn, present)
            _check_known(wanted, sorted(known), self._where)  # type: ignore[arg-type]
            chunks = [(name, self._fetch(conn, name, known[name][0], stored, [])) for name in sorted(wanted)]
        return columns_from_chunks(chunks, cols)

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
        table = _columns_to_store(records, name)  # every check of the SQLite store, then PostgreSQL's own
        keys: list[str] = json.loads(table.schema.metadata[EXTRAS_KEY])
        table = _fit_for_postgres(table, keys, name)
        now = datetime.now(UTC).replace(microsecond=0)
        info = DatasetInfo(
            name,
            kind,
            table.num_rows,
            now.isoformat(timespec="seconds"),
            str(source_file),
            str(source_format),
            str(version),
            str(notes),
        )
        with self._session(f"dataset {name!r} was not written") as (conn, _):
            conn.execute("SELECT set_config('maintenance_work_mem', %s, true)", (MAINTENANCE_WORK_MEM,))
            if not replace:  # refused before the load; checked again under the lock below
                self._refuse_duplicate(conn, name)
            # 1. the records go into a table of their own, indexed once they are all in (fast, and
            #    concurrent with other writers: it locks nothing they use)
            partition = _partition(name)
            load = f"{partition}_{secrets.token_hex(4)}"
            conn.execute(
                sql.SQL(
                    "CREATE TABLE {}.{} (dataset text NOT NULL, {}, CONSTRAINT one_dataset CHECK (dataset = {}))"
                ).format(sql.Identifier(SCHEMA), sql.Identifier(load), sql.SQL(_RECORD_COLUMNS_SQL), sql.Literal(name))
            )
            copy_sql = f"COPY {SCHEMA}.{load} ({', '.join(_ident(c) for c in _COPY_COLUMNS)}) FROM STDIN (FORMAT csv)"
            with conn.cursor() as cursor:
                with cursor.copy(copy_sql) as copy:
                    for block in _csv_blocks(name, table, keys):
                        copy.write(block)
                stored = cursor.rowcount
            if stored != info.rows:  # a block generator that stopped early must not commit
                raise ProtestMapError(f"dataset {name!r} was not written: {stored} of {info.rows} rows stored")
            for statement in (
                "ALTER TABLE {table} ADD PRIMARY KEY (dataset, seq), ADD UNIQUE (dataset, record_id)",
                "CREATE INDEX ON {table} USING gist (geom)",
                "CREATE INDEX ON {table} (date)",
                # a view's window (geo.postgis._districts): the days a record covers, whatever their order
                "CREATE INDEX ON {table} USING gist (" + DAYS_COVERED + ")",
                "ANALYZE {table}",  # the planner's statistics (else a read sorts on disk what the key has in order)
            ):
                conn.execute(statement.format(table=f"{SCHEMA}.{load}"))
            # 2. one writer at a time: the dataset's row, and its table becomes records' partition
            conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", _CATALOG_LOCK)
            if not replace:
                self._refuse_duplicate(conn, name)
            conn.execute(f"DROP TABLE IF EXISTS {SCHEMA}.{partition}")
            conn.execute(f"DELETE FROM {SCHEMA}.datasets WHERE name = %s", (name,))
            conn.execute(
                f"INSERT INTO {SCHEMA}.datasets ({', '.join(_INFO_FIELDS)}, extra_columns) "
                f"VALUES ({', '.join(['%s'] * (len(_INFO_FIELDS) + 1))})",
                [name, kind, info.rows, now, info.source_file, info.source_format, info.version, info.notes, keys],
            )
            conn.execute(f"ALTER TABLE {SCHEMA}.{load} RENAME TO {partition}")
            conn.execute(
                sql.SQL("ALTER TABLE {}.records ATTACH PARTITION {}.{} FOR VALUES IN ({})").format(
                    sql.Identifier(SCHEMA), sql.Identifier(SCHEMA), sql.Identifier(partition), sql.Literal(name)
                )
            )
            conn.execute(f"ALTER TABLE {SCHEMA}.{partition} DROP CONSTRAINT one_dataset")
        return info

    def delete(self, name: str) -> None:
        self._refuse_if_read_only(f"delete dataset {name!r}")
        with self._session() as (conn, _):
            conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", _CATALOG_LOCK)
            if not conn.execute(f"SELECT 1 FROM {SCHEMA}.datasets WHERE name = %s", (name,)).fetchone():
                known = [row[0] for row in conn.execute(f"SELECT name FROM {SCHEMA}.datasets")]
                _check_known([name], sorted(known), self._where)  # type: ignore[arg-type]
            conn.execute(f"DROP TABLE IF EXISTS {SCHEMA}.{_partition(name)}")
            conn.execute(f"DELETE FROM {SCHEMA}.datasets WHERE name = %s", (name,))

    def _refuse_duplicate(self, conn: psycopg.Connection, name: str) -> None:
        if conn.execute(f"SELECT 1 FROM {SCHEMA}.datasets WHERE name = %s", (name,)).fetchone():
            raise ProtestMapError(
                f"dataset {name!r} is already in the store at {self._where!r}; "
                "choose another name, or replace it (replace=True / --replace)"
            )

    # ------------------------------------------------------------ reading

    def _known(self, conn: psycopg.Connection, present: bool) -> dict[str, tuple[int, list[str]]]:
        """Every dataset's (rows, extra column names)."""
        if not present:
            return {}
        rows = conn.execute(f"SELECT name, rows, extra_columns FROM {SCHEMA}.datasets").fetchall()
        return {name: (n, list(extras)) for name, n, extras in rows}

    def _fetch(
        self, conn: psycopg.Connection, name: str, rows: int, columns: Sequence[str], keys: list[str]
    ) -> pa.Table:
        """``columns`` (of FIXED_FIELDS) of dataset ``name``, then its extras as fields x0, x1..., in written order."""
        select = [sql.Identifier(c) for c in columns] + [
            sql.SQL("extras ->> {}").format(sql.Literal(key)) for key in keys
        ]
        query = sql.SQL("COPY (SELECT {} FROM {}.records WHERE dataset = {} ORDER BY seq) TO STDOUT (FORMAT csv)")
        data = bytearray()
        with conn.cursor() as cursor:
            statement = query.format(sql.SQL(", ").join(select), sql.Identifier(SCHEMA), sql.Literal(name))
            with cursor.copy(statement) as copy:
                for block in copy:
                    data += block
        fields = [pa.field(c, _ARROW_TYPES[c]) for c in columns] + [pa.field(f"x{k}", _TEXT) for k in range(len(keys))]
        table = _parse_csv(data, fields)
        if table.num_rows != rows:
            raise StoreError(
                f"the store {self._where!r} is inconsistent: dataset {name!r} has {table.num_rows} records, "
                f"not the {rows} its datasets row says"
            )
        meta = {EXTRAS_KEY: json.dumps(keys, ensure_ascii=False).encode()}
        return table.replace_schema_metadata(meta)


# --------------------------------------------------------------------------- helpers


def _partition(name: str) -> str:
    """The table of ``records`` (its partition) that holds dataset ``name``'s records."""
    return "records_" + hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()


def _info(row: tuple) -> DatasetInfo:
    fields = dict(zip(_INFO_FIELDS, row))
    created = fields["created_at"]
    if isinstance(created, datetime):
        fields["created_at"] = created.astimezone(UTC).isoformat(timespec="seconds")
    return DatasetInfo(**fields)


def _flat(exc: BaseException) -> str:
    """An error's message on one line."""
    return " ".join(str(exc).split())


def _fit_for_postgres(table: pa.Table, keys: list[str], name: str) -> pa.Table:
    """The checked records as PostgreSQL can keep them: refuses NUL in text and sub-microsecond times.

    Dates become ``timestamp[us]`` (PostgreSQL's resolution), which changes no value.
    """
    texts = [*schema.TEXT_COLUMNS, "flags"] + [f"x{k}" for k in range(len(keys))]
    labels = dict(zip([f"x{k}" for k in range(len(keys))], keys))
    for field in texts:
        column = table.column(field)
        holding = pc.sum(pc.cast(pc.match_substring(column, "\x00"), pa.int64())).as_py() or 0
        if holding:
            raise ProtestMapError(
                f"dataset {name!r}, column {labels.get(field, field)!r}: {holding} value(s) hold the NUL "
                "character (\\x00), which PostgreSQL cannot keep in text; remove it "
                "(e.g. records[column].str.replace('\\x00', '')) or use a SQLite store"
            )
    bad_keys = [key for key in keys if "\x00" in key]
    if bad_keys:
        raise ProtestMapError(
            f"dataset {name!r}: column name(s) {', '.join(map(repr, bad_keys))} hold the NUL character "
            "(\\x00), which PostgreSQL cannot keep; rename them"
        )
    for col in schema.DATE_COLUMNS:
        column = table.column(col)
        try:
            micro = pc.cast(column, pa.timestamp("us"), safe=True)
        except pa.ArrowInvalid:
            values = column.to_pandas()
            finer = values[values.notna() & (values != values.dt.floor("us"))]
            raise ProtestMapError(
                f"dataset {name!r}, column {col!r}: {len(finer)} value(s) have a time finer than a microsecond "
                f"(e.g. {finer.iloc[0]}), which PostgreSQL timestamps cannot keep; round them "
                "(records[column].dt.round('us')) or use a SQLite store"
            ) from None
        table = table.set_column(table.schema.get_field_index(col), col, micro)
    return table


_CONTROL = re.compile("[\x01-\x1f]")


def _json_text(values: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Each value as the inside of a JSON string (``\\``, ``"`` and control characters escaped); nulls stay."""
    out = pc.replace_substring(values, "\\", "\\\\")
    out = pc.replace_substring(out, '"', '\\"')
    if pc.any(pc.match_substring_regex(out, _CONTROL.pattern)).as_py():
        for code in range(1, 32):
            out = pc.replace_substring(out, chr(code), f"\\u{code:04x}")
    return out


def _extras_json(table: pa.Table, keys: list[str]) -> pa.ChunkedArray | pa.Array:
    """Per record, its extras as a JSON object (the keys with a value, in the written order); null when none."""
    n = table.num_rows
    if not keys:
        return pa.nulls(n, _TEXT)
    empty = pa.scalar("", _TEXT)
    parts = []
    for k, key in enumerate(keys):  # ',"key":"value"', or '' where the record has no value
        head = pa.scalar("," + json.dumps(key, ensure_ascii=False)[:-1] + '":"', _TEXT)
        part = pc.binary_join_element_wise(head, _json_text(table.column(f"x{k}")), pa.scalar('"', _TEXT), empty)
        parts.append(pc.fill_null(part, empty))
    joined = pc.binary_join_element_wise(*parts, empty)  # (Arrow's null_handling="skip" drops rows: not used)
    whole = pc.binary_join_element_wise(
        pa.scalar("{", _TEXT), pc.utf8_slice_codeunits(joined, 1), pa.scalar("}", _TEXT), empty
    )
    return pc.if_else(pc.equal(joined, empty), pa.scalar(None, _TEXT), whole)


def _csv_blocks(name: str, table: pa.Table, keys: list[str]) -> Iterator[memoryview]:
    """The CSV ``COPY ... FROM STDIN (FORMAT csv)`` reads, :data:`COPY_ROWS` records a block.

    Every value is quoted and a null is nothing (PostgreSQL's CSV: an unquoted empty field is
    NULL, ``""`` is the empty text); NaN coordinates are written as NULL.
    """
    n = table.num_rows
    columns: list[pa.Array | pa.ChunkedArray] = [
        pa.repeat(pa.scalar(name, _TEXT), n),
        pa.array(np.arange(n, dtype=np.int64)),
    ]
    for col in schema.COLUMNS:
        column = table.column(col)
        if col in schema.FLOAT_COLUMNS:
            column = pc.if_else(pc.is_nan(column), pa.scalar(None, pa.float64()), column)
        columns.append(column)
    columns += [table.column("flags"), table.column(SOURCE_ROW), _extras_json(table, keys)]
    out = pa.Table.from_arrays(columns, names=[f"c{k}" for k in range(len(columns))])
    for start in range(0, n, COPY_ROWS):
        sink = pa.BufferOutputStream()
        pa_csv.write_csv(out.slice(start, COPY_ROWS), sink, _WRITE_CSV)
        yield memoryview(sink.getvalue())


def _parse_csv(data: bytearray, fields: list[pa.Field]) -> pa.Table:
    """``COPY ... TO STDOUT (FORMAT csv)`` output as a table of ``fields`` (unquoted empty = null)."""
    names = [f.name for f in fields]
    if not data:
        return pa.Table.from_arrays([pa.array([], type=f.type) for f in fields], schema=pa.schema(fields))
    table = pa_csv.read_csv(
        pa.py_buffer(data),
        read_options=pa_csv.ReadOptions(column_names=names, block_size=1 << 24),
        parse_options=pa_csv.ParseOptions(newlines_in_values=True),
        convert_options=pa_csv.ConvertOptions(
            column_types={f.name: f.type for f in fields},
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
            true_values=[],
            false_values=[],
        ),
    )
    return table.cast(pa.schema(fields))
