"""District rankings: incidents and reconciled detentions per district, with the remainders.

A district table adds up: the districts' floors plus the city-level remainder
(figures known only to city level) give the city's floor, and a national
remainder (figures no source splits by city) is shown beside it, never
spread over districts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from geo.aggregate import Area, Reconciler
from geo.boundaries import BoundarySet

#: Columns of :func:`district_table`.
COLUMNS = [
    "district_id",
    "name_en",
    "name_ru",
    "name_kk",
    "area_km2",
    "incidents",
    "detained_low",
    "detained_high",
    "detained_per_km2",
    "incidents_per_km2",
    "kind",
]


@dataclass(frozen=True)
class IncidentCounts:
    """The incident counts of a district table: records, never summed detentions."""

    #: district_id -> records placed in that district of the city
    districts: dict[str, int]
    #: records of the city not placed in a district
    city_level: int
    #: records stated as national
    national: int


def incident_counts(joined: pd.DataFrame, city_id: str) -> IncidentCounts:
    """:class:`IncidentCounts` of ``city_id`` in joined records (the view's)."""
    in_city = (joined["city_id"] == city_id).to_numpy(dtype=bool)
    placed = in_city & (joined["attribution"] == "district").to_numpy(dtype=bool)
    districts = joined["district_id"][placed].value_counts()  # one column, not the whole frame
    return IncidentCounts(
        {str(k): int(v) for k, v in districts.items()},
        int((in_city & ~placed).sum()),
        int((joined["city"] == "national").sum()),
    )


def district_table(
    joined: pd.DataFrame,
    boundaries: BoundarySet,
    *,
    city_id: str,
    start: date,
    end: date,
    counts: IncidentCounts | None = None,
) -> pd.DataFrame:
    """One row per district of ``city_id`` (layer in force on ``end``), then the remainders.

    Parameters
    ----------
    joined : pandas.DataFrame
        Joined records (:func:`geo.join.join_incidents`) filtered to the view's
        dates and event types but not by city: the national remainder needs
        every city's figures.
    boundaries : BoundarySet
    city_id : str
        ``almaty`` or ``astana``.
    start, end : date
        The window of the reconciled figures.
    counts : IncidentCounts or None
        The incident counts when they were counted elsewhere (a database); by
        default they are counted in ``joined``.

    Returns
    -------
    pandas.DataFrame
        :data:`COLUMNS`; ``kind`` is ``district`` for districts (sorted by
        detentions, then incidents), ``city_level`` for what the city's records
        give beyond its districts, ``unallocated`` for the national figure's
        part that no source assigns to a city.  ``detained_high`` is ``<NA>``
        when open-ended.
    """
    layer = boundaries.layer_for(city_id, end)
    if layer is None:
        raise ValueError(f"no district layer of {city_id!r} is in force on {end}")
    frame = layer.districts[["district_id", "name_en", "name_ru", "name_kk", "area_km2"]].copy()
    if counts is None:
        counts = incident_counts(joined, city_id)
    frame["incidents"] = frame["district_id"].map(counts.districts).fillna(0).astype(int)

    reconcile = Reconciler(joined)  # prepared once for the dozen areas asked below
    lows, highs = [], []
    for district_id in frame["district_id"]:
        result = reconcile.range(Area(city_id, district_id), start=start, end=end, breakdown=False)
        lows.append(result.detained_low)
        highs.append(result.detained_high)
    frame["detained_low"] = lows
    frame["detained_high"] = pd.array(highs, dtype="Int64")
    frame["kind"] = "district"
    frame = frame.sort_values(["detained_low", "incidents", "name_en"], ascending=[False, False, True])

    city = reconcile.range(Area(city_id), start=start, end=end, breakdown=False)
    national = reconcile.range(Area(), start=start, end=end)
    city_level = max(0, city.detained_low - int(frame["detained_low"].sum()))
    remainders = pd.DataFrame(
        [
            {
                "district_id": "",
                "name_en": "City level (no district)",
                "name_ru": "Уровень города (без района)",
                "name_kk": "Қала деңгейі (аудансыз)",
                "area_km2": pd.NA,
                "incidents": counts.city_level,
                "detained_low": city_level,
                "detained_high": pd.NA,
                "kind": "city_level",
            },
            {
                "district_id": "",
                "name_en": "National, not split by city",
                "name_ru": "По стране, без разбивки по городам",
                "name_kk": "Ел бойынша, қалаға бөлінбеген",
                "area_km2": pd.NA,
                "incidents": counts.national,
                "detained_low": national.breakdown.get("unallocated", 0),
                "detained_high": pd.NA,
                "kind": "unallocated",
            },
        ]
    )
    out = pd.concat([frame, remainders], ignore_index=True)
    area = pd.to_numeric(out["area_km2"], errors="coerce")
    out["area_km2"] = area
    out["detained_per_km2"] = (out["detained_low"] / area).round(3)
    out["incidents_per_km2"] = (out["incidents"] / area).round(3)
    out["detained_low"] = out["detained_low"].astype(int)
    out["detained_high"] = out["detained_high"].astype("Int64")
    return out[COLUMNS]
