"""python -m geo import: possible duplicates of records already in the store are printed, written
for the user to decide (--candidates-out) and decided (--decisions); the store is read by column."""

from __future__ import annotations

import csv
import io

from geo import cli
from geo.store import open_store

HEADER = "record_id,date,city,event_type,latitude,longitude,geo_precision,source_urls\n"


def _write(path, rows):
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_candidates_are_printed_written_and_decided(tmp_path, capsys):
    store = tmp_path / "store.sqlite"
    first = _write(tmp_path / "first.csv", ["A1,2022-01-05,Almaty,detention,43.2380,76.9450,1,https://a.example/1"])
    assert cli.main(["import", str(first), "--store", str(store)]) == 0
    second = _write(
        tmp_path / "second.csv",
        [
            "B1,2022-01-05,Almaty,detention,43.2390,76.9455,1,https://b.example/1",  # 118 m away
            "B2,2022-01-09,Almaty,detention,43.2390,76.9455,1,https://b.example/2",  # 4 days later
        ],
    )
    out = tmp_path / "candidates.csv"
    capsys.readouterr()
    assert cli.main(["import", str(second), "--store", str(store), "--candidates-out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "1 possible duplicate(s) of records already in the store (imported with a flag, undecided):" in said
    assert "row 2: B1 may repeat A1 (same type (detention), the same day, points 118 m apart)" in said
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [(r["record_id"], r["existing_record_id"], r["decision"]) for r in rows] == [("B1", "A1", "")]
    stored = open_store(store).read(["second"]).set_index("record_id")
    assert "may repeat A1" in stored.loc["B1", "flags"]

    decided = tmp_path / "decided.csv"
    decided.write_text("record_id,existing_record_id,decision\nB1,A1,same\n", encoding="utf-8")
    args = ["import", str(second), "--store", str(store), "--replace", "--decisions", str(decided)]
    assert cli.main(args) == 0
    said = capsys.readouterr().out
    assert "1 imported" in said and "1 merged" in said
    assert "merged: row 2 into A1 (the user decided it is the same episode)" in said
    assert open_store(store).read(["second"])["record_id"].tolist() == ["B2"]


def test_the_store_is_read_by_column_for_the_comparison(tmp_path):
    store = open_store(tmp_path / "store.sqlite")
    store.ensure_embedded()
    narrow = store.read_columns(["embedded"], ["record_id", "date", "latitude", "dataset"])
    whole = store.read(["embedded"])
    assert list(narrow.columns) == ["record_id", "date", "latitude", "dataset"]
    assert narrow["record_id"].tolist() == whole["record_id"].tolist()
    assert narrow["date"].dtype == whole["date"].dtype and narrow["latitude"].dtype == whole["latitude"].dtype
    assert narrow.equals(whole[["record_id", "date", "latitude", "dataset"]])
    assert store.read_columns([], ["record_id"]).empty
