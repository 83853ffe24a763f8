"""How a frame of records becomes the store's columns, and back (``geo.store`` writes and reads them).

A dataset's records are kept column by column: chunks of at most :data:`CHUNK_ROWS` records,
each one Arrow IPC file (its buffers zstd-compressed) in an SQLite BLOB.  A chunk has the
:data:`geo.schema.COLUMNS` in the types of :mod:`geo.records` (text as UTF-8, never null, ``''``
when blank; dates as ``timestamp[ns]``, null when blank; floats as ``float64``, ``NaN`` kept as it
is; nullable integers as ``int64``, null when blank), ``flags`` (text, joined by
:data:`FLAG_SEPARATOR`), ``source_row`` (``int64``, null when unknown), then the extra columns as
text (``str(value)``, null where a record has no value) as fields ``x0``, ``x1``... whose names are
the JSON list under :data:`EXTRAS_KEY` in the chunk's schema metadata (any text can name a
column).  Reading decodes whole columns at once: no per-record Python work.  Each problem of a
written frame is a :class:`~geo.errors.ProtestMapError` naming the dataset and the column.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo import schema
from geo.errors import ProtestMapError

#: Columns ``read`` adds after :data:`geo.schema.COLUMNS` and the extra columns
#: (``source_row`` follows them when a record read has one).
EXTRA_COLUMNS = ["dataset", "flags"]
#: Column of the written frame kept as an integer column of its own (the row in the source file).
SOURCE_ROW = "source_row"
#: Separator of the flags of one record.
FLAG_SEPARATOR = "; "
#: Columns of a written frame that are not extras.
_NOT_EXTRAS = frozenset([*schema.COLUMNS, *EXTRA_COLUMNS, SOURCE_ROW])
#: Most records in one stored chunk (one BLOB); a chunk whose file would pass :data:`MAX_CHUNK_BYTES` is split.
CHUNK_ROWS = 262_144
#: Largest BLOB written (SQLite's own limit is 10^9 bytes).
MAX_CHUNK_BYTES = 256 * 1024 * 1024
#: Schema metadata key of a chunk: the JSON list of its extra columns' names (fields x0, x1, ...).
EXTRAS_KEY = b"protest_map.extras"

_TEXT = pa.large_string()
_ARROW_TYPES: dict[str, pa.DataType] = {
    **dict.fromkeys([*schema.TEXT_COLUMNS, "dataset", "flags"], _TEXT),
    **dict.fromkeys(schema.DATE_COLUMNS, pa.timestamp("ns")),
    **dict.fromkeys(schema.FLOAT_COLUMNS, pa.float64()),
    **dict.fromkeys([*schema.INT_COLUMNS, SOURCE_ROW], pa.int64()),
}
#: The fields every chunk starts with, in this order (the extras follow).
FIXED_FIELDS = [*schema.COLUMNS, "flags", SOURCE_ROW]
_FIXED_AT = {c: k for k, c in enumerate(FIXED_FIELDS)}


def _columns_to_store(records: pd.DataFrame, name: str) -> pa.Table:
    """The records as the Arrow table whose chunks are stored (every check of a write happens here)."""
    if not isinstance(records, pd.DataFrame):
        raise ProtestMapError(f"dataset {name!r}: expected a pandas DataFrame of records, got {type(records).__name__}")
    missing = [c for c in schema.COLUMNS if c not in records.columns]
    if missing:
        raise ProtestMapError(
            f"dataset {name!r}: the records lack column(s) {', '.join(missing)}; expected every "
            "column of geo.schema.COLUMNS (as geo.records.load_records produces them)"
        )
    if records.columns.duplicated().any():
        dupes = sorted(set(records.columns[records.columns.duplicated()]))
        raise ProtestMapError(f"dataset {name!r}: the records repeat column(s) {', '.join(map(str, dupes))}")
    ids = _text(records["record_id"])
    blank = np.flatnonzero((ids == "").to_numpy(dtype=bool))
    if len(blank):
        raise ProtestMapError(
            f"dataset {name!r}: record_id is blank in {len(blank)} record(s) (positions "
            f"{', '.join(map(str, blank[:10]))}); every record needs a unique record_id"
        )
    dupes = sorted(set(ids[ids.duplicated()]))
    if dupes:
        raise ProtestMapError(
            f"dataset {name!r}: record_id repeats within the dataset: "
            f"{', '.join(repr(v) for v in dupes[:10])}" + (f" and {len(dupes) - 10} more" if len(dupes) > 10 else "")
        )
    arrays: list[pa.Array] = []
    for col in schema.COLUMNS:
        series = records[col]
        try:
            if col == "record_id":
                values = ids
            elif col in schema.TEXT_COLUMNS:
                values = _text(series)
            elif col in schema.DATE_COLUMNS:
                values = _dates(series)
            elif col in schema.FLOAT_COLUMNS:
                values = pd.to_numeric(series).astype(float).to_numpy()  # NaN stays NaN, not null
            else:
                values = series.astype("Int64").array
            arrays.append(pa.array(values, type=_ARROW_TYPES[col]))
        except (TypeError, ValueError, OverflowError, pa.ArrowException) as exc:
            raise ProtestMapError(f"dataset {name!r}, column {col!r}: {exc}") from None
    flags = records["flags"] if "flags" in records.columns else pd.Series("", index=records.index, dtype=str)
    arrays.append(pa.array(_flags(flags), type=_TEXT))
    if SOURCE_ROW in records.columns:
        try:
            arrays.append(pa.array(pd.Series(records[SOURCE_ROW]).astype("Int64").array, type=pa.int64()))
        except (TypeError, ValueError, OverflowError, pa.ArrowException) as exc:
            raise ProtestMapError(
                f"dataset {name!r}, column {SOURCE_ROW!r} (the row in the source file; expected whole numbers): {exc}"
            ) from None
    else:
        arrays.append(pa.nulls(len(records), pa.int64()))
    keys, extras = _extras(records, name)
    fields = [pa.field(c, _ARROW_TYPES[c]) for c in FIXED_FIELDS] + [pa.field(f"x{k}", _TEXT) for k in range(len(keys))]
    meta = {EXTRAS_KEY: json.dumps(keys, ensure_ascii=False).encode()}
    return pa.Table.from_arrays([*arrays, *extras], schema=pa.schema(fields, metadata=meta))


def _extras(records: pd.DataFrame, name: str) -> tuple[list[str], list[pa.Array]]:
    """The extra columns' names (as text) and values: ``str(value)``, null where a value is missing."""
    names = [c for c in records.columns if c not in _NOT_EXTRAS]
    keys = [str(c) for c in names]
    if len(set(keys)) != len(keys) or not _NOT_EXTRAS.isdisjoint(keys):
        clash = sorted({k for k in keys if keys.count(k) > 1 or k in _NOT_EXTRAS})
        raise ProtestMapError(
            f"dataset {name!r}: the records have several columns named "
            f"{', '.join(repr(k) for k in clash)} (as text); rename them"
        )
    out = []
    for col in names:
        series = records[col]
        if isinstance(series.dtype, pd.StringDtype):  # already text: missing values become nulls
            out.append(pa.array(series.array, type=_TEXT))
            continue
        missing = series.isna().to_numpy(dtype=bool)
        values = [None if gone else str(v) for v, gone in zip(series.astype(object).tolist(), missing)]
        out.append(pa.array(values, type=_TEXT))
    return keys, out


def _text(series: pd.Series) -> pd.Series:
    return series.astype(str).fillna("")


def _dates(series: pd.Series) -> pd.Series:
    if not pd.api.types.is_datetime64_dtype(series.dtype):
        if not isinstance(series.dtype, pd.DatetimeTZDtype):
            series = pd.to_datetime(series, format="ISO8601")
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            raise ValueError("expected dates without a time zone (the schema's dates are local days)")
    return series.astype("datetime64[ns]")


def _flags(series: pd.Series) -> pd.Series | list[str]:
    if isinstance(series.dtype, pd.StringDtype):
        return series.fillna("")
    return [
        FLAG_SEPARATOR.join(str(f) for f in v)
        if isinstance(v, (list, tuple, set))
        else ""
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA
        else str(v)
        for v in series.astype(object).tolist()
    ]


# --------------------------------------------------------------------------- chunks


def encode_chunks(table: pa.Table) -> list[tuple[int, bytes]]:
    """``(records, Arrow IPC file bytes)`` of each chunk of ``table``, in order (none for no records)."""
    out: list[tuple[int, bytes]] = []
    for start in range(0, table.num_rows, CHUNK_ROWS):
        out.extend(_encode(table.slice(start, CHUNK_ROWS)))
    return out


_WRITE_OPTIONS = pa.ipc.IpcWriteOptions(compression="zstd")


def _encode(part: pa.Table) -> list[tuple[int, bytes]]:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, part.schema, options=_WRITE_OPTIONS) as writer:
        writer.write_table(part)
    data = sink.getvalue().to_pybytes()
    if len(data) > MAX_CHUNK_BYTES and part.num_rows > 1:
        half = part.num_rows // 2
        return [*_encode(part.slice(0, half)), *_encode(part.slice(half))]
    return [(part.num_rows, data)]


def decode_chunk(data: bytes, columns: Sequence[str] | None = None) -> pa.Table:
    """One stored chunk: all its fields, or only ``columns`` of :data:`FIXED_FIELDS` (the others stay compressed)."""
    options = None if columns is None else pa.ipc.IpcReadOptions(included_fields=[_FIXED_AT[c] for c in columns])
    return pa.ipc.open_file(pa.BufferReader(data), options=options).read_all()


def _read_types(dtype: pa.DataType):
    return pd.Int64Dtype() if dtype == pa.int64() else None


def _as_frame(arrays: list[pa.ChunkedArray], names: list[str]) -> pd.DataFrame:
    """Columns as a frame in the dtypes ``read`` gives: ``str``, ``datetime64[ns]``, ``float64``, ``Int64``."""
    table = pa.Table.from_arrays(arrays, names=[f"c{k}" for k in range(len(arrays))])
    frame = table.to_pandas(types_mapper=_read_types)
    frame.columns = pd.Index(names)
    return frame


def _empty(col: str) -> pa.ChunkedArray:
    return pa.chunked_array([], type=_ARROW_TYPES[col])


def frame_from_chunks(chunks: Sequence[tuple[str, pa.Table]]) -> pd.DataFrame:
    """``Store.read``'s frame of ``(dataset, chunk)`` pairs, in their order.

    The extra columns come in the order they first appear (by record, then by their order in the
    written frame), ``''`` where a record has none; ``source_row`` only when a record has one.
    """
    order: dict[str, None] = {}
    present: list[dict[str, pa.ChunkedArray]] = []
    for _, table in chunks:
        keys = json.loads((table.schema.metadata or {}).get(EXTRAS_KEY, b"[]"))
        found = []
        for pos, key in enumerate(keys):
            column = table.column(f"x{pos}")
            if column.null_count < len(column):
                found.append((pc.index(pc.is_valid(column), True).as_py(), pos, key, column))
        found.sort(key=lambda item: item[:2])
        order.update((key, None) for *_, key, _ in found)
        present.append({key: pc.fill_null(column, "") for *_, key, column in found})
    extras = list(order)
    columns: dict[str, list] = {c: [] for c in [*schema.COLUMNS, *extras, *EXTRA_COLUMNS, SOURCE_ROW]}
    for (dataset, table), mine in zip(chunks, present):
        n = table.num_rows
        for col in [*schema.COLUMNS, "flags", SOURCE_ROW]:
            columns[col].extend(table.column(col).chunks)
        for key in extras:
            columns[key].extend(mine[key].chunks if key in mine else [pa.repeat(pa.scalar("", _TEXT), n)])
        columns["dataset"].append(pa.repeat(pa.scalar(dataset, _TEXT), n))
    names = [*schema.COLUMNS, *extras, *EXTRA_COLUMNS]
    if any(part.null_count < len(part) for part in columns[SOURCE_ROW]):
        names.append(SOURCE_ROW)
    return _as_frame([pa.chunked_array(columns[c], type=_ARROW_TYPES.get(c, _TEXT)) for c in names], names)


def columns_from_chunks(chunks: Sequence[tuple[str, pa.Table]], cols: Sequence[str]) -> pd.DataFrame:
    """``Store.read_columns``'s frame: ``cols`` (record columns and ``dataset``) of the chunks, in order."""
    arrays = []
    for col in cols:
        if col == "dataset":
            parts = [pa.repeat(pa.scalar(dataset, _TEXT), table.num_rows) for dataset, table in chunks]
        else:
            parts = [part for _, table in chunks for part in table.column(col).chunks]
        arrays.append(pa.chunked_array(parts, type=_ARROW_TYPES[col]) if parts else _empty(col))
    return _as_frame(arrays, list(cols))
