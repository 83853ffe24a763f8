"""geo.join on tiny synthetic boundaries: whole output frames compared.

Almaty here is two 1° squares with a 0.004° (~325 m) strip between them, inside a
2° x 1° outline; Astana is a 1° square with a 2-district layer until 2022-12-01 and
a 3-district layer from then on.
"""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from geo.boundaries import DISTRICT_COLUMNS, BoundarySet, Layer
from geo.errors import CRSMismatchError
from geo.join import JOIN_CODES, OUTPUT_COLUMNS, _grid, join_incidents, place_by_stated_city

WEST = box(76.0, 43.0, 77.0, 44.0)
EAST = box(77.004, 43.0, 78.0, 44.0)
NORTH = box(71.0, 51.5, 72.0, 52.0)
SOUTH = box(71.0, 51.0, 72.0, 51.5)
SOUTH_WEST = box(71.0, 51.0, 71.5, 51.5)
SOUTH_EAST = box(71.5, 51.0, 72.0, 51.5)

ALMATY_LAYER = "almaty_test"
OLD, NEW = "astana_2_districts", "astana_3_districts"
CHANGE_NOTE = (
    "district boundaries of Astana changed in 2022-12; the district follows layer "
    f"{NEW} and may have changed that month"
)


def districts(rows, crs="EPSG:4326") -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {
            "district_id": [r[0] for r in rows],
            "name_en": [r[1] for r in rows],
            "name_ru": [r[1] for r in rows],
            "name_kk": [r[1] for r in rows],
            "area_km2": [0.0] * len(rows),
        },
        geometry=[r[2] for r in rows],
        crs=crs,
    )
    return frame[DISTRICT_COLUMNS]


def make_boundaries(almaty_crs="EPSG:4326", outline_crs="EPSG:4326") -> BoundarySet:
    almaty = Layer("almaty", ALMATY_LAYER, districts([("west", "West", WEST), ("east", "East", EAST)], crs=almaty_crs))
    old = Layer(
        "astana", OLD, districts([("north", "North", NORTH), ("south", "South", SOUTH)]), valid_to=date(2022, 12, 1)
    )
    new = Layer(
        "astana",
        NEW,
        districts(
            [
                ("north", "North", NORTH),
                ("south_west", "South-West", SOUTH_WEST),
                ("south_east", "South-East", SOUTH_EAST),
            ]
        ),
        valid_from=date(2022, 12, 1),
    )
    outlines = gpd.GeoDataFrame(
        {
            "city_id": ["almaty", "astana"],
            "name_en": ["Almaty", "Astana"],
            "name_ru": ["", ""],
            "name_kk": ["", ""],
            "attribution": ["", ""],
        },
        geometry=[box(76.0, 43.0, 78.0, 44.0), box(71.0, 51.0, 72.0, 52.0)],
        crs=outline_crs,
    )
    return BoundarySet((almaty, old, new), outlines)


BOUNDARIES = make_boundaries()


def records(rows, index=None) -> pd.DataFrame:
    """rows: (date, city, latitude, longitude, geo_precision)."""
    frame = pd.DataFrame(
        {
            "record_id": [f"r{i}" for i in range(len(rows))],
            "date": pd.to_datetime([r[0] for r in rows]),
            "city": pd.Series([r[1] for r in rows], dtype="str"),
            "latitude": [float(r[2]) for r in rows],
            "longitude": [float(r[3]) for r in rows],
            "geo_precision": pd.array([r[4] for r in rows], dtype="Int64"),
        },
    )
    if index is not None:
        frame.index = index
    return frame


def expected(frame: pd.DataFrame, rows, codes=()) -> pd.DataFrame:
    """rows: (city_id, district_id, district_name_en, attribution, join_note, boundary_layer);
    codes: the ``join_code`` of each row."""
    out = frame.copy()
    shown = [c for c in OUTPUT_COLUMNS if c != "join_code"]
    for name in OUTPUT_COLUMNS:
        values = list(codes) if name == "join_code" else [r[shown.index(name)] for r in rows]
        out[name] = pd.Series(values, index=frame.index, dtype="str")
    return out


def utm_distance_m(lon, lat, polygon, epsg) -> float:
    """Metres in UTM to the polygon as drawn in lon/lat (edges cut to 0.0001° first)."""
    point = gpd.GeoSeries([shapely.Point(lon, lat)], crs=4326).to_crs(epsg)
    drawn = gpd.GeoSeries([polygon], crs=4326).segmentize(1e-4).to_crs(epsg)
    return float(point.distance(drawn).iloc[0])


def test_every_attribution_outcome():
    frame = records(
        [
            ("2019-06-09", "Almaty", 43.5, 76.5, 1),  # district
            ("2019-06-09", "Almaty", 43.5, 77.5, 2),  # district (precision 2)
            ("2019-06-09", "Almaty", 43.5, 76.5, 3),  # precision 3 inside West: not pinned
            ("2019-06-09", "Almaty", np.nan, np.nan, 1),  # city, no coordinates
            ("2019-06-09", "Almaty", 45.0, 76.5, 1),  # outside
            ("2019-06-09", "national", np.nan, np.nan, pd.NA),  # unlocated
            ("2019-06-09", "other", np.nan, np.nan, 4),  # unlocated
        ]
    )
    want = expected(
        frame,
        [
            ("almaty", "west", "West", "district", "", ALMATY_LAYER),
            ("almaty", "east", "East", "district", "", ALMATY_LAYER),
            ("almaty", "", "", "city", "", ""),
            ("almaty", "", "", "city", "", ""),
            ("", "", "", "outside", "coordinates lie outside every city (Almaty, Astana)", ""),
            ("", "", "", "unlocated", "", ""),
            ("", "", "", "unlocated", "", ""),
        ],
        ["district", "district", "precision_city", "no_coordinates", "outside", "unlocated", "unlocated"],
    )
    pd.testing.assert_frame_equal(join_incidents(frame, BOUNDARIES), want)


def test_national_placed_by_its_point_and_coarse_or_odd_records():
    frame = records(
        [
            ("2019-06-09", "national", 43.5, 76.5, 1),
            ("2019-06-09", "other", 51.7, 71.5, 3),
            ("2019-06-09", "Almaty", 43.5, 76.5, pd.NA),
            ("2019-06-09", "Almaty", 95.0, 76.5, 1),
            ("2019-06-09", "Astana", 51.7, np.nan, 1),
        ]
    )
    want = expected(
        frame,
        [
            (
                "almaty",
                "west",
                "West",
                "district",
                "city given as 'national'; placed in Almaty by its coordinates",
                ALMATY_LAYER,
            ),
            ("astana", "", "", "city", "city given as 'other'; placed in Astana by its coordinates", ""),
            ("almaty", "", "", "city", "geo_precision missing; not placed in a district", ""),
            (
                "almaty",
                "",
                "",
                "city",
                "coordinates out of range (latitude within ±90, longitude within ±180 expected); not placed",
                "",
            ),
            ("astana", "", "", "city", "only one of latitude/longitude given; not placed", ""),
        ],
        ["placed_by_point", "placed_by_point", "no_precision", "out_of_range", "partial_coordinates"],
    )
    pd.testing.assert_frame_equal(join_incidents(frame, BOUNDARIES), want)


def test_swapped_coordinates_are_flagged():
    swapped = "coordinates look swapped (lat/lon exchanged); not placed in a district"
    frame = records(
        [
            ("2019-06-09", "Almaty", 76.5, 43.5, 1),  # the exchanged pair is inside Almaty
            ("2019-06-09", "national", 71.5, 51.5, 1),  # ... inside Astana, no city stated
            ("2019-06-09", "Almaty", 80.0, 45.0, 1),  # latitude holds a Kazakh longitude
        ]
    )
    want = expected(
        frame,
        [
            ("almaty", "", "", "city", swapped, ""),
            ("", "", "", "unlocated", swapped, ""),
            ("almaty", "", "", "city", swapped, ""),
        ],
        ["swapped", "swapped", "swapped"],
    )
    pd.testing.assert_frame_equal(join_incidents(frame, BOUNDARIES), want)


def test_point_in_the_other_city_is_flagged():
    frame = records(
        [
            ("2019-06-09", "Almaty", 51.7, 71.5, 1),
            ("2019-06-09", "Nur-Sultan", 43.5, 76.5, 1),
        ]
    )
    want = expected(
        frame,
        [
            (
                "almaty",
                "",
                "",
                "city",
                "coordinates lie in Astana, not in the stated city Almaty; not placed in a district",
                "",
            ),
            (
                "astana",
                "",
                "",
                "city",
                "coordinates lie in Almaty, not in the stated city Nur-Sultan; not placed in a district",
                "",
            ),
        ],
        ["other_city", "other_city"],
    )
    pd.testing.assert_frame_equal(join_incidents(frame, BOUNDARIES), want)


def test_gap_between_districts_nearest_within_tolerance_else_city():
    near_lon, far_lon, lat = 77.0005, 77.002, 43.5
    near_m = utm_distance_m(near_lon, lat, WEST, 32643)
    far_west = utm_distance_m(far_lon, lat, WEST, 32643)
    far_east = utm_distance_m(far_lon, lat, EAST, 32643)
    assert 30 < near_m < 50 and min(far_west, far_east) > 100
    far_name, far_m = ("West", far_west) if far_west <= far_east else ("East", far_east)
    frame = records(
        [
            ("2019-06-09", "Almaty", lat, near_lon, 1),
            ("2019-06-09", "Almaty", lat, far_lon, 2),
            ("2019-06-09", "Almaty", lat, far_lon, 3),  # coarse: no gap search, no note
        ]
    )
    want = expected(
        frame,
        [
            (
                "almaty",
                "west",
                "West",
                "district",
                f"in a gap between districts; assigned to nearest district West ({near_m:.0f} m)",
                ALMATY_LAYER,
            ),
            (
                "almaty",
                "",
                "",
                "city",
                f"in a gap between districts; nearest district {far_name} "
                f"is {far_m:.0f} m away, beyond the 100 m tolerance; not placed in a district",
                ALMATY_LAYER,
            ),
            ("almaty", "", "", "city", "", ""),
        ],
        ["nearest_district", "gap", "precision_city"],
    )
    pd.testing.assert_frame_equal(join_incidents(frame, BOUNDARIES), want)
    # a wider tolerance takes the far point too
    wide = join_incidents(frame, BOUNDARIES, gap_tolerance_m=500)
    assert wide["district_id"].tolist() == ["west", far_name.lower(), ""]


def test_point_on_a_shared_border_is_in_neither_district_like_sjoin():
    # the border between North and South runs along latitude 51.5 (sjoin 'within': no match)
    frame = records([("2020-01-01", "Astana", 51.5, 71.25, 1)])
    got = join_incidents(frame, BOUNDARIES)
    assert got["district_id"].tolist() == ["north"]  # tie at 0 m: the first district row
    assert got["join_note"].tolist() == ["in a gap between districts; assigned to nearest district North (0 m)"]


def test_layer_follows_the_date():
    point = (51.25, 71.75)
    frame = records(
        [
            ("2022-11-30", "Astana", *point, 1),
            ("2022-12-01", "Astana", *point, 1),
            ("2023-01-15", "Astana", *point, 1),
            (None, "Astana", *point, 1),
        ]
    )
    want = expected(
        frame,
        [
            ("astana", "south", "South", "district", "", OLD),
            ("astana", "south_east", "South-East", "district", CHANGE_NOTE, NEW),
            ("astana", "south_east", "South-East", "district", "", NEW),
            ("astana", "south_east", "South-East", "district", f"date missing; used the newest layer {NEW}", NEW),
        ],
        ["district", "boundary_change", "district", "no_date"],
    )
    pd.testing.assert_frame_equal(join_incidents(frame, BOUNDARIES), want)


def test_crs_mismatch_of_records_raises_naming_both():
    frame = records([("2019-06-09", "Almaty", 43.5, 76.5, 1)])
    points = gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(frame["longitude"], frame["latitude"]), crs=4326
    ).to_crs(32643)
    with pytest.raises(CRSMismatchError, match=r"EPSG:32643.*EPSG:4326"):
        join_incidents(points, BOUNDARIES)


@pytest.mark.parametrize("which", ["layer", "outlines"])
def test_crs_mismatch_of_boundaries_raises_naming_both(which):
    bad = make_boundaries(**{"almaty_crs" if which == "layer" else "outline_crs": "EPSG:3857"})
    frame = records([("2019-06-09", "Almaty", 43.5, 76.5, 1)])
    with pytest.raises(CRSMismatchError, match=r"EPSG:3857.*EPSG:4326"):
        join_incidents(frame, bad)


def test_geodataframe_in_wgs84_uses_its_points():
    frame = records([("2019-06-09", "Almaty", 0.0, 0.0, 1), ("2019-06-09", "Almaty", 0, 0, 1)])
    points = gpd.GeoDataFrame(
        frame.drop(columns=["latitude", "longitude"]),
        geometry=[shapely.Point(77.5, 43.5), None],
        crs=4326,
    )
    got = join_incidents(points, BOUNDARIES)
    assert isinstance(got, gpd.GeoDataFrame)
    assert got["district_id"].tolist() == ["east", ""]
    assert got["attribution"].tolist() == ["district", "city"]


def test_every_row_once_same_index_even_duplicated_and_extra_columns_kept():
    frame = records(
        [
            ("2019-06-09", "Almaty", 43.5, 76.5, 1),
            ("2019-06-09", "Almaty", 43.5, 77.5, 1),
            ("2019-06-09", "national", np.nan, np.nan, pd.NA),
        ],
        index=pd.Index(["a", "a", "b"]),
    )
    frame["summary"] = pd.Series(["x", "y", "z"], index=frame.index, dtype="str")
    want = expected(
        frame,
        [
            ("almaty", "west", "West", "district", "", ALMATY_LAYER),
            ("almaty", "east", "East", "district", "", ALMATY_LAYER),
            ("", "", "", "unlocated", "", ""),
        ],
        ["district", "district", "unlocated"],
    )
    got = join_incidents(frame, BOUNDARIES)
    pd.testing.assert_frame_equal(got, want)
    # joining again replaces the columns instead of doubling them
    pd.testing.assert_frame_equal(join_incidents(got, BOUNDARIES), want)
    assert "district_id" not in frame.columns  # the input is untouched
    before = frame.copy(deep=True)
    got.iloc[0, got.columns.get_loc("latitude")] = 0.0  # nor changed by a write to the output
    got.iloc[0, got.columns.get_loc("summary")] = "changed"
    got.iloc[0, got.columns.get_loc("geo_precision")] = 4
    pd.testing.assert_frame_equal(frame, before)


def test_empty_frame():
    frame = records([])
    pd.testing.assert_frame_equal(join_incidents(frame, BOUNDARIES), expected(frame, []))


JOIN_CODE_CASES = [  # (join_code, attribution, record): one tiny case per code
    ("district", "district", ("2019-06-09", "Almaty", 43.5, 76.5, 1)),
    ("nearest_district", "district", ("2019-06-09", "Almaty", 43.5, 77.0005, 1)),
    ("precision_city", "city", ("2019-06-09", "Almaty", 43.5, 76.5, 3)),
    ("no_coordinates", "city", ("2019-06-09", "Almaty", np.nan, np.nan, 1)),
    ("unlocated", "unlocated", ("2019-06-09", "national", np.nan, np.nan, pd.NA)),
    ("placed_by_point", "district", ("2019-06-09", "national", 43.5, 76.5, 1)),
    ("partial_coordinates", "unlocated", ("2019-06-09", "other", 43.5, np.nan, 1)),
    ("out_of_range", "city", ("2019-06-09", "Almaty", 95.0, 76.5, 1)),
    ("swapped", "city", ("2019-06-09", "Almaty", 76.5, 43.5, 1)),
    ("outside", "outside", ("2019-06-09", "Almaty", 45.0, 76.5, 1)),
    ("other_city", "city", ("2019-06-09", "Astana", 43.5, 76.5, 1)),
    ("no_precision", "city", ("2019-06-09", "Almaty", 43.5, 76.5, pd.NA)),
    ("no_layer", "city", ("2019-06-09", "Almaty", 43.5, 76.5, 1)),  # with LATE_ALMATY
    ("gap", "city", ("2019-06-09", "Almaty", 43.5, 77.002, 2)),
    ("no_date", "district", (None, "Astana", 51.25, 71.75, 1)),
    ("boundary_change", "district", ("2022-12-15", "Astana", 51.25, 71.75, 1)),
]


def late_almaty() -> BoundarySet:
    """BOUNDARIES with Almaty's only layer in force from 2020 on."""
    almaty, *astana = BOUNDARIES.layers
    late = Layer("almaty", almaty.name, almaty.districts, valid_from=date(2020, 1, 1))
    return BoundarySet((late, *astana), BOUNDARIES.outlines)


@pytest.mark.parametrize(("code", "attribution", "record"), JOIN_CODE_CASES, ids=[c[0] for c in JOIN_CODE_CASES])
def test_join_code_of_each_case(code, attribution, record):
    boundaries = late_almaty() if code == "no_layer" else BOUNDARIES
    got = join_incidents(records([record]), boundaries)
    assert (got["join_code"].tolist(), got["attribution"].tolist()) == ([code], [attribution])
    assert got["join_code"].dtype == got["join_note"].dtype


def test_join_code_is_one_stable_code_per_row_the_main_reason():
    assert {c[0] for c in JOIN_CODE_CASES} | {"no_boundaries"} == set(JOIN_CODES)
    frame = records([r for _, _, r in JOIN_CODE_CASES])
    got = join_incidents(frame, BOUNDARIES)
    assert list(got.columns[-3:]) == ["join_note", "join_code", "boundary_layer"]
    assert set(got["join_code"]) <= set(JOIN_CODES)
    # several fragments, one code: the main fragment wins over the placement by the
    # point and over the date; the placement by the point wins over the date
    frame = records(
        [
            ("2019-06-09", "national", 43.5, 77.002, 1),  # placed by its point, in a gap
            ("2022-12-15", "national", 51.25, 71.75, 1),  # placed by its point, boundaries changed
            (None, "Astana", 51.5, 71.25, 1),  # on a border (nearest district), no date
        ]
    )
    got = join_incidents(frame, BOUNDARIES)
    assert [note.count("; ") >= 1 for note in got["join_note"]] == [True, True, True]
    assert got["join_code"].tolist() == ["gap", "placed_by_point", "nearest_district"]
    # without boundaries every row says so
    plain = place_by_stated_city(records([JOIN_CODE_CASES[0][2], JOIN_CODE_CASES[4][2]]))
    assert plain["join_code"].tolist() == ["no_boundaries", "no_boundaries"]
    assert plain["attribution"].tolist() == ["city", "unlocated"]


def test_bad_input_says_what_was_expected():
    frame = records([("2019-06-09", "Almaty", 43.5, 76.5, 1)])
    with pytest.raises(ValueError, match=r"lack column\(s\) \['latitude'\]"):
        join_incidents(frame.drop(columns=["latitude"]), BOUNDARIES)
    with pytest.raises(TypeError, match="column 'date' has dtype"):
        join_incidents(frame.assign(date="2019-06-09"), BOUNDARIES)
    with pytest.raises(ValueError, match="gap_tolerance_m"):
        join_incidents(frame, BOUNDARIES, gap_tolerance_m=-1)


# ----------------------------------------------------------------- grid answer == sjoin


def voronoi_boundaries(seed: int) -> BoundarySet:
    """A messier city: 40 Voronoi districts, one multipolygon, a hole and a notch in the tiling."""
    rng = np.random.default_rng(seed)
    outline = shapely.Polygon([(76.0, 43.0), (77.3, 43.1), (77.5, 43.9), (76.6, 44.2), (75.9, 43.7)])
    seeds = shapely.multipoints(np.column_stack([rng.uniform(75.9, 77.5, 40), rng.uniform(43.0, 44.2, 40)]))
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=outline))
    cells = shapely.intersection(cells, outline)
    hole = shapely.Point(76.7, 43.6).buffer(0.05)
    cells = shapely.difference(cells, hole)
    cells = [c for c in cells if not c.is_empty]
    cells[0] = shapely.union(cells[0], box(77.6, 43.0, 77.7, 43.1))  # an exclave
    cells[1] = shapely.difference(cells[1], shapely.Point(*cells[1].centroid.coords[0]).buffer(0.01))
    layer = Layer("almaty", "voronoi", districts([(f"d{i}", f"D{i}", g) for i, g in enumerate(cells)]))
    outlines = gpd.GeoDataFrame(
        {"city_id": ["almaty"], "name_en": ["Almaty"], "name_ru": [""], "name_kk": [""], "attribution": [""]},
        geometry=[outline],
        crs=4326,
    )
    return BoundarySet((layer,), outlines)


def sjoin_district(lon, lat, layer: Layer) -> np.ndarray:
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
    joined = gpd.sjoin(points, layer.districts, predicate="within")
    assert not joined.index.duplicated().any()
    out = np.full(len(lon), "", dtype=object)
    out[joined.index.to_numpy()] = joined["district_id"].to_numpy()
    return out


def assert_matches_sjoin(lon, lat, boundaries: BoundarySet):
    layer = boundaries.layers[0]
    frame = pd.DataFrame(
        {
            "date": pd.Timestamp("2020-01-01"),
            "city": "Almaty",
            "latitude": lat,
            "longitude": lon,
            "geo_precision": pd.array([1] * len(lon), dtype="Int64"),
        }
    )
    got = join_incidents(frame, boundaries, gap_tolerance_m=0.0)
    want = sjoin_district(lon, lat, layer)
    plain = ~got["join_note"].str.startswith("in a gap").to_numpy()
    # everything sjoin places, the join places identically and without a gap note
    assert (got["district_id"].to_numpy()[want != ""] == want[want != ""]).all()
    assert plain[want != ""].all()
    # everything sjoin leaves out is out: a gap (0 m tolerance: only points on a border)
    left = want == ""
    assert not (plain[left] & (got["attribution"].to_numpy()[left] == "district")).any()
    on_border = got["attribution"].to_numpy()[left] == "district"
    assert (got["join_note"].to_numpy()[left][on_border] != "").all()


def test_grid_equals_sjoin_on_200k_random_points(point_test):
    boundaries = voronoi_boundaries(seed=1)
    rng = np.random.default_rng(7)
    n = 200_000
    lon, lat = rng.uniform(75.8, 77.8, n), rng.uniform(42.9, 44.3, n)
    # plus points exactly on vertices and on edges of the districts
    xy = shapely.get_coordinates(boundaries.layers[0].districts.geometry.array)
    mid = (xy[:-1] + xy[1:]) / 2
    lon = np.concatenate([lon, xy[:, 0], mid[:, 0]])
    lat = np.concatenate([lat, xy[:, 1], mid[:, 1]])
    assert_matches_sjoin(lon, lat, boundaries)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],  # the path, not state
)
@given(st.lists(st.tuples(st.floats(75.8, 77.8), st.floats(42.9, 44.3)), min_size=1, max_size=60))
def test_grid_equals_sjoin_property(point_test, points):
    lon = np.array([p[0] for p in points])
    lat = np.array([p[1] for p in points])
    assert_matches_sjoin(lon, lat, VORONOI)


def test_a_grid_is_built_only_once_its_points_outgrow_what_it_costs(monkeypatch):
    monkeypatch.setattr(_grid, "DIRECT_POINTS", 1_000)
    _grid._GRIDS.clear()
    layer = VORONOI.layers[0]
    grid = _grid._grid_for(layer.districts, VORONOI.outline("almaty"), "almaty")
    rng = np.random.default_rng(11)
    lon, lat = rng.uniform(75.8, 77.8, 600), rng.uniform(42.9, 44.3, 600)
    first = grid.locate(lon.copy(), lat.copy())
    assert not grid.built  # 600 points: tested directly
    second = grid.locate(lon.copy(), lat.copy())
    assert grid.built  # 1,200 points asked about: the grid pays for itself
    assert first.tolist() == second.tolist()
    assert set(first.tolist()) >= {0, 1, _grid._OUT}  # districts and outside among them
    _grid._GRIDS.clear()


VORONOI = voronoi_boundaries(seed=1)
