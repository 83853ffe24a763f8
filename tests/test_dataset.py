"""Checks of the embedded incident dataset, data/incidents/incidents.csv.

The dataset is the research file it was built from (one row per research record,
every sourced fact kept; tests/test_research.py compares the two where the research
files are) plus the native columns of geo.schema and two records from the seed
article (Al Jazeera, 11 June 2019). See data/incidents/README.md for how the added
columns were decided.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from geo import schema

REPO = Path(__file__).resolve().parents[1]
DATASET = REPO / "data" / "incidents" / "incidents.csv"

AJ_URL = "https://www.aljazeera.com/news/2019/06/hundreds-arrested-kazakhs-protest-rigged-vote-190611065702114.html"
SEED_NATIONAL = "KZ-20190611-03"
SEED_ALMATY = "ALA-20190611-03"

#: Values this dataset infers rather than a source states (the ``inferred`` column).
INFERRED = {
    "KZ-20220106-01": "date period_start",
    "KZ-20220107-01": "period_start",
    "KZ-20220109-01": "period_start",
    "KZ-20220110-01": "period_start",
    "KZ-20220112-01": "period_start",
    "KZ-20220115-01": "period_start",
    "KZ-20190709-01": "date",
    "NQZ-20200227-01": "date",
    "NQZ-20190322-01": "detained_high",
}
COUNT_COLUMNS = ["detained_low", "detained_high", "participants_low", "participants_high", "injured"]
URL_RE = re.compile(r"^https?://\S+$")
ID_RE = re.compile(r"^(ALA|NQZ|KZ)-(\d{8})-(\d{2})$")


# --------------------------------------------------------------------------- fixtures


def _read_dicts(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, strict=True))


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    assert DATASET.exists(), f"dataset missing: {DATASET}"
    return _read_dicts(DATASET)


@pytest.fixture(scope="module")
def by_id(rows) -> dict[str, dict[str, str]]:
    return {r["record_id"]: r for r in rows}


def _int(text: str) -> int | None:
    return int(text) if text.strip() else None


def _day(text: str) -> date:
    return date.fromisoformat(text)


def _period(row: dict[str, str]) -> tuple[date, date]:
    start = row["period_start"] or row["date"]
    end = row["period_end"] or row["date"]
    return _day(start), _day(end)


def _parents(by_id) -> dict[str, str]:
    return {rid: r["included_in"] for rid, r in by_id.items() if r["included_in"]}


# --------------------------------------------------------------------------- format


def test_file_is_utf8_rfc4180_and_parses_with_csv_module():
    data = DATASET.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf"), "no BOM expected"
    text = data.decode("utf-8")
    records = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    assert records, "empty file"
    width = len(records[0])
    bad = [i + 1 for i, rec in enumerate(records) if len(rec) != width]
    assert not bad, f"rows with a different number of cells than the header: {bad}"
    # RFC 4180: CRLF record separators, also after the last record.
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", ""), "bare LF found outside CRLF line ends"


def test_parses_with_pandas(rows):
    frame = pd.read_csv(DATASET, dtype=str, keep_default_na=False, encoding="utf-8")
    assert len(frame) == len(rows)
    assert list(frame.columns) == schema.COLUMNS


def test_header_is_native_columns():
    with DATASET.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert header == schema.COLUMNS


def test_record_ids_unique_and_well_formed(rows):
    ids = [r["record_id"] for r in rows]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert not dupes, f"duplicate record_ids: {dupes}"
    for r in rows:
        m = ID_RE.match(r["record_id"])
        assert m, f"record_id {r['record_id']!r} does not follow ALA|NQZ|KZ-YYYYMMDD-nn"
        assert m.group(2) == r["date"].replace("-", ""), f"{r['record_id']}: id day differs from date {r['date']}"
        prefix = {"Almaty": "ALA", "Nur-Sultan": "NQZ", "Astana": "NQZ", "national": "KZ"}[r["city"]]
        assert m.group(1) == prefix, f"{r['record_id']}: prefix does not match city {r['city']}"


def test_every_row_has_http_sources(rows):
    for r in rows:
        urls = r["source_urls"].split()
        assert urls, f"{r['record_id']}: no source URL"
        bad = [u for u in urls if not URL_RE.match(u)]
        assert not bad, f"{r['record_id']}: not http(s) URLs: {bad}"
        assert len(urls) == len(set(urls)), f"{r['record_id']}: repeated URL"
        assert r["source_names"].strip(), f"{r['record_id']}: source_names blank"


def test_values_in_allowed_sets(rows):
    for r in rows:
        rid = r["record_id"]
        assert r["city"] in schema.CITIES, rid
        assert r["event_type"] in schema.EVENT_TYPES, rid
        assert r["time_precision"] in schema.TIME_PRECISIONS or r["time_precision"] == "", rid
        assert r["count_kind"] in schema.COUNT_KINDS or r["count_kind"] == "", rid
        assert r["geo_precision"] == "" or int(r["geo_precision"]) in schema.GEO_PRECISIONS, rid
        if r["time_local"]:
            assert re.match(r"^([01]\d|2[0-3]):[0-5]\d$", r["time_local"]), rid
        for col in COUNT_COLUMNS:
            if r[col]:
                assert r[col].isdigit(), f"{rid}: {col}={r[col]!r} is not a whole number"
        if r["detained_low"]:
            assert r["count_kind"], f"{rid}: a detained count needs count_kind"
        if r["latitude"] or r["longitude"]:
            assert r["latitude"] and r["longitude"], rid
            assert -90 <= float(r["latitude"]) <= 90 and -180 <= float(r["longitude"]) <= 180, rid
            assert r["coord_source"], f"{rid}: coordinates without coord_source"
        if r["city"] == "national":
            assert r["geo_precision"] == "4" and not r["latitude"], rid


def test_ranges_are_ordered(rows):
    for r in rows:
        for low, high in (("detained_low", "detained_high"), ("participants_low", "participants_high")):
            lo, hi = _int(r[low]), _int(r[high])
            if hi is not None:
                assert lo is not None, f"{r['record_id']}: {high} without {low}"
                assert hi >= lo, f"{r['record_id']}: {high} {hi} < {low} {lo}"


def test_periods_are_sane(rows):
    for r in rows:
        rid = r["record_id"]
        for col in ("date", "period_start", "period_end"):
            if r[col]:
                assert re.match(r"^\d{4}-\d{2}-\d{2}$", r[col]), f"{rid}: {col}={r[col]!r}"
                _day(r[col])
        start, end = _period(r)
        assert start <= end, f"{rid}: period_start {start} after period_end {end}"
        # A figure cannot cover days after the day it was reported.
        assert end <= _day(r["date"]), f"{rid}: period_end {end} after date {r['date']}"
        if not r["detained_low"] and r["event_type"] == "official_statement":
            assert (start, end) == (_day(r["date"]),) * 2, f"{rid}: a statement without a count keeps period = date"


def test_june_2019_periods(by_id):
    expected = {
        "KZ-20190611-01": ("2019-06-09", "2019-06-10"),
        "KZ-20190618-01": ("2019-06-09", "2019-06-13"),
        "KZ-20190612-01": ("2019-06-09", "2019-06-12"),
        "NQZ-20190611-01": ("2019-06-09", "2019-06-10"),
        "KZ-20190502-01": ("2019-05-01", "2019-05-01"),
        "KZ-20190709-01": ("2019-07-06", "2019-07-06"),
        "KZ-20190923-01": ("2019-09-21", "2019-09-21"),
    }
    for rid, (s, e) in expected.items():
        assert _period(by_id[rid]) == (_day(s), _day(e)), rid


# --------------------------------------------------------------------------- links


def test_included_in_and_contested_by_point_at_existing_other_records(by_id):
    for rid, r in by_id.items():
        parent = r["included_in"]
        if parent:
            assert " " not in parent, f"{rid}: included_in names one record only"
            assert parent in by_id, f"{rid}: included_in {parent!r} does not exist"
            assert parent != rid, f"{rid}: included in itself"
        for other in r["contested_by"].split():
            assert other in by_id, f"{rid}: contested_by {other!r} does not exist"
            assert other != rid, f"{rid}: contested by itself"


def test_no_included_in_cycles(by_id):
    parents = _parents(by_id)
    for start in parents:
        seen = [start]
        node = parents[start]
        while node in parents:
            assert node not in seen, "included_in cycle: " + " -> ".join(seen + [node])
            seen.append(node)
            node = parents[node]


def test_included_in_parent_is_broader(by_id):
    """A parent is a count (not a snapshot) whose area and period contain the child's."""
    for rid, parent_id in _parents(by_id).items():
        child, parent = by_id[rid], by_id[parent_id]
        assert parent["detained_low"], f"{rid}: parent {parent_id} has no detained count"
        assert parent["count_kind"] in ("incremental", "cumulative", "partial"), (
            f"{rid}: parent {parent_id} is a snapshot"
        )
        assert parent["city"] in ("national", child["city"]), f"{rid}: parent {parent_id} is another city"
        cs, ce = _period(child)
        ps, pe = _period(parent)
        assert ps <= cs and ce <= pe, f"{rid} ({cs}..{ce}) is not inside {parent_id} ({ps}..{pe})"
        lo, hi = _int(child["detained_low"]), _int(parent["detained_high"])
        if lo is not None and hi is not None:
            assert lo <= hi, f"{rid}: {lo} cannot be inside {parent_id} (at most {hi})"


def test_june_2019_chains(by_id):
    def chain(rid):
        out = [rid]
        while by_id[out[-1]]["included_in"] and len(out) <= len(by_id):
            out.append(by_id[out[-1]]["included_in"])
        return out

    assert chain("ALA-20190609-03") == [
        "ALA-20190609-03",
        "ALA-20190609-02",
        "KZ-20190609-02",
        "KZ-20190611-01",
        "KZ-20190618-01",
    ]
    assert chain("KZ-20190609-01")[1] == "KZ-20190609-02"
    assert chain("KZ-20190612-01") == ["KZ-20190612-01", "KZ-20190618-01"]
    assert chain(SEED_ALMATY) == [SEED_ALMATY, SEED_NATIONAL, "KZ-20190611-01", "KZ-20190618-01"]
    # every June 2019 (9-13 June) detention count ends in the 9-13 June ministry total
    for rid, r in by_id.items():
        if r["detained_low"] and "2019-06-09" <= r["date"] <= "2019-06-13":
            assert chain(rid)[-1] == "KZ-20190618-01", f"{rid} is not inside KZ-20190618-01"


def test_inferred_values_are_named(by_id):
    assert {rid: r["inferred"] for rid, r in by_id.items() if r["inferred"]} == INFERRED
    for rid, fields in INFERRED.items():
        assert set(fields.split()) <= set(schema.COLUMNS), rid


def test_detentions_without_a_number_keep_the_sources_wording(by_id):
    uncounted = {
        rid: r["detained_text"]
        for rid, r in by_id.items()
        if r["event_type"] in schema.DETENTION_TYPES and not r["detained_low"]
    }
    assert uncounted == {
        "ALA-20190501-02": "hundreds",
        "NQZ-20190501-01": "dozens",
        "NQZ-20190609-02": "several dozen",
        "NQZ-20190610-01": "",
        "ALA-20190611-01": "several; a number of",
        "ALA-20200222-01": "dozens",
        "ALA-20200301-01": "dozens",
    }
    for rid, wording in uncounted.items():  # each wording is in the record's own text
        text = (by_id[rid]["summary"] + " " + by_id[rid]["notes"]).casefold()
        assert all(part.strip() in text for part in wording.split(";")), rid
    assert not [rid for rid, r in by_id.items() if r["detained_text"] and r["detained_low"]]


def test_contested_records_have_counts(by_id):
    for rid, r in by_id.items():
        if r["contested_by"]:
            assert r["detained_low"], f"{rid}: contested_by without a count"


# --------------------------------------------------------------------------- seed


def test_seed_records(by_id):
    national, almaty = by_id[SEED_NATIONAL], by_id[SEED_ALMATY]
    for r in (national, almaty):
        assert AJ_URL in r["source_urls"].split()
        assert "Al Jazeera and news agencies" in r["source_names"]
        assert r["date"] == "2019-06-11"
        assert (r["period_start"], r["period_end"]) == ("2019-06-10", "2019-06-10")
        assert (r["detained_low"], r["detained_high"], r["count_kind"]) == ("200", "200", "cumulative")

    assert national["city"] == "national" and national["geo_precision"] == "4"
    assert national["event_type"] == "official_statement"
    assert national["included_in"] == "KZ-20190611-01"
    assert national["contested_by"] == ""
    # the ministry's sources are those of the two-day record
    assert set(national["source_urls"].split()) - {AJ_URL} <= set(by_id["KZ-20190611-01"]["source_urls"].split())

    assert almaty["city"] == "Almaty" and almaty["geo_precision"] == "3"
    assert almaty["event_type"] == "detention"
    assert almaty["included_in"] == SEED_NATIONAL
    assert almaty["contested_by"].split() == [SEED_NATIONAL]
    assert almaty["source_urls"].split() == [AJ_URL]
    assert "no other source" in almaty["notes"]


def test_seed_article_added_to_existing_episodes_without_duplicates(by_id):
    for rid in ("ALA-20190609-03", "ALA-20190610-04", "ALA-20190610-05", "ALA-20190611-01", "KZ-20190611-01"):
        assert AJ_URL in by_id[rid]["source_urls"].split(), rid
    assert by_id["ALA-20190610-04"]["participants_high"] == "200"
    # the Monday-night rally, the beating and the AFP journalists exist once each
    assert sum("Alkhabayev" in r["summary"] for r in by_id.values()) == 1
    assert sum(r["event_type"] == "rally" and r["date"] == "2019-06-10" for r in by_id.values()) == 1


# --------------------------------------------------------------------------- loader


def test_loader_accepts_every_row(rows):
    from geo.records import load_records

    records = load_records(DATASET)
    assert len(records) == len(rows)
    assert list(records["record_id"]) == [r["record_id"] for r in rows]
