"""Duplicate candidates: records of a file that look like records already in the store.

An import merges only what is certainly the same record (the same ``record_id``, or the
same date, city, type, place and first source: :mod:`geo.importing.dedupe`).  What only
*looks* the same is for a person to decide, before anything is written:

* the same event type, dates at most :data:`MAX_DAYS` apart, and the same district (both
  placed in one by :func:`geo.join.join_incidents`) or points at most :data:`MAX_METRES`
  apart; or
* a source URL in common and dates at most :data:`MAX_DAYS` apart, whatever the type and
  place (a report without a point is often city level; one article covering weeks of
  events does not make them one; ACLED's citation URL, which every ACLED row carries, does
  not count).

:func:`find_candidates` lists them with the reason; :func:`apply_decisions` applies what
the user decided for each pair (new record, existing record):

``same``
    the same episode, the same report: the row is merged into the existing record (it
    moves from ``records`` to ``merged``, the reason naming the decision);
``included_in``
    the new record's detentions are part of the existing one's: it is imported with
    ``included_in`` set to the existing record, which reconciliation honours (never
    counted twice);
``distinct``
    a different episode: imported as it is.

Every decision is stored with the record it concerns, in its ``candidate_decision``
column (``distinct from X (the user)``, ``included in X (the user)``); an undecided
candidate is imported with a flag naming the record it may repeat.  The comparison needs
only the existing records of the file's dates (±:data:`MAX_DAYS`) and a few columns
(:data:`COMPARE_COLUMNS`): :meth:`geo.store.Store.read` of whole datasets is not needed.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from geo.errors import MappingError
from geo.importing.acled import ACLED_CITATION_URL

__all__ = [
    "CANDIDATE_COLUMNS",
    "COMPARE_COLUMNS",
    "DECISIONS",
    "MAX_DAYS",
    "MAX_METRES",
    "MAX_PER_RECORD",
    "apply_decisions",
    "find_candidates",
    "load_decisions",
]

#: Dates at most this many days apart can be one episode.
MAX_DAYS = 1
#: Points at most this far apart (metres) can be one place.
MAX_METRES = 500.0
#: What a user may decide about a candidate.
DECISIONS = ("same", "included_in", "distinct")
#: The columns of the existing records an import reads to compare with (merges by id and
#: by episode, ``included_in`` checks, candidates, their districts): never the whole records.
COMPARE_COLUMNS = (
    "record_id",
    "date",
    "period_start",
    "period_end",
    "city",
    "event_type",
    "place_name_en",
    "place_name_ru",
    "place_name_kk",
    "latitude",
    "longitude",
    "geo_precision",
    "source_urls",
    "source_names",
    "dataset",
)
#: The columns of :func:`find_candidates`' answer.
CANDIDATE_COLUMNS = ["row", "record_id", "existing_record_id", "existing_dataset", "days_apart", "metres", "reason"]

#: At most this many candidates per record of the file: the nearest in days, then in metres.
MAX_PER_RECORD = 5

_EARTH_M = 6_371_000.0
#: A cell of the point grid (degrees of latitude, and of longitude times cos(latitude)): a bit
#: over MAX_METRES, so that a point's 3 × 3 cells hold every point within MAX_METRES of it.
_CELL_DEG = MAX_METRES / 111_000.0 * 1.05
#: Longitude cells are as wide as at 60°N (cos 60° = 0.5): at least MAX_METRES wide anywhere south
#: of it (all of Kazakhstan), the same width for every point (a cell by each point's own latitude
#: would put two close points of slightly different latitudes cells apart).
_COS_NORTH = 0.5
#: The columns each way of finding pairs gives (kind 0: close points, 1: one district, 2: a URL).
_SLIM = [
    "row",
    "record_id",
    "record_id_old",
    "dataset_old",
    "days_apart",
    "metres",
    "kind",
    "event_type",
    "district",
    "url",
]
#: Records of the file compared in one go.
_CHUNK = 2_000


def find_candidates(
    records: pd.DataFrame, existing: pd.DataFrame | None, *, districts: tuple[pd.Series, pd.Series] | None = None
) -> pd.DataFrame:
    """Pairs (record of the file, existing record) that may be one episode, with the reason.

    Parameters
    ----------
    records
        The records an import would write (:attr:`ImportResult.records`).
    existing
        The existing records to compare with: at least ``record_id``, ``date``,
        ``event_type``, ``latitude``, ``longitude`` and ``source_urls`` (``dataset`` and
        ``geo_precision`` optional), e.g. :data:`COMPARE_COLUMNS` read by column.
    districts
        The district of each record and of each existing record (``''`` when not in
        one), index-aligned with ``records`` and ``existing``; ``None``: points only.
        The same district is what makes a pair when either record has no precise
        point (``geo_precision`` other than 1); two precise points must be close.

    Returns
    -------
    pandas.DataFrame
        :data:`CANDIDATE_COLUMNS`, one row per pair, ordered by the file's row, at most
        :data:`MAX_PER_RECORD` per record (the nearest in days, then metres); ``metres``
        is blank when either has no point.

    Cost: points are bucketed in cells of about :data:`MAX_METRES` and compared with
    the 3 × 3 cells around them on the 3 days around them; the file is compared in
    chunks, so memory stays bounded whatever the two sizes.
    """
    if existing is None or records.empty or existing.empty:
        return pd.DataFrame(columns=CANDIDATE_COLUMNS)
    new = _frame(records, districts[0] if districts else None)
    old = _frame(existing, districts[1] if districts else None)
    found = []
    for start in range(0, len(new), _CHUNK):
        part = new.iloc[start : start + _CHUNK]
        found.extend(_near_points(part, old))
        found.extend(_same_district(part, old))
        found.extend(_shared_urls(part, old))
    found = [f for f in found if len(f)]
    if not found:
        return pd.DataFrame(columns=CANDIDATE_COLUMNS)
    out = pd.concat(found, ignore_index=True)
    out = out[out["record_id"] != out["record_id_old"]]
    # one reason per pair (the strongest: close points, then the district, then a URL), then the
    # nearest MAX_PER_RECORD pairs of each record; the words only for those
    out = out.sort_values(["row", "record_id_old", "kind"], kind="stable").drop_duplicates(["row", "record_id_old"])
    out = out.sort_values(["row", "days_apart", "metres"], na_position="last", kind="stable")
    out = out.groupby("row", sort=False).head(MAX_PER_RECORD).copy()
    when = pd.Series(np.where(out["days_apart"] == 0, "the same day", "1 day apart"), index=out.index)
    same = "same type (" + out["event_type"] + "), " + when + ", "
    out["reason"] = np.select(
        [out["kind"] == 0, out["kind"] == 1],
        [
            same + "points " + out["metres"].round().astype("Int64").astype(str) + " m apart",
            same + "the same district (" + out["district"] + ")",
        ],
        "the same source URL (" + out["url"] + ")",
    )
    out = out.rename(columns={"record_id_old": "existing_record_id", "dataset_old": "existing_dataset"})
    out["metres"] = out["metres"].round(0)
    return out[CANDIDATE_COLUMNS].sort_values(["row", "existing_record_id"]).reset_index(drop=True)


def _near_points(new: pd.DataFrame, old: pd.DataFrame) -> list[pd.DataFrame]:
    """Pairs of points at most MAX_METRES apart, of one type, at most MAX_DAYS apart."""
    a, b = new[new["cell_y"].notna()], old[old["cell_y"].notna()]
    out = []
    for dd in range(-MAX_DAYS, MAX_DAYS + 1):
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                moved = b.assign(day=b["day"] + dd, cell_y=b["cell_y"] + dy, cell_x=b["cell_x"] + dx)
                hit = a.merge(moved, on=["day", "event_type", "cell_y", "cell_x"], suffixes=("", "_old"))
                if hit.empty:
                    continue
                hit["metres"] = _metres(hit["lat"], hit["lon"], hit["lat_old"], hit["lon_old"]).to_numpy()
                hit = hit[hit["metres"] <= MAX_METRES].copy()
                hit["days_apart"] = (hit["day_orig_old"] - hit["day_orig"]).abs().astype(int)
                out.append(hit.assign(kind=0, url="")[_SLIM])
    return out


def _same_district(new: pd.DataFrame, old: pd.DataFrame) -> list[pd.DataFrame]:
    """Pairs in one district, of one type, at most MAX_DAYS apart, where either has no precise point."""
    a, b = new[new["district"] != ""], old[old["district"] != ""]
    out = []
    for dd in range(-MAX_DAYS, MAX_DAYS + 1):
        hit = a.merge(b.assign(day=b["day"] + dd), on=["day", "event_type", "district"], suffixes=("", "_old"))
        hit = hit[~(hit["precise"] & hit["precise_old"])].copy()
        if hit.empty:
            continue
        hit["metres"] = _metres(hit["lat"], hit["lon"], hit["lat_old"], hit["lon_old"]).to_numpy()
        hit["days_apart"] = (hit["day_orig_old"] - hit["day_orig"]).abs().astype(int)
        out.append(hit.assign(kind=1, url="")[_SLIM])
    return out


def load_decisions(source: str | Path | pd.DataFrame) -> dict[tuple[str, str], str]:
    """A decisions file (CSV: ``record_id``, ``existing_record_id``, ``decision``) as a dict.

    Raises
    ------
    MappingError
        The file cannot be read, lacks a column, or a decision is not one of
        :data:`DECISIONS` (naming the file, the line and the value).
    """
    where = "the decisions"
    if isinstance(source, pd.DataFrame):
        rows = source.astype(str).to_dict("records")
    else:
        where = f"decisions file {source}"
        try:
            text = Path(source).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise MappingError(f"{where}: cannot be read ({exc})") from None
        rows = list(csv.DictReader(io.StringIO(text)))
        needed = {"record_id", "existing_record_id", "decision"}
        if rows and not needed <= set(rows[0]):
            raise MappingError(f"{where}: needs the columns {', '.join(sorted(needed))}; it has {', '.join(rows[0])}")
    decisions: dict[tuple[str, str], str] = {}
    for line, row in enumerate(rows, start=2):
        decision = str(row.get("decision", "")).strip()
        if decision not in DECISIONS:
            raise MappingError(
                f"{where}, line {line}: decision is {decision!r}; expected one of {', '.join(DECISIONS)}"
            )
        decisions[(str(row["record_id"]).strip(), str(row["existing_record_id"]).strip())] = decision
    return decisions


def apply_decisions(result, candidates: pd.DataFrame, decisions: dict[tuple[str, str], str] | None = None):
    """``result`` (an :class:`~geo.importing.pipeline.ImportResult`) with the user's decisions applied.

    ``same`` moves the record to ``merged``; ``included_in`` sets its ``included_in``;
    ``distinct`` keeps it; each is written in the record's ``candidate_decision``. A
    candidate without a decision keeps its record, flagged.  The result still accounts
    for every input row once (:meth:`~geo.importing.pipeline.ImportResult.check`).

    Raises
    ------
    MappingError
        A decision names a pair that is not a candidate (naming it), or one record is
        decided ``same`` or ``included_in`` for two existing records.
    """
    decisions = dict(decisions or {})
    pairs = {(str(r), str(e)) for r, e in zip(candidates["record_id"], candidates["existing_record_id"])}
    unknown = [p for p in decisions if p not in pairs]
    if unknown:
        raise MappingError(
            f"decisions for pairs that are not candidates: {', '.join(f'{r} / {e}' for r, e in unknown[:5])}"
        )
    binding: dict[str, tuple[str, str]] = {}
    for (rid, other), decision in decisions.items():
        if decision == "distinct":
            continue
        if rid in binding:
            raise MappingError(
                f"record {rid} is decided {binding[rid][1]!r} for {binding[rid][0]} and {decision!r} for {other}: "
                "a record can repeat or be part of one existing record only"
            )
        binding[rid] = (other, decision)
    records = result.records.copy()
    if "candidate_decision" not in records.columns:
        records["candidate_decision"] = ""
    ids = records["record_id"].astype(str)
    said: dict[str, list[str]] = {}
    for (rid, other), decision in decisions.items():
        text = {"same": "the same episode as", "included_in": "included in", "distinct": "distinct from"}[decision]
        said.setdefault(rid, []).append(f"{text} {other} (the user)")
    for rid, texts in said.items():
        records.loc[ids == rid, "candidate_decision"] = "; ".join(texts)
    for rid, (other, decision) in binding.items():
        if decision == "included_in":
            records.loc[ids == rid, "included_in"] = other
    open_pairs = [
        (str(r), str(e)) not in decisions for r, e in zip(candidates["record_id"], candidates["existing_record_id"])
    ]
    undecided = candidates.loc[np.asarray(open_pairs, dtype=bool)]
    for rid, group in undecided.groupby("record_id"):
        note = "; ".join(
            f"may repeat {e} ({why}): not decided" for e, why in zip(group["existing_record_id"], group["reason"])
        )
        mask = ids == str(rid)
        records.loc[mask, "flags"] = [f"{f}; {note}" if f else note for f in records.loc[mask, "flags"]]
    same = [rid for rid, (_, decision) in binding.items() if decision == "same"]
    moved = records[ids.isin(same)]
    merged_rows = pd.DataFrame(
        {
            "file": result.file,
            "row": moved["source_row"].to_numpy() if "source_row" in moved else np.nan,
            "input_record_id": moved["record_id"].to_numpy(),
            "record_id": [binding[r][0] for r in moved["record_id"].astype(str)],
            "why": "the user decided it is the same episode",
        }
    )
    merged = pd.concat([result.merged, merged_rows], ignore_index=True) if len(moved) else result.merged
    out = replace(result, records=records[~ids.isin(same)].reset_index(drop=True), merged=merged)
    out.check()
    return out


def _frame(frame: pd.DataFrame, district: pd.Series | None) -> pd.DataFrame:
    days = pd.to_datetime(frame["date"], errors="coerce").to_numpy().astype("datetime64[D]")
    day = days.astype("int64")
    valid = ~np.isnat(days)
    lat = pd.to_numeric(frame["latitude"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(frame["longitude"], errors="coerce").to_numpy(dtype=float)
    precision = pd.to_numeric(frame.get("geo_precision", pd.Series(np.nan, index=frame.index)), errors="coerce")
    precision = precision.to_numpy(dtype=float)
    out = pd.DataFrame(
        {
            "row": frame["source_row"].to_numpy() if "source_row" in frame.columns else np.arange(len(frame)),
            "record_id": frame["record_id"].astype(str).to_numpy(),
            "day": day,
            "day_orig": day,
            "event_type": frame["event_type"].astype(str).to_numpy(),
            "lat": lat,
            "lon": lon,
            "cell_y": np.floor(lat / _CELL_DEG),
            "cell_x": np.floor(lon * _COS_NORTH / _CELL_DEG),
            "precise": (precision == 1) & ~np.isnan(lat) & ~np.isnan(lon),
            "district": (district.fillna("").astype(str).to_numpy() if district is not None else ""),
            "urls": frame["source_urls"].fillna("").astype(str).to_numpy(),
            "dataset": frame["dataset"].astype(str).to_numpy() if "dataset" in frame.columns else "",
        }
    )
    return out[valid].reset_index(drop=True)


def _metres(lat1, lon1, lat2, lon2) -> pd.Series:
    """Great-circle distance (haversine), NaN where a point is missing."""
    p1, p2 = np.radians(lat1.to_numpy(float)), np.radians(lat2.to_numpy(float))
    dl = np.radians(lon2.to_numpy(float) - lon1.to_numpy(float))
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return pd.Series(2 * _EARTH_M * np.arcsin(np.sqrt(np.clip(a, 0, 1))), index=lat1.index)


def _shared_urls(new: pd.DataFrame, old: pd.DataFrame) -> list[pd.DataFrame]:
    def exploded(frame: pd.DataFrame) -> pd.DataFrame:
        urls = frame.assign(url=frame["urls"].str.split()).explode("url")
        url = urls["url"].fillna("").astype(str)
        urls = urls[(url != "") & ~url.str.startswith(ACLED_CITATION_URL)]
        return urls.assign(url=urls["url"].str.rstrip("/").str.casefold())

    a, b = exploded(new), exploded(old)
    if a.empty or b.empty:
        return []
    hit = a.merge(b, on="url", suffixes=("", "_old"))
    if hit.empty:
        return []
    hit["days_apart"] = (hit["day_orig_old"] - hit["day_orig"]).abs().astype(int)
    hit = hit[hit["days_apart"] <= MAX_DAYS].copy()
    hit["metres"] = _metres(hit["lat"], hit["lon"], hit["lat_old"], hit["lon_old"])
    return [hit.assign(kind=2, district="")[_SLIM]]
