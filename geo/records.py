"""Incident records: read a native CSV or GeoJSON file, validate every row, report every problem.

The loader never drops a row silently and never crashes on a bad one: every
row comes out either as a record or as a rejected row with the problems that
reject it (file, row number, column, value, what was expected).

>>> result = read_records("data/incidents/incidents.csv")   # doctest: +SKIP
>>> result.records, result.problems                         # doctest: +SKIP
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from geo import schema
from geo.errors import Problem, ProtestMapError, RecordsValidationError
from geo.export import restore_frame
from geo.settings import get_settings

#: File name of the embedded dataset inside ``data/incidents/``.
EMBEDDED_FILE = "incidents.csv"

_TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_URL_RE = re.compile(r"^https?://\S+$", re.IGNORECASE)
_ID_SPLIT = re.compile(r"[\s;,]+")
#: A thousands separator between digits (1,200  1 200): taken out of a whole number.
_THOUSANDS = r"(?<=\d)[,\u00a0\u202f ](?=\d{3}\b)"
#: A cell that is one http(s) URL of printable ASCII (no space): a single valid source, no splitting needed.
_SINGLE_URL = r"(?i:https?://)[!-~]+"
_CITY_LOOKUP = {c.casefold(): c for c in schema.CITIES}
#: Dates outside these years are typing errors here (and beyond what pandas can hold).
_FIRST_YEAR, _LAST_YEAR = 1900, 2100
#: Counts above this are typing errors (and beyond what a 64-bit integer holds, further up).
_MAX_COUNT = 100_000_000
#: Columns of free text and ids: trimmed by :func:`trim_text` (a leading tab or CR is kept).
#: Every other native column holds a code, a date or a number and is trimmed of all whitespace.
TEXT_KEPT_COLUMNS = frozenset(
    [
        "record_id",
        "included_in",
        "contested_by",
        "place_name_en",
        "place_name_ru",
        "place_name_kk",
        "detained_text",
        "summary",
        "notes",
        "source_urls",
        "source_names",
    ]
)
#: Spaces a cell may start with (Unicode's space separators); a tab, CR or line feed is kept.
_LEADING_SPACES = " \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"


def trim_text(values: pd.Series) -> pd.Series:
    """Text cells without the spaces around them and the whitespace after them.

    A leading tab, CR or line feed is part of the cell and kept: stripping it would turn
    ``\\t=1+1`` (text to a spreadsheet) into ``=1+1`` (a formula).  Used for ids and free
    text (:data:`TEXT_KEPT_COLUMNS`, and every column that is not native).
    """
    return values.str.rstrip().str.lstrip(_LEADING_SPACES)


@dataclass
class LoadResult:
    """What :func:`read_records` found in one file.

    ``records`` holds the valid rows in the normalised schema (see
    :mod:`geo.schema`); ``rejected`` holds the raw text of every row with at
    least one problem, plus ``source_row`` and a ``problems`` column;
    ``problems`` lists every problem, file-level ones first.
    """

    path: str
    records: pd.DataFrame
    rejected: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0

    @property
    def ok(self) -> bool:
        """True when the file had no problem at all."""
        return not self.problems


def load_records(path: str | Path) -> pd.DataFrame:
    """Read and validate an incident file; raise when any row is invalid.

    Parameters
    ----------
    path : str or Path
        A native CSV (UTF-8, optionally with BOM) or GeoJSON file.

    Returns
    -------
    pandas.DataFrame
        Every record, normalised (see :mod:`geo.schema`).

    Raises
    ------
    RecordsValidationError
        Listing every problem of every bad row at once.
    """
    result = read_records(path)
    if result.problems:
        raise RecordsValidationError(result.problems)
    return result.records


def load_embedded_records() -> pd.DataFrame:
    """The embedded dataset (``data/incidents/incidents.csv``), validated."""
    return load_records(get_settings().incidents_dir / EMBEDDED_FILE)


def keep_ids_apart(records: pd.DataFrame) -> pd.DataFrame:
    """Records of several datasets with every ``record_id`` unique.

    Where a dataset repeats a ``record_id`` of an earlier dataset (the same file
    imported twice, say), that dataset's ids and its ``included_in`` /
    ``contested_by`` references are prefixed with ``<dataset>:`` so that no
    figure is taken for another's and no link crosses datasets.
    """
    if "dataset" not in records.columns or records["dataset"].nunique() < 2:  # one dataset: nothing to tell apart
        return records
    if not records["record_id"].duplicated().any():
        return records
    out = records.copy()
    seen: set[str] = set()
    for name in out["dataset"].drop_duplicates():
        rows = out["dataset"] == name
        ids = set(out.loc[rows, "record_id"])
        if ids & seen:

            def prefix(value: str, ids=ids, name=name) -> str:
                return " ".join(f"{name}:{v}" if v in ids else v for v in value.split())

            out.loc[rows, "record_id"] = name + ":" + out.loc[rows, "record_id"]
            for col in ("included_in", "contested_by"):
                out.loc[rows, col] = out.loc[rows, col].map(prefix)
            ids = set(out.loc[rows, "record_id"])
        seen |= ids
    return out


def read_records(path: str | Path) -> LoadResult:
    """Read an incident file, keeping the valid rows and reporting every bad one.

    Never raises for bad content: a file that cannot be read at all comes back
    with no records and a file-level problem.
    """
    path = Path(path)
    name = str(path)
    try:
        raw, first_row = _read_raw(path)
    except _FileProblem as exc:
        empty = _empty_records()
        return LoadResult(name, empty, pd.DataFrame(), [Problem(name, None, None, None, str(exc))])
    return validate_frame(raw, name, first_row=first_row)


def _trimmed(raw: pd.DataFrame) -> pd.DataFrame:
    """Codes, dates and numbers without whitespace around them; ids and text by :func:`trim_text`.

    The text columns are trimmed as one array, in one go (a wide file has thousands).
    """
    typed = [c for c in raw.columns if c in schema.COLUMNS and c not in TEXT_KEPT_COLUMNS]
    text = [c for c in raw.columns if c not in typed]
    if len(text) <= 64:  # a usual file: column by column
        return pd.DataFrame(
            {c: raw[c].str.strip() if c in typed else trim_text(raw[c]) for c in raw.columns}, index=raw.index
        )
    cells = raw[text].to_numpy(dtype=object)
    flat = trim_text(pd.Series(cells.ravel(), dtype=object).astype(str)).to_numpy(dtype=object)
    out = pd.DataFrame(flat.reshape(cells.shape), columns=text, index=raw.index, dtype=object).astype(str)
    for c in typed:
        out[c] = raw[c].str.strip()
    return out[list(raw.columns)]


def validate_frame(
    raw: pd.DataFrame, name: str, first_row: int = 2, *, existing: pd.DataFrame | None = None
) -> LoadResult:
    """Validate a frame of text cells (as read from a file) and normalise it.

    ``first_row`` is the row number of ``raw``'s first row in the file, used
    in problem messages (2 for a CSV with a header, 1 for GeoJSON features).
    ``existing`` holds records already in the store (:mod:`geo.schema` columns):
    ``included_in`` / ``contested_by`` may name their ``record_id`` too, and the
    containment check uses their city and period.  A ``record_id`` found in both
    the file and ``existing`` means the file's row.
    """
    raw = _trimmed(raw.fillna("").astype(str).reset_index(drop=True))
    rows = pd.Series(np.arange(len(raw)) + first_row, index=raw.index)
    problems: list[Problem] = []

    missing = [c for c in schema.REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        problems.append(
            Problem(
                name,
                None,
                None,
                None,
                f"missing required column(s) {', '.join(missing)}; "
                f"a native file needs at least {', '.join(schema.REQUIRED_COLUMNS)}",
            )
        )
        rejected = raw.assign(source_row=rows, problems="missing required columns")
        return LoadResult(name, _empty_records(), rejected, problems, len(raw))
    absent = [col for col in schema.COLUMNS if col not in raw.columns]
    if absent:  # in one go: a wide file's frame is never grown one column at a time
        raw = pd.concat([raw, pd.DataFrame(dict.fromkeys(absent, ""), index=raw.index, dtype=str)], axis=1)

    checker = _RowChecker(name, raw, rows, existing=_existing_references(existing))
    out = checker.run()
    problems.extend(checker.problems)
    bad = checker.bad_rows()
    good = ~bad
    extra = [c for c in raw.columns if c not in schema.COLUMNS]
    records = pd.concat(
        [
            out.loc[good, schema.COLUMNS],
            raw.loc[good, extra],
            pd.DataFrame({"source_file": name, "source_row": rows[good].astype(int)}, index=raw.index[good]),
        ],
        axis=1,
    )
    records = records.reset_index(drop=True)
    rejected = raw.loc[bad].copy()
    rejected["source_row"] = rows[bad]
    rejected["problems"] = ["; ".join(str(p) for p in checker.by_row.get(int(r), [])) for r in rows[bad]]
    return LoadResult(name, records, rejected.reset_index(drop=True), problems, len(raw))


# --------------------------------------------------------------------------- helpers


class _FileProblem(ProtestMapError):
    pass


def _read_raw(path: Path) -> tuple[pd.DataFrame, int]:
    if not path.exists():
        raise _FileProblem(f"file not found (looked at {path.resolve()})")
    if path.is_dir():
        raise _FileProblem("is a folder, expected a .csv or .geojson file")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _FileProblem(
            f"is not UTF-8 text (byte {exc.start}: {data[exc.start : exc.start + 1]!r}); "
            "save it as UTF-8 (Windows-1251 files are for the importer, `python -m geo import`)"
        ) from None
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        return _geojson_to_raw(text), 1
    if suffix in (".csv", ".txt", ""):
        # a cell the project's formula-safe CSV guarded ('=1+1) reads back as it was written (=1+1)
        return restore_frame(_csv_to_raw(text))[0], 2
    raise _FileProblem(f"unknown file type {suffix!r}; expected .csv or .geojson")


def _csv_to_raw(text: str) -> pd.DataFrame:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise _FileProblem("is empty; expected a header row") from None
    except csv.Error as exc:
        raise _FileProblem(f"cannot be parsed as CSV: {exc}") from None
    header = [h.strip() for h in header]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise _FileProblem(f"header repeats column(s) {', '.join(dupes)}")
    rows: list[list[str]] = []
    width = len(header)
    try:
        for line in reader:
            if not any(cell.strip() for cell in line):
                line = []  # a blank line is a row of blanks, reported as such
            rows.append((line + [""] * width)[:width] if len(line) <= width else line)
    except csv.Error as exc:
        raise _FileProblem(f"cannot be parsed as CSV near row {reader.line_num}: {exc}") from None
    too_long = [i for i, r in enumerate(rows) if len(r) > width]
    frame = pd.DataFrame([r[:width] for r in rows], columns=header, dtype=str)
    if too_long:
        frame["__overflow__"] = ""
        for i in too_long:
            frame.loc[i, "__overflow__"] = ",".join(rows[i][width:])
    return frame


def _geojson_to_raw(text: str) -> pd.DataFrame:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _FileProblem(f"is not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise _FileProblem("is not a GeoJSON FeatureCollection")
    crs = ((doc.get("crs") or {}).get("properties") or {}).get("name")
    if crs and not is_wgs84(crs):
        raise _FileProblem(
            f"declares CRS {crs!r}; incident files must be in WGS84 (EPSG:4326 / CRS84) — reproject it first"
        )
    rows = []
    for feature in doc.get("features") or []:
        props = dict((feature or {}).get("properties") or {})
        row = {k: "" if v is None else str(v) for k, v in props.items()}
        geom = (feature or {}).get("geometry")
        if geom:
            coords = geom.get("coordinates")
            if geom.get("type") == "Point" and isinstance(coords, list) and len(coords) >= 2:
                row.setdefault("longitude", str(coords[0]))
                row.setdefault("latitude", str(coords[1]))
                if row.get("longitude") in ("", None):
                    row["longitude"] = str(coords[0])
                if row.get("latitude") in ("", None):
                    row["latitude"] = str(coords[1])
            else:
                row["__geometry__"] = f"{geom.get('type')} geometry (expected Point)"
        rows.append(row)
    return pd.DataFrame(rows, dtype=str)


def is_wgs84(name: str) -> bool:
    """Whether a declared CRS name means WGS84 longitude/latitude.

    ``OGC:CRS84`` and ``urn:ogc:def:crs:OGC:1.3:CRS84``, ``EPSG:4326`` and
    ``urn:ogc:def:crs:EPSG::4326`` (any code ending in the number 4326), ``WGS84``;
    any letter case.  The one rule for incident files (:func:`read_records`) and
    imports (:func:`geo.importing.read_table`).
    """
    n = name.strip().upper()
    return n.endswith("CRS84") or n == "WGS84" or re.search(r"(?<!\d)4326$", n) is not None


class _RowChecker:
    """Column-by-column vectorised checks; collects problems per row."""

    def __init__(self, name: str, raw: pd.DataFrame, rows: pd.Series, existing: pd.DataFrame | None = None):
        self.name = name
        self.raw = raw
        #: records already in the store (see _existing_references), or None
        self.existing = existing
        self.rows = rows
        self.problems: list[Problem] = []
        self.by_row: dict[int, list[Problem]] = {}
        self._bad = np.zeros(len(raw), dtype=bool)

    def bad_rows(self) -> pd.Series:
        return pd.Series(self._bad, index=self.raw.index)

    def flag(self, mask: pd.Series, column: str | None, expected: str, values: pd.Series | None = None):
        mask = mask.fillna(False).to_numpy(dtype=bool)
        if not mask.any():
            return
        vals = self.raw[column] if values is None and column in self.raw.columns else values
        for i in np.flatnonzero(mask):
            row = int(self.rows.iloc[i])
            value = None if vals is None else str(vals.iloc[i])
            problem = Problem(self.name, row, column, value, expected)
            self.problems.append(problem)
            self.by_row.setdefault(row, []).append(problem)
        self._bad |= mask

    def run(self) -> pd.DataFrame:
        raw = self.raw
        out = pd.DataFrame(index=raw.index)
        for col in schema.TEXT_COLUMNS:
            out[col] = raw[col]

        if "__overflow__" in raw.columns:
            self.flag(
                raw["__overflow__"] != "",
                None,
                "row has more cells than the header has columns (an unquoted comma?)",
                raw["__overflow__"],
            )
        if "__geometry__" in raw.columns:
            self.flag(
                raw["__geometry__"].fillna("") != "",
                "geometry",
                "incident features must be Points",
                raw["__geometry__"].fillna(""),
            )

        self._check_ids(out)
        self._check_dates(out)
        self._check_choices(out)
        self._check_coordinates(out)
        self._check_counts(out)
        self._check_sources(out)
        self._check_references(out)
        self._check_inferred(out)
        return out

    def _check_inferred(self, out: pd.DataFrame) -> None:
        inferred = self.raw["inferred"]
        listed = (inferred != "").to_numpy(dtype=bool)
        unknown = pd.Series("", index=inferred.index, dtype=object)
        joined = pd.Series("", index=inferred.index, dtype=object)
        if listed.any():  # blank cells (the common case) stay blank: only the listed ones are taken apart
            tokens = inferred[listed].str.replace(_ID_SPLIT.pattern, " ", regex=True).str.split()
            unknown[listed] = tokens.map(lambda ts: " ".join(t for t in ts if t not in schema.COLUMNS)).to_numpy()
            joined[listed] = tokens.map(" ".join).to_numpy()
        unknown = unknown.astype(str)
        self.flag(
            unknown != "",
            "inferred",
            "inferred lists column names of this file (e.g. period_start), separated by spaces",
            unknown,
        )
        out["inferred"] = joined.astype(str)

    def _check_ids(self, out: pd.DataFrame) -> None:
        ids = self.raw["record_id"]
        self.flag(ids == "", "record_id", "record_id is required (a unique text id)")
        self.flag(ids.str.contains(r"\s", regex=True), "record_id", "record_id must not contain spaces")
        dup = ids.duplicated(keep="first") & (ids != "")
        if dup.any():
            first: dict[str, int] = {}  # record_id -> the row it is first used on
            for i, v in zip(self.rows, ids):
                first.setdefault(v, i)
            self.flag(
                dup,
                "record_id",
                "duplicate record_id; first used on row " + ", ".join(sorted({str(first[v]) for v in ids[dup]})),
            )

    def _check_dates(self, out: pd.DataFrame) -> None:
        raw = self.raw
        for col in schema.DATE_COLUMNS:
            text = raw[col]
            well_formed = text.where(text.str.match(_DATE_RE), "")
            year = pd.to_numeric(well_formed.str[:4], errors="coerce")
            in_range = year.between(_FIRST_YEAR, _LAST_YEAR)
            self.flag((well_formed != "") & ~in_range, col, f"expected a year between {_FIRST_YEAR} and {_LAST_YEAR}")
            parsed = pd.to_datetime(well_formed.where(in_range), format="%Y-%m-%d", errors="coerce")
            wrong = (text != "") & parsed.isna() & ~((well_formed != "") & ~in_range)
            self.flag(wrong, col, "expected a date as YYYY-MM-DD")
            out[col] = parsed.astype("datetime64[ns]")
        self.flag(raw["date"] == "", "date", "date is required (YYYY-MM-DD)")
        out["period_start"] = out["period_start"].fillna(out["date"])
        out["period_end"] = out["period_end"].fillna(out["date"])
        backwards = out["period_start"] > out["period_end"]
        self.flag(backwards, "period_end", "period_end is before period_start")
        self.flag(
            (raw["time_local"] != "") & ~raw["time_local"].str.match(_TIME_RE),
            "time_local",
            "expected a local time as HH:MM (24-hour)",
        )

    def _check_choices(self, out: pd.DataFrame) -> None:
        raw = self.raw
        city = raw["city"].str.casefold().map(_CITY_LOOKUP)
        self.flag(city.isna(), "city", "expected one of " + ", ".join(schema.CITIES))
        out["city"] = city.fillna(raw["city"])
        for col, allowed in (
            ("time_precision", schema.TIME_PRECISIONS),
            ("event_type", schema.EVENT_TYPES),
            ("count_kind", schema.COUNT_KINDS),
        ):
            value = raw[col].str.lower()
            blank_ok = col != "event_type"
            wrong = ~value.isin(allowed) & ~((value == "") & blank_ok)
            self.flag(wrong, col, "expected one of " + ", ".join(allowed) + (" or blank" if blank_ok else ""))
            out[col] = value

    def _check_coordinates(self, out: pd.DataFrame) -> None:
        raw = self.raw
        for col, limit in (("latitude", 90), ("longitude", 180)):
            text = raw[col]
            num = pd.to_numeric(text, errors="coerce")
            self.flag((text != "") & num.isna(), col, "expected a decimal number (WGS84 degrees, '.' as decimal mark)")
            self.flag(num.abs() > limit, col, f"expected a value between -{limit} and {limit}")
            out[col] = num.astype(float)
        one_only = (raw["latitude"] == "") != (raw["longitude"] == "")
        self.flag(
            one_only,
            "latitude",
            "latitude and longitude must both be given or both be blank",
            raw["latitude"] + " / " + raw["longitude"],
        )
        prec = self._int_column("geo_precision", allowed=schema.GEO_PRECISIONS)
        out["geo_precision"] = prec

    def _check_counts(self, out: pd.DataFrame) -> None:
        for col in ("detained_low", "detained_high", "participants_low", "participants_high", "injured"):
            out[col] = self._int_column(col)
        for low, high in (("detained_low", "detained_high"), ("participants_low", "participants_high")):
            below = out[high] < out[low]
            self.flag(
                below,
                high,
                f"{high} is below {low} ({low} = " + "; ".join(self.raw.loc[below.fillna(False), low]) + ")",
            )
            self.flag(
                out[high].notna() & out[low].isna(),
                low,
                f"{low} is blank while {high} is given; give the lowest reported figure in {low}",
            )
        no_kind = out["detained_low"].notna() & (out["count_kind"] == "")
        self.flag(
            no_kind,
            "count_kind",
            "a detained count needs count_kind ("
            + ", ".join(schema.COUNT_KINDS[:-1])
            + " or "
            + schema.COUNT_KINDS[-1]
            + ")",
        )

    def _int_column(self, col: str, allowed: tuple[int, ...] | None = None) -> pd.Series:
        text = self.raw[col]
        # written as a whole number (digits, thousands apart by , or a space; 12.0 as spreadsheets
        # write it): never 1e3, NaN or inf, which to_numeric would read
        digits = text.str.strip()
        grouped = digits.str.contains("[,\u00a0\u202f ]", regex=True).to_numpy(dtype=bool)
        if grouped.any():  # only the cells holding a separator can change (the rest go the fast way)
            cells = digits.to_numpy(dtype=object)
            cells[grouped] = digits[grouped].str.replace(_THOUSANDS, "", regex=True).to_numpy(dtype=object)
            digits = pd.Series(cells, index=text.index, dtype=object).astype(str)
        written = digits.str.fullmatch(r"\d+(?:\.0+)?").fillna(False).astype(bool)
        num = pd.to_numeric(digits.where(written, ""), errors="coerce").astype(float)
        not_int = (text != "") & (~written | num.isna() | (num % 1 != 0) | (num < 0))
        self.flag(not_int, col, "expected a whole number of 0 or more (a range goes in _low/_high columns)")
        too_big = ~not_int & (num > _MAX_COUNT)
        self.flag(too_big, col, f"expected at most {_MAX_COUNT:,}")
        not_int |= too_big
        if allowed is not None:
            self.flag(
                num.notna() & ~num.isin(allowed) & ~not_int, col, "expected one of " + ", ".join(map(str, allowed))
            )
        return num.where(~not_int).astype("Int64")

    def _check_sources(self, out: pd.DataFrame) -> None:
        urls = self.raw["source_urls"]
        self.flag(urls == "", "source_urls", "at least one source URL is required (http or https)")
        # one http(s) URL of printable ASCII (the common cell) is its own single, valid token; the
        # other cells are taken apart one by one
        single = urls.str.fullmatch(_SINGLE_URL).to_numpy(dtype=bool)
        bad_text = pd.Series("", index=urls.index, dtype=object)
        joined = urls.to_numpy(dtype=object).copy()
        other = ~single & (urls != "").to_numpy(dtype=bool)
        if other.any():
            tokens = urls[other].str.split()
            bad = tokens.map(lambda ts: [t for t in ts if not _URL_RE.match(t)])
            bad_text[other] = bad.map(lambda ts: " ".join(ts)).to_numpy()
            joined[other] = tokens.map(" ".join).to_numpy()
        bad_text = bad_text.astype(str)
        self.flag(
            bad_text != "",
            "source_urls",
            "each source must be an http(s) URL, separated by spaces",
            bad_text,
        )
        out["source_urls"] = pd.Series(joined, index=urls.index, dtype=object).astype(str)

    def _check_references(self, out: pd.DataFrame) -> None:
        ids = self.raw["record_id"]
        parent = self.raw["included_in"]
        ext = self.existing
        known = pd.Index(ids[ids != ""].to_numpy(dtype=object))
        if ext is not None:
            known = known.append(pd.Index(ext["record_id"].to_numpy(dtype=object)))
        where = "this file or already in the store" if ext is not None else "this file"
        named = (parent != "").to_numpy(dtype=bool)
        unknown_parent = np.zeros(len(parent), dtype=bool)
        if named.any():  # only the cells naming a record are looked up
            unknown_parent[named] = ~pd.Index(parent[named].to_numpy(dtype=object)).isin(known)
        self.flag(
            pd.Series(unknown_parent, index=parent.index),
            "included_in",
            "included_in must name the record_id of another record in " + where,
        )
        self.flag((parent != "") & (parent == ids), "included_in", "a record cannot be included in itself")
        contested = self.raw["contested_by"].str.replace(_ID_SPLIT.pattern, " ", regex=True).str.strip(" ")
        listed = contested != ""
        unknown = pd.Series("", index=self.raw.index, dtype=object)
        if listed.any():
            tokens = contested[listed].str.split(" ").explode()
            tokens = tokens[~tokens.isin(known)]
            if len(tokens):
                unknown.loc[tokens.index.unique()] = tokens.groupby(level=0, sort=False).agg(" ".join)
        self.flag(unknown != "", "contested_by", "contested_by must list record_ids of records in " + where, unknown)
        out["contested_by"] = contested
        self._check_cycles(ids, parent)
        self._check_containers(ids, parent)

    def _check_containers(self, ids: pd.Series, parent: pd.Series) -> None:
        """A figure can only be inside one that covers its area and its days."""
        raw = self.raw
        n = len(raw)
        # a repeated record_id resolves to its last row (the rows are rejected as duplicates anyway)
        named = np.flatnonzero((ids != "").to_numpy())
        last = ~ids.iloc[named].duplicated(keep="last").to_numpy()
        targets = pd.Index(ids.to_numpy(dtype=object)[named[last]])
        target_pos = named[last]
        # the capital's names (Astana, Nur-Sultan) are one city: compare city ids
        city = _city_key(raw["city"]).to_numpy(dtype=object)
        start = pd.to_datetime(
            raw["period_start"].where(raw["period_start"] != "", raw["date"]), errors="coerce", format="%Y-%m-%d"
        ).to_numpy(dtype="datetime64[ns]")
        end = pd.to_datetime(
            raw["period_end"].where(raw["period_end"] != "", raw["date"]), errors="coerce", format="%Y-%m-%d"
        ).to_numpy(dtype="datetime64[ns]")
        all_city, all_start, all_end = city, start, end
        ext = self.existing
        if ext is not None and len(ext):
            fresh = ~ext["record_id"].isin(targets).to_numpy()
            targets = targets.append(pd.Index(ext["record_id"].to_numpy(dtype=object)[fresh]))
            target_pos = np.concatenate([target_pos, n + np.flatnonzero(fresh)])
            all_city = np.concatenate([city, _city_key(ext["city"]).to_numpy(dtype=object)])
            all_start = np.concatenate([start, ext["start"].to_numpy(dtype="datetime64[ns]")])
            all_end = np.concatenate([end, ext["end"].to_numpy(dtype="datetime64[ns]")])
        found = targets.get_indexer(parent.to_numpy(dtype=object))
        has = (parent != "").to_numpy() & (found >= 0)
        if not has.any():
            return
        child = np.flatnonzero(has)
        j = target_pos[found[has]]
        parent_city = all_city[j]
        # an existing record without a city is not held against the row
        wrong_area = (parent_city != city[child]) & (parent_city != "national") & ((j < n) | (parent_city != ""))
        mask = np.zeros(n, dtype=bool)
        mask[child[wrong_area]] = True
        self.flag(
            pd.Series(mask, index=raw.index),
            "included_in",
            "the containing record must be of the same city or national "
            "(a figure cannot sit inside another city's figure)",
        )
        outside = (start[child] < all_start[j]) | (end[child] > all_end[j])
        mask = np.zeros(n, dtype=bool)
        mask[child[outside]] = True
        self.flag(
            pd.Series(mask, index=raw.index),
            "included_in",
            "the containing record's period (period_start..period_end) must cover this record's days",
        )

    def _check_cycles(self, ids: pd.Series, parent: pd.Series) -> None:
        id_arr = ids.to_numpy(dtype=object)
        par_arr = parent.to_numpy(dtype=object)
        linked = np.flatnonzero((ids != "").to_numpy() & (parent != "").to_numpy() & (id_arr != par_arr))
        if not len(linked):
            return
        # one link per id (a repeated id keeps its last link), as a functional graph
        keep = ~pd.Series(id_arr[linked]).duplicated(keep="last").to_numpy()
        nodes = pd.Index(id_arr[linked[keep]])
        succ = nodes.get_indexer(par_arr[linked[keep]])
        # peel off every node nothing points at: what survives lies on a cycle
        alive = np.ones(len(nodes), dtype=bool)
        indegree = np.bincount(succ[succ >= 0], minlength=len(nodes))
        frontier = np.flatnonzero(indegree == 0)
        while len(frontier):
            alive[frontier] = False
            nxt = succ[frontier]
            nxt = nxt[nxt >= 0]
            np.subtract.at(indegree, nxt, 1)
            nxt = np.unique(nxt)
            frontier = nxt[(indegree[nxt] == 0) & alive[nxt]]
        in_cycle = set(nodes[alive])
        if in_cycle:
            self.flag(
                ids.isin(in_cycle),
                "included_in",
                "included_in links form a cycle (" + " -> ".join(sorted(in_cycle)) + ")",
                parent,
            )


def _city_key(city: pd.Series) -> pd.Series:
    """A ``city`` column as the key the containment check compares: the city id where
    there is one (``Astana`` and ``Nur-Sultan`` are both ``astana``), else the casefolded name."""
    folded = city.fillna("").astype(str).str.strip().str.casefold()
    ids = {name.casefold(): city_id for name, city_id in schema.CITY_IDS.items()}
    return folded.map(ids).fillna(folded)


def _existing_references(existing: pd.DataFrame | None) -> pd.DataFrame | None:
    """The record_id, casefolded city and period of records already in the store."""
    if existing is None:
        return None
    frame = pd.DataFrame(index=range(len(existing)))
    ids = existing["record_id"] if "record_id" in existing.columns else pd.Series("", index=existing.index)
    frame["record_id"] = ids.fillna("").astype(str).str.strip().to_numpy()
    city = existing["city"] if "city" in existing.columns else pd.Series("", index=existing.index)
    frame["city"] = city.fillna("").astype(str).str.strip().str.casefold().to_numpy()

    def day(col: str) -> pd.Series:
        if col not in existing.columns:
            return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
        values = existing[col]
        if not pd.api.types.is_datetime64_any_dtype(values):
            values = pd.to_datetime(values.astype(str).str.strip().str[:10], errors="coerce", format="%Y-%m-%d")
        return pd.Series(values.to_numpy(dtype="datetime64[ns]"), index=frame.index)

    date = day("date")
    frame["start"] = day("period_start").fillna(date)
    frame["end"] = day("period_end").fillna(date)
    frame = frame[frame["record_id"] != ""]
    return frame[~frame["record_id"].duplicated(keep="first")].reset_index(drop=True)


def _empty_records() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=str) for c in schema.TEXT_COLUMNS})
    for c in schema.DATE_COLUMNS:
        frame[c] = pd.Series(dtype="datetime64[ns]")
    for c in schema.FLOAT_COLUMNS:
        frame[c] = pd.Series(dtype=float)
    for c in schema.INT_COLUMNS:
        frame[c] = pd.Series(dtype="Int64")
    frame = frame[schema.COLUMNS]
    frame["source_file"] = pd.Series(dtype=str)
    frame["source_row"] = pd.Series(dtype=int)
    return frame
