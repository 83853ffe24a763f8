"""geo.series: daily reconciled ranges, national running totals, hours, key events.

Unit tests on tiny synthetic frames (validated through geo.records.validate_frame),
then the embedded dataset with exact values.
"""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

from geo import schema
from geo.aggregate import detained_range
from geo.errors import ProtestMapError
from geo.records import load_embedded_records, validate_frame
from geo.series import (
    DAILY_COLUMNS,
    HOUR_COLUMNS,
    NATIONAL_COLUMNS,
    EventsValidationError,
    daily_ranges,
    hour_of_day,
    load_key_events,
    national_cumulative,
)

URL = "https://example.org/a"


def records_from(rows: list[dict]) -> pd.DataFrame:
    """Validated records from a few rows of text cells (blank columns filled in)."""
    raw = pd.DataFrame([dict.fromkeys(schema.COLUMNS, "") | {"source_urls": URL} | r for r in rows], dtype=str)
    result = validate_frame(raw, "synthetic.csv")
    assert result.problems == []
    return result.records


@pytest.fixture(scope="module")
def embedded() -> pd.DataFrame:
    return load_embedded_records()


# --------------------------------------------------------------------------- daily_ranges, synthetic


@pytest.fixture
def small() -> pd.DataFrame:
    return records_from(
        [
            # Almaty, day 1: an episode of 10-20 with a journalist inside it, and another of at least 5
            {
                "record_id": "A1",
                "date": "2020-01-01",
                "city": "Almaty",
                "event_type": "detention",
                "detained_low": "10",
                "detained_high": "20",
                "count_kind": "incremental",
            },
            {
                "record_id": "A1j",
                "date": "2020-01-01",
                "city": "Almaty",
                "event_type": "journalist_detained",
                "detained_low": "1",
                "detained_high": "1",
                "count_kind": "incremental",
                "included_in": "A1",
            },
            {
                "record_id": "A2",
                "date": "2020-01-01",
                "city": "Almaty",
                "event_type": "detention",
                "detained_low": "5",
                "count_kind": "incremental",
            },
            # Astana, day 2: detentions reported without a number
            {"record_id": "N1", "date": "2020-01-02", "city": "Nur-Sultan", "event_type": "detention"},
            # Astana: a figure over days 2-3, not split by day
            {
                "record_id": "N2",
                "date": "2020-01-04",
                "period_start": "2020-01-02",
                "period_end": "2020-01-03",
                "city": "Nur-Sultan",
                "event_type": "official_statement",
                "detained_low": "40",
                "detained_high": "40",
                "count_kind": "cumulative",
            },
            # a national total of day 1: never in a city row, and no city's day 1 is closed by it
            {
                "record_id": "K1",
                "date": "2020-01-05",
                "period_start": "2020-01-01",
                "period_end": "2020-01-01",
                "city": "national",
                "event_type": "official_statement",
                "detained_low": "300",
                "detained_high": "300",
                "count_kind": "cumulative",
            },
            # a rally: no count, not a detention
            {"record_id": "A3", "date": "2020-01-03", "city": "Almaty", "event_type": "rally"},
        ]
    )


def test_daily_ranges_synthetic_whole_frame(small):
    got = daily_ranges(small, start="2020-01-01", end="2020-01-03")
    expected = pd.DataFrame(
        {
            "day": pd.to_datetime(["2020-01-01"] * 2 + ["2020-01-02"] * 2 + ["2020-01-03"] * 2).astype(
                "datetime64[ns]"
            ),
            "city_id": ["almaty", "astana"] * 3,
            "detained_low": [15, 0, 0, 0, 0, 0],
            "detained_high": pd.array([pd.NA, pd.NA, 0, pd.NA, 0, pd.NA], dtype="Int64"),
            "open_ended": [True, True, False, True, False, True],
            "basis": ["A1 A2", "", "", "", "", ""],
            "high_basis": ["A1 A2", "", "", "", "", ""],
            "uncounted": ["", "", "", "N1", "", ""],
            "spanning": ["", "", "", "N2", "", "N2"],
        }
    )
    expected["city_id"] = expected["city_id"].astype(got["city_id"].dtype)
    for col in ("basis", "high_basis", "uncounted", "spanning"):
        expected[col] = expected[col].astype(got[col].dtype)
    assert list(got.columns) == DAILY_COLUMNS
    pd.testing.assert_frame_equal(got, expected)


def test_daily_ranges_closed_day_and_one_city(small):
    rows = records_from(
        [
            {
                "record_id": "A1",
                "date": "2020-01-01",
                "city": "Almaty",
                "event_type": "detention",
                "detained_low": "10",
                "detained_high": "20",
                "count_kind": "incremental",
            },
        ]
    )
    got = daily_ranges(rows, cities=("almaty",), start=date(2020, 1, 1), end=date(2020, 1, 1))
    assert got[["detained_low", "detained_high", "open_ended", "basis"]].iloc[0].tolist() == [10, 20, False, "A1"]


def test_daily_ranges_equals_one_reconciliation_per_day_and_city(embedded):
    """Skipping empty days and slicing the records changes nothing the reconciliation says."""
    got = daily_ranges(embedded, start="2019-01-01", end="2022-12-31")
    assert len(got) == 2 * (date(2022, 12, 31) - date(2019, 1, 1)).days + 2
    # every day some record touches, the days either side, and a few empty days
    # (one reconciliation costs ~20 ms: the full four years would take a minute)
    near = set()
    for first, last in zip(embedded["period_start"], embedded["period_end"]):
        near.update(pd.date_range(first - pd.Timedelta(days=1), last + pd.Timedelta(days=1)))
    near.update(pd.to_datetime(["2019-01-01", "2020-08-15", "2021-05-05", "2022-12-31"]))
    checked = got[got["day"].isin(near)]
    assert 150 < len(checked) < 400
    for row in checked.itertuples():
        full = detained_range(embedded, area=row.city_id, start=row.day.date(), end=row.day.date(), breakdown=False)
        assert (row.detained_low, row.basis) == (full.detained_low, " ".join(full.basis)), row
        if full.open_ended:
            assert row.open_ended, row
        if not row.open_ended:
            assert row.detained_high == full.detained_high, row
        else:
            assert pd.isna(row.detained_high), row
        # a day is only ever opened by the reconciliation or by the records that say why
        assert row.open_ended == (full.open_ended or bool(row.uncounted) or bool(row.spanning)), row


def test_daily_ranges_rejects_bad_input(small):
    with pytest.raises(ProtestMapError, match="'bishkek'"):
        daily_ranges(small, cities=("bishkek",), start="2020-01-01", end="2020-01-02")
    with pytest.raises(ProtestMapError, match="before it starts"):
        daily_ranges(small, start="2020-01-02", end="2020-01-01")
    with pytest.raises(ProtestMapError, match="YYYY-MM-DD"):
        daily_ranges(small, start="1 Jan", end="2020-01-01")


# --------------------------------------------------------------------------- daily_ranges, real data


def _day(frame: pd.DataFrame, day: str, city: str) -> pd.Series:
    rows = frame[(frame["day"] == pd.Timestamp(day)) & (frame["city_id"] == city)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_daily_ranges_june_2019(embedded):
    daily = daily_ranges(embedded, start="2019-06-09", end="2019-06-13")
    assert len(daily) == 10

    # Election day, Almaty: "more than 100" at Astana Square; its parts add up to less.
    a9 = _day(daily, "2019-06-09", "almaty")
    assert (a9["detained_low"], a9["open_ended"], a9["basis"]) == (100, True, "ALA-20190609-02")
    assert pd.isna(a9["detained_high"])

    # 10 June, Almaty: 30-100 at the square + Zaitov (1-100); Al Jazeera's contested
    # "200 in Almaty" only raises the high end, and the ministry's 200 for both cities
    # that day leaves Almaty's share unknown: open.
    a10 = _day(daily, "2019-06-10", "almaty")
    assert (a10["detained_low"], a10["open_ended"]) == (31, True) and pd.isna(a10["detained_high"])
    assert a10["basis"] == "ALA-20190610-01 ALA-20190610-03"
    assert a10["high_basis"] == "ALA-20190611-03"

    # Nur-Sultan on 9 and 10 June: detentions without a number and the ~200 moved out over
    # both days: never drawn as a closed 1 or 0.
    n9 = _day(daily, "2019-06-09", "astana")
    assert (n9["detained_low"], n9["open_ended"], n9["uncounted"], n9["spanning"]) == (
        1,
        True,
        "NQZ-20190609-02",
        "NQZ-20190611-01",
    )
    n10 = _day(daily, "2019-06-10", "astana")
    assert (n10["detained_low"], n10["open_ended"], n10["uncounted"]) == (0, True, "NQZ-20190610-01")

    # The night march into 11 June: arrests, no number.
    a11 = _day(daily, "2019-06-11", "almaty")
    assert (a11["detained_low"], a11["open_ended"], a11["uncounted"]) == (0, True, "ALA-20190611-01")

    # 12 June: 100-150 at Astana Square, but the national 4,000 of 9-13 June holds an
    # unknown part of Almaty's 12 June: at least 100, never a closed 100-150.
    a12 = _day(daily, "2019-06-12", "almaty")
    assert (a12["detained_low"], a12["open_ended"]) == (100, True) and pd.isna(a12["detained_high"])
    n13 = _day(daily, "2019-06-13", "astana")
    assert (n13["detained_low"], n13["open_ended"]) == (7, True)

    # No national figure ever lands in a city row.
    used = " ".join(daily["basis"] + " " + daily["high_basis"]).split()
    assert used and not [rid for rid in used if rid.startswith("KZ-")]


def test_daily_ranges_almaty_12_january_2022(embedded):
    row = _day(daily_ranges(embedded, start="2022-01-12", end="2022-01-12"), "2022-01-12", "almaty")
    # about 1,700 more arrests that day; the national running totals leave the high end open
    assert (row["detained_low"], row["basis"], row["high_basis"]) == (1678, "ALA-20220112-01", "ALA-20220112-01")
    assert row["open_ended"] and pd.isna(row["detained_high"])


# --------------------------------------------------------------------------- national_cumulative


def test_national_cumulative_june_2019(embedded):
    nat = national_cumulative(embedded, start="2019-06-09", end="2019-06-13")
    assert list(nat.columns) == NATIONAL_COLUMNS
    got = [
        (
            r.record_id,
            r.period_start.date().isoformat(),
            r.period_end.date().isoformat(),
            r.detained_low,
            r.detained_high,
        )
        for r in nat.itertuples()
    ]
    assert got == [
        ("KZ-20190609-01", "2019-06-09", "2019-06-09", 100, 100),  # during voting, superseded
        ("KZ-20190609-02", "2019-06-09", "2019-06-09", 500, 500),
        ("KZ-20190611-01", "2019-06-09", "2019-06-10", 700, 700),
        ("KZ-20190611-03", "2019-06-10", "2019-06-10", 200, 200),
        ("KZ-20190618-01", "2019-06-09", "2019-06-13", 4000, 4000),
    ]
    assert nat["statement_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2019-06-09",
        "2019-06-09",
        "2019-06-11",
        "2019-06-11",
        "2019-06-18",
    ]
    ids = set(nat["record_id"])
    city_rows = set(embedded.loc[embedded["city"] != "national", "record_id"])
    assert not ids & city_rows
    # the 13 journalists (a subset of people) are not a running total of all detained
    assert "KZ-20190612-01" not in ids


def test_national_cumulative_needs_the_whole_period_in_the_window(embedded):
    nat = national_cumulative(embedded, start="2019-06-10", end="2019-06-10")
    assert nat["record_id"].tolist() == ["KZ-20190611-03"]
    jan = national_cumulative(embedded, start="2022-01-01", end="2022-03-31")
    # KZ-20220115-01 (about 2,000 "arrested for crimes") counts a part: not a running total
    assert jan["record_id"].tolist() == [
        "KZ-20220106-01",
        "KZ-20220107-01",
        "KZ-20220109-01",
        "KZ-20220110-01",
        "KZ-20220112-01",
    ]
    assert "KZ-20220314-01" not in set(jan["record_id"])  # a snapshot, never a total
    assert jan.loc[jan["record_id"] == "KZ-20220109-01", ["detained_low", "detained_high"]].iloc[0].tolist() == [
        5135,
        5800,
    ]


# --------------------------------------------------------------------------- hour_of_day


def test_hour_of_day_synthetic():
    rows = records_from(
        [
            {
                "record_id": "a",
                "date": "2020-01-01",
                "time_local": "11:05",
                "time_precision": "exact",
                "city": "Almaty",
                "event_type": "rally",
            },
            {
                "record_id": "b",
                "date": "2020-01-01",
                "time_local": "11:55",
                "time_precision": "range",
                "city": "Almaty",
                "event_type": "rally",
            },
            {
                "record_id": "c",
                "date": "2020-01-01",
                "time_local": "09:00",
                "time_precision": "day",
                "city": "Almaty",
                "event_type": "rally",
            },
            {
                "record_id": "d",
                "date": "2020-01-01",
                "time_local": "",
                "time_precision": "range",
                "city": "Almaty",
                "event_type": "rally",
            },
            {
                "record_id": "e",
                "date": "2020-01-01",
                "time_local": "23:10",
                "time_precision": "exact",
                "city": "Nur-Sultan",
                "event_type": "detention",
            },
            {
                "record_id": "f",
                "date": "2020-01-01",
                "time_local": "08:00",
                "time_precision": "exact",
                "city": "Astana",
                "event_type": "official_statement",
            },
        ]
    )
    got = hour_of_day(rows)
    expected = pd.DataFrame(
        {"hour": [11, 23], "event_type": ["rally", "detention"], "city_id": ["almaty", "astana"], "n": [2, 1]}
    )
    expected = expected.astype({c: got[c].dtype for c in HOUR_COLUMNS})
    pd.testing.assert_frame_equal(got, expected)
    with_statements = hour_of_day(rows, exclude=())
    assert with_statements.iloc[0].tolist() == [8, "official_statement", "astana", 1]


def test_hour_of_day_embedded(embedded):
    hours = hour_of_day(embedded)
    assert list(hours.columns) == HOUR_COLUMNS
    counts = {(r.hour, r.event_type, r.city_id): r.n for r in hours.itertuples()}
    assert counts == {
        (11, "detention", "almaty"): 3,
        (11, "rally", "almaty"): 1,
        (12, "journalist_detained", "almaty"): 1,
        (13, "detention", "astana"): 1,
        (13, "rally", "almaty"): 1,
        (14, "detention", "astana"): 1,
        (15, "rally", "almaty"): 1,
        (16, "rally", "almaty"): 1,
        (19, "detention", "almaty"): 2,
        (19, "police_violence", "almaty"): 1,
        (22, "rally", "almaty"): 1,
    }
    timed = embedded[
        embedded["time_precision"].isin(["exact", "range"])
        & (embedded["time_local"] != "")
        & (embedded["event_type"] != "official_statement")
    ]
    assert hours["n"].sum() == len(timed)


# --------------------------------------------------------------------------- key events


def test_key_events_file(embedded):
    events = load_key_events()
    assert events["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2019-06-09",
        "2019-06-10",
        "2019-06-12",
        "2022-01-02",
        "2022-01-04",
        "2022-01-05",
    ]
    assert "Zaitov" in events.loc[1, "label_en"]
    assert "inauguration" in events.loc[2, "label_en"]
    assert (events["label_ru"] != "").all()
    known = set(embedded["record_id"])
    dataset_urls = set(" ".join(embedded["source_urls"]).split())
    for row in events.itertuples():
        cited = re.findall(r"\b(?:ALA|NQZ|KZ)-\d{8}-\d{2}\b", row.notes)
        assert cited, f"row {row.source_row}: notes cite no record_id"
        assert set(cited) <= known, f"row {row.source_row}: unknown record(s) {set(cited) - known}"
        # every URL is a source of the dataset, not one added from elsewhere
        assert set(row.source_urls.split()) <= dataset_urls, row.source_row


def test_key_events_report_every_bad_row(tmp_path):
    bad = tmp_path / "events.csv"
    bad.write_text(
        "date,label_en,label_ru,label_kk,kind,source_urls,notes\n"
        "2019-06-09,Election,,,election,https://example.org/x,ok\n"
        "9 June 2019,Bad date,,,election,https://example.org/x,\n"
        "2019-06-10,,,,protest,https://example.org/x,\n"
        "2019-06-11,Odd kind,,,party,https://example.org/x,\n"
        "2019-06-12,No link,,,protest,javascript:alert(1),\n"
        "2019-06-13,<b>x</b>,,,protest,https://example.org/x,\n",
        encoding="utf-8",
    )
    with pytest.raises(EventsValidationError) as info:
        load_key_events(bad)
    message = str(info.value)
    assert [(p.row, p.column, p.value) for p in info.value.problems] == [
        (3, "date", "9 June 2019"),
        (4, "label_en", ""),
        (5, "kind", "party"),
        (6, "source_urls", "javascript:alert(1)"),
        (7, "label_en", "<b>x</b>"),
    ]
    assert f"{bad}, row 3, column 'date': value '9 June 2019'" in message
    assert "expected one of election, protest, detention, official, unrest" in message


def test_key_events_missing_file_and_columns(tmp_path):
    with pytest.raises(EventsValidationError, match="cannot be read"):
        load_key_events(tmp_path / "none.csv")
    path = tmp_path / "events.csv"
    path.write_text("date,label\n2019-06-09,x\n", encoding="utf-8")
    with pytest.raises(EventsValidationError, match="missing column"):
        load_key_events(path)
