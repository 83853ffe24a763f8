"""A throwaway PostgreSQL + PostGIS server on a socket in a temporary folder (tests, benchmarks).

Debian's ``postgresql`` and ``postgresql-postgis`` packages provide the server
(``./dev test`` installs them).  :func:`throwaway_server` makes a new cluster in a
temporary folder, starts it listening only on a Unix socket in that folder (no TCP
port, nothing reachable from elsewhere), creates database ``protestmap`` with the
``postgis`` extension, yields its URL, then stops the server and deletes the folder.
:func:`scratch_database` gives a new database on it (a copy of ``protestmap``, so
with PostGIS) for as long as a test needs it.

PostgreSQL refuses to run as root; as root the cluster belongs to Debian's
``postgres`` user and runs as it (``runuser``).
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from geo.errors import ProtestMapError

#: The database :func:`throwaway_server` creates.
DATABASE = "protestmap"

_PACKAGES = "sudo apt-get install postgresql postgresql-postgis"
_SCRATCH_NUMBERS = itertools.count(1)


def server_bin() -> Path:
    """The newest installed PostgreSQL server's ``bin`` folder (Debian keeps it off ``PATH``)."""
    found = sorted(
        (Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")),
        key=lambda p: [int(x) if x.isdigit() else 0 for x in p.parent.name.split(".")],
    )
    if not found:
        on_path = shutil.which("initdb")
        if on_path:
            return Path(on_path).resolve().parent
        raise ProtestMapError(f"no PostgreSQL server is installed (no initdb found); install it: {_PACKAGES}")
    return found[-1]


def postgis_available(bin_dir: Path) -> bool:
    """Whether the PostGIS extension is installed for the server in ``bin_dir``."""
    version = bin_dir.parent.name
    return Path(f"/usr/share/postgresql/{version}/extension/postgis.control").is_file()


_PREFIX, _OWNER = "protestmap-pg-", "owner.pid"


def _sweep(run) -> None:
    """Stop and remove the throwaway servers of processes that are gone (killed before they stopped theirs)."""
    for root in Path(tempfile.gettempdir()).glob(_PREFIX + "*"):
        try:
            owner = int((root / _OWNER).read_text(encoding="ascii"))
        except (OSError, ValueError):
            continue  # not one of ours, or still being made
        try:
            os.kill(owner, 0)
            continue  # its process is alive: its server is in use
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        if (root / "data" / "postmaster.pid").exists():
            run("pg_ctl", "-D", str(root / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def throwaway_server() -> Iterator[str]:
    """Start a private server, yield ``postgresql://`` URL of its database ``protestmap``, stop it."""
    bin_dir = server_bin()
    if not postgis_available(bin_dir):
        raise ProtestMapError(
            f"PostgreSQL {bin_dir.parent.name} has no PostGIS extension installed; install it: {_PACKAGES}"
        )
    as_root = os.geteuid() == 0
    user = "postgres" if as_root else None

    def run(*args: str) -> subprocess.CompletedProcess:
        command = [str(bin_dir / args[0]), *args[1:]]
        if user:
            command = ["runuser", "-u", user, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=False)

    _sweep(run)
    root = Path(tempfile.mkdtemp(prefix=_PREFIX))
    (root / _OWNER).write_text(str(os.getpid()), encoding="ascii")
    data, sock, log = root / "data", root / "socket", root / "server.log"

    def check(result: subprocess.CompletedProcess, what: str) -> None:
        if result.returncode != 0:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise ProtestMapError(f"{what} failed: {result.stderr.strip() or result.stdout.strip()}\n{tail}")

    started = False
    try:
        sock.mkdir()
        if user:
            shutil.chown(root, user)
            shutil.chown(sock, user)
        check(run("initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"), "initdb")
        options = f"-c listen_addresses='' -k {sock} -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        if user:
            log.touch()
            shutil.chown(log, user)
        check(run("pg_ctl", "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start"), "pg_ctl start")
        started = True
        base = f"postgresql://postgres@/{{db}}?host={sock}"
        import psycopg

        with psycopg.connect(base.format(db="postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        url = base.format(db=DATABASE)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION postgis")
        yield url
    finally:
        if started:
            run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


def database_url(url: str, database: str) -> str:
    """``url`` of a :func:`throwaway_server` with another database name."""
    return url.replace(f"/{DATABASE}?", f"/{database}?", 1)


@contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """Yield the URL of a new database on ``server_url``'s server (a copy of ``protestmap``: PostGIS installed).

    ``server_url`` is what :func:`throwaway_server` yields; the database is dropped afterwards,
    whoever is still connected to it.
    """
    import psycopg

    name = f"scratch_{os.getpid()}_{next(_SCRATCH_NUMBERS)}"
    admin = database_url(server_url, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {DATABASE}")
    try:
        yield database_url(server_url, name)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
