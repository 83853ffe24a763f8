"""Operator commands (``python -m geo datasets list|export|delete``), dataset names, stores that
cannot be used and side files that cannot hurt: each as a user meets it, with real files.

The read-only cases mount a real read-only file system (tmpfs, remounted ``ro``) in a mount
namespace of their own (``unshare``); they are skipped where that is not allowed.
"""

from __future__ import annotations

import csv
import json
import os
import pty
import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from geo import schema
from geo.store import SCHEMA_VERSION, open_store

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, env: dict | None = None, stdin=subprocess.DEVNULL) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "geo", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        stdin=stdin,
        timeout=180,
    )


def native_file(path: Path, n: int = 3, bad: int = 0, prefix: str = "r") -> Path:
    """``n`` good native records and ``bad`` rows with an impossible date."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=schema.COLUMNS)
        writer.writeheader()
        for i in range(n + bad):
            writer.writerow(
                {
                    "record_id": f"{prefix}{i}",
                    "date": "2019-06-09" if i < n else "2019-13-01",
                    "city": "Almaty",
                    "event_type": "rally",
                    "place_name_en": f"Square {i}",
                    "source_urls": f"https://example.org/{prefix}{i}",
                }
            )
    return path


def table_rows(stdout: str) -> list[list[str]]:
    return [re.split(r"\s{2,}", line.strip()) for line in stdout.splitlines()]


@pytest.fixture
def store_with_team(tmp_path) -> Path:
    store = tmp_path / "store.sqlite"
    res = run("import", str(native_file(tmp_path / "team.csv")), "--store", str(store), "--dataset", "team")
    assert res.returncode == 0, res.stderr
    open_store(store).ensure_embedded()
    return store


# --------------------------------------------------------------------------- datasets list / export / delete


def test_datasets_list_names_kind_rows_created_source_and_version(store_with_team, tmp_path):
    res = run("datasets", "list", "--store", str(store_with_team))
    assert res.returncode == 0, res.stderr
    header, *rows = table_rows(res.stdout)
    assert header == ["name", "kind", "rows", "created (UTC)", "source file (format)", "version"]
    by_name = {r[0]: r for r in rows}
    assert sorted(by_name) == ["embedded", "team"]
    _name, kind, n, created, source, version = by_name["team"]
    assert (kind, n, source) == ("import", "3", f"{tmp_path / 'team.csv'} (native)")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", created)
    assert re.fullmatch(r"sha256:[0-9a-f]{12}…", version)
    assert by_name["embedded"][1:3] == ["embedded", f"{len(open_store(store_with_team).read(['embedded'])):,}"]
    assert res.stderr.strip() == f"2 dataset(s) in {store_with_team}"

    as_json = run("datasets", "list", "--json", "--store", str(store_with_team))

    team = next(d for d in json.loads(as_json.stdout) if d["name"] == "team")
    assert team["rows"] == 3 and team["version"].startswith("sha256:") and len(team["version"]) == 71


def test_datasets_list_of_a_missing_store_creates_nothing(tmp_path):
    res = run("datasets", "list", "--store", str(tmp_path / "none" / "store.sqlite"))
    assert res.returncode == 0 and res.stdout.splitlines() == [
        "name  kind  rows  created (UTC)  source file (format)  version"
    ]
    assert not (tmp_path / "none").exists()


def test_datasets_export_refuses_a_bad_extension_and_an_unknown_name(store_with_team, tmp_path):
    res = run("datasets", "export", "team", "--out", str(tmp_path / "x.xlsx"), "--store", str(store_with_team))
    assert res.returncode == 1 and "--out" in res.stderr and "expected a .csv" in res.stderr
    res = run("datasets", "export", "nope", "--out", str(tmp_path / "x.csv"), "--store", str(store_with_team))
    assert res.returncode == 1
    assert f"no dataset named 'nope' in the store '{store_with_team}'; it has 'embedded', 'team'" in res.stderr
    assert not (tmp_path / "x.csv").exists() and "Traceback" not in res.stderr


def test_datasets_delete_with_yes_and_without_a_terminal(store_with_team):
    res = run("datasets", "delete", "team", "--store", str(store_with_team))  # stdin is not a terminal
    assert res.returncode == 1
    assert "not deleted: there is no terminal to ask; pass --yes" in res.stderr
    assert [d.name for d in open_store(store_with_team).datasets()] == ["embedded", "team"]
    res = run("datasets", "delete", "team", "--yes", "--store", str(store_with_team))
    assert res.returncode == 0, res.stderr
    assert res.stderr.startswith("deleted dataset 'team' (3 record(s) from ")
    assert [d.name for d in open_store(store_with_team).datasets()] == ["embedded"]


@pytest.mark.parametrize(("answer", "kept"), [(b"n\n", True), (b"\n", True), (b"y\n", False)])
def test_datasets_delete_asks_on_a_terminal(store_with_team, answer, kept):
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "geo", "datasets", "delete", "team", "--store", str(store_with_team)],
            cwd=ROOT,
            stdin=slave,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        os.close(slave)
        os.write(master, answer)
        _out, err = proc.communicate(timeout=120)
    finally:
        os.close(master)
    assert "delete dataset 'team' (3 record(s) from " in err and f"from {store_with_team}? [y/N] " in err
    assert proc.returncode == (1 if kept else 0)
    assert ("team" in [d.name for d in open_store(store_with_team).datasets()]) is kept


def test_datasets_delete_refuses_the_embedded_dataset_and_says_why(store_with_team):
    res = run("datasets", "delete", "embedded", "--yes", "--store", str(store_with_team))
    assert res.returncode == 1
    assert "is the embedded dataset (data/incidents/incidents.csv), not an import" in res.stderr
    assert "choose other datasets under Datasets in the sidebar" in res.stderr
    assert "embedded" in [d.name for d in open_store(store_with_team).datasets()]
    res = run("datasets", "delete", "nope", "--yes", "--store", str(store_with_team))
    assert res.returncode == 1 and "no dataset named 'nope'" in res.stderr and "it has 'embedded', 'team'" in res.stderr


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (["--dataset", "a,b"], "dataset name 'a,b': ',' cannot be in a name"),
        (["--dataset", "x" * 101], "101 characters; at most 100 allowed"),
        (["--dataset", "tab\there"], "expected printable text"),
    ],
)
def test_import_refuses_a_name_no_link_could_select_before_reading_the_file(tmp_path, given, message):
    store = tmp_path / "store.sqlite"
    res = run("import", str(native_file(tmp_path / "team.csv")), "--store", str(store), *given)
    assert res.returncode == 1
    assert message in res.stderr and "choose another --dataset" in res.stderr
    assert "importing" not in res.stderr and not store.exists()


def test_a_file_whose_name_is_not_a_dataset_name_says_to_give_one(tmp_path):
    src = native_file(tmp_path / "june,july.csv")
    res = run("import", str(src), "--store", str(tmp_path / "store.sqlite"))
    assert res.returncode == 1
    assert (
        "dataset name 'june,july'" in res.stderr
        and "june,july.csv names it: give one with --dataset NAME" in res.stderr
    )
    res = run("import", str(src), "--store", str(tmp_path / "store.sqlite"), "--dataset", "june-july")
    assert res.returncode == 0, res.stderr


# --------------------------------------------------------------------------- stores that cannot be used


def _readonly_supported() -> bool:
    probe = "d=$(mktemp -d) && mount -t tmpfs tmpfs $d && mount -o remount,ro $d && ! touch $d/x 2>/dev/null"
    try:
        return subprocess.run(["unshare", "-rm", "sh", "-c", probe], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


READ_ONLY = pytest.mark.skipif(not _readonly_supported(), reason="cannot mount a read-only file system here")

_ON_READ_ONLY = """set -e
mount -t tmpfs -o size=64m tmpfs "$RO"
while [ "$1" != "--" ]; do cp "$1" "$RO"/; shift; done
shift
mount -o remount,ro "$RO"
cd "$PM_ROOT"
exec "$PM_PYTHON" -m geo "$@"
"""


def run_on_read_only(folder: Path, files: list[Path], *args: str, env: dict | None = None):
    """``python -m geo ARGS`` with ``files`` copied into ``folder``, a read-only file system of its own."""
    folder.mkdir(exist_ok=True)
    full = {**os.environ, **(env or {}), "RO": str(folder), "PM_ROOT": str(ROOT), "PM_PYTHON": sys.executable}
    return subprocess.run(
        ["unshare", "-rm", "sh", "-c", _ON_READ_ONLY, "sh", *map(str, files), "--", *args],
        capture_output=True,
        text=True,
        env=full,
        timeout=180,
    )


@READ_ONLY
def test_a_store_on_a_read_only_file_system_is_read_and_never_called_not_a_store(store_with_team, tmp_path):
    ro = tmp_path / "ro"
    res = run_on_read_only(ro, [store_with_team], "datasets", "list", "--store", str(ro / "store.sqlite"))
    assert res.returncode == 0, res.stderr
    assert sorted(r[0] for r in table_rows(res.stdout)[1:]) == ["embedded", "team"]

    out = tmp_path / "team.csv.out.csv"
    res = run_on_read_only(
        ro, [store_with_team], "datasets", "export", "team", "--out", str(out), "--store", str(ro / "store.sqlite")
    )
    assert res.returncode == 0, res.stderr
    assert [r["record_id"] for r in csv.DictReader(out.read_text(encoding="utf-8").splitlines())] == ["r0", "r1", "r2"]

    src = native_file(tmp_path / "more.csv")
    res = run_on_read_only(
        ro, [store_with_team, src], "import", str(ro / "more.csv"), "--store", str(ro / "store.sqlite")
    )
    assert res.returncode == 1
    assert f"error: the store '{ro / 'store.sqlite'}' cannot be written: it is on a read-only file system" in res.stderr
    assert "not a protest-map store" not in res.stderr and "Traceback" not in res.stderr


def test_a_damaged_store_is_said_with_its_name_never_a_traceback(tmp_path):
    path = tmp_path / "store.sqlite"
    store = open_store(path)
    for k in range(4):
        res = run("import", str(native_file(tmp_path / f"t{k}.csv", n=600, prefix=f"t{k}-")), "--store", str(path))
        assert res.returncode == 0, res.stderr
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.seek(size // 2)
        handle.write(b"\xff" * 16384)
    assert [d.rows for d in store.datasets()] == [600] * 4  # the catalogue is intact, the records are not
    for args in (
        ["datasets", "export", "t2", "--out", str(tmp_path / "x.csv")],
        ["import", str(tmp_path / "t0.csv"), "--dataset", "again"],
    ):
        res = run(*args, "--store", str(path))
        assert res.returncode == 1
        assert f"error: the store '{path}' is damaged (database disk image is malformed)" in res.stderr
        assert "Traceback" not in res.stderr


def test_a_store_of_a_newer_schema_version_is_said_with_its_name(store_with_team, tmp_path):
    with closing(sqlite3.connect(store_with_team)) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    for args in (["datasets", "list"], ["import", str(native_file(tmp_path / "more.csv"))]):
        res = run(*args, "--store", str(store_with_team))
        assert res.returncode == 1
        assert (
            f"error: the store '{store_with_team}' has schema version {SCHEMA_VERSION + 1}, written by a newer "
            "protest-map" in res.stderr
        )
        assert "Traceback" not in res.stderr


# --------------------------------------------------------------------------- side files


@READ_ONLY
def test_from_a_read_only_folder_the_valid_rows_are_imported_and_the_rejected_go_to_the_cache(tmp_path):
    src = native_file(tmp_path / "team.csv", n=3, bad=2)
    ro, store, cache = tmp_path / "ro", tmp_path / "store.sqlite", tmp_path / "cache"
    res = run_on_read_only(
        ro, [src], "import", str(ro / "team.csv"), "--store", str(store), env={"PROTESTMAP_CACHE": str(cache)}
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[0] == f"{ro / 'team.csv'}: 5 rows: 3 imported (0 flagged), 0 merged, 2 rejected"
    side = cache / "rejected" / "team.rejected.csv"
    assert f"ready to fix and import again: {side}" in res.stdout
    assert (
        f"note: cannot write in {ro} (Read-only file system): the rejected rows went to the cache folder" in res.stderr
    )
    assert [r["import_row"] for r in csv.DictReader(side.read_text(encoding="utf-8-sig").splitlines())] == ["5", "6"]
    assert oct(side.stat().st_mode & 0o777) == "0o600" and oct((cache / "rejected").stat().st_mode & 0o777) == "0o700"
    assert len(open_store(store).read(["team"])) == 3


def test_a_link_named_like_the_side_file_is_never_followed(tmp_path):
    src = native_file(tmp_path / "team.csv", n=1, bad=1)
    precious = tmp_path / "precious.txt"
    precious.write_text("the operator's notes\n", encoding="utf-8")
    (tmp_path / "team.rejected.csv").symlink_to(precious)
    (tmp_path / "team.rejected.1.csv").symlink_to(tmp_path / "nowhere.txt")  # a dangling link: not created either
    res = run("import", str(src), "--store", str(tmp_path / "store.sqlite"))
    assert res.returncode == 0, res.stderr
    assert precious.read_text(encoding="utf-8") == "the operator's notes\n"
    assert not (tmp_path / "nowhere.txt").exists()
    assert (tmp_path / "team.rejected.csv").is_symlink() and (tmp_path / "team.rejected.1.csv").is_symlink()
    side = tmp_path / "team.rejected.2.csv"
    assert f"ready to fix and import again: {side}" in res.stdout
    assert f"note: {tmp_path / 'team.rejected.csv'} already exists: left alone, wrote team.rejected.2.csv" in res.stderr
    assert not side.is_symlink() and "2019-13-01" in side.read_text(encoding="utf-8-sig")


def test_an_earlier_side_file_is_kept_and_the_new_one_numbered(tmp_path):
    src = native_file(tmp_path / "team.csv", n=1, bad=1)
    store = tmp_path / "store.sqlite"
    first = run("import", str(src), "--store", str(store), "--dataset", "one")
    second = run("import", str(src), "--store", str(store), "--dataset", "one", "--replace")
    assert first.returncode == second.returncode == 0
    assert "already exists" not in first.stderr
    assert f"ready to fix and import again: {tmp_path / 'team.rejected.1.csv'}" in second.stdout
    assert "team.rejected.csv already exists: left alone, wrote team.rejected.1.csv" in second.stderr
    # a numbered side file imported again keeps the input's name: team.rejected.<n>.csv, never .rejected.1.rejected.csv
    third = run("import", str(tmp_path / "team.rejected.1.csv"), "--store", str(store), "--dataset", "three")
    assert third.returncode == 1  # nothing left to import: its one row is still wrong
    assert f"ready to fix and import again: {tmp_path / 'team.rejected.2.csv'}" in third.stdout
    assert sorted(p.name for p in tmp_path.glob("team.rejected*")) == [
        "team.rejected.1.csv",
        "team.rejected.2.csv",
        "team.rejected.csv",
    ]


def test_the_store_is_written_before_the_side_file(tmp_path, monkeypatch, capsys):
    """When no side file can be written anywhere the valid rows are still in the store, the rejected ones listed."""
    src = native_file(tmp_path / "team.csv", n=2, bad=1)
    (tmp_path / "team.rejected.csv").mkdir()  # the name is taken ...
    monkeypatch.setattr("geo.importing.pipeline.MAX_SIDE_FILES", 0)  # ... and no numbered name is allowed
    blocked = tmp_path / "cache-is-a-file"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("PROTESTMAP_CACHE", str(blocked))  # and the cache folder cannot be made
    from geo import cli

    assert cli.main(["import", str(src), "--store", str(tmp_path / "store.sqlite")]) == 0
    assert len(open_store(tmp_path / "store.sqlite").read(["team"])) == 2
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == f"{src}: 3 rows: 2 imported (0 flagged), 0 merged, 1 rejected"
    assert f"note: {src}: the 1 rejected row(s) could not be written beside it in {tmp_path}" in err
    assert f"nor in the cache folder {blocked / 'rejected'} (Not a directory); the rejected rows are:" in err
    assert "note: row 4, column date, value '2019-13-01': expected a date as YYYY-MM-DD" in err
