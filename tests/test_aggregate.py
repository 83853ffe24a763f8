"""Reconciliation rules on tiny synthetic frames: no double counting, ranges, alternatives."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.aggregate import Area, detained_range, parse_area
from geo.errors import ProtestMapError

COLS = ["record_id", "date", "period_start", "period_end", "city", "count_kind",
        "detained_low", "detained_high", "included_in", "contested_by"]


def frame(rows, joined=None) -> pd.DataFrame:
    df = pd.DataFrame([r + ("",) * (len(COLS) - len(r)) for r in rows], columns=COLS)
    df["date"] = pd.to_datetime(df["date"])
    for c in ("period_start", "period_end"):
        df[c] = pd.to_datetime(df[c].replace("", None)).fillna(df["date"])
    for c in ("detained_low", "detained_high"):
        df[c] = pd.to_numeric(df[c].replace("", None)).astype("Int64")
    if joined is not None:
        df["city_id"] = [joined.get(r, ("", ""))[0] for r in df["record_id"]]
        df["district_id"] = [joined.get(r, ("", ""))[1] for r in df["record_id"]]
        df["attribution"] = ["district" if joined.get(r, ("", ""))[1] else "city" for r in df["record_id"]]
    return df


# The June 2019 shape: national day totals inside a two-day total inside a five-day total,
# city episodes and a journalist inside them, and a contested city-level claim.
JUNE = [
    ("KZ-0609a", "2019-06-09", "", "", "national", "cumulative", 100, 100, "KZ-0609b"),
    ("KZ-0609b", "2019-06-09", "", "", "national", "cumulative", 500, 500, "KZ-0611"),
    ("ALA-0609", "2019-06-09", "", "", "Almaty", "incremental", 100, "", "KZ-0609b"),
    ("ALA-0609j", "2019-06-09", "", "", "Almaty", "incremental", 2, 2, "ALA-0609"),
    ("KZ-0610", "2019-06-11", "2019-06-10", "2019-06-10", "national", "cumulative", 200, 200, "KZ-0611"),
    ("ALA-0610aj", "2019-06-11", "2019-06-10", "2019-06-10", "Almaty", "cumulative", 200, 200,
     "KZ-0610", "KZ-0610"),
    ("ALA-0610", "2019-06-10", "", "", "Almaty", "incremental", 30, 100, "KZ-0610"),
    ("ALA-0610z", "2019-06-10", "", "", "Almaty", "incremental", 1, 100, "KZ-0610"),
    ("NQZ-0611", "2019-06-11", "2019-06-09", "2019-06-10", "Nur-Sultan", "cumulative", 200, 200, "KZ-0611"),
    ("KZ-0611", "2019-06-11", "2019-06-09", "2019-06-10", "national", "cumulative", 700, 700, "KZ-0618"),
    ("ALA-0612", "2019-06-12", "", "", "Almaty", "incremental", 100, 150, "KZ-0618"),
    ("KZ-0612j", "2019-06-12", "2019-06-09", "2019-06-12", "national", "cumulative", 13, 13, "KZ-0618"),
    ("KZ-0618", "2019-06-18", "2019-06-09", "2019-06-13", "national", "cumulative", 4000, 4000),
    ("KZ-0314s", "2019-06-12", "", "", "national", "snapshot", 766, 766),
]


@pytest.mark.parametrize(
    "area, start, end, low, high, basis",
    [
        ("national", "2019-06-09", "2019-06-09", 500, 500, ["KZ-0609b"]),
        ("national", "2019-06-09", "2019-06-10", 700, 700, ["KZ-0611"]),
        ("national", "2019-06-09", "2019-06-13", 4000, 4000, ["KZ-0618"]),
        # the city sums its own episodes; the journalist sits inside the square's count
        ("Almaty", "2019-06-09", "2019-06-09", 100, None, ["ALA-0609"]),
        # the contested "200 in Almaty" raises only the high end
        ("Almaty", "2019-06-10", "2019-06-10", 31, 200, ["ALA-0610", "ALA-0610z"]),
        ("Almaty", "2019-06-09", "2019-06-13", 231, None, ["ALA-0609", "ALA-0610", "ALA-0610z", "ALA-0612"]),
        ("Nur-Sultan", "2019-06-09", "2019-06-13", 200, 200, ["NQZ-0611"]),
        ("Astana", "2019-06-09", "2019-06-09", 0, 0, []),
    ],
)
def test_june_2019_shape(area, start, end, low, high, basis):
    result = detained_range(frame(JUNE), area=area, start=start, end=end)
    assert (result.detained_low, result.detained_high, result.basis) == (low, high, basis)


def test_alternatives_say_why():
    result = detained_range(frame(JUNE), area="national", start="2019-06-09", end="2019-06-10")
    reasons = {a.record_id: a.reason for a in result.alternatives}
    assert reasons["KZ-0609b"] == "contained in KZ-0611, which is counted"
    assert reasons["ALA-0609j"] == "contained in KZ-0611, which is counted"
    assert reasons["ALA-0610aj"].startswith("contested by KZ-0610")
    assert reasons["KZ-0618"] == (
        "covers 2019-06-09..2019-06-13, which reaches beyond the window 2019-06-09..2019-06-10"
    )
    assert reasons["KZ-0612j"].startswith("covers 2019-06-09..2019-06-12")
    assert set(reasons) == {r[0] for r in JUNE} - {"KZ-0611", "ALA-0612", "KZ-0314s"}
    assert result.to_dict()["from"] == "2019-06-09" and result.to_dict()["basis"] == ["KZ-0611"]


def test_snapshot_is_never_added():
    result = detained_range(frame(JUNE), area="national", start="2019-06-12", end="2019-06-12")
    assert (result.detained_low, result.detained_high) == (100, 150)
    alt = {a.record_id: a.reason for a in result.alternatives}
    assert alt["KZ-0314s"] == "people held at one moment (snapshot), not a count of detentions"


def test_national_is_at_least_the_sum_of_its_cities_and_shows_unallocated():
    rows = [
        ("KZ", "2020-06-06", "", "", "national", "cumulative", 53, 53),
        ("ALA-1", "2020-06-06", "", "", "Almaty", "incremental", 30, 30),
        ("ALA-2", "2020-06-06", "", "", "Almaty", "incremental", 12, 12),
        ("NQZ-1", "2020-06-06", "", "", "Nur-Sultan", "incremental", 10, 20),
        ("OTH", "2020-06-06", "", "", "other", "incremental", 5, 5),
    ]
    result = detained_range(frame(rows), area="national", start="2020-06-06", end="2020-06-06")
    # 30 + 12 + 10 + 5 = 57 > the ministry's 53: the floor follows the parts
    assert result.detained_low == 57
    assert result.basis == ["ALA-1", "ALA-2", "NQZ-1", "OTH"]
    assert result.detained_high == 67
    assert result.breakdown == {"almaty": 42, "astana": 10, "other": 5, "unallocated": 0}
    alt = {a.record_id: a.reason for a in result.alternatives}
    assert alt["KZ"].startswith("its parts (ALA-1, ALA-2, NQZ-1, OTH) add up to more")

    city = detained_range(frame(rows), area="Almaty", start="2020-06-06", end="2020-06-06")
    assert (city.detained_low, city.detained_high) == (42, 42)
    # the national figure is listed, never absorbed by the city
    assert {a.record_id: a.reason for a in city.alternatives}["KZ"] == (
        "national figure that no source splits by area: unallocated here"
    )


def test_an_unbounded_figure_that_nothing_contains_leaves_the_high_end_open():
    rows = [
        # police said 53 nationwide, AFP "more than 100": at least 53, no upper figure
        ("KZ", "2020-06-08", "2020-06-06", "2020-06-06", "national", "cumulative", 53, ""),
        ("ALA-1", "2020-06-06", "", "", "Almaty", "incremental", 30, 30),
        ("NQZ-1", "2020-06-06", "", "", "Nur-Sultan", "incremental", 10, 20),
    ]
    result = detained_range(frame(rows), area="national", start="2020-06-06", end="2020-06-06")
    assert (result.detained_low, result.detained_high) == (53, None)
    rows[0] = rows[0][:7] + (60,)
    result = detained_range(frame(rows), area="national", start="2020-06-06", end="2020-06-06")
    assert (result.detained_low, result.detained_high) == (53, 60)


def test_unallocated_national_remainder():
    rows = [
        ("KZ", "2019-06-09", "", "", "national", "cumulative", 500, 500),
        ("ALA", "2019-06-09", "", "", "Almaty", "incremental", 100, None, "KZ"),
    ]
    result = detained_range(frame(rows), area="national", start="2019-06-09", end="2019-06-09")
    assert result.breakdown == {"almaty": 100, "astana": 0, "other": 0, "unallocated": 400}


def test_incremental_chain_counts_once_and_parts_can_exceed_the_whole():
    rows = [
        ("SQ", "2019-06-09", "", "", "Almaty", "incremental", 10, 10),
        ("J1", "2019-06-09", "", "", "Almaty", "incremental", 6, 6, "SQ"),
        ("J2", "2019-06-09", "", "", "Almaty", "incremental", 7, 7, "SQ"),
        ("OTHER", "2019-06-09", "", "", "Almaty", "incremental", 3, 3),
    ]
    result = detained_range(frame(rows), area="Almaty", start="2019-06-09", end="2019-06-09")
    # SQ says 10 but its two parts say 13: the floor takes the parts, plus the separate episode
    assert (result.detained_low, result.basis) == (16, ["J1", "J2", "OTHER"])
    rows[2] = ("J2", "2019-06-09", "", "", "Almaty", "incremental", 2, 2, "SQ")
    result = detained_range(frame(rows), area="Almaty", start="2019-06-09", end="2019-06-09")
    assert (result.detained_low, result.basis) == (13, ["OTHER", "SQ"])


def test_district_area_needs_joined_records_and_uses_only_district_points():
    rows = [
        ("A", "2019-06-09", "", "", "Almaty", "incremental", 10, 10),
        ("B", "2019-06-09", "", "", "Almaty", "incremental", 5, 8),
        ("C", "2019-06-09", "", "", "Almaty", "incremental", 4, 4),
    ]
    with pytest.raises(ProtestMapError, match="joined records"):
        detained_range(frame(rows), area="almaty/almaly")
    joined = frame(rows, joined={"A": ("almaty", "almaly"), "B": ("almaty", "medeu"), "C": ("almaty", "")})
    result = detained_range(joined, area="almaly")
    assert (result.area, result.detained_low, result.basis) == ("almaty/almaly", 10, ["A"])
    city = detained_range(joined, area="Almaty")
    assert city.detained_low == 19
    # the city-level record (C) is the remainder that no district holds
    assert city.breakdown == {"almaly": 10, "medeu": 5, "city_level": 4}


def test_partial_overlap_is_not_double_counted():
    rows = [
        ("KZ-a", "2022-01-06", "2022-01-04", "2022-01-06", "national", "cumulative", 2298, 2298),
        ("KZ-b", "2022-01-07", "2022-01-04", "2022-01-07", "national", "cumulative", 3811, 3811),
        ("KZ-c", "2022-01-09", "2022-01-04", "2022-01-09", "national", "cumulative", 5135, 5800),
        ("ALA-x", "2022-01-12", "2022-01-05", "2022-01-12", "Almaty", "incremental", 1678, 1700),
    ]
    result = detained_range(frame(rows), area="national", start="2022-01-04", end="2022-01-12")
    # ALA-x runs past each running total and overlaps all of them: the larger 5,135 wins
    assert (result.detained_low, result.detained_high, result.basis) == (5135, 5800, ["KZ-c"])


def test_open_window_and_errors():
    result = detained_range(frame(JUNE), area="national")
    assert (result.start, result.end) == (date(2019, 6, 9), date(2019, 6, 13))
    assert result.detained_low == 4000
    with pytest.raises(ProtestMapError, match="ends .* before it starts"):
        detained_range(frame(JUNE), start="2019-06-10", end="2019-06-09")
    with pytest.raises(ProtestMapError, match="YYYY-MM-DD"):
        detained_range(frame(JUNE), start="10 June")
    with pytest.raises(ProtestMapError, match="unknown area 'Karaganda'"):
        parse_area("Karaganda")
    assert parse_area("Nur-Sultan") == Area("astana") == parse_area("astana")


# ---------------------------------------------------------------- properties

_day = st.integers(min_value=0, max_value=4)
_city = st.sampled_from(["national", "Almaty", "Nur-Sultan"])


@st.composite
def _records(draw):
    n = draw(st.integers(min_value=1, max_value=9))
    rows = []
    for i in range(n):
        kind = draw(st.sampled_from(["incremental", "cumulative"]))
        city = draw(_city) if kind == "cumulative" else draw(st.sampled_from(["Almaty", "Nur-Sultan"]))
        s = draw(_day)
        e = s + (draw(st.integers(0, 2)) if kind == "cumulative" else 0)
        low = draw(st.integers(0, 500))
        high = draw(st.one_of(st.just(""), st.integers(low, low + 300)))
        # a figure sits only inside an earlier one (no cycles) that covers its area and days,
        # as the loader requires
        fits = [r[0] for r in rows if r[4] in ("national", city) and r[2] <= f"2019-06-{9 + s:02d}"
                and r[3] >= f"2019-06-{9 + e:02d}"]
        parent = draw(st.sampled_from([""] + fits))
        rows.append((f"R{i}", f"2019-06-{9 + s:02d}", f"2019-06-{9 + s:02d}", f"2019-06-{9 + e:02d}",
                     city, kind, low, high, parent))
    return rows


@settings(max_examples=100, deadline=None)
@given(_records())
def test_properties_of_the_range(rows):
    df = frame(rows)
    nat = detained_range(df, area="national", start="2019-06-09", end="2019-06-15")
    lows = df["detained_low"].astype(int)
    # the floor is at least every single figure and never more than all figures added up
    assert nat.detained_low >= lows.max()
    assert nat.detained_low <= lows.sum()
    if nat.detained_high is not None:
        assert nat.detained_high >= nat.detained_low
    # the basis adds up to the floor when none of its figures contains another
    by_id = df.set_index("record_id")
    assert sum(int(by_id.loc[b, "detained_low"]) for b in nat.basis) == nat.detained_low
    # a national figure is at least the sum of its cities
    cities = sum(detained_range(df, area=c, start="2019-06-09", end="2019-06-15").detained_low
                 for c in ("Almaty", "Nur-Sultan"))
    assert nat.detained_low >= cities
    # every record is either in the basis or listed as an alternative with a reason
    listed = set(nat.basis) | {a.record_id for a in nat.alternatives}
    assert listed == set(df["record_id"])


def test_many_plain_episode_counts_and_the_totals_that_contain_them():
    """Thousands of plain episode counts take the array path; the answer is the same rules'."""
    n = 3000
    rows = [(f"E{i}", f"2022-01-0{4 + i % 3}", "", "", "Almaty" if i % 2 else "Nur-Sultan",
             "incremental", 1 + i % 5, "") for i in range(n)]
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
    assert {a.record_id: a.reason for a in short.alternatives}["KZ-a"].startswith("its parts (CHAIN, E0,")
    long = detained_range(df, area="national", start="2022-01-04", end="2022-01-10")
    assert (long.detained_low, long.detained_high, long.basis) == (12000, 12000, ["KZ-b"])
    reasons = {a.record_id: a.reason for a in long.alternatives}
    assert reasons["E0"] == reasons["E2999"] == "contained in KZ-b, which is counted"
    assert len(reasons) == n + 2
    almaty = detained_range(df, area="Almaty", start="2022-01-04", end="2022-01-10")
    assert almaty.detained_low == sum(1 + i % 5 for i in range(1, n, 2)) + 7
