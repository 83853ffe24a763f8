"""Reading: a file as text cells (:class:`RawTable`), before any interpretation.

Bytes and encodings (UTF-8, UTF-8 with BOM, Windows-1251), delimiters (``,`` ``;``
tab), CSV-like text, GeoJSON FeatureCollections and GeoPackage layers of Points in
WGS84.  Nothing is lost: ragged rows are kept and listed, non-Point features are
kept and listed, repaired headers are said in ``problems``.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj.exceptions import CRSError

from geo.errors import ImportFileError
from geo.records import is_wgs84

__all__ = ["RawTable", "read_table"]


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
        return RawTable(
            self.frame.iloc[:n].reset_index(drop=True),
            list(self.header),
            self.encoding,
            self.delimiter,
            self.first_row,
            self.file,
            keep,
            over,
            list(self.problems),
        )


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
                "save it again as UTF-8"
            ) from None
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251"), "cp1251", []
    except UnicodeDecodeError as exc:
        # 0x98 is the one byte Windows-1251 leaves undefined: keep the row, say so.
        return (
            data.decode("cp1251", errors="replace"),
            "cp1251",
            [
                f"{name}: byte {exc.start} ({data[exc.start : exc.start + 1]!r}) is neither UTF-8 nor "
                "Windows-1251; read as U+FFFD"
            ],
        )


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
    if best is None or best_score is None or not best_score[0]:  # set together: both or neither
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
        raise ImportFileError(
            f"{name}: cannot be parsed as delimited text near line {reader.line_num}: {exc}"
        ) from None
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
    if crs is not None and not (isinstance(crs_name, str) and is_wgs84(crs_name)):
        raise ImportFileError(
            f"{name}: declares CRS {crs_name or crs!r}; incident files must be in WGS84 "
            "(EPSG:4326 / OGC CRS84): reproject it first"
        )
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
    table.ragged = dict.fromkeys(table.overflow, (-1, -1))  # -1: not a point (see _reading_rejections)
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
            "(EPSG:4326 / OGC CRS84): reproject it first"
        )
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
    table = RawTable(
        cells.reset_index(drop=True),
        header,
        "GeoPackage",
        None,
        1,
        name,
        {},
        {},
        [] if layer == layers[0] and len(layers) == 1 else [f"{name}: layer {layer!r} read"],
    )
    table.overflow = dict(not_point)
    table.ragged = dict.fromkeys(not_point, (-1, -1))  # -1: not a point (see _reading_rejections)
    return table


def _crs_is_wgs84(crs) -> bool:
    """A GeoDataFrame's pyproj CRS: EPSG 4326 by pyproj's own lookup, or by the name rule."""
    try:
        if crs.to_epsg() == 4326:
            return True
    except CRSError:  # a CRS pyproj cannot match to an EPSG code: judge it by its name
        pass
    return is_wgs84(crs.to_string())


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
