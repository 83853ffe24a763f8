"""geo.importing, strict reading: decoding, broken quotes and the line count, control characters,
counts, limits, and files that are not tables at all.  Every file is written by its test."""

from __future__ import annotations

import codecs
import json

import pytest
from importing_support import run

from geo.errors import ImportFileError
from geo.importing import preview, read_table, write_rejected
from geo.settings import ImportLimits

HEADER = "record_id,date,city,event_type,source_urls,place_name_ru,summary,detained_low,count_kind"
SQUARE = "Площадь Республики"


def line(rid: str, place: str = SQUARE, summary: str = "", detained: str = "", kind: str = "") -> str:
    return f"{rid},2019-06-09,Almaty,detention,https://a.example/{rid},{place},{summary},{detained},{kind}"


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def bad_line(rid: str, place: bytes, codec: str = "utf-8") -> bytes:
    """A data line whose place cell is the given bytes."""
    return line(rid, "PLACE").encode(codec).replace(b"PLACE", place) + b"\n"


def by_row(result) -> dict:
    return {int(r["row"]): r for r in result.rejected.to_dict("records")}


# --------------------------------------------------------------------------- decoding


def test_utf8_with_an_invalid_byte_rejects_that_row_and_reads_the_rest_as_utf8(tmp_path):
    data = (HEADER + "\n" + line("r1") + "\n").encode() + bad_line("r2", "Площадь".encode() + b"\xff")
    data += (line("r3", "Абай") + "\n").encode()
    path = write(tmp_path, "one_bad_byte.csv", data)
    result = run(path)
    assert result.counts == {"imported": 2, "merged": 0, "flagged": 0, "rejected": 1, "total": 3}
    places = result.records.set_index("record_id")["place_name_ru"]
    assert places["r1"] == SQUARE and places["r3"] == "Абай"
    bad = by_row(result)[3]
    assert (bad["column"], bad["value"]) == ("place_name_ru", "Площадь\ufffd")
    assert bad["reason"] == "invalid UTF-8 byte 0xff: save the file as UTF-8"
    assert result.notes[0].startswith("read as utf-8")
    assert any(
        "read as UTF-8 with 1 invalid byte(s), because 28 of its 29 non-ASCII sequences" in n for n in result.notes
    )
    written = write_rejected(result)
    assert written is not None and "Площадь\ufffd" in written.read_text(encoding="utf-8-sig")


def test_utf8_bom_with_invalid_bytes_rejects_those_rows(tmp_path):
    data = codecs.BOM_UTF8 + (HEADER + "\n" + line("r1") + "\n").encode() + bad_line("r2", b"x\xd0\xd0")
    result = run(write(tmp_path, "bom_bad.csv", data))
    assert result.counts["imported"] == 1 and result.counts["total"] == 2
    assert by_row(result)[3]["reason"] == "invalid UTF-8 bytes 0xd0: save the file as UTF-8"
    assert result.records.loc[0, "place_name_ru"] == SQUARE


@pytest.mark.parametrize(
    ("codec", "bom", "encoding"),
    [
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16-le"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16-be"),
        ("utf-32-le", codecs.BOM_UTF32_LE, "utf-32-le"),
        ("utf-32-be", codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_utf16_and_utf32_with_a_bom(tmp_path, codec, bom, encoding):
    text = HEADER + "\r\n" + line("r1") + "\r\n" + line("r2", "Сарыарқа") + "\r\n"
    path = write(tmp_path, f"{codec}.csv", bom + text.encode(codec))
    table = read_table(path)
    assert table.encoding == encoding and table.delimiter == ","
    result = run(path)
    assert result.counts["imported"] == 2
    assert list(result.records["place_name_ru"]) == [SQUARE, "Сарыарқа"]
    assert f"read as {codec.upper()} (its byte order mark says so)" in " ".join(result.notes)


def test_windows_1251_only_when_the_file_as_a_whole_is_not_utf8(tmp_path):
    text = HEADER + "\n" + line("r1") + "\n" + line("r2", "Абай даңғылы".replace("ң", "н").replace("ғ", "г")) + "\n"
    path = write(tmp_path, "cp1251.csv", text.encode("cp1251"))
    result = run(path)
    assert result.counts["imported"] == 2
    assert list(result.records["place_name_ru"]) == [SQUARE, "Абай дангылы"]
    assert result.notes[0].startswith("read as cp1251")
    said = [n for n in result.notes if "read as Windows-1251 because" in n]
    assert said == [
        f"{path}: read as Windows-1251 because 28 of its 28 non-ASCII byte sequences are not UTF-8 and "
        "Windows-1251 reads 100% of its non-ASCII bytes as Cyrillic words"
    ]


def test_a_stray_byte_in_ascii_is_an_invalid_byte_not_windows_1251(tmp_path):
    data = (HEADER + "\n" + line("r1", "Square") + "\n").encode() + bad_line("r2", b"x\xff")
    result = run(write(tmp_path, "stray.csv", data))
    assert result.notes[0].startswith("read as utf-8")
    assert by_row(result)[3]["reason"] == "invalid UTF-8 byte 0xff: save the file as UTF-8"
    assert any("Windows-1251 reads only 0% of its non-ASCII bytes as Cyrillic words" in n for n in result.notes)


def test_the_byte_windows_1251_leaves_undefined_rejects_its_row(tmp_path):
    text = (HEADER + "\n" + line("r1") + "\n").encode("cp1251") + bad_line(
        "r2", "Абай".encode("cp1251") + b"\x98", "cp1251"
    )
    result = run(write(tmp_path, "undefined.csv", text))
    assert result.counts["imported"] == 1
    assert by_row(result)[3]["reason"] == "byte that is not Windows-1251 0x98: save the file as UTF-8"
    assert by_row(result)[3]["value"] == "Абай\ufffd"


# --------------------------------------------------------------------------- quotes and the line count


def test_an_unclosed_quote_rejects_its_line_and_every_line_is_counted(tmp_path):
    text = HEADER + "\n" + line("r1", '"Площадь') + "\n" + line("r2") + "\n"
    path = write(tmp_path, "unclosed.csv", text.encode())
    result = run(path)
    assert result.counts == {"imported": 1, "merged": 0, "flagged": 0, "rejected": 1, "total": 2}
    bad = by_row(result)[2]
    assert bad["column"] == "(row)" and bad["value"] == line("r1", '"Площадь')
    assert bad["reason"] == (
        "line 2: a quote opens a cell and is never closed (the rest of the file would be one cell); "
        "the lines after line 2 are read on their own"
    )
    assert list(result.records["record_id"]) == ["r2"]
    status = list(preview(read_table(path), n=5)["status"])
    assert status[0].startswith("rejected: " + bad["reason"]) and status[1] == "ok"


def test_a_quote_closed_then_followed_by_text_is_rejected(tmp_path):
    text = HEADER + "\n" + line("r1", '"Пл"ощадь') + "\n" + line("r2") + "\n"
    result = run(write(tmp_path, "after.csv", text.encode()))
    assert result.counts["total"] == 2 and result.counts["imported"] == 1
    assert by_row(result)[2]["reason"] == (
        'line 2: a quoted cell is closed and followed by more text; write a quote inside a quoted cell twice ("")'
    )


def test_a_quote_that_swallows_lines_into_a_row_of_the_wrong_width(tmp_path):
    # the quote opened on line 2 closes on line 4, where a legitimate quoted cell opens: 3 lines, one row
    text = "\n".join([HEADER, line("r1", '"Площадь'), line("r2"), line("r3", '"Абай, 1"'), line("r4")]) + "\n"
    result = run(write(tmp_path, "swallow.csv", text.encode()))
    assert result.counts["total"] == 4
    assert set(result.records["record_id"]) == {"r2", "r3", "r4"}
    assert by_row(result)[2]["reason"].startswith("line 2: a quote opened here closes on line 4 and is followed")
    assert result.records.set_index("record_id").loc["r3", "place_name_ru"] == "Абай, 1"


def test_a_properly_quoted_line_break_is_one_record_and_the_notes_say_so(tmp_path):
    summary = '"Митинг у акимата.\nЗадержаны двое."'
    text = "\n".join([HEADER, line("r1", summary=summary), line("r2"), line("r3")]) + "\n"
    path = write(tmp_path, "multiline.csv", text.encode())
    table = read_table(path)
    assert (table.data_lines, table.joined_lines, table.input_count, len(table)) == (4, 1, 3, 3)
    result = run(path)
    assert result.counts == {"imported": 3, "merged": 0, "flagged": 0, "rejected": 0, "total": 3}
    rec = result.records.set_index("record_id")
    assert rec.loc["r1", "summary"] == "Митинг у акимата.\nЗадержаны двое."
    assert list(result.records["source_row"]) == [2, 3, 4]  # rows by record, as a spreadsheet numbers them
    assert any(
        "1 row(s) hold line breaks inside properly quoted cells (lines 2-3): the input is counted by record, "
        "as a spreadsheet numbers its rows: 4 data lines, 3 rows" in n
        for n in result.notes
    )


def test_a_multiline_cell_longer_than_the_cell_limit_is_an_unclosed_quote(tmp_path):
    summary = '"' + "x" * 60 + "\n" + "y" * 60 + '"'
    text = "\n".join([HEADER, line("r1", summary=summary), line("r2")]) + "\n"
    path = write(tmp_path, "long_multiline.csv", text.encode())
    table = read_table(path, limits=ImportLimits(max_cell_chars=100))
    assert table.input_count == 3 and len(table) == 3
    assert table.rejected[0].expected.startswith(
        "line 2: a quote opened here is not closed within 100 characters: unclosed?"
    )


# --------------------------------------------------------------------------- control characters, tabs


def test_control_characters_reject_ids_and_are_taken_out_of_free_text(tmp_path):
    text = "\n".join(
        [
            HEADER,
            line("r\x001"),
            line("r2", "Пло\x00щадь", summary="Митинг\x1b[31m у акимата"),
            line("r3", summary="\t=1+1"),
            line("\t=1+1"),
        ]
    )
    path = write(tmp_path, "control.csv", (text + "\n").encode())
    result = run(path)
    assert result.counts["total"] == 4 and result.counts["imported"] == 2
    rejected = by_row(result)
    assert rejected[2]["column"] == "record_id" and rejected[2]["value"] == "r\x001"
    assert rejected[2]["reason"].startswith("control character(s) U+0000 in record_id")
    assert rejected[5]["column"] == "record_id" and rejected[5]["value"] == "\t=1+1"  # never a live =1+1
    rec = result.records.set_index("record_id")
    assert rec.loc["r2", "place_name_ru"] == "Площадь" and rec.loc["r2", "summary"] == "Митинг[31m у акимата"
    assert rec.loc["r2", "flags"] == (
        "place_name_ru: control character(s) U+0000 removed; summary: control character(s) U+001B removed"
    )
    assert rec.loc["r3", "summary"] == "\t=1+1"  # the tab kept: the text as it was


def test_a_leading_tab_or_cr_is_kept_in_acled_notes_and_mapped_text(tmp_path):
    from importing_support import ACLED_HEADER, acled_row, write_csv

    path = write_csv(
        tmp_path / "acled.csv",
        ACLED_HEADER,
        [acled_row(event_id_cnty="KAZ1", event_date="2019-06-09", notes="\r=HYPERLINK(1)")],
    )
    assert run(path).records.loc[0, "notes"] == "\r=HYPERLINK(1)"
    team = tmp_path / "team.csv"
    team.write_text("id,day,what\nA1,2019-06-09,\t@SUM(1)\n", encoding="utf-8")
    mapping = {
        "record_id": "id",
        "date": "day",
        "summary": "what",
        "city": "=Almaty",
        "event_type": "=rally",
        "source_urls": "=https://a.example/",
    }
    assert run(team, mapping=mapping).records.loc[0, "summary"] == "\t@SUM(1)"


# --------------------------------------------------------------------------- counts


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("-5", "a negative number"),
        ("1e3", "a number with an exponent (write the digits)"),
        ("1e9", "a number with an exponent (write the digits)"),
        ("NaN", "not a number (NaN)"),
        ("12.5", "a fraction (counts are whole numbers; thousands as 1,200 or 1 200)"),
        ("inf", "an infinite number"),
    ],
)
def test_counts_that_are_not_whole_numbers_reject_the_row(tmp_path, value, why):
    text = "\n".join(
        [HEADER, line("r1", detained="12", kind="incremental"), line("r2", detained=value, kind="incremental")]
    )
    result = run(write(tmp_path, "counts.csv", (text + "\n").encode()))
    assert result.counts["imported"] == 1 and result.counts["rejected"] == 1
    bad = by_row(result)[3]
    assert (bad["file"], bad["column"], bad["value"]) == (str(tmp_path / "counts.csv"), "detained_low", value)
    assert bad["reason"] == (
        f"{why}; expected a count is a whole number of 0 or more in digits (1200, 1,200 or 1 200; a range as 30-40)"
    )


def test_counts_with_thousands_separators(tmp_path):
    rows = [
        line(f"r{i}", detained=f'"{v}"', kind="incremental")
        for i, v in enumerate(["1,200", "1 200", "1\u00a0200", "12"])
    ]
    result = run(write(tmp_path, "thousands.csv", ("\n".join([HEADER, *rows]) + "\n").encode()))
    assert result.counts["imported"] == 4
    assert list(result.records["detained_low"]) == [1200, 1200, 1200, 12]
    assert list(result.records["flags"]) == ["", "", "", ""]


def test_ccc_count_columns_reject_what_is_not_a_count(tmp_path):
    path = tmp_path / "ccc.csv"
    path.write_text(
        "date,locality,size_low,arrests,injuries_crowd,source_1\n"
        "2019-06-09,Almaty,100,12,1,https://a.example/1\n"
        "2019-06-09,Almaty,100,12,1e3,https://a.example/2\n"
        "2019-06-09,Almaty,-40,12,1,https://a.example/3\n"
        "2019-06-09,Almaty,100,inf,1,https://a.example/4\n",
        encoding="utf-8",
    )
    result = run(path)
    assert result.counts["imported"] == 1 and result.counts["total"] == 4
    got = {r: (v["column"], v["value"]) for r, v in by_row(result).items()}
    assert got == {3: ("injuries_crowd", "1e3"), 4: ("size_low", "-40"), 5: ("arrests", "inf")}
    assert result.records.loc[0, "injured"] == 1


# --------------------------------------------------------------------------- limits


def test_limits_refuse_before_parsing_naming_the_file_limit_and_setting(tmp_path, monkeypatch):
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{i}" for i in range(2000)) + "\n" + ",".join("x" * 2000) + "\n")
    with pytest.raises(ImportFileError) as caught:
        read_table(wide)
    assert str(caught.value) == (
        f"{wide}: has 2,000 columns, more than the import limit of 500 columns (PROTESTMAP_IMPORT_MAX_COLUMNS); "
        "if the file is right, set PROTESTMAP_IMPORT_MAX_COLUMNS higher and import it again"
    )
    monkeypatch.setenv("PROTESTMAP_IMPORT_MAX_COLUMNS", "2000")
    assert len(read_table(wide).header) == 2000

    long_cell = write(tmp_path, "cell.csv", (HEADER + "\n" + line("r1", summary="x" * 100_001) + "\n").encode())
    with pytest.raises(
        ImportFileError,
        match=r"line 2 holds a cell of 100,001 characters, more than the import "
        r"limit of 100,000 characters a cell \(PROTESTMAP_IMPORT_MAX_CELL_CHARS\)",
    ):
        read_table(long_cell)

    monkeypatch.setenv("PROTESTMAP_IMPORT_MAX_ROWS", "3")
    rows = write(tmp_path, "rows.csv", ("\n".join([HEADER] + [line(f"r{i}") for i in range(4)]) + "\n").encode())
    with pytest.raises(
        ImportFileError,
        match=r"rows.csv: has 4 data lines, more than the import limit of 3 rows "
        r"\(PROTESTMAP_IMPORT_MAX_ROWS\)",
    ):
        run(rows)
    fc = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}}] * 4}
    many = write(tmp_path, "many.geojson", json.dumps(fc).encode())
    with pytest.raises(ImportFileError, match=r"has 4 features, more than the import limit of 3 rows"):
        read_table(many)

    monkeypatch.setenv("PROTESTMAP_IMPORT_MAX_BYTES", "100")
    with pytest.raises(
        ImportFileError,
        match=r"rows.csv: is \d{3} bytes, more than the import limit of 100 bytes "
        r"\(PROTESTMAP_IMPORT_MAX_BYTES\)",
    ):
        read_table(rows)
    monkeypatch.setenv("PROTESTMAP_IMPORT_MAX_BYTES", "a lot")
    from geo.errors import SettingsError

    with pytest.raises(SettingsError, match="PROTESTMAP_IMPORT_MAX_BYTES is 'a lot'; expected a whole number"):
        read_table(rows)


def test_geojson_properties_over_the_limits(tmp_path):
    fc = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {f"p{i}": i}} for i in range(6)]}
    path = write(tmp_path, "keys.geojson", json.dumps(fc).encode())
    with pytest.raises(
        ImportFileError, match=r"has more than 5 distinct properties, more than the import limit of 5 columns"
    ):
        read_table(path, limits=ImportLimits(max_columns=5))
    fc = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"notes": "x" * 11}}]}
    path = write(tmp_path, "long.geojson", json.dumps(fc).encode())
    with pytest.raises(ImportFileError, match=r"feature 1, property 'notes' holds 11 characters"):
        read_table(path, limits=ImportLimits(max_cell_chars=10))


# --------------------------------------------------------------------------- not tables


def test_geojson_nested_100000_deep_is_a_message(tmp_path):
    path = write(tmp_path, "deep.geojson", b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(ImportFileError) as caught:
        run(path)
    assert str(caught.value).startswith(f"{path}: is nested too deeply to be read")
    props = '{"a":' + "[" * 5000 + "]" * 5000 + "}"
    path = write(
        tmp_path,
        "deep_props.geojson",
        ('{"type":"FeatureCollection","features":[{"properties":' + props + "}]}").encode(),
    )
    with pytest.raises(ImportFileError, match="nested too deeply"):
        run(path)


def test_json_that_python_cannot_hold_is_a_message(tmp_path):
    path = write(tmp_path, "bigint.geojson", b'{"type":"FeatureCollection","features":[' + b"1" * 5000 + b"]}")
    with pytest.raises(ImportFileError, match=r"is not valid JSON \(Exceeds the limit \(4300 digits\)"):
        run(path)
    fc = (
        '{"type":"FeatureCollection","features":'
        '[{"properties":{"record_id":"g\\ud800"}},{"properties":{"x":"\\u0000"}}]}'
    )
    result = run(write(tmp_path, "surrogate.geojson", fc.encode()), format="native")
    assert result.counts["total"] == 2
    assert by_row(result)[1]["reason"] == "a lone UTF-16 surrogate (a \\ud800-\\udfff escape), which is no character"


def test_binary_junk_is_refused_with_a_short_printable_excerpt(tmp_path):
    import random

    rng = random.Random(7)
    junk = bytes(rng.randrange(256) for _ in range(20_000))
    path = write(tmp_path, "junk.csv", junk)
    with pytest.raises(ImportFileError) as caught:
        run(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: is not a text table: ")
    assert len(message) < 500 and message.isprintable()
    workbook = write(tmp_path, "book.csv", b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 200)
    with pytest.raises(ImportFileError, match=r"it begins 'PK\\x03\\x04\\x14\\x00\\x06\\x00\\x00"):
        read_table(workbook)


def test_a_text_file_dense_with_control_characters_is_read_row_by_row(tmp_path):
    # More than a tenth of this file is control characters, yet it is clean UTF-8 text:
    # the rows' checks deal with them (the id rejected, the free text flagged), no refusal.
    text = "\n".join([HEADER, line("\x01\x02\x03"), line("r2", summary="\x1b\x7f\x08" * 20)])
    data = (text + "\n").encode()
    assert sum((b < 0x20 and b not in b"\t\r\n") or b == 0x7F for b in data) / len(data) > 0.10
    result = run(write(tmp_path, "dense.csv", data))
    assert result.counts["total"] == 2 and result.counts["imported"] == 1 and result.counts["rejected"] == 1
    assert by_row(result)[2]["column"] == "record_id"
    rec = result.records.set_index("record_id")
    assert rec.loc["r2", "summary"] == "" and "summary: control character(s)" in rec.loc["r2", "flags"]
    # A clean file that is mostly NUL is still no table.
    with pytest.raises(ImportFileError, match="characters are NUL"):
        read_table(write(tmp_path, "nul.csv", (HEADER + "\n").encode() + b"\x00" * 400))


def test_utf16_without_a_bom_is_refused_with_a_hint(tmp_path):
    path = write(tmp_path, "nobom.csv", (HEADER + "\n" + line("r1") + "\n").encode("utf-16-le"))
    with pytest.raises(ImportFileError, match="UTF-16 or UTF-32 without a byte order mark"):
        run(path)
