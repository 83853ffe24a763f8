"""What a public deployment reads (``PROTESTMAP_MODE=public``): the operator's datasets, and nothing is written.

:class:`PublishedStore` is a :class:`geo.store.Store` that never writes: the
embedded dataset comes straight from its file (``data/incidents/incidents.csv``,
as shipped with the deployment), the operator's imports from the store opened
read-only (:func:`geo.store.open_store` with ``read_only=True``).  On Streamlit
Community Cloud the store file may not exist at all: then the embedded dataset is
the only one.  A store's own copy of the embedded dataset is not used (the file
is the one the deployment ships).

Its messages name datasets, never a server path.

>>> published = PublishedStore(open_store(read_only=True))   # doctest: +SKIP
>>> [d.name for d in published.datasets()]                   # doctest: +SKIP
['acled-2022', 'embedded']
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from geo import schema
from geo.errors import ProtestMapError
from geo.schema import EMBEDDED_DATASET
from geo.settings import get_settings
from geo.store import EXTRA_COLUMNS, SOURCE_ROW, DatasetInfo, Store, file_version

__all__ = ["PublishedStore"]


class PublishedStore(Store):
    """The embedded dataset from its file and the imports of a read-only ``store``; writes are refused."""

    def __init__(self, store: Store, embedded: str | Path | None = None):
        from geo.records import EMBEDDED_FILE

        self.store = store
        self.embedded_path = Path(embedded) if embedded is not None else get_settings().incidents_dir / EMBEDDED_FILE
        self._embedded: tuple[DatasetInfo, pd.DataFrame] | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"PublishedStore({self.store!r})"

    def datasets(self) -> list[DatasetInfo]:
        """The embedded dataset and the store's imports, by name."""
        imports = [d for d in self.store.datasets() if d.kind == "import"]
        return sorted([self._embedded_dataset()[0], *imports], key=lambda d: d.name)

    def read(self, names: Sequence[str] | None = None) -> pd.DataFrame:
        """As :meth:`geo.store.Store.read`; the embedded dataset alone never touches the store."""
        if isinstance(names, str):
            names = [names]
        wanted = [d.name for d in self.datasets()] if names is None else list(dict.fromkeys(names))
        imports = [n for n in wanted if n != EMBEDDED_DATASET]
        if imports:
            known = [d.name for d in self.store.datasets() if d.kind == "import"]
            unknown = [n for n in imports if n not in known]
            if unknown:
                raise ProtestMapError(
                    f"no dataset named {', '.join(repr(n) for n in unknown)} here; there are "
                    f"{', '.join(repr(n) for n in sorted([EMBEDDED_DATASET, *known]))}"
                )
        parts = [self._embedded_dataset()[1]] if EMBEDDED_DATASET in wanted else []
        if imports:
            parts.append(self.store.read(imports))
        return _combine(parts)

    def write(self, name: str, records: pd.DataFrame, **_: object) -> DatasetInfo:
        raise ProtestMapError(f"cannot write dataset {name!r}: this deployment is public (PROTESTMAP_MODE=public)")

    def delete(self, name: str) -> None:
        raise ProtestMapError(f"cannot delete dataset {name!r}: this deployment is public (PROTESTMAP_MODE=public)")

    def ensure_embedded(self, path: str | Path | None = None) -> DatasetInfo:
        """The embedded dataset's description (nothing is written: it is read from its file)."""
        return self._embedded_dataset()[0]

    def _embedded_dataset(self) -> tuple[DatasetInfo, pd.DataFrame]:
        with self._lock:
            if self._embedded is None:
                self._embedded = _load_embedded(self.embedded_path)
            return self._embedded


def _load_embedded(path: Path) -> tuple[DatasetInfo, pd.DataFrame]:
    """The embedded file's records as :meth:`geo.store.Store.read` gives them, and its description."""
    from geo.records import load_records

    if not path.is_file():
        raise ProtestMapError(f"the embedded dataset's file ({path.name}) is not part of this deployment")
    frame = _as_read(load_records(path), EMBEDDED_DATASET)
    info = DatasetInfo(
        name=EMBEDDED_DATASET,
        kind="embedded",
        rows=len(frame),
        created_at=datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds"),
        source_file=path.name,
        source_format="native",
        version=file_version(path),
    )
    return info, frame


def _as_read(records: pd.DataFrame, name: str) -> pd.DataFrame:
    """Records (as :mod:`geo.records` loads them) in the shape and dtypes the store reads them back in."""
    data: dict[str, object] = {}
    for col in schema.COLUMNS:
        series = records[col]
        if col in schema.DATE_COLUMNS:
            data[col] = series.astype("datetime64[ns]")
        elif col in schema.FLOAT_COLUMNS:
            data[col] = series.astype(float)
        elif col in schema.INT_COLUMNS:
            data[col] = series.astype("Int64")
        else:
            data[col] = series.astype(str)
    extras = [c for c in records.columns if c not in (*schema.COLUMNS, *EXTRA_COLUMNS, SOURCE_ROW)]
    for col in extras:
        series = records[col]
        data[str(col)] = series.astype(object).where(series.notna(), "").astype(str)
    data["dataset"] = pd.Series(name, index=records.index, dtype=object).astype(str)
    flags = records["flags"].astype(str) if "flags" in records.columns else pd.Series("", index=records.index)
    data["flags"] = flags.astype(object).astype(str)
    order = [*schema.COLUMNS, *map(str, extras), *EXTRA_COLUMNS]
    if SOURCE_ROW in records.columns and records[SOURCE_ROW].notna().any():
        data[SOURCE_ROW] = records[SOURCE_ROW].astype("Int64")
        order.append(SOURCE_ROW)
    return pd.DataFrame(data, columns=order).reset_index(drop=True)


def _combine(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Frames read from several places as one read: ordered by dataset, extras blank where absent."""
    if len(parts) == 1:
        return parts[0].copy()
    if not parts:
        return _as_read(pd.DataFrame({c: pd.Series(dtype=object) for c in schema.COLUMNS}), "")
    frame = pd.concat(parts, ignore_index=True, sort=False)
    extras = list(dict.fromkeys(c for part in parts for c in part.columns if c not in _READ_FIXED))
    for col in extras:
        frame[col] = frame[col].fillna("").astype(str)
    order = [*schema.COLUMNS, *extras, *EXTRA_COLUMNS]
    if SOURCE_ROW in frame.columns:
        frame[SOURCE_ROW] = frame[SOURCE_ROW].astype("Int64")
        order.append(SOURCE_ROW)
    return frame[order].sort_values("dataset", kind="stable").reset_index(drop=True)


_READ_FIXED = frozenset([*schema.COLUMNS, *EXTRA_COLUMNS, SOURCE_ROW])
