"""geo.importing on hostile input: every row of every format accounted for."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from importing_support import ACLED_HEADER, NATIVE_HEADER, acled_row, run, write_csv

from geo.importing import ImportFileError, read_table

# --------------------------------------------------------------------------- hostile input

HOSTILE = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "=cmd|' /C calc'!A0",
            "<script>alert(1)</script>",
            '"',
            "'",
            ";",
            ",",
            "\t",
            "\n",
            "\r\n",
            "99999999999999999999999",
            "-1",
            "1e400",
            "nan",
            "0001-01-01",
            "9999-12-31",
            "2019-06-09",
            "09 June 2019",
            "Almaty",
            "Алматы",
            "43,25",
            "76.95",
            "about 50",
            "40-30",
            "",
            " ",
            "https://a.example/x",
            "arrests=12; crowd size=around 200",
            "Arrests",
            "\x00",
            "\ufeff",
        ]
    ),
)


def hostile_rows(columns: list[str]):
    return st.lists(st.one_of(st.fixed_dictionaries(dict.fromkeys(columns, HOSTILE)), st.just({})), max_size=12)


def check_accounting(path: Path, n_rows: int | None, **kw):
    if n_rows is None:  # the reader refused the file: the import must refuse it too
        with pytest.raises(ImportFileError):
            run(path, **kw)
        return
    try:
        result = run(path, **kw)
    except ImportFileError:
        return  # a file-level problem (e.g. nothing but blank lines): nothing was imported
    assert result.total == n_rows
    c = result.counts
    assert c["imported"] + c["merged"] + c["rejected"] == n_rows
    for row in result.rejected.to_dict("records"):
        assert row["file"] == str(path) and isinstance(row["row"], (int, np.integer))
        assert row["column"] and row["reason"] and row["value"] is not None


def _write_hostile(tmp_path_factory, header, rows, **kw):
    path = tmp_path_factory.mktemp("h") / "hostile.csv"
    write_csv(path, header, rows, **kw)
    try:
        return path, len(read_table(path))
    except ImportFileError:
        return path, None


HYP = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@HYP
@given(
    rows=hostile_rows(
        [
            "event_id_cnty",
            "event_date",
            "sub_event_type",
            "location",
            "admin1",
            "latitude",
            "longitude",
            "geo_precision",
            "time_precision",
            "tags",
            "notes",
            "source",
        ]
    )
)
def test_hostile_acled(tmp_path_factory, rows):
    path, n = _write_hostile(tmp_path_factory, ACLED_HEADER, [acled_row(**r) for r in rows])
    check_accounting(path, n, format="acled")


@HYP
@given(
    rows=hostile_rows(
        ["date", "locality", "size_low", "size_high", "arrests", "injuries_crowd", "lat", "lon", "source_1", "source_2"]
    )
)
def test_hostile_ccc(tmp_path_factory, rows):
    header = [
        "date",
        "locality",
        "size_low",
        "size_high",
        "arrests",
        "injuries_crowd",
        "injuries_police",
        "lat",
        "lon",
        "source_1",
        "source_2",
        "notes",
    ]
    path, n = _write_hostile(tmp_path_factory, header, rows)
    check_accounting(path, n, format="ccc")


@HYP
@given(rows=hostile_rows(NATIVE_HEADER + ["period_start", "included_in"]))
def test_hostile_native(tmp_path_factory, rows):
    path, n = _write_hostile(tmp_path_factory, NATIVE_HEADER + ["period_start", "included_in"], rows)
    check_accounting(path, n, format="native")


@HYP
@given(
    rows=hostile_rows(["№", "Дата", "Город", "Широта", "Долгота", "Задержано", "Источник"]),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
# Found by hypothesis: a text file whose first 63 characters hold 7 control characters was
# refused as "not a text table"; control characters in text are the rows' business.
@example(rows=[{"№": "\x01\x02\x03", "Дата": "\x1b\x7f", "Город": "\x00\x08"}], delimiter=",")
def test_hostile_mapped(tmp_path_factory, rows, delimiter):
    header = ["№", "Дата", "Город", "Широта", "Долгота", "Задержано", "Источник"]
    path, n = _write_hostile(tmp_path_factory, header, rows, delimiter=delimiter)
    mapping = {
        "record_id": "№",
        "date": "Дата",
        "city": "Город",
        "latitude": "Широта",
        "longitude": "Долгота",
        "detained_low": "Задержано",
        "source_urls": "Источник",
        "event_type": "=detention",
        "count_kind": "=incremental",
    }
    check_accounting(path, n, mapping=mapping)
