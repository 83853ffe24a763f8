"""How a frame of records becomes the store's column values (``geo.store`` writes them).

Every column of :data:`geo.schema.COLUMNS` as a list of plain Python values (``None`` for
NULL), the extra columns as one JSON object per record, the flags joined by
:data:`FLAG_SEPARATOR`; each problem a :class:`~geo.errors.ProtestMapError` naming the
dataset and the column.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from geo import schema
from geo.errors import ProtestMapError

#: Columns ``read`` adds after :data:`geo.schema.COLUMNS` and the extra columns
#: (``source_row`` follows them when a record read has one).
EXTRA_COLUMNS = ["dataset", "flags"]
#: Column of the written frame kept as an ``INTEGER`` of its own (the row in the source file).
SOURCE_ROW = "source_row"
#: Separator of the flags of one record.
FLAG_SEPARATOR = "; "
#: Columns of a written frame that are not extras.
_NOT_EXTRAS = frozenset([*schema.COLUMNS, *EXTRA_COLUMNS, SOURCE_ROW])


def _columns_to_store(records: pd.DataFrame, name: str) -> list[list]:
    """Every column to insert as a list of plain Python values (None for NULL)."""
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
    blank = [i for i, v in enumerate(ids) if v == ""]
    if blank:
        raise ProtestMapError(
            f"dataset {name!r}: record_id is blank in {len(blank)} record(s) (positions "
            f"{', '.join(map(str, blank[:10]))}); every record needs a unique record_id"
        )
    all_ids = pd.Series(ids, dtype=object)
    dupes = sorted(set(all_ids[all_ids.duplicated()]))
    if dupes:
        raise ProtestMapError(
            f"dataset {name!r}: record_id repeats within the dataset: "
            f"{', '.join(repr(v) for v in dupes[:10])}" + (f" and {len(dupes) - 10} more" if len(dupes) > 10 else "")
        )
    out: list[list] = []
    for col in schema.COLUMNS:
        series = records[col]
        try:
            if col == "record_id":
                out.append(ids)
            elif col in schema.TEXT_COLUMNS:
                out.append(_text(series))
            elif col in schema.DATE_COLUMNS:
                out.append(_dates(series))
            elif col in schema.FLOAT_COLUMNS:
                out.append(_nullable(pd.to_numeric(series).astype(float)))
            else:
                out.append(_nullable(series.astype("Int64")))
        except (TypeError, ValueError, OverflowError) as exc:
            raise ProtestMapError(f"dataset {name!r}, column {col!r}: {exc}") from None
    out.append(_flags(records["flags"]) if "flags" in records.columns else [""] * len(records))
    out.append(_extras(records, name))
    if SOURCE_ROW in records.columns:
        try:
            out.append(_nullable(pd.Series(records[SOURCE_ROW]).astype("Int64")))
        except (TypeError, ValueError, OverflowError) as exc:
            raise ProtestMapError(
                f"dataset {name!r}, column {SOURCE_ROW!r} (the row in the source file; expected whole numbers): {exc}"
            ) from None
    else:
        out.append([None] * len(records))
    return out


def _extras(records: pd.DataFrame, name: str) -> list:
    """Per record, its extra columns as a JSON object of text values (``None`` when it has none)."""
    names = [c for c in records.columns if c not in _NOT_EXTRAS]
    if not names:
        return [None] * len(records)
    keys = [str(c) for c in names]
    if len(set(keys)) != len(keys) or not _NOT_EXTRAS.isdisjoint(keys):
        clash = sorted({k for k in keys if keys.count(k) > 1 or k in _NOT_EXTRAS})
        raise ProtestMapError(
            f"dataset {name!r}: the records have several columns named "
            f"{', '.join(repr(k) for k in clash)} (as text); rename them"
        )
    texts = []
    for col in names:
        series = records[col]
        missing = series.isna().to_numpy(dtype=bool)
        values = [str(v) for v in series.astype(object).tolist()]
        texts.append([None if gone else v for v, gone in zip(values, missing)])
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    out: list = []
    for row in zip(*texts):
        present = {k: v for k, v in zip(keys, row) if v is not None}
        out.append(dumps(present) if present else None)
    return out


def _text(series: pd.Series) -> list[str]:
    return series.astype(str).fillna("").tolist()


def _nullable(series: pd.Series) -> list:
    return series.astype(object).where(series.notna(), None).tolist()


def _dates(series: pd.Series) -> list:
    if not pd.api.types.is_datetime64_dtype(series.dtype):
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            raise ValueError("expected dates without a time zone (the schema's dates are local days)")
        series = pd.to_datetime(series, format="ISO8601")
    present = series.dropna()
    if (present == present.dt.normalize()).all():
        text = series.dt.strftime("%Y-%m-%d")
    else:
        text = pd.Series([t.isoformat() if pd.notna(t) else None for t in series], index=series.index, dtype=object)
    return _nullable(text)


def _flags(series: pd.Series) -> list[str]:
    return [
        FLAG_SEPARATOR.join(str(f) for f in v)
        if isinstance(v, (list, tuple, set))
        else ""
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA
        else str(v)
        for v in series.astype(object).tolist()
    ]
