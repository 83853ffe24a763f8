"""geo.brief.html: the self-contained HTML pack, read back with html.parser.

Every document of a pack (the page and each map's srcdoc document) is parsed;
nothing in it may load from anywhere but ``data:`` or inline, and every
string from the data is escaped.  The browser side (maps and chart drawing
with no network) is tests/browser/test_brief_html_offline.py.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from html.parser import HTMLParser

import pandas as pd
import pytest

from geo import __version__
from geo.brief import build_briefing
from geo.brief.html import render_html, standalone_map_html
from geo.errors import AssetsError
from geo.filters import Filters
from geo.maps import DEFAULT_ASSET_BASE, incident_map
from geo.words import range_text
from geo.words import word as label

BRIEF_TIME = datetime.fromisoformat("2026-11-25T12:00:00+00:00")
HOSTILE_ID = "ALA-20190610-99"
HOSTILE_SUMMARY = "<script>alert(1)</script>"
HOSTILE_PLACE = "{{ 7*7 }} square"
HOSTILE_URL = "javascript:alert(2)"
HOSTILE_OK_URL = "https://example.org/report?a=1&b=2"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


# --------------------------------------------------------------------------- a small DOM


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    children: list[Node] = field(default_factory=list)
    text: list[str] = field(default_factory=list)  # raw text directly inside (script/style content too)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def find_all(self, tag: str, **attrs):
        for node in self.walk():
            if node.tag == tag and all(node.attrs.get(k.rstrip("_")) == v for k, v in attrs.items()):
                yield node

    def find(self, tag: str, **attrs) -> Node:
        found = list(self.find_all(tag, **attrs))
        assert len(found) == 1, f"expected one <{tag} {attrs}>, found {len(found)}"
        return found[0]

    def has_class(self, name: str) -> bool:
        return name in (self.attrs.get("class") or "").split()

    def with_class(self, name: str):
        return [n for n in self.walk() if n.has_class(name)]

    def inner_text(self) -> str:
        parts = list(self.text)
        for child in self.children:
            parts.append(child.inner_text())
        return "".join(parts)

    def cells(self) -> list[str]:
        """The text of each cell, runs of ASCII white space as one space (U+202F is kept)."""
        return [squash(td.inner_text()) for td in self.children if td.tag == "td"]


def squash(text: str) -> str:
    return re.sub(r"[ \t\n\r\f]+", " ", text).strip()


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, dict(attrs)))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        # text goes into the innermost open element, in document order with its children
        node = self.stack[-1]
        if node.children:
            node.children.append(Node("#text", {}, text=[data]))
        else:
            node.text.append(data)


def parse(text: str) -> Node:
    builder = _Builder()
    builder.feed(text)
    builder.close()
    return builder.root


def documents(text: str) -> list[tuple[str, Node]]:
    """The page and every document inside it as ``iframe srcdoc`` (recursively), parsed."""
    out, todo = [], [("page", text)]
    while todo:
        where, source = todo.pop(0)
        root = parse(source)
        out.append((where, root))
        for n, frame in enumerate(root.find_all("iframe")):
            if frame.attrs.get("srcdoc") is not None:
                todo.append((f"{where} > iframe {n} ({frame.attrs.get('data-city')})", frame.attrs["srcdoc"]))
    return out


# --------------------------------------------------------------------------- offline check

_CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)""", re.IGNORECASE | re.DOTALL)
#: element -> the attributes through which it loads something
_LOADING = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "source": ("src", "srcset"),
    "object": ("data",),
    "embed": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "input": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
    "body": ("background",),
}


def remote_loads(text: str) -> list[str]:
    """Everything in the page or its srcdoc documents that would load something not data:/inline."""
    found = []
    for where, root in documents(text):
        for node in root.walk():
            for attr in _LOADING.get(node.tag, ()):
                value = (node.attrs.get(attr) or "").strip()
                if value and not value.lower().startswith("data:"):
                    found.append(f"{where}: <{node.tag} {attr}={value[:80]!r}>")
            if node.tag == "base" or (node.tag == "meta" and (node.attrs.get("http-equiv") or "").lower() == "refresh"):
                found.append(f"{where}: <{node.tag} {node.attrs}>")
            css = []
            if node.tag == "style":
                css.append(node.inner_text())
            if node.attrs.get("style"):
                css.append(node.attrs["style"])
            for sheet in css:
                if re.search(r"@import\b", sheet, re.IGNORECASE):
                    found.append(f"{where}: @import in <{node.tag}>")
                for match in _CSS_URL.finditer(sheet):
                    if not match.group(2).strip().lower().startswith("data:"):
                        found.append(f"{where}: url({match.group(2)[:80]}) in <{node.tag}>")
    return found


def policy(root: Node) -> dict[str, list[str]]:
    [meta] = [
        m for m in root.find_all("meta") if (m.attrs.get("http-equiv") or "").lower() == "content-security-policy"
    ]
    out = {}
    for part in meta.attrs["content"].split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def executable_scripts(root: Node) -> list[Node]:
    return [s for s in root.find_all("script") if s.attrs.get("type") in (None, "text/javascript", "module")]


def script_hash(node: Node) -> str:
    digest = hashlib.sha256(node.inner_text().encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def hrefs(text: str) -> list[str]:
    return [
        a.attrs.get("href") or ""
        for _, root in documents(text)
        for a in root.find_all("a")
        if a.attrs.get("href") is not None
    ]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def national_en(make_briefing):
    brief = make_briefing()
    return brief, render_html(brief)


@pytest.fixture(scope="module")
def almaty_ru(make_briefing):
    brief = make_briefing(city="almaty", lang="ru")
    return brief, render_html(brief)


def hostile_joined(joined: pd.DataFrame) -> pd.DataFrame:
    """The embedded records plus one Almaty record placed in a district, full of hostile text."""
    placed = joined[
        (joined["city_id"] == "almaty")
        & (joined["attribution"] == "district")
        & (joined["date"] == pd.Timestamp("2019-06-10"))
    ]
    row = placed.iloc[[0]].copy()
    row["record_id"] = HOSTILE_ID
    row["summary"] = HOSTILE_SUMMARY
    row["place_name_en"] = HOSTILE_PLACE
    row["place_name_ru"] = ""
    row["source_urls"] = f"{HOSTILE_URL} {HOSTILE_OK_URL}"
    row["source_names"] = "Evil; Example"
    row["event_type"] = "detention"
    row["detained_low"] = pd.array([3], dtype="Int64")
    row["detained_high"] = pd.array([5], dtype="Int64")
    row["included_in"] = ""
    row["contested_by"] = ""
    return pd.concat([joined, row], ignore_index=True)


@pytest.fixture(scope="module")
def hostile(embedded_joined, real_boundaries):
    brief = build_briefing(
        hostile_joined(embedded_joined),
        Filters(city="almaty"),
        boundaries=real_boundaries,
        now=BRIEF_TIME,
        app_url="javascript:alert(3)",
    )
    return brief, render_html(brief)


# --------------------------------------------------------------------------- tests


def test_the_offline_check_finds_what_would_load(national_en):
    # the checker the other tests rely on does catch loads, at any depth
    inner = (
        '<html><head><style>a{background:url("https://x.example/i.png")}</style>'
        '<script src="https://cdn.example/leaflet.js"></script></head></html>'
    )
    page = (
        f'<html><head><link rel="stylesheet" href="/app/x.css"><style>@import "y.css";</style></head>'
        f'<body><img src="data:image/png;base64,AA"><iframe srcdoc="{inner.replace(chr(34), "&quot;")}">'
        "</iframe></body></html>"
    )
    found = remote_loads(page)
    assert len(found) == 4, found
    assert any("cdn.example" in f and "iframe 0" in f for f in found)
    assert any("x.example" in f and "iframe 0" in f for f in found)


@pytest.mark.parametrize("pack", ["national_en", "almaty_ru", "hostile"])
def test_pack_loads_nothing_and_runs_only_its_own_scripts(pack, request):
    brief, text = request.getfixturevalue(pack)
    docs = documents(text)
    assert remote_loads(text) == []
    # one map document per city, each a srcdoc (never a src)
    frames = [f for _, root in docs for f in root.find_all("iframe")]
    assert [f.attrs.get("data-city") for f in frames] == [c.city_id for c in brief.cities]
    assert all(f.attrs.get("src") is None for f in frames)
    page_policy = policy(docs[0][1])
    assert page_policy["default-src"] == ["'none'"]
    assert page_policy["img-src"] == ["data:", "blob:"] and page_policy["font-src"] == ["data:"]
    assert page_policy["connect-src"] == ["'none'"] and page_policy["frame-src"] == ["'none'"]
    assert "'unsafe-inline'" not in page_policy["script-src"]
    assert "'unsafe-eval'" not in page_policy["script-src"]
    for where, root in docs:
        own = policy(root)
        assert own["default-src"] == ["'none'"], where
        for script in executable_scripts(root):
            # a srcdoc document inherits the page's policy: its scripts must pass both
            assert script_hash(script) in own["script-src"], where
            assert script_hash(script) in page_policy["script-src"], where
    # the page: the vega bundle and the drawing script, plus the chart's spec as a data block
    assert len(executable_scripts(docs[0][1])) == 2
    assert docs[0][1].find("script", type="application/json", id="pm-timeline-spec")


def test_national_june_2019_pack_shows_the_headline_and_what_it_rests_on(national_en):
    brief, text = national_en
    root = parse(text)
    assert (brief.headline.detained_low, brief.headline.detained_high) == (4000, 4000)
    figure = root.find("span", class_="pm-headline-figure")
    assert figure.inner_text() == range_text(brief.headline.detained_low, brief.headline.detained_high) == "4,000"
    assert figure.attrs["data-low"] == str(brief.headline.detained_low)
    basis = root.find("dl", class_="pm-basis").inner_text()
    for rid in brief.headline.basis + brief.headline.high_basis:
        assert rid in basis
    # the alternatives with their reasons
    rows = [tr.cells() for tr in root.find("table", class_="pm-alternatives").find_all("tr") if tr.cells()]
    assert len(rows) == len(brief.headline.alternatives) > 0
    for cells, alt in zip(rows, brief.headline.alternatives):
        assert cells == [alt.record_id, range_text(alt.detained_low, alt.detained_high), alt.reason]
    # per city figure
    cities = {
        tr.attrs["data-city"]: tr.cells()
        for tr in root.find("table", class_="pm-city-figures").find_all("tr")
        if "data-city" in tr.attrs
    }
    assert list(cities) == ["almaty", "astana"]
    for part in brief.cities:
        assert cities[part.city_id][:2] == [part.name, range_text(part.figure.detained_low, part.figure.detained_high)]
        assert cities[part.city_id][3:] == [str(len(part.records)), str(len(part.placed)), str(len(part.city_level))]
    assert label("range_note") in text


def test_header_has_filters_time_versions_and_link_back(national_en):
    brief, text = national_en
    root = parse(text)
    assert root.find("html").attrs["lang"] == "en"
    assert root.find("meta", charset="utf-8")
    assert root.find("h1").inner_text() == brief.title
    header = " ".join(root.find("header", id="pm-header").inner_text().split())
    filters = root.find("section", class_="pm-filters").find("dl")
    shown = [n.inner_text() for n in filters.children if n.tag in ("dt", "dd")]
    assert list(zip(shown[::2], shown[1::2])) == brief.filter_lines()
    assert ("Dates", "2019-06-09 – 2019-06-13") in brief.filter_lines()
    assert root.find("time").attrs["datetime"] == "2026-11-25T12:00:00Z"
    assert brief.data_version in header and brief.data_version.startswith("sha256:")
    assert f"{brief.record_count:,}" in header
    assert __version__ in header
    link = root.find("p", class_="pm-app-link").find("a")
    assert link.attrs["href"] == brief.app_link == "http://localhost:8501/map"


def test_district_tables_list_every_district_and_the_remainders(national_en, real_boundaries):
    brief, text = national_en
    root = parse(text)
    for part in brief.cities:
        section = root.find("section", id=f"pm-city-{part.city_id}")
        rows = [
            (tr.attrs["data-district"], tr.attrs["class"], tr.cells())
            for tr in section.find("table", class_="pm-districts").find_all("tr")
            if "data-district" in tr.attrs
        ]
        layer = real_boundaries.layer_for(part.city_id, part.layer_date)
        names = {d: c[0] for d, _, c in rows}
        for district_id, name in zip(layer.districts["district_id"], layer.districts["name_en"]):
            assert names[district_id] == name
        assert len(rows) == len(part.districts)
        for (district_id, kind, cells), row in zip(rows, part.districts.to_dict("records")):
            high = None if pd.isna(row["detained_high"]) else int(row["detained_high"])
            assert district_id == row["district_id"]
            assert cells[1:] == [f"{row['incidents']:,}", range_text(row["detained_low"], high)]
            assert kind == f"pm-row-{row['kind']}"
        kinds = [k for _, k, _ in rows]
        assert kinds.count("pm-row-district") == len(layer.districts)
        assert kinds.count("pm-row-city_level") == 1 and kinds.count("pm-row-unallocated") == 1
    almaty = root.find("section", id="pm-city-almaty").inner_text()
    assert "City level (no district)" in almaty and "National, not split by city" in almaty


def test_russian_almaty_pack_has_cyrillic_districts_and_every_source(almaty_ru, real_boundaries):
    brief, text = almaty_ru
    root = parse(text)
    assert root.find("html").attrs["lang"] == "ru"
    [part] = brief.cities
    table = root.find("section", id="pm-city-almaty").find("table", class_="pm-districts")
    names = {tr.cells()[0] for tr in table.find_all("tr") if tr.cells()}
    expected = list(real_boundaries.layer_for("almaty", part.layer_date).districts["name_ru"])
    assert len(expected) == 8 and all(re.search("[А-Яа-я]", n) for n in expected)
    assert set(expected) <= names
    assert "Уровень города (без района)" in names
    # every source URL of the view is a link, in the source list and beside its record
    links = hrefs(text)
    urls = {u for urls in brief.records["source_urls"] for u in urls.split()}
    assert urls and {r.url for r in brief.sources} == urls
    for url in urls:
        assert links.count(url) >= 2, url
    assert "Основные цифры" in text and label("range_note", "ru") in text
    # key events in Russian
    events = " ".join(root.find("section", id="pm-events").inner_text().split())
    for text_ru in brief.events["label_ru"]:
        assert text_ru in events


def test_records_list_place_event_figure_and_sources(almaty_ru):
    brief, text = almaty_ru
    root = parse(text)
    rows = {
        tr.attrs["data-record"]: tr
        for tr in root.find("table", class_="pm-record-table").find_all("tr")
        if "data-record" in tr.attrs
    }
    assert list(rows) == list(brief.records["record_id"])
    for record in brief.records.to_dict("records"):
        cells = rows[record["record_id"]].cells()
        place = record["place_name_ru"] or record["place_name_en"]
        assert cells[3] == squash(place)
        assert cells[4] == label(f"event_{record['event_type']}", "ru")
        high = None if pd.isna(record["detained_high"]) else int(record["detained_high"])
        low = None if pd.isna(record["detained_low"]) else int(record["detained_low"])
        assert cells[5] == range_text(low, high, "ru")
        links = [a.attrs["href"] for a in rows[record["record_id"]].find_all("a")]
        assert links == record["source_urls"].split()


def test_discrepancies_list_ranges_and_contested_records(national_en):
    brief, text = national_en
    root = parse(text)
    table = root.find("section", id="pm-discrepancies").find("table")
    rows = [tr.cells() for tr in table.find_all("tr") if tr.cells()]
    assert [r[0] for r in rows] == list(brief.discrepancies["record_id"]) and rows
    contested = brief.discrepancies[brief.discrepancies["contested_by"] != ""]
    assert len(contested) > 0
    for record in contested.to_dict("records"):
        row = next(r for r in rows if r[0] == record["record_id"])
        assert row[5] == record["contested_by"]
        assert row[1] == record["date"].date().isoformat()


def test_hostile_record_is_escaped_never_linked_never_evaluated(hostile):
    brief, text = hostile
    assert HOSTILE_ID in set(brief.records["record_id"])
    assert HOSTILE_ID in set(brief.cities[0].placed["record_id"])  # drawn on the map as well
    # nowhere raw: not in the page, not in the map documents, not in the chart's spec
    for _, root in documents(text):
        for script in root.find_all("script"):
            assert HOSTILE_SUMMARY not in script.inner_text()
    assert HOSTILE_SUMMARY not in text
    row = next(tr for tr in parse(text).find_all("tr") if tr.attrs.get("data-record") == HOSTILE_ID)
    cells = row.cells()
    assert cells[6] == HOSTILE_SUMMARY  # shown as text
    assert cells[3] == HOSTILE_PLACE  # the template syntax is shown, not computed
    assert [a.attrs["href"] for a in row.find_all("a")] == [HOSTILE_OK_URL]
    assert HOSTILE_URL in cells[7]
    # no javascript: link anywhere, in the page or in a map
    links = hrefs(text)
    assert HOSTILE_OK_URL in links
    assert not [h for h in links if not (h.startswith("#") or re.match(r"https?://", h))]
    # an app address that is not http(s) is shown, not linked
    assert brief.app_link.startswith("javascript:")
    app = parse(text).find("p", class_="pm-app-link")
    assert list(app.find_all("a")) == []
    assert brief.app_link in app.inner_text()
    sources = parse(text).find("section", id="pm-sources")
    unlinked = [n.inner_text() for n in sources.with_class("pm-unlinked")]
    assert unlinked == [HOSTILE_URL]
    # the map drew the record's popup from the same text, escaped and not evaluated
    almaty_map = documents(text)[1][1]
    map_scripts = "".join(s.inner_text() for s in almaty_map.find_all("script"))
    assert HOSTILE_PLACE in map_scripts
    assert "alert(1)" in map_scripts and "javascript:" not in map_scripts


def test_pack_without_boundaries_has_figures_and_the_note_but_no_map(embedded_joined):
    brief = build_briefing(embedded_joined, Filters(), boundaries=None, now=BRIEF_TIME)
    text = render_html(brief)
    root = parse(text)
    assert remote_loads(text) == []
    assert list(root.find_all("iframe")) == []
    notes = [n.inner_text() for n in root.with_class("pm-no-boundaries")]
    assert notes == [label("no_boundaries_pack")] * len(brief.cities) == [label("no_boundaries_pack")] * 2
    assert root.find("span", class_="pm-headline-figure").inner_text() == "4,000"
    assert list(root.find_all("table", class_="pm-districts")) == []
    assert root.find("div", id="pm-timeline")


def test_standalone_map_inlines_leaflet_and_refuses_a_cdn(embedded_joined, real_boundaries):
    on = date(2019, 6, 13)
    local = incident_map(embedded_joined, real_boundaries, city_id="astana", on=on, tiles=False)
    text = standalone_map_html(local)
    root = parse(text)
    assert remote_loads(text) == []
    scripts = " ".join(s.inner_text()[:2000] for s in root.find_all("script"))
    assert "Leaflet" in scripts  # leaflet.js is inline
    assert "jQuery" not in scripts  # and the files no geo.maps map uses are left out
    # the layer control's icon is a data: URI now
    assert re.search(r'\.leaflet-control-layers-toggle\s*\{[^}]*url\("data:image/png;base64,', text)
    # a map that does load Font Awesome (folium.Map's own files, and a folium.Icon): its fonts are
    # inlined as data: URIs, woff2 only; the project's maps never load them
    import folium

    from geo.maps.assets import localize

    iconic = folium.Map(location=[51.16, 71.45], tiles=None)
    folium.Marker([51.16, 71.45], icon=folium.Icon(icon="flag", prefix="fa")).add_to(iconic)
    full = standalone_map_html(localize(iconic, DEFAULT_ASSET_BASE))
    assert remote_loads(full) == []
    assert "data:font/woff2;base64," in full and "font/ttf" not in full
    assert "data:font/woff2;base64," not in standalone_map_html(local, lean=False)
    cdn = incident_map(embedded_joined, real_boundaries, city_id="astana", on=on, tiles=False, asset_base=None)
    with pytest.raises(AssetsError, match="not one of the local files"):
        standalone_map_html(cdn)


def test_long_lists_are_cut_with_a_note_and_the_maps_keep_every_record(make_briefing, monkeypatch):
    import geo.brief.html as brief_html

    monkeypatch.setattr(brief_html, "MAX_LISTED", 4)
    monkeypatch.setattr(brief_html, "MAX_CITING_IDS", 1)
    brief = make_briefing(city="almaty")
    root = parse(render_html(brief))
    listed = [n.attrs["data-record"] for n in root.walk() if "data-record" in n.attrs]
    assert listed == brief.records["record_id"].head(4).tolist()
    notes = [squash(n.inner_text()) for n in root.with_class("pm-capped")]
    total = len(brief.records)
    assert (
        f"Listed here: the first 4 of {total} records. Every one is in the CSV download of the app's "
        "Sources page for this view: http://localhost:8501/sources?city=almaty" in notes
    )
    assert f"Listed here: the first 4 of {len(brief.sources)} sources." in " ".join(notes)
    many = next(ref for ref in brief.sources if len(ref.record_ids) > 1)
    assert f"and {len(many.record_ids) - 1} more" in squash(root.inner_text())
    # the map still draws every placed record: its GeoJSON is not cut
    placed = brief.cities[0].placed
    assert len(placed) > 4
    maps = " ".join(n.attrs["srcdoc"] for n in root.walk() if n.tag == "iframe")
    for rid in placed["record_id"]:
        assert f'"record_id": "{rid}"' in maps


def test_the_vega_bundle_is_built_once_and_kept_in_the_cache_folder(tmp_path, monkeypatch):
    import vl_convert

    import geo.brief.html as brief_html

    monkeypatch.setenv("PROTESTMAP_CACHE", str(tmp_path))
    brief_html._vega_bundle.cache_clear()
    try:
        bundle = brief_html._vega_bundle()
        kept = tmp_path / "vega" / f"vl-convert-{vl_convert.__version__}.js"
        assert kept.read_text(encoding="utf-8") == bundle and "vegaEmbed" in bundle
        kept.write_text("window.vegaEmbed = 'from the cache';", encoding="utf-8")
        brief_html._vega_bundle.cache_clear()
        assert brief_html._vega_bundle() == "window.vegaEmbed = 'from the cache';"
    finally:
        brief_html._vega_bundle.cache_clear()
