"""geo.importing fuzzed: every reader (native CSV, GeoJSON, ACLED, CCC, mapped) on random bytes and on
random CSV dialects.  Nothing escapes but the project's own errors (ProtestMapError), and every input
row is accounted for: imported + merged + rejected is the file's physical data lines, counted here from
the bytes, less the line breaks the reader kept inside properly quoted cells (GeoJSON: its features)."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from importing_support import ACLED_HEADER, NATIVE_HEADER, run

from geo.errors import ProtestMapError
from geo.importing import read_table

FUZZ = settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

CCC_HEADER = ["date", "locality", "size_low", "size_high", "arrests", "injuries_crowd", "lat", "lon", "source_1"]
MAPPED_HEADER = ["№", "Дата", "Город", "Задержано", "Источник"]
MAPPING = {
    "record_id": "№",
    "date": "Дата",
    "city": "Город",
    "detained_low": "Задержано",
    "source_urls": "Источник",
    "event_type": "=detention",
    "count_kind": "=incremental",
}
READERS = {
    "native": (NATIVE_HEADER, {"format": "native"}),
    "acled": (ACLED_HEADER, {"format": "acled"}),
    "ccc": (CCC_HEADER, {"format": "ccc"}),
    "mapped": (MAPPED_HEADER, {"mapping": MAPPING}),
    "detected": (NATIVE_HEADER, {}),
}

_BREAK = re.compile(r"\r\n|\r|\n")


def physical_lines(text: str) -> int:
    """Lines ended by LF, CR LF or CR; the last one may have no ending."""
    return len(_BREAK.findall(text)) + (0 if text == "" or text.endswith(("\n", "\r")) else 1)


def breaks_in_cells(path) -> int:
    """Line breaks the reader kept inside cells (properly quoted ones), from the cells themselves."""
    frame = read_table(path).frame
    return sum(len(_BREAK.findall(cell)) for column in frame.columns for cell in frame[column])


def accounted(path, text: str, **kw) -> None:
    """Import ``path`` (whose text is ``text``, one header line) and check every line is one input row."""
    try:
        result = run(path, **kw)  # run() calls ImportResult.check()
    except ProtestMapError:
        return  # refused as a whole, with a message: nothing imported
    c = result.counts
    assert c["imported"] + c["merged"] + c["rejected"] == c["total"]
    assert c["total"] == physical_lines(text) - 1 - breaks_in_cells(path)
    for row in result.rejected.to_dict("records"):
        assert row["file"] == str(path) and row["reason"] and row["column"]


# --------------------------------------------------------------------------- random bytes

BYTES = st.one_of(
    st.binary(max_size=600),
    st.lists(
        st.sampled_from(
            [b",", b";", b"\t", b'"', b"\n", b"\r\n", b"\r", b"\x00", b"\xff", b"\xd0", b"\xd0\x9f", b"\xef\xbb\xbf"]
            + [b"2019-06-09", b"Almaty", b"12", b"-5", b"1e3", b"https://a.example/1", b"r1", b"=1+1", b" "]
        ),
        max_size=80,
    ).map(b"".join),
)


@FUZZ
@given(body=BYTES, reader=st.sampled_from(sorted(READERS)))
def test_random_bytes_after_a_header(tmp_path_factory, body, reader):
    header, kw = READERS[reader]
    path = tmp_path_factory.mktemp("bytes") / "random.csv"
    data = (",".join(header) + "\n").encode() + body
    path.write_bytes(data)
    # the header is ASCII and nothing but line breaks is counted: the bytes' count is the text's
    accounted(path, data.decode("latin-1"), **kw)


@FUZZ
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".tsv", ".geojson", ".json", ".gpkg"]))
def test_random_bytes_alone(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("alone") / f"random{suffix}"
    path.write_bytes(data)
    try:
        result = run(path)
    except ProtestMapError as exc:
        assert str(exc).startswith(str(path)) or "mapping" in str(exc)
        assert len(str(exc)) < 2000
        return
    assert result.counts["total"] == result.counts["imported"] + result.counts["merged"] + result.counts["rejected"]


# --------------------------------------------------------------------------- random CSV dialects

CELL = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12),
    st.sampled_from(
        ["", "Алматы", "2019-06-09", "43,25", "12", "1,200", "-5", "NaN", '"', 'a"b', "x\ny", "x\r\ny", "\t=1+1"]
        + ["\x00", ";", ",", "\t", "https://a.example/1", "Площадь Республики", "KAZ1", "Peaceful protest"]
    ),
)


@st.composite
def dialect_files(draw):
    reader = draw(st.sampled_from(sorted(READERS)))
    header, kw = READERS[reader]
    width = len(header)
    rows = draw(st.lists(st.lists(CELL, min_size=0, max_size=width + 2), max_size=8))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    terminator = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONE]))
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator=terminator, quoting=quoting, escapechar="\\")
    writer.writerow(header)
    for row in rows:
        writer.writerow([] if quoting == csv.QUOTE_NONE and row == [""] else row)  # csv cannot write that one
    text = out.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1251", "utf-16", "utf-32"]))
    data = text.encode(encoding, errors="replace" if encoding == "cp1251" else "surrogatepass")
    text = data.decode(encoding, errors="replace")  # what the file holds (cp1251 wrote '?' for what it lacks)
    if draw(st.booleans()) and data:  # a few bytes broken
        cut = draw(st.integers(0, len(data) - 1))
        data = data[:cut] + draw(st.sampled_from([b"\xff", b"\x00", b'"', b"\xd0"])) + data[cut + 1 :]
        text = None  # the line count is no longer known from the text: the reader's own count is checked
    return kw, data, text


@FUZZ
@given(case=dialect_files())
def test_random_dialects(tmp_path_factory, case):
    kw, data, text = case
    path = tmp_path_factory.mktemp("dialect") / "dialect.csv"
    path.write_bytes(data)
    if text is not None:
        accounted(path, text.removeprefix("\ufeff"), **kw)
        return
    try:
        result = run(path, **kw)
    except ProtestMapError:
        return
    table = read_table(path)
    assert result.counts["total"] == table.input_count == len(table)


def test_well_formed_dialects_count_their_records(tmp_path):
    """Properly quoted cells with line breaks: the input is the records written, whatever the dialect."""
    rows = [
        ["r1", "2019-06-09", "Almaty", "rally", "", "", "", "", "", "", "line one\nline two", "https://a.example/1"]
    ]
    rows += [["r2", "2019-06-09", "Almaty", "rally", "", "", "", "", "", "", 'a "quote"', "https://a.example/2"]]
    for delimiter in (",", ";", "\t"):
        for terminator in ("\n", "\r\n", "\r"):
            out = io.StringIO(newline="")
            writer = csv.writer(out, delimiter=delimiter, lineterminator=terminator, quoting=csv.QUOTE_ALL)
            writer.writerows([NATIVE_HEADER, *rows])
            path = tmp_path / f"well_{ord(delimiter)}_{len(terminator)}.csv"
            path.write_text(out.getvalue(), encoding="utf-8", newline="")
            result = run(path)
            assert result.counts["total"] == 2 and result.counts["imported"] == 2, (delimiter, terminator)
            assert list(result.records["place_name_en"]) == ["line one\nline two", 'a "quote"']


# --------------------------------------------------------------------------- GeoJSON

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
PROPERTIES = st.dictionaries(
    st.sampled_from(["record_id", "date", "city", "event_type", "source_urls", "detained_low", "notes"])
    | st.text(max_size=6),
    st.sampled_from(["g1", "2019-06-09", "Almaty", "rally", "https://a.example/1", "12", "-5", "\x00"]) | JSON_VALUES,
    max_size=8,
)
GEOMETRY = st.one_of(
    st.none(),
    st.fixed_dictionaries({"type": st.just("Point"), "coordinates": st.lists(JSON_VALUES, max_size=3)}),
    st.fixed_dictionaries({"type": st.sampled_from(["Point", "LineString"]), "coordinates": st.just([76.9, 43.2])}),
    JSON_VALUES,
)
FEATURES = st.lists(
    st.one_of(
        st.fixed_dictionaries({"type": st.just("Feature"), "properties": PROPERTIES, "geometry": GEOMETRY}), JSON_VALUES
    ),
    max_size=8,
)


@FUZZ
@given(features=FEATURES, extra=st.dictionaries(st.sampled_from(["crs", "name"]), JSON_VALUES, max_size=2))
def test_random_geojson(tmp_path_factory, features, extra):
    path = tmp_path_factory.mktemp("geojson") / "random.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", **extra, "features": features}), encoding="utf-8")
    try:
        result = run(path, format="native")
    except ProtestMapError:
        return
    assert result.counts["total"] == len(features)
    c = result.counts
    assert c["imported"] + c["merged"] + c["rejected"] == len(features)


@FUZZ
@given(doc=JSON_VALUES)
def test_random_json_documents(tmp_path_factory, doc):
    path = tmp_path_factory.mktemp("json") / "doc.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with contextlib.suppress(ProtestMapError):
        run(path)
