"""geo.join.join_kept: the join's answer kept in a folder, read back only for the very same question."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import geo.join
from benchmarks.join import synthetic_records
from benchmarks.scale import complete
from benchmarks.timing import reference_boundaries
from geo.join import _kept, join_incidents, join_kept

BOUNDARIES = reference_boundaries()


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    frame = complete(synthetic_records(BOUNDARIES, 3_000, 8))
    frame.loc[frame.index[:40], ["latitude", "longitude"]] = np.nan  # city level
    frame.loc[frame.index[20:60], "city"] = "national"  # 20 of them without coordinates: unlocated
    return frame


def _no_join(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the points were placed again")

    monkeypatch.setattr(geo.join, "join_incidents", refuse)


def test_the_second_join_reads_the_first_answer(records, tmp_path, monkeypatch):
    want = join_incidents(records, BOUNDARIES)
    first = join_kept(records, BOUNDARIES, tmp_path)
    pd.testing.assert_frame_equal(first, want)
    (kept,) = tmp_path.glob("*.arrow")
    _no_join(monkeypatch)
    again = join_kept(records, BOUNDARIES, tmp_path)
    pd.testing.assert_frame_equal(again, want)
    assert set(want["attribution"]) >= {"district", "city", "unlocated"}
    assert kept.stat().st_size < len(records) * 7  # a few distinct values per column: compressed codes, not texts


@pytest.mark.parametrize(
    "change", ["latitude", "precision", "date", "city", "tolerance", "boundaries", "district name"]
)
def test_any_change_to_what_decides_a_placement_places_the_points_again(records, tmp_path, change):
    join_kept(records, BOUNDARIES, tmp_path)
    changed, bset, tol = records.copy(), BOUNDARIES, 100.0
    row = changed.index[100]
    if change == "latitude":
        changed.loc[row, "latitude"] += 0.05
    elif change == "precision":
        changed.loc[row, "geo_precision"] = 4 if changed.loc[row, "geo_precision"] != 4 else 1
    elif change == "date":
        changed.loc[row, "date"] = pd.Timestamp("2026-03-01")
    elif change == "city":
        changed.loc[row, "city"] = "Almaty" if changed.loc[row, "city"] != "Almaty" else "Astana"
    elif change == "tolerance":
        tol = 5_000.0
    elif change == "district name":  # the same polygons, a district renamed: its name is in the answer
        first = BOUNDARIES.layers[0]
        renamed = first.districts.assign(name_en=first.districts["name_en"].where(first.districts.index != 0, "X"))
        bset = dataclasses.replace(
            BOUNDARIES, layers=(dataclasses.replace(first, districts=renamed), *BOUNDARIES.layers[1:])
        )
    else:
        from geo.boundaries import load_boundaries
        from geo.settings import get_settings

        bset = load_boundaries(get_settings().boundaries_dir, almaty_snapshot="2026")
    got = join_kept(changed, bset, tmp_path, gap_tolerance_m=tol)
    pd.testing.assert_frame_equal(got, join_incidents(changed, bset, gap_tolerance_m=tol))
    if change == "district name":
        assert "X" in set(got["district_name_en"])
    assert len(list(tmp_path.glob("*.arrow"))) == 2


def test_a_damaged_or_unwritable_folder_only_costs_the_time(records, tmp_path):
    want = join_incidents(records, BOUNDARIES)
    join_kept(records, BOUNDARIES, tmp_path)
    (kept,) = tmp_path.glob("*.arrow")
    kept.write_bytes(b"not an arrow file")
    pd.testing.assert_frame_equal(join_kept(records, BOUNDARIES, tmp_path), want)  # placed again, kept again
    pd.testing.assert_frame_equal(join_kept(records, BOUNDARIES, tmp_path), want)
    blocked = tmp_path / "a-file"
    blocked.write_text("a file where the folder would be", encoding="utf-8")
    pd.testing.assert_frame_equal(join_kept(records, BOUNDARIES, blocked), want)
    assert blocked.read_text(encoding="utf-8") == "a file where the folder would be"


def test_the_folder_keeps_the_most_recently_used(records, tmp_path, monkeypatch):
    monkeypatch.setattr(_kept, "KEPT", 3)
    frames = [records.assign(geo_precision=records["geo_precision"].where(records.index != i, 4)) for i in range(5)]
    for frame in frames:
        join_kept(frame, BOUNDARIES, tmp_path)
    assert len(list(tmp_path.glob("*.arrow"))) == 3
    _no_join(monkeypatch)
    join_kept(frames[-1], BOUNDARIES, tmp_path)  # the newest is there
    with pytest.raises(AssertionError, match="placed again"):
        join_kept(frames[0], BOUNDARIES, tmp_path)  # the oldest went


def test_without_a_folder_nothing_is_read_nor_written(records, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a kept answer was looked for or written")

    monkeypatch.setattr(_kept, "read", refuse)
    monkeypatch.setattr(_kept, "keep", refuse)
    pd.testing.assert_frame_equal(join_kept(records, BOUNDARIES, None), join_incidents(records, BOUNDARIES))


def test_a_read_only_folder_is_read_and_left_as_it_is(records, tmp_path, monkeypatch):
    want = join_kept(records, BOUNDARIES, tmp_path)
    (kept,) = tmp_path.glob("*.arrow")
    before = kept.stat().st_mtime_ns

    def refuse(*args, **kwargs):
        raise PermissionError("read-only file system")

    monkeypatch.setattr(_kept.os, "utime", refuse)
    _no_join(monkeypatch)
    pd.testing.assert_frame_equal(join_kept(records, BOUNDARIES, tmp_path), want)
    assert kept.stat().st_mtime_ns == before
