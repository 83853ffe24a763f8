"""Any table through a column mapping (native column -> column of the file)."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

from geo import schema
from geo.errors import MappingError
from geo.importing.builder import Converted, _Builder
from geo.importing.decoding import excerpt
from geo.importing.read import RawTable
from geo.importing.values import (
    _DEFAULT_DATE_FORMATS,
    _city_values,
    _join_text,
    _parse_dates,
    _row_hashes,
)
from geo.records import trim_text

__all__ = ["load_mapping", "to_native_mapped"]

_OPTION_KEYS = {"date_format", "date_formats", "values", "id_prefix", "decimal"}


def load_mapping(path: str | Path) -> dict:
    """Read a column mapping from a JSON or TOML file.

    The file holds one table: native column -> column of the input file (or a list of
    columns, joined; or ``"=constant"``), plus optional ``date_format`` (one strptime
    format or a list), ``id_prefix`` (for generated record ids) and ``values``
    (native column -> {input value: native value}, e.g. ``{"event_type": {"задержание":
    "detention"}}``).  Example (TOML)::

        record_id = "№"
        date = "Дата"
        date_format = "%d.%m.%Y"
        city = "=Almaty"
        latitude = "Широта"
        longitude = "Долгота"
        detained_low = "Задержано"
        source_urls = ["Ссылка 1", "Ссылка 2"]

    Raises
    ------
    MappingError
        The file cannot be read or parsed, or names a key that is neither a native
        column nor an option.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"mapping file {path}: cannot be read ({exc})") from None
    try:
        mapping = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise MappingError(
            f"mapping file {path}: is not valid {'TOML' if path.suffix.lower() == '.toml' else 'JSON'} ({exc})"
        ) from None
    if not isinstance(mapping, dict):
        raise MappingError(f"mapping file {path}: expected one table of native column -> file column")
    if isinstance(mapping.get("columns"), dict):  # {"columns": {...}, "date_format": ...} is fine too
        mapping = {**mapping.pop("columns"), **mapping}
    _check_mapping(mapping, source=f"mapping file {path}")
    return mapping


def _check_mapping(mapping: dict, source: str = "mapping") -> None:
    for key, value in mapping.items():
        if key in _OPTION_KEYS:
            continue
        if key not in schema.COLUMNS:
            raise MappingError(
                f"{source}: {key!r} is not a native column; expected one of {', '.join(schema.COLUMNS)} "
                f"or an option ({', '.join(sorted(_OPTION_KEYS))})"
            )
        ok = isinstance(value, str) or (isinstance(value, list) and value and all(isinstance(v, str) for v in value))
        if not ok:
            raise MappingError(
                f"{source}: {key!r} maps to {value!r}; expected a column name, a list of column names or '=constant'"
            )


def to_native_mapped(table: RawTable, mapping: dict) -> Converted:
    """Convert any table with a mapping (see :func:`load_mapping` for its form).

    Without a ``record_id`` mapping, ids are ``id_prefix`` (default: the file's stem)
    + ``'-'`` + a hash of the row's cells: the same row gets the same id on every import.
    Dates are read with ``date_format`` when given, else as ``YYYY-MM-DD``,
    ``DD.MM.YYYY``, ``DD/MM/YYYY`` or ``09 June 2019``; city names in Cyrillic are
    recognised; Russian event words (``митинг``, ``задержание`` ...) are understood.

    Raises
    ------
    MappingError
        The mapping names a column the file does not have (the message lists the file's
        columns), or is malformed.
    """
    _check_mapping(mapping)
    b = _Builder(table)
    columns = set(table.frame.columns)
    for key, value in mapping.items():
        if key in _OPTION_KEYS:
            continue
        names = [value] if isinstance(value, str) else value
        if isinstance(value, str) and value.startswith("="):
            continue
        missing = [n for n in names if n not in columns]
        if missing:
            shown = ", ".join(f"'{excerpt(c, 40)}'" for c in table.frame.columns[:40])
            raise MappingError(
                f"mapping: {key!r} -> '{excerpt(missing[0], 40)}', but {table.file} has no column "
                f"'{excerpt(missing[0], 40)}'; its columns are {shown}"
                f"{' ...' if len(table.frame.columns) > 40 else ''}"
            )
    for key, value in mapping.items():
        if key in _OPTION_KEYS:
            continue
        if isinstance(value, str) and value.startswith("="):
            b.out[key] = pd.Series([value[1:]] * b.n, index=b.index, dtype=object)
        elif isinstance(value, str):
            b.out[key] = trim_text(table.frame[value])
        else:
            sep = " " if key == "source_urls" else "; "
            b.out[key] = _join_text([trim_text(table.frame[v]) for v in value], sep)
    for key, table_values in (mapping.get("values") or {}).items():
        if key in b.out and isinstance(table_values, dict):
            b.out[key] = b.out[key].map(lambda v, t=table_values: t.get(v, v)).astype(str)

    if "record_id" not in b.out:
        prefix = str(mapping.get("id_prefix") or re.sub(r"\W+", "-", Path(table.file).stem).strip("-") or "row")
        b.out["record_id"] = prefix + "-" + _row_hashes(table.frame)
    formats = mapping.get("date_formats") or mapping.get("date_format") or _DEFAULT_DATE_FORMATS
    formats = [formats] if isinstance(formats, str) else list(formats)
    for col in schema.DATE_COLUMNS:
        if col in b.out:
            text = b.out[col]
            iso = _parse_dates(text, formats)
            b.reject(
                (text != "") & (iso == ""),
                mapping.get(col, col) if isinstance(mapping.get(col), str) else col,
                text,
                f"expected a date as {' or '.join(formats)}",
            )
            b.out[col] = iso.where(text != "", "")
    if "city" in b.out:
        b.out["city"] = _city_values(b.out["city"], keep_unknown=True)
    if "event_type" in b.out:
        et = b.out["event_type"]
        b.out["event_type"] = et.str.casefold().map(_EVENT_WORDS).fillna(et).astype(str)
    if "time_local" in b.out:
        b.out["time_local"] = (
            b.out["time_local"]
            .str.replace(r"^(\d)[:.](\d\d)$", r"0\1:\2", regex=True)
            .str.replace(r"^(\d\d)\.(\d\d)$", r"\1:\2", regex=True)
        )
    if "source_urls" in b.out:
        b.out["source_urls"] = b.out["source_urls"].str.replace(r"[;,]\s*(?=https?://)", " ", regex=True)
    if "count_kind" not in b.out and "detained_low" in b.out:
        # a row of a team sheet is one episode; say so where the sheet gives a count
        counted = b.out["detained_low"] != ""
        b.out["count_kind"] = pd.Series(np.where(counted, "incremental", ""), index=b.index, dtype=object)
        b.flag(counted, "count_kind not mapped: the count is taken as one episode's (incremental)")
    mapped = {v for k, v in mapping.items() if k not in _OPTION_KEYS and isinstance(v, str)}
    mapped |= {n for k, v in mapping.items() if k not in _OPTION_KEYS and isinstance(v, list) for n in v}
    extra = {c: table.frame[c] for c in table.frame.columns if c not in mapped and c not in schema.COLUMNS}
    return b.done(extra)


_EVENT_WORDS = {
    "митинг": "rally",
    "протест": "rally",
    "акция": "rally",
    "акция протеста": "rally",
    "шествие": "rally",
    "protest": "rally",
    "demonstration": "rally",
    "задержание": "detention",
    "задержания": "detention",
    "арест": "detention",
    "аресты": "detention",
    "arrest": "detention",
    "arrests": "detention",
    "насилие полиции": "police_violence",
    "задержан журналист": "journalist_detained",
    "нападение на журналиста": "journalist_assaulted",
}
