"""The Import page's background check: one per session, a new click supersedes and cancels the
one before it, and the uploaded file is read once per upload."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pages.ui import jobs

ROOT = Path(__file__).resolve().parents[1]


def _rows(n: int) -> bytes:
    lines = ["record_id,date,city,event_type,source_urls,geo_precision"]
    lines += [f"X{i},2019-06-10,Almaty,rally,https://example.org/{i},3" for i in range(n)]
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture
def page(tmp_path, monkeypatch):
    monkeypatch.setenv("PROTESTMAP_STORE", str(tmp_path / "store.sqlite"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    at.switch_page("pages/views/import_data.py").run()
    return at


def _finish(at: AppTest) -> None:
    for _ in range(240):
        if at.metric:
            return
        time.sleep(0.25)
        at.run()
    raise AssertionError("the check did not finish")


def test_a_second_click_cancels_the_first_check_and_only_the_last_one_counts(page):
    page.file_uploader(key="import_file").set_value(("big.csv", _rows(25_000), "text/csv")).run()
    page.button(key="import_check").click().run()
    _, first = page.session_state["import_job"]
    page.button(key="import_check").click().run()
    _, second = page.session_state["import_job"]
    assert second is not first
    assert first.cancelled.is_set() and not second.cancelled.is_set()
    assert first.finished.wait(60)  # it stopped (at its next chunk) or had already ended
    assert first.error is None or isinstance(first.error, jobs.Cancelled)
    _finish(page)
    counts = {m.label: m.value for m in page.metric}
    assert counts["Imported"] == "25,000"


def test_the_upload_is_read_once_not_on_every_rerun(page, monkeypatch):
    import geo.importing

    calls = []
    real = geo.importing.read_table

    def counting(path, *args, **kwargs):
        calls.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(geo.importing, "read_table", counting)  # the page imports it on each run
    page.file_uploader(key="import_file").set_value(("small.csv", _rows(3), "text/csv")).run()
    assert calls == ["small.csv"]
    page.text_input(key="import_name").set_value("renamed").run()  # reruns
    page.run()
    assert calls == ["small.csv"]
    page.file_uploader(key="import_file").set_value(("other.csv", _rows(4), "text/csv")).run()
    assert calls == ["small.csv", "other.csv"]  # a new upload is read, once


def test_a_cancelled_job_stops_at_its_next_progress_report():
    go = threading.Event()
    reached = []

    def work(progress):
        progress(1, 3)
        go.wait(10)
        progress(2, 3)  # raises: the job was cancelled meanwhile
        reached.append("after")
        return "done"

    job = jobs.start(work)
    job.cancel()
    go.set()
    assert job.finished.wait(10)
    assert isinstance(job.error, jobs.Cancelled) and job.result is None and reached == []
