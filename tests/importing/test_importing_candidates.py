"""Duplicate candidates: what only looks like an existing record is listed with the reason,
and the user's decision (same / included_in / distinct) is applied and stored with the record."""

from __future__ import annotations

import pandas as pd
import pytest
from importing_support import NATIVE_HEADER, run, write_csv

from geo.importing import MappingError
from geo.importing.candidates import CANDIDATE_COLUMNS, apply_decisions, find_candidates, load_decisions

#: Existing records (as the store reads them back; only the columns the comparison reads).
EXISTING = pd.DataFrame(
    {
        "record_id": ["OLD-1", "OLD-2", "OLD-3", "OLD-4"],
        "date": pd.to_datetime(["2019-06-09", "2019-06-10", "2019-06-20", "2019-06-10"]),
        "event_type": ["detention", "rally", "detention", "detention"],
        "latitude": [43.25000, 51.128, 43.25, None],
        "longitude": [76.95000, 71.430, 76.95, None],
        "source_urls": [
            "https://old.example/a",
            "https://news.example/story/",
            "https://old.example/c",
            "https://x.example/d",
        ],
        "dataset": ["embedded", "embedded", "team", "team"],
        "geo_precision": [2, 1, 1, 3],  # OLD-1's point is approximate: part of a city
    }
)


def _row(rid, day, kind, lat, lon, url, low=""):
    return [rid, day, "Almaty", kind, lat, lon, "1" if lat else "3", low, low, "incremental" if low else "", "", url]


@pytest.fixture
def result(tmp_path):
    rows = [
        _row(
            "N1", "2019-06-10", "detention", "43.2520", "76.9510", "https://new.example/1", "30"
        ),  # 237 m, 1 day later
        _row("N2", "2019-06-10", "detention", "43.2600", "76.9600", "https://new.example/2"),  # 1.3 km: not close
        _row("N3", "2019-06-11", "detention", "", "", "https://NEWS.example/story"),  # OLD-2's URL, 1 day later
        _row("N4", "2019-06-20", "rally", "43.2500", "76.9500", "https://new.example/4"),  # same place, other type
        _row("N5", "2019-06-25", "detention", "43.2500", "76.9500", "https://news.example/story/"),  # URL, 15 days
    ]
    return run(write_csv(tmp_path / "team.csv", NATIVE_HEADER, rows))


def test_look_alikes_are_listed_with_the_reason(result):
    found = find_candidates(result.records, EXISTING)
    assert list(found.columns) == CANDIDATE_COLUMNS
    pairs = {(r, e): why for r, e, why in zip(found["record_id"], found["existing_record_id"], found["reason"])}
    assert set(pairs) == {("N1", "OLD-1"), ("N3", "OLD-2")}
    assert (
        pairs[("N1", "OLD-1")] == "same type (detention), 1 day apart, points 237 m apart"
    )  # 0.002° of latitude (222 m), 0.001° of longitude (81 m)
    assert pairs[("N3", "OLD-2")] == "the same source URL (https://news.example/story)"
    n1 = found.set_index("record_id").loc["N1"]
    assert (n1["existing_dataset"], n1["days_apart"], n1["metres"], n1["row"]) == ("embedded", 1, 237.0, 2)


def test_the_same_district_is_enough_where_a_point_is_not_precise(result):
    districts = (
        pd.Series(["almaly" if r == "N2" else "" for r in result.records["record_id"]], index=result.records.index),
        pd.Series(["almaly", "", "", ""], index=EXISTING.index),
    )
    found = find_candidates(result.records, EXISTING, districts=districts)
    n2 = found[found["record_id"] == "N2"]
    assert n2["existing_record_id"].tolist() == ["OLD-1"]
    assert n2["reason"].tolist() == ["same type (detention), 1 day apart, the same district (almaly)"]


def test_decisions_are_applied_and_stored_with_the_record(result):
    found = find_candidates(result.records, EXISTING)
    decided = apply_decisions(result, found, {("N1", "OLD-1"): "included_in", ("N3", "OLD-2"): "same"})
    rec = decided.records.set_index("record_id")
    assert "N3" not in rec.index  # merged into the existing record
    merged = decided.merged.set_index("input_record_id").loc["N3"]
    assert (merged["record_id"], merged["why"]) == ("OLD-2", "the user decided it is the same episode")
    assert rec.loc["N1", "included_in"] == "OLD-1"  # reconciliation never adds it to OLD-1
    assert rec.loc["N1", "candidate_decision"] == "included in OLD-1 (the user)"
    assert decided.counts["imported"] + decided.counts["merged"] + decided.counts["rejected"] == 5
    distinct = apply_decisions(result, found, {("N1", "OLD-1"): "distinct"}).records.set_index("record_id")
    assert distinct.loc["N1", "candidate_decision"] == "distinct from OLD-1 (the user)"
    assert distinct.loc["N1", "included_in"] == result.records.set_index("record_id").loc["N1", "included_in"]
    # undecided: imported, flagged with what it may repeat
    assert (
        "may repeat OLD-2 (the same source URL (https://news.example/story)): not decided"
        in distinct.loc["N3", "flags"]
    )


def test_a_decisions_file_is_read_and_checked(tmp_path, result):
    found = find_candidates(result.records, EXISTING)
    path = tmp_path / "decisions.csv"
    path.write_text("record_id,existing_record_id,decision\nN1,OLD-1,same\n", encoding="utf-8")
    assert load_decisions(path) == {("N1", "OLD-1"): "same"}
    assert "N1" not in apply_decisions(result, found, load_decisions(path)).records["record_id"].tolist()
    path.write_text("record_id,existing_record_id,decision\nN1,OLD-1,maybe\n", encoding="utf-8")
    with pytest.raises(MappingError, match=r"line 2: decision is 'maybe'; expected one of same, included_in"):
        load_decisions(path)
    with pytest.raises(MappingError, match="not candidates: N2 / OLD-1"):
        apply_decisions(result, found, {("N2", "OLD-1"): "same"})


def test_nothing_to_compare_is_no_candidate(result):
    assert find_candidates(result.records, None).empty
    assert find_candidates(result.records, EXISTING.iloc[0:0]).empty


def test_without_candidates_the_result_is_unchanged(result):
    kept = apply_decisions(result, find_candidates(result.records, None))
    assert kept.records["record_id"].tolist() == result.records["record_id"].tolist()
    assert kept.records["flags"].tolist() == result.records["flags"].tolist()
    assert set(kept.records["candidate_decision"]) == {""}


def test_two_precise_points_in_one_district_must_be_close(result):
    precise = EXISTING.assign(geo_precision=1)
    districts = (
        pd.Series(["almaly" if r == "N2" else "" for r in result.records["record_id"]], index=result.records.index),
        pd.Series(["almaly", "", "", ""], index=EXISTING.index),
    )
    found = find_candidates(result.records, precise, districts=districts)
    assert "N2" not in found["record_id"].tolist()  # 1.3 km apart, both precise: not one place


def test_close_points_are_found_across_grid_cells_and_each_record_has_at_most_five():
    import numpy as np

    rng = np.random.default_rng(0)
    n = 400
    base = pd.DataFrame(
        {
            "record_id": [f"E{i}" for i in range(n)],
            "date": pd.Timestamp("2022-01-05"),
            "event_type": "detention",
            "latitude": 43.2 + rng.uniform(0, 0.02, n),
            "longitude": 76.9 + rng.uniform(0, 0.02, n),
            "source_urls": "",
            "geo_precision": 1,
        }
    )
    probe = base.head(50).assign(
        record_id=[f"P{i}" for i in range(50)], latitude=base["latitude"].head(50) + 0.003, source_row=range(50)
    )
    found = find_candidates(probe, base)
    # every probe is 333 m north of its own E record, whatever cells the two fall in
    brute, nearest = [], []
    for p in probe.itertuples():
        d = (
            2
            * 6_371_000
            * np.arcsin(
                np.sqrt(
                    np.sin(np.radians(base["latitude"] - p.latitude) / 2) ** 2
                    + np.cos(np.radians(p.latitude))
                    * np.cos(np.radians(base["latitude"]))
                    * np.sin(np.radians(base["longitude"] - p.longitude) / 2) ** 2
                )
            )
        )
        brute.append(int((d <= 500).sum()))
        nearest.append(sorted(np.round(d[d <= 500]))[:5])
    assert found.groupby("record_id").size().reindex(probe["record_id"], fill_value=0).tolist() == [
        min(b, 5) for b in brute
    ]
    # the five kept are the five nearest (all on the same day here)
    kept = found.groupby("record_id")["metres"].apply(sorted).reindex(probe["record_id"]).tolist()
    assert kept == nearest
    assert found.groupby("record_id").size().max() == 5
