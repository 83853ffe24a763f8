"""geo.brief.pdf: the A4 briefing PDF, read back with poppler (pdftotext, pdfinfo, pdffonts, pdfimages).

Each pack is rendered once per module; every page of it is kept as a PNG in
``artifacts/brief-pdf/<name>/`` (pdftoppm at 50 dpi) for a person to look at.
"""

from __future__ import annotations

import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from geo import __version__
from geo.brief import Briefing, build_briefing
from geo.brief.pdf import render_pdf
from geo.words import number, range_text
from geo.words import word as label

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "brief-pdf"
KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")


@dataclass
class Pack:
    """A rendered pack: its briefing, the PDF's path and what poppler reads from it."""

    briefing: Briefing
    path: Path
    text: str  # pdftotext -layout, pages separated by form feeds
    pages: list[str]
    images: list[Path]

    @property
    def flat(self) -> str:
        """The text with every whitespace removed: wrapped URLs and ids join up again."""
        return re.sub(r"\s+", "", self.text)

    def section(self, start: str, end: str) -> str:
        """The text from the heading ``start`` to the next heading ``end``."""
        assert self.text.count(start) >= 1, f"no heading {start!r}"
        after = self.text.split(start, 1)[1]
        assert end in after, f"no heading {end!r} after {start!r}"
        return after.split(end, 1)[0]


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def _render(name: str, briefing: Briefing) -> Pack:
    folder = ARTIFACTS / name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*"):
        old.unlink()
    path = folder / f"{name}.pdf"
    path.write_bytes(render_pdf(briefing))
    _run("pdftoppm", "-r", "50", "-png", str(path), str(folder / "page"))
    text = _run("pdftotext", "-layout", str(path), "-")
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return Pack(briefing, path, text, pages, sorted(folder.glob("page-*.png")))


def _pdfinfo(path: Path) -> dict[str, str]:
    out = {}
    for line in _run("pdfinfo", "-isodates", str(path)).splitlines():
        key, _, value = line.partition(":")
        out[key.strip()] = value.strip()
    return out


def _long_text_briefing(embedded_joined, real_boundaries, now) -> Briefing:
    """Nur-Sultan, June 2019, with a 5,000-character summary, a 700-character URL and 4,000-letter notes."""
    joined = embedded_joined.copy()
    row = joined.index[joined["record_id"] == "NQZ-20190609-01"][0]
    joined.loc[row, "summary"] = " ".join(["Долгое описание события, слово за словом"] * 125)
    joined.loc[row, "source_urls"] += " https://example.org/archive/" + "segment-without-any-space_" * 25 + "end"
    disputed = joined.index[joined["record_id"] == "NQZ-20190613-01"][0]  # 'at least 7': listed as disputed
    joined.loc[disputed, "notes"] = "n" * 4000  # one 4,000-letter word
    return build_briefing(joined, _filters(city="astana"), boundaries=real_boundaries, now=now)


def _filters(**fields):
    from geo.filters import Filters

    return Filters(**fields)


@pytest.fixture(scope="module")
def packs(make_briefing, embedded_joined, real_boundaries):
    """Every pack the tests read, rendered once: {name: Pack}."""
    from geo.join import place_by_stated_city
    from geo.records import load_embedded_records

    national = make_briefing()
    now = national.generated_at  # the fixtures' fixed time, so two runs compare equal
    no_boundaries = build_briefing(place_by_stated_city(load_embedded_records()), _filters(), boundaries=None, now=now)
    briefings = {
        "national-2019-06-en": national,
        "almaty-2019-06-ru": make_briefing(city="almaty", lang="ru"),
        "national-2019-06-kk": make_briefing(lang="kk"),
        "no-records": make_briefing(start=date(2020, 5, 1), end=date(2020, 5, 3)),
        "no-boundaries": no_boundaries,
        "long-texts": _long_text_briefing(embedded_joined, real_boundaries, now),
    }
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:  # PDF layout and poppler run side by side
        rendered = {name: pool.submit(_render, name, brief) for name, brief in briefings.items()}
        return {name: future.result() for name, future in rendered.items()}


def test_national_june_2019_pack_shows_the_headline_figure_and_its_basis(packs):
    pack = packs["national-2019-06-en"]
    brief = pack.briefing
    head = brief.headline
    assert (head.detained_low, head.detained_high) == (4000, 4000)
    page1 = pack.pages[0]
    assert range_text(head.detained_low, head.detained_high, "en") == "4,000"
    assert re.search(r"^\s*4,000\s*$", page1, re.MULTILINE), "the headline figure stands on its own line"
    assert re.search(r"Rests on\s+KZ-20190618-01\b", page1)
    assert re.search(r"High end from\s+KZ-20190618-01\b", page1)
    # the per-city figures and the part of the national figure no source assigns to a city
    for part in brief.cities:
        figure = range_text(part.figure.detained_low, part.figure.detained_high, "en")
        assert re.search(rf"{re.escape(part.name)}\s+{re.escape(figure)}\s", page1), part.name
    assert re.search(r"national figure not split by city\s+3,562\b", page1)
    assert head.breakdown["unallocated"] == 3562
    # what the pack is: title, filters, generated-at, data version and record count, app version, link
    assert "Protest incidents and detentions: Kazakhstan, whole country, 2019-06-09 – 2019-06-13" in re.sub(
        r"\s+", " ", page1
    )
    assert re.search(r"Event types\s+all", page1)
    assert "2026-11-25 12:00:00 UTC" in page1
    assert f"{brief.data_version}, 88 records in the data" in page1
    assert re.search(rf"protest-map version\s+{re.escape(__version__)}", page1)
    assert brief.app_link in page1
    assert label("range_note", "en").split(";")[0] in page1
    # the link back to the app is clickable
    assert f"/URI ({brief.app_link})".encode() in pack.path.read_bytes()


def test_metadata_title_subject_and_creation_date_come_from_the_briefing(packs):
    pack = packs["national-2019-06-en"]
    info = _pdfinfo(pack.path)
    assert info["Title"] == pack.briefing.title
    assert info["Subject"] == "Briefing pack: Kazakhstan, whole country, 2019-06-09 – 2019-06-13"
    assert info["CreationDate"] == "2026-11-25T12:00:00Z"
    assert info["Page size"].startswith("595.28 x 841.89 pts (A4)")


@pytest.mark.parametrize(
    "name,lang",
    [("national-2019-06-en", "en"), ("almaty-2019-06-ru", "ru"), ("national-2019-06-kk", "kk"), ("no-records", "en")],
)
def test_every_page_has_its_footer_and_the_count_is_the_page_count(packs, name, lang):
    pack = packs[name]
    total = int(_pdfinfo(pack.path)["Pages"])
    assert len(pack.pages) == total > 1
    for n, page in enumerate(pack.pages, start=1):
        assert label("page", lang, n=n, total=total) in page, f"page {n}"
        assert pack.briefing.data_version in page, f"page {n}"


def test_russian_almaty_pack_names_the_districts_in_russian(packs, real_boundaries):
    pack = packs["almaty-2019-06-ru"]
    names = real_boundaries.layer_for("almaty", date(2019, 6, 13)).districts["name_ru"]
    assert len(names) == 8
    districts = pack.section("Районы: Алматы", "Границы:")
    for name in names:
        assert name in districts
    assert "уровень города, без района" in districts
    assert "по стране, без разбивки по городам" in districts
    assert "Основные цифры" in pack.pages[0]
    headline = pack.briefing.headline
    assert range_text(headline.detained_low, headline.detained_high, "ru") in pack.pages[0]
    assert "Almaty" not in pack.pages[0].replace("Almaty district", "")


def test_kazakh_pack_prints_kazakh_letters(packs, real_boundaries):
    pack = packs["national-2019-06-kk"]
    assert KAZAKH_LETTERS & set(pack.text) >= set("ққңұү")
    assert label("brief_title", "kk") in pack.pages[0]  # Наразылықтар мен ұстаулар
    for city_id in ("almaty", "astana"):
        for name in real_boundaries.layer_for(city_id, date(2019, 6, 13)).districts["name_kk"]:
            assert name in pack.text
    assert number(4000, "kk") == "4\u202f000"  # a narrow no-break space, which pdftotext gives as a space
    assert re.search(r"^\s*4 000\s*$", pack.pages[0], re.MULTILINE)


def test_every_source_url_of_the_view_is_printed_in_full_and_clickable(packs):
    for name in ("national-2019-06-en", "almaty-2019-06-ru", "long-texts"):
        pack = packs[name]
        urls = {u for cell in pack.briefing.records["source_urls"] for u in cell.split()}
        assert urls
        raw = pack.path.read_bytes()
        sources = re.sub(r"\s+", "", pack.text.rsplit(label("sources", pack.briefing.lang), 1)[1])
        for url in urls:
            assert url in sources, url
            assert f"/URI ({url})".encode() in raw, url
        for ref in pack.briefing.sources:
            cited_by = re.sub(r"\s+", "", ",".join(ref.record_ids))  # "key event 2019-06-09" has spaces
            assert f"{ref.host}·{label('cited_by', pack.briefing.lang).replace(' ', '')}:{cited_by}" in sources


def test_fonts_are_dejavu_and_all_embedded(packs):
    for name in ("national-2019-06-en", "national-2019-06-kk"):
        lines = _run("pdffonts", str(packs[name].path)).splitlines()
        assert lines[1].startswith("----")
        rows = [line.split() for line in lines[2:]]
        assert {row[0].split("+", 1)[-1] for row in rows} == {"DejaVuSansBook", "DejaVuSansBold"}
        for row in rows:
            # name, type..., encoding, emb, sub, uni, object id
            assert row[-5:-2] == ["yes", "yes", "yes"], row
            assert "Type" not in row[1]  # never a core (Type 1) font


def test_where_sources_disagree_lists_every_disputed_record_and_the_alternatives(packs):
    pack = packs["national-2019-06-en"]
    brief = pack.briefing
    # ranges, open ends (among them the partial counts NQZ-20190611-01 and KZ-20190612-01) and contested figures
    assert len(brief.discrepancies) == 8
    disputed = pack.section("Where sources disagree", label("alternatives", "en"))
    for rid in brief.discrepancies["record_id"]:
        assert rid in disputed, rid
    assert "KZ-20190611-03" in disputed  # ALA-20190611-03's contested_by
    assert "at least 100" in disputed  # 'more than 100' has no upper figure
    alternatives = pack.section(label("alternatives", "en"), label("incident_list", "en"))
    # 22 figures inside the 4,000, and 3 detentions reported without a number
    assert len(brief.headline.alternatives) == 25
    for alt in brief.headline.alternatives:
        assert re.search(
            rf"{alt.record_id}\s+{re.escape(range_text(alt.detained_low, alt.detained_high))}\s", alternatives
        ), alt.record_id
    assert "contested by KZ-20190611-03: counts toward the high end only" in alternatives


def test_incidents_list_every_record_of_the_view_with_city_place_and_figure(packs):
    pack = packs["national-2019-06-en"]
    incidents = pack.section(label("incident_list", "en"), label("sources", "en"))
    records = pack.briefing.records
    assert len(records) == 35
    for rid in records["record_id"]:
        assert rid in incidents, rid
    # ALA-20190609-02: Almaty, 'Astana Square and surrounding park', at least 100 detained
    assert re.search(r"2019-06-09\s+Almaty\s+detention\s+at least\s", incidents)
    assert "KZ-20190618-01" in incidents and "4,000" in incidents
    events = pack.section(label("key_events", "en"), "Map: Almaty")
    assert "Presidential election; protests in Almaty and Nur-Sultan" in events
    assert "Tokayev's inauguration; central Almaty locked down" in events


def test_maps_and_timeline_are_drawn_with_their_captions(packs):
    pack = packs["national-2019-06-en"]
    listed = _run("pdfimages", "-list", str(pack.path)).splitlines()[2:]
    assert len(listed) == 3  # the map of each city and the timeline
    for part in pack.briefing.cities:
        assert f"{part.name}: districts in force on 2019-06-13." in pack.text
    assert "Detained per day by city" in pack.text
    assert "Boundaries: © OpenStreetMap contributors" in pack.text


def test_a_pack_without_boundaries_says_so_and_has_no_map(packs):
    pack = packs["no-boundaries"]
    assert pack.briefing.boundaries is None
    assert label("no_boundaries", "en") in pack.text
    listed = _run("pdfimages", "-list", str(pack.path)).splitlines()[2:]
    assert len(listed) == 1  # the timeline only
    assert "Map: Almaty" not in pack.text and "Districts:" not in pack.text
    assert re.search(r"^\s*4,000\s*$", pack.pages[0], re.MULTILINE)


def test_a_pack_with_no_records_renders_and_says_there_is_nothing(packs):
    pack = packs["no-records"]
    assert pack.briefing.records.empty and not pack.briefing.sources
    for key in ("no_records", "no_sources", "no_events", "no_alternatives"):
        assert label(key, "en") in pack.text
    assert label("no_discrepancies", "en") in pack.text
    assert re.search(r"Rests on\s+none", pack.pages[0])
    assert re.search(r"^\s*0\s*$", pack.pages[0], re.MULTILINE)


def test_long_texts_wrap_or_are_cut_and_never_break_the_layout(packs):
    pack = packs["long-texts"]
    flat = pack.flat
    long_url = "https://example.org/archive/" + "segment-without-any-space_" * 25 + "end"
    assert long_url in flat
    # a table row must fit a page: the 5,000-character summary and the 4,000-letter notes are cut
    assert "Долгоеописаниесобытия,словозасловом" in flat
    assert flat.count("[…]") == 2
    assert "n" * 1400 in flat and "n" * 1600 not in flat
    assert int(_pdfinfo(pack.path)["Pages"]) == len(pack.pages)


def test_every_page_is_rendered_and_not_blank(packs):
    for name, pack in packs.items():
        assert len(pack.images) == len(pack.pages), name
        for image in pack.images:
            grey = Image.open(image).convert("L")
            # the body, between the running header and the footer (a page of those alone counts as blank)
            mm = grey.width / 210
            body = grey.crop((0, round(14 * mm), grey.width, round(grey.height - 16 * mm)))
            dark = sum(body.histogram()[:160]) / (body.width * body.height)
            # a last page may hold one source entry (about 0.08 % dark); an empty body is 0
            assert dark > 0.0003, f"{image} looks blank ({dark:.4%} dark)"


def test_the_same_briefing_gives_the_same_bytes(packs):
    pack = packs["no-records"]
    assert render_pdf(pack.briefing) == pack.path.read_bytes()


def test_a_long_list_is_cut_with_its_count_and_where_the_rest_is(make_briefing, monkeypatch, tmp_path):
    import geo.brief.pdf as brief_pdf

    monkeypatch.setattr(brief_pdf, "MAX_LISTED_RECORDS", 5)
    monkeypatch.setattr(brief_pdf, "MAX_LISTED_SOURCES", 3)
    briefing = make_briefing(city="almaty")
    path = tmp_path / "capped.pdf"
    path.write_bytes(render_pdf(briefing))
    text = _run("pdftotext", "-layout", str(path), "-")
    flat = re.sub(r"\s+", " ", text)
    total = len(briefing.records)
    assert f"Listed here: the first 5 of {total} records. Every one is in the CSV download" in flat
    assert f"Listed here: the first 3 of {len(briefing.sources)} sources." in flat
    alternatives = len(briefing.headline.alternatives)
    assert alternatives > 5 and f"Listed here: the first 5 of {alternatives} figures considered." in flat
    assert "http://localhost:8501/sources?city=almaty" in re.sub(r"\s+", "", text)
    incidents = text.split(label("incident_list", "en"), 1)[1].split(label("sources", "en"))[0]
    listed = [rid for rid in briefing.records["record_id"] if rid in incidents]
    assert listed == briefing.records["record_id"].head(5).tolist()
    assert ", ".join(briefing.sources[0].record_ids) in flat  # fewer than MAX_CITING_IDS: all named
    assert briefing.sources[2].url in re.sub(r"\s+", "", text) and briefing.sources[3].url not in re.sub(
        r"\s+", "", text
    )


def test_only_web_addresses_become_links(embedded_joined, real_boundaries, tmp_path):
    brief = build_briefing(
        embedded_joined, _filters(city="astana"), boundaries=real_boundaries, app_url="javascript:alert(1)//"
    )
    path = tmp_path / "hostile-link.pdf"
    path.write_bytes(render_pdf(brief))
    raw = path.read_bytes()
    assert b"/URI (javascript" not in raw
    assert brief.app_link == "javascript:alert(1)/map?city=astana"
    assert brief.app_link in re.sub(r"\s+", "", _run("pdftotext", str(path), "-"))  # shown, not linked
    assert f"/URI ({brief.sources[0].url})".encode() in raw


_IMPORTER = """
import gc, sys, weakref

class Big:  # a page's records, say
    pass

def page(module):
    big = Big()
    __import__(module)
    return weakref.ref(big)

held = page(sys.argv[1])
gc.collect()
import fpdf.encryption
print(held() is not None, fpdf.encryption.import_error is not None)
"""


def test_the_pdf_module_keeps_no_frame_of_whoever_imported_it_first():
    """fpdf keeps the ImportError of its optional cryptography package with its traceback; through
    geo.brief.pdf the traceback is dropped, so a page that first made a PDF button keeps nothing alive."""
    import subprocess
    import sys

    def held(module: str) -> tuple[str, str]:
        run = subprocess.run([sys.executable, "-c", _IMPORTER, module], capture_output=True, text=True, check=True)
        return tuple(run.stdout.split())

    kept, fpdf_kept_its_error = held("geo.brief.pdf")
    assert kept == "False"
    if fpdf_kept_its_error == "True":  # fpdf alone does keep the importer's frames (the reason for the fix)
        assert held("fpdf") == ("True", "True")
