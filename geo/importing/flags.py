"""Flags on validated records: swapped coordinates, outside both cities, future dates.

With boundaries, :func:`geo.join.join_incidents` decides (its ``join_code``); without,
coarse bounding boxes of the two cities do.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from geo.errors import BoundariesNotConfigured, BoundaryCheckError
from geo.importing.values import _join_text

# coarse boxes (lon0, lat0, lon1, lat1), a little wider than the OSM city outlines
# (Almaty 76.74-77.17 E, 43.03-43.40 N; Astana 71.22-71.79 E, 50.86-51.35 N)
_BOXES = {"Almaty": (76.70, 43.00, 77.20, 43.45), "Astana": (71.18, 50.83, 71.82, 51.38)}


def _in_boxes(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    inside = np.zeros(lon.shape, dtype=bool)
    for x0, y0, x1, y1 in _BOXES.values():
        inside |= (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
    return inside


def _flag_records(records: pd.DataFrame, today: date, boundaries) -> tuple[pd.DataFrame, str]:
    if records.empty:
        records["flags"] = pd.Series(dtype=str)
        return records, "no records to check"
    extra = [pd.Series(records["flags"].to_numpy(dtype=object), index=records.index)]
    future = (records["date"] > pd.Timestamp(today)).to_numpy(dtype=bool)
    extra.append(pd.Series(_said(future, f"date after today ({today.isoformat()})"), index=records.index))
    lat = records["latitude"].to_numpy(dtype=float)
    lon = records["longitude"].to_numpy(dtype=float)
    has = np.isfinite(lat) & np.isfinite(lon)
    bset, note = _boundaries(boundaries)
    if bset is not None and has.any():
        from geo.join import join_incidents

        joined = join_incidents(records[["date", "city", "latitude", "longitude", "geo_precision"]], bset)
        swapped = (joined["join_code"] == "swapped").to_numpy(dtype=bool)
        outside = (joined["attribution"] == "outside").to_numpy(dtype=bool)
    else:
        inside = _in_boxes(lon, lat)
        swapped = has & ~inside & _in_boxes(lat, lon)
        outside = has & ~inside & ~swapped
    extra.append(pd.Series(_said(swapped, "latitude and longitude look swapped (kept as given)"), index=records.index))
    extra.append(pd.Series(_said(outside, "coordinates lie outside both cities"), index=records.index))
    records["flags"] = _join_text(extra, "; ").to_numpy()
    return records, note


def _said(mask: np.ndarray, message: str) -> np.ndarray:
    """``message`` where ``mask``, else ``""``: one Python string shared by every row (not a fixed-width array)."""
    out = np.full(len(mask), "", dtype=object)
    out[mask] = message
    return out


def _boundaries(boundaries):
    coarse = (
        "swapped / outside checked against coarse bounding boxes of Almaty and Astana "
        "(no district boundaries configured)"
    )
    if boundaries is None:
        return None, coarse.replace("no district boundaries configured", "boundaries not used")
    if boundaries != "auto":
        return boundaries, "swapped / outside checked with geo.join.join_incidents on the given boundaries"
    from geo.boundaries import load_boundaries

    try:
        bset = load_boundaries()
    except (BoundariesNotConfigured, BoundaryCheckError):
        return None, coarse
    return bset, f"swapped / outside checked with geo.join.join_incidents on {bset.folder}"
