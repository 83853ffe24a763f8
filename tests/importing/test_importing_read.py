"""geo.importing, reading: encodings, delimiters, ragged rows, GeoJSON, GeoPackage, unreadable files."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from importing_support import NATIVE_HEADER, native_rows, run, write_csv

from geo.importing import ImportFileError, detect_format, import_rows, read_table

# --------------------------------------------------------------------------- reading


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
    lines = [
        ",".join(NATIVE_HEADER),
        ",".join(native_rows()[0]),
        "r3,2019-06-11,Almaty,rally,,,,,,,,https://a.example/3,EXTRA,CELLS",
        "r4,2019-06-11,Almaty,rally,,,,,,,Place",  # one cell short: the source is missing
        "r5,2019-06-12,Almaty,rally,,,,,,,,https://a.example/5",
        "",
        "r6,2019-06-13,Almaty,rally,,,,,,",
    ]  # two short: trailing blanks only... and no source
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
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [76.95, 43.25]},
                "properties": {
                    "record_id": "g1",
                    "date": "2019-06-09",
                    "city": "Almaty",
                    "event_type": "rally",
                    "geo_precision": 1,
                    "source_urls": "https://a.example/1",
                },
            },
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [[76.9, 43.2], [77, 43.3]]},
                "properties": {
                    "record_id": "g2",
                    "date": "2019-06-09",
                    "city": "Almaty",
                    "event_type": "rally",
                    "source_urls": "https://a.example/2",
                },
            },
        ],
    }
    path = tmp_path / "points.geojson"
    path.write_text(json.dumps(fc), encoding="utf-8")
    result = run(path)
    assert result.records.loc[0, "latitude"] == 43.25 and result.records.loc[0, "source_row"] == 1
    assert result.rejected.loc[0, "column"] == "geometry" and result.rejected.loc[0, "row"] == 2
    fc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}
    path.write_text(json.dumps(fc), encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"3857.*WGS84"):
        read_table(path)


def test_unreadable_files(tmp_path):
    with pytest.raises(ImportFileError, match="file not found"):
        read_table(tmp_path / "nope.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ImportFileError, match="is empty"):
        read_table(empty)


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
    got = result.records[
        [
            "record_id",
            "date",
            "city",
            "event_type",
            "latitude",
            "longitude",
            "geo_precision",
            "detained_low",
            "count_kind",
            "source_urls",
            "source_row",
        ]
    ]
    expected = pd.DataFrame(
        {
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
        }
    )
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
    with pytest.raises(ImportFileError, match=r"no layer 'third'.*first, second"):
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


def test_one_wgs84_rule_for_declared_crs_names():
    from geo.records import is_wgs84

    for name in [
        "urn:ogc:def:crs:OGC:1.3:CRS84",
        "OGC:CRS84",
        "EPSG:4326",
        "urn:ogc:def:crs:EPSG::4326",
        "epsg:4326",
        "WGS84",
        "EPSG 4326",
    ]:
        assert is_wgs84(name), name
    for name in ["urn:ogc:def:crs:EPSG::3857", "EPSG:32643", "EPSG:14326", "WGS 84 / UTM zone 43N", ""]:
        assert not is_wgs84(name), name
