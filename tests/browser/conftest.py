"""Browser fixtures: the real app under ``streamlit run`` and Debian's Chromium driven by Playwright.

Every request to a host other than localhost/127.0.0.1 is aborted and recorded,
so a test proves the page works with no network (a briefing room).  Playwright
never downloads a browser here: it drives ``/usr/bin/chromium`` (``./dev test``
installs Debian's package).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from geo.maps.assets import assets_installed

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
#: Seconds the app has to answer its health check after ``streamlit run``.
SERVER_START_TIMEOUT = 90


@dataclass
class App:
    """The running app: its base URL and its log file (for failure messages)."""

    url: str
    log: Path

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n".join(text[-lines:])


@dataclass
class OfflinePage:
    """A Playwright page whose requests to other hosts are aborted; ``blocked`` lists them."""

    page: object
    blocked: list[str] = field(default_factory=list)

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def serve(log_dir: Path, **settings: str):
    """``streamlit run app.py`` on a free port of 127.0.0.1, stopped on exit; ``settings`` added to its environment."""
    if not assets_installed():
        pytest.fail(
            "The map's front-end files are not installed in static/vendor: run "
            "`python -m geo.maps.assets install` (./dev test does it)."
        )
    port = _free_port()
    log = log_dir / "server.log"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]
    env = dict(os.environ) | settings  # PROTESTMAP_BOUNDARIES and the other settings pass through
    url = f"http://127.0.0.1:{port}"
    with open(log, "w", encoding="utf-8") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    running = App(url=url, log=log)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not _healthy(url):
            if server.poll() is not None:
                pytest.fail(
                    f"streamlit run exited with code {server.returncode} before answering on "
                    f"{url}; its log ({log}):\n{running.log_tail()}"
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"streamlit run did not answer on {url} within {SERVER_START_TIMEOUT} s; "
                    f"its log ({log}):\n{running.log_tail()}"
                )
            time.sleep(0.25)
        yield running
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)


@pytest.fixture(scope="session")
def app(tmp_path_factory) -> App:
    """The app for the whole session."""
    with serve(tmp_path_factory.mktemp("streamlit")) as running:
        yield running


@pytest.fixture
def fresh_app(tmp_path) -> App:
    """A server of its own, for what happens on a server's very first request."""
    with serve(tmp_path) as running:
        yield running


@pytest.fixture(scope="session")
def app_without_boundaries(tmp_path_factory) -> App:
    """The app when no boundaries are found anywhere (a user removed data/boundaries)."""
    missing = tmp_path_factory.mktemp("no-boundaries") / "not-there"
    cache = tmp_path_factory.mktemp("empty-cache")
    with serve(
        tmp_path_factory.mktemp("streamlit-nb"), PROTESTMAP_BOUNDARIES=str(missing), PROTESTMAP_CACHE=str(cache)
    ) as running:
        yield running


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium under Playwright (sync API), headless, for the whole session."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium "
            "(apt-get install --no-install-recommends chromium; ./dev test does it as root)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def offline_page(chromium):
    """A fresh browser context in which every request to a non-local host is aborted and recorded."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    offline = OfflinePage(page=None)

    def only_local(route):
        url = route.request.url
        if urlsplit(url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            offline.blocked.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", only_local)
    context.set_default_timeout(60_000)
    offline.page = context.new_page()
    yield offline
    context.close()
