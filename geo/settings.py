"""The one settings module: every environment variable :mod:`geo` reads is read here.

======================================  =====================================================
variable                                meaning
======================================  =====================================================
``PROTESTMAP_BOUNDARIES``               folder holding the district and city boundary files
                                        (default: the cache that ``python -m geo boundaries
                                        fetch`` writes, when it exists; else the boundaries
                                        shipped in ``data/boundaries``)
``PROTESTMAP_CACHE``                    cache folder (default ``$XDG_CACHE_HOME/protest-map``
                                        or ``~/.cache/protest-map``)
``PROTESTMAP_NOMINATIM_URL``            Nominatim endpoint used by the fetch
                                        (default ``https://nominatim.openstreetmap.org``)
``PROTESTMAP_ASTANA_GIS_URL``           Astana city GIS district layer used by the fetch
``PROTESTMAP_HTTP_TIMEOUT``             seconds before a fetch gives up (default 30)
``PROTESTMAP_NPM_REGISTRY``             npm registry the map's front-end files are installed
                                        from (default ``https://registry.npmjs.org``)
``PROTESTMAP_STORE``                    the persistent dataset store: a file path or
                                        ``sqlite:///path`` (default ``<cache>/store.sqlite``),
                                        or a team's PostgreSQL + PostGIS database,
                                        ``postgresql://user:password@host/database``.  The
                                        app also reads it as a Streamlit secret of that name
                                        when the variable is unset (``pages/ui/deployment.py``)
``PROTESTMAP_MODE``                     ``local`` (default): the dashboard imports files into
                                        the store; ``public``: a deployment no visitor can
                                        write to (no Import page, the store read-only, no
                                        server path shown).  The app also reads it as a
                                        Streamlit secret of that name (``pages/ui/deployment.py``)
``PROTESTMAP_IMPORT_MAX_BYTES``         the largest file an import reads (default
                                        1,073,741,824: 1 GiB)
``PROTESTMAP_IMPORT_MAX_ROWS``          the most data rows (lines; GeoJSON features,
                                        GeoPackage records) of an import (default 5,000,000)
``PROTESTMAP_IMPORT_MAX_COLUMNS``       the most columns of an import (default 500)
``PROTESTMAP_IMPORT_MAX_CELL_CHARS``    the longest cell of an import, in characters
                                        (default 100,000)
======================================  =====================================================

The import limits (:class:`ImportLimits`) bound what one import may cost: a file over
one is refused before it is parsed, with a message naming the file, the limit and its
variable.  The defaults are far above any real export: ACLED's has 31 columns and
notes of a few thousand characters at most; a Crowd Counting sheet has under 100
columns; Kazakhstan's ACLED export is a few thousand rows and a few megabytes, and
ACLED's whole world a few million rows.  The cell limit stays below the 131,072
characters Python's ``csv`` module reads in one cell.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Literal

from geo.errors import SettingsError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
EMBEDDED_INCIDENTS = PROJECT_ROOT / "data" / "incidents"
#: The district and city boundaries shipped with the project (see its SOURCES.md).
EMBEDDED_BOUNDARIES = PROJECT_ROOT / "data" / "boundaries"

DEFAULT_NOMINATIM_URL = "https://nominatim.openstreetmap.org"
DEFAULT_NPM_REGISTRY = "https://registry.npmjs.org"
DEFAULT_ASTANA_GIS_URL = "https://gis.esaulet.kz/server/rest/services/Hosted/raiony/FeatureServer/0"

#: How the dashboard is deployed (``PROTESTMAP_MODE``).
Mode = Literal["local", "public"]
#: The allowed values of ``PROTESTMAP_MODE``, the default first.
MODES: tuple[Mode, ...] = ("local", "public")


@dataclass(frozen=True)
class ImportLimits:
    """What one import may read (``PROTESTMAP_IMPORT_MAX_*``; see the table above)."""

    max_bytes: int = 1 << 30
    max_rows: int = 5_000_000
    max_columns: int = 500
    max_cell_chars: int = 100_000

    #: The environment variable of each limit, by field name.
    VARIABLES: ClassVar[dict[str, str]] = {
        "max_bytes": "PROTESTMAP_IMPORT_MAX_BYTES",
        "max_rows": "PROTESTMAP_IMPORT_MAX_ROWS",
        "max_columns": "PROTESTMAP_IMPORT_MAX_COLUMNS",
        "max_cell_chars": "PROTESTMAP_IMPORT_MAX_CELL_CHARS",
    }


@dataclass(frozen=True)
class Settings:
    """A snapshot of the configuration, read from the environment."""

    boundaries_dir: Path | None
    boundaries_from_env: bool
    cache_dir: Path
    nominatim_url: str
    astana_gis_url: str
    http_timeout: float
    incidents_dir: Path = EMBEDDED_INCIDENTS
    npm_registry: str = DEFAULT_NPM_REGISTRY
    #: Where :func:`geo.store.open_store` opens the store by default: a path or a URL
    #: (``PROTESTMAP_STORE``); ``None`` means ``<cache_dir>/store.sqlite``.
    store_path: str | Path | None = None
    #: ``PROTESTMAP_MODE``: ``local`` (imports allowed) or ``public`` (nothing is written).
    mode: Mode = "local"
    #: ``PROTESTMAP_IMPORT_MAX_*``: what one import may read.
    import_limits: ImportLimits = field(default_factory=ImportLimits)

    def __post_init__(self) -> None:
        if self.store_path is None:
            object.__setattr__(self, "store_path", self.cache_dir / "store.sqlite")

    @property
    def fetched_boundaries_dir(self) -> Path:
        """Where ``python -m geo boundaries fetch`` writes by default."""
        return self.cache_dir / "boundaries"


def get_settings() -> Settings:
    """Read the settings from the environment now (cheap; call it when needed)."""
    env = os.environ
    cache = env.get("PROTESTMAP_CACHE")
    if cache:
        cache_dir = Path(cache).expanduser()
    else:
        base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        cache_dir = Path(base).expanduser() / "protest-map"
    configured = env.get("PROTESTMAP_BOUNDARIES", "").strip()
    if configured:
        boundaries_dir: Path | None = Path(configured).expanduser()
    elif (cache_dir / "boundaries").is_dir():
        boundaries_dir = cache_dir / "boundaries"
    elif EMBEDDED_BOUNDARIES.is_dir():
        boundaries_dir = EMBEDDED_BOUNDARIES
    else:
        boundaries_dir = None
    return Settings(
        boundaries_dir=boundaries_dir,
        boundaries_from_env=bool(configured),
        cache_dir=cache_dir,
        nominatim_url=env.get("PROTESTMAP_NOMINATIM_URL", DEFAULT_NOMINATIM_URL).rstrip("/"),
        astana_gis_url=env.get("PROTESTMAP_ASTANA_GIS_URL", DEFAULT_ASTANA_GIS_URL).rstrip("/"),
        http_timeout=float(env.get("PROTESTMAP_HTTP_TIMEOUT", "30")),
        npm_registry=(env.get("PROTESTMAP_NPM_REGISTRY", "").strip() or DEFAULT_NPM_REGISTRY).rstrip("/"),
        store_path=env.get("PROTESTMAP_STORE", "").strip() or None,
        mode=parse_mode(env.get("PROTESTMAP_MODE"), "the environment variable PROTESTMAP_MODE"),
        import_limits=ImportLimits(
            **{
                name: _positive_int(env.get(variable), variable, getattr(ImportLimits, name))
                for name, variable in ImportLimits.VARIABLES.items()
            }
        ),
    )


def _positive_int(value: str | None, variable: str, default: int) -> int:
    """A whole number of 1 or more from a setting's text (``1_000_000`` and ``1,000,000`` too); blank: ``default``.

    Raises
    ------
    SettingsError
        For anything else, naming the variable and its default.
    """
    text = "" if value is None else value.strip().replace(",", "").replace("_", "")
    if not text:
        return default
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise SettingsError(
            f"the environment variable {variable} is {value!r}; expected a whole number of 1 or more "
            f"(unset means {default:,})"
        )
    return int(text)


def parse_mode(value: str | None, where: str = "PROTESTMAP_MODE") -> Mode:
    """``local`` or ``public`` from a setting's text (blank or absent: ``local``).

    Raises
    ------
    SettingsError
        For any other value, naming ``where`` it came from and the allowed values.
    """
    text = "" if value is None else str(value).strip().lower()
    if not text:
        return MODES[0]
    for mode in MODES:
        if text == mode:
            return mode
    raise SettingsError(
        f"{where} is {str(value)!r}; expected one of {', '.join(repr(m) for m in MODES)} "
        "(unset means 'local'). Set it to 'public' for a deployment no visitor can write to."
    )


HOW_TO_GET_BOUNDARIES = (
    "No district boundaries were found (the project ships them in data/boundaries). Restore "
    "that folder (git checkout -- data/boundaries), point PROTESTMAP_BOUNDARIES at a folder "
    "holding boundary files, or, on a machine with a network, run `python -m geo boundaries "
    "fetch`, which downloads them from OpenStreetMap and Astana's city GIS into the cache "
    "folder, where they are found without any setting."
)
