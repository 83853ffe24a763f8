"""geo.importing, the pipeline: flags, merges, rejected rows, progress, references to the store."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from importing_support import ACLED_HEADER, NATIVE_HEADER, native_rows, run, write_csv

from geo import importing as im
from geo.errors import ImportAccountingError, ProtestMapError
from geo.importing import write_rejected

# --------------------------------------------------------------------------- flags, merges, rejected


def test_flags(tmp_path):
    rows = [
        ["s1", "2019-06-09", "Almaty", "rally", "76.95", "43.25", "1", "", "", "", "A", "https://a.example/1"],
        ["s2", "2019-06-09", "Almaty", "rally", "55.0", "37.6", "1", "", "", "", "B", "https://a.example/2"],
        ["s3", "2030-01-01", "Almaty", "rally", "", "", "", "", "", "", "C", "https://a.example/3"],
        ["s4", "2019-06-09", "Almaty", "detention", "", "", "", "40", "30", "incremental", "D", "https://a.example/4"],
        [
            "s5",
            "2019-06-09",
            "Almaty",
            "detention",
            "",
            "",
            "",
            "about 50",
            "",
            "incremental",
            "E",
            "https://a.example/5",
        ],
        ["s6", "2019-06-09", "Almaty", "rally", "43.25", "76.95", "1", "", "", "", "F", "https://a.example/6"],
    ]
    path = write_csv(tmp_path / "flags.csv", NATIVE_HEADER, rows)
    result = run(path)
    flags = result.records.set_index("record_id")["flags"]
    assert flags["s1"] == "latitude and longitude look swapped (kept as given)"
    assert flags["s2"] == "coordinates lie outside both cities"
    assert flags["s3"] == "date after today (2024-01-01)"
    assert flags["s4"] == "detained_high below detained_low (the two swapped)"
    assert flags["s5"] == "detained_low stated as text ('about 50' read as 50)"
    assert flags["s6"] == ""
    rec = result.records.set_index("record_id")
    assert (rec.loc["s4", "detained_low"], rec.loc["s4", "detained_high"]) == (30, 40)
    assert (rec.loc["s5", "detained_low"], rec.loc["s5", "detained_high"]) == (50, 50)
    assert result.counts["flagged"] == 5
    assert "coarse bounding boxes" in result.notes[-1]


def test_flags_with_boundaries(tmp_path, boundary_files, write_boundary_folder):
    from geo.boundaries import load_boundaries

    bset = load_boundaries(write_boundary_folder(boundary_files))
    rows = [
        ["b1", "2019-06-09", "Almaty", "rally", "76.9", "43.25", "1", "", "", "", "A", "https://a.example/1"],
        ["b2", "2019-06-09", "Almaty", "rally", "55.0", "37.6", "1", "", "", "", "B", "https://a.example/2"],
        ["b3", "2019-06-09", "Almaty", "rally", "43.25", "76.9", "1", "", "", "", "C", "https://a.example/3"],
    ]
    path = write_csv(tmp_path / "b.csv", NATIVE_HEADER, rows)
    result = run(path, boundaries=bset)
    flags = result.records.set_index("record_id")["flags"]
    assert flags["b1"] == "latitude and longitude look swapped (kept as given)"
    assert flags["b2"] == "coordinates lie outside both cities"
    assert flags["b3"] == ""
    assert "join_incidents" in result.notes[-1]


def test_merged_duplicates_are_named(tmp_path):
    existing = run(write_csv(tmp_path / "first.csv", NATIVE_HEADER, native_rows())).records
    rows = [
        native_rows()[0],  # same record_id as existing
        [
            "n2",
            "2019-06-09",
            "Almaty",
            "detention",
            "",
            "",
            "",
            "5",
            "",
            "incremental",
            "square",
            "https://a.example/1 https://b.example",
        ],  # same episode as existing r1
        ["n3", "2019-06-11", "Almaty", "rally", "", "", "", "", "", "", "Park", "https://c.example/1"],
        ["n3", "2019-06-11", "Almaty", "rally", "", "", "", "", "", "", "Park", "https://c.example/1"],
        ["n4", "2019-06-11", "Almaty", "rally", "", "", "", "", "", "", "park", "https://c.example/1"],
    ]
    result = run(write_csv(tmp_path / "second.csv", NATIVE_HEADER, rows), existing=existing)
    merged = result.merged.set_index("row")
    assert merged.loc[2, "record_id"] == "r1" and merged.loc[2, "why"] == "same record_id as an existing record"
    assert merged.loc[3, "record_id"] == "r1" and "as an existing record" in merged.loc[3, "why"]
    assert merged.loc[5, "record_id"] == "n3" and merged.loc[5, "why"] == "same record_id as row 4 of this file"
    assert merged.loc[6, "record_id"] == "n3" and merged.loc[6, "why"].endswith("as row 4")
    assert list(result.records["record_id"]) == ["n3"]


def test_rejected_csv_written_fixed_and_reimported(tmp_path, acled_file):
    result = run(acled_file)
    out = write_rejected(result)
    assert out == tmp_path / "acled.rejected.csv"
    frame = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(frame.columns) == ACLED_HEADER + ["import_" + c for c in im.DIAGNOSTIC_COLUMNS]
    assert frame.loc[0, "import_value"] == "June 11th"
    frame.loc[0, "event_date"] = "11 June 2019"
    frame.to_csv(out, index=False, encoding="utf-8-sig")
    again = run(out, existing=result.records)
    assert again.counts == {"imported": 1, "merged": 0, "flagged": 0, "rejected": 0, "total": 1}
    assert again.records.loc[0, "record_id"] == "ACLED-KAZ1003"
    assert again.records.loc[0, "date"] == pd.Timestamp("2019-06-11")


def test_progress_is_reported(tmp_path):
    rows = [
        [f"p{i}", "2019-06-09", "Almaty", "rally", "", "", "", "", "", "", "", f"https://a.example/{i}"]
        for i in range(25_000)
    ]
    path = write_csv(tmp_path / "big.csv", NATIVE_HEADER, rows)
    calls = []
    result = run(path, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(10000, 25000), (20000, 25000), (25000, 25000)]
    assert result.counts["imported"] == 25_000


# --------------------------------------------------------------------------- references to the store


def test_rows_may_point_at_existing_records(tmp_path):
    header = [
        "record_id",
        "date",
        "period_start",
        "period_end",
        "city",
        "event_type",
        "included_in",
        "contested_by",
        "source_urls",
    ]
    first = [
        ["KZ", "2019-06-09", "2019-06-09", "2019-06-12", "national", "detention", "", "", "https://a.example/kz"],
        ["ALA", "2019-06-09", "", "", "Almaty", "detention", "", "", "https://a.example/ala"],
    ]
    existing = run(write_csv(tmp_path / "first.csv", header, first)).records
    rows = [
        ["n1", "2019-06-10", "", "", "Almaty", "detention", "KZ", "ALA", "https://b.example/1"],
        ["n2", "2019-06-09", "", "", "Almaty", "detention", "ALA", "", "https://b.example/2"],
        ["n3", "2019-06-09", "", "", "Almaty", "detention", "NOPE", "", "https://b.example/3"],
        ["n4", "2019-06-09", "", "", "Almaty", "detention", "", "KZ GONE", "https://b.example/4"],
        ["n5", "2019-06-15", "", "", "Almaty", "detention", "KZ", "", "https://b.example/5"],
        ["n6", "2019-06-10", "", "", "Astana", "detention", "ALA", "", "https://b.example/6"],
    ]
    result = run(write_csv(tmp_path / "second.csv", header, rows), existing=existing)
    assert list(result.records["record_id"]) == ["n1", "n2"]
    assert list(result.records["included_in"]) == ["KZ", "ALA"]
    assert list(result.records["contested_by"]) == ["ALA", ""]
    rej = result.rejected.set_index("row")
    assert (rej.loc[4, "column"], rej.loc[4, "value"]) == ("included_in", "NOPE")
    assert "included_in must name the record_id of another record" in rej.loc[4, "reason"]
    assert (rej.loc[5, "column"], rej.loc[5, "value"]) == ("contested_by", "GONE")
    assert "must cover this record's days" in rej.loc[6, "reason"]
    assert "another city's figure" in rej.loc[7, "reason"]
    # without the store the same pointers are unknown
    alone = run(tmp_path / "second.csv")
    assert alone.records.empty and len(alone.rejected) == 6


# --------------------------------------------------------------------------- the accounting check


def test_check_raises_when_rows_do_not_add_up(tmp_path):
    result = run(write_csv(tmp_path / "ok.csv", NATIVE_HEADER, native_rows()))
    assert result.check() is None
    lost = dataclasses.replace(result, total=result.total + 1)
    with pytest.raises(
        ImportAccountingError,
        match=r"ok\.csv: imported \+ merged \+ rejected is not the total: "
        r"\{'imported': 2, .*'total': 3\}",
    ):
        lost.check()
    twice = dataclasses.replace(result, records=result.records.assign(source_row=[2, 2]))
    with pytest.raises(ImportAccountingError, match=r"an input row appears twice \(row\(s\) 2\)"):
        twice.check()
    assert issubclass(ImportAccountingError, ProtestMapError)
