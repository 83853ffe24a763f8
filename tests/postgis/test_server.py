"""The tests' throwaway PostgreSQL server: private, and never left running by a process that was killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from geo.postgis.server import throwaway_server

STARTS_ONE = """
import sys, time
from geo.postgis.server import throwaway_server
with throwaway_server() as url:
    print(url, flush=True)
    time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_killed_owners_server_is_stopped_and_removed_by_the_next_one(tmp_path):
    owner = subprocess.Popen([sys.executable, "-c", STARTS_ONE], stdout=subprocess.PIPE, text=True, cwd=Path.cwd())
    url = owner.stdout.readline().strip()
    folder = Path(url.split("host=")[1]).parent
    postmaster = int((folder / "data" / "postmaster.pid").read_text().split()[0])
    with psycopg.connect(url) as conn:  # it is up, on its socket only
        assert conn.execute("SHOW listen_addresses").fetchone()[0] == ""
    owner.send_signal(signal.SIGKILL)  # no finally runs: the server is left behind
    owner.wait()
    owner.stdout.close()
    assert _alive(postmaster) and folder.exists()
    with throwaway_server() as other:
        assert other != url
        for _ in range(50):
            if not _alive(postmaster):
                break
            time.sleep(0.1)
        assert not _alive(postmaster) and not folder.exists()
