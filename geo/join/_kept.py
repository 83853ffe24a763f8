"""The join's answers kept between runs: the same records on the same boundaries are read back, not placed again.

:func:`geo.join.join_kept` is :func:`geo.join.join_incidents` with a folder of kept answers.  An
answer is filed under the sha256 of everything that decides it: the columns the join
reads (``date``, ``city``, ``latitude``, ``longitude``, ``geo_precision``, row by row),
the boundary set (:func:`fingerprint`, and the layers' and districts' names), the gap
tolerance, the join's own code and the cities it knows (:mod:`geo.schema`).  A
changed record, boundary file or rule makes a new name, so a kept answer is never stale;
the folder keeps the :data:`KEPT` most recently used.  A file that cannot be read or
written only costs the time of placing the points again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.ipc as ipc
import shapely

from geo.boundaries import UTM_EPSG
from geo.join._common import OUTPUT_COLUMNS
from geo.join._locate import _Cities, _city_table
from geo.schema import CITIES, CITY_IDS, JOIN_COLUMNS

#: Answers kept in the folder (the most recently used).
KEPT = 8

#: What the join reads of a record (and all that decides its placement, with the boundaries).
INPUT_COLUMNS = ["date", "city", "latitude", "longitude", "geo_precision"]

_CODE = Path(__file__).resolve().parent


def fingerprint(cities: _Cities) -> str:
    """sha256 of what the join reads from a boundary set: cities, bounds, outlines, layers, districts."""
    digest = hashlib.sha256()
    for c in cities.cities:
        digest.update(repr((c.city_id, c.bounds)).encode())
        if c.outline is not None:
            digest.update(shapely.to_wkb(c.outline))
        for layer in c.layers:
            digest.update(repr((layer.valid_from, layer.valid_to)).encode())
            for district_id, geom in zip(layer.districts["district_id"], layer.districts.geometry.array):
                digest.update(str(district_id).encode())
                digest.update(b"" if geom is None else shapely.to_wkb(geom))
    return "sha256:" + digest.hexdigest()


def plain(records: pd.DataFrame) -> bool:
    """A frame whose join inputs are its columns (a GeoDataFrame's points are not hashed here)."""
    return not hasattr(records, "geometry") and all(c in records.columns for c in INPUT_COLUMNS)


def key(records: pd.DataFrame, boundaries, tol: float) -> str:
    digest = hashlib.sha256()
    for source in sorted(_CODE.glob("*.py")):  # the rules: another version of the join, another answer
        digest.update(source.read_bytes())
    digest.update(fingerprint(_city_table(boundaries)).encode())
    # and what else the join writes or reads: the layers' and districts' names, the cities it knows
    for layer in boundaries.layers:
        digest.update(repr((layer.city_id, layer.name, layer.districts["name_en"].astype(str).tolist())).encode())
    digest.update(repr((CITY_IDS, CITIES, JOIN_COLUMNS, UTM_EPSG)).encode())
    digest.update(repr((float(tol), len(records), [str(records[c].dtype) for c in INPUT_COLUMNS])).encode())
    rows = pd.util.hash_pandas_object(records[INPUT_COLUMNS], index=False).to_numpy()
    digest.update(rows.tobytes())
    return digest.hexdigest()[:40]


def read(path: Path, n: int) -> dict[str, tuple[np.ndarray, list[str]]] | None:
    """Each output column's codes and values, when ``path`` holds an answer of ``n`` rows."""
    try:
        with pa.memory_map(str(path)) as source:
            table = ipc.open_file(source).read_all()
    except (OSError, pa.ArrowException):
        return None
    if table.num_rows != n or table.column_names != OUTPUT_COLUMNS:
        return None
    out = {}
    for name in OUTPUT_COLUMNS:
        column = table.column(name).combine_chunks()
        if not pa.types.is_dictionary(column.type):
            return None
        out[name] = (column.indices.to_numpy(zero_copy_only=False), column.dictionary.to_pylist())
    with contextlib.suppress(OSError):  # recently used (a read-only folder keeps its order)
        os.utime(path)
    return out


def keep(path: Path, joined: pd.DataFrame) -> None:
    """Write the answer's columns (dictionary-encoded, a few distinct values each, and compressed); keep the newest."""
    arrays = {}
    for name in OUTPUT_COLUMNS:
        encoded = pa.chunked_array([pa.Array.from_pandas(joined[name])]).combine_chunks().dictionary_encode()
        values = encoded.dictionary.cast(pa.large_string())
        width = pa.int8() if len(values) < 2**7 else pa.int16() if len(values) < 2**15 else pa.int32()
        arrays[name] = pa.DictionaryArray.from_arrays(encoded.indices.cast(width), values)
    partial = path.with_suffix(f".{os.getpid()}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        table = pa.table(arrays)
        options = ipc.IpcWriteOptions(compression="zstd")
        with pa.OSFile(str(partial), "wb") as sink, ipc.new_file(sink, table.schema, options=options) as writer:
            writer.write_table(table)
        os.replace(partial, path)  # whole or not at all
        answers = sorted(path.parent.glob("*.arrow"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in answers[KEPT:]:
            old.unlink(missing_ok=True)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
