"""The browser half of .ci/cloud-smoke: the deployed app's pages, checked as a reader sees them.

Run by .ci/cloud-smoke with the project's dev environment (Playwright, Debian's Chromium)
against a server started from requirements.txt alone; exits non-zero with a reason.
"""

from __future__ import annotations

import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

from geo.words import word

FOLIUM_FRAME = 'iframe[title*="st_folium"]'
TIMEOUT_MS = 120_000


def _wait_healthy(url: str, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(1)
    raise SystemExit(f"cloud smoke: {url} did not answer its health check within {seconds:.0f} s")


def _no_exception(page, where: str) -> None:
    shown = page.locator('[data-testid="stException"]')
    if shown.count():
        raise SystemExit(f"cloud smoke: {where} shows an exception: {shown.first.inner_text()[:500]}")


def main(url: str, checkout: Path) -> None:
    _wait_healthy(url)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(TIMEOUT_MS)
        page.route("**/*", lambda r: r.continue_() if urlsplit(r.request.url).hostname == "127.0.0.1" else r.abort())

        page.goto(f"{url}/?lang=en")
        page.locator('[data-testid="stSidebar"]').get_by_text(word("filters", "en")).first.wait_for()
        page.locator('[data-testid="stMetric"]').first.wait_for()
        _no_exception(page, "the Overview")
        nav = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
        if any(word("import", "en") in n for n in nav):
            raise SystemExit(f"cloud smoke: public mode, yet the navigation offers the Import page: {nav}")

        page.goto(f"{url}/map?city=almaty&lang=en")
        frame = page.frame_locator(FOLIUM_FRAME).first
        districts = frame.locator("path.leaflet-interactive.pm-district")
        districts.nth(7).wait_for(state="attached")
        _no_exception(page, "the Map")
        drawn = districts.count()
        if not (checkout / "static" / "vendor" / ".installed.json").is_file():
            raise SystemExit("cloud smoke: the map drew, yet static/vendor holds no installed front-end files")

        page.goto(f"{url}/import?lang=en")
        page.locator('[data-testid="stSidebar"]').get_by_text(word("filters", "en")).first.wait_for()
        time.sleep(3)  # let the run finish: an uploader would have appeared by now
        if page.locator('[data-testid="stFileUploader"]').count():
            raise SystemExit("cloud smoke: public mode, yet /import offers an upload")
        browser.close()
    print(f"cloud smoke: {url}: Overview, Map (Almaty, {drawn} districts), no Import in public mode")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
