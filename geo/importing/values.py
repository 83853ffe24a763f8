"""Value helpers of the importers: dates, decimal commas, counts stated as text, city names.

Cells repeat a lot (cities, dates, precisions): each helper works on the distinct
values of a column only (:func:`_per_unique`) and returns text cells.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo import schema

#: A count above this is not a count (and would overflow the store's integers).
MAX_COUNT = 10**8
#: Dates outside these years are typing errors, not events.
MIN_YEAR, MAX_YEAR = 1900, 2100
#: Control characters a cell may not hold: NUL and the rest of C0 and C1 but tab, line feed and CR, and DEL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

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
    """'43,238' -> '43.238' (a decimal comma); anything else unchanged.

    Only the cells holding a comma are looked at (the rest cannot change).
    """
    values = values.astype(str)
    comma = values.str.contains(",", regex=False).to_numpy(dtype=bool)
    if not comma.any():
        return values
    out = values.to_numpy(dtype=object)
    out[comma] = _per_unique(
        values[comma], lambda u: u.str.replace(r"^\s*(-?\d+),(\d+)\s*$", r"\1.\2", regex=True)
    ).to_numpy(dtype=object)
    return pd.Series(out, index=values.index, dtype=object).astype(str)


def _join_text(parts: list[pd.Series], sep: str) -> pd.Series:
    out = None
    for part in parts:
        p = part.astype(str).to_numpy(dtype=object)
        if out is None:
            out = p
            continue
        out = np.where(out == "", p, np.where(p == "", out, out + sep + p))
    return pd.Series(out, index=parts[0].index, dtype=object).astype(str)


_CITY_WORDS = {
    "Almaty": [
        "almaty",
        "almaty city",
        "almaty qalasy",
        "city of almaty",
        "алматы",
        "алма-ата",
        "алматы қаласы",
        "г. алматы",
        "г.алматы",
        "город алматы",
        "almaty (city)",
    ],
    "Nur-Sultan": [
        "nur-sultan",
        "nur sultan",
        "nursultan",
        "nur-sultan city",
        "nur-sultan city (astana)",
        "нур-султан",
        "нур султан",
        "нұр-сұлтан",
        "г. нур-султан",
        "город нур-султан",
    ],
    "Astana": [
        "astana",
        "astana city",
        "city of astana",
        "астана",
        "г. астана",
        "г.астана",
        "город астана",
        "астана қаласы",
        "akmola city",
        "tselinograd",
    ],
}
_CITY_LOOKUP = {w: city for city, words in _CITY_WORDS.items() for w in words}
_CITY_LOOKUP.update({c.casefold(): c for c in schema.CITIES})
_ADMIN_CITY = {
    w: c
    for w, c in _CITY_LOOKUP.items()
    if any(t in w for t in ("city", "город", "г.", "қаласы", "qalasy", "nur", "нур", "нұр", "астана", "astana"))
}


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
    fallback = values.astype(str).str.strip() if keep_unknown else ""
    return found.fillna(fallback).astype(str)


@dataclass
class _Counts:
    low: pd.Series  # digits or ""
    high: pd.Series  # digits or "" (blank = at least low)
    textual: pd.Series  # a number was read out of words ("about 50")
    words: pd.Series  # no number read ("dozens", or a number written wrong: see invalid)
    swapped: pd.Series  # a range written high-low
    shown: pd.Series  # what was read, for flags ("50", "30-40")
    invalid: pd.Series  # why a number is not a count ("a negative number"), "" when it is one


_APPROX = (
    r"(?:about|around|approximately|approx\.?|roughly|nearly|almost|some|est\.?|estimated|~|≈|c\.|ca\.?|"
    r"около|примерно|приблизительно|порядка|почти|более чем|около)"
)
_AT_LEAST = r"(?:at least|more than|over|above|in excess of|\+|не менее|более|больше|свыше|как минимум|минимум)"
#: Thousands separators a count may use, the same one throughout: 1,200  1 200  1\u00a0200  1\u202f200.
_GROUPED = re.compile(r"\d{1,3}([,\u0020\u00a0\u202f])\d{3}(?:\1\d{3})*")
_NOT_A_NUMBER = re.compile(r"[+-]?(?:nan|inf|infinity|∞)")

#: What a count cell must be, said in every rejection of one.
COUNT_RULE = "a count is a whole number of 0 or more in digits (1200, 1,200 or 1 200; a range as 30-40)"


def _parse_count(text: str) -> tuple[str, str, bool, bool, bool, str]:
    """One count cell -> (low, high, textual, words_only, swapped, invalid).

    ``invalid`` says why a cell holding a number is not a count (negative, a fraction,
    an exponent, NaN, infinity); such a cell gives no number (``words_only``) and the
    caller rejects it where it is a count column.
    """
    t = written = text.strip().casefold()
    if not t:
        return "", "", False, False, False, ""
    if _GROUPED.fullmatch(t):
        n = str(int(re.sub(r"\D", "", t)))
        return n, n, False, False, False, ""
    t = re.sub(r"(?<=\d)[\s\u00a0\u202f](?=\d{3}\b)", "", t)  # about 1 200 -> about 1200
    t = re.sub(r"(?<=\d),(?=\d{3}\b)", "", t)  # about 1,200 -> about 1200
    if re.fullmatch(r"\d+", t):
        return str(int(t)), str(int(t)), False, False, False, ""
    if re.fullmatch(r"\d+\.0+", t):  # how pandas and spreadsheets write a whole number in a column with blanks
        n = str(int(t.split(".")[0]))
        return n, n, False, False, False, ""
    m = re.fullmatch(r"(?:between\s+|от\s+)?(\d+)\s*(?:-|–|—|to|and|до|\.\.)\s*(\d+)", t)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        textual = not re.fullmatch(r"\d+\s*[-–—]\s*\d+", t)
        if b < a:
            return str(b), str(a), textual, False, True, ""
        return str(a), str(b), textual, False, False, ""
    m = re.fullmatch(_AT_LEAST + r"\s*(\d+)\s*\+?(?:\s*(?:people|persons|protesters|человек|чел\.?))?", t)
    if m or re.fullmatch(r"(\d+)\s*\+", t):
        n = str(int(_first_number(t)))
        return n, "", True, False, False, ""
    m = re.fullmatch(_APPROX + r"\s*(\d+)(?:\s*(?:people|persons|protesters|человек|чел\.?))?", t)
    if m or re.fullmatch(r"(\d+)\s*(?:people|persons|protesters|человек|чел\.?)", t):
        n = str(int(_first_number(t)))
        return n, n, True, False, False, ""
    return "", "", False, True, False, _why_not_a_count(written)


def _why_not_a_count(t: str) -> str:
    """Why ``t`` (casefolded, no count pattern matched) is not a count; ``""`` for words without a number."""
    if _NOT_A_NUMBER.fullmatch(t):
        return "not a number (NaN)" if "nan" in t else "an infinite number"
    if not re.search(r"\d", t):
        return ""
    if re.fullmatch(r"[-−–]\s*\d[\d.,\s]*", t):
        return "a negative number"
    if re.fullmatch(r"[+-]?(?:\d+\.?\d*|\.\d+)e[+-]?\d+", t):
        return "a number with an exponent (write the digits)"
    if re.fullmatch(r"\d*[.,]\d+", t) and not re.fullmatch(r"\d{1,3}(?:,\d{3})+", t):
        return "a fraction (counts are whole numbers; thousands as 1,200 or 1 200)"
    return "a number the importer cannot read as a count"


def _first_number(text: str) -> str:
    """The first run of digits in ``text`` (which the caller's pattern has matched)."""
    digits = re.search(r"\d+", text)
    if digits is None:
        raise ValueError(f"no number in {text!r}; expected the count pattern to have matched one")
    return digits.group()


def _counts(values: pd.Series) -> _Counts:
    values = values.astype(str)
    codes, uniques = pd.factorize(values)
    parsed = [_parse_count(u) for u in uniques]
    if parsed:
        cols = list(zip(*parsed))
        arrays = [np.asarray(c, dtype=object)[codes] for c in cols]
    else:
        arrays = [np.asarray([], dtype=object)] * 6
    idx = values.index
    low = pd.Series(arrays[0], index=idx, dtype=object).astype(str)
    high = pd.Series(arrays[1], index=idx, dtype=object).astype(str)
    textual = pd.Series(arrays[2], index=idx).astype(bool)
    words = pd.Series(arrays[3], index=idx).astype(bool)
    swapped = pd.Series(arrays[4], index=idx).astype(bool)
    invalid = pd.Series(arrays[5], index=idx, dtype=object).astype(str)
    shown = low.where((high == low) | (low == ""), low + "-" + high)
    shown = shown.where(~((high == "") & (low != "")), "at least " + low)
    return _Counts(low, high, textual, words, swapped, shown, invalid)


def _row_hashes(frame: pd.DataFrame) -> pd.Series:
    """A short, stable hash of each row's cells (column order included)."""
    if frame.empty:
        return pd.Series([], dtype=str)
    joined = frame.astype(str).agg("\x1f".join, axis=1) if len(frame.columns) else pd.Series([""] * len(frame))
    return pd.Series(
        [hashlib.sha1(s.encode("utf-8", "surrogatepass")).hexdigest()[:12] for s in joined],
        index=frame.index,
        dtype=object,
    ).astype(str)
