"""geo.boundaries: unit tests on tiny synthetic folders, then real-data tests on the reference folder."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from geo.boundaries import (
    DISTRICT_COLUMNS,
    OSM_ATTRIBUTION,
    boundary_report,
    check_boundaries,
    city_display_name,
    expected_district_count,
    load_boundaries,
)
from geo.errors import BoundariesNotConfigured, BoundaryCheckError
from geo.settings import EMBEDDED_BOUNDARIES, HOW_TO_GET_BOUNDARIES, get_settings

ASTANA_ATTRIBUTION = "Districts: Astana city GIS (gis.esaulet.kz), licence not established"


def _bow_tie(lon: float, lat: float, size: float) -> dict:
    ring = [[lon, lat], [lon + size, lat + size], [lon + size, lat], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _shift(geometry: dict, dlon: float) -> None:
    for ring in geometry["coordinates"]:
        for point in ring:
            point[0] += dlon


# ---------------------------------------------------------------- synthetic: good folder


def test_good_folder_loads(boundary_files, write_boundary_folder):
    folder = write_boundary_folder(boundary_files)
    boundaries = load_boundaries(folder)

    assert check_boundaries(folder) == []
    assert boundaries.warnings == ()
    assert boundaries.folder == folder.resolve()
    assert [layer.name for layer in boundaries.layers] == [
        "almaty_districts_osm2017",
        "astana_districts_2018_4",
        "astana_districts_2022_5",
        "astana_districts_2024_6",
    ]
    almaty = boundaries.layer_for("almaty", date(2019, 6, 10))
    assert list(almaty.districts.columns) == DISTRICT_COLUMNS
    assert almaty.districts.crs.to_epsg() == 4326
    assert len(almaty.districts) == 8
    assert almaty.attribution == OSM_ATTRIBUTION
    assert almaty.tiling.gap_km2 == pytest.approx(0, abs=1e-6)
    assert sorted(boundaries.outlines["city_id"]) == ["almaty", "astana"]
    assert list(boundaries.outlines["name_en"]) == ["Almaty", "Astana"]


@pytest.mark.parametrize(
    ("on", "layer_name", "count"),
    [
        (date(2018, 2, 28), None, None),
        (date(2018, 3, 1), "astana_districts_2018_4", 4),
        (date(2019, 6, 12), "astana_districts_2018_4", 4),
        (date(2022, 11, 30), "astana_districts_2018_4", 4),
        (date(2022, 12, 1), "astana_districts_2022_5", 5),
        (date(2024, 8, 31), "astana_districts_2022_5", 5),
        (date(2024, 9, 1), "astana_districts_2024_6", 6),
        (date(2030, 1, 1), "astana_districts_2024_6", 6),
    ],
)
def test_layer_for_picks_the_astana_layer_in_force(boundary_files, write_boundary_folder, on, layer_name, count):
    boundaries = load_boundaries(write_boundary_folder(boundary_files))
    layer = boundaries.layer_for("astana", on)
    if layer_name is None:
        assert layer is None
    else:
        assert (layer.name, len(layer.districts)) == (layer_name, count)


def test_astana_periods_are_dates(boundary_files, write_boundary_folder):
    boundaries = load_boundaries(write_boundary_folder(boundary_files))
    periods = [(layer.valid_from, layer.valid_to) for layer in boundaries.layers_for("astana")]
    assert periods == [
        (date(2018, 3, 1), date(2022, 12, 1)),
        (date(2022, 12, 1), date(2024, 9, 1)),
        (date(2024, 9, 1), None),
    ]


def test_attributions_for_a_map(boundary_files, write_boundary_folder):
    boundaries = load_boundaries(write_boundary_folder(boundary_files))
    assert boundaries.attributions("almaty", date(2019, 6, 9)) == [OSM_ATTRIBUTION]
    assert boundaries.attributions("astana", date(2019, 6, 9)) == [ASTANA_ATTRIBUTION, OSM_ATTRIBUTION]
    assert boundaries.attributions("astana", date(2010, 1, 1)) == [OSM_ATTRIBUTION]


def test_loads_are_cached_until_a_file_changes(boundary_files, write_boundary_folder):
    folder = write_boundary_folder(boundary_files)
    first = load_boundaries(folder)
    assert load_boundaries(folder) is first
    path = folder / "city_outlines_osm.geojson"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert load_boundaries(folder) is not first


def test_almaty_snapshot_choice(boundary_files, write_boundary_folder):
    boundary_files["almaty_districts_osm2031.geojson"] = boundary_files["almaty_districts_osm2017.geojson"]
    boundary_files["almaty_districts_osm2029.geojson"] = boundary_files.pop("almaty_districts_osm2017.geojson")
    folder = write_boundary_folder(boundary_files)
    assert load_boundaries(folder).layers_for("almaty")[0].name == "almaty_districts_osm2031"  # newest
    chosen = load_boundaries(folder, almaty_snapshot="2029")
    assert chosen.layers_for("almaty")[0].name == "almaty_districts_osm2029"
    with pytest.raises(BoundaryCheckError, match=r"no Almaty snapshot '2017'.*available: \['2029', '2031'\]"):
        load_boundaries(folder, almaty_snapshot="2017")


def test_check_false_loads_a_folder_that_fails_the_checks(boundary_files, write_boundary_folder):
    _shift(boundary_files["almaty_districts_osm2017.geojson"]["features"][6]["geometry"], -0.025)
    boundaries = load_boundaries(write_boundary_folder(boundary_files), check=False)
    layer = boundaries.layers_for("almaty")[0]
    assert (len(layer.districts), layer.tiling, boundaries.warnings) == (8, None, ())


@pytest.mark.parametrize(
    ("on", "count"),
    [
        (date(2018, 2, 28), 3),
        (date(2018, 3, 1), 4),
        (date(2022, 11, 30), 4),
        (date(2022, 12, 1), 5),
        (date(2024, 8, 31), 5),
        (date(2024, 9, 1), 6),
    ],
)
def test_expected_astana_district_count(on, count):
    assert expected_district_count("astana", on) == count


# ---------------------------------------------------------------- city names


@pytest.mark.parametrize(
    ("on", "en", "ru", "kk"),
    [
        (date(2019, 3, 22), "Astana", "Астана", "Астана"),
        (date(2019, 3, 23), "Nur-Sultan", "Нур-Султан", "Нұр-Сұлтан"),
        (date(2022, 9, 16), "Nur-Sultan", "Нур-Султан", "Нұр-Сұлтан"),
        (date(2022, 9, 17), "Astana", "Астана", "Астана"),
    ],
)
def test_astana_display_name(on, en, ru, kk):
    assert [city_display_name("astana", on, lang) for lang in ("en", "ru", "kk")] == [en, ru, kk]


def test_almaty_display_name_and_bad_arguments():
    assert [city_display_name("almaty", date(2019, 6, 9), lang) for lang in ("en", "ru", "kk")] == [
        "Almaty",
        "Алматы",
        "Алматы",
    ]
    with pytest.raises(ValueError, match="unknown city_id 'karaganda'"):
        city_display_name("karaganda", date(2019, 6, 9))
    with pytest.raises(ValueError, match="unknown language 'de'"):
        city_display_name("almaty", date(2019, 6, 9), "de")


# ---------------------------------------------------------------- synthetic: bad folders


def test_wrong_crs_is_an_error_naming_file_and_crs(boundary_files, write_boundary_folder):
    boundary_files["astana_districts_2022_5.geojson"]["crs"]["properties"]["name"] = "EPSG:3857"
    folder = write_boundary_folder(boundary_files)
    with pytest.raises(BoundaryCheckError) as caught:
        load_boundaries(folder)
    message = str(caught.value)
    assert "astana_districts_2022_5.geojson: CRS is EPSG:3857" in message
    assert "expected EPSG:4326 or OGC:CRS84" in message


def test_invalid_geometry_is_reported(boundary_files, write_boundary_folder):
    feature = boundary_files["almaty_districts_osm2017.geojson"]["features"][2]
    feature["geometry"] = _bow_tie(76.90, 43.20, 0.05)
    problems = check_boundaries(write_boundary_folder(boundary_files))
    assert problems == [
        "almaty_districts_osm2017.geojson, feature 3 (district_id 'auezov'): invalid geometry "
        "(Self-intersection[76.925 43.225]); expected a valid polygon (repair it, e.g. with shapely.make_valid)"
    ]


def test_non_polygon_geometry_is_reported(boundary_files, write_boundary_folder):
    feature = boundary_files["astana_districts_2024_6.geojson"]["features"][0]
    feature["geometry"] = {"type": "Point", "coordinates": [71.4, 51.1]}
    problems = check_boundaries(write_boundary_folder(boundary_files))
    assert problems == [
        "astana_districts_2024_6.geojson, feature 1 (district_id 'almaty_district'): "
        "geometry is a Point; expected a Polygon or MultiPolygon"
    ]


def test_wrong_district_count_is_reported(boundary_files, write_boundary_folder):
    # A 4-district layer claiming to be in force after the Nura split.
    boundary_files["astana_districts_2018_4.geojson"] = boundary_files.pop("astana_districts_2022_5.geojson")
    for feature in boundary_files["astana_districts_2018_4.geojson"]["features"]:
        feature["properties"].update(valid_from="2018-03", valid_to="2024-09")
    problems = check_boundaries(write_boundary_folder(boundary_files))
    assert problems == [
        "astana_districts_2018_4.geojson: valid period 2018-03 to 2024-09 spans changes in the district "
        "count: 4 districts from March 2018 (Baikonyr formed); 5 districts from Dec 2022 (Nura split from "
        "Yesil); expected one period with one district count"
    ]


def test_missing_district_is_reported_with_count_and_gap(boundary_files, write_boundary_folder):
    del boundary_files["almaty_districts_osm2017.geojson"]["features"][7]
    problems = check_boundaries(write_boundary_folder(boundary_files))
    assert (
        problems[0] == "almaty_districts_osm2017.geojson: 7 districts; expected 8 for almaty (undated) "
        "(Almaty's 8 districts (since Nauryzbay was formed in 2014))"
    )
    assert problems[1].startswith("almaty_districts_osm2017.geojson: gap of ")
    assert "12.50%, city area covered by no district" in problems[1]
    assert len(problems) == 2


def test_overlapping_districts_are_reported(boundary_files, write_boundary_folder):
    # Move Turksib (second row, third column) half a cell west, over Nauryzbay.
    _shift(boundary_files["almaty_districts_osm2017.geojson"]["features"][6]["geometry"], -0.025)
    problems = check_boundaries(write_boundary_folder(boundary_files))
    assert len(problems) == 2
    assert problems[0].startswith("almaty_districts_osm2017.geojson: districts overlap by ")
    assert "nauryzbay/turksib" in problems[0]
    assert "the tolerance is 1% of the city's area" in problems[0]
    assert problems[1].startswith("almaty_districts_osm2017.geojson: gap of ")


def test_gap_larger_than_tolerance_is_reported(boundary_files, write_boundary_folder):
    # Shrink Yesil (4-district layer) by a 0.01° strip: about 2 % of the city.
    ring = boundary_files["astana_districts_2018_4.geojson"]["features"][3]["geometry"]["coordinates"][0]
    for point in ring:
        point[1] = min(point[1], 51.24)
    problems = check_boundaries(write_boundary_folder(boundary_files))
    assert len(problems) == 1
    assert problems[0].startswith("astana_districts_2018_4.geojson: gap of ")
    assert "against the city outline of" in problems[0]


def test_small_hole_is_a_warning_not_a_problem(boundary_files, write_boundary_folder):
    # Cut a 0.005° square hole (about 0.2 km²) into Almaly.
    geometry = boundary_files["almaty_districts_osm2017.geojson"]["features"][1]["geometry"]
    geometry["coordinates"].append([[76.87, 43.22], [76.87, 43.225], [76.875, 43.225], [76.875, 43.22], [76.87, 43.22]])
    boundaries = load_boundaries(write_boundary_folder(boundary_files))
    (warning,) = boundaries.warnings
    assert warning.startswith("almaty_districts_osm2017.geojson: 1 unassigned hole(s) between districts, 0.2")
    assert "A point there joins to no district." in warning


def test_several_problems_are_reported_together(boundary_files, write_boundary_folder):
    almaty = boundary_files["almaty_districts_osm2017.geojson"]["features"]
    almaty[0]["properties"]["district_id"] = "almaly"  # duplicate id
    del almaty[1]["properties"]["name_kk"]
    boundary_files["astana_districts_2024_6.geojson"]["crs"]["properties"]["name"] = "urn:ogc:def:crs:EPSG::3857"
    for feature in boundary_files["astana_districts_2022_5.geojson"]["features"]:
        feature["properties"]["valid_to"] = "2025-01"  # overlaps the 6-district layer, spans the Saraishyk split
    folder = write_boundary_folder(boundary_files)
    (folder / "city_outlines_osm.geojson").write_text("{not json", encoding="utf-8")

    problems = check_boundaries(folder)
    assert [p.split(";")[0].split(" (")[0] for p in problems] == [
        "city_outlines_osm.geojson: not readable as GeoJSON",
        "almaty_districts_osm2017.geojson: property 'name_kk' missing or empty in feature(s) 2",
        "almaty_districts_osm2017.geojson: district_id 'almaly' appears 2 times",
        "astana_districts_2022_5.geojson: valid period 2022-12 to 2025-01 spans changes in the district count: "
        "5 districts from Dec 2022",
        "astana_districts_2024_6.geojson: CRS is EPSG:3857",
        "astana_districts_2022_5.geojson and astana_districts_2024_6.geojson: valid periods overlap",
    ]
    with pytest.raises(BoundaryCheckError) as caught:
        load_boundaries(folder)
    message = str(caught.value)
    assert message.startswith(f"6 problem(s) in the boundary files in {folder.resolve()}:\n")
    assert all(f"- {problem}" in message for problem in problems)


def test_gap_between_astana_periods_is_a_warning(boundary_files, write_boundary_folder):
    del boundary_files["astana_districts_2022_5.geojson"]
    boundaries = load_boundaries(write_boundary_folder(boundary_files))
    assert boundaries.warnings == (
        "astana_districts_2018_4.geojson and astana_districts_2024_6.geojson: no Astana layer is in force "
        "from 2022-12-01 to 2024-09-01 (the periods are not contiguous)",
    )
    assert boundaries.layer_for("astana", date(2023, 6, 1)) is None


def test_bad_month_is_reported(boundary_files, write_boundary_folder):
    for feature in boundary_files["astana_districts_2024_6.geojson"]["features"]:
        feature["properties"]["valid_from"] = "Sept 2024"
    problems = check_boundaries(write_boundary_folder(boundary_files))
    assert problems == [
        "astana_districts_2024_6.geojson: property 'valid_from': 'Sept 2024' is not a month; "
        "expected 'YYYY-MM' or '' (open)"
    ]


def test_missing_files_are_reported(boundary_files, write_boundary_folder):
    del boundary_files["city_outlines_osm.geojson"]
    folder = write_boundary_folder(boundary_files)
    assert check_boundaries(folder) == [f"{folder}: no city outline file; expected city_outlines_osm.geojson"]
    with pytest.raises(BoundaryCheckError, match="no city outline file"):
        load_boundaries(folder, check=False)


# ---------------------------------------------------------------- not configured


def test_with_no_setting_the_shipped_boundaries_load(monkeypatch, tmp_path):
    monkeypatch.delenv("PROTESTMAP_BOUNDARIES", raising=False)
    monkeypatch.setenv("PROTESTMAP_CACHE", str(tmp_path / "empty-cache"))
    bset = load_boundaries()
    assert bset.folder == EMBEDDED_BOUNDARIES
    assert [(layer.city_id, len(layer.districts)) for layer in bset.layers] == [
        ("almaty", 8),
        ("astana", 4),
        ("astana", 5),
        ("astana", 6),
    ]
    assert check_boundaries(EMBEDDED_BOUNDARIES) == []
    # a fetched copy in the cache comes first, a folder named by the setting before both
    fetched = tmp_path / "cache" / "boundaries"
    shutil.copytree(EMBEDDED_BOUNDARIES, fetched)
    monkeypatch.setenv("PROTESTMAP_CACHE", str(tmp_path / "cache"))
    assert get_settings().boundaries_dir == fetched
    monkeypatch.setenv("PROTESTMAP_BOUNDARIES", str(tmp_path / "mine"))
    assert get_settings().boundaries_dir == tmp_path / "mine"


def test_without_any_boundaries_it_says_how_to_get_them(monkeypatch, tmp_path):
    monkeypatch.delenv("PROTESTMAP_BOUNDARIES", raising=False)
    monkeypatch.setenv("PROTESTMAP_CACHE", str(tmp_path / "empty-cache"))
    monkeypatch.setattr("geo.settings.EMBEDDED_BOUNDARIES", tmp_path / "removed")
    with pytest.raises(BoundariesNotConfigured) as caught:
        load_boundaries()
    assert str(caught.value) == HOW_TO_GET_BOUNDARIES
    assert "data/boundaries" in HOW_TO_GET_BOUNDARIES and "boundaries fetch" in HOW_TO_GET_BOUNDARIES


def test_missing_folder_raises_not_configured_with_the_path(monkeypatch, tmp_path):
    missing = tmp_path / "nowhere"
    monkeypatch.setenv("PROTESTMAP_BOUNDARIES", str(missing))
    for call in (load_boundaries, check_boundaries):
        with pytest.raises(BoundariesNotConfigured) as caught:
            call()
        assert str(caught.value).startswith(HOW_TO_GET_BOUNDARIES)
        assert str(missing) in str(caught.value)


def test_empty_folder_raises_not_configured(tmp_path):
    with pytest.raises(BoundariesNotConfigured, match="holds no almaty_districts_osm"):
        load_boundaries(tmp_path)


# ---------------------------------------------------------------- real data


ALMATY_NAMES = {
    "alatau": ("Alatau", "Алатауский район", "Алатау ауданы", 105.48),
    "almaly": ("Almaly", "Алмалинский район", "Алмалы ауданы", 18.16),
    "auezov": ("Auezov", "Ауэзовский район", "Әуезов ауданы", 23.66),
    "bostandyk": ("Bostandyk", "Бостандыкский район", "Бостандық ауданы", 98.56),
    "medeu": ("Medeu", "Медеуский район", "Медеу ауданы", 273.43),
    "nauryzbay": ("Nauryzbay", "Наурызбайский район", "Наурызбай ауданы", 69.76),
    "turksib": ("Turksib", "Турксибский район", "Түрксіб ауданы", 75.43),
    "zhetysu": ("Zhetysu", "Жетысуский район", "Жетісу ауданы", 39.40),
}

#: Areas (km²) from SOURCES.md, by layer.
ASTANA_AREAS = {
    4: {"almaty_district": 154.70, "baikonyr": 182.91, "yesil": 394.43, "saryarka": 67.69},
    5: {"almaty_district": 154.70, "baikonyr": 182.91, "yesil": 205.52, "saryarka": 67.69, "nura": 188.91},
    6: {
        "almaty_district": 84.84,
        "baikonyr": 182.91,
        "yesil": 205.52,
        "saryarka": 67.69,
        "nura": 188.91,
        "saraishyk": 69.85,
    },
}


def test_real_folder_passes_every_check(boundary_real_dir):
    report = boundary_report(boundary_real_dir)
    assert report.problems == ()
    assert len(report.warnings) == 1 and report.warnings[0].startswith(
        "almaty_districts_osm2026.geojson: 7 unassigned hole(s) between districts, 0.51 km² in total"
    )


def test_real_almaty_districts(boundary_real_dir):
    boundaries = load_boundaries(boundary_real_dir)
    assert boundaries.warnings == ()
    layer = boundaries.layer_for("almaty", date(2019, 6, 9))
    assert layer.name == "almaty_districts_osm2017"
    found = {
        row.district_id: (row.name_en, row.name_ru, row.name_kk, round(row.area_km2, 2))
        for row in layer.districts.itertuples()
    }
    assert found == ALMATY_NAMES
    assert layer.tiling.gap_km2 == pytest.approx(0.046, abs=0.001)
    assert layer.tiling.overhang_km2 == pytest.approx(0.028, abs=0.001)


@pytest.mark.parametrize(
    ("on", "count"),
    [(date(2019, 6, 9), 4), (date(2022, 11, 30), 4), (date(2022, 12, 1), 5), (date(2024, 9, 1), 6)],
)
def test_real_astana_layers_by_date(boundary_real_dir, on, count):
    layer = load_boundaries(boundary_real_dir).layer_for("astana", on)
    areas = dict(zip(layer.districts["district_id"], layer.districts["area_km2"].round(2)))
    assert areas == pytest.approx(ASTANA_AREAS[count], abs=0.01)
    assert "Yesil (Esil)" in list(layer.districts["name_en"])
    assert layer.tiling.gap_km2 == pytest.approx(1.392, abs=0.001)
    assert layer.tiling.share(layer.tiling.gap_km2) == pytest.approx(0.0017, abs=0.0001)


def test_real_attributions(boundary_real_dir):
    boundaries = load_boundaries(boundary_real_dir)
    assert boundaries.attributions("almaty", date(2019, 6, 9)) == ["© OpenStreetMap contributors"]
    assert boundaries.attributions("astana", date(2019, 6, 9)) == [ASTANA_ATTRIBUTION, OSM_ATTRIBUTION]
    assert {layer.license for layer in boundaries.layers_for("astana")} == {
        "not established (public municipal ArcGIS layer, empty copyright field)"
    }


def test_real_2026_snapshot_loads_with_its_hole_warning(boundary_real_dir):
    boundaries = load_boundaries(boundary_real_dir, almaty_snapshot="2026")
    layer = boundaries.layers_for("almaty")[0]
    assert layer.name == "almaty_districts_osm2026"
    assert layer.districts.set_index("district_id")["area_km2"]["medeu"] == pytest.approx(273.11, abs=0.01)
    assert layer.tiling.holes == 7
    assert layer.tiling.holes_km2 == pytest.approx(0.51, abs=0.01)
    assert layer.tiling.gap_km2 == pytest.approx(1.997, abs=0.001)
    (warning,) = boundaries.warnings
    assert "the largest, 0.15 km², is near 76.8858E 43.2382N" in warning
