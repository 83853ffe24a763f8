"""geo.brief at size: past LIST_ALL_UP_TO records a pack summarises, with the figures of every record.

The records are the synthetic incidents of ``python -m benchmarks scale`` (its generator,
imported), with the counts, named places and journalists of :func:`benchmarks.brief.with_figures`,
and record ids that no other text of a pack contains (``SYN-000123``).  The view covers
two years of them: over a thousand records, well past the threshold, and fast to build.
The PDFs are read back with poppler (pdftotext, pdfinfo), as tests/brief/test_brief_pdf.py does.
"""

from __future__ import annotations

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

import geo.brief.model as brief_model
from benchmarks.brief import scale_records, with_figures
from geo.aggregate import Area, detained_range
from geo.brief import build_briefing
from geo.brief.html import render_html
from geo.brief.model import (
    FULL_LIST_COMMAND,
    JOURNALIST_TYPES,
    KEY_BY_FIGURE,
    KEY_RECORDS,
    LIST_ALL_UP_TO,
    TOP_PLACES,
    key_records,
    top_places,
)
from geo.brief.pdf import render_pdf
from geo.districts import district_table
from geo.filters import Filters, filter_records
from geo.join import join_incidents
from geo.series import daily_ranges
from geo.words import number, range_text
from geo.words import word as label
from tests.brief.test_brief_html import parse, remote_loads, squash

NOW = datetime.fromisoformat("2026-11-25T12:00:00+00:00")
WINDOW = {"start": date(2019, 1, 1), "end": date(2020, 12, 31)}
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "brief-pdf"
#: The targets of the issue on scale, for a pack of 100,000 records: this one is far smaller.
MAX_PAGES = 30
MAX_HTML_MB = 10


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def joined(real_boundaries) -> pd.DataFrame:
    records = with_figures(scale_records(real_boundaries, 4000, 0), 0)
    records["record_id"] = [f"SYN-{int(r):06d}" for r in records["record_id"]]
    return join_incidents(records, real_boundaries)


@pytest.fixture(scope="module")
def briefs(joined, real_boundaries) -> dict[str, object]:
    """The summarised pack of the view in each language (both cities, 2019-2020)."""

    def build(lang):
        return build_briefing(joined, Filters(lang=lang, **WINDOW), boundaries=real_boundaries, now=NOW)

    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(zip(("en", "ru", "kk"), pool.map(build, ("en", "ru", "kk"))))


@pytest.fixture(scope="module")
def pdfs(briefs) -> dict[str, tuple[str, int]]:
    """{lang: (pdftotext -layout text, pdfinfo page count)}; the PDFs are kept in artifacts/brief-pdf/summary-*."""

    def render(lang):
        folder = ARTIFACTS / f"summary-{lang}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"summary-{lang}.pdf"
        path.write_bytes(render_pdf(briefs[lang]))
        pages = int(re.search(r"^Pages:\s+(\d+)", _run("pdfinfo", str(path)), re.MULTILINE).group(1))
        return _run("pdftotext", "-layout", str(path), "-"), pages

    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(zip(briefs, pool.map(render, briefs)))


@pytest.fixture(scope="module")
def htmls(briefs) -> dict[str, str]:
    return {lang: render_html(brief) for lang, brief in briefs.items()}


def _ids(text: str) -> set[str]:
    return set(re.findall(r"SYN-\d{6}", text))


def _section(text: str, start: str, end: str) -> str:
    """The text from the heading ``start`` (a line of its own) to the heading ``end``."""
    after = re.split(rf"^\s*{re.escape(start)}\s*$", text, maxsplit=1, flags=re.MULTILINE)
    assert len(after) == 2, f"no heading {start!r}"
    before = re.split(rf"^\s*{re.escape(end)}\s*$", after[1], maxsplit=1, flags=re.MULTILINE)
    assert len(before) == 2, f"no heading {end!r} after {start!r}"
    return before[0]


def test_the_view_is_past_the_threshold_and_summarised(briefs):
    brief = briefs["en"]
    assert len(brief.records) > 3 * LIST_ALL_UP_TO
    summary = brief.summary
    assert summary is not None and summary.total == len(brief.records)
    assert 0 < len(summary.key) <= KEY_RECORDS
    assert summary.unlisted == len(brief.records) - len(summary.key)
    assert brief.listed is summary.key


def test_a_view_at_the_threshold_is_listed_record_by_record(joined, real_boundaries, monkeypatch):
    view = filter_records(joined, Filters(**WINDOW))
    monkeypatch.setattr(brief_model, "LIST_ALL_UP_TO", len(view))
    brief = build_briefing(joined, Filters(**WINDOW), boundaries=real_boundaries, now=NOW)
    assert brief.summary is None and brief.listed is brief.records
    assert brief.summary_note() == ""


def test_the_figures_are_those_of_every_record_of_the_view(briefs, joined, real_boundaries, monkeypatch):
    brief = briefs["en"]
    monkeypatch.setattr(brief_model, "LIST_ALL_UP_TO", 10**9)
    full = build_briefing(joined, Filters(**WINDOW), boundaries=real_boundaries, now=NOW)
    assert full.summary is None
    head, whole = brief.headline, full.headline
    assert (head.detained_low, head.detained_high, head.basis) == (whole.detained_low, whole.detained_high, whole.basis)
    assert head.breakdown == whole.breakdown
    for part, other in zip(brief.cities, full.cities, strict=True):
        assert (part.figure.detained_low, part.figure.detained_high) == (
            other.figure.detained_low,
            other.figure.detained_high,
        )
        pd.testing.assert_frame_equal(part.districts, other.districts)
        assert len(part.records) == len(other.records)
    pd.testing.assert_frame_equal(brief.daily, full.daily)
    pd.testing.assert_frame_equal(brief.national, full.national)
    pd.testing.assert_frame_equal(brief.discrepancies, full.discrepancies)
    # and they are what the pages compute for the view
    everywhere = filter_records(joined, Filters(**WINDOW))
    app = detained_range(everywhere, area="national", start=WINDOW["start"], end=WINDOW["end"])
    assert (head.detained_low, head.detained_high) == (app.detained_low, app.detained_high)
    assert head.detained_low > 1000  # the counts of with_figures are in it
    almaty = district_table(everywhere, real_boundaries, city_id="almaty", **WINDOW)
    pd.testing.assert_frame_equal(brief.cities[0].districts, almaty)
    pd.testing.assert_frame_equal(brief.daily, daily_ranges(everywhere, **WINDOW))


def test_key_records_are_the_first_the_last_the_largest_and_the_journalists(briefs):
    brief = briefs["en"]
    key, records = brief.summary.key, brief.records
    ids = list(key["record_id"])
    assert len(ids) == len(set(ids)) == KEY_RECORDS
    assert key["date"].is_monotonic_increasing
    assert records["record_id"].iloc[0] in ids and records["record_id"].iloc[-1] in ids
    figure = records["detained_high"].fillna(records["detained_low"]).astype("float")
    largest = records.loc[figure.sort_values(ascending=False, kind="stable").index[:10], "record_id"]
    assert set(largest) <= set(ids)
    journalists = records.loc[records["event_type"].isin(JOURNALIST_TYPES), "record_id"]
    assert 10 <= len(journalists) < KEY_RECORDS - KEY_BY_FIGURE - 2  # room for all of them here
    assert set(journalists) <= set(ids)
    # with less room, the figures and the first and last come first, then the first journalists
    few = key_records(records, cap=8)
    assert len(few) == 8 and few["date"].is_monotonic_increasing
    assert set(few["record_id"]) == {records["record_id"].iloc[0], records["record_id"].iloc[-1], *largest[:6]}
    ends = {records["record_id"].iloc[0], records["record_id"].iloc[-1]}
    top = set(records.loc[figure.sort_values(ascending=False, kind="stable").index[:KEY_BY_FIGURE], "record_id"])
    some = key_records(records, cap=len(ends | top) + 3)
    assert set(some["record_id"]) == ends | top | set([j for j in journalists if j not in ends | top][:3])


def test_top_places_rank_by_records_and_by_reconciled_detained(briefs):
    brief = briefs["en"]
    summary, records = brief.summary, brief.records
    assert len(summary.by_records) == len(summary.by_detained) == TOP_PLACES
    named = records[records["place_name_en"] != ""]
    assert summary.unnamed == len(records) - len(named)
    counts = named.groupby(["city_id", "place_name_en"]).size().sort_values(ascending=False, kind="stable")
    assert [p.records for p in summary.by_records] == counts.iloc[:TOP_PLACES].tolist()
    floors = [p.figure.detained_low for p in summary.by_detained]
    assert floors == sorted(floors, reverse=True) and floors[-1] > 0
    for place in summary.by_records[:3] + summary.by_detained[:3]:
        mine = named[(named["city_id"] == place.city_id) & (named["place_name_en"] == place.names["place_name_en"])]
        assert len(mine) == place.records
        again = detained_range(mine, area=Area(place.city_id), **WINDOW, breakdown=False)
        assert (place.figure.detained_low, place.figure.detained_high) == (again.detained_low, again.detained_high)
        # the figure is reconciled: never more than the sum of the place's lows, its basis among its records
        assert place.figure.detained_low <= mine["detained_low"].fillna(0).sum()
        assert set(place.figure.basis) <= set(mine["record_id"])
        assert (place.first, place.last) == (mine["date"].min().date(), mine["date"].max().date())


def test_top_places_by_detained_are_the_largest_floors_of_all_places():
    """The bound that spares reconciling most places never drops one that ranks (every place reconciled here)."""
    rows = []
    for k in range(60):  # place k: k % 7 + 1 records of k % 11 + 1 detained, one contested in every third place
        for j in range(k % 7 + 1):
            rows.append(
                {
                    "record_id": f"P{k:02d}-{j}",
                    "date": pd.Timestamp("2020-05-01") + pd.Timedelta(days=j),
                    "city_id": "almaty",
                    "city": "Almaty",
                    "place_name_en": f"Place {k}",
                    "place_name_ru": "",
                    "place_name_kk": "",
                    "event_type": "detention",
                    "detained_low": k % 11 + 1,
                    "detained_high": k % 11 + 1,
                    "count_kind": "incremental",
                    "contested_by": "P00-0" if k % 3 == 0 and j == 0 and k else "",
                    "included_in": "",
                }
            )
    frame = pd.DataFrame(rows)
    frame["period_start"] = frame["period_end"] = frame["date"]
    frame["detained_low"] = frame["detained_low"].astype("Int64")
    frame["detained_high"] = frame["detained_high"].astype("Int64")
    start, end = date(2020, 5, 1), date(2020, 5, 31)
    _, by_detained, unnamed = top_places(frame, start=start, end=end, n=5)
    assert unnamed == 0
    every = []
    for name, mine in frame.groupby("place_name_en"):
        figure = detained_range(mine, area=Area("almaty"), start=start, end=end, breakdown=False)
        every.append((-figure.detained_low, -(figure.detained_high or 0), -len(mine), name.casefold()))
    assert [p.names["place_name_en"].casefold() for p in by_detained] == [e[3] for e in sorted(every)[:5]]


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_the_pdf_lists_the_key_records_and_says_how_many_are_not_listed(briefs, pdfs, lang):
    brief = briefs[lang]
    text, pages = pdfs[lang]
    summary = brief.summary
    assert 1 < pages <= MAX_PAGES
    flat = re.sub(r"\s+", " ", text)
    unlisted = number(summary.unlisted, lang).replace("\u202f", " ")  # pdftotext gives the narrow space as a space
    note = label(
        "summary_unlisted",
        lang,
        total=number(summary.total, lang),
        limit=number(LIST_ALL_UP_TO, lang),
        shown=number(len(summary.key), lang),
        n=number(summary.unlisted, lang),
        link=brief.csv_link,
        command=FULL_LIST_COMMAND,
    )
    assert unlisted in flat
    # the note is on page 1 and after the key records, word for word (a URL may wrap at any letter;
    # a page break may fall inside the note: the running header and the footer are left out)
    furniture = (brief.data_version, brief.title.replace("\u202f", " "))
    body = "\n".join(line for line in text.splitlines() if not any(f in line for f in furniture))
    squashed = re.sub(r"\s+", "", body)
    assert squashed.count(re.sub(r"\s+", "", note.replace("\u202f", " "))) == 2
    assert re.sub(r"\s+", "", brief.csv_link) in re.sub(r"\s+", "", text.split("\f")[0])
    # the key records, and no other record, are listed one by one (the places' and the figures'
    # "rests on" name records too, in their own sections)
    assert _ids(_section(text, label("key_records", lang), label("sources", lang))) == set(summary.key["record_id"])
    for title in (label("top_by_records", lang), label("top_by_detained", lang)):
        assert title in text
    for place in summary.by_detained[:5]:
        name = place.names["place_name_" + lang] or place.names["place_name_en"]
        assert name in text


def test_the_pdf_cites_the_sources_of_every_key_record(briefs, pdfs):
    brief = briefs["en"]
    text, _ = pdfs["en"]
    sources = re.sub(r"\s+", "", re.split(r"^\s*Sources\s*$", text, maxsplit=1, flags=re.MULTILINE)[1])
    for urls in brief.summary.key["source_urls"]:
        for url in urls.split():
            assert url in sources, url
    cited = {u for urls in brief.summary.key["source_urls"] for u in urls.split()}
    assert cited <= {ref.url for ref in brief.sources}
    assert len(brief.sources) < brief.summary.source_total == len(brief.records)  # one URL a record here
    assert f"the view's records cite {number(brief.summary.source_total, 'en')} sources in all" in re.sub(
        r"\s+", " ", text
    )


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_the_html_is_small_offline_and_lists_only_the_key_records(briefs, htmls, lang):
    brief, page = briefs[lang], htmls[lang]
    assert len(page.encode("utf-8")) < MAX_HTML_MB * 1e6 / 2
    assert remote_loads(page) == []
    root = parse(page)
    listed = [n.attrs["data-record"] for n in root.walk() if "data-record" in n.attrs]
    assert listed == brief.summary.key["record_id"].tolist()
    notes = [squash(n.inner_text()) for n in root.with_class("pm-summary-note")]
    assert len(notes) == 2 and notes[0] == notes[1] == brief.summary_note()
    assert number(brief.summary.unlisted, lang) in notes[0]
    places = root.with_class("pm-places")
    assert len(places) == 2
    for table in places:
        rows = [row.cells() for row in table.find_all("tr") if row.cells()]
        assert len(rows) == TOP_PLACES


def test_the_html_keeps_the_ranges_of_the_figures(briefs, htmls):
    brief, root = briefs["en"], parse(htmls["en"])
    head = brief.headline
    [figure] = root.with_class("pm-headline-figure")
    assert figure.attrs["data-low"] == str(head.detained_low)
    assert squash(figure.inner_text()) == range_text(head.detained_low, head.detained_high, "en")
    [detained] = root.with_class("pm-places-detained")
    rows = [row.cells() for row in detained.find_all("tr") if row.cells()]
    for cells, place in zip(rows, brief.summary.by_detained, strict=True):
        assert cells[3] == range_text(place.figure.detained_low, place.figure.detained_high, "en")
    assert any(cells[3].startswith("at least") for cells in rows)  # open-ended counts stay open


def test_a_map_of_many_incidents_draws_one_collection_per_event_type(briefs, monkeypatch):
    import geo.maps._drawing as drawing
    from geo.maps.static import map_figure
    from geo.maps.style import EVENT_COLOURS

    brief = briefs["en"]
    [almaty] = [part for part in brief.cities if part.city_id == "almaty"]
    monkeypatch.setattr(drawing, "MANY_POINTS", 100)
    fig = map_figure(brief, city_id="almaty")
    fig.canvas.draw()
    layers = {a.get_gid().split(":", 1)[1]: a for a in fig.findobj(lambda a: str(a.get_gid()).startswith("incidents:"))}
    assert not fig.findobj(lambda a: a.get_gid() == "incidents")
    placed = almaty.placed
    assert set(layers) == set(placed["event_type"])
    for kind, layer in layers.items():
        assert len(layer.get_offsets()) == int((placed["event_type"] == kind).sum())
        assert {tuple(c) for c in layer.get_facecolors()} == {tuple(_rgba(EVENT_COLOURS[kind]))}
    names = fig.findobj(lambda a: str(a.get_gid()).startswith("district-label:"))
    assert len(names) == 8


def test_the_cells_that_keep_names_clear_cover_every_marker():
    import numpy as np
    import shapely

    from geo.maps._drawing import _occupied_cells

    rng = np.random.default_rng(3)
    for n, spread in ((50, 2_000.0), (20_000, 30_000.0)):
        x, y = rng.uniform(0, spread, n), rng.uniform(0, spread * 0.8, n)
        zone = shapely.union_all(_occupied_cells(x, y, 150.0))
        discs = shapely.buffer(shapely.points(x, y), 150.0, quad_segs=3)
        outside = shapely.area(shapely.difference(discs, zone))
        assert outside.max() < 1e-6  # every disc inside, but for rounding at the cells' edges
        assert zone.area < 1.2 * (n * 9 * 150.0**2)  # no more than a disc's 3 x 3 cells each
    assert _occupied_cells(np.zeros(0), np.zeros(0), 150.0) == []


def _rgba(colour: str) -> tuple:
    from matplotlib.colors import to_rgba

    return to_rgba(colour)
