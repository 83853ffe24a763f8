"""Reconciliation rules on tiny synthetic frames: no double counting, honest ranges, reasons.

The last part checks the solver against an exhaustive search written from the rules
in geo/aggregate.py's docstring (not from the solver), on random claim sets.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.aggregate import Area, Reconciler, detained_range, parse_area
from geo.aggregate._claims import _day_number
from geo.aggregate._query import _Query
from geo.errors import ProtestMapError

COLS = [
    "record_id",
    "date",
    "period_start",
    "period_end",
    "city",
    "count_kind",
    "detained_low",
    "detained_high",
    "included_in",
    "contested_by",
    "event_type",
    "detained_text",
    "inferred",
]


def frame(rows, joined=None) -> pd.DataFrame:
    df = pd.DataFrame([r + ("",) * (len(COLS) - len(r)) for r in rows], columns=COLS)
    df["date"] = pd.to_datetime(df["date"])
    for c in ("period_start", "period_end"):
        df[c] = pd.to_datetime(df[c].replace("", None)).fillna(df["date"])
    for c in ("detained_low", "detained_high"):
        df[c] = pd.to_numeric(df[c].replace("", None)).astype("Int64")
    df["event_type"] = df["event_type"].replace("", "detention")
    if joined is not None:
        df["city_id"] = [joined.get(r, ("", ""))[0] for r in df["record_id"]]
        df["district_id"] = [joined.get(r, ("", ""))[1] for r in df["record_id"]]
        df["attribution"] = ["district" if joined.get(r, ("", ""))[1] else "city" for r in df["record_id"]]
    return df


def answer(rows, area="national", start=None, end=None, **kw):
    return detained_range(frame(rows, **kw), area=area, start=start, end=end)


def reasons(result) -> dict[str, str]:
    return {a.record_id: a.reason for a in result.alternatives}


# The June 2019 shape: national day totals inside a two-day total inside a five-day total,
# city episodes and a journalist inside them, and a contested city-level claim.
JUNE = [
    ("KZ-0609a", "2019-06-09", "", "", "national", "cumulative", 100, 100, "KZ-0609b"),
    ("KZ-0609b", "2019-06-09", "", "", "national", "cumulative", 500, 500, "KZ-0611"),
    ("ALA-0609", "2019-06-09", "", "", "Almaty", "incremental", 100, "", "KZ-0609b"),
    ("ALA-0609j", "2019-06-09", "", "", "Almaty", "incremental", 2, 2, "ALA-0609"),
    ("KZ-0610", "2019-06-11", "2019-06-10", "2019-06-10", "national", "cumulative", 200, 200, "KZ-0611"),
    ("ALA-0610aj", "2019-06-11", "2019-06-10", "2019-06-10", "Almaty", "cumulative", 200, 200, "KZ-0610", "KZ-0610"),
    ("ALA-0610", "2019-06-10", "", "", "Almaty", "incremental", 30, 100, "KZ-0610"),
    ("ALA-0610z", "2019-06-10", "", "", "Almaty", "incremental", 1, 100, "KZ-0610"),
    ("NQZ-0611", "2019-06-11", "2019-06-09", "2019-06-10", "Nur-Sultan", "partial", 200, "", "KZ-0611"),
    ("KZ-0611", "2019-06-11", "2019-06-09", "2019-06-10", "national", "cumulative", 700, 700, "KZ-0618"),
    ("ALA-0612", "2019-06-12", "", "", "Almaty", "incremental", 100, 150, "KZ-0618"),
    ("KZ-0612j", "2019-06-12", "2019-06-09", "2019-06-12", "national", "partial", 13, "", "KZ-0618"),
    ("KZ-0618", "2019-06-18", "2019-06-09", "2019-06-13", "national", "cumulative", 4000, 4000),
    ("KZ-0314s", "2019-06-12", "", "", "national", "snapshot", 766, 766),
]


@pytest.mark.parametrize(
    "area, start, end, low, high, basis",
    [
        # the seed report's figures: 500 on Sunday, 700 over Sunday and Monday, about 4,000 by Thursday
        ("national", "2019-06-09", "2019-06-09", 500, 500, ["KZ-0609b"]),
        ("national", "2019-06-09", "2019-06-10", 700, 700, ["KZ-0611"]),
        ("national", "2019-06-09", "2019-06-13", 4000, 4000, ["KZ-0618"]),
        # the city sums its own episodes; the journalist sits inside the square's count; the
        # national totals leave every city's high end open (its share of them is unknown)
        ("Almaty", "2019-06-09", "2019-06-09", 100, None, ["ALA-0609"]),
        ("Almaty", "2019-06-10", "2019-06-10", 31, None, ["ALA-0610", "ALA-0610z"]),
        ("Almaty", "2019-06-09", "2019-06-13", 231, None, ["ALA-0609", "ALA-0610", "ALA-0610z", "ALA-0612"]),
        # "200 moved out" is a part of the capital's detainees: a floor, never a closed total
        ("Nur-Sultan", "2019-06-09", "2019-06-13", 200, None, ["NQZ-0611"]),
        ("Astana", "2019-06-09", "2019-06-09", 0, None, []),
        # the 4,000 of 9-13 June is no floor for one day inside it, and leaves that day open
        ("national", "2019-06-12", "2019-06-12", 100, None, ["ALA-0612"]),
    ],
)
def test_june_2019_shape(area, start, end, low, high, basis):
    result = answer(JUNE, area, start, end)
    assert (result.detained_low, result.detained_high, result.basis) == (low, high, basis)


def test_alternatives_say_why():
    result = answer(JUNE, "national", "2019-06-09", "2019-06-10")
    why = reasons(result)
    assert why["KZ-0609b"] == "contained in KZ-0611, which is counted"
    assert why["ALA-0609j"] == "contained in KZ-0611, which is counted"
    assert why["NQZ-0611"] == "contained in KZ-0611, which is counted"
    assert why["ALA-0610aj"].startswith("contested by KZ-0610")
    # a total reaching beyond the window sets no floor; the 700 covers its part of the window
    assert why["KZ-0618"] == (
        "covers 2019-06-09..2019-06-13, which reaches beyond the window 2019-06-09..2019-06-10; KZ-0611 covers it"
    )
    assert why["KZ-0612j"].startswith("covers 2019-06-09..2019-06-12")
    assert set(why) == {r[0] for r in JUNE} - {"KZ-0611", "ALA-0612", "KZ-0314s"}
    assert result.to_dict()["from"] == "2019-06-09" and result.to_dict()["basis"] == ["KZ-0611"]


def test_snapshot_is_never_added():
    result = answer(JUNE, "national", "2019-06-12", "2019-06-12")
    assert (result.detained_low, result.detained_high) == (100, None)
    why = reasons(result)
    assert why["KZ-0314s"] == "people held at one moment (snapshot), not a count of detentions"
    assert why["KZ-0618"] == (
        "covers 2019-06-09..2019-06-13, which reaches beyond the window 2019-06-12..2019-06-12; the high end stays open"
    )


def test_national_is_at_least_the_sum_of_its_cities_and_shows_unallocated():
    rows = [
        ("KZ", "2020-06-06", "", "", "national", "cumulative", 53, 53),
        ("ALA-1", "2020-06-06", "", "", "Almaty", "incremental", 30, 30),
        ("ALA-2", "2020-06-06", "", "", "Almaty", "incremental", 12, 12),
        ("NQZ-1", "2020-06-06", "", "", "Nur-Sultan", "incremental", 10, 20),
        ("OTH", "2020-06-06", "", "", "other", "incremental", 5, 5),
    ]
    result = answer(rows, "national", "2020-06-06", "2020-06-06")
    # 30 + 12 + 10 + 5 = 57 > the ministry's 53: the floor follows the parts
    assert result.detained_low == 57
    assert result.basis == ["ALA-1", "ALA-2", "NQZ-1", "OTH"]
    assert result.detained_high == 67
    assert result.breakdown == {"almaty": 42, "astana": 10, "other": 5, "unallocated": 0}
    assert reasons(result)["KZ"].startswith("its parts (ALA-1, ALA-2, NQZ-1, OTH) add up to more")

    city = answer(rows, "Almaty", "2020-06-06", "2020-06-06")
    # the national figure is listed, never absorbed by the city; its Almaty part is unknown
    assert (city.detained_low, city.detained_high) == (42, None)
    assert reasons(city)["KZ"] == (
        "national figure that no source splits by area: unallocated here; the high end stays open"
    )
    alone = answer(rows[1:3], "Almaty", "2020-06-06", "2020-06-06")
    assert (alone.detained_low, alone.detained_high) == (42, 42)


def test_an_unbounded_figure_that_nothing_contains_leaves_the_high_end_open():
    rows = [
        # police said 53 nationwide, AFP "more than 100": at least 53, no upper figure
        ("KZ", "2020-06-08", "2020-06-06", "2020-06-06", "national", "cumulative", 53, ""),
        ("ALA-1", "2020-06-06", "", "", "Almaty", "incremental", 30, 30),
        ("NQZ-1", "2020-06-06", "", "", "Nur-Sultan", "incremental", 10, 20),
    ]
    result = answer(rows, "national", "2020-06-06", "2020-06-06")
    assert (result.detained_low, result.detained_high) == (53, None)
    rows[0] = rows[0][:7] + (60,)
    result = answer(rows, "national", "2020-06-06", "2020-06-06")
    assert (result.detained_low, result.detained_high) == (53, 60)


def test_unallocated_national_remainder():
    rows = [
        ("KZ", "2019-06-09", "", "", "national", "cumulative", 500, 500),
        ("ALA", "2019-06-09", "", "", "Almaty", "incremental", 100, None, "KZ"),
    ]
    result = answer(rows, "national", "2019-06-09", "2019-06-09")
    assert result.breakdown == {"almaty": 100, "astana": 0, "other": 0, "unallocated": 400}


def test_incremental_chain_counts_once_and_parts_can_exceed_the_whole():
    rows = [
        ("SQ", "2019-06-09", "", "", "Almaty", "incremental", 10, 10),
        ("J1", "2019-06-09", "", "", "Almaty", "incremental", 6, 6, "SQ"),
        ("J2", "2019-06-09", "", "", "Almaty", "incremental", 7, 7, "SQ"),
        ("OTHER", "2019-06-09", "", "", "Almaty", "incremental", 3, 3),
    ]
    result = answer(rows, "Almaty", "2019-06-09", "2019-06-09")
    # SQ says 10 but its two parts say 13: the floor takes the parts, plus the separate episode
    assert (result.detained_low, result.basis) == (16, ["J1", "J2", "OTHER"])
    assert reasons(result)["SQ"] == "its parts (J1, J2) add up to more; counted instead"
    rows[2] = ("J2", "2019-06-09", "", "", "Almaty", "incremental", 2, 2, "SQ")
    result = answer(rows, "Almaty", "2019-06-09", "2019-06-09")
    assert (result.detained_low, result.basis) == (13, ["OTHER", "SQ"])
    assert reasons(result)["J1"] == "contained in SQ, which is counted"


def test_district_area_needs_joined_records_and_uses_only_district_points():
    rows = [
        ("A", "2019-06-09", "", "", "Almaty", "incremental", 10, 10),
        ("B", "2019-06-09", "", "", "Almaty", "incremental", 5, 8),
        ("C", "2019-06-09", "", "", "Almaty", "incremental", 4, 4),
    ]
    with pytest.raises(ProtestMapError, match="joined records"):
        answer(rows, "almaty/almaly")
    joined = {"A": ("almaty", "almaly"), "B": ("almaty", "medeu"), "C": ("almaty", "")}
    result = answer(rows, "almaly", joined=joined)
    # the city-level C may hold people of Almaly: the district's high end stays open
    assert (result.area, result.detained_low, result.detained_high, result.basis) == ("almaty/almaly", 10, None, ["A"])
    assert (
        reasons(result)["C"] == "city-level figure that no source splits by area: unallocated here; "
        "the high end stays open"
    )
    city = answer(rows, "Almaty", joined=joined)
    assert (city.detained_low, city.detained_high) == (19, 22)
    # the city-level record (C) is the remainder that no district holds
    assert city.breakdown == {"almaly": 10, "medeu": 5, "city_level": 4}
    medeu = answer(rows[1:2], "almaty/medeu", joined=joined)
    assert (medeu.detained_low, medeu.detained_high) == (5, 8)


def test_partial_overlap_is_not_double_counted():
    rows = [
        ("KZ-a", "2022-01-06", "2022-01-04", "2022-01-06", "national", "cumulative", 2298, 2298),
        ("KZ-b", "2022-01-07", "2022-01-04", "2022-01-07", "national", "cumulative", 3811, 3811),
        ("KZ-c", "2022-01-09", "2022-01-04", "2022-01-09", "national", "cumulative", 5135, 5800),
        ("ALA-x", "2022-01-12", "2022-01-05", "2022-01-12", "Almaty", "incremental", 1678, 1700),
    ]
    result = answer(rows, "national", "2022-01-04", "2022-01-12")
    # ALA-x runs past each running total and overlaps all of them: the larger 5,135 wins; the
    # days 10-12 January are then known only from ALA-x, which counts Almaty alone: open
    assert (result.detained_low, result.detained_high, result.basis) == (5135, 5800, ["KZ-c"])
    assert reasons(result)["ALA-x"] == "overlaps KZ-c, which give(s) the higher floor"


def test_open_window_and_errors():
    result = answer(JUNE)
    assert (result.start, result.end) == (date(2019, 6, 9), date(2019, 6, 13))
    assert result.detained_low == 4000
    with pytest.raises(ProtestMapError, match=r"ends .* before it starts"):
        answer(JUNE, start="2019-06-10", end="2019-06-09")
    with pytest.raises(ProtestMapError, match="YYYY-MM-DD"):
        answer(JUNE, start="10 June")
    with pytest.raises(ProtestMapError, match="unknown area 'Karaganda'"):
        parse_area("Karaganda")
    assert parse_area("Nur-Sultan") == Area("astana") == parse_area("astana")


# ---------------------------------------------------------------- rules of this issue


def test_detentions_without_a_number_leave_the_high_end_open_unless_a_total_covers_them():
    rows = [
        ("ALA-1", "2019-06-11", "", "", "Almaty", "", "", "", "", "", "detention", "several; a number of"),
        ("ALA-2", "2019-06-11", "", "", "Almaty", "incremental", 20, 20),
        ("ALA-r", "2019-06-11", "", "", "Almaty", "", "", "", "", "", "rally"),  # a rally is no detention
    ]
    result = answer(rows, "national", "2019-06-11", "2019-06-11")
    assert (result.detained_low, result.detained_high, result.basis) == (20, None, ["ALA-2"])
    alt = {a.record_id: a for a in result.alternatives}
    assert alt["ALA-1"].reason == "reported without a number ('several; a number of'); the high end stays open"
    assert (alt["ALA-1"].detained_low, alt["ALA-1"].detained_high) == (None, None)
    assert "ALA-r" not in alt
    # a closed total of the city and day covers it: closed again, and the reason names it
    covered = answer(
        rows + [("ALA-t", "2019-06-12", "2019-06-11", "2019-06-11", "Almaty", "cumulative", 50, 60)],
        "national",
        "2019-06-11",
        "2019-06-11",
    )
    assert (covered.detained_low, covered.detained_high) == (50, 60)
    assert reasons(covered)["ALA-1"] == "reported without a number ('several; a number of'); ALA-t covers it"
    # a total for the day of another city covers nothing here
    other = answer(
        rows + [("NQZ-t", "2019-06-11", "", "", "Nur-Sultan", "cumulative", 50, 60)],
        "national",
        "2019-06-11",
        "2019-06-11",
    )
    assert other.detained_high is None
    # and one it is included_in covers it, whatever its area
    linked = answer(
        [
            rows[0][:8] + ("KZ-t",) + rows[0][9:],
            rows[1],
            ("KZ-t", "2019-06-11", "", "", "national", "cumulative", 80, 90),
        ],
        "national",
        "2019-06-11",
        "2019-06-11",
    )
    assert (linked.detained_low, linked.detained_high) == (80, 90)


def test_a_figure_reaching_beyond_the_window_is_no_floor_and_leaves_it_open():
    rows = [
        (
            "KZ-run",
            "2022-01-12",
            "2022-01-02",
            "2022-01-12",
            "national",
            "cumulative",
            10000,
            12000,
            "",
            "",
            "",
            "",
            "period_start",
        ),
        ("ALA-12", "2022-01-12", "", "", "Almaty", "incremental", 1678, 1700, "KZ-run"),
    ]
    late = answer(rows, "national", "2022-01-04", "2022-01-31")
    assert (late.detained_low, late.detained_high, late.basis) == (1678, None, ["ALA-12"])
    # a window starting after the inferred first day says why it lost the national total
    assert reasons(late)["KZ-run"] == (
        "covers 2022-01-02..2022-01-12, which reaches beyond the window 2022-01-04..2022-01-31 "
        "(period_start inferred); the high end stays open"
    )
    assert late.notes == ["inferred, not stated by a source: KZ-run (period_start)"]
    whole = answer(rows, "national", "2022-01-02", "2022-01-31")
    assert (whole.detained_low, whole.detained_high, whole.basis) == (10000, 12000, ["KZ-run"])


def test_a_partial_count_is_a_floor_with_an_open_high():
    rows = [("NQZ-moved", "2019-06-11", "2019-06-09", "2019-06-10", "Nur-Sultan", "partial", 200, 200)]
    result = answer(rows, "Nur-Sultan", "2019-06-09", "2019-06-10")
    assert (result.detained_low, result.detained_high, result.basis) == (200, None, ["NQZ-moved"])
    # it contains nothing: an episode in its cell is set against it, not inside it
    rows.append(("NQZ-ep", "2019-06-10", "", "", "Nur-Sultan", "incremental", 250, 250))
    result = answer(rows, "Nur-Sultan", "2019-06-09", "2019-06-10")
    assert (result.detained_low, result.basis) == (250, ["NQZ-ep"])
    assert reasons(result)["NQZ-moved"] == (
        "counts part of those detained in its cell; what is counted there (NQZ-ep) gives more"
    )
    # a closed total over it covers it
    rows.append(("KZ", "2019-06-11", "2019-06-09", "2019-06-10", "national", "cumulative", 700, 700))
    nat = answer(rows, "national", "2019-06-09", "2019-06-10")
    assert (nat.detained_low, nat.detained_high, nat.basis) == (700, 700, ["KZ"])


@pytest.mark.parametrize("capital", ["Astana", "Nur-Sultan"])
def test_the_capitals_names_are_one_city(capital):
    rows = [
        ("NQZ-t", "2019-03-21", "", "", "Nur-Sultan", "cumulative", 30, 30),
        ("NQZ-e", "2019-03-21", "", "", capital, "incremental", 12, 20, "NQZ-t"),
        ("NQZ-f", "2019-03-21", "", "", capital, "incremental", 25, 25),
    ]
    for area in ("Astana", "Nur-Sultan", "astana"):
        result = answer(rows, area, "2019-03-21", "2019-03-21")
        assert (result.area, result.detained_low, result.detained_high, result.basis) == (
            "astana",
            37,
            45,
            ["NQZ-e", "NQZ-f"],
        )


def test_included_in_across_the_rename_is_accepted_by_the_loader(tmp_path):
    from geo.records import read_records

    path = tmp_path / "renamed.csv"
    path.write_text(
        "record_id,date,city,event_type,detained_low,detained_high,count_kind,included_in,source_urls\n"
        "NQZ-a,2019-06-09,Nur-Sultan,official_statement,500,500,cumulative,,https://example.org/a\n"
        "NQZ-b,2019-06-09,Astana,detention,20,20,incremental,NQZ-a,https://example.org/b\n"
        "ALA-c,2019-06-09,Almaty,detention,5,5,incremental,NQZ-a,https://example.org/c\n",
        encoding="utf-8",
    )
    result = read_records(path)
    assert [(p.row, p.column) for p in result.problems] == [(4, "included_in")]  # another city, refused
    assert result.records["record_id"].tolist() == ["NQZ-a", "NQZ-b"]


def test_many_cumulative_figures_are_solved_exactly():
    # 30 daily national totals of 47 against one total of 1,210 over the 30 days: the
    # greedy choice (the largest figure first) says 1,210; the best is 30 x 47 = 1,410
    start = date(2022, 1, 1)
    rows = [
        (f"KZ-{d:02d}", (start + timedelta(days=d)).isoformat(), "", "", "national", "cumulative", 47, 47)
        for d in range(30)
    ]
    rows.append(("KZ-all", "2022-01-30", "2022-01-01", "2022-01-30", "national", "cumulative", 1210, 1210))
    result = answer(rows, "national", "2022-01-01", "2022-01-30")
    assert (result.detained_low, result.detained_high) == (1410, 1410)
    assert len(result.basis) == 30 and reasons(result)["KZ-all"].startswith("its parts (KZ-00, KZ-01")
    # 400 totals (daily ones, weekly ones over them, monthly ones over those) and city episodes:
    # no crash, and the value a hand count gives: per week the larger of the week's total and
    # its days, each day the larger of its total and its episodes
    rows, expected = [], 0
    for week in range(50):
        days = []
        for d in range(7):
            day = (start + timedelta(days=7 * week + d)).isoformat()
            total = 10 + (week * 7 + d) % 13
            episodes = [
                (f"ALA-{week}-{d}-{k}", day, "", "", "Almaty", "incremental", 3 + k, 3 + k)
                for k in range((week + d) % 4)
            ]
            rows.append((f"KZ-{week}-{d}", day, "", "", "national", "cumulative", total, total))
            rows += episodes
            days.append(max(total, sum(e[6] for e in episodes)))
        week_total = 60 + week % 50
        first, last = (start + timedelta(days=7 * week)).isoformat(), (start + timedelta(days=7 * week + 6))
        rows.append(
            (f"KZ-w{week}", last.isoformat(), first, last.isoformat(), "national", "cumulative", week_total, week_total)
        )
        expected += max(week_total, sum(days))
    result = answer(rows, "national", start.isoformat(), (start + timedelta(days=349)).isoformat())
    assert result.detained_low == expected
    assert result.detained_high == expected  # every figure is closed


def test_a_city_level_episode_against_district_totals():
    joined = {
        "CITY": ("almaty", ""),
        "K1": ("almaty", "a1"),
        "K2": ("almaty", "a2"),
        "D1": ("almaty", "a1"),
        "D2": ("almaty", "a2"),
    }
    rows = [
        ("CITY", "2019-06-10", "", "", "Almaty", "incremental", 10, 10),
        ("K1", "2019-06-10", "", "", "Almaty", "incremental", 6, 6, "CITY"),
        ("K2", "2019-06-10", "", "", "Almaty", "incremental", 7, 7, "CITY"),
        ("D1", "2019-06-10", "", "", "Almaty", "cumulative", 50, 50),
    ]
    # Almalinsky's total may hold the city-level episode and K1, not K2 of another district
    result = answer(rows, "Almaty", joined=joined)
    assert (result.detained_low, result.basis) == (57, ["D1", "K2"])
    why = reasons(result)
    assert why["K1"] == "contained in D1, which is counted"
    assert why["CITY"] == "overlaps D1, which give(s) the higher floor"
    # a city-level episode larger than the districts' totals of its day is counted whole
    rows = [
        ("CITY", "2019-06-10", "", "", "Almaty", "incremental", 100, 100),
        ("D1", "2019-06-10", "", "", "Almaty", "cumulative", 30, 30),
        ("D2", "2019-06-10", "", "", "Almaty", "cumulative", 40, 40),
        ("D2b", "2019-06-11", "2019-06-10", "2019-06-11", "Almaty", "cumulative", 45, 45),
        ("K2", "2019-06-11", "", "", "Almaty", "incremental", 7, 7),
    ]
    joined |= {"D2b": ("almaty", "a2")}
    result = answer(rows, "Almaty", joined=joined)
    assert (result.detained_low, result.basis) == (107, ["CITY", "K2"])


def test_areas_are_checked_against_the_boundaries(boundary_files, write_boundary_folder):
    from geo.boundaries import load_boundaries

    bset = load_boundaries(write_boundary_folder(boundary_files))
    rows = [("A", "2019-06-09", "", "", "Almaty", "incremental", 10, 10)]
    joined = frame(rows, joined={"A": ("almaty", "almaly")})
    # a district with no records is known from the boundaries, and answers 0
    medeu = detained_range(joined, area="almaty/medeu", start="2019-06-09", end="2019-06-09", boundaries=bset)
    assert (medeu.area, medeu.detained_low, medeu.detained_high) == ("almaty/medeu", 0, 0)
    assert detained_range(joined, area="medeu", boundaries=bset).area == "almaty/medeu"
    with pytest.raises(ProtestMapError, match="unknown district 'nosuch' of astana"):
        detained_range(joined, area="astana/nosuch", boundaries=bset)
    with pytest.raises(ProtestMapError, match=r"unknown district 'nosuch' of astana.*give the boundaries"):
        detained_range(joined, area="astana/nosuch")
    # Nura was cut from Yesil in December 2022: it did not exist in 2019
    with pytest.raises(
        ProtestMapError,
        match=r"'nura' of astana did not exist on 2019-06-09\.\.2019-06-13: "
        r"its boundaries are in force from 2022-12-01",
    ):
        detained_range(joined, area="astana/nura", start="2019-06-09", end="2019-06-13", boundaries=bset)
    partly = detained_range(joined, area="astana/nura", start="2022-11-01", end="2022-12-31", boundaries=bset)
    assert partly.notes == [
        "district nura existed on 2022-12-01..2022-12-31 only, within the window 2022-11-01..2022-12-31"
    ]


def test_reasons_name_the_rule_applied():
    rows = [
        ("KZ-j", "2019-06-12", "2019-06-09", "2019-06-12", "national", "partial", 13, ""),
        ("ALA-j", "2019-06-09", "", "", "Almaty", "incremental", 1, 1),
        ("ALA-k", "2019-06-10", "", "", "Almaty", "incremental", 1, 1),
    ]
    result = answer(rows, "national", "2019-06-09", "2019-06-12")
    # 13 journalists set against the two it may include: never "contained in" a partial count
    assert (result.detained_low, result.detained_high, result.basis) == (13, None, ["KZ-j"])
    assert reasons(result) == {
        "ALA-j": "overlaps KZ-j, which give(s) the higher floor",
        "ALA-k": "overlaps KZ-j, which give(s) the higher floor",
    }


def test_many_plain_episode_counts_and_the_totals_that_contain_them():
    """Thousands of plain episode counts go through arrays; the answer is the same rules'."""
    n = 3000
    rows = [
        (f"E{i}", f"2022-01-0{4 + i % 3}", "", "", "Almaty" if i % 2 else "Nur-Sultan", "incremental", 1 + i % 5, "")
        for i in range(n)
    ]
    sum_all = sum(1 + i % 5 for i in range(n))  # 9,000
    rows += [
        ("KZ-a", "2022-01-06", "2022-01-04", "2022-01-06", "national", "cumulative", 5000, 5000),
        ("KZ-b", "2022-01-10", "2022-01-04", "2022-01-10", "national", "cumulative", 12000, 12000),
        ("CHAIN", "2022-01-05", "", "", "Almaty", "incremental", 7, 7, "KZ-b"),
    ]
    df = frame(rows)
    short = detained_range(df, area="national", start="2022-01-04", end="2022-01-06")
    # the episodes (9,007 with CHAIN) beat the 5,000 running total that contains them
    assert (short.detained_low, short.detained_high) == (sum_all + 7, None)
    assert len(short.basis) == n + 1
    assert reasons(short)["KZ-a"].startswith("its parts (CHAIN, E0,")
    long = detained_range(df, area="national", start="2022-01-04", end="2022-01-10")
    assert (long.detained_low, long.detained_high, long.basis) == (12000, 12000, ["KZ-b"])
    why = reasons(long)
    assert why["E0"] == why["E2999"] == "contained in KZ-b, which is counted"
    assert len(why) == n + 2
    almaty = detained_range(df, area="Almaty", start="2022-01-04", end="2022-01-10")
    assert almaty.detained_low == sum(1 + i % 5 for i in range(1, n, 2)) + 7


def test_one_reconciler_answers_like_detained_range():
    df = frame(JUNE)
    reconcile = Reconciler(df)
    for area, start, end in [
        ("national", "2019-06-09", "2019-06-10"),
        ("Almaty", "2019-06-09", "2019-06-13"),
        ("astana", "2019-06-12", "2019-06-12"),
    ]:
        ours = reconcile.range(area, start=start, end=end)
        theirs = detained_range(df, area=area, start=start, end=end)
        assert ours.to_dict() == theirs.to_dict()
    days = reconcile.each_day(("almaty", "astana"), "2019-06-08", "2019-06-13")
    for (day, city), result in days.items():
        assert result.to_dict() == detained_range(df, area=city, start=day, end=day, breakdown=False).to_dict()


# ---------------------------------------------------------------- properties
#
# Random claim sets, checked against an exhaustive search written from the rules in
# geo/aggregate.py's docstring.  Areas: the country (city ""), Almaty with districts a1
# and a2, the capital (filed as Astana or Nur-Sultan) with district n1; days 0..4.

_AREAS = [("national", ""), ("Almaty", ""), ("Almaty", "a1"), ("Almaty", "a2"), ("capital", ""), ("capital", "n1")]
_CITY_ID = {"national": None, "Almaty": "almaty", "capital": "astana"}


def _holds(outer, inner) -> bool:
    """Does area ``outer`` (city, district) contain area ``inner``?"""
    if outer[0] == "national":
        return True
    return outer[0] == inner[0] and (outer[1] == "" or outer[1] == inner[1])


@st.composite
def claim_sets(draw, max_size=12, coupled=False):
    """Random records; ``coupled``: totals of districts beside episodes known only to a city or the
    country (the case where the solver's zone days matter)."""
    n = draw(st.integers(min_value=1, max_value=max_size))
    rows = []
    for i in range(n):
        kind = draw(st.sampled_from(["incremental", "incremental", "cumulative", "partial", "snapshot", "none"]))
        if coupled:
            area = draw(
                st.sampled_from(
                    [a for a in _AREAS if a[1]]
                    if kind in ("cumulative", "partial")
                    else _AREAS[:2] + _AREAS[4:5] + _AREAS[2:3]
                )
            )
        else:
            area = draw(st.sampled_from(_AREAS))
        s = draw(st.integers(0, 4))
        e = s + draw(st.sampled_from([0, 0, 0, 1, 2]))
        low = draw(st.integers(0, 60))
        high = draw(st.one_of(st.none(), st.integers(low, low + 40)))
        # a record sits only inside an earlier one of its city (or the country) whose area and
        # days contain its own, as the loader requires
        fits = [
            r["id"]
            for r in rows
            if r["kind"] not in ("snapshot", "none") and _holds(r["area"], area) and r["s"] <= s and e <= r["e"]
        ]
        parent = draw(st.sampled_from([None] + fits))
        contested = draw(st.sampled_from([None, None, None, *[r["id"] for r in rows]]))
        rows.append(
            {
                "id": f"R{i:02d}",
                "kind": kind,
                "area": area,
                "s": s,
                "e": e,
                "low": None if kind == "none" else low,
                "high": None if kind == "none" else high,
                "parent": parent,
                "contested": contested,
            }
        )
    return rows


def _frame_of(rows, capital="Nur-Sultan", shuffle=None) -> pd.DataFrame:
    day0 = date(2019, 6, 9)
    records = []
    for r in rows:
        city = capital if r["area"][0] == "capital" else r["area"][0]
        records.append(
            {
                "record_id": r["id"],
                "date": day0 + timedelta(days=r["e"]),
                "period_start": day0 + timedelta(days=r["s"]),
                "period_end": day0 + timedelta(days=r["e"]),
                "city": city,
                "event_type": "detention",
                "count_kind": "" if r["kind"] == "none" else r["kind"],
                "detained_low": r["low"],
                "detained_high": r["high"],
                "included_in": r["parent"] or "",
                "contested_by": r["contested"] or "",
                "city_id": _CITY_ID[r["area"][0]] or "",
                "district_id": r["area"][1],
                "attribution": "district" if r["area"][1] else "city",
            }
        )
    df = pd.DataFrame(records)
    for c in ("date", "period_start", "period_end"):
        df[c] = pd.to_datetime(df[c])
    for c in ("detained_low", "detained_high"):
        df[c] = pd.array(df[c].tolist(), dtype="Int64")
    if shuffle is not None:
        df = df.sample(frac=1, random_state=shuffle).reset_index(drop=True)
    return df


def _exhaustive(rows, asked, lo, hi):
    """(floor, high or None) by the rules, searching every set of claims."""
    by_id = {r["id"]: r for r in rows}

    def ancestors(r):
        out, p = [], r["parent"]
        while p:
            out.append(p)
            p = by_id[p]["parent"]
        return out

    def meets(a, b):
        nest = _holds(a["area"], b["area"]) or _holds(b["area"], a["area"])
        return nest and a["s"] <= b["e"] and b["s"] <= a["e"]

    def total(r):
        return r["kind"] in ("cumulative", "partial") or r["s"] != r["e"]

    def share(a, b):  # may they share people?
        if a["id"] in ancestors(b) or b["id"] in ancestors(a):
            return True
        return (total(a) or total(b)) and meets(a, b)

    inside = {"area": asked, "s": lo, "e": hi}
    scope = [
        r
        for r in rows
        if r["kind"] in ("incremental", "cumulative", "partial")
        and _holds(asked, r["area"])
        and lo <= r["s"]
        and r["e"] <= hi
    ]

    def best(items, weight):
        # maximum-weight set with no two sharing people: branch on the first item
        if not items:
            return (0, 0)
        first, rest = items[0], items[1:]
        without = best(rest, weight)
        w = weight(first)
        if w is None:
            return without
        taken = best([x for x in rest if not share(first, x)], weight)
        taken = (taken[0] + w[0], taken[1] + w[1])
        return max(without, taken)

    floor = best(scope, lambda r: None if r["contested"] else (r["low"], 0))[0]
    high, opens = best(
        scope,
        lambda r: (r["low"] if r["high"] is None else r["high"], int(r["high"] is None or r["kind"] == "partial")),
    )
    # rule 5: what in the cell is unknown, and whether a closed total covers it
    unknown = [r for r in scope if r["high"] is None or r["kind"] == "partial"]
    unknown += [
        r
        for r in rows
        if r not in scope
        and meets(r, inside)
        and (r["kind"] == "none" or r["kind"] in ("incremental", "cumulative", "partial"))
    ]

    def covered(r):
        part = {"area": r["area"] if _holds(asked, r["area"]) else asked, "s": max(r["s"], lo), "e": min(r["e"], hi)}
        for t in scope:
            if (
                t["kind"] == "cumulative"
                and t["high"] is not None
                and not t["contested"]
                and _holds(t["area"], part["area"])
                and t["s"] <= part["s"]
                and part["e"] <= t["e"]
            ):
                return True
        return any(
            by_id[a] in scope and by_id[a]["high"] is not None and not by_id[a]["contested"] for a in ancestors(r)
        )

    open_ended = opens > 0 or not all(covered(r) for r in unknown)
    return floor, None if open_ended else max(high, floor)


def _asked(area) -> tuple[str, tuple]:
    text = {"national": "national", "Almaty": "almaty", "capital": "astana"}[area[0]]
    return (text + "/" + area[1]) if area[1] else text, area


@settings(max_examples=300, deadline=None)
@given(claim_sets(), st.sampled_from(_AREAS), st.integers(0, 4), st.integers(0, 4))
def test_the_solver_finds_what_an_exhaustive_search_finds(rows, area, a, b):
    lo, hi = min(a, b), max(a, b)
    text, asked = _asked(area)
    got = (
        detained_range(
            _frame_of(rows),
            area=text,
            start=date(2019, 6, 9) + timedelta(days=lo),
            end=date(2019, 6, 9) + timedelta(days=hi),
            breakdown=False,
        )
        if area[1] == "" or area[1] in {r["area"][1] for r in rows}
        else None
    )
    if got is None:  # a district without records: nothing to check here (see the boundary test)
        return
    assert (got.detained_low, got.detained_high) == _exhaustive(rows, asked, lo, hi)


@settings(max_examples=300, deadline=None)
@given(claim_sets(coupled=True), st.sampled_from(_AREAS[:2]), st.integers(0, 4), st.integers(0, 4))
def test_the_solver_finds_what_an_exhaustive_search_finds_with_district_totals(rows, area, a, b):
    lo, hi = min(a, b), max(a, b)
    text, asked = _asked(area)
    got = detained_range(
        _frame_of(rows),
        area=text,
        start=date(2019, 6, 9) + timedelta(days=lo),
        end=date(2019, 6, 9) + timedelta(days=hi),
        breakdown=False,
    )
    assert (got.detained_low, got.detained_high) == _exhaustive(rows, asked, lo, hi)


@settings(max_examples=150, deadline=None)
@given(claim_sets(), st.sampled_from(_AREAS[:2] + _AREAS[4:5]), st.integers(0, 100))
def test_properties_of_the_answer(rows, area, seed):
    text, asked = _asked(area)
    window = {"start": "2019-06-09", "end": "2019-06-13"}
    base = detained_range(_frame_of(rows), area=text, **window)
    # low <= high
    assert base.detained_high is None or base.detained_low <= base.detained_high
    # the same whatever the row order and whichever name the capital is filed under
    for other in (
        detained_range(_frame_of(rows, shuffle=seed), area=text, **window),
        detained_range(_frame_of(rows, capital="Astana"), area=text, **window),
    ):
        assert (other.detained_low, other.detained_high, other.basis, other.high_basis) == (
            base.detained_low,
            base.detained_high,
            base.basis,
            base.high_basis,
        )
        assert sorted(map(tuple, map(vars, other.alternatives))) == sorted(map(tuple, map(vars, base.alternatives)))
    # every record in scope is in the floor or listed with a reason
    in_scope = {
        r["id"] for r in rows if r["kind"] in ("incremental", "cumulative", "partial") and _holds(asked, r["area"])
    }
    assert in_scope <= set(base.basis) | {a.record_id for a in base.alternatives}
    assert not set(base.basis) & {a.record_id for a in base.alternatives}
    # a record inside a counted one never lowers the floor
    counted = [r for r in rows if r["id"] in base.basis]
    if counted:
        host = counted[0]
        extra = dict(
            host,
            id="ZZ",
            parent=host["id"],
            contested=None,
            kind="incremental",
            e=host["s"],
            low=host["low"],
            high=host["high"],
        )
        more = detained_range(_frame_of(rows + [extra]), area=text, **window)
        assert more.detained_low >= base.detained_low
    # a detention without a number in scope that nothing covers leaves the high end open
    loose = {
        "id": "ZU",
        "kind": "none",
        "area": asked,
        "s": 2,
        "e": 2,
        "low": None,
        "high": None,
        "parent": None,
        "contested": None,
    }
    opened = detained_range(_frame_of(rows + [loose]), area=text, **window)
    closed_total = [
        r
        for r in rows
        if r["kind"] == "cumulative"
        and r["high"] is not None
        and not r["contested"]
        and _holds(r["area"], asked)
        and _holds(asked, r["area"])
        and r["s"] <= 2 <= r["e"]
    ]
    if not closed_total:
        assert opened.detained_high is None


@settings(max_examples=200, deadline=None)
@given(claim_sets(), st.sampled_from(_AREAS[:2] + _AREAS[4:5]), st.integers(0, 4))
def test_a_day_of_unlinked_one_day_episodes_is_summed_as_the_exhaustive_search_finds(rows, area, day):
    """The solver's short path (nothing can block anything): every counted episode, once."""
    kept = [dict(r, e=r["s"], parent=None) for r in rows if r["kind"] in ("incremental", "snapshot", "none")]
    if not kept:
        return
    ids = {r["id"] for r in kept}
    kept = [dict(r, contested=r["contested"] if r["contested"] in ids else None) for r in kept]
    text, asked = _asked(area)
    on = date(2019, 6, 9) + timedelta(days=day)
    df = _frame_of(kept)
    got = detained_range(df, area=text, start=on, end=on, breakdown=False)
    assert (got.detained_low, got.detained_high) == _exhaustive(kept, asked, day, day)
    counted = sorted(
        r["id"]
        for r in kept
        if r["kind"] == "incremental" and not r["contested"] and r["s"] == day and _holds(asked, r["area"])
    )
    assert got.basis == counted
    query = _Query(Reconciler(df)._claims, Area(_CITY_ID[asked[0]]), _day_number(on), _day_number(on))
    assert query.pass_("floor").simple and query.pass_("high").simple


def test_an_exhaustive_check_with_twelve_totals():
    """The largest sets the exhaustive search is run on: twelve totals and a few episodes."""
    rng = random.Random(7)
    for trial in range(20):
        rows = []
        for i in range(16):
            kind = "cumulative" if i < 12 else "incremental"
            area = rng.choice(_AREAS)
            s = rng.randint(0, 4)
            e = min(4, s + (rng.randint(0, 2) if kind == "cumulative" else 0))
            low = rng.randint(1, 60)
            rows.append(
                {
                    "id": f"R{i:02d}",
                    "kind": kind,
                    "area": area,
                    "s": s,
                    "e": e,
                    "low": low,
                    "high": low + rng.randint(0, 30),
                    "parent": None,
                    "contested": None,
                }
            )
        got = detained_range(_frame_of(rows), area="national", start="2019-06-09", end="2019-06-13")
        assert (got.detained_low, got.detained_high) == _exhaustive(rows, ("national", ""), 0, 4), trial


@pytest.mark.parametrize("window", [("2019-06-09", "2019-06-10"), ("2019-06-09", "2019-06-13")])
def test_the_first_alternatives_are_the_beginning_of_the_whole_list(window):
    """A page lists the first alternatives only, and only those are made: they begin the whole list."""
    # JUNE's figures and many reported without a number (listed last), with plain episodes beside them
    rows = JUNE + [(f"U{i:03d}", "2019-06-10", "", "", "Almaty", "incremental", "", "") for i in range(40)]
    rows += [(f"E{i:03d}", "2019-06-09", "", "", "Nur-Sultan", "incremental", 1 + i % 3, "") for i in range(30)]
    whole = answer(rows, "national", *window).to_dict()
    total = whole["alternatives_total"]
    assert total == len(whole["alternatives"]) > 70
    assert {a["reason"].split(";")[0] for a in whole["alternatives"]} >= {"reported without a number"}
    for limit in (0, 1, 5, 29, 30, 31, total - 41, total - 40, total - 1, total, total + 5):
        first = answer(rows, "national", *window).to_dict(alternatives=limit)
        assert first["alternatives"] == whole["alternatives"][:limit], limit
        assert first["alternatives_total"] == total
        assert {k: v for k, v in first.items() if k != "alternatives"} == {
            k: v for k, v in whole.items() if k != "alternatives"
        }
