"""The pipeline: :func:`import_rows` reads, converts, validates, flags and de-duplicates one file.

Nothing is written: :class:`ImportResult` holds every row once, as a record, a merge
or a rejection; :func:`write_rejected` writes the rejected rows to fix and import
again; :func:`preview` shows the first rows as they would be imported.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from geo.errors import ImportAccountingError, Problem, SideFileError
from geo.export import restore_frame, safe_csv
from geo.importing.acled import AcledTypes, load_acled_types
from geo.importing.builder import Converted
from geo.importing.convert import to_native
from geo.importing.dedupe import _drop_merges_into_rejected, _merge_by_id, _merge_by_key
from geo.importing.detect import acled_generation, detect_format
from geo.importing.flags import _flag_records
from geo.importing.mapped import load_mapping
from geo.importing.normalise import _normalise
from geo.importing.read import RawTable, read_table
from geo.records import validate_frame
from geo.settings import get_settings

__all__ = [
    "CHUNK_ROWS",
    "DIAGNOSTIC_COLUMNS",
    "ImportResult",
    "import_rows",
    "preview",
    "rejected_csv",
    "write_rejected",
]

#: Columns the rejected frame puts before the original cells of each rejected row.
DIAGNOSTIC_COLUMNS = ["file", "row", "column", "value", "reason"]

#: Rows handled per step between two ``progress`` calls.
CHUNK_ROWS = 10_000


def preview(
    table: RawTable, mapping: dict | AcledTypes | None = None, n: int = 10, *, format: str | None = None
) -> pd.DataFrame:
    """The first ``n`` rows as they would be imported, before anything is written.

    Returns the native columns (as text) plus ``row`` (the file row), ``flags`` and
    ``status`` (``'ok'`` or ``'rejected: <reasons>'``).  Raises :class:`MappingError`
    like :func:`~geo.importing.mapped.to_native_mapped`.
    """
    head = _restore_formulas(table.head(n))
    conv = to_native(head, format=format, mapping=mapping)
    status = pd.Series(["ok"] * len(conv.raw), dtype=object)
    reasons: dict[int, list[str]] = {}
    for p in conv.rejections:
        reasons.setdefault(_rejected_row(p), []).append(p.expected)
    prepared = _normalise(conv, head)
    for p in prepared.rejections:
        reasons.setdefault(_rejected_row(p), []).append(p.expected)
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
        return {
            "imported": len(self.records),
            "merged": len(self.merged),
            "flagged": flagged,
            "rejected": len(self.rejected),
            "total": self.total,
        }

    def check(self) -> None:
        """Check that every input row is accounted for exactly once.

        Raises
        ------
        ImportAccountingError
            The counts do not add up to the total (the message gives the counts), or
            an input row is in two places (the message names the rows).
        """
        c = self.counts
        if c["imported"] + c["merged"] + c["rejected"] != c["total"]:
            raise ImportAccountingError(f"{self.file}: imported + merged + rejected is not the total: {c}")
        rows = np.concatenate(
            [
                self.records["source_row"].to_numpy(dtype=np.int64),
                self.merged["row"].to_numpy(dtype=np.int64),
                self.rejected.iloc[:, 1].to_numpy(dtype=np.int64),  # "row", or "import_row" beside a file's "row"
            ]
        )
        distinct, times = np.unique(rows, return_counts=True)
        if len(distinct) != len(rows):
            twice = ", ".join(str(r) for r in distinct[times > 1][:20])
            raise ImportAccountingError(f"{self.file}: an input row appears twice (row(s) {twice})")


def import_rows(
    path: str | Path,
    *,
    format: str | None = None,
    mapping: dict | AcledTypes | str | Path | None = None,
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
        The input file (see :func:`~geo.importing.read.read_table`).
    format : {'native', 'acled', 'ccc', 'mapped'}, optional
        Default: detected from the header (a given ``mapping`` means ``'mapped'``).
    mapping : dict or path, optional
        A column mapping (see :func:`~geo.importing.mapped.load_mapping`), or the path of a mapping file.
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
    if isinstance(mapping, (str, Path)):  # for ACLED, the file of its type rules; else a column mapping
        mapping = load_acled_types(mapping) if format == "acled" else load_mapping(mapping)
    table = read_table(path, layer=layer)
    table = _strip_diagnostics(_restore_formulas(table))
    fmt = "mapped" if mapping is not None and format in (None, "mapped") else (format or detect_format(table))
    total = table.input_count  # the file's data lines (records), taken apart from the frame: check() holds to it
    notes = [
        f"read as {table.encoding}" + (f", delimiter {table.delimiter!r}" if table.delimiter else ""),
        f"format {fmt}" + (f" ({acled_generation(table)} columns)" if fmt == "acled" else ""),
    ]
    notes.extend(table.problems)

    parts: list[Converted] = []
    for start in range(0, max(total, 1), CHUNK_ROWS):
        chunk = _slice(table, start, start + CHUNK_ROWS)
        conv = to_native(chunk, format=fmt, mapping=mapping)
        parts.append(_compact(_normalise(conv, chunk)))
        done = min(start + CHUNK_ROWS, total)
        if progress is not None and done < total:
            progress(done, total)
    conv = _concat(parts)

    rejected: dict[int, Problem | list[Problem]] = {}
    for p in conv.rejections:
        rejected.setdefault(int(_rejected_row(p)), p)
    for p in _reading_rejections(table):
        rejected.setdefault(int(_rejected_row(p)), p)
    rows = conv.input_rows
    alive = ~np.isin(rows, list(rejected))

    # merges before validation: validate_frame rejects a repeated record_id
    merged, alive = _merge_by_id(conv, alive, existing, table.file)
    positions = np.flatnonzero(alive)
    sub = conv.raw.iloc[positions].reset_index(drop=True)
    conv.raw = conv.raw.iloc[:0]  # the converted cells are not read again: not held beside the records
    result = validate_frame(sub, table.file, first_row=0, existing=existing)
    del sub
    by_pos: dict[int, list[Problem]] = {}
    for p in result.problems:
        if p.row is None:
            for pos in range(len(positions)):
                by_pos.setdefault(pos, []).append(p)
        else:
            by_pos.setdefault(int(p.row), []).append(p)
    for pos, problems in by_pos.items():
        row = int(rows[positions[pos]])
        rejected[row] = [
            Problem(p.file, row, p.column or "(row)", p.value if p.value is not None else "", p.expected)
            for p in problems
        ]
    # a row merged into an earlier row of the file that validation then rejected is rejected too
    merged = _drop_merges_into_rejected(merged, rejected, table.file, conv)

    records = result.records
    records["source_row"] = (
        rows[positions[records["source_row"].to_numpy(dtype=np.int64)]] if len(records) else records["source_row"]
    )
    flag_text = conv.flag_text.to_numpy(dtype=object)
    records["flags"] = (
        flag_text[pd.Index(rows).get_indexer(records["source_row"].to_numpy(dtype=np.int64))]
        if len(records)
        else pd.Series(dtype=str)
    )
    records, more = _merge_by_key(records, existing, table.file)
    merged = pd.concat([merged, more], ignore_index=True) if len(more) else merged
    records, coord_note = _flag_records(records, today or date.today(), boundaries)
    notes.append(coord_note)

    rejected_frame = _rejected_frame(rejected, table, conv)
    out = ImportResult(
        table.file,
        fmt,
        records.reset_index(drop=True),
        merged.reset_index(drop=True),
        rejected_frame,
        total,
        notes,
        list(table.header),
    )
    if progress is not None:
        progress(total, total)
    return out


def write_rejected(
    result: ImportResult, path: str | Path | None = None, *, said: list[str] | None = None
) -> Path | None:
    """Write the rejected rows as a new ``<name>.rejected.csv`` (formula-safe CSV, UTF-8 with BOM).

    The original cells come first, under their original column names, so the file can be
    fixed in a spreadsheet and imported again with the same format or mapping; the
    ``file``, ``row``, ``column``, ``value``, ``reason`` columns follow (prefixed
    ``import_`` in the file; :func:`import_rows` ignores them on re-import).  Cells a
    spreadsheet would run as formulas get a leading ``'``, which the import takes off
    again (see :mod:`geo.export`).

    The file goes beside the input (``path``, default the result's file) when that folder
    can be written to, else into ``<cache>/rejected/`` (:mod:`geo.settings`).  It is always
    a new file: an existing file or link of that name is never followed nor overwritten
    (the next free ``<name>.rejected.<n>.csv`` is used instead).  Each such choice is said
    in ``said`` (a list the caller shows).  Returns the path written, or ``None`` when
    nothing was rejected.

    Raises
    ------
    SideFileError
        Neither beside the input nor in the cache folder could the file be written.
    """
    if result.rejected.empty:
        return None
    said = [] if said is None else said
    src = Path(path or result.file)
    match = re.fullmatch(r"(.+?)\.rejected(?:\.\d+)?", src.stem)
    stem = match.group(1) if match else src.stem
    data = ("\ufeff" + rejected_csv(result)).encode("utf-8")
    try:
        target = _write_new_side_file(src.parent, stem, data, 0o666)
    except OSError as exc:
        cache = get_settings().cache_dir / "rejected"
        try:
            cache.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not stat.S_ISDIR(os.lstat(cache).st_mode):
                raise NotADirectoryError(errno.ENOTDIR, "is a link or not a folder", str(cache))
            target = _write_new_side_file(cache, stem, data, 0o600)
        except OSError as again:
            raise SideFileError(
                f"{src}: the {len(result.rejected):,} rejected row(s) could not be written beside it in "
                f"{src.parent} ({exc.strerror or exc}) nor in the cache folder {cache} ({again.strerror or again})"
            ) from None
        said.append(
            f"cannot write in {src.parent} ({exc.strerror or exc}): the rejected rows went to the cache folder {cache}"
        )
    if target.name != f"{stem}.rejected.csv":
        said.append(f"{target.with_name(stem + '.rejected.csv')} already exists: left alone, wrote {target.name}")
    return target


def rejected_csv(result: ImportResult) -> str:
    """The rejected rows as :func:`write_rejected` writes them, as formula-safe CSV text (no BOM)."""
    frame = result.rejected
    original = [c for c in result.original_columns if c in frame.columns]
    out = frame[original].copy()
    for c in DIAGNOSTIC_COLUMNS:  # renamed import_<c> in the frame when the file has a column named <c>
        out["import_" + c] = frame["import_" + c if c in original else c].astype(str)
    return safe_csv(out)


#: Numbered names ``<name>.rejected.<n>.csv`` tried before a side file gives up.
MAX_SIDE_FILES = 999


def _write_new_side_file(folder: Path, stem: str, data: bytes, mode: int) -> Path:
    """Write ``data`` to the first of ``<stem>.rejected.csv``, ``.rejected.1.csv``... that does not exist.

    ``O_CREAT | O_EXCL`` (with ``O_NOFOLLOW``) never opens an existing name, a link included.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    for n in range(MAX_SIDE_FILES + 1):
        target = folder / (f"{stem}.rejected.csv" if n == 0 else f"{stem}.rejected.{n}.csv")
        try:
            fd = os.open(target, flags, mode)
        except FileExistsError:
            continue
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        except OSError:
            target.unlink(missing_ok=True)
            raise
        return target
    raise FileExistsError(errno.EEXIST, f"{stem}.rejected.csv to .rejected.{MAX_SIDE_FILES}.csv all exist", str(folder))


def _restore_formulas(table: RawTable) -> RawTable:
    """Undo the formula guard of a formula-safe CSV (:mod:`geo.export`) in a delimited-text table."""
    if table.delimiter is None:  # GeoJSON and GeoPackage are written without the guard
        return table
    frame, changed = restore_frame(table.frame)
    if changed:
        table.frame = frame
        table.header = [str(c) for c in frame.columns]
        table.problems.append(
            f"{table.file}: {changed:,} cell(s) began with ' before = + - @, a tab or a line break "
            "(a formula-safe CSV): read without that '"
        )
    return table


def _strip_diagnostics(table: RawTable) -> RawTable:
    diag = ["import_" + c for c in DIAGNOSTIC_COLUMNS]
    if table.header[-len(diag) :] != diag:
        return table
    header = table.header[: -len(diag)]
    table.frame = table.frame[header]
    table.header = header
    table.problems.append(f"{table.file}: a rejected-rows file; its import_* columns are ignored")
    return table


def _slice(table: RawTable, start: int, stop: int) -> RawTable:
    return table.slice(start, stop)  # with the rows reading rejected


def _compact(conv: Converted) -> Converted:
    """The chunk's cells as pandas ``str`` columns, not Python objects (what validate_frame reads them as).

    A million rows of object cells are tens of millions of Python strings: the whole file
    is held this way between the chunks and validation.
    """
    conv.raw = conv.raw.fillna("").astype(str)
    return conv


def _concat(parts: list[Converted]) -> Converted:
    if len(parts) == 1:
        return parts[0]
    raw = pd.concat([p.raw for p in parts], ignore_index=True)
    return Converted(
        raw.fillna(""),
        np.concatenate([p.input_rows for p in parts]),
        pd.concat([p.flag_text for p in parts], ignore_index=True),
        [r for p in parts for r in p.rejections],
    )


def _rejected_row(p: Problem) -> int:
    """The file row of a rejected row (a rejection is always of one row)."""
    if p.row is None:
        raise ImportAccountingError(f"{p.file}: a rejection without a row number ({p.expected}); expected its row")
    return p.row


def _reading_rejections(table: RawTable) -> list[Problem]:
    out = []
    for i, (found, width) in table.ragged.items():
        row = table.first_row + i
        if found == -1:
            out.append(
                Problem(
                    table.file,
                    row,
                    "geometry",
                    table.overflow.get(i, ""),
                    "incident features must be Points (WGS84 longitude, latitude)",
                )
            )
        elif found > width:
            out.append(
                Problem(
                    table.file,
                    row,
                    "(row)",
                    table.overflow.get(i, ""),
                    f"row has {found} cells, the header {width} columns: a cell is shifted "
                    "(an unquoted delimiter?); fix the row",
                )
            )
    blank = (table.frame == "").all(axis=1) if len(table.frame.columns) else pd.Series(True, index=table.frame.index)
    for i in np.flatnonzero(blank.to_numpy()).tolist():
        if int(i) not in table.ragged:
            out.append(Problem(table.file, table.first_row + int(i), "(row)", "", "row is empty"))
    return out


def _rejected_frame(rejected: dict, table: RawTable, conv: Converted) -> pd.DataFrame:
    if not rejected:
        return pd.DataFrame(columns=DIAGNOSTIC_COLUMNS + list(table.header))
    rows = sorted(rejected)
    diag = []
    for r in rows:
        ps = rejected[r] if isinstance(rejected[r], list) else [rejected[r]]
        first = ps[0]
        diag.append(
            (
                first.file,
                r,
                first.column or "(row)",
                "" if first.value is None else str(first.value),
                "; ".join(
                    dict.fromkeys(
                        (f"{p.column}: {p.expected}" if p.column and p.column != first.column else p.expected)
                        for p in ps
                    )
                ),
            )
        )
    frame = pd.DataFrame(diag, columns=DIAGNOSTIC_COLUMNS)
    original = table.frame.iloc[np.asarray(rows, dtype=np.int64) - table.first_row].reset_index(drop=True)
    clash = [c for c in original.columns if c in DIAGNOSTIC_COLUMNS]
    if clash:
        frame = frame.rename(columns={c: f"import_{c}" for c in DIAGNOSTIC_COLUMNS})
    return pd.concat([frame, original], axis=1)
