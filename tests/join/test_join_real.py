"""geo.join on the real boundaries (folder from PROTESTMAP_BOUNDARIES).

Landmark coordinates are the well-known ones of their Wikipedia articles (degrees,
minutes, seconds converted to decimals), as cited beside each.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.boundaries import load_boundaries
from geo.join import join_incidents

# (name, latitude, longitude, expected district): Wikipedia coordinates
ALMATY_LANDMARKS = [
    ("Kok-Tobe", 43.2306, 76.9757, "medeu"),  # en.wikipedia "Kok Tobe" (43°13′50″N 76°58′33″E)
    ("Medeu rink", 43.1575, 77.0589, "medeu"),  # en.wikipedia "Medeu" (43°09′27″N 77°03′32″E)
    ("Almaty airport", 43.35528, 77.04472, "turksib"),  # "Almaty International Airport"
    ("Almaty-1 station", 43.34139, 76.94972, "turksib"),  # "Almaty-1" (43°20′29″N 76°56′59″E)
    # Republic Square: Bostandyk, ~290 m inside its border in both OSM snapshots (the
    # square lies south of Satpayev street, Bostandyk's northern edge there). No address
    # register was at hand to confirm it independently of the OSM polygons.
    ("Republic Square", 43.23833, 76.94528, "bostandyk"),  # "Republic Square (Almaty)"
    # Astana Square (the old square on Tole Bi / Panfilov, by KBTU): central Almaly district.
    ("Astana Square", 43.25472, 76.94306, "almaly"),  # "Astana Square (Almaty)"
]
ASTANA_LANDMARKS = [
    ("Baiterek", 51.12806, 71.43028, "yesil"),  # en.wikipedia "Bayterek (tower)"
    ("Akorda", 51.12583, 71.44639, "yesil"),  # "Ak Orda Presidential Palace" (51°07′33″N 71°26′47″E)
    ("Astana-1 station", 51.19444, 71.40889, "saryarka"),  # "Astana-1" (51°11′40″N 71°24′32″E)
]
ASTANA_DATES = ["2019-06-09", "2022-11-30", "2023-06-01", "2025-01-15"]  # 4, 4, 5, 6 districts


@pytest.fixture
def boundaries(boundary_real_dir):
    return load_boundaries(boundary_real_dir)


@pytest.fixture
def boundaries_2026(boundary_real_dir):
    return load_boundaries(boundary_real_dir, almaty_snapshot="2026")


def landmark_records(landmarks, city, dates):
    rows = [(d, name, lat, lon) for name, lat, lon, _ in landmarks for d in dates]
    return pd.DataFrame(
        {
            "record_id": [f"{name} {d}" for d, name, _, _ in rows],
            "date": pd.to_datetime([r[0] for r in rows]),
            "city": city,
            "latitude": [r[2] for r in rows],
            "longitude": [r[3] for r in rows],
            "geo_precision": pd.array([1] * len(rows), dtype="Int64"),
        }
    )


@pytest.mark.parametrize("snapshot", ["2017", "2026"])
def test_almaty_landmarks(snapshot, boundary_real_dir):
    boundaries = load_boundaries(boundary_real_dir, almaty_snapshot=snapshot)
    got = join_incidents(landmark_records(ALMATY_LANDMARKS, "Almaty", ["2019-06-09"]), boundaries)
    assert dict(zip(got["record_id"], got["district_id"])) == {
        f"{name} 2019-06-09": want for name, _, _, want in ALMATY_LANDMARKS
    }
    assert set(got["attribution"]) == {"district"}
    assert set(got["join_note"]) == {""}


def test_astana_landmarks_in_every_layer(boundaries):
    got = join_incidents(landmark_records(ASTANA_LANDMARKS, "Nur-Sultan", ASTANA_DATES), boundaries)
    want = [d for _, _, _, d in ASTANA_LANDMARKS for _ in ASTANA_DATES]
    assert got["district_id"].tolist() == want
    assert got["boundary_layer"].nunique() == 3  # the 2018, 2022 and 2024 layers were used
    assert set(got["join_note"]) == {""}


def test_the_largest_hole_of_the_2026_layer_goes_to_the_nearest_district(boundaries_2026):
    layer = boundaries_2026.layer_for("almaty", pd.Timestamp("2020-01-01").date())
    union = shapely.union_all(layer.districts.geometry.array)
    holes = gpd.GeoSeries(shapely.get_parts(shapely.difference(boundaries_2026.outline("almaty"), union)), crs=4326)
    hole = holes[holes.intersects(shapely.box(76.87, 43.225, 76.90, 43.25))]
    hole = hole.loc[hole.to_crs(32643).area.idxmax()]
    assert 0.1e6 < gpd.GeoSeries([hole], crs=4326).to_crs(32643).area.iloc[0] < 0.2e6
    point = hole.representative_point()
    # the expected answer, measured independently: metres in UTM 43N to each district
    at = gpd.GeoSeries([point], crs=4326).to_crs(32643).iloc[0]
    drawn = layer.districts.geometry.segmentize(1e-4).to_crs(32643)
    metres = drawn.distance(at).to_numpy()
    nearest = int(np.argmin(metres))
    assert metres[nearest] <= 100
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(["2020-01-01"]),
            "city": ["Almaty"],
            "latitude": [point.y],
            "longitude": [point.x],
            "geo_precision": pd.array([1], dtype="Int64"),
        }
    )
    got = join_incidents(frame, boundaries_2026)
    name = layer.districts["name_en"].iloc[nearest]
    assert got["district_id"].tolist() == [layer.districts["district_id"].iloc[nearest]]
    assert got["join_note"].tolist() == [
        f"in a gap between districts; assigned to nearest district {name} ({metres[nearest]:.0f} m)"
    ]


@pytest.mark.parametrize("snapshot", ["2017", "2026"])
def test_grid_equals_sjoin_on_real_layers(snapshot, boundary_real_dir, point_test):
    boundaries = load_boundaries(boundary_real_dir, almaty_snapshot=snapshot)
    rng = np.random.default_rng(3)
    for city, stated, when in [("almaty", "Almaty", "2020-01-01"), ("astana", "Astana", "2023-06-01")]:
        layer = boundaries.layer_for(city, pd.Timestamp(when).date())
        x0, y0, x1, y1 = layer.districts.total_bounds
        n = 150_000
        lon, lat = rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)
        frame = pd.DataFrame(
            {
                "date": pd.Timestamp(when),
                "city": stated,
                "latitude": lat,
                "longitude": lon,
                "geo_precision": pd.array([1] * n, dtype="Int64"),
            }
        )
        got = join_incidents(frame, boundaries, gap_tolerance_m=0.0)
        points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
        joined = gpd.sjoin(points, layer.districts, predicate="within")
        want = np.full(n, "", dtype=object)
        want[joined.index.to_numpy()] = joined["district_id"].to_numpy()
        assert (got["district_id"].to_numpy() == want).all(), city
