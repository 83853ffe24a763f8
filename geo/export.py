"""Records out: CSV (dates as YYYY-MM-DD, blanks as empty) and GeoJSON (points; null when unplaced).

Every CSV the project writes is **formula-safe** (OWASP, "CSV injection"): a text
cell (or a column name) that a spreadsheet would run as a formula, one beginning
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, is written with one
single quote ``'`` in front (``=HYPERLINK(...)`` -> ``'=HYPERLINK(...)``).  Numbers
stay numbers: numeric columns are never touched, and a text cell that is a plain
number (``-0.5``, ``-5``, ``+3``) is not a formula and is left as it is.  A cell
that already begins with quotes before one of those characters gets one quote more
(``'=x`` -> ``''=x``), so the rule can be undone exactly: the importer
(:func:`restore_cell`, applied to every delimited-text file it reads) takes one
leading ``'`` off a cell whose rest is quotes then one of those characters, and a
re-imported export gives back the original text.  GeoJSON is not a spreadsheet
format and is written as it is.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from geo import schema

#: Columns used inside the program that an export leaves out.
INTERNAL_COLUMNS = ["source_file", "source_row"]
#: What a spreadsheet runs as a formula when a cell begins with it (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_GUARD = "'"
_NEEDS_GUARD = re.compile(r"'*[=+\-@\t\r]", re.DOTALL)
_GUARDED = re.compile(r"'+[=+\-@\t\r]", re.DOTALL)
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def neutralise_cell(value: str) -> str:
    """``value`` as a spreadsheet shows it as text: a leading ``'`` when it would run as a formula."""
    if _NEEDS_GUARD.match(value) and not _PLAIN_NUMBER.fullmatch(value):
        return _GUARD + value
    return value


def restore_cell(value: str) -> str:
    """The text :func:`neutralise_cell` was given (one leading ``'`` off when it put one there)."""
    return value[1:] if _GUARDED.match(value) else value


def restore_frame(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """``frame`` (text cells, as the importer reads them) with :func:`restore_cell` applied, and how many changed.

    The frame is returned as it is when nothing changed; else a copy, its column names restored too.
    """
    out: pd.DataFrame | None = None
    changed = 0
    for i in range(frame.shape[1]):
        series = frame.iloc[:, i]
        if pd.api.types.is_numeric_dtype(series.dtype):
            continue
        text = series.astype(str)
        quoted = text.str.startswith(_GUARD).to_numpy(dtype=bool)  # cheap: most cells do not
        if not quoted.any():
            continue
        guarded = quoted & text.str.match(_GUARDED).to_numpy(dtype=bool)
        if not guarded.any():
            continue
        out = frame.copy() if out is None else out
        out.isetitem(i, text.where(~guarded, text.str.slice(1)))
        changed += int(guarded.sum())
    names = [restore_cell(c) if isinstance(c, str) else c for c in frame.columns]
    if names != list(frame.columns):
        out = frame.copy() if out is None else out
        out.columns = names
        changed += sum(a != b for a, b in zip(names, frame.columns))
    return (frame if out is None else out), changed


def formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names are neutralised; numeric columns untouched."""
    out = frame.copy()
    for i in range(frame.shape[1]):
        series = frame.iloc[:, i]
        if pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_datetime64_any_dtype(series.dtype):
            continue
        out.isetitem(i, series.map(lambda v: neutralise_cell(v) if isinstance(v, str) else v, na_action="ignore"))
    out.columns = [neutralise_cell(c) if isinstance(c, str) else c for c in frame.columns]
    return out


def safe_csv(frame: pd.DataFrame, **to_csv) -> str:
    """``frame`` as formula-safe CSV text (``to_csv``'s options pass through; no index by default)."""
    to_csv.setdefault("index", False)
    to_csv.setdefault("lineterminator", "\r\n")  # RFC 4180; a cell holding \r or \n is then quoted
    return formula_safe(frame).to_csv(**to_csv)


def records_to_csv(records: pd.DataFrame) -> str:
    """The records as native, formula-safe CSV text."""
    return safe_csv(_plain(records))


def records_to_geojson(records: pd.DataFrame) -> str:
    """The records as a GeoJSON FeatureCollection in WGS84; records without coordinates get a null geometry."""
    import geopandas as gpd

    frame = _plain(records)
    has_xy = records["latitude"].notna() & records["longitude"].notna()
    points = gpd.points_from_xy(records["longitude"], records["latitude"])
    geometry = gpd.GeoSeries([p if ok else None for p, ok in zip(points, has_xy)], index=frame.index, crs="EPSG:4326")
    gdf = gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")
    return gdf.to_json(na="null", drop_id=True, ensure_ascii=False)


def write_records(records: pd.DataFrame, out: Path) -> None:
    """Write ``records`` to ``out``; the format follows the extension (.csv, .geojson/.json)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    text = records_to_csv(records) if out.suffix.lower() == ".csv" else records_to_geojson(records)
    out.write_text(text, encoding="utf-8")


def _plain(records: pd.DataFrame) -> pd.DataFrame:
    frame = records.drop(columns=[c for c in INTERNAL_COLUMNS if c in records.columns])
    for col in schema.DATE_COLUMNS:
        if col in frame.columns:
            frame[col] = pd.to_datetime(frame[col]).dt.strftime("%Y-%m-%d").fillna("")
    return frame
