"""The small error hierarchy of :mod:`geo`.

Every error says what was given and what was expected, and how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass


class ProtestMapError(Exception):
    """Base class of every error raised on purpose by :mod:`geo`."""


@dataclass(frozen=True)
class Problem:
    """One problem in one input row: file, row number, column, value, what was expected.

    ``row`` is the 1-based data row number as a spreadsheet user sees it
    (the header is row 1 in a CSV, so the first record is row 2); for GeoJSON
    it is the 1-based feature number.  ``row`` is ``None`` for a problem with
    the whole file (a missing column, say).
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        if self.value is not None:
            return f"{where}: value {self.value!r}: {self.expected}"
        return f"{where}: {self.expected}"


class RecordsValidationError(ProtestMapError):
    """Some rows of an incident file are invalid; ``problems`` lists every one."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        head = "\n".join(str(p) for p in self.problems[:20])
        more = f"\n... and {n - 20} more" if n > 20 else ""
        super().__init__(f"{n} problem(s) in the incident records:\n{head}{more}")


class EventsValidationError(ProtestMapError):
    """Rows of a key events file are invalid; ``problems`` lists every one."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the key events:\n{lines}")


class SettingsError(ProtestMapError):
    """A setting (an environment variable, a Streamlit secret) has a value that is not allowed."""


class BoundariesNotConfigured(ProtestMapError):
    """No boundary folder is configured or the configured one does not exist."""


class BoundaryCheckError(ProtestMapError):
    """A boundary file is not what the project expects (geometry, CRS, tiling, count)."""


class CRSMismatchError(ProtestMapError):
    """Two frames that are joined are not in the same coordinate reference system."""


class FetchError(ProtestMapError):
    """Fetching boundaries from their public origin failed (no network, bad answer)."""


class AssetsError(ProtestMapError):
    """The map's front-end files could not be installed, or a map needs one that is not served locally."""


class ImportFileError(ProtestMapError):
    """A file cannot be read at all (missing, empty, not a table, GeoJSON not in WGS84)."""


class MappingError(ProtestMapError):
    """A column mapping is malformed or names a column the file does not have."""


class ImportAccountingError(ProtestMapError):
    """An import lost or doubled an input row: its counts or row numbers do not add up.

    A bug in :mod:`geo.importing`, never a problem of the file: nothing of such an
    import should be written.
    """


class SideFileError(ProtestMapError):
    """A file written beside the main output (the rejected rows of an import) could not be written anywhere."""


class StoreError(ProtestMapError):
    """The dataset store cannot be used: damaged, not writable, not a store, or of a newer schema version."""


class StoreUnusable(StoreError):
    """An SQLite error on the store at ``path``, said as what it means (damaged, read-only, not a store)."""

    def __init__(self, path, exc: Exception):
        import os

        text, where = str(exc), str(path)
        try:
            read_only = bool(os.statvfs(os.path.dirname(where) or ".").f_flag & os.ST_RDONLY)
        except OSError:
            read_only = False
        folder = os.path.dirname(where) or "."
        if any(word in text.lower() for word in ("malformed", "corrupt")):
            message = (
                f"the store {where!r} is damaged ({text}); nothing was changed. Restore it from a copy, "
                "or point PROTESTMAP_STORE (or --store) at another file"
            )
        elif "not a database" in text.lower():
            message = f"{where!r} is not a protest-map store ({text}); point PROTESTMAP_STORE at another file"
        elif read_only or not os.access(folder, os.W_OK) or (os.path.exists(where) and not os.access(where, os.W_OK)):
            why = "it is on a read-only file system" if read_only else "its file or folder is not writable"
            message = (
                f"the store {where!r} cannot be written: {why} ({text}). Copy it to a writable folder, "
                "or read it without writing (`python -m geo datasets list` / `export`, PROTESTMAP_MODE=public)"
            )
        else:
            message = f"cannot use the store {where!r}: {text}"
        super().__init__(message)
