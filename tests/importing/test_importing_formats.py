"""geo.importing, format by format: ACLED (current and older columns), CCC, mapped team sheets."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from importing_support import TODAY, run, write_csv

from geo import importing as im
from geo.importing import (
    ACLED_CITATION_URL,
    MappingError,
    detect_format,
    import_rows,
    load_mapping,
    preview,
    read_table,
)

# --------------------------------------------------------------------------- ACLED


def test_acled_current_columns_exact_values(acled_file):
    table = read_table(acled_file)
    assert detect_format(table) == "acled" and im.acled_generation(table) == "current"
    result = run(acled_file)
    assert result.counts == {"imported": 5, "merged": 0, "flagged": 4, "rejected": 1, "total": 6}
    rec = result.records.set_index("record_id")

    a = rec.loc["ACLED-KAZ1001"]
    assert a["date"] == pd.Timestamp("2019-06-09")
    assert (a["city"], a["place_name_en"], a["latitude"], a["longitude"]) == ("Almaty", "Almaty", 43.238, 76.945)
    # a protest with intervention whose arrests ACLED states is a detention of that many
    assert (a["geo_precision"], a["time_precision"], a["event_type"]) == (1, "day", "detention")
    assert (a["detained_low"], a["detained_high"], a["count_kind"]) == (12, 12, "incremental")
    assert (a["participants_low"], a["participants_high"]) == (200, 200)
    assert a["source_urls"] == ACLED_CITATION_URL
    assert a["source_names"] == "Radio Azattyq; Vlast.kz"
    assert a["notes"] == (
        "Protesters rallied against the election. ACLED: protest with intervention (police intervened)."
    )
    assert a["flags"] == "crowd size stated as text ('around 200' read as 200)"
    assert a["acled_rule"] == (
        "event_type detention by rule arrests_stated (sub_event_type 'Protest with intervention'); "
        "detained 12 from tags; participants 200 from the crowd size tag"
    )
    assert (a["acled_event_id_cnty"], a["acled_actor2"], a["acled_timestamp"]) == (
        "KAZ1001",
        "Police Forces of Kazakhstan (2019-)",
        "1560100000",
    )

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
    assert d["flags"] == "ACLED Violent demonstration (a riot); coordinates lie outside both cities"
    assert d["acled_rule"] == "event_type rally by rule sub_event_type (sub_event_type 'Violent demonstration')"
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
    header = [
        "data_id",
        "iso",
        "event_id_cnty",
        "event_id_no_cnty",
        "event_date",
        "year",
        "time_precision",
        "event_type",
        "sub_event_type",
        "actor1",
        "assoc_actor_1",
        "inter1",
        "actor2",
        "assoc_actor_2",
        "inter2",
        "interaction",
        "region",
        "country",
        "admin1",
        "admin2",
        "admin3",
        "location",
        "latitude",
        "longitude",
        "geo_precision",
        "source",
        "source_scale",
        "notes",
        "fatalities",
        "timestamp",
        "iso3",
    ]
    rows = [
        {
            "data_id": "7458963",
            "iso": "398",
            "event_id_cnty": "KAZ55",
            "event_id_no_cnty": "55",
            "event_date": "09 June 2019",
            "year": "2019",
            "time_precision": "1",
            "event_type": "Protests",
            "sub_event_type": "Protest with intervention",
            "inter1": "6",
            "inter2": "1",
            "interaction": "16",
            "country": "Kazakhstan",
            "admin1": "Almaty",
            "location": "Almaty",
            "latitude": "43.25",
            "longitude": "76.95",
            "geo_precision": "1",
            "source": "Vlast.kz",
            "notes": "About 100 people gathered. [size=about 100]",
            "timestamp": "1560200000",
            "iso3": "KAZ",
        }
    ]
    path = write_csv(tmp_path / "acled_old.csv", header, rows)
    table = read_table(path)
    assert detect_format(table) == "acled" and im.acled_generation(table) == "old"
    result = run(path)
    [rec] = result.records.to_dict("records")
    assert (rec["record_id"], rec["participants_low"], rec["event_type"], rec["city"]) == (
        "ACLED-KAZ55",
        100,
        "rally",
        "Almaty",
    )


# --------------------------------------------------------------------------- CCC


def test_ccc_file(tmp_path):
    header = [
        "date",
        "locality",
        "state",
        "location_detail",
        "type",
        "claims",
        "size_text",
        "size_low",
        "size_high",
        "arrests",
        "injuries_crowd",
        "injuries_police",
        "notes",
        "lat",
        "lon",
        "source_1",
        "source_2",
        "source_3",
    ]
    rows = [
        {
            "date": "2019-06-09",
            "locality": "Almaty",
            "location_detail": "Astana Square",
            "claims": "fair election",
            "size_low": "500",
            "size_high": "1000",
            "arrests": "about 30",
            "injuries_crowd": "2",
            "injuries_police": "1",
            "lat": "43.238",
            "lon": "76.945",
            "source_1": "https://rus.azattyq.org/a/1.html",
            "source_2": "Vlast.kz",
            "source_3": "https://vlast.kz/2.html",
        },
        {
            "date": "10.06.2019",
            "locality": "Нур-Султан",
            "location_detail": "Railway station",
            "size_text": "hundreds",
            "arrests": "30-40",
            "source_1": "https://kz.kursiv.media/3",
        },
        {
            "date": "2019-06-11",
            "locality": "Almaty",
            "location_detail": "Old Square",
            "arrests": "several",
            "source_1": "https://x.example/4",
        },
        {
            "date": "2019-06-12",
            "locality": "Almaty",
            "location_detail": "Republic Square",
            "arrests": "40-30",
            "source_1": "Tengrinews (print)",
        },
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
        "Nur-Sultan",
        30,
        40,
        pd.Timestamp("2019-06-10"),
    )
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
        [
            "1",
            "09.06.2019",
            "Алматы",
            "площадь Астана",
            "43,2380",
            "76,9450",
            "задержание",
            "около 50",
            "https://rus.azattyq.org/a/1.html",
        ],
        ["2", "10.06.2019", "Нур-Султан", "вокзал", "51,1600", "71,4700", "митинг", "", "https://vlast.kz/x"],
        ["3", "31.02.2019", "Алматы", "", "", "", "митинг", "", "https://vlast.kz/y"],
    ]
    path = write_csv(tmp_path / "команда.csv", header, rows, delimiter=";", encoding="cp1251")
    mapping_path = tmp_path / "map.toml"
    mapping_path.write_text(
        'record_id = "№"\nid_prefix = "team"\ndate = "Дата"\ndate_format = "%d.%m.%Y"\ncity = "Город"\n'
        'place_name_ru = "Место"\nlatitude = "Широта"\nlongitude = "Долгота"\nevent_type = "Тип"\n'
        'detained_low = "Задержано"\nsource_urls = "Источник"\ncount_kind = "=incremental"\n',
        encoding="utf-8",
    )
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
    assert (a["city"], a["place_name_ru"], a["latitude"], a["longitude"]) == (
        "Almaty",
        "площадь Астана",
        43.238,
        76.945,
    )
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
    path = write_csv(
        tmp_path / "sheet.csv",
        ["when", "link", "n"],
        [["2019-06-09", "https://a.example/1", "12"], ["2019-06-09", "https://a.example/1", "12"]],
    )
    mapping = {
        "date": "when",
        "city": "=Almaty",
        "event_type": "=detention",
        "source_urls": "link",
        "detained_low": "n",
        "count_kind": "=incremental",
    }
    result = run(path, mapping=mapping)
    assert result.counts["imported"] == 1 and result.counts["merged"] == 1
    assert result.records.loc[0, "record_id"].startswith("sheet-")
    assert result.merged.loc[0, "why"] == "same record_id as row 2 of this file"
