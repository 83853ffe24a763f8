"""Decoding: a file's bytes as text, by the rules of :mod:`geo.importing.read`.

A byte that cannot be decoded is never replaced silently: it is kept as the lone
surrogate U+DC00 + byte (the ``protestmap-mark`` error handler), so reading can reject
the row that holds it and name the byte.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from geo.errors import ImportFileError
from geo.importing.values import CONTROL_CHARACTERS

__all__ = ["BINARY_SHARE", "CP1251_SHARE", "excerpt"]

#: Windows-1251 is chosen when it reads at least this share of the non-ASCII bytes as Cyrillic words.
CP1251_SHARE = 0.8
#: A file that does not decode cleanly is not text when more than this share of its first 64 KiB is
#: control characters or undecodable bytes.
BINARY_SHARE = 0.10
#: A file that decodes cleanly is binary when more than this share of its first 64 KiB is NUL
#: (judged on at least _NUL_SAMPLE characters): a table's NULs are a few hostile cells.
_NUL_SHARE = 0.25
_NUL_SAMPLE = 64


def excerpt(text: str, limit: int = 60) -> str:
    """The first ``limit`` characters of ``text``, printable only: others as ``\\xNN``; ``…`` when cut."""
    out = []
    for c in text[:limit]:
        code = ord(c)
        if c.isprintable():
            out.append(c)
        elif 0xDC00 <= code <= 0xDCFF:  # a byte that was not text (see _MARK)
            out.append(f"\\x{code - 0xDC00:02x}")
        else:
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    return "".join(out) + ("…" if len(text) > limit else "")


#: The error handler that keeps an undecodable byte ``b`` as the lone surrogate U+DC00 + b.
_MARK = "protestmap-mark"
_MARKS = re.compile("[\udc00-\udcff]")


def _mark_bytes(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return "".join(chr(0xDC00 + b) for b in exc.object[exc.start : exc.end]), exc.end


codecs.register_error(_MARK, _mark_bytes)

_BOMS = (  # UTF-32 before UTF-16: FF FE 00 00 starts with FF FE
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be", "UTF-16"),
)
_CYRILLIC_WORDS = re.compile("[\u0400-\u04ff]{2,}")
_CP1251_PUNCTUATION = re.compile("[«»№–—…„“”‘’\u00a0]")
_HIGH_BYTES = bytes(range(0x80, 0x100))


@dataclass
class _Decoded:
    text: str  # undecodable bytes kept as U+DC00 + byte (see _MARK)
    encoding: str
    problems: list[str]
    bad_byte: str = "invalid UTF-8 byte"  # what a kept byte is, in a rejection
    marks: int = 0  # how many bytes were kept so


def _decode(data: bytes, name: str) -> _Decoded:
    for bom, codec, label, word in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(codec, errors=_MARK)
            marks = _count(_MARKS, text)
            said = [] if label == "utf-8-sig" else [f"{name}: read as {codec.upper()} (its byte order mark says so)"]
            if marks:
                said.append(f"{name}: {marks:,} byte(s) are not {word}: the rows holding them are rejected")
            return _Decoded(text, label, said, f"invalid {word} byte", marks)
    try:
        return _Decoded(data.decode("utf-8"), "utf-8", [])
    except UnicodeDecodeError:
        pass
    utf8 = data.decode("utf-8", errors=_MARK)
    bad = _count(_MARKS, utf8)
    sequences = len(utf8) - len(utf8.encode("ascii", "ignore"))  # non-ASCII: characters and kept bytes
    valid = sequences - bad
    high = len(data) - len(data.translate(None, _HIGH_BYTES))
    cp1251 = data.decode("cp1251", errors=_MARK)
    cyrillic = len(cp1251) - len(_CYRILLIC_WORDS.sub("", cp1251)) + _count(_CP1251_PUNCTUATION, cp1251)
    share = cyrillic / high if high else 0.0
    if valid < bad and share >= CP1251_SHARE:
        marks = _count(_MARKS, cp1251)
        said = [
            f"{name}: read as Windows-1251 because {bad:,} of its {sequences:,} non-ASCII byte sequences are "
            f"not UTF-8 and Windows-1251 reads {share:.0%} of its non-ASCII bytes as Cyrillic words"
        ]
        if marks:
            said.append(f"{name}: {marks:,} byte(s) are not Windows-1251 (0x98): the rows holding them are rejected")
        return _Decoded(cp1251, "cp1251", said, "byte that is not Windows-1251", marks)
    why = (
        f"{valid:,} of its {sequences:,} non-ASCII sequences are UTF-8"
        if valid >= bad
        else f"Windows-1251 reads only {share:.0%} of its non-ASCII bytes as Cyrillic words"
    )
    said = [f"{name}: read as UTF-8 with {bad:,} invalid byte(s), because {why}: the rows holding them are rejected"]
    return _Decoded(utf8, "utf-8", said, "invalid UTF-8 byte", bad)


def _count(pattern: re.Pattern, text: str) -> int:
    return len(text) - len(pattern.sub("", text))


def _refuse_binary(decoded: _Decoded, name: str) -> None:
    """Refuse a file that is not text, before it is parsed.

    A file that decoded cleanly is text: its control characters are content, which the rows'
    checks reject (ids) or take out with a flag (free text). Only NULs make it binary: a
    workbook, an archive, or UTF-16/32 without a byte order mark (every other byte 0).
    A file that did not decode cleanly is binary when its control characters and
    undecodable bytes together pass :data:`BINARY_SHARE`.
    """
    sample = decoded.text[:65536]
    if not sample:
        return
    nuls = sample.count("\x00")
    if decoded.marks:
        junk = _count(CONTROL_CHARACTERS, sample) + _count(_MARKS, sample)
        binary = junk / len(sample) > BINARY_SHARE
    else:
        junk = nuls
        binary = len(sample) >= _NUL_SAMPLE and nuls / len(sample) > _NUL_SHARE
    if binary:
        odd, even = sample[1::2].count("\x00"), sample[::2].count("\x00")
        wide = max(odd, even) >= 0.95 * nuls and max(odd, even) > 0.4 * (len(sample) // 2)  # one side of each pair
        what = f"control characters or bytes that are not {decoded.encoding} text"
        raise ImportFileError(
            f"{name}: is not a text table: {junk:,} of its first {len(sample):,} characters are "
            f"{what if decoded.marks else 'NUL'} (it begins '{excerpt(sample, 40)}'); "
            + ("UTF-16 or UTF-32 without a byte order mark? save it as UTF-8; " if wide else "")
            + "expected CSV (UTF-8 or Windows-1251), GeoJSON or GeoPackage; save a workbook as CSV first"
        )


def _unmark(text: str) -> str:
    return _MARKS.sub("\ufffd", text)


def _bad_bytes(decoded: _Decoded, cell: str) -> str:
    marks = _MARKS.findall(cell)
    found = list(dict.fromkeys(f"0x{ord(c) - 0xDC00:02x}" for c in marks))
    return f"{decoded.bad_byte}{'s' if len(marks) > 1 else ''} {' '.join(found[:8])}: save the file as UTF-8"
