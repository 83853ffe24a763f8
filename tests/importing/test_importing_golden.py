"""Whole imports pinned: a generated native file and a generated ACLED file, each holding every kind of
bad row, imported (in small chunks, against a few existing records) and compared with the output the
importer gave before it was vectorised (``golden_import.json``): every record with its values and
flags, every merge, every rejection (file, row, column, value, reason, original cells), the counts
and the notes.

The generators live here; the expected output is regenerated (only when the importer's results are
meant to change) by running this file: ``python tests/importing/test_importing_golden.py --write``.
"""

from __future__ import annotations

import csv
import json
import random
import sys
from pathlib import Path

import pandas as pd
import pytest
from importing_support import ACLED_HEADER, TODAY

from geo import schema
from geo.importing import import_rows, pipeline, read_table

GOLDEN = Path(__file__).with_name("golden_import.json")
ROWS = 260

COUNTS = [
    "",
    "",
    "",
    "10",
    "about 50",
    "1,200",
    "1 200",
    "30-40",
    "40-30",
    "dozens",
    "-5",
    "1e3",
    "NaN",
    "12.5",
    "200000000",
    "12.0",
    "at least 5",
    "5+",
    " 7 ",
]
COORDS_LAT = ["43.25", "43,25", "", "abc", "95", "-91", "76.95", "nan", "inf", "1e2", " 43.2 ", "51.16", "43.3"]
COORDS_LON = ["76.95", "76,95", "", "x", "181", "43.25", "71.47", "76.9", " 71.4 "]
TEXT = [
    "",
    "Square, with a comma",
    'He said "no"',
    "two\nlines",
    "bell\x07here",
    "=1+1",
    "+cmd",
    "-x",
    "@sum",
    "'=2+2",
    "\tindented",
    "  spaced  ",
    "Кириллица",
]


def _native_rows(rng: random.Random) -> list[list[str]]:
    header = list(schema.COLUMNS) + ["extra_col"]
    ids: list[str] = []
    rows = []
    for i in range(ROWS):
        rid = rng.choice(
            [f"n{i}"] * 8
            + ["", f" n{i} ", "dup id", f"n\x01{i}", f"\tn{i}", "=cmd()", "'=1+1"]
            + ([rng.choice(ids)] * 2 if ids else [])
        )
        ids.append(rid.strip() or f"n{i}")
        date = rng.choice(
            ["2019-06-09"] * 4
            + ["2019-06-10", "", "2019-13-01", "09.06.2019", "1800-01-01", "2200-01-01", " 2019-06-10 ", "2019-6-9"]
            + ["2030-01-01", "10 June 2019", "2019-06-0\x02"]
        )
        cells = {
            "record_id": rid,
            "date": date,
            "time_local": rng.choice(["", "", "12:30", "25:00", "noon"]),
            "time_precision": rng.choice(["", "", "day", "DAY", "exact", "bogus"]),
            "period_start": rng.choice(["", "", "", "2019-06-01", "2019-07-01", "bad"]),
            "period_end": rng.choice(["", "", "", "2019-06-30", "2019-05-01", "2019-02-30"]),
            "city": rng.choice(["Almaty"] * 4 + ["almaty", "Астана", "Nur-Sultan", "Astana", "", "Paris", " Almaty "]),
            "place_name_en": rng.choice(["", "", "Square", "Republic Square", "Place\x00x", "=HYPERLINK(1)"]),
            "place_name_ru": rng.choice(["", "", "Площадь"]),
            "latitude": rng.choice(COORDS_LAT),
            "longitude": rng.choice(COORDS_LON),
            "coord_source": rng.choice(["", "", "geocoded", "as given"]),
            "geo_precision": rng.choice(["", "1", "1", "2", "5", "1.0", "x", "10000", "inf", "-1"]),
            "event_type": rng.choice(["rally"] * 3 + ["detention", "", "Rally", "bogus", "police_violence"]),
            "detained_low": rng.choice(COUNTS),
            "detained_high": rng.choice(COUNTS),
            "detained_text": rng.choice(["", "", "dozens detained"]),
            "count_kind": rng.choice(["", "", "incremental", "Cumulative", "bad"]),
            "included_in": rng.choice([""] * 8 + [rng.choice(ids), f"n{i}", "nonexistent", "old1"]),
            "contested_by": rng.choice([""] * 8 + [f"{rng.choice(ids)} {rng.choice(ids)}", "a;b", "old2"]),
            "participants_low": rng.choice(COUNTS),
            "participants_high": rng.choice(COUNTS),
            "injured": rng.choice(COUNTS),
            "summary": rng.choice(TEXT),
            "notes": rng.choice(TEXT),
            "inferred": rng.choice(["", "", "", "latitude", "latitude longitude", "foo", "latitude;bogus"]),
            "source_urls": rng.choice(
                ["https://a.example/1"] * 3
                + [f"https://a.example/{i}", "", "http://x y", "ftp://x", "HTTPS://X.ORG/a", "https://a.example/é"]
                + ["https://a https://b", "www.x.org", "https://a.example/\x1c", "https://b.example/1\u00a0x"]
            ),
            "source_names": rng.choice(["", "Vlast; Azattyq", "Reuters"]),
            "extra_col": rng.choice(TEXT),
        }
        plain = dict(
            NATIVE_PLAIN,
            record_id=f"n{i}",
            date=rng.choice(["2019-06-09", "2019-06-10"]),
            place_name_en=rng.choice(["", "", "Square"]),
            source_urls=rng.choice(["https://a.example/1", f"https://a.example/{i}"]),
        )
        rows.append(_mostly_plain(rng, header, cells, plain))
    return [header, *rows]


def _mostly_plain(rng: random.Random, header: list[str], cells: dict, plain: dict) -> list[str]:
    """Most cells as in a plain good row; one to three of them (or none) the tricky value drawn."""
    odd = set(rng.sample(header, rng.choice([0, 0, 1, 1, 1, 2, 3])))
    return [cells.get(c, "") if c in odd or c not in plain else plain[c] for c in header]


NATIVE_PLAIN = {
    "time_local": "",
    "time_precision": "",
    "period_start": "",
    "period_end": "",
    "city": "Almaty",
    "latitude": "43.25",
    "longitude": "76.95",
    "coord_source": "",
    "geo_precision": "1",
    "event_type": "rally",
    "detained_low": "",
    "detained_high": "",
    "detained_text": "",
    "count_kind": "",
    "included_in": "",
    "contested_by": "",
    "participants_low": "",
    "participants_high": "",
    "injured": "",
    "summary": "A rally.",
    "notes": "",
    "inferred": "",
    "source_names": "",
    "extra_col": "",
}
ACLED_PLAIN = {
    "time_precision": "1",
    "latitude": "43.25",
    "longitude": "76.95",
    "geo_precision": "1",
    "fatalities": "0",
    "notes": "",
    "tags": "",
    "source": "Radio Azattyq",
    "actor2": "",
    "admin1": "Almaty",
    "location": "Almaty",
}


def _acled_rows(rng: random.Random) -> list[list[str]]:
    header = list(ACLED_HEADER)
    rows = []
    for i in range(ROWS):
        day = rng.randint(1, 28)
        cells = dict.fromkeys(header, "")
        cells.update(
            event_id_cnty=rng.choice([f"KAZ{i}"] * 8 + ["", f"KAZ{max(i - 3, 0)}", f"KAZ\x03{i}", " KAZ9 "]),
            event_date=rng.choice(
                [f"2019-06-{day:02d}", f"{day} June 2019", f"{day:02d} June 2019"] * 3
                + ["June 11th", "", "2019-02-30", "31 February 2019", "1850-01-01", "2019/06/01"]
            ),
            year="2019",
            time_precision=rng.choice(["1", "1", "2", "3", "", "9"]),
            disorder_type="Demonstrations",
            event_type="Protests",
            sub_event_type=rng.choice(
                ["Peaceful protest", "Protest with intervention", "Arrests", "Excessive force against protesters"]
                + ["Violent demonstration", "Mob violence", "Something else", ""]
            ),
            actor1=rng.choice(["Protesters (Kazakhstan)", "Police Forces of Kazakhstan (2019-)", "Journalists"]),
            actor2=rng.choice(["", "", "Police Forces of Kazakhstan (2019-)", "Journalists (Kazakhstan)"]),
            iso="398",
            region="Central Asia",
            country="Kazakhstan",
            admin1=rng.choice(["Almaty", "Nur-Sultan", "Almaty Oblast", "", "Алматы"]),
            location=rng.choice(["Almaty", "Nur-Sultan", "Astana", "Нур-Султан", "Almaty - Bostandyk", "Kazakhstan"]),
            latitude=rng.choice(COORDS_LAT),
            longitude=rng.choice(COORDS_LON),
            geo_precision=rng.choice(["1", "2", "3", "", "7", "x"]),
            source=rng.choice(["Radio Azattyq", "Vlast; Azattyq", "", "=evil()"]),
            source_scale="National",
            notes=rng.choice(TEXT + ["Police detained 12 protesters.", "About 200 people gathered; 5 arrested"]),
            fatalities=rng.choice(["0", "0", "1", "", "x"]),
            tags=rng.choice(
                ["", "", "crowd size=around 200; arrests=12", "arrests=dozens", "crowd size=1,200", "arrests=-3"]
                + ["crowd size=no report", "arrests=40-30"]
            ),
            timestamp="1560100000",
        )
        plain = dict(
            ACLED_PLAIN,
            event_id_cnty=f"KAZ{i}",
            event_date=rng.choice([f"2019-06-{day:02d}", f"{day} June 2019", f"{day:02d} June 2019"]),
            sub_event_type=rng.choice(["Peaceful protest", "Arrests"]),
        )
        rows.append(_mostly_plain(rng, header, cells, plain))
    return [header, *rows]


def _write(path: Path, rows: list[list[str]], rng: random.Random) -> Path:
    """The rows as CSV, then the whole-row oddities spliced in between them as raw lines."""
    buffer = []
    writer = csv.writer(_Lines(buffer), lineterminator="\n")
    for row in rows:
        writer.writerow(row)
    width = len(rows[0])
    odd = [
        "\n",  # a blank line
        ",,,\n",  # fewer cells
        ",".join(["x"] * (width + 2)) + "\n",  # more cells
        ",".join([""] * (width - 1)) + "\n",  # a row of blanks
        '"a quote, "closed" and more' + "," * (width - 1) + "\n",  # closed and followed by text
    ]
    lines = buffer[:1] + buffer[1:]
    for extra in odd:
        lines.insert(rng.randint(2, len(lines) - 1), extra)
    lines.insert(len(lines) - 3, '"never closed,' + "," * (width - 1) + "\n")
    path.write_text("".join(lines), encoding="utf-8", newline="")
    return path


class _Lines:
    def __init__(self, out: list[str]):
        self.out = out

    def write(self, text: str) -> None:
        self.out.append(text)


def _existing() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "record_id": ["old1", "old2", "n5", "KAZ7"],
            "date": pd.to_datetime(["2019-01-01", "2019-06-09", "2019-06-09", "2019-06-09"]),
            "period_start": pd.to_datetime(["2019-01-01", "2019-06-09", "2019-06-09", "2019-06-09"]),
            "period_end": pd.to_datetime(["2019-12-31", "2019-06-09", "2019-06-09", "2019-06-09"]),
            "city": ["Almaty", "Almaty", "Almaty", "Almaty"],
            "event_type": ["rally", "rally", "rally", "rally"],
            "place_name_en": ["Square", "Square", "", ""],
            "place_name_ru": ["", "", "", ""],
            "place_name_kk": ["", "", "", ""],
            "latitude": [43.25, 43.25, float("nan"), 43.2],
            "longitude": [76.95, 76.95, float("nan"), 76.9],
            "geo_precision": pd.array([1, 1, None, 1], dtype="Int64"),
            "source_urls": ["https://a.example/1", "https://a.example/1", "https://x.example/", ""],
            "source_names": ["", "", "", ""],
            "dataset": ["old", "old", "old", "old"],
        }
    )


def _frame(frame: pd.DataFrame) -> dict:
    return {
        "columns": [str(c) for c in frame.columns],
        "dtypes": [str(t) for t in frame.dtypes],
        "cells": frame.astype(str).to_numpy().tolist(),
    }


def _outputs(folder: Path) -> dict:
    """Both files imported from ``folder`` (named relative to it: the messages hold the name)."""
    out = {}
    for kind, rows in (("native", _native_rows), ("acled", _acled_rows)):
        rng = random.Random(f"golden-{kind}")
        _write(folder / f"golden_{kind}.csv", rows(rng), rng)
        result = import_rows(f"golden_{kind}.csv", existing=_existing(), today=TODAY, boundaries=None)
        result.check()
        out[kind] = {
            "counts": result.counts,
            "notes": result.notes,
            "records": _frame(result.records),
            "merged": _frame(result.merged),
            "rejected": _frame(result.rejected),
        }
    return out


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 37)  # rows of one episode and one id fall in different chunks


def test_whole_imports_match_the_pinned_output(tmp_path, monkeypatch, small_chunks):
    monkeypatch.chdir(tmp_path)
    got = _outputs(tmp_path)
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    for kind in ("native", "acled"):
        assert got[kind]["counts"] == want[kind]["counts"], kind
        assert got[kind]["notes"] == want[kind]["notes"], kind
        for part in ("records", "merged", "rejected"):
            g, w = got[kind][part], want[kind][part]
            assert g["columns"] == w["columns"], (kind, part)
            assert g["dtypes"] == w["dtypes"], (kind, part)
            pd.testing.assert_frame_equal(
                pd.DataFrame(g["cells"], columns=g["columns"], dtype=object),
                pd.DataFrame(w["cells"], columns=w["columns"], dtype=object),
                obj=f"{kind} {part}",
            )
    assert want["native"]["counts"]["rejected"] > 50 and want["native"]["counts"]["merged"] > 5
    assert want["acled"]["counts"]["rejected"] > 20 and want["acled"]["counts"]["flagged"] > 20


@pytest.mark.parametrize("kind", ["native", "acled"])
def test_the_fast_read_reads_what_the_line_by_line_read_reads(tmp_path, kind, monkeypatch):
    """A file the fast path takes (no quote, no NUL) reads as the line-by-line reader reads it."""
    from geo.importing.read import _fast_delimited

    rng = random.Random(kind)
    rows = (_native_rows if kind == "native" else _acled_rows)(rng)
    clean = [[c.replace('"', "").replace("\n", " ").replace("\x00", "") for c in r] for r in rows]
    clean = [[c.replace(",", ";") for c in r] for r in clean]
    text = "\r\n".join(",".join(r) for r in clean)
    for ending in ("", "\r\n"):
        path = tmp_path / f"{kind}.csv"
        path.write_text(text + ending, encoding="utf-8", newline="")
        taken = []

        def spy(*args, taken=taken, **kw):
            table = _fast_delimited(*args, **kw)
            taken.append(table is not None)
            return table

        monkeypatch.setattr("geo.importing.read._fast_delimited", spy)
        fast = read_table(path)
        assert taken == [True]
        monkeypatch.setattr("geo.importing.read._fast_delimited", lambda *a, **k: None)
        slow = read_table(path)
        monkeypatch.setattr("geo.importing.read._fast_delimited", _fast_delimited)
        pd.testing.assert_frame_equal(fast.frame, slow.frame)
        for attr in ("header", "encoding", "delimiter", "first_row", "ragged", "overflow", "problems", "rejected"):
            assert getattr(fast, attr) == getattr(slow, attr), attr
        assert (fast.data_lines, fast.joined_lines, fast.has_control) == (
            slow.data_lines,
            slow.joined_lines,
            slow.has_control,
        )


if __name__ == "__main__":
    import tempfile

    if "--write" not in sys.argv:
        raise SystemExit("usage: python tests/importing/test_importing_golden.py --write")
    import os

    pipeline.CHUNK_ROWS = 37
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        GOLDEN.write_text(json.dumps(_outputs(Path(folder)), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}")
