"""Merges: rows that repeat a record, by ``record_id`` or by episode key.

The episode key is date + city + event type + place + first source (first URL; for
ACLED, whose URL is always the citation, the first source name).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.errors import Problem
from geo.importing.acled import ACLED_CITATION_URL
from geo.importing.builder import Converted


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
    """The episode key of each row; ``""`` where there is none (no place, no date, an ACLED row).

    Only the rows with a place that are not ACLED rows are keyed (the rest stay ``""``).
    """
    acled = frame["source_urls"].fillna("").astype(str).str.startswith(ACLED_CITATION_URL)
    place = _place(frame)
    keyed = ((place != "") & ~acled).to_numpy(dtype=bool)
    out = pd.Series("", index=frame.index, dtype=object)
    if keyed.any():
        out[keyed] = _episode_key_of(frame[keyed], place[keyed]).to_numpy(dtype=object)
    return out


def _episode_key_of(frame: pd.DataFrame, place: pd.Series) -> pd.Series:
    days = pd.to_datetime(frame["date"], errors="coerce").to_numpy().astype("datetime64[D]")
    day = pd.Series(np.where(np.isnat(days), "", days.astype(str)), index=frame.index, dtype=object)
    city = frame["city"].fillna("").astype(str).replace({"Astana": "Nur-Sultan"})
    key = day + "|" + city + "|" + frame["event_type"].fillna("").astype(str) + "|" + place + "|" + _first_source(frame)
    # ACLED's event ids are its own de-duplication: two ACLED events are never one episode
    # (their first source is always the citation URL), so only record_id merges them (the caller
    # keys no ACLED row).
    return key.where(day != "", "")


def _merge_by_id(conv: Converted, alive: np.ndarray, existing: pd.DataFrame | None, name: str):
    ids = conv.raw["record_id"].str.strip().to_numpy(dtype=object)
    rows = conv.input_rows
    merged = []
    known = set(existing["record_id"].astype(str)) if existing is not None and len(existing) else set()
    alive = alive.copy()
    # in one go: an id of an existing record merges into it; else a repeat merges into its first row
    at = np.flatnonzero(alive & (ids != ""))
    cid = pd.Series(ids[at], dtype=object)
    in_known = cid.isin(known).to_numpy(dtype=bool) if known else np.zeros(len(at), dtype=bool)
    fresh = cid[~in_known]
    repeat = np.zeros(len(at), dtype=bool)
    repeat[~in_known] = fresh.duplicated(keep="first").to_numpy(dtype=bool)
    first = dict(zip(fresh[~repeat[~in_known]], rows[at[~in_known][~repeat[~in_known]]].tolist()))
    for k in np.flatnonzero(in_known | repeat).tolist():
        i, rid = at[k], ids[at[k]]
        why = "same record_id as an existing record"
        if not in_known[k]:
            why = f"same record_id as row {first[rid]} of this file"
        merged.append((name, int(rows[i]), rid, rid, why))
        alive[i] = False
    return pd.DataFrame(merged, columns=["file", "row", "input_record_id", "record_id", "why"]), alive


def _drop_merges_into_rejected(merged: pd.DataFrame, rejected: dict, name: str, conv: Converted) -> pd.DataFrame:
    if merged.empty:
        return merged
    first_row = merged["why"].str.extract(r"row (\d+) of this file", expand=False)
    bad = first_row.notna() & first_row.fillna("0").astype(int).isin(list(rejected))
    for _, m in merged[bad].iterrows():
        rejected[int(m["row"])] = Problem(
            name,
            int(m["row"]),
            "record_id",
            m["input_record_id"],
            f"repeats the record_id of row {first_row[_]}, which was rejected; fix that row and import both again",
        )
    return merged[~bad]


def _merge_by_key(records: pd.DataFrame, existing: pd.DataFrame | None, name: str):
    cols = ["file", "row", "input_record_id", "record_id", "why"]
    if records.empty:
        return records, pd.DataFrame(columns=cols)
    key = _episode_key(records)
    first: dict[str, str] = {}
    if (
        existing is not None
        and len(existing)
        and all(
            c in existing.columns
            for c in (
                "date",
                "city",
                "event_type",
                "place_name_en",
                "place_name_ru",
                "place_name_kk",
                "source_urls",
                "source_names",
            )
        )
    ):
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
            out.append(
                (
                    name,
                    int(src_rows[i]),
                    ids[i],
                    ids[seen_row[k]],
                    f"same date, city, event type, place and first source as row {int(src_rows[seen_row[k]])}",
                )
            )
            drop[i] = True
        else:
            seen_row[k] = i
    return records.loc[~drop].reset_index(drop=True), pd.DataFrame(out, columns=cols)
