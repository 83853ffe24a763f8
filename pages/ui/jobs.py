"""Long work (checking a 100,000-row import) in a background thread, so no page is held hostage.

The session keeps the :class:`Job`; the page shows its progress in a fragment that
refreshes itself and reruns the page when the job ends.  The work itself must not
call Streamlit (it runs outside the script thread).

One job per session and purpose (:func:`replace`): a new one cancels the one before it,
which stops at its next progress report (:class:`Cancelled`), so clicking "Check every
row" five times runs one check, not five.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st


class Cancelled(Exception):
    """Raised in a job's thread at its next progress report after :meth:`Job.cancel`."""


@dataclass
class Job:
    """A piece of work running in a thread: its progress, then its result or its error."""

    done: int = 0
    total: int = 0
    result: Any = None
    error: BaseException | None = None
    finished: threading.Event = field(default_factory=threading.Event)
    cancelled: threading.Event = field(default_factory=threading.Event)

    def progress(self, done: int, total: int) -> None:
        """Record the progress; stop the work (raise :class:`Cancelled`) once the job is cancelled."""
        if self.cancelled.is_set():
            raise Cancelled()
        self.done, self.total = done, total

    def cancel(self) -> None:
        """Ask the work to stop at its next progress report (its result is never used)."""
        self.cancelled.set()

    @property
    def running(self) -> bool:
        return not self.finished.is_set()


def start(work: Callable[[Callable[[int, int], None]], Any]) -> Job:
    """Run ``work(progress)`` in a daemon thread; ``progress(done, total)`` updates the job."""
    job = Job()

    def run() -> None:
        try:
            job.result = work(job.progress)
        except BaseException as exc:  # handed to the page, which shows or re-raises it
            job.error = exc
        finally:
            job.finished.set()

    threading.Thread(target=run, name="protest-map-job", daemon=True).start()
    return job


def replace(key: str, tag: Any, work: Callable[[Callable[[int, int], None]], Any]) -> Job:
    """Start ``work`` as the session's job ``key`` (with ``tag``, what it is for), cancelling the one before it."""
    held = st.session_state.get(key)
    if held is not None:
        held[1].cancel()
    job = start(work)
    st.session_state[key] = (tag, job)
    return job


def current(key: str) -> tuple[Any, Job | None]:
    """The session's job ``key`` and its tag, or ``(None, None)``."""
    return st.session_state.get(key, (None, None))


def drop(key: str) -> None:
    """Forget (and cancel, if it still runs) the session's job ``key``."""
    held = st.session_state.pop(key, None)
    if held is not None:
        held[1].cancel()


@st.fragment(run_every=1.0)
def show_progress(job: Job, text: str | Callable[[int, int], str]) -> None:
    """A progress bar that refreshes every second and reruns the page when the job ends.

    ``text`` is a template with ``{done}`` and ``{total}``, or a function of the two
    (for counts written in the reader's language).
    """
    fraction = job.done / job.total if job.total else 0.0
    label = text(job.done, job.total) if callable(text) else text.format(done=job.done, total=job.total)
    st.progress(fraction, text=label)
    if not job.running:
        st.rerun()
