"""Reading: a file as text cells (:class:`RawTable`), before any interpretation.

Bytes and encodings, delimiters (``,`` ``;`` tab), CSV-like text, GeoJSON
FeatureCollections and GeoPackage layers of Points in WGS84.  Nothing is lost: ragged
rows are kept and listed, non-Point features are kept and listed, rows that cannot be
read (bytes that are not text, a broken quote) are kept and rejected with their line,
repaired headers are said in ``problems``.

The rules, each said in the import's notes where it applies:

* **Decoding.**  A byte order mark decides (UTF-8, UTF-16, UTF-32).  Without one, a
  file that is valid UTF-8 is UTF-8.  A file that is not is Windows-1251 only when it
  is not UTF-8 as a whole: most of its non-ASCII byte sequences are invalid UTF-8 *and*
  Windows-1251 reads at least :data:`~geo.importing.decoding.CP1251_SHARE` of its non-ASCII bytes as Cyrillic
  words (two letters or more) or its quotes and dashes.  Otherwise it is read as UTF-8
  and the rows holding invalid bytes are rejected, naming the bytes; no byte is ever
  replaced silently.
* **Counting.**  The input of a delimited file is its physical data lines (after the
  header), taken before the rows are parsed.  A quoted cell may hold a line break when
  its quote is properly closed and the row then has the header's cells: that record
  counts once, and the notes say so (rows are then numbered as a spreadsheet shows
  them, by record).  A quote that is never closed, closed and followed by text, or that
  swallows lines into a row of the wrong width rejects the line it opens on, with the
  line number; the lines after it are read on their own, so every line is still one
  input row.  GeoJSON and GeoPackage count records (features).
* **Limits** (:class:`geo.settings.ImportLimits`): bytes, rows, columns and the longest
  cell are checked before the rows are parsed; a file over one is refused, naming the
  limit and its environment variable.
* **Not text.**  A file that does not decode cleanly, of which more than
  :data:`~geo.importing.decoding.BINARY_SHARE` of the first 64 KiB is control characters or
  undecodable bytes, or a clean one that is mostly NUL (a workbook, UTF-16 without its byte
  order mark), is refused with a short printable excerpt. Control characters in a text
  file are the rows' business: rejected in ids, taken out of free text with a flag.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pyproj.exceptions import CRSError

from geo.errors import ImportFileError, Problem
from geo.importing.decoding import (
    _MARKS,
    _bad_bytes,
    _decode,
    _Decoded,
    _refuse_binary,
    _unmark,
    excerpt,
)
from geo.importing.values import CONTROL_CHARACTERS
from geo.records import is_wgs84
from geo.settings import ImportLimits, get_settings

__all__ = ["RawTable", "read_table"]


@dataclass
class RawTable:
    """A file read as text cells, before any interpretation.

    ``frame`` has one row per input row of the file (in order), one ``str`` column per
    header column (blank cells are ``""``, never NaN).  Row ``i`` of the frame is row
    ``first_row + i`` of the file as a spreadsheet shows it (CSV: the header is row 1;
    GeoJSON: feature numbers from 1).  ``ragged`` maps a frame position to
    ``(cells found, cells expected)`` for rows whose cell count differs from the
    header's; extra cells are kept in ``overflow`` (joined by the delimiter).
    ``rejected`` maps a frame position to why reading rejects that row (bytes that are
    not text, a broken quote).  ``problems`` lists file-level findings (how the file was
    decoded, a header repaired, line breaks inside quoted cells).  ``data_lines`` is
    the physical data lines of a delimited file (the features of a GeoJSON file) and
    ``joined_lines`` the line breaks inside quoted cells, so :attr:`input_count`, the
    input of the row accounting, is taken from the file and not from the frame.
    ``has_control``: whether any cell may hold a control character.
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
    rejected: dict[int, Problem] = field(default_factory=dict)
    data_lines: int | None = None
    joined_lines: int = 0
    has_control: bool = True

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def input_count(self) -> int:
        """The input rows: the file's data lines less the line breaks inside quoted cells (records when not text)."""
        return len(self.frame) if self.data_lines is None else self.data_lines - self.joined_lines

    def rows(self) -> np.ndarray:
        """The file row number of every frame row."""
        return np.arange(len(self.frame), dtype=np.int64) + self.first_row

    def slice(self, start: int, stop: int) -> RawTable:
        """Frame rows ``start`` to ``stop`` as a table of their own (same file, same numbering, no problems)."""
        stop = min(stop, len(self.frame))

        def inside(d: dict) -> dict:
            return {i - start: v for i, v in d.items() if start <= i < stop}

        return RawTable(
            self.frame.iloc[start:stop].reset_index(drop=True),
            self.header,
            self.encoding,
            self.delimiter,
            self.first_row + start,
            self.file,
            inside(self.ragged),
            inside(self.overflow),
            [],
            inside(self.rejected),
            has_control=self.has_control,
        )

    def head(self, n: int) -> RawTable:
        """The first ``n`` rows as a table of their own (same file, same numbering)."""
        table = self.slice(0, n)
        table.header = list(self.header)
        table.problems = list(self.problems)
        return table


def read_table(path: str | Path, layer: str | None = None, *, limits: ImportLimits | None = None) -> RawTable:
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
    limits : geo.settings.ImportLimits, optional
        Default: the configured ones (``PROTESTMAP_IMPORT_MAX_*``).

    Returns
    -------
    RawTable

    Raises
    ------
    ImportFileError
        The file is missing, empty, not text, over an import limit, has no header or
        an unreadable one, is not a FeatureCollection (or is nested too deeply to
        read), is not a readable GeoPackage (or lacks the named layer) or declares a
        CRS other than WGS84.

    Notes
    -----
    See the module's rules (decoding, counting, limits).  The delimiter (``,`` ``;``
    or tab) is the one that splits the first 50 lines most evenly into most cells.
    Rows with too many or too few cells are kept (padded with blanks) and listed in
    ``ragged``.
    """
    path = Path(path)
    name = str(path)
    limits = limits or get_settings().import_limits
    if not path.exists():
        raise ImportFileError(f"{name}: file not found (looked at {path.resolve()})")
    if path.is_dir():
        raise ImportFileError(f"{name}: is a folder, expected a .csv, .tsv, .txt, .geojson or .gpkg file")
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise _over(name, f"is {size:,} bytes", "bytes", limits.max_bytes, "max_bytes")
    if path.suffix.lower() == ".gpkg":
        return _gpkg_table(path, name, layer, limits)
    data = path.read_bytes()
    decoded = _decode(data, name)
    _refuse_binary(decoded, name)
    if path.suffix.lower() in (".geojson", ".json"):
        return _geojson_table(decoded, name, limits)
    return _delimited_table(decoded, name, limits)


def _over(name: str, found: str, unit: str, limit: int, setting: str) -> ImportFileError:
    variable = ImportLimits.VARIABLES[setting]
    return ImportFileError(
        f"{name}: {found}, more than the import limit of {limit:,} {unit} ({variable}); "
        f"if the file is right, set {variable} higher and import it again"
    )


# --------------------------------------------------------------------------- delimited text

_DELIMITERS = (",", ";", "\t")


def _sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the first lines most evenly into most cells (``,`` on a tie)."""
    sample: list[str] = []
    size = 0
    for line in lines[:51]:
        if size + len(line) > 65536:
            break
        sample.append(line)
        size += len(line)
    sample = sample or [lines[0][:65536]]
    best, best_score = ",", None
    for rank, delim in enumerate(_DELIMITERS):
        try:
            rows = list(csv.reader(sample, delimiter=delim))
        except csv.Error:
            continue
        if not rows:
            continue
        width = len(rows[0])
        filled = [r for r in rows[1:] if r]
        even = sum(len(r) == width for r in filled) / max(1, len(filled))
        score = (width > 1, round(even, 2), width, -rank)
        if best_score is None or score > best_score:
            best, best_score = delim, score
    return best


def _physical_lines(text: str) -> int:
    """Lines of ``text`` ended by LF, CR LF or CR (the last one may have no ending)."""
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    return breaks + (0 if text.endswith(("\n", "\r")) else 1)


def _ensure_csv_field_limit(max_cell_chars: int) -> None:
    # Python's csv refuses cells over its field limit (131,072 by default): raise it, never lower it.
    if csv.field_size_limit() < max_cell_chars + 1:
        csv.field_size_limit(max_cell_chars + 1)


def _delimited_table(decoded: _Decoded, name: str, limits: ImportLimits) -> RawTable:
    text = decoded.text
    if not text.strip():
        raise ImportFileError(f"{name}: is empty; expected a header row and data rows")
    lines_found = _physical_lines(text)
    if lines_found - 1 > limits.max_rows:
        raise _over(name, f"has {lines_found - 1:,} data lines", "rows", limits.max_rows, "max_rows")
    fast = _fast_delimited(decoded, name, limits, lines_found)
    if fast is not None:
        return fast
    lines = io.StringIO(text, newline="").readlines()
    _ensure_csv_field_limit(limits.max_cell_chars)
    delimiter = _sniff_delimiter(lines)
    reader = csv.reader(iter(lines), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise ImportFileError(
            f"{name}: the header (line 1) cannot be read: {exc}; a quote in a header cell must be closed"
        ) from None
    header_lines = reader.line_num
    if len(header) > limits.max_columns:
        raise _over(name, f"has {len(header):,} columns", "columns", limits.max_columns, "max_columns")
    _refuse_long_cells(lines, delimiter, name, limits.max_cell_chars)
    problems = list(decoded.problems)
    if header_lines > 1:
        problems.append(f"{name}: the header runs over lines 1-{header_lines} (line breaks inside quoted names)")
    if decoded.marks and any(_MARKS.search(h) for h in header):
        header = [_unmark(h) for h in header]
        problems.append(f"{name}: the header holds {decoded.bad_byte}s, read as U+FFFD")
    header, fixes = _clean_header(header)
    problems += [f"{name}: {fix}" for fix in fixes]
    width = len(header)
    parsed = _parse_rows(lines, header_lines, delimiter, width, limits.max_cell_chars)
    if parsed.spans:
        shown = ", ".join(f"{a}-{b}" for a, b in parsed.spans[:5]) + (", ..." if len(parsed.spans) > 5 else "")
        problems.append(
            f"{name}: {len(parsed.spans):,} row(s) hold line breaks inside properly quoted cells (lines {shown}): "
            f"the input is counted by record, as a spreadsheet numbers its rows: {len(lines) - header_lines:,} "
            f"data lines, {len(parsed.rows):,} rows"
        )
    ragged: dict[int, tuple[int, int]] = {}
    overflow: dict[int, str] = {}
    rejected: dict[int, Problem] = {}
    cells: list[list[str]] = []
    for i, row in enumerate(parsed.rows):
        why = parsed.broken.get(i)
        if decoded.marks:
            row = _marked_row(decoded, row, header, name, 2 + i, rejected, i, why)
        if why is not None and i not in rejected:
            line = lines[parsed.first_line[i]].rstrip("\r\n")
            rejected[i] = Problem(name, 2 + i, "(row)", _unmark(line[:200]) + ("…" if len(line) > 200 else ""), why)
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
    table = RawTable(frame, header, decoded.encoding, delimiter, 2, name, ragged, overflow, problems, rejected)
    table.data_lines = len(lines) - header_lines
    table.joined_lines = parsed.joined
    table.has_control = CONTROL_CHARACTERS.search(text) is not None
    return table


#: The line breaks :meth:`io.StringIO.readlines` (``newline=""``) ends a line at.
_LINE_END = re.compile(r"\r\n|\r|\n")


def _first_lines(text: str, k: int) -> list[str]:
    """The first ``k`` lines of ``text`` as ``io.StringIO(text, newline="").readlines()`` gives them."""
    out: list[str] = []
    start = 0
    for match in _LINE_END.finditer(text):
        out.append(text[start : match.end()])
        start = match.end()
        if len(out) == k:
            return out
    if start < len(text):
        out.append(text[start:])
    return out


def _fast_delimited(decoded: _Decoded, name: str, limits: ImportLimits, lines_found: int) -> RawTable | None:
    """The common file read in one go by pyarrow's CSV reader; ``None`` when the file needs the line-by-line read.

    Taken only where the two cannot differ: no quote character anywhere (so no quoted cell, no
    line break inside a cell, no broken quote), no NUL, no byte kept as not text, every data line
    with the header's cells (no blank, short or long row) and no cell over the limit.  Any other
    file, and any file pyarrow does not read exactly so, goes the line-by-line way.
    """
    text = decoded.text
    if decoded.marks or '"' in text or "\x00" in text:
        return None
    head = _first_lines(text, 52)
    if len(head) < 2:
        return None
    delimiter = _sniff_delimiter(head)
    header = next(csv.reader(iter(head[:1]), delimiter=delimiter))
    if len(header) > limits.max_columns or max(map(len, header), default=0) > limits.max_cell_chars:
        return None
    problems = list(decoded.problems)
    header, fixes = _clean_header(header)
    problems += [f"{name}: {fix}" for fix in fixes]
    width = len(header)
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    try:
        data = text[len(head[0]) :].encode("utf-8")
    except UnicodeEncodeError:
        return None
    names = [f"c{i}" for i in range(width)]
    try:
        read = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(
                column_names=names, block_size=max(1 << 22, 4 * limits.max_cell_chars), encoding="utf8"
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, quote_char=False, double_quote=False, newlines_in_values=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    del data
    if read.num_rows != lines_found - 1:
        return None
    for column in read.columns:
        if column.null_count or (len(column) and (pc.max(pc.utf8_length(column)).as_py() or 0) > limits.max_cell_chars):
            return None
    frame = pd.DataFrame(
        {h: pd.Series(read.column(i), dtype="str") for i, h in enumerate(header)}, index=pd.RangeIndex(read.num_rows)
    )
    del read
    table = RawTable(frame, header, decoded.encoding, delimiter, 2, name, {}, {}, problems, {})
    table.data_lines = lines_found - 1
    table.joined_lines = 0
    table.has_control = CONTROL_CHARACTERS.search(text) is not None
    return table


def _marked_row(
    decoded: _Decoded,
    row: list[str],
    header: list[str],
    name: str,
    file_row: int,
    rejected: dict[int, Problem],
    i: int,
    why: str | None,
) -> list[str]:
    """The row with kept bytes read as U+FFFD; a row holding one is rejected (unless already, for a broken quote)."""
    for j, cell in enumerate(row):
        if _MARKS.search(cell):
            if why is None and i not in rejected:
                column = header[j] if j < len(header) else "(row)"
                rejected[i] = Problem(name, file_row, column, _unmark(cell), _bad_bytes(decoded, cell))
            return [_unmark(c) for c in row]
    return row


def _refuse_long_cells(lines: list[str], delimiter: str, name: str, max_cell: int) -> None:
    """Refuse a file with a cell over the limit, looking only at the lines long enough to hold one."""
    if max(map(len, lines)) <= max_cell:
        return
    for number, line in enumerate(lines, start=1):
        if len(line) <= max_cell:
            continue
        try:
            cells = next(csv.reader([line], delimiter=delimiter))
        except csv.Error:  # a cell over csv's own field limit
            cells = [line]
        longest = max(cells, key=len, default="")
        if len(longest) > max_cell:
            raise _over(
                name,
                f"line {number} holds a cell of {len(longest):,} characters",
                "characters a cell",
                max_cell,
                "max_cell_chars",
            )


@dataclass
class _Parsed:
    rows: list[list[str]]
    first_line: list[int]  # 0-based index into the lines of each row's first line
    broken: dict[int, str]  # row position -> why its line is rejected (a broken quote)
    spans: list[tuple[int, int]]  # 1-based first and last lines of the rows holding quoted line breaks
    joined: int  # the line breaks inside those rows


def _parse_rows(lines: list[str], start: int, delimiter: str, width: int, max_cell: int) -> _Parsed:
    """Every line from ``start`` as rows, by a strict parse; a line whose quote breaks the parse is one row of its own.

    A row spanning several lines is kept when its quotes are closed, it has ``width``
    cells and none over ``max_cell`` characters; otherwise its first line is a broken
    row (read by itself, leniently, for the rejected file) and the parse goes on at the
    next line.
    """
    out = _Parsed([], [], {}, [], 0)
    pos = start

    def reader_at(line: int):
        it: Any = iter(lines)  # a list iterator: __setstate__ moves it to a line
        it.__setstate__(line)
        return csv.reader(it, delimiter=delimiter, strict=True)

    reader, base = reader_at(pos), pos
    while pos < len(lines):
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            why = _quote_problem(str(exc), pos, base + reader.line_num, max_cell)
        else:
            end = base + reader.line_num
            if end - pos == 1:
                out.rows.append(row)
                out.first_line.append(pos)
                pos = end
                continue
            if len(row) == width and max(map(len, row), default=0) <= max_cell:
                out.rows.append(row)
                out.first_line.append(pos)
                out.spans.append((pos + 1, end))
                out.joined += end - pos - 1
                pos = end
                continue
            found = f"the row then has {len(row)} cells, the header {width}" if len(row) != width else ""
            why = _quote_problem("swallows", pos, end, max_cell, found)
        out.broken[len(out.rows)] = why
        out.rows.append(_alone(lines[pos], delimiter))
        out.first_line.append(pos)
        pos += 1
        reader, base = reader_at(pos), pos
    return out


def _quote_problem(error: str, pos: int, end: int, max_cell: int, found: str = "") -> str:
    line = pos + 1
    after = f"; the lines after line {line} are read on their own"
    if "unexpected end of data" in error:
        return f"line {line}: a quote opens a cell and is never closed (the rest of the file would be one cell){after}"
    if "field larger than field limit" in error or (error == "swallows" and not found):
        return f"line {line}: a quote opened here is not closed within {max_cell:,} characters: unclosed?{after}"
    if error == "swallows":
        return f"line {line}: a quote opened here closes only on line {end} and {found}: unclosed?{after}"
    if "expected after" in error and end == line:
        return (
            f"line {line}: a quoted cell is closed and followed by more text; "
            'write a quote inside a quoted cell twice ("")'
        )
    if "expected after" in error:
        return f"line {line}: a quote opened here closes on line {end} and is followed by more text: unclosed?{after}"
    return f"line {line}: cannot be read as delimited text ({error}){after}"


def _alone(line: str, delimiter: str) -> list[str]:
    """One line's cells, read leniently and by itself (for a row that is rejected)."""
    try:
        cells = next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        cells = line.rstrip("\r\n").split(delimiter)
    return [c.rstrip("\r\n") for c in cells]


def _clean_header(header: list[str]) -> tuple[list[str], list[str]]:
    fixes = []
    out: list[str] = []
    seen: set[str] = set()
    for i, h in enumerate(header):
        h = h.strip().lstrip("\ufeff")
        if not h:
            h = f"column_{i + 1}"
            fixes.append(f"header cell {i + 1} is blank; named it {h!r}")
        if h in seen:
            new, k = h, 2
            while new in seen:
                new, k = f"{h}_{k}", k + 1
            fixes.append(f"header repeats '{excerpt(h)}'; the repeat at column {i + 1} is named '{excerpt(new)}'")
            h = new
        out.append(h)
        seen.add(h)
    return out, fixes


# --------------------------------------------------------------------------- GeoJSON

#: A control character written as a JSON escape (``\u0000``), which the decoded text does not show.
_JSON_CONTROL = re.compile(r"\\u00(?:[01][0-9a-fA-F]|7[fF]|[89][0-9a-fA-F])")
_SURROGATES = re.compile("[\ud800-\udfff]")


def _geojson_table(decoded: _Decoded, name: str, limits: ImportLimits) -> RawTable:
    text, problems = decoded.text, list(decoded.problems)
    try:
        doc = json.loads(text)
    except RecursionError:
        raise ImportFileError(
            f"{name}: is nested too deeply to be read (arrays or objects inside each other hundreds of levels "
            "deep); a FeatureCollection of Points needs five"
        ) from None
    except ValueError as exc:  # JSONDecodeError, and integers of more than 4,300 digits
        raise ImportFileError(f"{name}: is not valid JSON ({excerpt(str(exc), 200)})") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ImportFileError(f"{name}: is not a GeoJSON FeatureCollection")
    crs = doc.get("crs")
    crs_name = ((crs or {}).get("properties") or {}).get("name") if isinstance(crs, dict) else None
    if isinstance(crs, dict) and not isinstance(crs.get("properties") or {}, dict):
        crs_name = None
    if crs is not None and not (isinstance(crs_name, str) and is_wgs84(crs_name)):
        raise ImportFileError(
            f"{name}: declares CRS '{excerpt(str(crs_name or crs))}'; incident files must be in WGS84 "
            "(EPSG:4326 / OGC CRS84): reproject it first"
        )
    features = doc.get("features")
    if not isinstance(features, list):
        raise ImportFileError(f"{name}: has no 'features' list")
    if len(features) > limits.max_rows:
        raise _over(name, f"has {len(features):,} features", "rows", limits.max_rows, "max_rows")
    try:
        rows, columns = _feature_rows(features, name, limits)
    except RecursionError:
        raise ImportFileError(f"{name}: a feature's properties are nested too deeply to be read") from None
    rejected: dict[int, Problem] = {}
    for i, row in enumerate(rows):
        for key, cell in row.items():
            if _SURROGATES.search(cell):
                if i not in rejected:
                    why = (
                        _bad_bytes(decoded, cell)
                        if decoded.marks and _MARKS.search(cell)
                        else "a lone UTF-16 surrogate (a \\ud800-\\udfff escape), which is no character"
                    )
                    rejected[i] = Problem(name, 1 + i, key, _SURROGATES.sub("\ufffd", cell), why)
                row[key] = _SURROGATES.sub("\ufffd", cell)
    header = [c for c in columns if c != "__geometry__"]
    frame = pd.DataFrame(rows, columns=header + ["__geometry__"], dtype=object).fillna("").astype(str)
    bad_geometry = frame.pop("__geometry__")
    table = RawTable(frame, header, decoded.encoding, None, 1, name, {}, {}, problems, rejected)
    table.overflow = {int(i): v for i, v in bad_geometry[bad_geometry != ""].items()}
    table.ragged = dict.fromkeys(table.overflow, (-1, -1))  # -1: not a point (see _reading_rejections)
    table.data_lines = len(features)
    table.has_control = CONTROL_CHARACTERS.search(text) is not None or _JSON_CONTROL.search(text) is not None
    return table


def _feature_rows(features: list, name: str, limits: ImportLimits) -> tuple[list[dict[str, str]], list[str]]:
    rows: list[dict[str, str]] = []
    columns: dict[str, None] = {}
    for number, feature in enumerate(features, start=1):
        feature = feature if isinstance(feature, dict) else {}
        props = feature.get("properties")
        props = props if isinstance(props, dict) else {}
        row = {}
        for k, v in props.items():
            key = str(k)
            row[_SURROGATES.sub("\ufffd", key)] = _cell(v)
        geom = feature.get("geometry")
        if isinstance(geom, dict):
            coords = geom.get("coordinates")
            if geom.get("type") == "Point" and isinstance(coords, list) and len(coords) >= 2:
                if not row.get("longitude"):
                    row["longitude"] = _cell(coords[0])
                if not row.get("latitude"):
                    row["latitude"] = _cell(coords[1])
            else:
                row["__geometry__"] = f"{excerpt(str(geom.get('type')))} geometry"
        for key, cell in row.items():
            if len(cell) > limits.max_cell_chars:
                raise _over(
                    name,
                    f"feature {number}, property '{excerpt(key)}' holds {len(cell):,} characters",
                    "characters a cell",
                    limits.max_cell_chars,
                    "max_cell_chars",
                )
            columns.setdefault(key)
        if len(columns) - ("__geometry__" in columns) > limits.max_columns:
            raise _over(
                name,
                f"has more than {limits.max_columns:,} distinct properties",
                "columns",
                limits.max_columns,
                "max_columns",
            )
        rows.append(row)
    return rows, list(columns)


def _gpkg_table(path: Path, name: str, layer: str | None, limits: ImportLimits) -> RawTable:
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
        info = pyogrio.read_info(path, layer=layer)
    except DataSourceError as exc:
        raise ImportFileError(f"{name}: layer {layer!r} cannot be read ({exc})") from None
    if int(info.get("features") or 0) > limits.max_rows:
        raise _over(
            name, f"layer {layer!r} has {int(info['features']):,} features", "rows", limits.max_rows, "max_rows"
        )
    if len(info.get("fields", ())) > limits.max_columns:
        found = f"layer {layer!r} has {len(info['fields']):,} columns"
        raise _over(name, found, "columns", limits.max_columns, "max_columns")
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
