"""An uploaded file on the server's disk for as long as its import needs it, and no longer.

The Import page reads a file by its path (:mod:`geo.importing` reads files), so
an upload is written to disk: into a folder of its own, made by
:func:`tempfile.mkdtemp` (mode 0700, a name no one can guess) under
``<tmp>/protest-map-uploads`` (0700, this user's), as a file of mode 0600.  The
folder goes

* when the import is done, or the file is replaced or taken out of the uploader
  (:func:`keep`, :func:`discard`);
* when the session ends: the :class:`Upload` lives in ``st.session_state`` alone,
  and a :func:`weakref.finalize` removes its folder once Streamlit drops the
  session's state (Streamlit has no session-end hook; it keeps a closed tab's
  session ``server.disconnectedSessionTTL`` seconds, 120 by default, for a
  reconnect, then lets it go) and, for what is left, when the server exits;
* when the server was killed instead: every upload folder older than
  :data:`STALE_AFTER_HOURS` is swept at the next start (:func:`sweep_once`) and
  whenever a file is uploaded (:func:`sweep`), except the folders this process
  still holds.

No upload stays in the temporary folder for ever.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import threading
import time
import weakref
from pathlib import Path

import streamlit as st

from geo.errors import ProtestMapError

#: The parent folder's name, in the system's temporary folder.
PARENT = "protest-map-uploads"
#: The prefix of each upload's folder (only these are ever swept).
PREFIX = "upload-"
#: An upload folder older than this, held by no session of this process, is swept.
STALE_AFTER_HOURS = 6.0
#: Where the session keeps its upload.
KEY = "pm_upload"

#: Folders held by a live :class:`Upload` of this process (never swept).
_LIVE: set[str] = set()
_LOCK = threading.Lock()
_SWEPT = False


class Upload:
    """One uploaded file, written once (0600) into a folder of its own (0700).

    ``remove()`` deletes the folder; so does the object's garbage collection (the
    session's end) and the server's exit, whichever comes first.
    """

    def __init__(self, file_id: str, name: str, payload: bytes):
        self.file_id = file_id
        self.name = name
        self.folder = Path(tempfile.mkdtemp(prefix=PREFIX, dir=parent()))
        with _LOCK:
            _LIVE.add(str(self.folder))
        self._finalizer = weakref.finalize(self, _remove, str(self.folder))
        self.path = self.folder / safe_name(name)
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            with os.fdopen(os.open(self.path, flags, 0o600), "wb") as out:
                out.write(payload)
            os.chmod(self.path, 0o600)  # whatever the umask
        except OSError as exc:
            self.remove()
            raise ProtestMapError(f"the upload could not be written to the server's disk: {exc.strerror}") from None

    def remove(self) -> None:
        """Delete the folder and the file in it (again is harmless)."""
        self._finalizer()

    @property
    def present(self) -> bool:
        """Whether the file is still there (not removed, not swept by another server)."""
        return self._finalizer.alive and self.path.is_file()


def keep(uploaded) -> Upload:
    """The session's :class:`Upload` of ``uploaded`` (the uploader's file), written once per file.

    A rerun reuses it; a new file replaces it (the old folder is removed first).
    """
    held: Upload | None = st.session_state.get(KEY)
    if held is not None and held.file_id == uploaded.file_id and held.present:
        return held
    discard()
    upload = Upload(uploaded.file_id, uploaded.name, uploaded.getvalue())
    st.session_state[KEY] = upload
    sweep()
    return upload


def discard() -> None:
    """Remove the session's upload (the import is done, or abandoned)."""
    held: Upload | None = st.session_state.pop(KEY, None)
    if held is not None:
        held.remove()


def parent() -> Path:
    """``<tmp>/protest-map-uploads``, a folder of this user's with mode 0700 (made when absent)."""
    root = Path(tempfile.gettempdir()) / PARENT
    try:
        root.mkdir(mode=0o700)
    except FileExistsError:
        pass
    except OSError as exc:
        raise ProtestMapError(f"cannot make the upload folder {root}: {exc.strerror}") from None
    info = os.lstat(root)
    mine = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    if not stat.S_ISDIR(info.st_mode) or not mine:
        raise ProtestMapError(
            f"{root} is not a folder of this user's (a link, a file, or another user's); remove it, "
            "or point TMPDIR at a folder of your own, and upload again"
        )
    if stat.S_IMODE(info.st_mode) != 0o700:
        os.chmod(root, 0o700)
    return root


def sweep(max_age_hours: float = STALE_AFTER_HOURS) -> list[Path]:
    """Remove the upload folders older than ``max_age_hours`` that no live upload of this process holds."""
    try:
        root = parent()
    except ProtestMapError:
        return []
    cutoff = time.time() - max_age_hours * 3600
    removed = []
    for entry in root.iterdir():
        if not entry.name.startswith(PREFIX) or entry.is_symlink() or not entry.is_dir():
            continue
        with _LOCK:
            if str(entry) in _LIVE:
                continue
        try:
            if entry.stat().st_mtime < cutoff:
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
        except FileNotFoundError:
            continue
    return removed


def sweep_once() -> None:
    """:func:`sweep` on the server's first run (what a killed server left behind), then nothing."""
    global _SWEPT
    if _SWEPT:
        return
    _SWEPT = True
    sweep()


def safe_name(name: str) -> str:
    """The upload's file name with anything but letters, digits, ``.``, ``-`` and ``_`` made ``_``."""
    cleaned = re.sub(r"[^\w.\-]+", "_", Path(name).name)
    return cleaned if cleaned.strip(".") else "upload.csv"


def _remove(folder: str) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    with _LOCK:
        _LIVE.discard(folder)
