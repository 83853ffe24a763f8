"""The embedded dataset against the research it was built from (incidents_2019.csv).

Collected only when ``PROTESTMAP_RESEARCH`` names the research folder (``.ci/run``
sets it where the research sits beside the checkout; see tests/conftest.py): the
project never needs those files, and a clone without them runs every other test.
"""

from __future__ import annotations

import os
from pathlib import Path

from test_dataset import (  # noqa: F401
    COUNT_COLUMNS,
    SEED_ALMATY,
    SEED_NATIONAL,
    _int,
    _read_dicts,
    by_id,
    rows,
)

RESEARCH = Path(os.environ["PROTESTMAP_RESEARCH"]).expanduser() / "incidents_2019.csv"

#: Research values deliberately changed in the dataset (documented in the README).
AMENDED = {
    ("ALA-20190610-04", "participants_high"): ("", "200"),  # Al Jazeera: about 200 supporters
    # counts of a part of those detained: a floor for their area and period, never its total
    ("NQZ-20190611-01", "count_kind"): ("cumulative", "partial"),  # the capital's detainees moved away
    ("NQZ-20190611-01", "detained_high"): ("200", ""),
    ("KZ-20190612-01", "count_kind"): ("cumulative", "partial"),  # at least 13 journalists
    ("KZ-20190612-01", "detained_high"): ("13", ""),
    ("KZ-20220115-01", "count_kind"): ("cumulative", "partial"),  # about 2,000 arrested for crimes
}
#: Columns whose research text must be kept unchanged.
UNCHANGED = [
    "date",
    "time_local",
    "time_precision",
    "city",
    "place_name_en",
    "place_name_ru",
    "coord_source",
    "geo_precision",
    "event_type",
    "count_kind",
    "summary",
]


def test_the_research_file_is_there():
    assert RESEARCH.is_file(), f"PROTESTMAP_RESEARCH names a folder without incidents_2019.csv: {RESEARCH}"


def test_every_research_record_is_kept(by_id):  # noqa: F811 (the fixture imported above)
    research = _read_dicts(RESEARCH)
    assert len(research) == 86
    missing = [r["record_id"] for r in research if r["record_id"] not in by_id]
    assert not missing, f"research records missing from the dataset: {missing}"
    extra = set(by_id) - {r["record_id"] for r in research}
    assert extra == {SEED_NATIONAL, SEED_ALMATY}, f"unexpected extra records: {sorted(extra)}"

    for src in research:
        rid = src["record_id"]
        row = by_id[rid]
        for col in UNCHANGED + COUNT_COLUMNS:
            want = src[col]
            if (rid, col) in AMENDED:
                old, new = AMENDED[(rid, col)]
                assert want == old, f"{rid}.{col}: research value changed, update AMENDED"
                want = new
            if col in COUNT_COLUMNS:
                assert _int(row[col]) == _int(want), f"{rid}.{col}: {row[col]!r} != research {want!r}"
            else:
                assert row[col] == want, f"{rid}.{col}: {row[col]!r} != research {want!r}"
        for col in ("latitude", "longitude"):
            if src[col]:
                assert row[col] and float(row[col]) == float(src[col]), f"{rid}.{col}"
            else:
                assert row[col] == "", f"{rid}.{col}: coordinate added that the research does not give"
        assert set(src["source_urls"].split()) <= set(row["source_urls"].split()), f"{rid}: a source URL was dropped"
        assert row["source_names"].startswith(src["source_names"]), f"{rid}: source_names changed"
        assert row["notes"].startswith(src["notes"]), f"{rid}: research notes changed"
