"""Bring your own data: read ACLED exports, Crowd Counting-style sheets, team spreadsheets
and native files, and turn every row into a record, a merge or a rejection.

The pipeline (nothing is written anywhere; the store writes an :class:`ImportResult`
in one transaction)::

    read_table(path)            any CSV (UTF-8, UTF-8 BOM, Windows-1251; , ; or tab), GeoJSON or GeoPackage
      -> detect_format(table)   'native' | 'acled' | 'ccc' | 'unknown'
      -> to_native_*(table)     native text cells + per-row flags + rows that cannot be records
      -> _normalise             decimal commas, counts stated as text, high below low, dates
      -> geo.records.validate_frame
      -> flags                  swapped coordinates, outside both cities, future dates
      -> merges                 same record_id, or same date + city + place + first source

Every input row ends up exactly once in ``records``, ``merged`` or ``rejected``
(:meth:`ImportResult.check`).

>>> result = import_rows("kazakhstan_acled.csv")            # doctest: +SKIP
>>> result.counts                                          # doctest: +SKIP
{'imported': 812, 'merged': 3, 'flagged': 40, 'rejected': 2, 'total': 817}
>>> write_rejected(result, "kazakhstan_acled.csv")          # doctest: +SKIP
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from geo import schema
from geo.errors import BoundariesNotConfigured, BoundaryCheckError, Problem, ProtestMapError
from geo.records import validate_frame

__all__ = [
    "ACLED_CITATION_URL",
    "Converted",
    "ImportFileError",
    "ImportResult",
    "MappingError",
    "RawTable",
    "detect_format",
    "import_rows",
    "load_mapping",
    "preview",
    "read_table",
    "to_native",
    "to_native_acled",
    "to_native_ccc",
    "to_native_mapped",
    "to_native_native",
    "write_rejected",
]

#: ACLED rows carry no URLs; every imported ACLED record cites ACLED's data export tool
#: (where a user gets the export) and keeps ACLED's own ``source`` names in ``source_names``.
ACLED_CITATION_URL = "https://acleddata.com/data-export-tool/"

FORMATS = ("native", "acled", "ccc", "mapped")

#: Columns the rejected frame puts before the original cells of each rejected row.
DIAGNOSTIC_COLUMNS = ["file", "row", "column", "value", "reason"]

#: Rows handled per step between two ``progress`` calls.
CHUNK_ROWS = 10_000

#: A count above this is not a count (and would overflow the store's integers).
MAX_COUNT = 10**8
#: Dates outside these years are typing errors, not events.
MIN_YEAR, MAX_YEAR = 1900, 2100


class ImportFileError(ProtestMapError):
    """A file cannot be read at all (missing, empty, not a table, GeoJSON not in WGS84)."""


class MappingError(ProtestMapError):
    """A column mapping is malformed or names a column the file does not have."""


# --------------------------------------------------------------------------- reading


@dataclass
class RawTable:
    """A file read as text cells, before any interpretation.

    ``frame`` has one row per data row of the file (in order), one ``str`` column per
    header column (blank cells are ``""``, never NaN).  Row ``i`` of the frame is row
    ``first_row + i`` of the file as a spreadsheet shows it (CSV: the header is row 1;
    GeoJSON: feature numbers from 1).  ``ragged`` maps a frame position to
    ``(cells found, cells expected, extra cells)`` for rows whose cell count differs
    from the header's; extra cells are kept in ``overflow`` (joined by the delimiter).
    ``problems`` lists file-level findings (a header repaired, a byte that was not
    Windows-1251).
    """

    frame: pd.DataFrame
    header: list[str]
    encoding: str
    delimiter: str | None
    first_row: int
    file: str
    ragged: dict[int, tuple[int, int]] = field(default_factory=dict)
    overflow: dict[int, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.frame)

    def rows(self) -> np.ndarray:
        """The file row number of every frame row."""
        return np.arange(len(self.frame), dtype=np.int64) + self.first_row

    def head(self, n: int) -> RawTable:
        """The first ``n`` rows as a table of their own (same file, same numbering)."""
        keep = {i: v for i, v in self.ragged.items() if i < n}
        over = {i: v for i, v in self.overflow.items() if i < n}
        return RawTable(self.frame.iloc[:n].reset_index(drop=True), list(self.header), self.encoding,
                        self.delimiter, self.first_row, self.file, keep, over, list(self.problems))


def read_table(path: str | Path, layer: str | None = None) -> RawTable:
    """Read a CSV-like, GeoJSON or GeoPackage file into text cells without losing a row.

    Parameters
    ----------
    path : str or Path
        ``.geojson``/``.json``: a FeatureCollection of Points in WGS84 (properties
        become columns, the point becomes ``latitude``/``longitude``).  ``.gpkg``: a
        GeoPackage layer of Points in WGS84 (attribute columns become columns, the
        point becomes ``latitude``/``longitude``).  Anything else is read as
        delimited text.
    layer : str, optional
        The GeoPackage layer to read (default: the first).  Ignored for other files.

    Returns
    -------
    RawTable

    Raises
    ------
    ImportFileError
        The file is missing, empty, has no header, is not a FeatureCollection, is not
        a readable GeoPackage (or lacks the named layer) or declares a CRS other than
        WGS84.

    Notes
    -----
    Encoding: a UTF-8 byte order mark means UTF-8; otherwise the bytes are decoded as
    strict UTF-8, and when that fails as Windows-1251 (``encoding`` says which).  The
    delimiter (``,`` ``;`` or tab) is asked of :class:`csv.Sniffer` and checked against
    how evenly each candidate splits the first rows; the most even split wins.  Rows
    with too many or too few cells are kept (padded with blanks) and listed in
    ``ragged``.
    """
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise ImportFileError(f"{name}: file not found (looked at {path.resolve()})")
    if path.is_dir():
        raise ImportFileError(f"{name}: is a folder, expected a .csv, .tsv, .txt, .geojson or .gpkg file")
    if path.suffix.lower() == ".gpkg":
        return _gpkg_table(path, name, layer)
    data = path.read_bytes()
    text, encoding, problems = _decode(data, name)
    if path.suffix.lower() in (".geojson", ".json"):
        return _geojson_table(text, name, encoding, problems)
    return _delimited_table(text, name, encoding, problems)


def _decode(data: bytes, name: str) -> tuple[str, str, list[str]]:
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig", []
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                f"{name}: starts with a UTF-8 byte order mark but byte {exc.start + 3} is not UTF-8; "
                "save it again as UTF-8") from None
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251"), "cp1251", []
    except UnicodeDecodeError as exc:
        # 0x98 is the one byte Windows-1251 leaves undefined: keep the row, say so.
        return (data.decode("cp1251", errors="replace"), "cp1251",
                [f"{name}: byte {exc.start} ({data[exc.start:exc.start + 1]!r}) is neither UTF-8 nor "
                 "Windows-1251; read as U+FFFD"])


_DELIMITERS = (",", ";", "\t")


def _sniff_delimiter(text: str) -> str:
    sample = text[:65536]
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(_DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    # The sniffer is easily fooled by decimal commas in ';' files: check it by counting.
    lines = sample.splitlines()[:51]
    if len(lines) > 1 and not sample.endswith(("\n", "\r")) and len(sample) == 65536:
        lines = lines[:-1]
    best, best_score = None, None
    for delim in _DELIMITERS:
        try:
            rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delim))
        except csv.Error:
            continue
        if not rows:
            continue
        width = len(rows[0])
        even = sum(len(r) == width for r in rows[1:] if r) / max(1, sum(1 for r in rows[1:] if r))
        score = (width > 1, round(even, 2), width, delim == sniffed)
        if best_score is None or score > best_score:
            best, best_score = delim, score
    if best is None or not best_score[0]:
        return sniffed or ","
    return best


def _delimited_table(text: str, name: str, encoding: str, problems: list[str]) -> RawTable:
    if not text.strip():
        raise ImportFileError(f"{name}: is empty; expected a header row and data rows")
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
        records = list(reader)
    except csv.Error as exc:
        raise ImportFileError(f"{name}: cannot be parsed as delimited text near line {reader.line_num}: {exc}") from None
    header, fixes = _clean_header(header)
    problems = problems + [f"{name}: {fix}" for fix in fixes]
    width = len(header)
    ragged: dict[int, tuple[int, int]] = {}
    overflow: dict[int, str] = {}
    cells: list[list[str]] = []
    for i, row in enumerate(records):
        n = len(row)
        if n == width:
            cells.append(row)
            continue
        if n == 0 or (n == 1 and row[0] == ""):
            cells.append([""] * width)  # an empty line is an empty row: reported later, never lost
            continue
        ragged[i] = (n, width)
        if n < width:
            cells.append(row + [""] * (width - n))
        else:
            cells.append(row[:width])
            overflow[i] = delimiter.join(row[width:])
    frame = pd.DataFrame(cells, columns=header, dtype=object) if cells else pd.DataFrame(columns=header, dtype=object)
    frame = frame.astype(str)
    return RawTable(frame, header, encoding, delimiter, 2, name, ragged, overflow, problems)


def _clean_header(header: list[str]) -> tuple[list[str], list[str]]:
    fixes = []
    out: list[str] = []
    for i, h in enumerate(header):
        h = h.strip().lstrip("\ufeff")
        if not h:
            h = f"column_{i + 1}"
            fixes.append(f"header cell {i + 1} is blank; named it {h!r}")
        if h in out:
            new, k = h, 2
            while new in out:
                new, k = f"{h}_{k}", k + 1
            fixes.append(f"header repeats {h!r}; the repeat at column {i + 1} is named {new!r}")
            h = new
        out.append(h)
    return out, fixes


def _geojson_table(text: str, name: str, encoding: str, problems: list[str]) -> RawTable:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(f"{name}: is not valid JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ImportFileError(f"{name}: is not a GeoJSON FeatureCollection")
    crs = doc.get("crs")
    crs_name = ((crs or {}).get("properties") or {}).get("name") if isinstance(crs, dict) else None
    if crs is not None and not (isinstance(crs_name, str) and _is_wgs84(crs_name)):
        raise ImportFileError(
            f"{name}: declares CRS {crs_name or crs!r}; incident files must be in WGS84 "
            "(EPSG:4326 / OGC CRS84): reproject it first")
    features = doc.get("features")
    if not isinstance(features, list):
        raise ImportFileError(f"{name}: has no 'features' list")
    rows: list[dict[str, str]] = []
    for feature in features:
        feature = feature if isinstance(feature, dict) else {}
        props = feature.get("properties")
        props = props if isinstance(props, dict) else {}
        row = {str(k): _cell(v) for k, v in props.items()}
        geom = feature.get("geometry")
        if isinstance(geom, dict):
            coords = geom.get("coordinates")
            if geom.get("type") == "Point" and isinstance(coords, list) and len(coords) >= 2:
                if not row.get("longitude"):
                    row["longitude"] = _cell(coords[0])
                if not row.get("latitude"):
                    row["latitude"] = _cell(coords[1])
            else:
                row["__geometry__"] = f"{geom.get('type')} geometry"
        rows.append(row)
    header = list(dict.fromkeys(k for r in rows for k in r if k != "__geometry__"))
    frame = pd.DataFrame(rows, columns=header + ["__geometry__"], dtype=object).fillna("").astype(str)
    bad_geometry = frame.pop("__geometry__")
    table = RawTable(frame, header, encoding, None, 1, name, {}, {}, problems)
    table.overflow = {int(i): v for i, v in bad_geometry[bad_geometry != ""].items()}
    table.ragged = {i: (-1, -1) for i in table.overflow}  # -1: not a point (see _reading_rejections)
    return table


def _gpkg_table(path: Path, name: str, layer: str | None) -> RawTable:
    import pyogrio
    from pyogrio.errors import DataSourceError

    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(path)]
    except DataSourceError as exc:
        raise ImportFileError(f"{name}: is not a readable GeoPackage ({exc})") from None
    if not layers:
        raise ImportFileError(f"{name}: GeoPackage has no layer")
    if layer is None:
        layer = layers[0]
    elif layer not in layers:
        raise ImportFileError(f"{name}: GeoPackage has no layer {layer!r} (layers: {', '.join(layers)})")
    try:
        frame = pyogrio.read_dataframe(path, layer=layer)
    except DataSourceError as exc:
        raise ImportFileError(f"{name}: layer {layer!r} cannot be read ({exc})") from None
    crs = getattr(frame, "crs", None)
    if crs is not None and not _crs_is_wgs84(crs):
        crs_name = crs.to_string()
        raise ImportFileError(
            f"{name}: declares CRS {crs_name!r} ({crs.name}); incident files must be in WGS84 "
            "(EPSG:4326 / OGC CRS84): reproject it first")
    geom = None
    if hasattr(frame, "geometry") and getattr(frame, "_geometry_column_name", None) in frame.columns:
        geom = frame.geometry
        frame = pd.DataFrame(frame.drop(columns=[geom.name]))
    header = [str(c) for c in frame.columns]
    cells = pd.DataFrame({str(c): _gpkg_column(frame[c]) for c in frame.columns}, index=range(len(frame)))
    cells = cells.reindex(columns=header)
    not_point: dict[int, str] = {}
    if geom is not None:
        kinds = geom.geom_type.to_numpy(dtype=object)
        empty = geom.is_empty.to_numpy(dtype=bool) | pd.isna(kinds)
        point = (kinds == "Point") & ~empty
        xs = np.full(len(geom), "", dtype=object)
        ys = np.full(len(geom), "", dtype=object)
        if point.any():
            xs[point] = [str(float(v)) for v in geom[point].x]
            ys[point] = [str(float(v)) for v in geom[point].y]
        for col, values in (("longitude", xs), ("latitude", ys)):
            if col not in cells.columns:
                cells[col] = ""
                header.append(col)
            cells[col] = np.where(cells[col].to_numpy(dtype=object) == "", values, cells[col].to_numpy(dtype=object))
        not_point = {int(i): f"{kinds[i]} geometry" for i in np.flatnonzero(~point & ~empty)}
    cells = cells.fillna("").astype(str) if len(cells.columns) else cells
    table = RawTable(cells.reset_index(drop=True), header, "GeoPackage", None, 1, name, {}, {},
                     [] if layer == layers[0] and len(layers) == 1 else [f"{name}: layer {layer!r} read"])
    table.overflow = dict(not_point)
    table.ragged = {i: (-1, -1) for i in not_point}  # -1: not a point (see _reading_rejections)
    return table


def _crs_is_wgs84(crs) -> bool:
    try:
        if crs.to_epsg() == 4326:
            return True
    except Exception:  # noqa: BLE001 - an exotic CRS is simply not WGS84
        pass
    text = crs.to_string()
    return _is_wgs84(text) or text.upper() in ("OGC:CRS84", "EPSG:4326")


def _gpkg_column(values: pd.Series) -> pd.Series:
    """One GeoPackage attribute column as text cells (whole floats without '.0', dates as YYYY-MM-DD)."""
    values = values.reset_index(drop=True)
    if pd.api.types.is_datetime64_any_dtype(values):
        if values.dt.tz is not None:
            values = values.dt.tz_localize(None)
        midnight = bool(((values.dt.normalize() == values) | values.isna()).all())
        return values.dt.strftime("%Y-%m-%d" if midnight else "%Y-%m-%dT%H:%M:%S").fillna("").astype(str)
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_integer_dtype(values):
        return values.astype(object).map(lambda v: "" if pd.isna(v) else str(v))
    if pd.api.types.is_float_dtype(values):
        return values.map(lambda v: "" if pd.isna(v) else (str(int(v)) if float(v).is_integer() else repr(float(v))))
    return values.map(_gpkg_cell)


def _gpkg_cell(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return _cell(value)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _is_wgs84(name: str) -> bool:
    n = name.upper()
    return n.endswith("CRS84") or n.endswith(":4326") or n.endswith("::4326") or n in ("WGS84", "EPSG:4326")


# --------------------------------------------------------------------------- detection

#: ACLED's columns since 20 March 2023 (ACLED, "Guide to 2023 ACLED column changes":
#: event_id_no_cnty, data_id and iso3 removed; disorder_type, civilian_targeting, tags added).
ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
    "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "tags", "timestamp",
]
ACLED_OLD_ONLY = ["event_id_no_cnty", "data_id", "iso3"]
_ACLED_CORE = {"event_id_cnty", "event_date", "sub_event_type", "location", "latitude", "longitude"}
_CCC_MARKERS = {"size_low", "size_high", "arrests", "injuries_crowd", "injuries_police", "source_1", "size_text"}


def detect_format(table: RawTable) -> str:
    """Which importer fits the file, from its header alone.

    ``'native'`` when every required native column is there; ``'acled'`` for ACLED
    exports, current (31 columns) or older (``event_id_no_cnty``, ``data_id``,
    ``iso3``), any letter case; ``'ccc'`` for Crowd Counting Consortium-style sheets
    (a date plus at least two of ``size_low``, ``size_high``, ``arrests``,
    ``injuries_crowd``, ``injuries_police``, ``source_1``, ``size_text``);
    ``'unknown'`` otherwise (use a mapping).
    """
    cols = {c.strip().casefold() for c in table.header}
    if _ACLED_CORE <= cols:
        return "acled"
    if all(c in cols for c in schema.REQUIRED_COLUMNS):
        return "native"
    if "date" in cols and len(_CCC_MARKERS & cols) >= 2:
        return "ccc"
    return "unknown"


def acled_generation(table: RawTable) -> str:
    """``'current'`` (31 columns, 2023 on) or ``'old'`` (before 20 March 2023) ACLED."""
    cols = {c.strip().casefold() for c in table.header}
    return "old" if cols & set(ACLED_OLD_ONLY) else "current"


# --------------------------------------------------------------------------- conversion


@dataclass
class Converted:
    """An input table turned into native text cells.

    ``raw`` has one row per input row, same order, native column names (plus extra
    columns kept as text), ready for :func:`geo.records.validate_frame`.
    ``input_rows[i]`` is the file row of ``raw`` row ``i``.  ``flag_text`` holds each
    row's flags joined by ``'; '`` (``flags`` as lists).  ``rejections`` lists the rows
    that cannot become a record at all (one :class:`~geo.errors.Problem` per row: file,
    row, column, value, reason in ``expected``).
    """

    raw: pd.DataFrame
    input_rows: np.ndarray
    flag_text: pd.Series
    rejections: list[Problem] = field(default_factory=list)

    @property
    def flags(self) -> list[list[str]]:
        return [t.split("; ") if t else [] for t in self.flag_text]

    @property
    def rejected_rows(self) -> set[int]:
        return {int(p.row) for p in self.rejections if p.row is not None}


class _Builder:
    """Collects native columns, flags and rejections for one table, vectorised."""

    def __init__(self, table: RawTable):
        self.table = table
        self.n = len(table.frame)
        self.index = table.frame.index
        self.rows = table.rows()
        self.out: dict[str, pd.Series] = {}
        self.flags = pd.Series([""] * self.n, index=self.index, dtype=object)
        self.rejections: dict[int, Problem] = {}
        self._lower = {c.strip().casefold(): c for c in table.frame.columns}

    def has(self, name: str) -> bool:
        return name.casefold() in self._lower

    def col(self, *names: str) -> pd.Series:
        """The first of ``names`` the table has, stripped; blanks when it has none."""
        for name in names:
            real = self._lower.get(name.casefold())
            if real is not None:
                return self.table.frame[real].str.strip()
        return pd.Series([""] * self.n, index=self.index, dtype=object).astype(str)

    def blank(self) -> pd.Series:
        return pd.Series([""] * self.n, index=self.index, dtype=object).astype(str)

    def flag(self, mask, message) -> None:
        """Add ``message`` (a str, or a Series of per-row texts) to the rows in ``mask``."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        text = message if isinstance(message, str) else np.asarray(message, dtype=object)
        add = np.where(mask, text, "")
        cur = self.flags.to_numpy(dtype=object)
        joined = np.where(cur == "", add, np.where(add == "", cur, cur + "; " + add.astype(object)))
        self.flags = pd.Series(joined, index=self.index, dtype=object)

    def reject(self, mask, column: str, values: pd.Series, reason) -> None:
        mask = np.asarray(mask, dtype=bool)
        for i in np.flatnonzero(mask):
            row = int(self.rows[i])
            if row in self.rejections:
                continue
            why = reason if isinstance(reason, str) else str(reason.iloc[i])
            self.rejections[row] = Problem(self.table.file, row, column, str(values.iloc[i]), why)

    def done(self, extra: dict[str, pd.Series] | None = None) -> Converted:
        raw = pd.DataFrame({c: self.out.get(c, self.blank()) for c in schema.COLUMNS}, index=self.index)
        for name, series in (extra or {}).items():
            raw[name] = series
        raw = raw.astype(object).reset_index(drop=True)  # str cells; validate_frame makes them str dtype
        flags = self.flags.reset_index(drop=True)
        rejections = sorted(self.rejections.values(), key=lambda p: p.row)
        return Converted(raw, self.rows.copy(), flags, rejections)


def to_native(table: RawTable, format: str | None = None, mapping: dict | None = None) -> Converted:
    """Convert ``table`` with the importer of ``format`` (detected when ``None``).

    Raises
    ------
    MappingError
        ``format`` is ``'mapped'`` (or the file's format is unknown) and no usable
        mapping was given.
    ValueError
        ``format`` is not one of ``native``, ``acled``, ``ccc``, ``mapped``.
    """
    if mapping is not None and format in (None, "mapped"):
        return to_native_mapped(table, mapping)
    fmt = format or detect_format(table)
    if fmt == "native":
        return to_native_native(table)
    if fmt == "acled":
        return to_native_acled(table)
    if fmt == "ccc":
        return to_native_ccc(table)
    if fmt == "mapped":
        raise MappingError("format 'mapped' needs a mapping (native column -> column of the file)")
    if fmt == "unknown":
        raise MappingError(
            f"{table.file}: the columns ({', '.join(table.header[:12])}{' ...' if len(table.header) > 12 else ''}) "
            "are neither native, ACLED nor CCC-style; give a mapping (native column -> column of the file)")
    raise ValueError(f"format {fmt!r}: expected one of {', '.join(FORMATS)}")


# ---- native


def to_native_native(table: RawTable) -> Converted:
    """Pass a native table through (its columns are already the native ones).

    Only what every importer normalises is done here: Cyrillic city names, decimal
    commas, counts stated as text, high below low (see :func:`import_rows`).
    """
    b = _Builder(table)
    lower = {c.strip().casefold(): c for c in table.frame.columns}
    for col in schema.COLUMNS:
        if col in lower:
            b.out[col] = table.frame[lower[col]].str.strip()
    extra = {c: table.frame[c] for c in table.frame.columns if c.strip().casefold() not in schema.COLUMNS}
    if "city" in b.out:
        b.out["city"] = _city_values(b.out["city"], keep_unknown=True)
    conv = b.done(extra)
    missing = [c for c in schema.REQUIRED_COLUMNS if c not in lower]
    if missing:
        conv.raw = conv.raw.drop(columns=missing)  # validate_frame names the missing columns
    return conv


# ---- ACLED


def to_native_acled(table: RawTable) -> Converted:
    """Convert an ACLED export (current or older columns) to native cells.

    What ACLED's columns mean is from ACLED's codebook (acleddata.com/knowledge-base/codebook,
    and the codebook table shipped with the acledR package) and its "Tags in the data" and
    "Guide to 2023 ACLED column changes" pages.

    * ``record_id`` is ``'ACLED-' + event_id_cnty``; a row without one is rejected.
    * ``date`` from ``event_date``, written ``2019-06-09`` or ``09 June 2019`` (also
      ``09-June-2019`` and ``9 Jun 2019``); any other text rejects the row, naming the cell.
    * ``time_precision``: ACLED codes how sure the *date* is: 1 the actual day, 2 a day
      within a known week or weekend, 3 only the month (or a day mid-period).  Ours says how
      precise the time of day is: with an ACLED 1 we know the day only, so ``day``; with 2 or 3
      the event happened on an uncertain day around ``date``, which we call ``range`` (and say
      so in a flag).  ``period_start``/``period_end`` stay at ``date``: ACLED does not give the
      window, and a guessed window would change what counts add up to.
    * ``city`` from ``location`` (``Almaty``, ``Nur-Sultan``/``Astana``, ``... city``, Cyrillic
      ``Алматы``/``Астана``/``Нур-Султан`` ...), then ``admin1`` when it names the city itself;
      ``national`` when the location is the country; ``other`` otherwise.
    * ``geo_precision``: ACLED 1 (the town itself), 2 (near or part of it), 3 (only the wider
      region, coded at its capital) map to our 1, 2 and 3.  A precision-3 event is therefore
      city level at best: :func:`geo.join.join_incidents` never puts precision 3 in a district.
      A country-level row gets 4.
    * ``event_type`` from ``sub_event_type``: ``Arrests`` -> ``detention``;
      ``Excessive force against protesters`` (also spelled "protestors") -> ``police_violence``;
      ``Peaceful protest`` -> ``rally``; ``Protest with intervention`` -> ``rally`` with a flag
      and a note that police intervened (ACLED: an attempt to disperse or suppress a peaceful
      protest without serious injuries); any other type -> ``rally`` with a flag naming it.
    * counts only where stated, in ``tags`` (``;``-separated, e.g. ``crowd size=around 200``;
      the crowd size tag applies to ACLED's protest and riot events) or as ``arrests=12`` /
      ``[size=...]`` in tags or notes: ``participants_low/high`` and ``detained_low/high``
      (``count_kind`` ``incremental`` when an arrest count was found).  Words like "dozens" or
      "no report" give no number; they stay in ``notes``.
    * ``source_urls``: ACLED rows carry no URLs, and the native schema wants one, so every
      row cites :data:`ACLED_CITATION_URL`; ACLED's ``source`` names go to ``source_names``.
    * ``notes`` is ACLED's notes; ``place_name_en`` the location.  ``acled_*`` extra columns
      keep the event id, actors, sub-event type, precisions, tags, admin1 and timestamp.
    """
    b = _Builder(table)
    event_id = b.col("event_id_cnty")
    b.reject(event_id == "", "event_id_cnty", event_id, "an ACLED row needs event_id_cnty (its event id)")
    b.out["record_id"] = ("ACLED-" + event_id.str.replace(r"\s+", "", regex=True)).where(event_id != "", "")

    raw_date = b.col("event_date")
    iso = _parse_dates(raw_date, ["%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%d-%b-%Y"])
    b.reject(iso == "", "event_date", raw_date,
             "expected an ACLED event_date like 2019-06-09 or 09 June 2019")
    b.out["date"] = iso

    tp = b.col("time_precision")
    b.out["time_precision"] = tp.map({"1": "day", "2": "range", "3": "range"}).fillna("").astype(str)
    b.flag(tp.isin(["2", "3"]), "ACLED time_precision " + tp + ": the day is approximate")
    b.flag(~tp.isin(["", "1", "2", "3"]), "ACLED time_precision " + tp + " unknown (left blank)")

    location, admin1, country = b.col("location"), b.col("admin1"), b.col("country")
    city = _city_values(location, keep_unknown=False)
    from_admin = _city_values(admin1, keep_unknown=False, admin=True)
    city = city.where(city != "", from_admin)
    is_country = location.str.casefold().isin(_COUNTRY_NAMES) | (
        (location != "") & (location.str.casefold() == country.str.casefold()))
    city = city.where(city != "", np.where(is_country, "national", "other"))
    b.out["city"] = city
    place = location.where(~is_country, "")
    cyrillic = place.str.contains(r"[\u0400-\u04ff]", regex=True)
    b.out["place_name_en"] = place.where(~cyrillic, "")
    b.out["place_name_ru"] = place.where(cyrillic, "")

    lat, lon = _decimal(b.col("latitude")), _decimal(b.col("longitude"))
    b.out["latitude"], b.out["longitude"] = lat, lon
    b.out["coord_source"] = pd.Series(np.where((lat != "") & (lon != ""), "ACLED", ""), index=b.index)
    gp = b.col("geo_precision")
    precision = gp.where(gp.isin(["1", "2", "3"]), "")
    b.flag(~gp.isin(["", "1", "2", "3"]), "ACLED geo_precision " + gp + " unknown (left blank)")
    b.out["geo_precision"] = precision.where(~is_country, "4")

    sub = b.col("sub_event_type")
    key = sub.str.casefold().str.strip()
    event_type = key.map(_ACLED_SUB_EVENTS).fillna("rally").astype(str)
    b.out["event_type"] = event_type
    intervened = key == "protest with intervention"
    b.flag(intervened, "ACLED Protest with intervention: police intervened (recorded as rally)")
    unknown = ~key.isin(list(_ACLED_SUB_EVENTS))
    b.flag(unknown, "ACLED sub_event_type '" + sub + "' has no native type (recorded as rally)")

    tags, notes = b.col("tags"), b.col("notes")
    counts_text = tags + " ; " + notes
    crowd = counts_text.str.extract(r"(?i)(?:crowd\s+)?\bsize\s*=\s*([^;\]\n]*)", expand=False).fillna("").str.strip()
    arrests = counts_text.str.extract(r"(?i)\barrests?\s*=\s*([^;\]\n]*)", expand=False).fillna("").str.strip()
    p = _counts(crowd)
    d = _counts(arrests)
    b.out["participants_low"], b.out["participants_high"] = p.low, p.high
    b.out["detained_low"], b.out["detained_high"] = d.low, d.high
    b.out["count_kind"] = pd.Series(np.where(d.low != "", "incremental", ""), index=b.index)
    b.flag(p.textual, "crowd size stated as text ('" + crowd + "' read as " + p.shown + ")")
    b.flag(d.textual, "arrests stated as text ('" + arrests + "' read as " + d.shown + ")")
    b.flag(p.words, "crowd size '" + crowd + "' gives no number (kept in notes)")
    b.flag(d.words, "arrests '" + arrests + "' give no number (kept in notes)")
    b.flag(p.swapped | d.swapped, "a range was written high-low (swapped)")

    extra_notes = pd.Series(np.where(intervened, "ACLED: protest with intervention (police intervened).", ""),
                            index=b.index)
    words = np.where(p.words & ~notes.str.contains("size=", case=False, regex=False),
                     "crowd size: " + crowd + ".", "")
    b.out["notes"] = _join_text([notes, extra_notes, pd.Series(words, index=b.index)], " ")
    b.out["summary"] = _join_text([sub, location], ", ")
    b.out["source_names"] = _per_unique(b.col("source"), lambda u: u.str.split(";").map(
        lambda parts: "; ".join(s.strip() for s in parts if s.strip())))
    b.out["source_urls"] = pd.Series([ACLED_CITATION_URL] * b.n, index=b.index, dtype=object)

    extra = {
        "acled_event_id_cnty": event_id,
        "acled_sub_event_type": sub,
        "acled_actor1": b.col("actor1"),
        "acled_assoc_actor_1": b.col("assoc_actor_1"),
        "acled_actor2": b.col("actor2"),
        "acled_assoc_actor_2": b.col("assoc_actor_2"),
        "acled_admin1": admin1,
        "acled_time_precision": tp,
        "acled_geo_precision": gp,
        "acled_tags": tags,
        "acled_timestamp": b.col("timestamp"),
    }
    return b.done(extra)


_ACLED_SUB_EVENTS = {
    "peaceful protest": "rally",
    "protest with intervention": "rally",
    "excessive force against protesters": "police_violence",
    "excessive force against protestors": "police_violence",
    "arrests": "detention",
}


# ---- CCC


def to_native_ccc(table: RawTable) -> Converted:
    """Convert a Crowd Counting Consortium-style sheet to native cells.

    * ``record_id``: an ``id``/``event_id`` column when there is one (``'CCC-' + id``),
      else ``'CCC-'`` + a hash of the row's cells (stable: the same row gets the same id
      on every import, so a re-import merges instead of duplicating).
    * ``date`` (``YYYY-MM-DD``, ``DD.MM.YYYY``, ``DD/MM/YYYY`` or ``09 June 2019``).
    * ``city`` from ``locality`` / ``city`` / ``resolved_locality``; ``place_name_en``
      from ``location_detail`` / ``location``.  Coordinates from ``lat``/``lon`` (or
      ``latitude``/``longitude``), geocoded by CCC to the locality: ``geo_precision`` 3.
    * ``participants_low/high`` from ``size_low``/``size_high`` (or ``size_text``);
      ``detained_low/high`` from ``arrests`` (``12``, ``about 30`` -> 30 with a flag,
      ``30-40``, ``several`` -> no number, kept in notes), ``count_kind`` incremental;
      ``injured`` = ``injuries_crowd`` + ``injuries_police`` (both named in notes).
    * ``source_1..source_N``: URLs -> ``source_urls``, other text -> ``source_names``.
    * ``claims`` (or ``title``) -> ``summary``; ``notes`` -> ``notes``; event type ``rally``.
    """
    b = _Builder(table)
    ident = b.col("id", "event_id", "record_id")
    hashed = _row_hashes(table.frame)
    b.out["record_id"] = ("CCC-" + ident.str.replace(r"\s+", "", regex=True)).where(ident != "", "CCC-" + hashed)
    raw_date = b.col("date")
    iso = _parse_dates(raw_date, _DEFAULT_DATE_FORMATS)
    b.reject(iso == "", "date", raw_date, "expected a date like 2019-06-09, 09.06.2019 or 09 June 2019")
    b.out["date"] = iso
    locality = b.col("locality", "city", "resolved_locality")
    city = _city_values(locality, keep_unknown=False)
    b.out["city"] = city.where(city != "", "other")
    b.out["place_name_en"] = _join_text([b.col("location_detail", "location")], "")
    b.out["place_name_en"] = b.out["place_name_en"].where(b.out["place_name_en"] != "", locality)
    lat, lon = _decimal(b.col("lat", "latitude")), _decimal(b.col("lon", "lng", "longitude"))
    b.out["latitude"], b.out["longitude"] = lat, lon
    has_point = (lat != "") & (lon != "")
    b.out["geo_precision"] = pd.Series(np.where(has_point, "3", ""), index=b.index)
    b.out["coord_source"] = pd.Series(np.where(has_point, "CCC", ""), index=b.index)
    b.out["event_type"] = pd.Series(["rally"] * b.n, index=b.index, dtype=object)

    size_low, size_high, size_text = b.col("size_low"), b.col("size_high"), b.col("size_text")
    lo, hi = _counts(size_low), _counts(size_high)
    txt = _counts(size_text)
    use_text = (lo.low == "") & (hi.low == "")
    p_low = lo.low.where(lo.low != "", hi.low)
    p_high = hi.low.where(hi.low != "", lo.high)
    b.out["participants_low"] = p_low.where(~use_text, txt.low)
    b.out["participants_high"] = p_high.where(~use_text, txt.high)
    b.flag(lo.textual | hi.textual | (use_text & txt.textual),
           "crowd size stated as text (" + _join_text([size_low, size_high, size_text], " / ") + ")")
    arrests = b.col("arrests")
    d = _counts(arrests)
    b.out["detained_low"], b.out["detained_high"] = d.low, d.high
    b.out["count_kind"] = pd.Series(np.where(d.low != "", "incremental", ""), index=b.index)
    b.flag(d.textual, "arrests stated as text ('" + arrests + "' read as " + d.shown + ")")
    b.flag(d.words, "arrests '" + arrests + "' give no number (kept in notes)")
    b.flag(d.swapped, "arrests range written high-low (swapped)")

    inj_c, inj_p = b.col("injuries_crowd"), b.col("injuries_police")
    ic, ip = _counts(inj_c), _counts(inj_p)
    c_num = pd.to_numeric(ic.low, errors="coerce")
    p_num = pd.to_numeric(ip.low, errors="coerce")
    total = c_num.fillna(0) + p_num.fillna(0)
    any_num = c_num.notna() | p_num.notna()
    b.out["injured"] = pd.Series(np.where(any_num, total.fillna(0).astype("int64").astype(str), ""), index=b.index)
    b.flag(ic.textual | ip.textual, "injuries stated as text")
    inj_note = np.where((inj_c != "") | (inj_p != ""),
                        "injuries: crowd " + inj_c.where(inj_c != "", "not reported") + ", police "
                        + inj_p.where(inj_p != "", "not reported") + ".", "")
    arrest_note = np.where(d.words, "arrests: " + arrests + ".", "")

    src_cols = sorted((c for c in table.frame.columns if re.fullmatch(r"(?i)source_?\d+", c.strip())),
                      key=lambda c: int(re.sub(r"\D", "", c)))
    urls, names = _split_sources([table.frame[c].str.strip() for c in src_cols], b)
    b.out["source_urls"], b.out["source_names"] = urls, names
    b.out["summary"] = b.col("claims", "title", "summary")
    b.out["notes"] = _join_text([b.col("notes"), pd.Series(inj_note, index=b.index),
                                 pd.Series(arrest_note, index=b.index)], " ")
    used = {"id", "event_id", "record_id", "date", "locality", "city", "resolved_locality", "location_detail",
            "location", "lat", "latitude", "lon", "lng", "longitude", "size_low", "size_high", "size_text",
            "arrests", "injuries_crowd", "injuries_police", "claims", "title", "summary", "notes"}
    extra = {f"ccc_{c.strip()}": table.frame[c] for c in table.frame.columns
             if c.strip().casefold() not in used and c not in src_cols and f"ccc_{c.strip()}" not in schema.COLUMNS}
    return b.done(extra)


def _split_sources(columns: list[pd.Series], b: _Builder) -> tuple[pd.Series, pd.Series]:
    urls = [b.blank()]
    names = [b.blank()]
    for col in columns:
        is_url = col.str.match(r"(?i)^https?://\S+$")
        urls.append(col.where(is_url, ""))
        names.append(col.where(~is_url & (col != ""), ""))
    return _join_text(urls, " "), _join_text(names, "; ")


# ---- mapped


_OPTION_KEYS = {"date_format", "date_formats", "values", "id_prefix", "decimal"}


def load_mapping(path: str | Path) -> dict:
    """Read a column mapping from a JSON or TOML file.

    The file holds one table: native column -> column of the input file (or a list of
    columns, joined; or ``"=constant"``), plus optional ``date_format`` (one strptime
    format or a list), ``id_prefix`` (for generated record ids) and ``values``
    (native column -> {input value: native value}, e.g. ``{"event_type": {"задержание":
    "detention"}}``).  Example (TOML)::

        record_id = "№"
        date = "Дата"
        date_format = "%d.%m.%Y"
        city = "=Almaty"
        latitude = "Широта"
        longitude = "Долгота"
        detained_low = "Задержано"
        source_urls = ["Ссылка 1", "Ссылка 2"]

    Raises
    ------
    MappingError
        The file cannot be read or parsed, or names a key that is neither a native
        column nor an option.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"mapping file {path}: cannot be read ({exc})") from None
    try:
        mapping = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise MappingError(f"mapping file {path}: is not valid {'TOML' if path.suffix.lower() == '.toml' else 'JSON'} ({exc})") from None
    if not isinstance(mapping, dict):
        raise MappingError(f"mapping file {path}: expected one table of native column -> file column")
    if isinstance(mapping.get("columns"), dict):  # {"columns": {...}, "date_format": ...} is fine too
        mapping = {**mapping.pop("columns"), **mapping}
    _check_mapping(mapping, source=f"mapping file {path}")
    return mapping


def _check_mapping(mapping: dict, source: str = "mapping") -> None:
    for key, value in mapping.items():
        if key in _OPTION_KEYS:
            continue
        if key not in schema.COLUMNS:
            raise MappingError(
                f"{source}: {key!r} is not a native column; expected one of {', '.join(schema.COLUMNS)} "
                f"or an option ({', '.join(sorted(_OPTION_KEYS))})")
        ok = isinstance(value, str) or (isinstance(value, list) and value and all(isinstance(v, str) for v in value))
        if not ok:
            raise MappingError(f"{source}: {key!r} maps to {value!r}; expected a column name, a list of "
                               "column names or '=constant'")


def to_native_mapped(table: RawTable, mapping: dict) -> Converted:
    """Convert any table with a mapping (see :func:`load_mapping` for its form).

    Without a ``record_id`` mapping, ids are ``id_prefix`` (default: the file's stem)
    + ``'-'`` + a hash of the row's cells: the same row gets the same id on every import.
    Dates are read with ``date_format`` when given, else as ``YYYY-MM-DD``,
    ``DD.MM.YYYY``, ``DD/MM/YYYY`` or ``09 June 2019``; city names in Cyrillic are
    recognised; Russian event words (``митинг``, ``задержание`` ...) are understood.

    Raises
    ------
    MappingError
        The mapping names a column the file does not have (the message lists the file's
        columns), or is malformed.
    """
    _check_mapping(mapping)
    b = _Builder(table)
    columns = set(table.frame.columns)
    for key, value in mapping.items():
        if key in _OPTION_KEYS:
            continue
        names = [value] if isinstance(value, str) else value
        if isinstance(value, str) and value.startswith("="):
            continue
        missing = [n for n in names if n not in columns]
        if missing:
            raise MappingError(
                f"mapping: {key!r} -> {missing[0]!r}, but {table.file} has no column {missing[0]!r}; "
                f"its columns are {', '.join(repr(c) for c in table.frame.columns)}")
    for key, value in mapping.items():
        if key in _OPTION_KEYS:
            continue
        if isinstance(value, str) and value.startswith("="):
            b.out[key] = pd.Series([value[1:]] * b.n, index=b.index, dtype=object)
        elif isinstance(value, str):
            b.out[key] = table.frame[value].str.strip()
        else:
            sep = " " if key == "source_urls" else "; "
            b.out[key] = _join_text([table.frame[v].str.strip() for v in value], sep)
    for key, table_values in (mapping.get("values") or {}).items():
        if key in b.out and isinstance(table_values, dict):
            b.out[key] = b.out[key].map(lambda v, t=table_values: t.get(v, v)).astype(str)

    if "record_id" not in b.out:
        prefix = str(mapping.get("id_prefix") or re.sub(r"\W+", "-", Path(table.file).stem).strip("-") or "row")
        b.out["record_id"] = prefix + "-" + _row_hashes(table.frame)
    formats = mapping.get("date_formats") or mapping.get("date_format") or _DEFAULT_DATE_FORMATS
    formats = [formats] if isinstance(formats, str) else list(formats)
    for col in schema.DATE_COLUMNS:
        if col in b.out:
            text = b.out[col]
            iso = _parse_dates(text, formats)
            b.reject((text != "") & (iso == ""), mapping.get(col, col) if isinstance(mapping.get(col), str) else col,
                     text, f"expected a date as {' or '.join(formats)}")
            b.out[col] = iso.where(text != "", "")
    if "city" in b.out:
        b.out["city"] = _city_values(b.out["city"], keep_unknown=True)
    if "event_type" in b.out:
        et = b.out["event_type"]
        b.out["event_type"] = et.str.casefold().map(_EVENT_WORDS).fillna(et).astype(str)
    if "time_local" in b.out:
        b.out["time_local"] = b.out["time_local"].str.replace(r"^(\d)[:.](\d\d)$", r"0\1:\2", regex=True) \
            .str.replace(r"^(\d\d)\.(\d\d)$", r"\1:\2", regex=True)
    if "source_urls" in b.out:
        b.out["source_urls"] = b.out["source_urls"].str.replace(r"[;,]\s*(?=https?://)", " ", regex=True)
    if "count_kind" not in b.out and "detained_low" in b.out:
        # a row of a team sheet is one episode; say so where the sheet gives a count
        counted = b.out["detained_low"] != ""
        b.out["count_kind"] = pd.Series(np.where(counted, "incremental", ""), index=b.index, dtype=object)
        b.flag(counted, "count_kind not mapped: the count is taken as one episode's (incremental)")
    mapped = {v for k, v in mapping.items() if k not in _OPTION_KEYS and isinstance(v, str)}
    mapped |= {n for k, v in mapping.items() if k not in _OPTION_KEYS and isinstance(v, list) for n in v}
    extra = {c: table.frame[c] for c in table.frame.columns
             if c not in mapped and c not in schema.COLUMNS}
    return b.done(extra)


def preview(table: RawTable, mapping: dict | None = None, n: int = 10, *, format: str | None = None) -> pd.DataFrame:
    """The first ``n`` rows as they would be imported, before anything is written.

    Returns the native columns (as text) plus ``row`` (the file row), ``flags`` and
    ``status`` (``'ok'`` or ``'rejected: <reasons>'``).  Raises :class:`MappingError`
    like :func:`to_native_mapped`.
    """
    head = table.head(n)
    conv = to_native(head, format=format, mapping=mapping)
    status = pd.Series(["ok"] * len(conv.raw), dtype=object)
    reasons: dict[int, list[str]] = {}
    for p in conv.rejections:
        reasons.setdefault(p.row, []).append(p.expected)
    prepared = _normalise(conv, head)
    for p in prepared.rejections:
        reasons.setdefault(p.row, []).append(p.expected)
    keep = ~np.isin(conv.input_rows, list(reasons))
    if keep.any():
        positions = np.flatnonzero(keep)
        result = validate_frame(prepared.raw.iloc[positions].reset_index(drop=True), head.file, first_row=0)
        for p in result.problems:
            if p.row is not None:
                reasons.setdefault(int(conv.input_rows[positions[p.row]]), []).append(p.expected)
    for i, row in enumerate(conv.input_rows):
        if int(row) in reasons:
            status.iloc[i] = "rejected: " + "; ".join(reasons[int(row)])
    out = prepared.raw.copy()
    out.insert(0, "row", conv.input_rows)
    out["flags"] = prepared.flag_text.to_numpy()
    out["status"] = status.to_numpy()
    return out


# --------------------------------------------------------------------------- the pipeline


@dataclass
class ImportResult:
    """Everything one import found; nothing has been written.

    ``records``: the imported records (the schema of :mod:`geo.schema`, their extra
    columns, ``source_file``/``source_row``, and ``flags`` joined by ``'; '``).
    ``merged``: ``file``, ``row``, ``input_record_id``, ``record_id`` (of the existing
    or earlier record it duplicates) and ``why``.  ``rejected``: ``file``, ``row``,
    ``column``, ``value``, ``reason`` and then the row's original cells.
    ``notes``: how the import was done (encoding, delimiter, format, the coordinate check).
    """

    file: str
    format: str
    records: pd.DataFrame
    merged: pd.DataFrame
    rejected: pd.DataFrame
    total: int
    notes: list[str] = field(default_factory=list)
    original_columns: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        flagged = int((self.records["flags"] != "").sum()) if len(self.records) else 0
        return {"imported": len(self.records), "merged": len(self.merged), "flagged": flagged,
                "rejected": len(self.rejected), "total": self.total}

    def check(self) -> None:
        """Assert that every input row is accounted for exactly once."""
        c = self.counts
        assert c["imported"] + c["merged"] + c["rejected"] == c["total"], c
        rows = np.concatenate([self.records["source_row"].to_numpy(dtype=np.int64),
                               self.merged["row"].to_numpy(dtype=np.int64),
                               self.rejected["row"].to_numpy(dtype=np.int64)])
        assert len(np.unique(rows)) == len(rows), "an input row appears twice"


def import_rows(
    path: str | Path,
    *,
    format: str | None = None,
    mapping: dict | str | Path | None = None,
    existing: pd.DataFrame | None = None,
    progress: Callable[[int, int], None] | None = None,
    today: date | None = None,
    boundaries="auto",
    layer: str | None = None,
) -> ImportResult:
    """Read, convert, validate, flag and de-duplicate one file, without writing anywhere.

    Parameters
    ----------
    path : str or Path
        The input file (see :func:`read_table`).
    format : {'native', 'acled', 'ccc', 'mapped'}, optional
        Default: detected from the header (a given ``mapping`` means ``'mapped'``).
    mapping : dict or path, optional
        A column mapping (see :func:`load_mapping`), or the path of a mapping file.
    existing : pandas.DataFrame, optional
        Records already in the store (the :mod:`geo.schema` columns); rows that
        duplicate one of them are merged, not imported.
    progress : callable, optional
        ``progress(done, total)``, called every :data:`CHUNK_ROWS` rows and at the end.
    today : datetime.date, optional
        Dates after it are flagged as future (default: the current date).
    boundaries : 'auto', None or geo.boundaries.BoundarySet
        For the swapped / outside-both-cities flags.  ``'auto'`` loads the configured
        boundaries (:func:`geo.boundaries.load_boundaries`) and falls back to coarse
        bounding boxes of the two cities when none are configured; ``None`` always uses
        the boxes.  ``ImportResult.notes`` says which was used.
    layer : str, optional
        The layer of a GeoPackage input (default: its first layer).

    Returns
    -------
    ImportResult

    Raises
    ------
    ImportFileError
        The file cannot be read at all.
    MappingError
        The format is unknown and no mapping was given, or the mapping does not fit.

    Notes
    -----
    Every row is accounted for once (``ImportResult.check``):

    * rejected before validation: a row with more cells than the header (a cell
      shifted: which one cannot be known), a GeoJSON feature that is not a Point, an
      unreadable date, a count or precision too large to be real, a row of blanks, a
      row the importer cannot convert (no ACLED event id, say);
    * merged: a row whose ``record_id`` repeats an earlier row of the file or an
      ``existing`` record, or that has the same date, city, event type, place and first
      source (first URL; for ACLED, whose URL is always the citation, the first source
      name) as one of them;
    * rejected by :func:`geo.records.validate_frame` (every problem of the row in
      ``reason``);
    * imported, with flags for what is suspicious but usable: coordinates that look
      swapped or lie outside both cities (kept as given), a future date, a high figure
      below the low one (the two swapped), a count stated as text (``about 50`` -> 50),
      a row with fewer cells than the header (missing cells read as blank), and the
      importer's own flags.
    """
    if isinstance(mapping, (str, Path)):
        mapping = load_mapping(mapping)
    table = read_table(path, layer=layer)
    table = _strip_diagnostics(table)
    fmt = "mapped" if mapping is not None and format in (None, "mapped") else (format or detect_format(table))
    total = len(table)
    notes = [f"read as {table.encoding}" + (f", delimiter {table.delimiter!r}" if table.delimiter else ""),
             f"format {fmt}" + (f" ({acled_generation(table)} columns)" if fmt == "acled" else "")]
    notes.extend(table.problems)

    parts: list[Converted] = []
    for start in range(0, max(total, 1), CHUNK_ROWS):
        chunk = _slice(table, start, start + CHUNK_ROWS)
        conv = to_native(chunk, format=fmt, mapping=mapping)
        parts.append(_normalise(conv, chunk))
        done = min(start + CHUNK_ROWS, total)
        if progress is not None and done < total:
            progress(done, total)
    conv = _concat(parts)

    rejected: dict[int, Problem | list[Problem]] = {}
    for p in conv.rejections:
        rejected.setdefault(int(p.row), p)
    for p in _reading_rejections(table):
        rejected.setdefault(int(p.row), p)
    rows = conv.input_rows
    alive = ~np.isin(rows, list(rejected))

    # merges before validation: validate_frame rejects a repeated record_id
    merged, alive = _merge_by_id(conv, alive, existing, table.file)
    positions = np.flatnonzero(alive)
    sub = conv.raw.iloc[positions].reset_index(drop=True)
    result = validate_frame(sub, table.file, first_row=0, existing=existing)
    by_pos: dict[int, list[Problem]] = {}
    for p in result.problems:
        if p.row is None:
            for pos in range(len(positions)):
                by_pos.setdefault(pos, []).append(p)
        else:
            by_pos.setdefault(int(p.row), []).append(p)
    for pos, problems in by_pos.items():
        row = int(rows[positions[pos]])
        rejected[row] = [Problem(p.file, row, p.column or "(row)", p.value if p.value is not None else "",
                                 p.expected) for p in problems]
    # a row merged into an earlier row of the file that validation then rejected is rejected too
    merged = _drop_merges_into_rejected(merged, rejected, table.file, conv)

    records = result.records
    records["source_row"] = rows[positions[records["source_row"].to_numpy(dtype=np.int64)]] if len(records) else records["source_row"]
    flag_text = conv.flag_text.to_numpy(dtype=object)
    row_pos = {int(r): i for i, r in enumerate(rows)}
    records["flags"] = [flag_text[row_pos[int(r)]] for r in records["source_row"]] if len(records) else pd.Series(dtype=str)
    records, more = _merge_by_key(records, existing, table.file)
    merged = pd.concat([merged, more], ignore_index=True) if len(more) else merged
    records, coord_note = _flag_records(records, today or date.today(), boundaries)
    notes.append(coord_note)

    rejected_frame = _rejected_frame(rejected, table, conv)
    out = ImportResult(table.file, fmt, records.reset_index(drop=True), merged.reset_index(drop=True),
                       rejected_frame, total, notes, list(table.header))
    if progress is not None:
        progress(total, total)
    return out


def write_rejected(result: ImportResult, path: str | Path | None = None) -> Path | None:
    """Write the rejected rows next to the input as ``<name>.rejected.csv`` (UTF-8 with BOM).

    The original cells come first, under their original column names, so the file can be
    fixed in a spreadsheet and imported again with the same format or mapping; the
    ``file``, ``row``, ``column``, ``value``, ``reason`` columns follow (prefixed
    ``import_`` in the file; :func:`import_rows` ignores them on re-import).  Returns the
    path written, or ``None`` when nothing was rejected (an old file of that name is left
    alone).
    """
    src = Path(path or result.file)
    name = src.name
    stem = name[: -len(src.suffix)] if src.suffix else name
    if stem.endswith(".rejected"):
        stem = stem[: -len(".rejected")]
    target = src.with_name(f"{stem}.rejected.csv")
    if result.rejected.empty:
        return None
    frame = result.rejected
    original = [c for c in result.original_columns if c in frame.columns]
    out = frame[original].copy()
    for c in DIAGNOSTIC_COLUMNS:
        out["import_" + c] = frame[c].astype(str)
    out.to_csv(target, index=False, encoding="utf-8-sig")
    return target


# --------------------------------------------------------------------------- pipeline steps


def _strip_diagnostics(table: RawTable) -> RawTable:
    diag = ["import_" + c for c in DIAGNOSTIC_COLUMNS]
    if table.header[-len(diag):] != diag:
        return table
    header = table.header[: -len(diag)]
    table.frame = table.frame[header]
    table.header = header
    table.problems.append(f"{table.file}: a rejected-rows file; its import_* columns are ignored")
    return table


def _slice(table: RawTable, start: int, stop: int) -> RawTable:
    frame = table.frame.iloc[start:stop].reset_index(drop=True)
    ragged = {i - start: v for i, v in table.ragged.items() if start <= i < stop}
    over = {i - start: v for i, v in table.overflow.items() if start <= i < stop}
    return RawTable(frame, table.header, table.encoding, table.delimiter, table.first_row + start,
                    table.file, ragged, over, [])


def _concat(parts: list[Converted]) -> Converted:
    if len(parts) == 1:
        return parts[0]
    raw = pd.concat([p.raw for p in parts], ignore_index=True)
    return Converted(raw.fillna(""), np.concatenate([p.input_rows for p in parts]),
                     pd.concat([p.flag_text for p in parts], ignore_index=True),
                     [r for p in parts for r in p.rejections])


def _reading_rejections(table: RawTable) -> list[Problem]:
    out = []
    for i, (found, width) in table.ragged.items():
        row = table.first_row + i
        if found == -1:
            out.append(Problem(table.file, row, "geometry", table.overflow.get(i, ""),
                               "incident features must be Points (WGS84 longitude, latitude)"))
        elif found > width:
            out.append(Problem(table.file, row, "(row)", table.overflow.get(i, ""),
                               f"row has {found} cells, the header {width} columns: a cell is shifted "
                               "(an unquoted delimiter?); fix the row"))
    blank = (table.frame == "").all(axis=1) if len(table.frame.columns) else pd.Series(True, index=table.frame.index)
    for i in np.flatnonzero(blank.to_numpy()):
        if int(i) not in table.ragged:
            out.append(Problem(table.file, table.first_row + int(i), "(row)", "", "row is empty"))
    return out


def _normalise(conv: Converted, table: RawTable) -> Converted:
    """What every format needs before validate_frame: numbers, counts, dates, ragged rows."""
    raw = conv.raw
    b = _Builder(table)
    b.flags = conv.flag_text.set_axis(b.index)
    rows = conv.input_rows
    for col in ("latitude", "longitude"):
        if col in raw.columns:
            raw[col] = _decimal(raw[col].str.strip()).to_numpy()
    # counts: text -> number (flag), high below low -> swapped (flag), huge -> rejected
    for low_col, high_col in (("detained_low", "detained_high"), ("participants_low", "participants_high"),
                              ("injured", None)):
        if low_col not in raw.columns:
            continue
        low_text = raw[low_col].str.strip().set_axis(b.index)
        lo = _counts(low_text)
        textual = lo.textual.to_numpy()
        b.flag(textual, f"{low_col} stated as text ('" + low_text + "' read as " + lo.shown + ")")
        new_low = lo.low.where(~lo.words, "")
        b.flag(lo.words, f"{low_col} '" + low_text + "' gives no number (left blank)")
        if high_col and high_col in raw.columns:
            high_text = raw[high_col].str.strip().set_axis(b.index)
            hi = _counts(high_text)
            b.flag(hi.textual, f"{high_col} stated as text ('" + high_text + "' read as " + hi.shown + ")")
            new_high = hi.high.where(hi.high != "", hi.low)
            new_high = new_high.where(high_text != "", lo.high.where((lo.high != lo.low) | lo.textual, ""))
            new_high = new_high.where(~hi.words, "")
            b.flag(hi.words, f"{high_col} '" + high_text + "' gives no number (left blank)")
            ln = pd.to_numeric(new_low, errors="coerce")
            hn = pd.to_numeric(new_high, errors="coerce")
            swap = (hn < ln).fillna(False).to_numpy(dtype=bool)
            b.flag(swap, f"{high_col} below {low_col} (the two swapped)")
            low_out = np.where(swap, new_high, new_low)
            high_out = np.where(swap, new_low, new_high)
            raw[high_col] = high_out
            raw[low_col] = low_out
            big = (hn > MAX_COUNT).fillna(False).to_numpy(dtype=bool)
            b.reject(big, high_col, high_text, f"a count above {MAX_COUNT:,} is not plausible")
        else:
            raw[low_col] = new_low.to_numpy()
        ln = pd.to_numeric(raw[low_col], errors="coerce")
        big = (ln > MAX_COUNT).fillna(False).to_numpy(dtype=bool)
        b.reject(big, low_col, low_text, f"a count above {MAX_COUNT:,} is not plausible")
    if "geo_precision" in raw.columns:
        gp = raw["geo_precision"].str.strip()
        num = pd.to_numeric(gp, errors="coerce")
        b.reject(((num.abs() > 1000) | np.isinf(num)).fillna(False).to_numpy(dtype=bool), "geo_precision",
                 gp.set_axis(b.index), "expected one of 1, 2, 3, 4")
    for col in schema.DATE_COLUMNS:
        if col in raw.columns:
            text = raw[col].str.strip()
            year = pd.to_numeric(text.str.extract(r"^(\d{4})-\d{2}-\d{2}$", expand=False), errors="coerce")
            far = ((year < MIN_YEAR) | (year > MAX_YEAR)).fillna(False).to_numpy(dtype=bool)
            b.reject(far, col, text.set_axis(b.index), f"expected a year between {MIN_YEAR} and {MAX_YEAR}")
    short = np.zeros(len(raw), dtype=bool)
    for i, (found, width) in table.ragged.items():
        if 0 <= found < width:
            short[i] = True
    b.flag(short, "row has fewer cells than the header (missing cells read as blank)")
    rejections = list(conv.rejections)
    known = {p.row for p in rejections}
    rejections.extend(p for p in b.rejections.values() if p.row not in known)
    return Converted(raw, rows, b.flags.reset_index(drop=True), rejections)


def _first_source(frame: pd.DataFrame) -> pd.Series:
    urls = frame["source_urls"].fillna("").astype(str).str.strip().str.split(n=1).str[0].fillna("")
    names = frame["source_names"].fillna("").astype(str).str.split(";", n=1).str[0].fillna("").str.strip()
    # ACLED rows all cite the same URL: their first source is ACLED's first source name.
    return urls.where(urls != ACLED_CITATION_URL, "acled:" + names).str.casefold()


def _place(frame: pd.DataFrame) -> pd.Series:
    place = frame["place_name_en"].fillna("").astype(str).str.strip()
    for col in ("place_name_ru", "place_name_kk"):
        place = place.where(place != "", frame[col].fillna("").astype(str).str.strip())
    return place.str.casefold()


def _episode_key(frame: pd.DataFrame) -> pd.Series:
    days = pd.to_datetime(frame["date"], errors="coerce").to_numpy().astype("datetime64[D]")
    day = pd.Series(np.where(np.isnat(days), "", days.astype(str)), index=frame.index, dtype=object)
    city = frame["city"].fillna("").astype(str).replace({"Astana": "Nur-Sultan"})
    place = _place(frame)
    key = day + "|" + city + "|" + frame["event_type"].fillna("").astype(str) + "|" + place + "|" + _first_source(frame)
    # ACLED's event ids are its own de-duplication: two ACLED events are never one episode
    # (their first source is always the citation URL), so only record_id merges them.
    acled = frame["source_urls"].fillna("").astype(str).str.startswith(ACLED_CITATION_URL)
    return key.where((place != "") & (day != "") & ~acled, "")


def _merge_by_id(conv: Converted, alive: np.ndarray, existing: pd.DataFrame | None, name: str):
    ids = conv.raw["record_id"].str.strip().to_numpy(dtype=object)
    rows = conv.input_rows
    merged = []
    known = set(existing["record_id"].astype(str)) if existing is not None and len(existing) else set()
    seen: dict[str, int] = {}
    alive = alive.copy()
    for i in np.flatnonzero(alive):
        rid = ids[i]
        if not rid:
            continue
        if rid in known:
            merged.append((name, int(rows[i]), rid, rid, "same record_id as an existing record"))
            alive[i] = False
        elif rid in seen:
            merged.append((name, int(rows[i]), rid, rid, f"same record_id as row {seen[rid]} of this file"))
            alive[i] = False
        else:
            seen[rid] = int(rows[i])
    return pd.DataFrame(merged, columns=["file", "row", "input_record_id", "record_id", "why"]), alive


def _drop_merges_into_rejected(merged: pd.DataFrame, rejected: dict, name: str, conv: Converted) -> pd.DataFrame:
    if merged.empty:
        return merged
    first_row = merged["why"].str.extract(r"row (\d+) of this file", expand=False)
    bad = first_row.notna() & first_row.fillna("0").astype(int).isin(list(rejected))
    for _, m in merged[bad].iterrows():
        rejected[int(m["row"])] = Problem(name, int(m["row"]), "record_id", m["input_record_id"],
                                          f"repeats the record_id of row {first_row[_]}, which was rejected; "
                                          "fix that row and import both again")
    return merged[~bad]


def _merge_by_key(records: pd.DataFrame, existing: pd.DataFrame | None, name: str):
    cols = ["file", "row", "input_record_id", "record_id", "why"]
    if records.empty:
        return records, pd.DataFrame(columns=cols)
    key = _episode_key(records)
    first: dict[str, str] = {}
    if existing is not None and len(existing) and all(c in existing.columns for c in
                                                       ("date", "city", "event_type", "place_name_en", "place_name_ru",
                                                        "place_name_kk", "source_urls", "source_names")):
        ek = _episode_key(existing)
        for k, rid in zip(ek, existing["record_id"].astype(str)):
            if k:
                first.setdefault(k, rid)
    why_existing = "same date, city, event type, place and first source as an existing record"
    drop = np.zeros(len(records), dtype=bool)
    out = []
    ids = records["record_id"].to_numpy(dtype=object)
    src_rows = records["source_row"].to_numpy()
    seen_row: dict[str, int] = {}
    for i, k in enumerate(key.to_numpy(dtype=object)):
        if not k:
            continue
        if k in first and k not in seen_row:
            out.append((name, int(src_rows[i]), ids[i], first[k], why_existing))
            drop[i] = True
        elif k in seen_row:
            out.append((name, int(src_rows[i]), ids[i], ids[seen_row[k]],
                        f"same date, city, event type, place and first source as row {int(src_rows[seen_row[k]])}"))
            drop[i] = True
        else:
            seen_row[k] = i
    return records.loc[~drop].reset_index(drop=True), pd.DataFrame(out, columns=cols)


# coarse boxes (lon0, lat0, lon1, lat1), a little wider than the OSM city outlines
# (Almaty 76.74-77.17 E, 43.03-43.40 N; Astana 71.22-71.79 E, 50.86-51.35 N)
_BOXES = {"Almaty": (76.70, 43.00, 77.20, 43.45), "Astana": (71.18, 50.83, 71.82, 51.38)}


def _in_boxes(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    inside = np.zeros(lon.shape, dtype=bool)
    for x0, y0, x1, y1 in _BOXES.values():
        inside |= (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
    return inside


def _flag_records(records: pd.DataFrame, today: date, boundaries) -> tuple[pd.DataFrame, str]:
    if records.empty:
        records["flags"] = pd.Series(dtype=str)
        return records, "no records to check"
    extra = [pd.Series(records["flags"].to_numpy(dtype=object), index=records.index)]
    future = (records["date"] > pd.Timestamp(today)).to_numpy(dtype=bool)
    extra.append(pd.Series(np.where(future, f"date after today ({today.isoformat()})", ""), index=records.index))
    lat = records["latitude"].to_numpy(dtype=float)
    lon = records["longitude"].to_numpy(dtype=float)
    has = np.isfinite(lat) & np.isfinite(lon)
    bset, note = _boundaries(boundaries)
    if bset is not None and has.any():
        from geo.join import join_incidents

        joined = join_incidents(records[["date", "city", "latitude", "longitude", "geo_precision"]], bset)
        swapped = (joined["join_code"] == "swapped").to_numpy(dtype=bool)
        outside = (joined["attribution"] == "outside").to_numpy(dtype=bool)
    else:
        inside = _in_boxes(lon, lat)
        swapped = has & ~inside & _in_boxes(lat, lon)
        outside = has & ~inside & ~swapped
    extra.append(pd.Series(np.where(swapped, "latitude and longitude look swapped (kept as given)", ""),
                           index=records.index))
    extra.append(pd.Series(np.where(outside, "coordinates lie outside both cities", ""), index=records.index))
    records["flags"] = _join_text(extra, "; ").to_numpy()
    return records, note


def _boundaries(boundaries):
    coarse = ("swapped / outside checked against coarse bounding boxes of Almaty and Astana "
              "(no district boundaries configured)")
    if boundaries is None:
        return None, coarse.replace("no district boundaries configured", "boundaries not used")
    if boundaries != "auto":
        return boundaries, "swapped / outside checked with geo.join.join_incidents on the given boundaries"
    from geo.boundaries import load_boundaries

    try:
        bset = load_boundaries()
    except (BoundariesNotConfigured, BoundaryCheckError):
        return None, coarse
    return bset, f"swapped / outside checked with geo.join.join_incidents on {bset.folder}"


def _rejected_frame(rejected: dict, table: RawTable, conv: Converted) -> pd.DataFrame:
    if not rejected:
        return pd.DataFrame(columns=DIAGNOSTIC_COLUMNS + list(table.header))
    rows = sorted(rejected)
    diag = []
    for r in rows:
        ps = rejected[r] if isinstance(rejected[r], list) else [rejected[r]]
        first = ps[0]
        diag.append((first.file, r, first.column or "(row)", "" if first.value is None else str(first.value),
                     "; ".join(dict.fromkeys(
                         (f"{p.column}: {p.expected}" if p.column and p.column != first.column else p.expected)
                         for p in ps))))
    frame = pd.DataFrame(diag, columns=DIAGNOSTIC_COLUMNS)
    original = table.frame.iloc[np.asarray(rows, dtype=np.int64) - table.first_row].reset_index(drop=True)
    clash = [c for c in original.columns if c in DIAGNOSTIC_COLUMNS]
    if clash:
        frame = frame.rename(columns={c: f"import_{c}" for c in DIAGNOSTIC_COLUMNS})
    return pd.concat([frame, original], axis=1)


# --------------------------------------------------------------------------- value helpers

_DEFAULT_DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d %B %Y", "%d-%B-%Y", "%d %b %Y"]


def _parse_dates(text: pd.Series, formats: list[str]) -> pd.Series:
    """ISO text of each date read with the first format that fits; ``""`` when none fits."""
    return _per_unique(text, lambda u: _parse_dates_of(u, formats))


def _parse_dates_of(text: pd.Series, formats: list[str]) -> pd.Series:
    text = text.astype(str).str.strip()
    out = pd.Series([""] * len(text), index=text.index, dtype=object)
    todo = text != ""
    for fmt in formats:
        if not todo.any():
            break
        parsed = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        ok = parsed.notna() & (parsed.dt.year >= MIN_YEAR) & (parsed.dt.year <= MAX_YEAR)
        idx = ok[ok].index
        out.loc[idx] = parsed[idx].dt.strftime("%Y-%m-%d")
        todo.loc[idx] = False
    return out.astype(str)


def _per_unique(values: pd.Series, fn: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``fn`` applied to the distinct values only (cells repeat a lot: cities, dates, precisions)."""
    codes, uniques = pd.factorize(values.astype(str), use_na_sentinel=False)
    done = fn(pd.Series(np.asarray(uniques, dtype=object), dtype=object))
    out = np.asarray(done, dtype=object)[codes] if len(codes) else np.asarray([], dtype=object)
    return pd.Series(out, index=values.index, dtype=object).astype(str)


def _decimal(values: pd.Series) -> pd.Series:
    """'43,238' -> '43.238' (a decimal comma); anything else unchanged."""
    return _per_unique(values, lambda u: u.str.replace(r"^\s*(-?\d+),(\d+)\s*$", r"\1.\2", regex=True))


def _join_text(parts: list[pd.Series], sep: str) -> pd.Series:
    out = None
    for part in parts:
        p = part.astype(str).to_numpy(dtype=object)
        if out is None:
            out = p
            continue
        out = np.where(out == "", p, np.where(p == "", out, out + sep + p))
    return pd.Series(out, index=parts[0].index, dtype=object).astype(str)


_COUNTRY_NAMES = {"kazakhstan", "казахстан", "қазақстан", "republic of kazakhstan", "республика казахстан"}

_CITY_WORDS = {
    "Almaty": ["almaty", "almaty city", "almaty qalasy", "city of almaty", "алматы", "алма-ата", "алматы қаласы",
               "г. алматы", "г.алматы", "город алматы", "almaty (city)"],
    "Nur-Sultan": ["nur-sultan", "nur sultan", "nursultan", "nur-sultan city", "nur-sultan city (astana)",
                   "нур-султан", "нур султан", "нұр-сұлтан", "г. нур-султан", "город нур-султан"],
    "Astana": ["astana", "astana city", "city of astana", "астана", "г. астана", "г.астана", "город астана",
               "астана қаласы", "akmola city", "tselinograd"],
}
_CITY_LOOKUP = {w: city for city, words in _CITY_WORDS.items() for w in words}
_CITY_LOOKUP.update({c.casefold(): c for c in schema.CITIES})
_ADMIN_CITY = {w: c for w, c in _CITY_LOOKUP.items()
               if any(t in w for t in ("city", "город", "г.", "қаласы", "qalasy", "nur", "нур", "нұр", "астана", "astana"))}


def _city_values(values: pd.Series, *, keep_unknown: bool, admin: bool = False) -> pd.Series:
    return _per_unique(values, lambda u: _city_values_of(u, keep_unknown=keep_unknown, admin=admin))


def _city_values_of(values: pd.Series, *, keep_unknown: bool, admin: bool = False) -> pd.Series:
    """Native city names for city cells in English or Cyrillic; ``""`` (or the cell) when none.

    With ``admin``, only names that mean the city itself count (``Almaty`` as admin1 is
    also the name of the region around it).
    """
    key = values.astype(str).str.strip().str.casefold().str.replace(r"\s+", " ", regex=True)
    # 'Almaty - Bostandyk', 'Алматы, Медеуский район'
    head = key.str.split(r"\s*[-–,(]\s+|\s*,\s*", n=1, regex=True).str[0].fillna("")
    lookup = _ADMIN_CITY if admin else _CITY_LOOKUP
    found = key.map(lookup)
    found = found.where(found.notna(), head.map(lookup))
    if not admin:
        found = found.where(~key.isin(["national", "other"]) | found.isna(), found)
    fallback = values.astype(str).str.strip() if keep_unknown else ""
    return found.fillna(fallback if isinstance(fallback, str) else fallback).astype(str)


_EVENT_WORDS = {
    "митинг": "rally", "протест": "rally", "акция": "rally", "акция протеста": "rally", "шествие": "rally",
    "protest": "rally", "demonstration": "rally",
    "задержание": "detention", "задержания": "detention", "арест": "detention", "аресты": "detention",
    "arrest": "detention", "arrests": "detention",
    "насилие полиции": "police_violence",
    "задержан журналист": "journalist_detained", "нападение на журналиста": "journalist_assaulted",
}


@dataclass
class _Counts:
    low: pd.Series        # digits or ""
    high: pd.Series       # digits or "" (blank = at least low)
    textual: pd.Series    # a number was read out of words ("about 50")
    words: pd.Series      # words only ("dozens"): no number
    swapped: pd.Series    # a range written high-low
    shown: pd.Series      # what was read, for flags ("50", "30-40")


_APPROX = r"(?:about|around|approximately|approx\.?|roughly|nearly|almost|some|est\.?|estimated|~|≈|c\.|ca\.?|" \
          r"около|примерно|приблизительно|порядка|почти|более чем|около)"
_AT_LEAST = r"(?:at least|more than|over|above|in excess of|\+|не менее|более|больше|свыше|как минимум|минимум)"


def _parse_count(text: str) -> tuple[str, str, bool, bool, bool]:
    """One count cell -> (low, high, textual, words_only, swapped)."""
    t = text.strip().casefold()
    if not t:
        return "", "", False, False, False
    t = re.sub(r"(?<=\d)[\s\u00a0\u202f](?=\d{3}\b)", "", t)          # 1 200 -> 1200
    t = re.sub(r"(?<=\d),(?=\d{3}\b)", "", t)                         # 1,200 -> 1200
    if re.fullmatch(r"\d+", t):
        return str(int(t)), str(int(t)), False, False, False
    if re.fullmatch(r"\d+\.0+", t):
        n = str(int(t.split(".")[0]))
        return n, n, False, False, False
    m = re.fullmatch(r"(?:between\s+|от\s+)?(\d+)\s*(?:-|–|—|to|and|до|\.\.)\s*(\d+)", t)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        textual = not re.fullmatch(r"\d+\s*[-–—]\s*\d+", t)
        if b < a:
            return str(b), str(a), textual, False, True
        return str(a), str(b), textual, False, False
    m = re.fullmatch(_AT_LEAST + r"\s*(\d+)\s*\+?(?:\s*(?:people|persons|protesters|человек|чел\.?))?", t)
    if m or re.fullmatch(r"(\d+)\s*\+", t):
        n = str(int(re.search(r"\d+", t).group()))
        return n, "", True, False, False
    m = re.fullmatch(_APPROX + r"\s*(\d+)(?:\s*(?:people|persons|protesters|человек|чел\.?))?", t)
    if m or re.fullmatch(r"(\d+)\s*(?:people|persons|protesters|человек|чел\.?)", t):
        n = str(int(re.search(r"\d+", t).group()))
        return n, n, True, False, False
    return "", "", False, True, False


def _counts(values: pd.Series) -> _Counts:
    values = values.astype(str)
    codes, uniques = pd.factorize(values)
    parsed = [_parse_count(u) for u in uniques]
    if parsed:
        cols = list(zip(*parsed))
        arrays = [np.asarray(c, dtype=object)[codes] for c in cols]
    else:
        arrays = [np.asarray([], dtype=object)] * 5
    idx = values.index
    low = pd.Series(arrays[0], index=idx, dtype=object).astype(str)
    high = pd.Series(arrays[1], index=idx, dtype=object).astype(str)
    textual = pd.Series(arrays[2], index=idx).astype(bool)
    words = pd.Series(arrays[3], index=idx).astype(bool)
    swapped = pd.Series(arrays[4], index=idx).astype(bool)
    shown = low.where((high == low) | (low == ""), low + "-" + high)
    shown = shown.where(~((high == "") & (low != "")), "at least " + low)
    return _Counts(low, high, textual, words, swapped, shown)


def _row_hashes(frame: pd.DataFrame) -> pd.Series:
    """A short, stable hash of each row's cells (column order included)."""
    if frame.empty:
        return pd.Series([], dtype=str)
    joined = frame.astype(str).agg("\x1f".join, axis=1) if len(frame.columns) else pd.Series([""] * len(frame))
    return pd.Series([hashlib.sha1(s.encode("utf-8", "surrogatepass")).hexdigest()[:12] for s in joined],
                     index=frame.index, dtype=object).astype(str)
