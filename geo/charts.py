"""Altair charts of the reconciled figures (rendered by ``st.altair_chart`` on the pages).

:func:`timeline_chart` stacks four panels on one shared time axis:

1. the key events: a dotted rule per event with a numbered marker (markers that would
   touch at a phone's width are put on rows of their own);
2. detained per day per city as *ranges*: a solid bar from the lowest defensible figure
   to the highest reported one, a tick at the floor, and, where nothing bounds the
   day from above, a dashed line from the floor to the top of the panel with an
   upward triangle ("at least N"); a legend says what each line style means;
3. the official national totals, each over its own period (a line across the
   period at the figure, a point on its last day), on their own axis.  They are
   never stacked on, or added to, the city figures;
4. the key events by number: date and label, wrapped to fit a phone.

The chart fits its container's width: Vega-Lite's ``autosize`` ``fit-x`` (padding
included) shrinks the panels to the width Streamlit gives them (``st.altair_chart``
with ``width="stretch"`` sets every panel's width to the column's); elsewhere (the
packs' PNG and HTML) ``width`` is the whole chart's width in pixels.  Titles, legend
labels and the event list are short lines, so nothing is cut at 390 px.

Every text comes from our own labels or from the data as *text*: no HTML tooltip,
no link channel, no Vega expression built from data.
"""

from __future__ import annotations

import textwrap
from datetime import date, timedelta
from typing import Literal

import altair as alt
import pandas as pd

from geo.boundaries import city_display_name, city_name_over
from geo.words import LANGUAGES, named_column, range_text, word

__all__ = [
    "AUTOSIZE",
    "EVENT_MARKER_PX",
    "MIN_PLOT_WIDTH",
    "TEXT_KEYS",
    "city_name_over",
    "event_rows",
    "hour_chart",
    "timeline_chart",
]

CITY_COLORS = {"almaty": "#1f77b4", "astana": "#d62728"}
NATIONAL_COLOR = "#444444"
EVENT_COLOR = "#7f7f7f"
EVENT_TYPE_ORDER = (
    "rally",
    "detention",
    "journalist_detained",
    "police_violence",
    "journalist_assaulted",
    "official_statement",
)
#: Vega's number and time formats for the Russian and Kazakh charts (month and day names on
#: the date axis; thousands apart by a narrow space, as in the rest of the app).
_MONTHS = {
    "ru": (
        "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь",
        "янв фев мар апр май июн июл авг сен окт ноя дек",
        "воскресенье понедельник вторник среда четверг пятница суббота",
        "вс пн вт ср чт пт сб",
    ),
    "kk": (
        "қаңтар ақпан наурыз сәуір мамыр маусым шілде тамыз қыркүйек қазан қараша желтоқсан",
        "қаң ақп нау сәу мам мау шіл там қыр қаз қар жел",
        "жексенбі дүйсенбі сейсенбі сәрсенбі бейсенбі жұма сенбі",
        "жс дс сс ср бс жм сб",
    ),
}
LOCALES = {
    lang: {
        "number": {"decimal": ",", "thousands": "\u202f", "grouping": [3], "currency": ["", "\u00a0₸"]},
        "time": {
            "dateTime": "%A, %e %B %Y " + ("г." if lang == "ru" else "ж.") + " %X",
            "date": "%d.%m.%Y",
            "time": "%H:%M:%S",
            "periods": ["AM", "PM"],
            "months": months.split(),
            "shortMonths": short.split(),
            "days": days.split(),
            "shortDays": short_days.split(),
        },
    }
    for lang, (months, short, days, short_days) in _MONTHS.items()
}
#: Where in its day a city's range is drawn (hours after midnight), so the two cities sit side by side.
_CITY_HOUR = {"almaty": 8, "astana": 16}

#: The words the charts use (each from :data:`geo.words.WORDS`, under the same key).
TEXT_KEYS = (
    "chart_title",
    "events_title",
    "daily_title",
    "national_title",
    "day",
    "detained",
    "national_detained",
    "city",
    "figure",
    "basis",
    "high_basis",
    "uncounted",
    "spanning",
    "record",
    "period",
    "statement_date",
    "sources",
    "summary",
    "event",
    "notes",
    "bound",
    "bound_closed",
    "bound_open",
    "at_least",
    "no_number",
    "hour_title",
    "hour",
    "records",
    "event_type",
    *(f"event_{kind}" for kind in EVENT_TYPE_ORDER),
    "events_list_title",
    "no_events",
    "style_title",
    "style_range",
    "style_open",
    "style_event",
    "style_period",
)

#: The charts' sizing: the whole chart (axes, legends and titles included) fits the width it is given.
AUTOSIZE: dict[str, str] = {"type": "fit-x", "contains": "padding"}
#: The narrowest plot the key-event markers are spaced for (a 390 px phone's column, axes aside).
MIN_PLOT_WIDTH = 280
#: A key event's numbered marker: its diameter in pixels.
EVENT_MARKER_PX = 18
#: Line styles and what they mean (the legend's entries are the words under these keys).
_DASHES = {"style_range": [1, 0], "style_open": [4, 3], "style_event": [2, 2], "style_period": [1, 0]}
#: Titles and the event list wrap at these many characters (fits 390 px in Cyrillic too).
_TITLE_CHARS = 40
_TOP_TITLE_CHARS = 34
_LIST_CHARS = 42
_LIST_INDENT = 22
_ROW_PX = 20
_LINE_PX = 15


def timeline_chart(
    daily: pd.DataFrame,
    national: pd.DataFrame,
    events: pd.DataFrame,
    *,
    lang: str = "en",
    labels: dict | None = None,
    width: int = 640,
) -> alt.VConcatChart:
    """Detained per day per city (ranges), key events, and the national totals apart.

    Parameters
    ----------
    daily : pandas.DataFrame
        :func:`geo.series.daily_ranges`.
    national : pandas.DataFrame
        :func:`geo.series.national_cumulative`.
    events : pandas.DataFrame
        :func:`geo.series.load_key_events` (events outside the daily window are dropped).
    lang : str
        ``en``, ``ru`` or ``kk``.
    labels : dict, optional
        Texts that replace the defaults (keys of :data:`TEXT_KEYS`; the words are
        :data:`geo.words.WORDS`'s).
    width : int
        Width of the whole chart in pixels, axes and legends included (``autosize``
        ``fit-x``); ``st.altair_chart(..., width="stretch")`` replaces it with its
        column's width.

    Returns
    -------
    altair.VConcatChart
        Panels named ``events``, ``city_ranges``, ``national_totals`` and ``event_list``;
        their layers are named too (``event_rule``, ``event_marker``, ``event_number``;
        ``city_event_rule``, ``city_band``, ``city_floor``, ``city_open``, ``city_open_mark``;
        ``national_event_rule``, ``national_period``, ``national_range``, ``national_point``;
        ``event_list_number``, ``event_line``).
    """
    text = _texts(lang, labels)
    lo, hi = _window(daily, national, events)
    # Calendar days, drawn in UTC so that no viewer's time zone moves a figure to another day.
    x_scale = alt.Scale(type="utc", domain=[_utc_day(lo), _utc_day(hi + timedelta(days=1))])
    x_axis = alt.Axis(format="%d %b %Y", labelOverlap=True, labelFlush=True, tickCount=_tick_interval(lo, hi))

    legend_names = _legend_names(daily, lang, lo, hi)
    cities = _city_rows(daily, legend_names, lang, text)
    nat = _national_rows(national, lang, text)
    evs = event_rows(events, lang, lo, hi)
    evs["style"] = text["style_event"]
    lines = _event_list(evs, text)

    def x(field: str, *, axis=x_axis, scale=alt.Undefined) -> alt.X:
        # The shared x scale is declared once (on the events rule): Vega-Lite warns about,
        # and then merges, the same domain repeated in several views.
        return alt.X(f"{field}:T", title=text["day"], scale=scale, axis=axis)

    def styles(*keys: str) -> alt.StrokeDash:
        """The line styles of a panel, with a legend in the chosen language."""
        return alt.StrokeDash(
            "style:N",
            title=text["style_title"],
            legend=_legend("bottom"),
            scale=alt.Scale(domain=[text[k] for k in keys], range=[_DASHES[k] for k in keys]),
        )

    # -- key events ------------------------------------------------------------
    event_tooltip = [
        alt.Tooltip("number:N", title="#"),
        alt.Tooltip("date_text:N", title=text["day"]),
        alt.Tooltip("label:N", title=text["event"]),
        alt.Tooltip("notes:N", title=text["notes"]),
        alt.Tooltip("source_urls:N", title=text["sources"]),
    ]

    def event_rule(name: str, axis, scale=alt.Undefined, dash=None) -> alt.Chart:
        return (
            alt.Chart(evs, name=name)
            .mark_rule(color=EVENT_COLOR, strokeDash=_DASHES["style_event"])
            .encode(
                x=x("date", axis=axis, scale=scale),
                tooltip=event_tooltip,
                **({"strokeDash": dash} if dash is not None else {}),
            )
        )

    rows = int(evs["row"].max()) + 1 if len(evs) else 1
    y_row = alt.Y("row:O", axis=None, title=None, scale=alt.Scale(domain=list(range(rows))))
    marker = (
        alt.Chart(evs, name="event_marker")
        .mark_point(shape="circle", filled=True, fill="white", stroke=EVENT_COLOR, strokeWidth=1, opacity=1)
        .encode(x=x("date", axis=None), y=y_row, size=alt.value(EVENT_MARKER_PX**2), tooltip=event_tooltip)
    )
    number = (
        alt.Chart(evs, name="event_number")
        .mark_text(align="center", baseline="middle", fontSize=10, fontWeight="bold", color="#333333")
        .encode(x=x("date", axis=None), y=y_row, text=alt.Text("number:N"), tooltip=event_tooltip)
    )
    events_panel = alt.layer(event_rule("event_rule", None, x_scale), marker, number, name="events").properties(
        title=_title(text["events_title"]), width=width, height=_ROW_PX * rows
    )

    # -- city ranges -----------------------------------------------------------
    color = alt.Color(
        "city_label:N",
        title=text["city"],
        legend=_legend("top"),
        scale=alt.Scale(domain=list(legend_names.values()), range=[CITY_COLORS[c] for c in legend_names]),
    )
    city_styles = styles("style_range", "style_open", "style_event")
    city_tooltip = [
        alt.Tooltip("day_text:N", title=text["day"]),
        alt.Tooltip("city_name:N", title=text["city"]),
        alt.Tooltip("figure:N", title=text["figure"]),
        alt.Tooltip("basis:N", title=text["basis"]),
        alt.Tooltip("high_basis:N", title=text["high_basis"]),
        alt.Tooltip("uncounted:N", title=text["uncounted"]),
        alt.Tooltip("spanning:N", title=text["spanning"]),
    ]
    y_city = alt.Y("detained_low:Q", title=text["detained"], stack=None, scale=alt.Scale(zero=True))
    closed = cities[~cities["open_ended"]].assign(style=text["style_range"])
    opened = cities[cities["open_ended"]].assign(style=text["style_open"])
    band = (
        alt.Chart(closed, name="city_band")
        .mark_rule(strokeWidth=5, strokeCap="butt")
        .encode(
            x=x("x_pos"),
            y=y_city,
            y2=alt.Y2("detained_high:Q"),
            color=color,
            strokeDash=city_styles,
            tooltip=city_tooltip,
        )
    )
    floor = (
        alt.Chart(cities, name="city_floor")
        .mark_tick(orient="horizontal", thickness=2, size=11)
        .encode(x=x("x_pos"), y=y_city, color=color, tooltip=city_tooltip)
    )
    open_line = (
        alt.Chart(opened, name="city_open")
        .mark_rule(strokeWidth=1.5)
        .encode(
            x=x("x_pos"),
            y=y_city,
            y2=alt.value(0),  # to the top of the panel: no figure bounds it
            color=color,
            strokeDash=city_styles,
            tooltip=city_tooltip,
        )
    )
    open_mark = (
        alt.Chart(opened, name="city_open_mark")
        .mark_point(shape="triangle-up", filled=True, size=60, yOffset=-6)
        .encode(x=x("x_pos"), y=y_city, color=color, tooltip=city_tooltip)
    )
    city_panel = alt.layer(
        event_rule("city_event_rule", x_axis, dash=city_styles), band, floor, open_line, open_mark, name="city_ranges"
    ).properties(title=_title(text["daily_title"]), width=width, height=240)

    # -- national totals -------------------------------------------------------
    nat_tooltip = [
        alt.Tooltip("record_id:N", title=text["record"]),
        alt.Tooltip("figure:N", title=text["figure"]),
        alt.Tooltip("period_text:N", title=text["period"]),
        alt.Tooltip("statement_text:N", title=text["statement_date"]),
        alt.Tooltip("source_names:N", title=text["sources"]),
        alt.Tooltip("summary:N", title=text["summary"]),
    ]
    nat_styles = styles("style_period", "style_event")
    y_nat = alt.Y("detained_low:Q", title=text["national_detained"], stack=None, scale=alt.Scale(zero=True))
    period = (
        alt.Chart(nat.assign(style=text["style_period"]), name="national_period")
        .mark_rule(color=NATIONAL_COLOR, strokeWidth=2)
        .encode(x=x("period_from"), x2=alt.X2("period_to"), y=y_nat, strokeDash=nat_styles, tooltip=nat_tooltip)
    )
    spread = (
        alt.Chart(
            nat[nat["detained_high"].notna() & (nat["detained_high"] > nat["detained_low"])], name="national_range"
        )
        .mark_rule(color=NATIONAL_COLOR, strokeWidth=2)
        .encode(x=x("point_at"), y=y_nat, y2=alt.Y2("detained_high:Q"), tooltip=nat_tooltip)
    )
    point = (
        alt.Chart(nat, name="national_point")
        .mark_point(color=NATIONAL_COLOR, filled=True, size=50)
        .encode(
            x=x("point_at"),
            y=y_nat,
            shape=alt.Shape(
                "bound:N",
                title=text["bound"],
                legend=_legend("top"),
                scale=alt.Scale(domain=[text["bound_closed"], text["bound_open"]], range=["circle", "triangle-up"]),
            ),
            tooltip=nat_tooltip,
        )
    )
    national_panel = alt.layer(
        event_rule("national_event_rule", x_axis, dash=nat_styles), period, spread, point, name="national_totals"
    ).properties(title=_title(text["national_title"]), width=width, height=160)

    # -- the key events by number ----------------------------------------------
    y_line = alt.Y("line:O", axis=None, title=None)
    list_tooltip = [alt.Tooltip("label:N", title=text["event"])]
    list_numbers = (
        alt.Chart(lines, name="event_list_number")
        .mark_text(align="right", baseline="middle", fontSize=11, fontWeight="bold", color="#333333")
        .encode(x=alt.value(_LIST_INDENT - 6), y=y_line, text=alt.Text("number:N"), tooltip=list_tooltip)
    )
    list_lines = (
        alt.Chart(lines, name="event_line")
        .mark_text(align="left", baseline="middle", fontSize=11, color="#333333")
        .encode(x=alt.value(_LIST_INDENT), y=y_line, text=alt.Text("text:N"), tooltip=list_tooltip)
    )
    list_panel = alt.layer(list_numbers, list_lines, name="event_list").properties(
        title=_title(text["events_list_title"]),
        width=width,
        height=_LINE_PX * max(1, len(lines)),
        view=alt.ViewBackground(stroke=None),
    )

    chart = (
        alt.vconcat(
            events_panel,
            city_panel,
            national_panel,
            list_panel,
            title=_title(text["chart_title"], chars=_TOP_TITLE_CHARS, size=15),
            spacing=14,
            autosize=_autosize(),
        )
        .resolve_scale(x="shared", y="independent", color="independent", shape="independent", strokeDash="independent")
        .resolve_legend(color="independent", shape="independent", strokeDash="independent")
    )
    return chart.configure(locale=LOCALES[lang]) if lang in LOCALES else chart


def hour_chart(hours: pd.DataFrame, *, lang: str = "en", labels: dict | None = None) -> alt.Chart:
    """Records by local hour of day (:func:`geo.series.hour_of_day`), coloured by event type.

    The bars count records (an incident can have several: a rally and the detentions at
    it), never people.  It fits its container's width (``autosize`` ``fit-x``); the legend
    sits above the bars, one entry a line, so that a phone keeps the bars.
    """
    text = _texts(lang, labels)
    frame = hours.copy()
    frame["event_label"] = [text.get(f"event_{e}", e) for e in frame["event_type"]]
    frame["event_rank"] = [EVENT_TYPE_ORDER.index(e) if e in EVENT_TYPE_ORDER else 99 for e in frame["event_type"]]
    frame["city_name"] = [_city_names_since_2019(c, lang) for c in frame["city_id"]]
    present = [e for e in EVENT_TYPE_ORDER if e in set(frame["event_type"])]
    present += sorted(set(frame["event_type"]) - set(present))
    palette = ["#4c78a8", "#e45756", "#f58518", "#b279a2", "#9d755d", "#bab0ac", "#72b7b2", "#54a24b"]
    domain = [text.get(f"event_{e}", e) for e in present]
    chart = (
        alt.Chart(frame, name="hours", title=_title(text["hour_title"], chars=_TOP_TITLE_CHARS, size=15))
        .mark_bar()
        .encode(
            x=alt.X(
                "hour:O",
                title=text["hour"],
                scale=alt.Scale(domain=list(range(24))),
                axis=alt.Axis(labelAngle=0, labelOverlap=True),
            ),
            y=alt.Y("sum(n):Q", title=text["records"], axis=alt.Axis(tickMinStep=1)),
            color=alt.Color(
                "event_label:N",
                title=text["event_type"],
                legend=_legend("top"),
                scale=alt.Scale(domain=domain, range=palette[: len(domain)]),
            ),
            order=alt.Order("event_rank:Q"),
            tooltip=[
                alt.Tooltip("hour:O", title=text["hour"]),
                alt.Tooltip("event_label:N", title=text["event_type"]),
                alt.Tooltip("city_name:N", title=text["city"]),
                alt.Tooltip("n:Q", title=text["records"]),
            ],
        )
        .properties(height=220, autosize=_autosize())
    )
    return chart.configure(locale=LOCALES[lang]) if lang in LOCALES else chart


def event_rows(events: pd.DataFrame, lang: str, lo: date, hi: date) -> pd.DataFrame:
    """The key events inside ``lo``..``hi``, numbered by date, each on a row of the strip.

    A marker goes on the first row where it keeps :data:`EVENT_MARKER_PX` (and 2 px) from
    the previous marker of that row when the plot is :data:`MIN_PLOT_WIDTH` pixels wide:
    at any wider plot no two markers touch.
    """
    inside = events[(events["date"] >= pd.Timestamp(lo)) & (events["date"] <= pd.Timestamp(hi))]
    out = inside.sort_values("date", kind="stable").reset_index(drop=True)
    out["label"] = named_column(out, "label", lang)
    out["date_text"] = out["date"].dt.strftime("%Y-%m-%d")
    out["day_label"] = [_day_label(d, lang) for d in out["date"]]
    out["number"] = [str(i + 1) for i in range(len(out))]
    span = ((hi + timedelta(days=1)) - lo).days * 86400.0  # the x domain, in seconds
    gap = span * (EVENT_MARKER_PX + 2) / MIN_PLOT_WIDTH
    last: list[float] = []  # the last marker's time on each row
    rows = []
    for t in (out["date"] - pd.Timestamp(lo)).dt.total_seconds():
        row = next((i for i, seen in enumerate(last) if t - seen >= gap), len(last))
        if row == len(last):
            last.append(t)
        last[row] = t
        rows.append(row)
    out["row"] = rows
    out["date"] = _utc_text(out["date"])
    keep = ["date", "date_text", "day_label", "number", "label", "notes", "source_urls", "row"]
    for col in keep:
        if col not in out.columns:
            out[col] = ""
    return out[keep]


# --------------------------------------------------------------------------- helpers


def _texts(lang: str, labels: dict | None) -> dict[str, str]:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {list(LANGUAGES)}")
    unknown = sorted(set(labels or {}) - set(TEXT_KEYS))
    if unknown:
        raise ValueError(f"unknown label key(s) {', '.join(unknown)}; known: {', '.join(sorted(TEXT_KEYS))}")
    return {key: word(key, lang) for key in TEXT_KEYS} | dict(labels or {})


def _window(daily, national, events) -> tuple[date, date]:
    days = []
    if len(daily):
        days += [daily["day"].min(), daily["day"].max()]
    elif len(national):
        days += [national["period_start"].min(), national["period_end"].max()]
    elif len(events):
        days += [events["date"].min(), events["date"].max()]
    if not days:
        today = date.today()
        return today, today
    return pd.Timestamp(min(days)).date(), pd.Timestamp(max(days)).date()


def _utc_day(day: date) -> alt.DateTime:
    # (a bare number in a temporal domain compiles to datetime(number): a year, not a time)
    return alt.DateTime(year=day.year, month=day.month, date=day.day, utc=True)


def _utc_text(values: pd.Series) -> list[str]:
    """Timestamps as ISO text with an explicit Z, so that Vega reads them as UTC."""
    return [v.strftime("%Y-%m-%dT%H:%M:%SZ") for v in pd.to_datetime(values)]


def _figure(low, high, lang: str, text: dict) -> str:
    """A day's or a total's figure as the rest of the app writes it (:func:`geo.words.range_text`)."""
    if pd.isna(high) and low == 0:
        return text["no_number"]
    return range_text(low, high, lang)


def _city_rows(daily: pd.DataFrame, legend: dict[str, str], lang: str, text: dict) -> pd.DataFrame:
    """The day/city rows with something to draw, with the fields the layers use."""
    shown = daily[(daily["detained_low"] > 0) | daily["open_ended"] | (daily["detained_high"].fillna(0) > 0)]
    out = shown.copy()
    out["x_pos"] = _utc_text(out["day"] + pd.to_timedelta([_CITY_HOUR.get(c, 12) for c in out["city_id"]], unit="h"))
    out["day_text"] = out["day"].dt.strftime("%Y-%m-%d")
    out["city_name"] = [city_display_name(c, d.date(), lang) for c, d in zip(out["city_id"], out["day"])]
    out["city_label"] = out["city_id"].map(legend)
    out["figure"] = [_figure(lo_, hi_, lang, text) for lo_, hi_ in zip(out["detained_low"], out["detained_high"])]
    out["detained_low"] = out["detained_low"].astype("int64")
    out["detained_high"] = out["detained_high"].astype("float64")  # NaN where open-ended
    keep = [
        "x_pos",
        "day_text",
        "city_id",
        "city_name",
        "city_label",
        "detained_low",
        "detained_high",
        "open_ended",
        "figure",
        "basis",
        "high_basis",
        "uncounted",
        "spanning",
    ]
    return out[keep].reset_index(drop=True)


def _legend_names(daily: pd.DataFrame, lang: str, lo: date, hi: date) -> dict[str, str]:
    """city_id -> the city's name(s) over the window ("Nur-Sultan / Astana" across a rename)."""
    cities = [c for c in CITY_COLORS if len(daily) == 0 or c in set(daily["city_id"])]
    return {city: city_name_over(city, lo, hi, lang) for city in cities}


def _national_rows(national: pd.DataFrame, lang: str, text: dict) -> pd.DataFrame:
    out = national.copy()
    out["period_from"] = _utc_text(out["period_start"])
    out["period_to"] = _utc_text(out["period_end"] + pd.Timedelta(days=1))
    out["point_at"] = _utc_text(out["period_end"] + pd.Timedelta(hours=12))
    out["period_text"] = [
        s.strftime("%Y-%m-%d") if s == e else f"{s:%Y-%m-%d} – {e:%Y-%m-%d}"
        for s, e in zip(out["period_start"], out["period_end"])
    ]
    out["statement_text"] = out["statement_date"].dt.strftime("%Y-%m-%d")
    out["figure"] = [_figure(lo, hi, lang, text) for lo, hi in zip(out["detained_low"], out["detained_high"])]
    out["bound"] = [text["bound_open"] if pd.isna(h) else text["bound_closed"] for h in out["detained_high"]]
    out["detained_low"] = out["detained_low"].astype("int64")
    out["detained_high"] = out["detained_high"].astype("float64")
    keep = [
        "record_id",
        "period_from",
        "period_to",
        "point_at",
        "period_text",
        "statement_text",
        "detained_low",
        "detained_high",
        "figure",
        "bound",
        "source_names",
        "summary",
    ]
    return out[[c for c in keep if c in out.columns]].reset_index(drop=True)


def _event_list(evs: pd.DataFrame, text: dict) -> pd.DataFrame:
    """The list under the chart: the number, then "09 Jun 2019  label" in wrapped lines beside it."""
    rows: list[dict] = []
    for number, day, label in zip(evs["number"], evs["day_label"], evs["label"]):
        wrapped = textwrap.wrap(f"{day}  {label}", _LIST_CHARS, break_on_hyphens=False) or [day]
        for i, part in enumerate(wrapped):
            rows.append({"number": f"{number}." if i == 0 else "", "text": part, "label": label})
    if not rows:
        rows.append({"number": "", "text": text["no_events"], "label": ""})
    out = pd.DataFrame(rows)
    out["line"] = range(len(out))
    return out


def _day_label(day, lang: str) -> str:
    """``09 Jun 2019`` in the chosen language (the date axis's format)."""
    day = pd.Timestamp(day)
    if lang in LOCALES:
        return f"{day.day:02d} {_MONTHS[lang][1].split()[day.month - 1]} {day.year}"
    return day.strftime("%d %b %Y")


def _legend(orient: Literal["top", "bottom"]) -> alt.Legend:
    """A legend of one entry a line, its labels small and never cut short (Vega cuts at 160 px by default)."""
    return alt.Legend(
        orient=orient,
        direction="vertical",
        labelFontSize=12,
        titleFontSize=12,
        labelLimit=320,
        titleLimit=320,
        symbolStrokeWidth=2,
    )


def _autosize() -> alt.AutoSizeParams:
    """:data:`AUTOSIZE`: the whole chart fits the width it is given (Streamlit's column, or ``width``)."""
    return alt.AutoSizeParams(type="fit-x", contains="padding")  # == AUTOSIZE (the tests compare)


def _title(text: str, *, chars: int = _TITLE_CHARS, size: int = 13) -> alt.TitleParams:
    """A title in short lines, flush left: a long one is never cut at a phone's width."""
    lines = textwrap.wrap(text, chars) or [text]
    return alt.TitleParams(text=lines if len(lines) > 1 else lines[0], anchor="start", fontSize=size)


def _city_names_since_2019(city_id: str, lang: str) -> str:
    """The city's names over the project's period (hours have no date): "Nur-Sultan / Astana"."""
    if city_id not in CITY_COLORS:
        return city_id
    return city_name_over(city_id, date(2019, 6, 9), date.max, lang)


def _tick_interval(lo: date, hi: date) -> dict:
    """One tick per day (or per month, per year) so that no day label repeats."""
    days = (hi - lo).days + 1
    if days <= 45:
        return {"interval": "day", "step": max(1, days // 12)}
    if days <= 700:
        return {"interval": "month", "step": max(1, days // 360)}
    return {"interval": "year", "step": 1}
