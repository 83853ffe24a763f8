"""The briefing pack as one self-contained, offline HTML file.

:func:`render_html` lays out a :class:`~geo.brief.Briefing`: header (filters,
generated-at time, data version, link back to the app), key figures, a map and
a district table per city, the timeline chart, where sources disagree, the
incidents, key events and sources of the view, and the boundary attributions.
A pack of many records (:class:`geo.brief.model.Summary`) lists, instead of every
incident, the places with the most records and the most detained and the key records
with their sources, and says how many records are not listed and where they all are.

Self-contained means the file makes no request to any host, ever:

* each city's map is :func:`geo.maps.incident_map` rendered into a document of
  its own (:func:`standalone_map_html`) with Leaflet and its plugins inlined
  from ``static/vendor`` (``python -m geo.maps.assets install``) and every CSS
  ``url(...)`` turned into a ``data:`` URI; it is embedded as an
  ``<iframe srcdoc=...>``, so the map's own CSS cannot restyle the pack;
* the timeline is the app's Altair chart drawn by vega-embed from the bundle
  of vl-convert (:func:`vl_convert.javascript_bundle`), inline;
* a Content-Security-Policy ``<meta>`` (:func:`content_security_policy`) allows
  no load from anywhere (``default-src 'none'``), images and fonts only as
  ``data:``/``blob:``, and scripts only by the SHA-256 of the inline scripts
  the pack itself wrote: a ``<script>`` that slipped in through the data
  would not run.  A srcdoc frame inherits the pack's policy; each map document
  carries its own as well.

Markup safety: every string from the data is escaped with :func:`html.escape`
(text and attributes); JSON inside ``<script>`` has ``<``, ``>`` and ``&`` as
``\\uXXXX``; inlined JavaScript has ``</script`` and ``<!--`` neutralised;
only ``http``/``https`` URLs become links.  No data string is ever compiled as
a template: the map comes from :mod:`geo.maps`, which guards folium's Jinja
pass, and this module builds its markup with plain string joins.
"""

from __future__ import annotations

import html
from datetime import UTC
from urllib.parse import quote, urlsplit

import pandas as pd

from geo import __version__
from geo.boundaries import city_display_name
from geo.brief.inline import (
    _INLINE_BASE,
    LEAN_DROPPED,
    _safe_json,
    _safe_json_text,
    _script_hashes,
    _script_text,
    _standalone,
    _vega_bundle,
    content_security_policy,
    standalone_map_html,
)
from geo.brief.model import Briefing, CityPart, Place, web_url
from geo.maps.interactive import incident_map
from geo.words import WORDS, named, number, range_text, reason_text, word

__all__ = [
    "LEAN_DROPPED",
    "MAP_HEIGHT",
    "content_security_policy",
    "render_html",
    "standalone_map_html",
]

#: The pack lists at most this many records, disputed figures, alternatives and sources (a
#: view of 100,000 records would be a file of hundreds of megabytes); the rest are counted
#: and the note points to the app's CSV download of the view.  The maps draw every record.
MAX_LISTED = 2000
#: A source's "cited by" cell names at most this many records.
MAX_CITING_IDS = 50

#: Height of each city's map, in CSS pixels.
MAP_HEIGHT = 560


def render_html(briefing: Briefing) -> str:
    """The briefing pack as one HTML5 document that needs no network.

    Raises
    ------
    geo.errors.AssetsError
        The pack has maps (``briefing.boundaries`` is set) and Leaflet & co. are
        not installed in ``static/vendor`` (``python -m geo.maps.assets install``).
    """
    lang = briefing.lang
    hashes: list[str] = []
    body: list[str] = [
        _header(briefing),
        _key_figures(briefing),
    ]
    for part in briefing.cities:
        section, frame_hashes = _city_section(briefing, part)
        body.append(section)
        hashes.extend(frame_hashes)
    body.append(_timeline_section(briefing))
    body.append(_discrepancy_section(briefing))
    body.append(_places_section(briefing))
    body.append(_records_section(briefing))
    body.append(_events_section(briefing))
    body.append(_sources_section(briefing))
    body.append(_attribution_section(briefing))
    body.append(
        f"<footer><p>{_esc(briefing.title)} · protest-map {_esc(__version__)} · "
        f"{_esc(word('offline_note', lang))}</p></footer>"
    )

    scripts = _timeline_scripts(briefing)
    hashes.extend(_script_hashes(scripts))
    policy = content_security_policy(hashes)
    return "".join(
        [
            "<!DOCTYPE html>\n",
            f'<html lang="{_esc(lang)}">\n<head>\n<meta charset="utf-8">\n',
            f'<meta http-equiv="Content-Security-Policy" content="{_esc(policy)}">\n',
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
            '<meta name="referrer" content="no-referrer">\n',
            f'<meta name="generator" content="protest-map {_esc(__version__)}">\n',
            f"<title>{_esc(briefing.title)}</title>\n",
            f"<style>{_PAGE_CSS}</style>\n</head>\n<body>\n<main>\n",
            "\n".join(body),
            "\n</main>\n",
            scripts,
            "\n</body>\n</html>\n",
        ]
    )


def _esc(value) -> str:
    """Text for HTML (element content or a quoted attribute)."""
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return html.escape(str(value), quote=True)


def _link(url: str, text: str | None = None) -> str:
    """An outbound link for an http(s) URL; any other URL is shown as text, not linked."""
    shown = _esc(url if text is None else text)
    if not web_url(url):
        return f'<span class="pm-unlinked">{shown}</span>'
    return f'<a href="{_esc(str(url).strip())}" target="_blank" rel="noopener noreferrer">{shown}</a>'


def _anchor(record_id: str) -> str:
    return "rec-" + quote(str(record_id), safe="")


def _record_refs(ids, known: set[str]) -> str:
    """Record ids, each a link to its row when that record is listed in the pack."""
    out = []
    for rid in ids:
        rid = str(rid)
        if rid in known:
            out.append(f'<a class="pm-ref" href="#{_esc(_anchor(rid))}">{_esc(rid)}</a>')
        else:
            out.append(f'<span class="pm-ref">{_esc(rid)}</span>')
    return ", ".join(out)


def _cap_note(briefing: Briefing, shown: int, total: int, what: str) -> str:
    """The note under a list cut to ``shown`` of ``total`` (nothing when it is whole)."""
    note = briefing.cap_note(shown, total, what)
    return f'<p class="pm-capped">{_esc(note)}</p>' if note else ""


def _more(n: int, lang: str) -> str:
    return f" {_esc(word('and_more', lang, n=number(n, lang)))}" if n > 0 else ""


def _table(
    headers: list[str], rows: list[list[str]], *, cls: str, caption: str = "", row_attrs: list[str] | None = None
) -> str:
    """A table; ``headers`` are plain text, cells are markup already escaped."""
    head = "".join(f'<th scope="col">{_esc(h)}</th>' for h in headers)
    lines = []
    for i, cells in enumerate(rows):
        attrs = row_attrs[i] if row_attrs else ""
        lines.append(f"<tr{attrs}>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    cap = f"<caption>{_esc(caption)}</caption>" if caption else ""
    return f'<table class="{cls}">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(lines)}</tbody></table>'


def _day(value) -> str:
    if value is None or pd.isna(value):
        return ""
    return pd.Timestamp(value).date().isoformat()


def _int_or_none(value):
    return None if value is None or pd.isna(value) else int(value)


def _figure(low, high, lang: str) -> str:
    return range_text(_int_or_none(low), _int_or_none(high), lang)


def _known_ids(briefing: Briefing) -> set[str]:
    """The record ids that have a row of their own in the pack (a reference to one links to it)."""
    listed = briefing.records.head(MAX_LISTED) if briefing.summary is None else briefing.listed
    return set(listed["record_id"].astype(str))


def _basis_refs(ids: list[str], known: set[str], briefing: Briefing) -> str:
    """What a figure rests on: every record id, or in a summary the first ones and how many more."""
    if briefing.summary is None or len(ids) <= MAX_CITING_IDS:
        return _record_refs(ids, known)
    return _record_refs(ids[:MAX_CITING_IDS], known) + _more(len(ids) - MAX_CITING_IDS, briefing.lang)


# --------------------------------------------------------------------------- sections


def _header(briefing: Briefing) -> str:
    lang = briefing.lang
    when = briefing.generated_at
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    stamp = when.astimezone(UTC).isoformat().replace("+00:00", "Z")
    filters = "".join(f"<dt>{_esc(what)}</dt><dd>{_esc(value)}</dd>" for what, value in briefing.filter_lines())
    if web_url(briefing.app_link):
        app = _link(briefing.app_link, word("open_in_app", lang))
    else:
        app = f'{_esc(word("open_in_app", lang))}: <span class="pm-unlinked">{_esc(briefing.app_link)}</span>'
    meta = [
        (word("generated", lang), f'<time datetime="{_esc(stamp)}">{_esc(stamp)}</time>'),
        (word("data_version", lang), f"<code>{_esc(briefing.data_version)}</code>"),
        (word("record_count", lang), _esc(number(briefing.record_count, lang))),
        (word("app_version", lang), _esc(__version__)),
    ]
    meta_html = "".join(f"<dt>{_esc(k)}</dt><dd>{v}</dd>" for k, v in meta)
    return (
        '<header id="pm-header">'
        f"<h1>{_esc(briefing.title)}</h1>"
        f'<p class="pm-subtitle">{_esc(word("subtitle", lang))}</p>'
        f'<section class="pm-filters"><h2>{_esc(word("filters_used", lang))}</h2><dl>{filters}</dl></section>'
        f'<dl class="pm-meta">{meta_html}</dl>'
        f'<p class="pm-app-link">{app}</p>'
        "</header>"
    )


def _key_figures(briefing: Briefing) -> str:
    lang = briefing.lang
    head = briefing.headline
    known = _known_ids(briefing)
    figure = range_text(head.detained_low, head.detained_high, lang)
    parts = [
        f'<section id="pm-key-figures"><h2>{_esc(word("key_figures", lang))}</h2>',
        '<div class="pm-headline">'
        f'<span class="pm-headline-label">{_esc(word("detained", lang))}, {_esc(briefing.area_name)}</span> '
        f'<span class="pm-headline-figure" data-low="{head.detained_low}" '
        f'data-high="{"" if head.detained_high is None else head.detained_high}">{_esc(figure)}</span>'
        "</div>",
        '<dl class="pm-basis">',
        f"<dt>{_esc(word('basis', lang))}</dt>"
        f"<dd>{_basis_refs(head.basis, known, briefing) or _esc(word('none', lang))}</dd>",
        f"<dt>{_esc(word('high_basis', lang))}</dt>"
        f"<dd>{_basis_refs(head.high_basis, known, briefing) or _esc(word('none', lang))}</dd>",
        "</dl>",
    ]
    if head.notes:
        parts.append('<ul class="pm-notes">' + "".join(f"<li>{_esc(n)}</li>" for n in head.notes) + "</ul>")

    rows, attrs = [], []
    for part in briefing.cities:
        rows.append(
            [
                _esc(part.name),
                _esc(range_text(part.figure.detained_low, part.figure.detained_high, lang)),
                _basis_refs(part.figure.basis, known, briefing) or _esc(word("none", lang)),
                _esc(number(len(part.records), lang)),
                _esc(number(len(part.placed), lang)),
                _esc(number(len(part.city_level), lang)),
            ]
        )
        attrs.append(f' data-city="{_esc(part.city_id)}"')
    parts.append(
        _table(
            [
                word("city", lang),
                word("detained", lang),
                word("basis", lang),
                word("incidents", lang),
                word("incidents_mapped", lang),
                word("incidents_city_level", lang),
            ],
            rows,
            cls="pm-city-figures",
            caption=word("by_city", lang),
            row_attrs=attrs,
        )
    )
    parts.append(f'<p class="pm-range-note">{_esc(word("range_note", lang))}</p>')
    if note := briefing.summary_note():
        parts.append(f'<p class="pm-summary-note">{_esc(note)}</p>')

    parts.append(f'<h3 id="pm-alternatives">{_esc(word("alternatives", lang))}</h3>')
    if head.alternatives:
        parts.append(
            _table(
                [word("record", lang), word("figure", lang), word("reason", lang)],
                [
                    [
                        _record_refs([a.record_id], known),
                        _esc(_figure(a.detained_low, a.detained_high, lang)),
                        _esc(reason_text(a.reason, lang)),
                    ]
                    for a in head.alternatives[: briefing.list_cap(MAX_LISTED)]
                ],
                cls="pm-alternatives",
            )
        )
        shown = min(len(head.alternatives), briefing.list_cap(MAX_LISTED))
        parts.append(_cap_note(briefing, shown, len(head.alternatives), "alternatives"))
    else:
        parts.append(f"<p>{_esc(word('no_alternatives', lang))}</p>")
    parts.append("</section>")
    return "".join(parts)


def _city_section(briefing: Briefing, part: CityPart) -> tuple[str, list[str]]:
    lang = briefing.lang
    out = [
        f'<section class="pm-city" id="pm-city-{_esc(part.city_id)}" data-city="{_esc(part.city_id)}">',
        f"<h2>{_esc(part.name)}</h2>",
    ]
    hashes: list[str] = []
    if briefing.boundaries is None:
        out.append(f'<p class="pm-no-boundaries">{_esc(word("no_boundaries_pack", lang))}</p>')
    else:
        districts = None if part.districts is None else part.districts[part.districts["kind"] == "district"]
        m = incident_map(
            part.records,
            briefing.boundaries,
            city_id=part.city_id,
            on=part.layer_date,
            districts=districts,
            metric=briefing.filters.metric,
            lang=lang,
            tiles=False,
            height=MAP_HEIGHT,
            asset_base=_INLINE_BASE,
        )
        doc = _standalone(m, asset_base=_INLINE_BASE, vendor=None, lean=True)
        hashes.extend(doc.script_hashes)
        title = word("map_of", lang, city=part.name)
        out.append(
            f'<figure class="pm-map"><iframe class="pm-map-frame" data-city="{_esc(part.city_id)}" '
            f'title="{_esc(title)}" '
            f'referrerpolicy="no-referrer" style="height:{MAP_HEIGHT + 4}px" '
            f'srcdoc="{_esc(doc.html)}"></iframe></figure>'
        )
        if part.districts is not None:
            out.append(_district_table(part, lang))
    out.append("</section>")
    return "".join(out), hashes


def _district_table(part: CityPart, lang: str) -> str:
    table = part.districts
    if table is None:
        raise ValueError(f"{part.city_id}: no district table to show (the caller checks part.districts)")
    rows, attrs = [], []
    for row in table.to_dict("records"):
        name = named(row, "name", lang)
        if not isinstance(name, str) or not name:
            name = row.get("name_en") or row.get("district_id")
        kind = str(row.get("kind", "district"))
        cell = _esc(name)
        if kind != "district":
            cell = f"<em>{cell}</em>"
        rows.append(
            [
                cell,
                _esc(number(row["incidents"], lang)),
                _esc(_figure(row["detained_low"], row["detained_high"], lang)),
            ]
        )
        attrs.append(f' class="pm-row-{_esc(kind)}" data-district="{_esc(row.get("district_id", ""))}"')
    caption = f"{part.name}: {word('districts_on', lang, date=part.layer_date.isoformat())}"
    return _table(
        [word("district", lang), word("incidents", lang), word("detained", lang)],
        rows,
        cls="pm-districts",
        caption=caption,
        row_attrs=attrs,
    )


def _timeline_section(briefing: Briefing) -> str:
    lang = briefing.lang
    return (
        f'<section id="pm-timeline-section"><h2>{_esc(word("timeline", lang))}</h2>'
        '<div id="pm-timeline" class="pm-chart" data-state="pending"></div>'
        f"<noscript><p>{_esc(word('chart_needs_js', lang))}</p></noscript>"
        "</section>"
    )


def _timeline_scripts(briefing: Briefing) -> str:
    """The vega bundle, the chart's spec (a JSON data block) and the script that draws it."""
    lang = briefing.lang
    spec = _safe_json_text(briefing.timeline_json())
    options = {
        "renderer": "svg",
        "ast": True,  # Vega's expression interpreter: no eval, so no 'unsafe-eval' in the policy
        "actions": {"export": True, "source": False, "compiled": False, "editor": False},
        "downloadFileName": "protest-map-timeline",
        "i18n": {
            "CLICK_TO_VIEW_ACTIONS": word("chart_actions", lang),
            "PNG_ACTION": word("save_png", lang),
            "SVG_ACTION": word("save_svg", lang),
        },
    }
    draw = (
        "(function () {\n"
        '  var el = document.getElementById("pm-timeline");\n'
        "  function fail(err) {\n"
        '    el.setAttribute("data-state", "failed");\n'
        '    var p = document.createElement("p");\n'
        '    p.className = "pm-chart-error";\n'
        f'    p.textContent = {_safe_json(word("chart_failed", lang))} + " " + String(err);\n'
        "    el.appendChild(p);\n"
        "  }\n"
        '  if (typeof window.vegaEmbed !== "function") { fail("vega-embed is missing"); return; }\n'
        "  var spec;\n"
        '  try { spec = JSON.parse(document.getElementById("pm-timeline-spec").textContent); }\n'
        "  catch (err) { fail(err); return; }\n"
        f"  window.vegaEmbed(el, spec, {_safe_json(options)}).then(function () {{\n"
        '    el.setAttribute("data-state", "drawn");\n'
        "  }, fail);\n"
        "})();\n"
    )
    return (
        f"<script>{_script_text(_vega_bundle())}</script>\n"
        f'<script type="application/json" id="pm-timeline-spec">{spec}</script>\n'
        f"<script>{draw}</script>"
    )


def _discrepancy_section(briefing: Briefing) -> str:
    lang = briefing.lang
    rows = briefing.discrepancies
    parts = [f'<section id="pm-discrepancies"><h2>{_esc(word("discrepancies", lang))}</h2>']
    if rows.empty:
        parts.append(f"<p>{_esc(word('no_discrepancies', lang))}</p>")
    else:
        known = _known_ids(briefing)
        body = []
        for row in rows.head(briefing.list_cap(MAX_LISTED)).to_dict("records"):
            contested = str(row.get("contested_by") or "").split()
            body.append(
                [
                    _record_refs([row["record_id"]], known),
                    _esc(_day(row["date"])),
                    _esc(_city_name(row, lang)),
                    _esc(_figure(row["detained_low"], row["detained_high"], lang)),
                    _esc(row.get("source_names", "")),
                    _record_refs(contested, known),
                    _esc(row.get("notes", "")),
                ]
            )
        parts.append(
            _table(
                [
                    word("record", lang),
                    word("date", lang),
                    word("city", lang),
                    word("detained", lang),
                    word("sources", lang),
                    word("contested_by", lang),
                    word("notes", lang),
                ],
                body,
                cls="pm-discrepancy-table",
            )
        )
        parts.append(_cap_note(briefing, len(body), len(rows), "discrepancies"))
    parts.append(f'<p><a href="#pm-alternatives">{_esc(word("alternatives_above", lang))}</a></p>')
    parts.append("</section>")
    return "".join(parts)


def _city_name(row: dict, lang: str) -> str:
    city_id = str(row.get("city_id") or "")
    if city_id in ("almaty", "astana") and not pd.isna(row.get("date")):
        return city_display_name(city_id, pd.Timestamp(row["date"]).date(), lang)
    if str(row.get("city", "")) == "national":
        return word("national", lang)
    return str(row.get("city", ""))


def _place(row: dict, lang: str) -> str:
    return named(row, "place_name", lang)


def _links(urls) -> str:
    found = [u for u in str(urls or "").split() if u]
    out = []
    for url in found:
        if web_url(url):
            out.append(_link(url, urlsplit(url).hostname or url))
        else:
            out.append(f'<span class="pm-unlinked">{_esc(url)}</span>')
    return "<br>".join(out)


def _places_section(briefing: Briefing) -> str:
    """A summary's places with the most records and with the most detained (nothing for a listed view)."""
    summary = briefing.summary
    if summary is None:
        return ""
    lang = briefing.lang
    known = _known_ids(briefing)
    parts = ['<section id="pm-places">']
    for cls, title, places in (
        ("pm-places-records", word("top_by_records", lang), summary.by_records),
        ("pm-places-detained", word("top_by_detained", lang), summary.by_detained),
    ):
        parts.append(f"<h2>{_esc(title)}</h2>")
        if not places:
            parts.append(f"<p>{_esc(word('no_places', lang))}</p>")
            continue
        parts.append(
            _table(
                [
                    word("place", lang),
                    word("city", lang),
                    word("records", lang),
                    word("detained", lang),
                    word("dates", lang),
                    word("basis", lang),
                ],
                [_place_cells(p, known, lang) for p in places],
                cls=f"pm-places {cls}",
            )
        )
    parts.append(f'<p class="pm-places-note">{_esc(word("places_note", lang, n=number(summary.unnamed, lang)))}</p>')
    parts.append("</section>")
    return "".join(parts)


def _place_cells(place: Place, known: set[str], lang: str) -> list[str]:
    figure = place.figure
    city = city_display_name(place.city_id, place.last, lang) if place.city_id in ("almaty", "astana") else ""
    first, last = place.first.isoformat(), place.last.isoformat()
    basis = figure.basis
    refs = _record_refs(basis[:6], known) + _more(len(basis) - 6, lang) if basis else _esc(word("none", lang))
    return [
        _esc(named(place.names, "place_name", lang)),
        _esc(city),
        _esc(number(place.records, lang)),
        _esc(range_text(figure.detained_low, figure.detained_high, lang) or "0"),
        _esc(first if first == last else f"{first} – {last}"),
        refs,
    ]


def _records_section(briefing: Briefing) -> str:
    lang = briefing.lang
    summary = briefing.summary
    title = word("incident_list", lang) if summary is None else word("key_records", lang)
    parts = [f'<section id="pm-records"><h2>{_esc(title)}</h2>']
    records = briefing.records
    if records.empty:
        parts.append(f"<p>{_esc(word('no_records', lang))}</p>")
    else:
        rows, attrs = [], []
        listed = records.head(MAX_LISTED) if summary is None else briefing.listed
        for row in listed.to_dict("records"):
            when = _day(row["date"])
            if isinstance(row.get("time_local"), str) and row["time_local"]:
                when += " " + row["time_local"]
            kind = str(row.get("event_type", ""))
            event = word(f"event_{kind}", lang) if f"event_{kind}" in WORDS else kind
            rows.append(
                [
                    f"<code>{_esc(row['record_id'])}</code>",
                    _esc(when),
                    _esc(_city_name(row, lang)),
                    _esc(_place(row, lang)),
                    _esc(event),
                    _esc(_figure(row.get("detained_low"), row.get("detained_high"), lang)),
                    _esc(row.get("summary", "")),
                    _links(row.get("source_urls")),
                ]
            )
            attrs.append(f' id="{_esc(_anchor(row["record_id"]))}" data-record="{_esc(row["record_id"])}"')
        parts.append(
            _table(
                [
                    word("record", lang),
                    word("date", lang),
                    word("city", lang),
                    word("place", lang),
                    word("event", lang),
                    word("detained", lang),
                    word("summary", lang),
                    word("sources", lang),
                ],
                rows,
                cls="pm-record-table",
                row_attrs=attrs,
            )
        )
        if summary is None:
            parts.append(_cap_note(briefing, len(rows), len(records), "records"))
        else:
            note = word("key_records_note", lang, shown=number(len(rows), lang), total=number(summary.total, lang))
            parts.append(f'<p class="pm-key-note">{_esc(note)}</p>')
            parts.append(f'<p class="pm-capped pm-summary-note">{_esc(briefing.summary_note())}</p>')
    parts.append("</section>")
    return "".join(parts)


def _events_section(briefing: Briefing) -> str:
    lang = briefing.lang
    parts = [f'<section id="pm-events"><h2>{_esc(word("key_events", lang))}</h2>']
    events = briefing.events
    if events.empty:
        parts.append(f"<p>{_esc(word('no_events', lang))}</p>")
    else:
        rows = []
        for row in events.to_dict("records"):
            text = named(row, "label", lang)
            rows.append([_esc(_day(row["date"])), _esc(text), _links(row.get("source_urls"))])
        parts.append(
            _table([word("date", lang), word("event", lang), word("sources", lang)], rows, cls="pm-event-table")
        )
    parts.append("</section>")
    return "".join(parts)


def _sources_section(briefing: Briefing) -> str:
    lang = briefing.lang
    parts = [f'<section id="pm-sources"><h2>{_esc(word("sources", lang))}</h2>']
    if not briefing.sources:
        parts.append(f"<p>{_esc(word('no_sources', lang))}</p>")
    else:
        known = _known_ids(briefing)
        if briefing.summary is not None:
            shown, total = number(len(briefing.sources), lang), number(briefing.summary.source_total, lang)
            parts.append(f'<p class="pm-key-sources">{_esc(word("key_sources", lang, shown=shown, total=total))}</p>')
        rows = []
        for ref in briefing.sources[:MAX_LISTED]:
            address = _link(ref.url)
            if not web_url(ref.url):
                address += f" <small>({_esc(word('not_a_link', lang))})</small>"
            rows.append(
                [
                    address,
                    _esc(ref.host),
                    _esc("; ".join(ref.names)),
                    _record_refs(ref.record_ids[:MAX_CITING_IDS], known)
                    + _more(len(ref.record_ids) - MAX_CITING_IDS, lang),
                ]
            )
        parts.append(
            _table(
                [word("address", lang), word("host", lang), word("named_as", lang), word("cited_by", lang)],
                rows,
                cls="pm-source-table",
            )
        )
        parts.append(_cap_note(briefing, len(rows), len(briefing.sources), "sources"))
    parts.append("</section>")
    return "".join(parts)


def _attribution_section(briefing: Briefing) -> str:
    lang = briefing.lang
    if not briefing.attributions:
        return ""
    items = "".join(f"<li>{_esc(a)}</li>" for a in briefing.attributions)
    return f'<section id="pm-attributions"><h2>{_esc(word("attribution", lang))}</h2><ul>{items}</ul></section>'


# --------------------------------------------------------------------------- inlining


_PAGE_CSS = """
:root { color-scheme: light; --ink: #1d1d1f; --muted: #5b5b60; --rule: #d4d4d8; --accent: #0b5cad; }
* { box-sizing: border-box; }
html { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif;
       color: var(--ink); background: #fff; }
body { margin: 0; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 40px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; line-height: 1.2; }
h2 { font-size: 1.25rem; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 1.05rem; margin: 20px 0 8px; }
a { color: var(--accent); }
code { font: 0.85em/1.3 ui-monospace, "DejaVu Sans Mono", monospace; }
.pm-subtitle { color: var(--muted); margin: 0 0 16px; font-size: 1.05rem; }
.pm-filters h2 { font-size: 1rem; border: 0; margin: 12px 0 4px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0 0 8px; }
dt { color: var(--muted); }
dd { margin: 0; }
.pm-meta { font-size: 0.9rem; }
.pm-headline { margin: 8px 0 12px; }
.pm-headline-label { display: block; color: var(--muted); }
.pm-headline-figure { font-size: 2.4rem; font-weight: 700; line-height: 1.1; }
.pm-range-note { color: var(--muted); font-size: 0.9rem; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 0.88rem; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border: 1px solid var(--rule); padding: 4px 6px; text-align: left; vertical-align: top; }
thead th { background: #f2f2f4; }
tr { break-inside: avoid; }
.pm-districts td:nth-child(n+2), .pm-city-figures td:nth-child(n+4) { text-align: right; }
.pm-districts tr.pm-row-city_level td, .pm-districts tr.pm-row-unallocated td { background: #fafafa; }
.pm-record-table td:nth-child(7) { min-width: 18em; }
.pm-unlinked { color: var(--muted); word-break: break-all; }
.pm-source-table td:first-child { word-break: break-all; }
.pm-map { margin: 0 0 12px; }
.pm-map-frame { display: block; width: 100%; border: 1px solid var(--rule); background: #f4f3ef; }
.pm-no-boundaries { padding: 8px 12px; background: #fff6d6; border-left: 4px solid #c99a00; }
.pm-chart { overflow-x: auto; min-height: 40px; }
.pm-chart-error { color: #a40000; }
footer { margin-top: 32px; color: var(--muted); font-size: 0.85rem; border-top: 1px solid var(--rule); }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  html { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; }
  .pm-map, .pm-chart, .pm-headline { break-inside: avoid; }
  .vega-embed details, .vega-actions { display: none !important; }
  section.pm-city { break-before: page; }
}
"""
