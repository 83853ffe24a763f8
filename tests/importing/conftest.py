"""Fixtures of the geo.importing tests (helpers: ``importing_support``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from importing_support import ACLED_HEADER, acled_row, write_csv


@pytest.fixture
def acled_file(tmp_path) -> Path:
    rows = [
        acled_row(
            event_id_cnty="KAZ1001",
            event_date="2019-06-09",
            sub_event_type="Protest with intervention",
            actor2="Police Forces of Kazakhstan (2019-)",
            latitude="43,238",
            longitude="76,945",
            source="Radio Azattyq; Vlast.kz",
            notes="Protesters rallied against the election.",
            tags="crowd size=around 200; arrests=12",
        ),
        acled_row(
            event_id_cnty="KAZ1002",
            event_date="10 June 2019",
            sub_event_type="Arrests",
            admin1="Nur-Sultan",
            location="Нур-Султан",
            latitude="51.16",
            longitude="71.47",
            geo_precision="3",
            time_precision="2",
            source="Reuters",
            notes="Police detained dozens.",
            tags="crowd size=dozens",
        ),
        acled_row(event_id_cnty="KAZ1003", event_date="June 11th"),
        acled_row(
            event_id_cnty="KAZ1004",
            event_date="12 June 2019",
            sub_event_type="Excessive force against protesters",
            location="Astana",
            admin1="Nur-Sultan",
            latitude="51.128",
            longitude="71.43",
            geo_precision="2",
        ),
        acled_row(
            event_id_cnty="KAZ1005",
            event_date="2019-06-12",
            sub_event_type="Violent demonstration",
            location="Kazakhstan",
            admin1="",
            latitude="48.0",
            longitude="67.0",
            geo_precision="3",
        ),
        acled_row(
            event_id_cnty="KAZ1006",
            event_date="2019-06-13",
            location="Shymkent",
            admin1="Shymkent",
            latitude="42.3",
            longitude="69.6",
            tags="crowd size=between 30 and 40",
        ),
    ]
    return write_csv(tmp_path / "acled.csv", ACLED_HEADER, rows)
