"""Time series for the timeline: reconciled figures per city and day, the official
national running totals, incidents by hour of day, and the key events to annotate.

Every number here comes from :func:`geo.aggregate.detained_range` or straight from a
record; nothing is summed across figures that may contain each other.

* :func:`daily_ranges` asks the reconciliation for one city and one day at a time.
  A day only gets a number from figures about that day alone; a figure over several
  days (``NQZ-20190611-01``: about 200 moved out of Nur-Sultan over 9-10 June) or a
  national one is never split by day or city.  Such a figure, and any detention
  reported without a number, leaves the day's high end open unless a closed total
  of that city and day covers it: the day's count is known to be at least the
  floor, and nothing bounds it from above.
* :func:`national_cumulative` lists the official national totals ("about 700 over
  9-10 June") one row each.  They are a separate series: never stacked on, or added
  to, the city figures.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from geo.aggregate import COUNTED_KINDS, Reconciler, to_day
from geo.errors import EventsValidationError, Problem, ProtestMapError
from geo.schema import CITY_IDS, DETENTION_TYPES
from geo.settings import PROJECT_ROOT

#: Cities that have daily series (``city_id`` of the boundary layers).
SERIES_CITIES = ("almaty", "astana")

DAILY_COLUMNS = [
    "day",
    "city_id",
    "detained_low",
    "detained_high",
    "open_ended",
    "basis",
    "high_basis",
    "uncounted",
    "spanning",
]
NATIONAL_COLUMNS = [
    "record_id",
    "statement_date",
    "period_start",
    "period_end",
    "detained_low",
    "detained_high",
    "source_names",
    "summary",
]
HOUR_COLUMNS = ["hour", "event_type", "city_id", "n"]

#: The key events file shipped with the project.
KEY_EVENTS_FILE = PROJECT_ROOT / "data" / "events" / "key_events.csv"
EVENT_COLUMNS = ["date", "label_en", "label_ru", "label_kk", "kind", "source_urls", "notes"]
EVENT_REQUIRED = ["date", "label_en", "kind", "source_urls"]
EVENT_KINDS = ("election", "protest", "detention", "official", "unrest")

#: The columns :func:`geo.aggregate.detained_range` reads.
_RECONCILE_COLUMNS = (
    "record_id",
    "city",
    "city_id",
    "district_id",
    "attribution",
    "period_start",
    "period_end",
    "detained_low",
    "detained_high",
    "detained_text",
    "count_kind",
    "included_in",
    "contested_by",
    "event_type",
    "inferred",
)

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_URL_RE = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)


def daily_ranges(
    records: pd.DataFrame,
    *,
    cities: tuple[str, ...] = SERIES_CITIES,
    start: date | str,
    end: date | str,
) -> pd.DataFrame:
    """The reconciled detained range of every city on every day of a window.

    Each cell is ``detained_range(records, area=city, start=day, end=day,
    breakdown=False)``: the same rules as every other figure.  A day's high end is
    open when a figure reaching beyond that day or city (a several-day figure, a
    national one) or a detention reported without a number touches it and no closed
    total of that city and day covers it; such a figure is never split by day.

    Parameters
    ----------
    records : pandas.DataFrame
        Validated records (:func:`geo.records.load_records`), national ones
        included (they leave a city's day open).
    cities : tuple of str
        ``city_id`` values (``almaty``, ``astana``).
    start, end : date or str
        The window, both days included.

    Returns
    -------
    pandas.DataFrame
        One row per day and city (days in order, cities in the given order):
        ``day`` (datetime64), ``city_id``, ``detained_low`` (int),
        ``detained_high`` (Int64, ``<NA>`` = open-ended), ``open_ended``,
        ``basis`` (the floor's record_ids, space-separated), ``high_basis``,
        ``uncounted`` (that city's detentions without a number that day) and
        ``spanning`` (that city's figures covering several days, this one among
        them), record_ids space-separated.
    """
    lo, hi = _window(start, end)
    unknown = [c for c in cities if c not in SERIES_CITIES]
    if unknown:
        raise ProtestMapError(
            f"unknown city_id(s) {', '.join(map(repr, unknown))}; expected some of {', '.join(SERIES_CITIES)}"
        )
    days = pd.date_range(lo, hi, freq="D").astype("datetime64[ns]")
    frame = _with_city_id(records)
    starts, ends = frame["period_start"], frame["period_end"]
    touches = ((starts <= pd.Timestamp(hi)) & (ends >= pd.Timestamp(lo))).to_numpy()
    frame = frame.loc[touches]
    records = records.loc[touches, [c for c in records.columns if c in _RECONCILE_COLUMNS]]
    answers = Reconciler(records).each_day(tuple(cities), lo, hi)

    grid = pd.MultiIndex.from_product([days, list(cities)], names=["day", "city_id"])
    cells = []
    for day, city in grid:
        result = answers[(day.date(), city)]
        cells.append(
            (
                result.detained_low,
                pd.NA if result.detained_high is None else result.detained_high,
                " ".join(result.basis),
                " ".join(result.high_basis),
            )
        )
    out = pd.DataFrame(cells, index=grid, columns=["detained_low", "detained_high", "basis", "high_basis"])
    out["detained_high"] = out["detained_high"].astype("Int64")
    of_cities = frame["_city_id"].isin(cities)
    countable = frame["detained_low"].notna() & frame["count_kind"].isin(COUNTED_KINDS)
    single_day = frame["period_start"] == frame["period_end"]
    uncounted = frame.loc[of_cities & frame["detained_low"].isna() & frame["event_type"].isin(DETENTION_TYPES)]
    out["uncounted"] = _ids_by_day(uncounted, grid, lo, hi)
    out["spanning"] = _ids_by_day(frame.loc[of_cities & countable & ~single_day], grid, lo, hi)
    out["open_ended"] = out["detained_high"].isna()
    out["detained_low"] = out["detained_low"].astype("int64")
    out = out.reset_index()
    out["day"] = out["day"].astype("datetime64[ns]")
    out["city_id"] = out["city_id"].astype(object).astype(str)
    return out[DAILY_COLUMNS]


def national_cumulative(records: pd.DataFrame, *, start: date | str, end: date | str) -> pd.DataFrame:
    """The national running totals whose period lies inside the window, one row each.

    These are the official national statements with a cumulative count
    (``city == 'national'``, ``event_type == 'official_statement'``,
    ``count_kind == 'cumulative'``): "about 500 on 9 June", "about 700 over 9-10
    June", "nearly 4,000 over 9-13 June".  Each is a total of its own period; they
    overlap each other and contain the city figures, so they are listed, never
    added.  Thematic national counts (13 journalists over 9-12 June) count a
    subset of people and are not part of this series; snapshots (people held at
    one moment) are not totals.

    Returns
    -------
    pandas.DataFrame
        ``record_id``, ``statement_date`` (the record's ``date``), ``period_start``,
        ``period_end``, ``detained_low`` (int), ``detained_high`` (Int64,
        ``<NA>`` = open-ended), ``source_names``, ``summary``; ordered by
        ``period_end``, then statement date and record_id.
    """
    lo, hi = _window(start, end)
    keep = (
        (records["city"] == "national")
        & (records["event_type"] == "official_statement")
        & (records["count_kind"] == "cumulative")
        & records["detained_low"].notna()
        & (records["period_start"] >= pd.Timestamp(lo))
        & (records["period_end"] <= pd.Timestamp(hi))
    )
    out = records.loc[
        keep,
        ["record_id", "date", "period_start", "period_end", "detained_low", "detained_high", "source_names", "summary"],
    ]
    out = out.rename(columns={"date": "statement_date"})
    out = out.sort_values(["period_end", "statement_date", "record_id"], kind="stable")
    out["detained_low"] = out["detained_low"].astype("int64")
    out["detained_high"] = out["detained_high"].astype("Int64")
    for col in ("statement_date", "period_start", "period_end"):
        out[col] = out[col].astype("datetime64[ns]")
    return out[NATIONAL_COLUMNS].reset_index(drop=True)


def hour_of_day(records: pd.DataFrame, *, exclude: tuple[str, ...] = ("official_statement",)) -> pd.DataFrame:
    """Records by local hour of day, event type and city.

    Only records whose ``time_precision`` is ``exact`` or ``range`` and that give a
    ``time_local`` count (a ``range`` time is approximate: "about 11:00").  Official
    statements are left out by default: their time is when something was said, not
    when it happened.  ``n`` counts records, not people.

    Returns
    -------
    pandas.DataFrame
        ``hour`` (0-23), ``event_type``, ``city_id`` (``almaty``, ``astana``,
        ``national`` or ``other``), ``n``; ordered by hour, event type, city.
    """
    timed = (
        records["time_precision"].isin(["exact", "range"])
        & (records["time_local"].fillna("") != "")
        & ~records["event_type"].isin(exclude)
    )
    frame = records.loc[timed]
    hours = frame["time_local"].str.slice(0, 2).astype(int)
    city_id = frame["city"].map(CITY_IDS).fillna(frame["city"].str.lower())
    out = (
        pd.DataFrame({"hour": hours, "event_type": frame["event_type"], "city_id": city_id})
        .groupby(["hour", "event_type", "city_id"], as_index=False)
        .size()
        .rename(columns={"size": "n"})
    )
    out["hour"] = out["hour"].astype("int64")
    out["n"] = out["n"].astype("int64")
    return out[HOUR_COLUMNS].sort_values(["hour", "event_type", "city_id"]).reset_index(drop=True)


def load_key_events(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate the key events to annotate on the timeline.

    Parameters
    ----------
    path : str or Path, optional
        A CSV (UTF-8) with the columns ``date``, ``label_en``, ``label_ru``,
        ``label_kk``, ``kind``, ``source_urls``, ``notes``; by default
        ``data/events/key_events.csv``.

    Returns
    -------
    pandas.DataFrame
        ``date`` (datetime64), the text columns (``""`` when blank) and
        ``source_row`` (the row number in the file, the header being row 1).

    Raises
    ------
    EventsValidationError
        Naming the file, row, column and value of every problem at once.
    """
    path = Path(path) if path is not None else KEY_EVENTS_FILE
    name = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise EventsValidationError([Problem(name, None, None, None, f"cannot be read: {exc.strerror}")]) from None
    except UnicodeDecodeError as exc:
        raise EventsValidationError(
            [Problem(name, None, None, None, f"is not UTF-8 text (byte {exc.start}); save it as UTF-8")]
        ) from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise EventsValidationError([Problem(name, None, None, None, f"cannot be parsed as CSV: {exc}")]) from None
    if not rows:
        raise EventsValidationError([Problem(name, None, None, None, "is empty; expected a header row")])
    header = [h.strip() for h in rows[0]]
    missing = [c for c in EVENT_REQUIRED if c not in header]
    if missing:
        raise EventsValidationError(
            [
                Problem(
                    name,
                    None,
                    None,
                    None,
                    f"missing column(s) {', '.join(missing)}; the header must have {', '.join(EVENT_COLUMNS)}",
                )
            ]
        )

    problems: list[Problem] = []
    out = []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            problems.append(
                Problem(
                    name,
                    number,
                    None,
                    ",".join(cells[len(header) :]),
                    "row has more cells than the header has columns (an unquoted comma?)",
                )
            )
            continue
        row = dict(zip(header, (c.strip() for c in cells)))
        row = {c: row.get(c, "") for c in EVENT_COLUMNS}
        before = len(problems)
        problems.extend(_event_problems(name, number, row))
        if len(problems) == before:
            out.append(row | {"source_row": number})
    if problems:
        raise EventsValidationError(problems)
    events = pd.DataFrame(out, columns=EVENT_COLUMNS + ["source_row"])
    events["date"] = pd.to_datetime(events["date"], format="%Y-%m-%d").astype("datetime64[ns]")
    events["source_row"] = events["source_row"].astype("int64")
    return events.sort_values(["date", "source_row"]).reset_index(drop=True)


# --------------------------------------------------------------------------- helpers


def _window(start, end) -> tuple[date, date]:
    lo, hi = to_day(start, "start"), to_day(end, "end")
    if hi < lo:
        raise ProtestMapError(f"the window ends ({hi}) before it starts ({lo})")
    return lo, hi


def _with_city_id(records: pd.DataFrame) -> pd.DataFrame:
    """``records`` with ``_city_id`` as the reconciliation sees it (joined city_id first)."""
    city_id = records["city"].map(CITY_IDS)
    if "city_id" in records.columns:
        joined = records["city_id"].fillna("").replace("", np.nan)
        city_id = joined.fillna(city_id)
    return records.assign(_city_id=city_id.fillna(""))


def _ids_by_day(frame: pd.DataFrame, grid: pd.MultiIndex, lo: date, hi: date) -> pd.Series:
    """Space-separated record_ids of ``frame`` per (day, city) of ``grid`` that their period covers."""
    first = np.maximum(frame["period_start"].to_numpy("datetime64[D]"), np.datetime64(lo, "D"))
    last = np.minimum(frame["period_end"].to_numpy("datetime64[D]"), np.datetime64(hi, "D"))
    days = np.maximum((last - first).astype(np.int64) + 1, 0)  # each record's days in the window
    if not days.sum():
        return pd.Series("", index=grid)
    row = np.repeat(np.arange(len(frame)), days)
    step = np.arange(len(row)) - np.repeat(np.cumsum(days) - days, days)  # 0, 1, ... within each record
    ids = (
        pd.DataFrame(
            {
                "day": (first[row] + step).astype("datetime64[ns]"),
                "city_id": frame["_city_id"].to_numpy(dtype=object)[row],
                "record_id": frame["record_id"].to_numpy(dtype=object)[row],
            }
        )
        .sort_values("record_id", kind="stable")
        .groupby(["day", "city_id"])["record_id"]
        .agg(" ".join)
    )
    return ids.reindex(grid, fill_value="")


def _event_problems(name: str, row_number: int, row: dict) -> list[Problem]:
    problems = []

    def bad(column, expected):
        problems.append(Problem(name, row_number, column, row[column], expected))

    if not _DATE_RE.match(row["date"]):
        bad("date", "expected a date as YYYY-MM-DD")
    else:
        try:
            date.fromisoformat(row["date"])
        except ValueError:
            bad("date", "not a calendar date")
    if not row["label_en"]:
        bad("label_en", "an English label is required")
    if row["kind"] not in EVENT_KINDS:
        bad("kind", "expected one of " + ", ".join(EVENT_KINDS))
    urls = row["source_urls"].split()
    if not urls:
        bad("source_urls", "at least one source URL (http or https) is required")
    elif any(not _URL_RE.match(u) for u in urls):
        bad("source_urls", "expected http(s) URLs separated by spaces")
    for col in ("label_en", "label_ru", "label_kk", "notes"):
        if any(ch in row[col] for ch in "<>"):
            bad(col, "labels and notes are plain text: no '<' or '>'")
    return problems
