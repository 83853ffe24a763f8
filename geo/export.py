"""Records out: CSV (dates as YYYY-MM-DD, blanks as empty) and GeoJSON (points; null when unplaced)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import schema

#: Columns used inside the program that an export leaves out.
INTERNAL_COLUMNS = ["source_file", "source_row"]


def records_to_csv(records: pd.DataFrame) -> str:
    """The records as native CSV text."""
    frame = _plain(records)
    return frame.to_csv(index=False, lineterminator="\n")


def records_to_geojson(records: pd.DataFrame) -> str:
    """The records as a GeoJSON FeatureCollection in WGS84; records without coordinates get a null geometry."""
    frame = _plain(records)
    has_xy = records["latitude"].notna() & records["longitude"].notna()
    points = gpd.points_from_xy(records["longitude"], records["latitude"])
    geometry = gpd.GeoSeries([p if ok else None for p, ok in zip(points, has_xy)], index=frame.index, crs="EPSG:4326")
    gdf = gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")
    return gdf.to_json(na="null", drop_id=True, ensure_ascii=False)


def write_records(records: pd.DataFrame, out: Path) -> None:
    """Write ``records`` to ``out``; the format follows the extension (.csv, .geojson/.json)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    text = records_to_csv(records) if out.suffix.lower() == ".csv" else records_to_geojson(records)
    out.write_text(text, encoding="utf-8")


def _plain(records: pd.DataFrame) -> pd.DataFrame:
    frame = records.drop(columns=[c for c in INTERNAL_COLUMNS if c in records.columns])
    for col in schema.DATE_COLUMNS:
        if col in frame.columns:
            frame[col] = pd.to_datetime(frame[col]).dt.strftime("%Y-%m-%d").fillna("")
    return frame
