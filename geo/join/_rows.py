"""Stage 1 of the join: the input checked and reduced to numpy arrays (:class:`_Rows`)."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geo.boundaries import BoundarySet
from geo.errors import CRSMismatchError
from geo.join._common import _NO_COORDS, _OUT_OF_RANGE, _PARTIAL, _VALID, WGS84, _days
from geo.schema import CITIES

# --------------------------------------------------------------------------- checks


@dataclass
class _Rows:
    """The input reduced to numpy arrays, one entry per record."""

    lon: np.ndarray  # float64
    lat: np.ndarray  # float64
    coords: np.ndarray  # int8: _NO_COORDS, _PARTIAL, _OUT_OF_RANGE, _VALID
    city_code: np.ndarray  # int: index into city_values, -1 when blank
    city_values: list  # distinct stated ``city`` values
    precise: np.ndarray  # bool: geo_precision 1 or 2
    precision_missing: np.ndarray  # bool
    day: np.ndarray  # int64 days since 1970-01-01 (meaningless where no_date)
    no_date: np.ndarray  # bool: date is NaT


def _basic_checks(records, boundaries, gap_tolerance_m) -> _Rows:
    if not isinstance(records, pd.DataFrame):
        raise TypeError(f"records must be a pandas DataFrame or GeoDataFrame, got {type(records).__name__}")
    if not isinstance(boundaries, BoundarySet):
        raise TypeError(f"boundaries must be a geo.boundaries.BoundarySet, got {type(boundaries).__name__}")
    tol = float(gap_tolerance_m)
    if not np.isfinite(tol) or tol < 0:
        raise ValueError(f"gap_tolerance_m must be a finite number >= 0, got {gap_tolerance_m!r}")
    _check_boundary_crs(boundaries)

    is_geo = isinstance(records, gpd.GeoDataFrame) and records._geometry_column_name in records
    needed = ["date", "city", "geo_precision"] + ([] if is_geo else ["latitude", "longitude"])
    missing = [c for c in needed if c not in records.columns]
    if missing:
        raise ValueError(
            f"records lack column(s) {missing}; join_incidents expects a records frame "
            "(geo.schema: date, city, latitude, longitude, geo_precision) or a GeoDataFrame "
            "with point geometry and date, city, geo_precision"
        )
    if is_geo:
        lon, lat = _points_xy(records)
    else:
        lon = _float_column(records, "longitude")
        lat = _float_column(records, "latitude")

    have_lon, have_lat = ~np.isnan(lon), ~np.isnan(lat)
    coords = np.full(len(records), _NO_COORDS, dtype=np.int8)
    coords[have_lon ^ have_lat] = _PARTIAL
    both = have_lon & have_lat
    in_range = (np.abs(lat) <= 90.0) & (np.abs(lon) <= 180.0)  # False for inf
    coords[both & ~in_range] = _OUT_OF_RANGE
    coords[both & in_range] = _VALID

    city_code, city_values = _factorize_city(records["city"])
    precision = _float_column(records, "geo_precision")

    date_col = records["date"]
    if not pd.api.types.is_datetime64_any_dtype(date_col.dtype):
        raise TypeError(
            f"column 'date' has dtype {date_col.dtype}; expected datetime64 (geo.schema), "
            "e.g. pandas.to_datetime(records['date'])"
        )
    if isinstance(date_col.dtype, pd.DatetimeTZDtype):
        date_col = date_col.dt.tz_localize(None)
    day, no_date = _days(date_col.to_numpy())
    return _Rows(
        lon=lon,
        lat=lat,
        coords=coords,
        city_code=np.asarray(city_code),
        city_values=list(city_values),
        precise=(precision == 1) | (precision == 2),
        precision_missing=np.isnan(precision),
        day=day,
        no_date=no_date,
    )


def _factorize_city(col: pd.Series) -> tuple[np.ndarray, list]:
    """Codes (-1 for blank) and distinct values of ``city``; fast for arrow strings."""
    arrow = getattr(col.array, "_pa_array", None)
    if arrow is not None and _is_arrow_string(arrow.type):
        import pyarrow as pa
        import pyarrow.compute as pc

        known = pa.array(list(CITIES), type=arrow.type)
        codes = pc.index_in(arrow, value_set=known).to_numpy(zero_copy_only=False)
        unknown = np.isnan(codes)
        codes = np.where(unknown, -1, codes).astype(np.int64)
        values = list(CITIES)
        if unknown.any():
            extra, extra_values = pd.factorize(col[unknown], use_na_sentinel=True)
            codes[unknown] = np.where(extra >= 0, extra + len(values), -1)
            values += list(extra_values)
        return codes, values
    codes, values = pd.factorize(col, use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64), list(values)


def _is_arrow_string(arrow_type) -> bool:
    import pyarrow as pa

    return pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)


def _crs_matches_wgs84(crs) -> bool:
    return crs is not None and CRS.from_user_input(crs).equals(WGS84, ignore_axis_order=True)


def _crs_name(crs) -> str:
    return "no CRS (None)" if crs is None else CRS.from_user_input(crs).to_string()


def _check_boundary_crs(boundaries: BoundarySet) -> None:
    for layer in boundaries.layers:
        if not _crs_matches_wgs84(layer.districts.crs):
            raise CRSMismatchError(
                f"district layer {layer.name!r} ({layer.city_id}) is in "
                f"{_crs_name(layer.districts.crs)}; expected EPSG:4326 like the incident "
                "coordinates. Load it in EPSG:4326 (join_incidents never reprojects silently)."
            )
    if not _crs_matches_wgs84(boundaries.outlines.crs):
        raise CRSMismatchError(
            f"the city outlines are in {_crs_name(boundaries.outlines.crs)}; expected EPSG:4326 "
            "like the incident coordinates. Load them in EPSG:4326."
        )


def _points_xy(records: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    if not _crs_matches_wgs84(records.crs):
        raise CRSMismatchError(
            f"records are in {_crs_name(records.crs)} but the boundaries are in EPSG:4326; "
            "expected records in EPSG:4326 (use records.to_crs(4326), or set_crs(4326) "
            "if the coordinates already are longitude/latitude)"
        )
    geoms = np.asarray(records.geometry.array, dtype=object)
    kinds = shapely.get_type_id(geoms)
    bad = (kinds != 0) & (kinds != -1)  # 0 = Point, -1 = missing
    if bad.any():
        found = sorted(set(shapely.get_type_id(geoms[bad]).tolist()))
        names = [shapely.GeometryType(k).name for k in found]
        raise TypeError(f"records geometry must be points (or missing); found {names}")
    return shapely.get_x(geoms), shapely.get_y(geoms)  # NaN for missing and empty


def _float_column(records: pd.DataFrame, name: str) -> np.ndarray:
    col = records[name]
    try:
        if not isinstance(col.dtype, np.dtype) or col.dtype.kind not in "fiu":
            col = col.astype("Float64")
        return col.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"column {name!r} has dtype {records[name].dtype} and is not numeric; "
            f"expected numbers with NaN/NA for blanks ({err})"
        ) from None
