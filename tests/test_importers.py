"""geo.importers: every format, every failure, and every row accounted for.

All input files are written by the tests into ``tmp_path``.  Coordinate flags use the
coarse city boxes (``boundaries=None``) unless a test passes a synthetic boundary set.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import importers as im
from geo.importers import (
    ACLED_CITATION_URL,
    ImportFileError,
    MappingError,
    detect_format,
    import_rows,
    load_mapping,
    preview,
    read_table,
    write_rejected,
)

TODAY = date(2024, 1, 1)

ACLED_HEADER = im.ACLED_COLUMNS


def acled_row(**cells) -> dict:
    base = {c: "" for c in ACLED_HEADER}
    base.update(year="2019", time_precision="1", disorder_type="Demonstrations", event_type="Protests",
                sub_event_type="Peaceful protest", actor1="Protesters (Kazakhstan)", iso="398",
                region="Central Asia", country="Kazakhstan", admin1="Almaty", location="Almaty",
                latitude="43.238", longitude="76.945", geo_precision="1", source="Radio Azattyq",
                source_scale="National", notes="", fatalities="0", tags="", timestamp="1560100000")
    base.update(cells)
    return base


def write_csv(path: Path, header: list[str], rows: list[dict] | list[list[str]], *, delimiter=",",
              encoding="utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(c, "") for c in header] if isinstance(row, dict) else row)
    return path


def run(path, **kw):
    kw.setdefault("today", TODAY)
    kw.setdefault("boundaries", None)
    result = import_rows(path, **kw)
    result.check()
    return result


# --------------------------------------------------------------------------- ACLED


@pytest.fixture
def acled_file(tmp_path) -> Path:
    rows = [
        acled_row(event_id_cnty="KAZ1001", event_date="2019-06-09", sub_event_type="Protest with intervention",
                  actor2="Police Forces of Kazakhstan (2019-)", latitude="43,238", longitude="76,945",
                  source="Radio Azattyq; Vlast.kz", notes="Protesters rallied against the election.",
                  tags="crowd size=around 200; arrests=12"),
        acled_row(event_id_cnty="KAZ1002", event_date="10 June 2019", sub_event_type="Arrests",
                  admin1="Nur-Sultan", location="Нур-Султан", latitude="51.16", longitude="71.47",
                  geo_precision="3", time_precision="2", source="Reuters", notes="Police detained dozens.",
                  tags="crowd size=dozens"),
        acled_row(event_id_cnty="KAZ1003", event_date="June 11th"),
        acled_row(event_id_cnty="KAZ1004", event_date="12 June 2019",
                  sub_event_type="Excessive force against protesters", location="Astana", admin1="Nur-Sultan",
                  latitude="51.128", longitude="71.43", geo_precision="2"),
        acled_row(event_id_cnty="KAZ1005", event_date="2019-06-12", sub_event_type="Violent demonstration",
                  location="Kazakhstan", admin1="", latitude="48.0", longitude="67.0", geo_precision="3"),
        acled_row(event_id_cnty="KAZ1006", event_date="2019-06-13", location="Shymkent", admin1="Shymkent",
                  latitude="42.3", longitude="69.6", tags="crowd size=between 30 and 40"),
    ]
    return write_csv(tmp_path / "acled.csv", ACLED_HEADER, rows)


def test_acled_current_columns_exact_values(acled_file):
    table = read_table(acled_file)
    assert detect_format(table) == "acled" and im.acled_generation(table) == "current"
    result = run(acled_file)
    assert result.counts == {"imported": 5, "merged": 0, "flagged": 4, "rejected": 1, "total": 6}
    rec = result.records.set_index("record_id")

    a = rec.loc["ACLED-KAZ1001"]
    assert a["date"] == pd.Timestamp("2019-06-09")
    assert (a["city"], a["place_name_en"], a["latitude"], a["longitude"]) == ("Almaty", "Almaty", 43.238, 76.945)
    assert (a["geo_precision"], a["time_precision"], a["event_type"]) == (1, "day", "rally")
    assert (a["detained_low"], a["detained_high"], a["count_kind"]) == (12, 12, "incremental")
    assert (a["participants_low"], a["participants_high"]) == (200, 200)
    assert a["source_urls"] == ACLED_CITATION_URL
    assert a["source_names"] == "Radio Azattyq; Vlast.kz"
    assert a["notes"] == ("Protesters rallied against the election. "
                          "ACLED: protest with intervention (police intervened).")
    assert a["flags"] == ("ACLED Protest with intervention: police intervened (recorded as rally); "
                          "crowd size stated as text ('around 200' read as 200)")
    assert (a["acled_event_id_cnty"], a["acled_actor2"], a["acled_timestamp"]) == (
        "KAZ1001", "Police Forces of Kazakhstan (2019-)", "1560100000")

    b = rec.loc["ACLED-KAZ1002"]
    assert b["date"] == pd.Timestamp("2019-06-10")
    assert (b["city"], b["place_name_ru"], b["place_name_en"]) == ("Nur-Sultan", "Нур-Султан", "")
    assert (b["event_type"], b["geo_precision"], b["time_precision"]) == ("detention", 3, "range")
    assert pd.isna(b["detained_low"]) and pd.isna(b["participants_low"]) and b["count_kind"] == ""
    assert b["notes"] == "Police detained dozens. crowd size: dozens."
    assert "crowd size 'dozens' gives no number (kept in notes)" in b["flags"]

    c = rec.loc["ACLED-KAZ1004"]
    assert (c["city"], c["event_type"], c["geo_precision"], c["flags"]) == ("Astana", "police_violence", 2, "")
    d = rec.loc["ACLED-KAZ1005"]
    assert (d["city"], d["geo_precision"], d["event_type"]) == ("national", 4, "rally")
    assert d["flags"].startswith("ACLED sub_event_type 'Violent demonstration' has no native type")
    e = rec.loc["ACLED-KAZ1006"]
    assert (e["city"], e["participants_low"], e["participants_high"]) == ("other", 30, 40)
    assert "outside both cities" in e["flags"]

    [bad] = result.rejected.to_dict("records")
    assert (bad["row"], bad["column"], bad["value"]) == (4, "event_date", "June 11th")
    assert bad["event_id_cnty"] == "KAZ1003" and bad["file"] == str(acled_file)


def test_acled_precision_3_is_never_in_a_district(acled_file, boundary_files, write_boundary_folder):
    from geo.boundaries import load_boundaries
    from geo.join import join_incidents

    result = run(acled_file)
    bset = load_boundaries(write_boundary_folder(boundary_files))
    joined = join_incidents(result.records, bset).set_index("record_id")
    assert joined.loc["ACLED-KAZ1002", "attribution"] == "city"


def test_acled_older_columns(tmp_path):
    header = ["data_id", "iso", "event_id_cnty", "event_id_no_cnty", "event_date", "year", "time_precision",
              "event_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2",
              "inter2", "interaction", "region", "country", "admin1", "admin2", "admin3", "location",
              "latitude", "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities",
              "timestamp", "iso3"]
    rows = [{"data_id": "7458963", "iso": "398", "event_id_cnty": "KAZ55", "event_id_no_cnty": "55",
             "event_date": "09 June 2019", "year": "2019", "time_precision": "1", "event_type": "Protests",
             "sub_event_type": "Protest with intervention", "inter1": "6", "inter2": "1", "interaction": "16",
             "country": "Kazakhstan", "admin1": "Almaty", "location": "Almaty", "latitude": "43.25",
             "longitude": "76.95", "geo_precision": "1", "source": "Vlast.kz",
             "notes": "About 100 people gathered. [size=about 100]", "timestamp": "1560200000", "iso3": "KAZ"}]
    path = write_csv(tmp_path / "acled_old.csv", header, rows)
    table = read_table(path)
    assert detect_format(table) == "acled" and im.acled_generation(table) == "old"
    result = run(path)
    [rec] = result.records.to_dict("records")
    assert (rec["record_id"], rec["participants_low"], rec["event_type"], rec["city"]) == (
        "ACLED-KAZ55", 100, "rally", "Almaty")


# --------------------------------------------------------------------------- CCC


def test_ccc_file(tmp_path):
    header = ["date", "locality", "state", "location_detail", "type", "claims", "size_text", "size_low",
              "size_high", "arrests", "injuries_crowd", "injuries_police", "notes", "lat", "lon",
              "source_1", "source_2", "source_3"]
    rows = [
        {"date": "2019-06-09", "locality": "Almaty", "location_detail": "Astana Square", "claims": "fair election",
         "size_low": "500", "size_high": "1000", "arrests": "about 30", "injuries_crowd": "2",
         "injuries_police": "1", "lat": "43.238", "lon": "76.945", "source_1": "https://rus.azattyq.org/a/1.html",
         "source_2": "Vlast.kz", "source_3": "https://vlast.kz/2.html"},
        {"date": "10.06.2019", "locality": "Нур-Султан", "location_detail": "Railway station", "size_text": "hundreds",
         "arrests": "30-40", "source_1": "https://kz.kursiv.media/3"},
        {"date": "2019-06-11", "locality": "Almaty", "location_detail": "Old Square", "arrests": "several",
         "source_1": "https://x.example/4"},
        {"date": "2019-06-12", "locality": "Almaty", "location_detail": "Republic Square", "arrests": "40-30",
         "source_1": "Tengrinews (print)"},
    ]
    path = write_csv(tmp_path / "ccc.csv", header, rows)
    assert detect_format(read_table(path)) == "ccc"
    result = run(path)
    assert result.counts["total"] == 4 and result.counts["rejected"] == 1
    recs = result.records.set_index("source_row")
    a = recs.loc[2]
    assert a["record_id"].startswith("CCC-")
    assert (a["city"], a["place_name_en"], a["geo_precision"]) == ("Almaty", "Astana Square", 3)
    assert (a["participants_low"], a["participants_high"]) == (500, 1000)
    assert (a["detained_low"], a["detained_high"], a["count_kind"]) == (30, 30, "incremental")
    assert a["injured"] == 3 and a["summary"] == "fair election"
    assert a["notes"] == "injuries: crowd 2, police 1."
    assert a["source_urls"] == "https://rus.azattyq.org/a/1.html https://vlast.kz/2.html"
    assert a["source_names"] == "Vlast.kz"
    assert "arrests stated as text ('about 30' read as 30)" in a["flags"]
    b = recs.loc[3]
    assert (b["city"], b["detained_low"], b["detained_high"], b["date"]) == (
        "Nur-Sultan", 30, 40, pd.Timestamp("2019-06-10"))
    assert pd.isna(b["participants_low"])
    c = recs.loc[4]
    assert pd.isna(c["detained_low"]) and c["notes"] == "arrests: several."
    assert "arrests 'several' give no number (kept in notes)" in c["flags"]
    [bad] = result.rejected.to_dict("records")
    assert (bad["row"], bad["column"]) == (5, "source_urls")
    # the same file again: every row's id is stable, so everything merges
    again = run(path, existing=result.records)
    assert again.counts["merged"] == 3 and again.counts["imported"] == 0


# --------------------------------------------------------------------------- team sheet + mapping


def test_windows_1251_semicolon_team_sheet_through_mapping_file(tmp_path):
    header = ["№", "Дата", "Город", "Место", "Широта", "Долгота", "Тип", "Задержано", "Источник"]
    rows = [
        ["1", "09.06.2019", "Алматы", "площадь Астана", "43,2380", "76,9450", "задержание", "около 50",
         "https://rus.azattyq.org/a/1.html"],
        ["2", "10.06.2019", "Нур-Султан", "вокзал", "51,1600", "71,4700", "митинг", "", "https://vlast.kz/x"],
        ["3", "31.02.2019", "Алматы", "", "", "", "митинг", "", "https://vlast.kz/y"],
    ]
    path = write_csv(tmp_path / "команда.csv", header, rows, delimiter=";", encoding="cp1251")
    mapping_path = tmp_path / "map.toml"
    mapping_path.write_text(
        'record_id = "№"\nid_prefix = "team"\ndate = "Дата"\ndate_format = "%d.%m.%Y"\ncity = "Город"\n'
        'place_name_ru = "Место"\nlatitude = "Широта"\nlongitude = "Долгота"\nevent_type = "Тип"\n'
        'detained_low = "Задержано"\nsource_urls = "Источник"\ncount_kind = "=incremental"\n', encoding="utf-8")
    table = read_table(path)
    assert (table.encoding, table.delimiter) == ("cp1251", ";")
    assert detect_format(table) == "unknown"
    mapping = load_mapping(mapping_path)
    shown = preview(table, mapping, n=2)
    assert list(shown["row"]) == [2, 3] and list(shown["status"]) == ["ok", "ok"]
    assert list(shown["latitude"]) == ["43.2380", "51.1600"]
    result = run(path, mapping=mapping_path)
    recs = result.records.set_index("record_id")
    a = recs.loc["1"]
    assert (a["city"], a["place_name_ru"], a["latitude"], a["longitude"]) == ("Almaty", "площадь Астана", 43.238, 76.945)
    assert (a["event_type"], a["detained_low"], a["detained_high"]) == ("detention", 50, 50)
    assert "detained_low stated as text ('около 50' read as 50)" in a["flags"]
    assert recs.loc["2", "city"] == "Nur-Sultan" and recs.loc["2", "event_type"] == "rally"
    [bad] = result.rejected.to_dict("records")
    assert (bad["row"], bad["column"], bad["value"]) == (4, "Дата", "31.02.2019")


def test_mapping_errors(tmp_path):
    path = write_csv(tmp_path / "t.csv", ["when", "where"], [["2019-06-09", "Almaty"]])
    table = read_table(path)
    with pytest.raises(MappingError, match=r"'date' -> 'Date'.*no column 'Date'.*'when', 'where'"):
        im.to_native_mapped(table, {"date": "Date"})
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"datum": "when"}))
    with pytest.raises(MappingError, match="'datum' is not a native column"):
        load_mapping(bad)
    with pytest.raises(MappingError, match="neither native, ACLED nor CCC-style"):
        import_rows(path, today=TODAY, boundaries=None)


def test_mapped_constants_and_generated_ids(tmp_path):
    path = write_csv(tmp_path / "sheet.csv", ["when", "link", "n"],
                     [["2019-06-09", "https://a.example/1", "12"], ["2019-06-09", "https://a.example/1", "12"]])
    mapping = {"date": "when", "city": "=Almaty", "event_type": "=detention", "source_urls": "link",
               "detained_low": "n", "count_kind": "=incremental"}
    result = run(path, mapping=mapping)
    assert result.counts["imported"] == 1 and result.counts["merged"] == 1
    assert result.records.loc[0, "record_id"].startswith("sheet-")
    assert result.merged.loc[0, "why"] == "same record_id as row 2 of this file"


# --------------------------------------------------------------------------- reading


NATIVE_HEADER = ["record_id", "date", "city", "event_type", "latitude", "longitude", "geo_precision",
                 "detained_low", "detained_high", "count_kind", "place_name_en", "source_urls"]


def native_rows():
    return [
        ["r1", "2019-06-09", "Almaty", "detention", "43.25", "76.95", "1", "10", "20", "incremental", "Square",
         "https://a.example/1"],
        ["r2", "2019-06-10", "Astana", "rally", "", "", "", "", "", "", "", "https://a.example/2"],
    ]


def test_utf8_bom_and_tab(tmp_path):
    bom = tmp_path / "bom.csv"
    write_csv(bom, NATIVE_HEADER, native_rows(), encoding="utf-8-sig")
    table = read_table(bom)
    assert table.encoding == "utf-8-sig" and table.header[0] == "record_id"
    assert detect_format(table) == "native"
    assert run(bom).counts["imported"] == 2
    tab = write_csv(tmp_path / "tab.tsv", NATIVE_HEADER, native_rows(), delimiter="\t")
    table = read_table(tab)
    assert table.delimiter == "\t" and table.encoding == "utf-8"
    assert run(tab).counts["imported"] == 2


def test_ragged_rows_are_reported_not_lost(tmp_path):
    path = tmp_path / "ragged.csv"
    lines = [",".join(NATIVE_HEADER),
             ",".join(native_rows()[0]),
             "r3,2019-06-11,Almaty,rally,,,,,,,,https://a.example/3,EXTRA,CELLS",
             "r4,2019-06-11,Almaty,rally,,,,,,,Place",  # one cell short: the source is missing
             "r5,2019-06-12,Almaty,rally,,,,,,,,https://a.example/5",
             "",
             "r6,2019-06-13,Almaty,rally,,,,,,"]  # two short: trailing blanks only... and no source
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = read_table(path)
    assert len(table) == 6
    assert table.ragged == {1: (14, 12), 2: (11, 12), 5: (10, 12)}
    result = run(path)
    assert result.counts["total"] == 6
    rejected = result.rejected.set_index("row")
    assert rejected.loc[3, "value"] == "EXTRA,CELLS" and "a cell is shifted" in rejected.loc[3, "reason"]
    assert rejected.loc[4, "column"] == "source_urls"
    assert rejected.loc[6, "reason"] == "row is empty"
    assert rejected.loc[7, "column"] == "source_urls"
    assert set(result.records["record_id"]) == {"r1", "r5"}


def test_geojson_input_and_crs(tmp_path):
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [76.95, 43.25]},
         "properties": {"record_id": "g1", "date": "2019-06-09", "city": "Almaty", "event_type": "rally",
                        "geo_precision": 1, "source_urls": "https://a.example/1"}},
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[76.9, 43.2], [77, 43.3]]},
         "properties": {"record_id": "g2", "date": "2019-06-09", "city": "Almaty", "event_type": "rally",
                        "source_urls": "https://a.example/2"}},
    ]}
    path = tmp_path / "points.geojson"
    path.write_text(json.dumps(fc), encoding="utf-8")
    result = run(path)
    assert result.records.loc[0, "latitude"] == 43.25 and result.records.loc[0, "source_row"] == 1
    assert result.rejected.loc[0, "column"] == "geometry" and result.rejected.loc[0, "row"] == 2
    fc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}
    path.write_text(json.dumps(fc), encoding="utf-8")
    with pytest.raises(ImportFileError, match="3857.*WGS84"):
        read_table(path)


def test_unreadable_files(tmp_path):
    with pytest.raises(ImportFileError, match="file not found"):
        read_table(tmp_path / "nope.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ImportFileError, match="is empty"):
        read_table(empty)


# --------------------------------------------------------------------------- flags, merges, rejected


def test_flags(tmp_path):
    rows = [
        ["s1", "2019-06-09", "Almaty", "rally", "76.95", "43.25", "1", "", "", "", "A", "https://a.example/1"],
        ["s2", "2019-06-09", "Almaty", "rally", "55.0", "37.6", "1", "", "", "", "B", "https://a.example/2"],
        ["s3", "2030-01-01", "Almaty", "rally", "", "", "", "", "", "", "C", "https://a.example/3"],
        ["s4", "2019-06-09", "Almaty", "detention", "", "", "", "40", "30", "incremental", "D", "https://a.example/4"],
        ["s5", "2019-06-09", "Almaty", "detention", "", "", "", "about 50", "", "incremental", "E",
         "https://a.example/5"],
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
        native_rows()[0],                                                   # same record_id as existing
        ["n2", "2019-06-09", "Almaty", "detention", "", "", "", "5", "", "incremental", "square",
         "https://a.example/1 https://b.example"],                          # same episode as existing r1
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
    rows = [[f"p{i}", "2019-06-09", "Almaty", "rally", "", "", "", "", "", "", "", f"https://a.example/{i}"]
            for i in range(25_000)]
    path = write_csv(tmp_path / "big.csv", NATIVE_HEADER, rows)
    calls = []
    result = run(path, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(10000, 25000), (20000, 25000), (25000, 25000)]
    assert result.counts["imported"] == 25_000


# --------------------------------------------------------------------------- hostile input

HOSTILE = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["=cmd|' /C calc'!A0", "<script>alert(1)</script>", '"', "'", ";", ",", "\t", "\n", "\r\n",
                     "99999999999999999999999", "-1", "1e400", "nan", "0001-01-01", "9999-12-31", "2019-06-09",
                     "09 June 2019", "Almaty", "Алматы", "43,25", "76.95", "about 50", "40-30", "", " ",
                     "https://a.example/x", "arrests=12; crowd size=around 200", "Arrests", "\x00", "\ufeff"]),
)


def hostile_rows(columns: list[str]):
    return st.lists(st.one_of(st.fixed_dictionaries({c: HOSTILE for c in columns}),
                              st.just({})), max_size=12)


def check_accounting(path: Path, n_rows: int, **kw):
    try:
        result = run(path, **kw)
    except ImportFileError:
        return  # a file-level problem (e.g. nothing but blank lines): nothing was imported
    assert result.total == n_rows
    c = result.counts
    assert c["imported"] + c["merged"] + c["rejected"] == n_rows
    for row in result.rejected.to_dict("records"):
        assert row["file"] == str(path) and isinstance(row["row"], (int, np.integer))
        assert row["column"] and row["reason"] and row["value"] is not None


def _write_hostile(tmp_path_factory, header, rows, **kw):
    path = tmp_path_factory.mktemp("h") / "hostile.csv"
    write_csv(path, header, rows, **kw)
    return path, len(read_table(path))


HYP = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@HYP
@given(rows=hostile_rows(["event_id_cnty", "event_date", "sub_event_type", "location", "admin1", "latitude",
                          "longitude", "geo_precision", "time_precision", "tags", "notes", "source"]))
def test_hostile_acled(tmp_path_factory, rows):
    path, n = _write_hostile(tmp_path_factory, ACLED_HEADER, [acled_row(**r) for r in rows])
    check_accounting(path, n, format="acled")


@HYP
@given(rows=hostile_rows(["date", "locality", "size_low", "size_high", "arrests", "injuries_crowd", "lat", "lon",
                          "source_1", "source_2"]))
def test_hostile_ccc(tmp_path_factory, rows):
    header = ["date", "locality", "size_low", "size_high", "arrests", "injuries_crowd", "injuries_police", "lat",
              "lon", "source_1", "source_2", "notes"]
    path, n = _write_hostile(tmp_path_factory, header, rows)
    check_accounting(path, n, format="ccc")


@HYP
@given(rows=hostile_rows(NATIVE_HEADER + ["period_start", "included_in"]))
def test_hostile_native(tmp_path_factory, rows):
    path, n = _write_hostile(tmp_path_factory, NATIVE_HEADER + ["period_start", "included_in"], rows)
    check_accounting(path, n, format="native")


@HYP
@given(rows=hostile_rows(["№", "Дата", "Город", "Широта", "Долгота", "Задержано", "Источник"]),
       delimiter=st.sampled_from([",", ";", "\t"]))
def test_hostile_mapped(tmp_path_factory, rows, delimiter):
    header = ["№", "Дата", "Город", "Широта", "Долгота", "Задержано", "Источник"]
    path, n = _write_hostile(tmp_path_factory, header, rows, delimiter=delimiter)
    mapping = {"record_id": "№", "date": "Дата", "city": "Город", "latitude": "Широта", "longitude": "Долгота",
               "detained_low": "Задержано", "source_urls": "Источник", "event_type": "=detention",
               "count_kind": "=incremental"}
    check_accounting(path, n, mapping=mapping)


# --------------------------------------------------------------------------- GeoPackage


def _gpkg_frame():
    import geopandas as gpd
    from shapely.geometry import LineString, Point

    return gpd.GeoDataFrame(
        {
            "record_id": ["p1", "p2", "p3"],
            "date": ["2019-06-09", "2019-06-10", "2019-06-10"],
            "city": ["Almaty", "Astana", "Almaty"],
            "event_type": ["rally", "detention", "rally"],
            "geo_precision": [1, 2, 1],
            "detained_low": [None, 12.0, None],
            "count_kind": ["", "incremental", ""],
            "source_urls": ["https://a.example/1", "https://a.example/2", "https://a.example/3"],
        },
        geometry=[Point(76.95, 43.25), Point(71.43, 51.128), LineString([(76.9, 43.2), (77.0, 43.3)])],
        crs="EPSG:4326",
    )


def test_geopackage_input_exact_records(tmp_path):
    path = tmp_path / "points.gpkg"
    _gpkg_frame().to_file(path, driver="GPKG", layer="incidents")
    result = run(path)
    assert result.counts == {"imported": 2, "merged": 0, "flagged": 0, "rejected": 1, "total": 3}
    got = result.records[["record_id", "date", "city", "event_type", "latitude", "longitude", "geo_precision",
                          "detained_low", "count_kind", "source_urls", "source_row"]]
    expected = pd.DataFrame({
        "record_id": ["p1", "p2"],
        "date": pd.to_datetime(["2019-06-09", "2019-06-10"]).astype("datetime64[ns]"),
        "city": ["Almaty", "Astana"],
        "event_type": ["rally", "detention"],
        "latitude": [43.25, 51.128],
        "longitude": [76.95, 71.43],
        "geo_precision": pd.array([1, 2], dtype="Int64"),
        "detained_low": pd.array([pd.NA, 12], dtype="Int64"),
        "count_kind": ["", "incremental"],
        "source_urls": ["https://a.example/1", "https://a.example/2"],
        "source_row": [1, 2],
    })
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_dtype=False)
    assert result.records["date"].dtype == "datetime64[ns]"
    assert list(result.records["flags"]) == ["", ""]
    assert result.rejected.loc[0, "row"] == 3 and result.rejected.loc[0, "column"] == "geometry"
    assert result.rejected.loc[0, "value"] == "LineString geometry"
    assert result.rejected.loc[0, "record_id"] == "p3"
    assert result.notes[0] == "read as GeoPackage"


def test_geopackage_layers_and_crs(tmp_path):
    path = tmp_path / "two.gpkg"
    frame = _gpkg_frame()
    frame.iloc[:1].to_file(path, driver="GPKG", layer="first")
    frame.iloc[1:2].to_file(path, driver="GPKG", layer="second")
    assert list(read_table(path).frame["record_id"]) == ["p1"]
    assert list(run(path, layer="second").records["record_id"]) == ["p2"]
    with pytest.raises(ImportFileError, match="no layer 'third'.*first, second"):
        read_table(path, layer="third")
    projected = tmp_path / "projected.gpkg"
    frame.to_crs("EPSG:3857").to_file(projected, driver="GPKG")
    with pytest.raises(ImportFileError, match=r"EPSG:3857.*must be in WGS84.*reproject"):
        read_table(projected)
    with pytest.raises(ImportFileError, match="EPSG:3857"):
        import_rows(projected, boundaries=None)
    broken = tmp_path / "broken.gpkg"
    broken.write_text("not a geopackage")
    with pytest.raises(ImportFileError, match="not a readable GeoPackage"):
        read_table(broken)


# --------------------------------------------------------------------------- references to the store


def test_rows_may_point_at_existing_records(tmp_path):
    header = ["record_id", "date", "period_start", "period_end", "city", "event_type", "included_in",
              "contested_by", "source_urls"]
    first = [["KZ", "2019-06-09", "2019-06-09", "2019-06-12", "national", "detention", "", "", "https://a.example/kz"],
             ["ALA", "2019-06-09", "", "", "Almaty", "detention", "", "", "https://a.example/ala"]]
    existing = run(write_csv(tmp_path / "first.csv", header, first)).records
    rows = [["n1", "2019-06-10", "", "", "Almaty", "detention", "KZ", "ALA", "https://b.example/1"],
            ["n2", "2019-06-09", "", "", "Almaty", "detention", "ALA", "", "https://b.example/2"],
            ["n3", "2019-06-09", "", "", "Almaty", "detention", "NOPE", "", "https://b.example/3"],
            ["n4", "2019-06-09", "", "", "Almaty", "detention", "", "KZ GONE", "https://b.example/4"],
            ["n5", "2019-06-15", "", "", "Almaty", "detention", "KZ", "", "https://b.example/5"],
            ["n6", "2019-06-10", "", "", "Astana", "detention", "ALA", "", "https://b.example/6"]]
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
