"""Conversion: the converter of a format, chosen by name or by :func:`~geo.importing.detect.detect_format`."""

from __future__ import annotations

from geo.errors import MappingError
from geo.importing.acled import AcledTypes, to_native_acled
from geo.importing.builder import Converted
from geo.importing.ccc import to_native_ccc
from geo.importing.decoding import excerpt
from geo.importing.detect import detect_format
from geo.importing.mapped import to_native_mapped
from geo.importing.native import to_native_native
from geo.importing.read import RawTable
from geo.schema import IMPORT_FORMATS as FORMATS

__all__ = ["FORMATS", "to_native"]


def to_native(table: RawTable, format: str | None = None, mapping: dict | AcledTypes | None = None) -> Converted:
    """Convert ``table`` with the importer of ``format`` (detected when ``None``).

    Raises
    ------
    MappingError
        ``format`` is ``'mapped'`` (or the file's format is unknown) and no usable
        mapping was given.
    ValueError
        ``format`` is not one of ``native``, ``acled``, ``ccc``, ``mapped``.
    """
    if isinstance(mapping, dict) and format in (None, "mapped"):
        return to_native_mapped(table, mapping)
    fmt = format or detect_format(table)
    if fmt == "native":
        return to_native_native(table)
    if fmt == "acled":  # a mapping here is the ACLED type rules (geo/importing/acled_types.toml)
        return to_native_acled(table, mapping)
    if fmt == "ccc":
        return to_native_ccc(table)
    if fmt == "mapped":
        raise MappingError("format 'mapped' needs a mapping (native column -> column of the file)")
    if fmt == "unknown":
        raise MappingError(
            f"{table.file}: the columns ({', '.join(excerpt(h, 40) for h in table.header[:12])}"
            f"{' ...' if len(table.header) > 12 else ''}) "
            "are neither native, ACLED nor CCC-style; give a mapping (native column -> column of the file)"
        )
    raise ValueError(f"format {fmt!r}: expected one of {', '.join(FORMATS)}")
