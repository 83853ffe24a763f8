"""Crowd Counting Consortium-style sheets to native cells."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from geo import schema
from geo.importing.builder import Converted, _Builder
from geo.importing.read import RawTable
from geo.importing.values import (
    _DEFAULT_DATE_FORMATS,
    COUNT_RULE,
    _city_values,
    _counts,
    _decimal,
    _join_text,
    _parse_dates,
    _row_hashes,
)
from geo.records import trim_text

__all__ = ["to_native_ccc"]


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
      ``30-40``, ``several`` -> no number, kept in notes; ``-5``, ``1e3``, ``12.5``, ``NaN``
      reject the row, as in ``size_low``, ``size_high`` and the injury columns), ``count_kind`` incremental;
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
    _reject_invalid(b, "size_low", size_low, lo.invalid)
    _reject_invalid(b, "size_high", size_high, hi.invalid)
    txt = _counts(size_text)
    use_text = (lo.low == "") & (hi.low == "")
    p_low = lo.low.where(lo.low != "", hi.low)
    p_high = hi.low.where(hi.low != "", lo.high)
    b.out["participants_low"] = p_low.where(~use_text, txt.low)
    b.out["participants_high"] = p_high.where(~use_text, txt.high)
    b.flag(
        lo.textual | hi.textual | (use_text & txt.textual),
        "crowd size stated as text (" + _join_text([size_low, size_high, size_text], " / ") + ")",
    )
    arrests = b.col("arrests")
    d = _counts(arrests)
    _reject_invalid(b, "arrests", arrests, d.invalid)
    b.out["detained_low"], b.out["detained_high"] = d.low, d.high
    b.out["count_kind"] = pd.Series(np.where(d.low != "", "incremental", ""), index=b.index)
    b.flag(d.textual, "arrests stated as text ('" + arrests + "' read as " + d.shown + ")")
    b.flag(d.words, "arrests '" + arrests + "' give no number (kept in notes)")
    b.flag(d.swapped, "arrests range written high-low (swapped)")

    inj_c, inj_p = b.col("injuries_crowd"), b.col("injuries_police")
    ic, ip = _counts(inj_c), _counts(inj_p)
    _reject_invalid(b, "injuries_crowd", inj_c, ic.invalid)
    _reject_invalid(b, "injuries_police", inj_p, ip.invalid)
    c_num = pd.to_numeric(ic.low, errors="coerce")  # digits or "": never -5, 1e3 or inf
    p_num = pd.to_numeric(ip.low, errors="coerce")
    total = c_num.fillna(0) + p_num.fillna(0)
    any_num = c_num.notna() | p_num.notna()
    b.out["injured"] = pd.Series(np.where(any_num, total.fillna(0).astype("int64").astype(str), ""), index=b.index)
    b.flag(ic.textual | ip.textual, "injuries stated as text")
    inj_note = np.where(
        (inj_c != "") | (inj_p != ""),
        "injuries: crowd "
        + inj_c.where(inj_c != "", "not reported")
        + ", police "
        + inj_p.where(inj_p != "", "not reported")
        + ".",
        "",
    )
    arrest_note = np.where(d.words, "arrests: " + arrests + ".", "")

    src_cols = sorted(
        (c for c in table.frame.columns if re.fullmatch(r"(?i)source_?\d+", c.strip())),
        key=lambda c: int(re.sub(r"\D", "", c)),
    )
    urls, names = _split_sources([trim_text(table.frame[c]) for c in src_cols], b)
    b.out["source_urls"], b.out["source_names"] = urls, names
    b.out["summary"] = b.col("claims", "title", "summary")
    b.out["notes"] = _join_text(
        [b.col("notes"), pd.Series(inj_note, index=b.index), pd.Series(arrest_note, index=b.index)], " "
    )
    used = {
        "id",
        "event_id",
        "record_id",
        "date",
        "locality",
        "city",
        "resolved_locality",
        "location_detail",
        "location",
        "lat",
        "latitude",
        "lon",
        "lng",
        "longitude",
        "size_low",
        "size_high",
        "size_text",
        "arrests",
        "injuries_crowd",
        "injuries_police",
        "claims",
        "title",
        "summary",
        "notes",
    }
    extra = {
        f"ccc_{c.strip()}": table.frame[c]
        for c in table.frame.columns
        if c.strip().casefold() not in used and c not in src_cols and f"ccc_{c.strip()}" not in schema.COLUMNS
    }
    return b.done(extra)


def _reject_invalid(b: _Builder, column: str, text: pd.Series, invalid: pd.Series) -> None:
    """Reject the rows whose count column holds a number that is not a count (``-5``, ``1e3``, ``NaN``)."""
    b.reject((invalid != "").to_numpy(dtype=bool), column, text, invalid + "; expected " + COUNT_RULE)


def _split_sources(columns: list[pd.Series], b: _Builder) -> tuple[pd.Series, pd.Series]:
    urls = [b.blank()]
    names = [b.blank()]
    for col in columns:
        is_url = col.str.match(r"(?i)^https?://\S+$")
        urls.append(col.where(is_url, ""))
        names.append(col.where(~is_url & (col != ""), ""))
    return _join_text(urls, " "), _join_text(names, "; ")
