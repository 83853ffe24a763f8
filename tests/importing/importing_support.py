"""Helpers of the geo.importing tests: file writers, an ACLED row, and ``run``.

All input files are written by the tests into ``tmp_path``.  Coordinate flags use the
coarse city boxes (``boundaries=None``) unless a test passes a synthetic boundary set.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from geo import importing as im
from geo.importing import import_rows

TODAY = date(2024, 1, 1)

ACLED_HEADER = im.ACLED_COLUMNS


def acled_row(**cells) -> dict:
    base = dict.fromkeys(ACLED_HEADER, "")
    base.update(
        year="2019",
        time_precision="1",
        disorder_type="Demonstrations",
        event_type="Protests",
        sub_event_type="Peaceful protest",
        actor1="Protesters (Kazakhstan)",
        iso="398",
        region="Central Asia",
        country="Kazakhstan",
        admin1="Almaty",
        location="Almaty",
        latitude="43.238",
        longitude="76.945",
        geo_precision="1",
        source="Radio Azattyq",
        source_scale="National",
        notes="",
        fatalities="0",
        tags="",
        timestamp="1560100000",
    )
    base.update(cells)
    return base


def write_csv(
    path: Path, header: list[str], rows: list[dict] | list[list[str]], *, delimiter=",", encoding="utf-8"
) -> Path:
    with path.open("w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(c, "") for c in header] if isinstance(row, dict) else row)
    return path


def run(path, **kw):
    kw.setdefault("today", TODAY)
    kw.setdefault("boundaries", None)
    result = import_rows(path, **kw)
    result.check()
    return result


NATIVE_HEADER = [
    "record_id",
    "date",
    "city",
    "event_type",
    "latitude",
    "longitude",
    "geo_precision",
    "detained_low",
    "detained_high",
    "count_kind",
    "place_name_en",
    "source_urls",
]


def native_rows():
    return [
        [
            "r1",
            "2019-06-09",
            "Almaty",
            "detention",
            "43.25",
            "76.95",
            "1",
            "10",
            "20",
            "incremental",
            "Square",
            "https://a.example/1",
        ],
        ["r2", "2019-06-10", "Astana", "rally", "", "", "", "", "", "", "", "https://a.example/2"],
    ]
