"""The briefing pack as an A4 portrait PDF (:func:`render_pdf`).

Everything shown comes from a :class:`geo.brief.Briefing`; this module only
lays it out.  Text is set in DejaVu Sans (regular and bold), taken from
matplotlib's own font folder and embedded as a subset, so Russian and Kazakh
print and extract as text.  The maps come from :func:`geo.maps.static.map_png`,
the timeline from :func:`geo.brief.png.timeline_png`.

Page 1 holds what the pack is (title, filters, when and from which data it was
made, a link back to the app), the key figures and the key events of the
dates; then each city's map with its district table under it, the timeline,
where sources disagree, the incidents and statements of the view, and every
source URL in full.  A pack of many records (:class:`geo.brief.model.Summary`) lists,
instead of every incident, the places with the most records and the most detained and
the key records, with their sources, and says how many records are not listed and
where they all are.  Every page has a footer
"Page n of N" in the pack's language and the data version.
"""

from __future__ import annotations

import io
import math
from collections.abc import Set as AbstractSet
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import fpdf.encryption
import matplotlib
import pandas as pd
from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos
from fpdf.fonts import FontFace
from PIL import Image

from geo import __version__
from geo.boundaries import city_display_name
from geo.brief.model import Briefing, Place, some_ids, web_url
from geo.words import named, number, range_text, reason_text, word

# fpdf keeps the ImportError of its optional cryptography package, and with its traceback every frame of
# whoever imported fpdf first: a page's run, and a million records with it, for as long as the server runs.
if isinstance(fpdf.encryption.import_error, BaseException):
    fpdf.encryption.import_error = fpdf.encryption.import_error.with_traceback(None)

FONT = "DejaVu"
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT_FILES = {"": FONT_DIR / "DejaVuSans.ttf", "B": FONT_DIR / "DejaVuSans-Bold.ttf"}

#: Page geometry, millimetres.
MARGIN = 15.0
FOOTER_ZONE = 16.0  # bottom margin: the footer sits inside it

#: Colours (RGB).
INK = (33, 37, 41)
MUTED = (96, 103, 112)
ACCENT = (24, 70, 120)
LINK = (20, 84, 170)
RULE = (190, 196, 204)
HEAD_FILL = (226, 232, 240)
ROW_FILL = (244, 246, 249)
NOTE_FILL = (255, 247, 225)

#: City maps: height over width (one map a page, at the width of the text) and resolution.
MAP_ASPECT = 0.9
MAP_DPI = 200

#: The longest text a table cell shows (characters; longer text ends in "[…]"): a table row
#: cannot run over a page break, so a pathological summary must not make one taller than a page.
LONG = 1500
SHORT = 300

#: A printed pack lists at most this many records and sources (a view of 10,000 records
#: would be hundreds of pages and take minutes); the rest are counted, and the note points
#: to the app's CSV download of the view, which holds every one.
MAX_LISTED_RECORDS = 300
MAX_LISTED_SOURCES = 400

#: A source's "cited by" line names at most this many records.
MAX_CITING_IDS = 30

#: Font sizes, points.
BODY = 9.0
SMALL = 7.8
TINY = 7.0


def render_pdf(briefing: Briefing) -> bytes:
    """The briefing pack as an A4 portrait PDF, in the briefing's language.

    Parameters
    ----------
    briefing : Briefing
        :func:`geo.brief.build_briefing`'s answer for the view.

    Returns
    -------
    bytes
        The PDF document (fonts embedded; metadata title, subject and creation
        date set from the briefing).
    """
    pdf = _BriefPDF(briefing)
    pdf.add_page()
    pdf.front_page()
    pdf.key_events()
    pdf.cities()
    pdf.timeline()
    pdf.disagreements()
    if briefing.summary is None:
        pdf.incidents()
    else:
        pdf.places()
        pdf.incidents()
    pdf.source_list()
    return bytes(pdf.output())


class _BriefPDF(FPDF):
    """The pack's page layout: running header, footer and the section writers."""

    def __init__(self, briefing: Briefing):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.b = briefing
        self.lang = briefing.lang
        for style, path in FONT_FILES.items():
            self.add_font(FONT, style, path)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=FOOTER_ZONE)
        self.alias_nb_pages("{nb}")
        self.set_title(briefing.title)
        self.set_subject(
            f"{word('subtitle', self.lang)}: {briefing.area_name}, "
            f"{briefing.filters.start.isoformat()} – {briefing.filters.end.isoformat()}"
        )
        self.set_author("protest-map")
        self.set_creator(f"protest-map {__version__}")
        self.set_lang(self.lang)
        self.set_creation_date(_utc(briefing.generated_at))
        self.set_text_color(*INK)
        self.set_draw_color(*RULE)
        self._font(BODY)

    # -- words and fonts -------------------------------------------------------------------------

    def t(self, key: str, **values) -> str:
        return word(key, self.lang, **values)

    def _font(self, size: float, bold: bool = False) -> None:
        self.set_font(FONT, "B" if bold else "", size)

    # -- page furniture --------------------------------------------------------------------------

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self._font(TINY)
        self.set_text_color(*MUTED)
        self.set_xy(MARGIN, 7)
        self.cell(self.epw, 4, self.b.title, align="L")
        self.set_draw_color(*RULE)
        self.line(MARGIN, 11.5, self.w - MARGIN, 11.5)
        self.set_xy(MARGIN, MARGIN)
        self.set_text_color(*INK)

    def footer(self) -> None:
        self.set_draw_color(*RULE)
        self.line(MARGIN, self.h - 11.5, self.w - MARGIN, self.h - 11.5)
        self._font(TINY)
        self.set_text_color(*MUTED)
        self.set_xy(MARGIN, self.h - 10.5)
        right = f"{word('data_version', self.lang)}: {self.b.data_version} · protest-map {__version__}"
        self.cell(self.epw, 4, right, align="R")
        self.set_xy(MARGIN, self.h - 10.5)
        # "{nb}" is replaced by the page count when the document is closed
        self.cell(self.epw / 2, 4, word("page", self.lang, n=self.page_no(), total="{nb}"), align="L")
        self.set_text_color(*INK)

    # -- building blocks -------------------------------------------------------------------------

    def heading(self, text: str, *, keep: float = 30.0, level: int = 1) -> None:
        """A section heading, moved to the next page when fewer than ``keep`` mm would follow it."""
        if self.get_y() > self.t_margin + 1:
            self.ln(4 if level == 1 else 2)
        usable = self.h - self.t_margin - FOOTER_ZONE
        if self.will_page_break(min(keep, usable - 10)) and self.get_y() > self.t_margin + 1:
            self.add_page()
        self._font(12 if level == 1 else 10, bold=True)
        self.set_text_color(*ACCENT)
        self.multi_cell(self.epw, 6 if level == 1 else 5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if level == 1:
            self.set_draw_color(*ACCENT)
            self.line(MARGIN, self.get_y() + 0.5, self.w - MARGIN, self.get_y() + 0.5)
            self.ln(2.5)
        else:
            self.ln(0.8)
        self.set_text_color(*INK)
        self._font(BODY)

    def para(
        self,
        text: str,
        *,
        size: float = BODY,
        color=INK,
        bold: bool = False,
        h: float | None = None,
        link: str | None = None,
        char_wrap: bool = False,
        indent: float = 0.0,
    ) -> None:
        """Wrapped left-aligned text across the text width (less ``indent``)."""
        self._font(size, bold)
        self.set_text_color(*color)
        self.set_x(MARGIN + indent)
        self.multi_cell(
            self.epw - indent,
            h or size * 0.48,
            text,
            align="L",
            link=link,
            wrapmode=WrapMode.CHAR if char_wrap else WrapMode.WORD,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.set_text_color(*INK)
        self._font(BODY)

    def pair(
        self,
        key: str,
        value: str,
        *,
        key_width: float = 48.0,
        link: str | None = None,
        char_wrap: bool = False,
        value_color=INK,
    ) -> None:
        """``key  value`` on one line (the value wraps under itself)."""
        self._font(SMALL, bold=True)
        self.set_text_color(*MUTED)
        y = self.get_y()
        if self.will_page_break(4.2):
            self.add_page()
            y = self.get_y()
        self.set_xy(MARGIN, y)
        self.multi_cell(key_width - 2, 4.2, key, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        after_key, page = self.get_y(), self.page
        self._font(SMALL)
        self.set_text_color(*value_color)
        self.set_xy(MARGIN + key_width, y)
        self.multi_cell(
            self.epw - key_width,
            4.2,
            value,
            align="L",
            link=link,
            wrapmode=WrapMode.CHAR if char_wrap else WrapMode.WORD,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        if self.page == page:  # a long value may run onto the next page, leaving its key behind
            self.set_y(max(self.get_y(), after_key))
        self.set_text_color(*INK)

    def grid(
        self,
        headings: list[str],
        rows: list[list[str]],
        widths: list[float],
        *,
        align: list[str] | None = None,
        size: float = SMALL,
        muted_rows: AbstractSet[int] = frozenset(),
        bold_rows: AbstractSet[int] = frozenset(),
        title: str | None = None,
        level: int = 1,
    ) -> None:
        """A table over the text width (``widths`` are fractions), headings repeated on each page.

        With a ``title``, the section heading goes first, kept on the page of the table's first row.
        """
        if title is not None:
            self.heading(title, keep=self.lead_height(headings, rows[:1], widths, size) + 4, level=level)
        self._font(size)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        # the fill of rows without a style of their own is the document's current fill colour
        self.set_fill_color(*ROW_FILL)
        align = align or ["LEFT"] * len(headings)
        with self.table(
            col_widths=widths,
            width=self.epw,
            align="LEFT",
            text_align=align,
            v_align="TOP",
            borders_layout="HORIZONTAL_LINES",
            headings_style=FontFace(emphasis="BOLD", color=INK, fill_color=HEAD_FILL),
            cell_fill_color=ROW_FILL,
            cell_fill_mode="ROWS",
            line_height=size * 0.47,
            padding=(1.1, 1.4),
            wrapmode=WrapMode.WORD,
        ) as table:
            head = table.row()
            for text in headings:
                head.cell(text)
            for n, values in enumerate(rows):
                style = None
                if n in muted_rows:
                    style = FontFace(color=MUTED)
                elif n in bold_rows:
                    style = FontFace(emphasis="BOLD")
                row = table.row(style=style)
                for text in values:
                    row.cell(text)
        self._font(BODY)
        self.set_x(MARGIN)

    def lead_height(self, headings: list[str], rows: list[list[str]], widths: list[float], size: float) -> float:
        """An over-estimate (mm) of the height of a table's heading row and ``rows``, from text widths."""
        total, height = sum(widths), 0.0
        for values, bold in [(headings, True)] + [(row, False) for row in rows]:
            self._font(size, bold)
            lines = 1
            for text, share in zip(values, widths):
                column = self.epw * share / total - 2 * 1.4 - 1.0  # less the padding, and some slack
                lines = max(
                    lines,
                    sum(max(1, math.ceil(self.get_string_width(part) / column)) for part in str(text).split("\n")),
                )
            height += lines * size * 0.47 + 2 * 1.1
        self._font(BODY)
        return height * 1.1

    def fit(self, png: bytes, *, width: float, max_height: float) -> tuple[float, float]:
        """The (width, height) in mm of ``png`` scaled to ``width`` and at most ``max_height``."""
        px_w, px_h = Image.open(io.BytesIO(png)).size
        w = min(width, self.epw)
        h = w * px_h / px_w
        if h > max_height:
            h = max_height
            w = h * px_w / px_h
        return w, h

    def picture(self, png: bytes, *, max_height: float, caption: str, width: float | None = None) -> None:
        """A PNG scaled to the text width (or ``width``) and at most ``max_height`` mm, centred, captioned."""
        w, h = self.fit(png, width=width or self.epw, max_height=max_height)
        self._font(SMALL)
        # fpdf2 types multi_cell's result as a union over every ``output``; "LINES" gives the lines
        lines = cast(list[str], self.multi_cell(self.epw, 3.8, caption, dry_run=True, output="LINES"))
        caption_h = len(lines) * 3.8
        if self.will_page_break(h + caption_h + 3):
            self.add_page()
        self.image(io.BytesIO(png), x=MARGIN + (self.epw - w) / 2, y=self.get_y(), w=w, h=h)
        self.set_y(self.get_y() + h + 1.5)
        self.para(caption, size=SMALL, color=MUTED, h=3.8)

    def room(self) -> float:
        """Millimetres left on the current page above the footer zone."""
        return self.h - FOOTER_ZONE - self.get_y()

    # -- sections --------------------------------------------------------------------------------

    def front_page(self) -> None:
        b, lang = self.b, self.lang
        # a thin accent band, then the subtitle and the title
        self.set_fill_color(*ACCENT)
        self.rect(MARGIN, MARGIN - 3, self.epw, 1.2, style="F")
        self.set_y(MARGIN + 1)
        self.para(word("subtitle", lang).upper(), size=SMALL, color=MUTED, bold=True, h=4)
        self._font(17, bold=True)
        self.multi_cell(self.epw, 7.6, b.title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(3)

        filters = b.filter_lines()
        for key, value in filters:
            self.pair(key, value)
        self.ln(1.5)
        self.pair(self.t("generated_utc"), _utc(b.generated_at).strftime("%Y-%m-%d %H:%M:%S UTC"))
        self.pair(
            word("data_version", lang), self.t("records_total", version=b.data_version, n=_number(b.record_count, lang))
        )
        self.pair(self.t("app_version"), __version__)
        linked = web_url(b.app_link)  # only http(s) becomes a link (an --app-url could be anything)
        self.pair(
            word("open_in_app", lang),
            b.app_link,
            link=b.app_link if linked else None,
            char_wrap=True,
            value_color=LINK if linked else INK,
        )

        self.heading(word("key_figures", lang), keep=60)
        self.key_figures()

    def key_figures(self) -> None:
        b, lang = self.b, self.lang
        head = b.headline
        self._font(BODY)
        self.set_text_color(*MUTED)
        self.multi_cell(
            self.epw, 4.5, self.t("detained_in", area=b.area_name), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        self._font(24, bold=True)
        self.set_text_color(*ACCENT)
        self.multi_cell(
            self.epw,
            10,
            range_text(head.detained_low, head.detained_high, lang) or "0",
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.set_text_color(*INK)
        self.ln(1)
        limit = None if b.summary is None else MAX_CITING_IDS  # a floor over 100,000 records rests on thousands
        self.pair(word("basis", lang), _ids(head.basis, lang, limit))
        self.pair(word("high_basis", lang), _ids(head.high_basis, lang, limit))
        for note in head.notes:
            self.pair(word("notes", lang), note)
        self.ln(2)

        if b.cities:
            self.heading(self.t("by_city"), keep=25, level=2)
            rows, muted = [], set()
            for part in b.cities:
                rows.append(
                    [
                        part.name,
                        range_text(part.figure.detained_low, part.figure.detained_high, lang) or "0",
                        _number(len(part.records), lang),
                        _number(len(part.placed), lang),
                        _number(len(part.city_level), lang),
                    ]
                )
            unallocated = head.breakdown.get("unallocated", 0) if b.area == "national" else 0
            if unallocated:
                muted.add(len(rows))
                rows.append([word("national_remainder", lang), _number(unallocated, lang), "", "", ""])
            self.grid(
                [
                    word("city", lang),
                    word("detained", lang),
                    word("incidents", lang),
                    word("incidents_mapped", lang),
                    word("incidents_city_level", lang),
                ],
                rows,
                [30, 22, 14, 17, 17],
                align=["LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"],
                muted_rows=muted,
            )
        self.ln(2)
        self.pair(self.t("records_in_view"), _number(len(b.records), lang))
        self.ln(1)
        self.para(word("range_note", lang), size=SMALL, color=MUTED, h=3.8)
        if note := b.summary_note():
            self.ln(1.5)
            self.para(note, size=SMALL, h=3.8)

    def cities(self) -> None:
        """Each city's map (caption naming the district layer's date) and its district table under it."""
        b, lang = self.b, self.lang
        if b.boundaries is None:
            self.heading(word("map", lang), keep=20)
            self.para(word("no_boundaries_pack", lang), color=MUTED)
            return
        from geo.maps.static import map_png

        width_in = self.epw / 25.4
        size_in = (width_in, width_in * MAP_ASPECT)
        for part in b.cities:
            png = map_png(b, city_id=part.city_id, dpi=MAP_DPI, size_in=size_in)
            _, h = self.fit(png, width=self.epw, max_height=self.epw * MAP_ASPECT)
            on = part.layer_date.isoformat()
            districts = (
                word("districts_on", lang, date=on)
                if part.districts is not None
                else self.t("no_districts", city=part.name, date=on)
            )
            self.heading(f"{word('map', lang)}: {part.name}", keep=h + 14)
            self.picture(png, max_height=h, caption=self.t("map_caption", city=part.name, districts=districts))
            self.district_table(part)
        if b.attributions:
            self.ln(2)
            self.para(f"{word('attribution', lang)}: " + "; ".join(b.attributions), size=TINY, color=MUTED, h=3.4)

    def timeline(self) -> None:
        from geo.brief.png import timeline_png

        b, lang = self.b, self.lang
        png = timeline_png(b)
        w, h = self.fit(png, width=self.epw * 0.92, max_height=self.h - MARGIN - FOOTER_ZONE - 30)
        self.heading(word("timeline", lang), keep=h + 14)
        caption = self.t("timeline_caption", start=b.filters.start.isoformat(), end=b.filters.end.isoformat())
        self.picture(png, max_height=h, caption=caption, width=w)

    def district_table(self, part) -> None:
        """The city's districts (names in the pack's language), then its remainder rows, labelled."""
        lang = self.lang
        on = part.layer_date.isoformat()
        self.heading(f"{word('districts', lang)}: {part.name}", keep=30, level=2)
        if part.districts is None:
            self.para(self.t("no_districts", city=part.name, date=on), color=MUTED)
            return
        rows: list[list[str]] = []
        muted: set[int] = set()
        for _, row in part.districts.iterrows():
            kind = row["kind"]
            if kind == "district":
                name = _name(row, "name", lang)
                area = f"{row['area_km2']:.1f}" if pd.notna(row["area_km2"]) else ""
            else:
                name = word("city_level_remainder" if kind == "city_level" else "national_remainder", lang)
                area = ""
                muted.add(len(rows))
            # a remainder is the part of the city's (or the country's) floor left over: a plain number
            detained = (
                range_text(row["detained_low"], row["detained_high"], lang)
                if kind == "district"
                else _number(row["detained_low"], lang)
            )
            rows.append([name, _number(row["incidents"], lang), detained or "0", area])
        self.grid(
            [word("district", lang), word("incidents", lang), word("detained", lang), word("area_km2", lang)],
            rows,
            [46, 16, 22, 16],
            align=["LEFT", "RIGHT", "RIGHT", "RIGHT"],
            muted_rows=muted,
        )

    def disagreements(self) -> None:
        b, lang = self.b, self.lang
        frame = b.discrepancies
        if frame.empty:
            self.heading(word("discrepancies", lang), keep=20)
            self.para(word("no_discrepancies", lang), color=MUTED)
        else:
            rows = []
            for _, r in frame.head(b.list_cap(MAX_LISTED_RECORDS)).iterrows():
                rows.append(
                    [
                        f"{_clip(r['record_id'], SHORT)}\n{_day(r['date'])}\n{self.record_city(r)}",
                        range_text(r["detained_low"], r["detained_high"], lang),
                        _clip(_split_names(r["source_names"]), SHORT),
                        _clip(r["contested_by"], SHORT),
                        _clip(r["notes"], LONG),
                    ]
                )
            self.grid(
                [
                    f"{word('record', lang)} · {word('date', lang)} · {word('city', lang)}",
                    word("detained", lang),
                    word("sources", lang),
                    word("contested_by", lang),
                    word("notes", lang),
                ],
                rows,
                [25, 16, 18, 17, 58],
                align=["LEFT", "RIGHT", "LEFT", "LEFT", "LEFT"],
                size=TINY,
                title=word("discrepancies", lang),
            )
            self.capped(len(rows), len(frame), "discrepancies")

        alternatives = b.headline.alternatives
        if not alternatives:
            self.heading(word("alternatives", lang), keep=20, level=2)
            self.para(self.t("no_alternatives"), color=MUTED)
            return
        self.grid(
            [word("record", lang), word("detained", lang), word("reason", lang)],
            [
                [
                    _clip(a.record_id, SHORT),
                    range_text(a.detained_low, a.detained_high, lang),
                    _clip(reason_text(a.reason, lang), LONG),
                ]
                for a in alternatives[: b.list_cap(MAX_LISTED_RECORDS)]
            ],
            [25, 15, 60],
            align=["LEFT", "RIGHT", "LEFT"],
            size=TINY,
            title=word("alternatives", lang),
            level=2,
        )
        self.capped(min(len(alternatives), b.list_cap(MAX_LISTED_RECORDS)), len(alternatives), "alternatives")

    def places(self) -> None:
        """A summary's places with the most records and with the most detained, and what a place's figure is."""
        b, lang = self.b, self.lang
        summary = b.summary
        if summary is None:
            return
        for title, places in (
            (self.t("top_by_records"), summary.by_records),
            (self.t("top_by_detained"), summary.by_detained),
        ):
            if not places:
                self.heading(title, keep=20)
                self.para(self.t("no_places"), color=MUTED)
                continue
            self.grid(
                [
                    f"{word('place', lang)} · {word('city', lang)}",
                    word("records", lang),
                    word("detained", lang),
                    word("dates", lang),
                    word("basis", lang),
                ],
                [self.place_row(p) for p in places],
                [30, 9, 15, 24, 32],
                align=["LEFT", "RIGHT", "RIGHT", "LEFT", "LEFT"],
                size=TINY,
                title=title,
            )
        self.para(self.t("places_note", n=_number(summary.unnamed, lang)), size=SMALL, color=MUTED, h=3.8)

    def place_row(self, place: Place) -> list[str]:
        lang = self.lang
        name = _clip(_name(pd.Series(place.names), "place_name", lang), SHORT)
        city = city_display_name(place.city_id, place.last, lang) if place.city_id in ("almaty", "astana") else ""
        days = _day(place.first) if place.first == place.last else f"{_day(place.first)} – {_day(place.last)}"
        figure = place.figure
        return [
            "\n".join(x for x in (name, city) if x),
            _number(place.records, lang),
            range_text(figure.detained_low, figure.detained_high, lang) or "0",
            days,
            _clip(some_ids(figure.basis, 6, lang), SHORT) if figure.basis else word("none", lang),
        ]

    def incidents(self) -> None:
        b, lang = self.b, self.lang
        if b.records.empty:
            self.heading(word("incident_list", lang), keep=20)
            self.para(self.t("no_records"), color=MUTED)
            return
        listed = b.records.head(MAX_LISTED_RECORDS) if b.summary is None else b.listed
        rows = []
        for _, r in listed.iterrows():
            place = _name(r, "place_name", lang)
            rows.append(
                [
                    f"{_day(r['date'])}\n{_clip(r['record_id'], SHORT)}",
                    _clip("\n".join(x for x in (self.record_city(r), place) if x), SHORT),
                    _clip(_event(r["event_type"], lang), SHORT),
                    range_text(r["detained_low"], r["detained_high"], lang),
                    _clip(r["summary"], LONG),
                ]
            )
        self.grid(
            [
                f"{word('date', lang)} · {word('record', lang)}",
                f"{word('city', lang)} · {word('place', lang)}",
                word("event", lang),
                word("detained", lang),
                word("summary", lang),
            ],
            rows,
            [23, 26, 16, 17, 68],
            align=["LEFT", "LEFT", "LEFT", "RIGHT", "LEFT"],
            size=TINY,
            title=word("incident_list", lang) if b.summary is None else self.t("key_records"),
        )
        if b.summary is None:
            self.capped(len(rows), len(b.records), "records")
            return
        total = _number(b.summary.total, lang)
        self.para(self.t("key_records_note", shown=_number(len(rows), lang), total=total), size=SMALL, color=MUTED)
        self.ln(1)
        self.para(b.summary_note(), size=SMALL, color=MUTED)

    def capped(self, shown: int, total: int, what: str) -> None:
        """Say how many of a list were left out and where the whole list is (never silently)."""
        if note := self.b.cap_note(shown, total, what):
            self.para(note, size=SMALL, color=MUTED)

    def key_events(self) -> None:
        b, lang = self.b, self.lang
        self.heading(word("key_events", lang), keep=25)
        if b.events.empty:
            self.para(self.t("no_events"), color=MUTED)
            return
        rows = []
        for _, e in b.events.iterrows():
            text = named(e, "label", lang)
            rows.append([_day(e["date"]), _clip(text, LONG)])
        self.grid([word("date", lang), word("event", lang)], rows, [14, 86], size=SMALL)

    def source_list(self) -> None:
        b, lang = self.b, self.lang
        self.heading(word("sources", lang), keep=30)
        if not b.sources:
            self.para(self.t("no_sources"), color=MUTED)
            return
        if b.summary is not None:
            shown, total = _number(len(b.sources), lang), _number(b.summary.source_total, lang)
            self.para(self.t("key_sources", shown=shown, total=total), size=SMALL, color=MUTED)
            self.ln(1.5)
        number_w, indent = 9.0, 10.0
        width = self.epw - indent
        for n, ref in enumerate(b.sources[:MAX_LISTED_SOURCES], start=1):
            details = f"{ref.host} · {word('cited_by', lang)}: {some_ids(ref.record_ids, MAX_CITING_IDS, lang)}"
            # keep a source's lines on one page (a URL split by a page break cannot be read back);
            # the heights are over-estimates from the text widths (a dry run costs as much as the real one)
            self._font(SMALL)
            url_h = 3.9 * math.ceil(self.get_string_width(ref.url) / (width - 3))
            self._font(TINY)
            details_h = 3.5 * math.ceil(self.get_string_width(details) / (width - 25))
            if self.will_page_break(url_h + details_h + 1.2):
                self.add_page()
            self._font(SMALL, bold=True)
            self.set_text_color(*MUTED)
            self.set_x(MARGIN)
            self.cell(number_w, 3.9, f"{n}.", align="R")
            self.para(
                ref.url,
                size=SMALL,
                color=LINK,
                h=3.9,
                link=ref.url if web_url(ref.url) else None,
                char_wrap=True,
                indent=indent,
            )
            self.para(details, size=TINY, color=MUTED, h=3.5, indent=indent)
            self.ln(1.2)
        self.capped(min(len(b.sources), MAX_LISTED_SOURCES), len(b.sources), "sources")

    # -- values ----------------------------------------------------------------------------------

    def record_city(self, row: pd.Series) -> str:
        """A record's city as of its date, in the pack's language (``national`` for country-wide ones)."""
        city_id = row.get("city_id", "") or ""
        if city_id in ("almaty", "astana") and pd.notna(row["date"]):
            return city_display_name(city_id, row["date"].date(), self.lang)
        if row.get("city", "") == "national":
            return self.t("national_short")
        return str(row.get("city", "") or "")


def _utc(moment: datetime) -> datetime:
    """``moment`` in UTC (a naive time is taken to be UTC already)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _number(n, lang: str) -> str:

    return number(int(n), lang)


def _day(value) -> str:
    return "" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def _ids(ids: list[str], lang: str, limit: int | None = None) -> str:
    if not ids:
        return word("none", lang)
    return ", ".join(ids) if limit is None else some_ids(ids, limit, lang)


def _name(row: pd.Series, prefix: str, lang: str) -> str:
    """``<prefix>_<lang>``, else the English one (as the app's tables do)."""
    for key in (f"{prefix}_{lang}", f"{prefix}_en"):
        if key in row and isinstance(row[key], str) and row[key].strip():
            return row[key].strip()
    return ""


def _event(kind: str, lang: str) -> str:
    try:
        return word(f"event_{kind}", lang)
    except KeyError:
        return str(kind).replace("_", " ")


def _clip(text, limit: int) -> str:
    """``text`` (blank for a missing value) cut to ``limit`` characters, the cut marked ``[…]``."""
    text = "" if text is None or (not isinstance(text, str) and pd.isna(text)) else str(text)
    return text if len(text) <= limit else text[:limit].rstrip() + " […]"


def _split_names(names: str) -> str:
    return ", ".join(n.strip() for n in str(names or "").split(";") if n.strip())
