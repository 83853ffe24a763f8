"""What every dataset store shares: :class:`Store` (the interface), :class:`DatasetInfo`, the name rules.

The backends are :class:`geo.store.SQLiteStore` (a local file) and
:class:`geo.postgis.PostGISStore` (a team's database); :func:`geo.store.open_store`
opens either from a location.  Import these names from :mod:`geo.store`.
"""

from __future__ import annotations

import abc
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from geo import schema
from geo.errors import ProtestMapError
from geo.schema import EMBEDDED_DATASET
from geo.settings import get_settings

#: The kind of a dataset.
DatasetKind = Literal["embedded", "import"]
#: Dataset kinds.
KINDS: tuple[DatasetKind, ...] = ("embedded", "import")


@dataclass(frozen=True)
class DatasetInfo:
    """One dataset in a store.

    ``created_at`` is when it was (last) written, UTC ISO 8601; ``version``
    identifies its content (for a file: ``sha256:<hex>`` of the file's bytes).
    """

    name: str
    kind: DatasetKind
    rows: int
    created_at: str
    source_file: str = ""
    source_format: str = ""
    version: str = ""
    notes: str = ""


class Store(abc.ABC):
    """Named datasets of incident records (the interface every backend implements).

    Records go in and come out in the schema :mod:`geo.records` produces (see
    :mod:`geo.schema`), plus ``dataset`` and ``flags`` (``'; '``-separated,
    ``''`` when none); every other column written comes back too (see
    :meth:`read`).
    """

    @abc.abstractmethod
    def datasets(self) -> list[DatasetInfo]:
        """Every dataset in the store, by name."""

    @abc.abstractmethod
    def read(self, names: Sequence[str] | None = None) -> pd.DataFrame:
        """The records of the named datasets (all when ``None``).

        Returns a frame with, in this order:

        * :data:`geo.schema.COLUMNS` in the dtypes of :mod:`geo.records`;
        * the extra columns written with the records (``str``; ``''`` where a
          record has no value), in the order they first appear (by record,
          then by their order in the written frame);
        * ``dataset`` and ``flags`` (``str``);
        * ``source_row`` (``Int64``, ``<NA>`` where unknown), only when at
          least one record read has one.

        Rows are ordered by dataset name, then by the order the records were
        written in, with a fresh ``RangeIndex``.

        Raises
        ------
        ProtestMapError
            When a name is not in the store (naming it and the known ones).
        """

    def read_columns(self, names: Sequence[str], columns: Sequence[str]) -> pd.DataFrame:
        """Only ``columns`` (of :data:`geo.schema.COLUMNS` and ``dataset``) of the named datasets' records.

        What an import compares with: a few columns of every record, never their
        summaries, notes and extras (a million records read whole take gigabytes).
        This default reads whole datasets and keeps the columns; a backend reads less.
        """
        return self.read(list(names))[list(columns)] if names else pd.DataFrame(columns=list(columns))

    @abc.abstractmethod
    def write(
        self,
        name: str,
        records: pd.DataFrame,
        *,
        kind: str = "import",
        source_file: str = "",
        source_format: str = "",
        version: str = "",
        notes: str = "",
        replace: bool = False,
    ) -> DatasetInfo:
        """Write ``records`` as dataset ``name`` in one transaction.

        ``records`` needs every :data:`geo.schema.COLUMNS` column (as
        :mod:`geo.records` produces them) and may have a ``flags`` column and
        a ``source_row`` column (whole numbers, blank allowed).  Every other
        column is kept as text (``str(value)``; missing values are left out)
        and comes back from :meth:`read`, except ``dataset`` (``read``'s own
        column: the dataset is ``name``).  ``record_id`` must be non-blank and
        unique within the dataset.

        Raises
        ------
        ProtestMapError
            When ``name`` exists and ``replace`` is false, or the records do
            not fit the schema.  Nothing is written then.
        """

    @abc.abstractmethod
    def delete(self, name: str) -> None:
        """Remove dataset ``name`` and its records (``ProtestMapError`` when unknown)."""

    def ensure_embedded(self, path: str | Path | None = None) -> DatasetInfo:
        """Put the embedded dataset in the store, when absent or when its file changed.

        Parameters
        ----------
        path : str, Path or None
            The embedded file; default ``data/incidents/incidents.csv`` in
            ``get_settings().incidents_dir``.

        Returns
        -------
        DatasetInfo
            Of dataset ``embedded``, whose ``version`` is the file's sha256.
        """
        from geo.records import EMBEDDED_FILE, load_records

        path = Path(path) if path is not None else get_settings().incidents_dir / EMBEDDED_FILE
        if not path.is_file():
            raise ProtestMapError(f"embedded dataset file not found (looked at {path.resolve()})")
        version = file_version(path)
        for info in self.datasets():
            if info.name == EMBEDDED_DATASET and info.kind == "embedded" and info.version == version:
                return info
        records = load_records(path)
        return self.write(
            EMBEDDED_DATASET,
            records,
            kind="embedded",
            source_file=str(path),
            source_format="native",
            version=version,
            replace=True,
        )


def file_version(path: str | Path) -> str:
    """``sha256:<hex>`` of a file's bytes (the ``version`` of a dataset read from it)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return "sha256:" + digest.hexdigest()


_INFO_FIELDS = ["name", "kind", "rows", "created_at", "source_file", "source_format", "version", "notes"]
_RECORD_COLUMNS = [*schema.COLUMNS, "dataset", "flags"]


def _redact(url: str) -> str:
    """A URL without its password (user:secret@host -> user:***@host)."""
    return re.sub(r"^([^:/]+://[^:/@]*):[^@]*@", r"\1:***@", url)


#: Longest dataset name; and what a name may not hold: ``,`` separates names in a link (``data=a,b``),
#: ``&`` and ``#`` end a link's value.
MAX_NAME, NAME_SEPARATORS = 100, ",&#"


def check_dataset_name(name: object) -> str:
    """``name`` if it can name a dataset: printable, no outer spaces, no link separators, <= 100 characters."""
    if not isinstance(name, str) or not name.strip():
        raise ProtestMapError(f"dataset name {name!r}: expected a non-blank text such as 'acled-2022'")
    if name != name.strip() or not name.isprintable():
        raise ProtestMapError(
            f"dataset name {name!r}: expected printable text without leading or trailing spaces "
            "(no line breaks, tabs, NUL or other control characters)"
        )
    if len(name) > MAX_NAME:
        raise ProtestMapError(f"dataset name {name[:40]!r}...: {len(name)} characters; at most {MAX_NAME} allowed")
    used = [ch for ch in NAME_SEPARATORS if ch in name]
    if used:
        raise ProtestMapError(
            f"dataset name {name!r}: {' '.join(repr(ch) for ch in used)} cannot be in a name (the page address "
            f"separates dataset names with ','); choose a name without {' '.join(NAME_SEPARATORS)}"
        )
    return name


def checked_name_and_kind(name: object, kind: str) -> tuple[str, DatasetKind]:
    """What every backend's ``write`` checks first: a usable name, a known kind, and ``embedded`` kept for it."""
    name = check_dataset_name(name)
    known = _check_kind(kind)
    if (name == EMBEDDED_DATASET) != (known == "embedded"):
        raise ProtestMapError(
            f"the dataset name {EMBEDDED_DATASET!r} is kept for the embedded dataset (kind "
            f"'embedded') and only it; got name {name!r} with kind {known!r} — choose another name"
        )
    return name, known


def _check_kind(kind: str) -> DatasetKind:
    for known in KINDS:
        if kind == known:
            return known
    raise ProtestMapError(f"dataset kind {kind!r} is not one of {', '.join(KINDS)}")


def _check_known(wanted: Sequence[str], known: Sequence[str], path: Path) -> None:
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise ProtestMapError(
            f"no dataset named {', '.join(repr(n) for n in unknown)} in the store {str(path)!r}; "
            f"it has {', '.join(repr(n) for n in known) if known else 'no datasets yet'}"
        )
