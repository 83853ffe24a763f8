"""What every format needs before :func:`geo.records.validate_frame`.

Decimal commas, counts stated as text, a high figure below the low one, counts that
are not whole numbers of 0 or more (rejected), counts and precisions too large to be
real, years out of range, control characters (taken out of free text with a flag,
rejected elsewhere), rows with fewer cells than the header.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo import schema
from geo.importing.builder import Converted, _Builder
from geo.importing.read import RawTable
from geo.importing.values import (
    CONTROL_CHARACTERS,
    COUNT_RULE,
    MAX_COUNT,
    MAX_YEAR,
    MIN_YEAR,
    _counts,
    _decimal,
)


def _normalise(conv: Converted, table: RawTable) -> Converted:
    """What every format needs before validate_frame: numbers, counts, dates, ragged rows."""
    raw = conv.raw
    b = _Builder(table)
    b.flags = conv.flag_text.set_axis(b.index)
    rows = conv.input_rows
    for col in ("latitude", "longitude"):
        if col in raw.columns:
            raw[col] = _decimal(_strip(raw[col])).to_numpy()
    # counts: text -> number (flag), high below low -> swapped (flag), huge -> rejected
    for low_col, high_col in (
        ("detained_low", "detained_high"),
        ("participants_low", "participants_high"),
        ("injured", None),
    ):
        if low_col not in raw.columns:
            continue
        low_text = _strip(raw[low_col]).set_axis(b.index)
        lo = _counts(low_text)
        _reject_invalid_counts(b, low_col, low_text, lo.invalid)
        textual = lo.textual.to_numpy()
        b.flag(textual, f"{low_col} stated as text ('" + low_text + "' read as " + lo.shown + ")")
        new_low = lo.low.where(~lo.words, "")
        b.flag(lo.words & (lo.invalid == ""), f"{low_col} '" + low_text + "' gives no number (left blank)")
        if high_col and high_col in raw.columns:
            high_text = _strip(raw[high_col]).set_axis(b.index)
            hi = _counts(high_text)
            _reject_invalid_counts(b, high_col, high_text, hi.invalid)
            b.flag(hi.textual, f"{high_col} stated as text ('" + high_text + "' read as " + hi.shown + ")")
            new_high = hi.high.where(hi.high != "", hi.low)
            new_high = new_high.where(high_text != "", lo.high.where((lo.high != lo.low) | lo.textual, ""))
            new_high = new_high.where(~hi.words, "")
            b.flag(hi.words & (hi.invalid == ""), f"{high_col} '" + high_text + "' gives no number (left blank)")
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
        gp = _strip(raw["geo_precision"])
        num = pd.to_numeric(pd.Series(gp.to_numpy(dtype=object), index=gp.index), errors="coerce")
        b.reject(
            ((num.abs() > 1000) | np.isinf(num)).fillna(False).to_numpy(dtype=bool),
            "geo_precision",
            gp.set_axis(b.index),
            "expected one of 1, 2, 3, 4",
        )
    for col in schema.DATE_COLUMNS:
        if col in raw.columns:
            text = _strip(raw[col])
            year = _iso_years(text)
            far = ((year < MIN_YEAR) | (year > MAX_YEAR)).fillna(False).to_numpy(dtype=bool)
            b.reject(far, col, text.set_axis(b.index), f"expected a year between {MIN_YEAR} and {MAX_YEAR}")
    if table.has_control:
        _control_characters(raw, b)
    short = np.zeros(len(raw), dtype=bool)
    for i, (found, width) in table.ragged.items():
        if 0 <= found < width:
            short[i] = True
    b.flag(short, "row has fewer cells than the header (missing cells read as blank)")
    rejections = list(conv.rejections)
    known = {p.row for p in rejections}
    rejections.extend(p for p in b.rejections.values() if p.row not in known)
    return Converted(raw, rows, b.flags.reset_index(drop=True), rejections)


def _strip(values: pd.Series) -> pd.Series:
    """Cells without the whitespace around them, as ``str`` (pyarrow's strip takes off what Python's does)."""
    return values.astype(str).str.strip()


def _iso_years(text: pd.Series) -> pd.Series:
    """The year of each ``YYYY-MM-DD`` cell (NaN for the others), read once per distinct cell with Python's ``re``."""
    codes, uniques = pd.factorize(text.to_numpy(dtype=object))
    found = pd.Series(np.asarray(uniques, dtype=object), dtype=object).str.extract(
        r"^(\d{4})-\d{2}-\d{2}$", expand=False
    )
    years = pd.to_numeric(found, errors="coerce").to_numpy(dtype=float)
    return pd.Series(years[codes] if len(codes) else np.asarray([], dtype=float), index=text.index)


def _reject_invalid_counts(b: _Builder, column: str, text: pd.Series, invalid: pd.Series) -> None:
    """Reject the rows whose count cell holds a number that is not a count (``-5``, ``1e3``, ``NaN``, ``12.5``)."""
    bad = (invalid != "").to_numpy(dtype=bool)
    if bad.any():
        b.reject(bad, column, text, invalid + "; expected " + COUNT_RULE)


#: Native columns of free text: control characters are taken out of them (with a flag).
#: In every other column (ids, codes, dates, numbers, URLs) a control character rejects the row.
FREE_TEXT_COLUMNS = frozenset(
    ["place_name_en", "place_name_ru", "place_name_kk", "detained_text", "summary", "notes", "source_names"]
)


def _control_characters(raw: pd.DataFrame, b: _Builder) -> None:
    """NUL and the other control characters but tab, CR and line feed (see :data:`CONTROL_CHARACTERS`).

    Removed from free text and the file's own extra columns, with a flag naming them;
    a row holding one in an id, code, date, number or URL is rejected.
    """
    for col in list(raw.columns):
        text = raw[col].astype(str)
        has = text.str.contains(CONTROL_CHARACTERS, regex=True).to_numpy(dtype=bool)
        if not has.any():
            continue
        found = text[has].map(lambda v: ", ".join(sorted({f"U+{ord(c):04X}" for c in CONTROL_CHARACTERS.findall(v)})))
        named = pd.Series("", index=text.index, dtype=object)
        named[has] = found
        if col in FREE_TEXT_COLUMNS or col not in schema.COLUMNS:
            raw[col] = text.str.replace(CONTROL_CHARACTERS, "", regex=True)
            b.flag(has, f"{col}: control character(s) " + named.set_axis(b.index) + " removed")
        else:
            b.reject(
                has,
                col,
                text.set_axis(b.index),
                "control character(s) "
                + named.set_axis(b.index)
                + f" in {col}: ids, codes, dates, numbers and URLs cannot hold them; fix the cell",
            )
