"""A briefing pack's content: everything the HTML, PDF and PNG exports show, computed once.

:func:`build_briefing` takes the joined records (the same frame the dashboard
caches) and the view's :class:`~geo.filters.Filters`, and computes the figures
through the same functions the pages call (:func:`geo.filters.filter_records`,
:func:`geo.aggregate.detained_range`, :func:`geo.districts.district_table`,
:mod:`geo.series`), with the same inputs, so a pack shows the numbers the app
shows for the same filters.

A view of up to :data:`LIST_ALL_UP_TO` records is listed record by record.  A larger
one is summarised (:class:`Summary`): the same figures, district tables and timeline,
computed from every record, then the places with the most records and the most
detained, the key records (:func:`key_records`) with their sources, and how many
records are not listed and where the whole list is.  The renderers (:mod:`geo.brief.html`,
:mod:`geo.brief.pdf`, :mod:`geo.brief.png`, :mod:`geo.maps.static`) only lay this
out; this module never imports them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from urllib.parse import urlencode, urlsplit

import numpy as np
import pandas as pd

from geo import schema
from geo.aggregate import Area, Reconciliation, detained_range
from geo.boundaries import BoundarySet, city_display_name
from geo.errors import ProtestMapError
from geo.filters import Filters, filter_records
from geo.words import number, word

#: Where the app is reached when nothing else is known (``streamlit run`` on this machine).
DEFAULT_APP_URL = "http://localhost:8501"
CITIES = ("almaty", "astana")

#: A view of up to this many records lists every one of them; past it the pack is a
#: :class:`Summary` (figures, top places, key records, and where the whole list is).
LIST_ALL_UP_TO = 300
#: A summary ranks this many places by records, and as many by detained.
TOP_PLACES = 20
#: A summary lists at most this many key records (and as many disputed figures and figures considered).
KEY_RECORDS = 50
#: Of the key records, at most this many are picked for their detained figure before the
#: journalists' records; the places left after those go to the next largest figures.
KEY_BY_FIGURE = 25
#: The event types of records about journalists (a summary keeps them among its key records).
JOURNALIST_TYPES = ("journalist_detained", "journalist_assaulted")
#: How a summary says to write every record from the command line (``python -m geo join``).
FULL_LIST_COMMAND = "python -m geo join FILE --out records.csv"


@dataclass
class CityPart:
    """One city of the view: its figure, district table and records."""

    city_id: str
    name: str
    figure: Reconciliation
    #: :func:`geo.districts.district_table` (``None`` without boundaries).
    districts: pd.DataFrame | None
    #: The view's records of this city (no national ones), joined.
    records: pd.DataFrame
    #: The day whose district layer is shown (the window's last day, as on the map page).
    layer_date: date

    @property
    def placed(self) -> pd.DataFrame:
        """Records drawn on the map (attribution ``district``)."""
        return self.records[self.records["attribution"] == "district"]

    @property
    def city_level(self) -> pd.DataFrame:
        """Records known only to city level (never pinned to a district)."""
        return self.records[self.records["attribution"] == "city"]


@dataclass
class SourceRef:
    """One source URL and the records that cite it."""

    url: str
    host: str
    record_ids: list[str]
    names: list[str]


@dataclass
class Place:
    """One place of a summarised view: the records that name it, and their reconciled figure."""

    city_id: str
    #: The place's names as its first record gives them (``place_name_en``, ``_ru``, ``_kk``).
    names: dict[str, str]
    records: int
    first: date
    last: date
    #: :func:`geo.aggregate.detained_range` of this place's records alone, over the view's window.
    figure: Reconciliation


@dataclass
class Summary:
    """What a pack of more than :data:`LIST_ALL_UP_TO` records shows instead of every record."""

    #: The view's record count (every figure of the pack is computed from all of them).
    total: int
    #: Places with the most records, then with the most detained (:data:`TOP_PLACES` each).
    by_records: list[Place]
    by_detained: list[Place]
    #: Records of the view that name no place (they are in the figures and district tables).
    unnamed: int
    #: :func:`key_records`, sorted by date.
    key: pd.DataFrame
    #: Distinct source URLs cited by the view's records (the pack lists those of the key records).
    source_total: int

    @property
    def unlisted(self) -> int:
        return self.total - len(self.key)


@dataclass
class Briefing:
    """What a briefing pack shows (see :func:`build_briefing`)."""

    filters: Filters
    generated_at: datetime
    data_version: str
    record_count: int
    app_link: str
    area: str
    headline: Reconciliation
    cities: list[CityPart]
    #: The view's records (national ones included), joined, sorted by date.
    records: pd.DataFrame
    daily: pd.DataFrame
    national: pd.DataFrame
    events: pd.DataFrame
    discrepancies: pd.DataFrame
    sources: list[SourceRef]
    boundaries: BoundarySet | None = None
    attributions: list[str] = field(default_factory=list)
    #: The app page the link back opens.
    page: str = "map"
    #: Images already drawn for this pack (the PDF and the PNG share the timeline).
    drawn: dict = field(default_factory=dict, repr=False, compare=False)
    #: Past :data:`LIST_ALL_UP_TO` records: what the pack lists instead of every record.
    summary: Summary | None = None

    @property
    def listed(self) -> pd.DataFrame:
        """The records the pack lists one by one: every record of the view, or a summary's key records."""
        return self.records if self.summary is None else self.summary.key

    def list_cap(self, cap: int) -> int:
        """How many disputed figures and figures considered a list shows: ``cap``, or fewer in a summary."""
        return cap if self.summary is None else min(cap, KEY_RECORDS)

    @property
    def csv_link(self) -> str:
        """The app's Sources page for this view (its CSV download holds every record)."""
        return self.app_link.replace(f"/{self.page}", "/sources", 1)

    def summary_note(self) -> str:
        """What a summary says about the records it does not list, and where they all are ("" when not one)."""
        if self.summary is None:
            return ""
        return self.t(
            "summary_unlisted",
            total=number(self.summary.total, self.lang),
            limit=number(LIST_ALL_UP_TO, self.lang),
            shown=number(len(self.summary.key), self.lang),
            n=number(self.summary.unlisted, self.lang),
            link=self.csv_link,
            command=FULL_LIST_COMMAND,
        )

    @property
    def lang(self) -> str:
        return self.filters.lang

    def t(self, key: str, **values) -> str:
        return word(key, self.lang, **values)

    @property
    def area_name(self) -> str:
        if self.area == "national":
            return word("national", self.lang)
        return city_display_name(self.area, self.filters.end, self.lang)

    @property
    def title(self) -> str:
        f = self.filters
        return f"{word('brief_title', self.lang)}: {self.area_name}, {f.start.isoformat()} – {f.end.isoformat()}"

    def cap_note(self, shown: int, total: int, what: str) -> str:
        """What a list cut to ``shown`` of ``total`` entries says (``""`` when nothing was cut).

        ``what`` is ``records``, ``sources``, ``discrepancies`` or ``alternatives``.
        """
        if shown >= total:
            return ""
        link = self.csv_link
        return self.t(
            "list_capped",
            shown=number(shown, self.lang),
            total=number(total, self.lang),
            what=self.t(f"what_{what}"),
            link=link,
        )

    def filter_lines(self) -> list[tuple[str, str]]:
        """(what, value) pairs describing the filters, for the pack's header."""
        f = self.filters
        default = Filters()
        types = (
            word("all", self.lang)
            if set(f.event_types) == set(default.event_types)
            else ", ".join(word(f"event_{k}", self.lang) for k in f.event_types)
        )
        precs = (
            word("all", self.lang)
            if set(f.precisions) == set(default.precisions)
            else ", ".join(str(p) for p in f.precisions)
        )
        return [
            (word("city", self.lang), self.area_name),
            (word("window", self.lang), f"{f.start.isoformat()} – {f.end.isoformat()}"),
            (word("event_types", self.lang), types),
            (word("precision", self.lang), precs),
            (word("datasets", self.lang), ", ".join(f.datasets)),
        ]

    def timeline_chart(self):
        """The Timeline page's chart for this view (:func:`geo.charts.timeline_chart`)."""
        from geo.charts import timeline_chart

        return timeline_chart(self.daily, self.national, self.events, lang=self.lang)

    def timeline_json(self) -> str:
        """The timeline chart's Vega-Lite spec as JSON (:func:`chart_spec`), made once per pack."""
        key = ("timeline", "json")
        if key not in self.drawn:
            self.drawn[key] = json.dumps(chart_spec(self.timeline_chart()))
        return self.drawn[key]


def build_briefing(
    joined: pd.DataFrame,
    filters: Filters,
    *,
    boundaries: BoundarySet | None = None,
    key_events: pd.DataFrame | None = None,
    app_url: str = DEFAULT_APP_URL,
    page: str = "map",
    now: datetime | None = None,
) -> Briefing:
    """Compute a briefing pack for ``filters`` from the joined records.

    Parameters
    ----------
    joined : pandas.DataFrame
        Every record of the chosen datasets, joined (:func:`geo.join.join_incidents`,
        or placed by stated city when there are no boundaries); the same frame the
        dashboard caches.
    filters : Filters
        The view (city, dates, event types, precisions, language, datasets).
    boundaries : BoundarySet, optional
        Without them the pack has figures by city but no district tables or maps.
    key_events : pandas.DataFrame, optional
        :func:`geo.series.load_key_events`; the embedded file when ``None``.
    app_url : str
        The app's address; the pack links back to ``<app_url>/<page>?<filters>``.
    now : datetime, optional
        The generated-at time (UTC now when ``None``).
    """
    from geo.districts import district_table
    from geo.series import daily_ranges, load_key_events, national_cumulative

    if filters.city not in ("all", *CITIES):
        raise ProtestMapError(f"unknown city {filters.city!r}; expected all, almaty or astana")
    start, end = filters.start, filters.end
    everywhere = filter_records(joined, filters.but(city="all"))  # as the pages' data.view
    area = "national" if filters.city == "all" else filters.city
    headline = detained_range(everywhere, area=area, start=start, end=end)

    cities = []
    for city_id in CITIES if filters.city == "all" else (filters.city,):
        figure = detained_range(everywhere, area=Area(city_id), start=start, end=end)
        table = None
        if boundaries is not None and boundaries.layer_for(city_id, end) is not None:
            table = district_table(everywhere, boundaries, city_id=city_id, start=start, end=end)
        cities.append(
            CityPart(
                city_id=city_id,
                name=city_display_name(city_id, end, filters.lang),
                figure=figure,
                districts=table,
                records=filter_records(joined, filters.but(city=city_id), include_national=False),
                layer_date=end,
            )
        )

    daily = daily_ranges(everywhere, start=start, end=end)
    if filters.city != "all":
        daily = daily[daily["city_id"] == filters.city]
    events = load_key_events() if key_events is None else key_events
    events = events[(events["date"] >= pd.Timestamp(start)) & (events["date"] <= pd.Timestamp(end))]

    records = filter_records(joined, filters).sort_values(["date", "record_id"], kind="stable")
    summary = None
    if len(records) > LIST_ALL_UP_TO:
        summary = summarise(records, start=start, end=end)
        sources = source_list(_key_first(records, summary.key), events, filters.lang, only=summary.key)
    else:
        sources = source_list(records, events, filters.lang)
    attributions: list[str] = []
    if boundaries is not None:
        for part in cities:
            attributions.extend(boundaries.attributions(part.city_id, part.layer_date))
    query = urlencode(filters.to_query())
    return Briefing(
        filters=filters,
        generated_at=(now or datetime.now(UTC)).replace(microsecond=0),
        data_version=data_version(joined),
        record_count=len(joined),
        app_link=f"{app_url.rstrip('/')}/{page}" + (f"?{query}" if query else ""),
        area=area,
        headline=headline,
        cities=cities,
        records=records,
        daily=daily,
        national=national_cumulative(everywhere, start=start, end=end),
        events=events,
        discrepancies=discrepancies(records),
        sources=sources,
        boundaries=boundaries,
        attributions=list(dict.fromkeys(a for a in attributions if a)),
        page=page,
        summary=summary,
    )


def data_version(records: pd.DataFrame) -> str:
    """A short fingerprint of the records' content (``sha256:`` and 12 hex digits).

    The same records give the same version whatever their order, so a pack can be
    matched to the data it was made from.
    """
    columns = [c for c in schema.COLUMNS if c in records.columns]
    plain = records[columns].sort_values("record_id", kind="stable")
    digest = hashlib.sha256(plain.to_csv(index=False).encode("utf-8")).hexdigest()
    return f"sha256:{digest[:12]}"


def discrepancies(records: pd.DataFrame) -> pd.DataFrame:
    """Records whose figure is disputed: given as a range, open-ended, or contested by another record.

    The Sources page and the packs list the same rows.
    """
    low, high = records["detained_low"], records["detained_high"]
    has_low = low.notna()
    ranged = has_low & (high.isna() | (high.fillna(-1) != low.fillna(-1)))
    contested = records["contested_by"] != ""
    return records[ranged | contested]


def source_list(
    records: pd.DataFrame,
    events: pd.DataFrame | None = None,
    lang: str = "en",
    *,
    only: pd.DataFrame | None = None,
) -> list[SourceRef]:
    """Every source URL the records (then the key events) cite, in first-cited order, with who cites it.

    A key event is named ``key event YYYY-MM-DD`` (in ``lang``), so the timeline's labels are traceable too.
    With ``only`` (some of the records: a summary's key records), just the URLs those cite, each
    with every record of ``records`` that cites it.
    """
    ids: dict[str, dict[str, None]] = {}  # url -> record ids (ordered sets: a URL may be cited 100,000 times)
    names: dict[str, dict[str, None]] = {}
    wanted = None if only is None else {u for cell in only["source_urls"] for u in str(cell).split()}
    for rid, urls, named in zip(records["record_id"], records["source_urls"], records["source_names"]):
        cited = str(urls).split()
        if wanted is not None:
            cited = [u for u in cited if u in wanted]
            if not cited:
                continue
        parts = [n.strip() for n in str(named).split(";") if n.strip()]
        for url in cited:
            ids.setdefault(url, {})[rid] = None
            names.setdefault(url, {}).update(dict.fromkeys(parts))
    if events is not None and "source_urls" in events.columns:
        for day, urls in zip(events["date"], events["source_urls"]):
            for url in str(urls if isinstance(urls, str) else "").split():
                ids.setdefault(url, {})[word("key_event_ref", lang, date=f"{pd.Timestamp(day):%Y-%m-%d}")] = None
                names.setdefault(url, {})
    return [
        SourceRef(url=url, host=urlsplit(url).hostname or "", record_ids=list(rids), names=list(names[url]))
        for url, rids in ids.items()
    ]


def web_url(url: str) -> bool:
    """Whether ``url`` may become a link in a pack: http or https with a host (never javascript:, file:...)."""
    try:
        parts = urlsplit(str(url).strip())
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


def some_ids(ids: list[str], limit: int, lang: str = "en") -> str:
    """The first ``limit`` record ids, then how many more (a URL may be cited by thousands)."""
    shown = ", ".join(ids[:limit])
    if len(ids) <= limit:
        return shown
    return f"{shown} {word('and_more', lang, n=number(len(ids) - limit, lang))}"


# --------------------------------------------------------------------------- summaries


def summarise(records: pd.DataFrame, *, start: date, end: date) -> Summary:
    """What a pack of many records lists: the top places, the key records, and the counts of the rest.

    ``records`` are the view's (sorted by date); ``start``/``end`` its window.
    """
    by_records, by_detained, unnamed = top_places(records, start=start, end=end)
    cells = pd.unique(records["source_urls"].fillna("").astype(str).to_numpy(dtype=object))  # few distinct cells
    return Summary(
        total=len(records),
        by_records=by_records,
        by_detained=by_detained,
        unnamed=unnamed,
        key=key_records(records),
        source_total=len({url for cell in cells for url in cell.split()}),
    )


def top_places(
    records: pd.DataFrame, *, start: date, end: date, n: int = TOP_PLACES
) -> tuple[list[Place], list[Place], int]:
    """The ``n`` places with the most records and the ``n`` with the most detained, and the records naming none.

    A place is a city's place as its records name it (``place_name_en``, else ``_ru``, else
    ``_kk``; letter case and spaces at the ends aside).  Its figure is
    :func:`geo.aggregate.detained_range` of its records alone over the window: the rules of
    every figure of the pack, so overlapping reports of one place are never added twice.
    The most detained are the largest floors (then high ends, then records); a floor is never
    more than the sum of the place's lows, so only the places whose sum could still rank are
    reconciled.  Places with a floor of 0 are not ranked by detained.
    """
    key = _place_keys(records)
    named_rows = key != ""
    unnamed = int((~named_rows).sum())
    if not named_rows.any():
        return [], [], unnamed
    frame = records.loc[named_rows]
    city = frame["city_id"].fillna("").astype(str) if "city_id" in frame.columns else frame["city"].astype(str)
    groups = pd.DataFrame(
        {
            "city_id": city.to_numpy(dtype=object),
            "key": key[named_rows].to_numpy(dtype=object),
            "low": pd.to_numeric(frame["detained_low"], errors="coerce").fillna(0).to_numpy(dtype=float),
            "row": range(len(frame)),
        }
    ).groupby(["city_id", "key"], sort=True)
    size = groups.size()
    bound = groups["low"].sum()
    rows = groups["row"].agg(list)
    figures: dict[tuple[str, str], Reconciliation] = {}

    def place(name: tuple[str, str]) -> Place:
        if name not in figures:
            figures[name] = _place_figure(frame.iloc[rows[name]], name[0], start, end)
        part = frame.iloc[rows[name]]
        first = part.iloc[0]
        return Place(
            city_id=name[0],
            names={c: str(first.get(c, "") or "") for c in ("place_name_en", "place_name_ru", "place_name_kk")},
            records=int(size[name]),
            first=part["date"].min().date(),
            last=part["date"].max().date(),
            figure=figures[name],
        )

    order = sorted(size.index, key=lambda name: (-int(size[name]), name))
    by_records = [place(name) for name in order[:n]]

    # the largest floors: reconcile in order of the bound until no bound left could still rank
    candidates = sorted((name for name in bound.index if bound[name] > 0), key=lambda name: (-bound[name], name))
    ranked: list[tuple[tuple, tuple[str, str]]] = []
    for name in candidates:
        if len(ranked) >= n and bound[name] < -ranked[n - 1][0][0]:
            break
        if name not in figures:
            figures[name] = _place_figure(frame.iloc[rows[name]], name[0], start, end)
        figure = figures[name]
        if figure.detained_low <= 0:
            continue
        high = float("inf") if figure.detained_high is None else figure.detained_high
        ranked.append(((-figure.detained_low, -high, -int(size[name])), name))
        ranked.sort()
    by_detained = [place(name) for _, name in ranked[:n]]
    return by_records, by_detained, unnamed


def key_records(records: pd.DataFrame, cap: int = KEY_RECORDS) -> pd.DataFrame:
    """The records a summary lists (at most ``cap``), sorted by date.

    The first and the last record of the view; the :data:`KEY_BY_FIGURE` with the largest
    detained figure (the high end, else the floor); the records about journalists
    (:data:`JOURNALIST_TYPES`), the first ones first; then the next largest figures.
    """
    if len(records) <= cap:
        return records
    order = records.sort_values(["date", "record_id"], kind="stable")
    picked: dict[int, None] = {}

    def take(positions, limit: int) -> None:
        for position in positions:
            if len(picked) >= limit:
                return
            picked.setdefault(int(position), None)

    take([0, len(order) - 1], cap)
    high = pd.to_numeric(order["detained_high"], errors="coerce")
    low = pd.to_numeric(order["detained_low"], errors="coerce")
    figure = high.fillna(low).fillna(0).to_numpy(dtype=float)
    counted = np.flatnonzero(figure > 0)
    by_figure = counted[np.argsort(-figure[counted], kind="stable")]  # ties: by date, as the view is sorted
    take(by_figure, min(cap, len(picked) + KEY_BY_FIGURE))
    journalists = np.flatnonzero(order["event_type"].isin(JOURNALIST_TYPES).to_numpy(dtype=bool))
    take(journalists, cap)
    take(by_figure, cap)
    return order.iloc[sorted(picked)]


def _place_keys(records: pd.DataFrame) -> pd.Series:
    """The name a record gives its place (English, else Russian, else Kazakh), case-folded; "" for none."""
    out = pd.Series("", index=records.index, dtype=object)
    for column in ("place_name_kk", "place_name_ru", "place_name_en"):
        if column in records.columns:
            values = records[column].fillna("").astype(str).str.strip().str.casefold()
            out = values.where(values != "", out)
    return out


def _place_figure(records: pd.DataFrame, city_id: str, start: date, end: date) -> Reconciliation:
    area: Area | str = Area(city_id) if city_id in CITIES else "national"
    return detained_range(records, area=area, start=start, end=end, breakdown=False)


def _key_first(records: pd.DataFrame, key: pd.DataFrame) -> pd.DataFrame:
    """``records`` with the ``key`` ones first (so a source's citing records name them first)."""
    chosen = records.index.isin(key.index)
    return pd.concat([records[chosen], records[~chosen]])


def chart_spec(chart) -> dict:
    """An Altair chart's Vega-Lite spec, its data frames as top-level datasets, at any length.

    What ``chart.to_dict()`` gives, but Altair refuses a frame of more than 5,000 rows (a
    timeline of years has a row per city and day), and its switch for that is global state
    while the app renders in threads.  So each frame is converted here as Altair converts
    it (:func:`altair.to_values`), named as Altair names it (a hash of its values), and the
    chart, validated, refers to it by name.  The chart is changed in place.
    """
    import altair as alt

    datasets: dict[str, object] = {}

    def walk(node) -> None:
        data = getattr(node, "data", alt.Undefined)
        if isinstance(data, pd.DataFrame):
            values = alt.to_values(data)["values"]
            name = _dataset_name(values)
            datasets[name] = values
            node.data = alt.NamedData(name=name)
        for attr in ("layer", "vconcat", "hconcat", "concat"):
            children = getattr(node, attr, alt.Undefined)
            if isinstance(children, list):
                for child in children:
                    walk(child)
        spec = getattr(node, "spec", alt.Undefined)
        if isinstance(spec, alt.SchemaBase):
            walk(spec)

    walk(chart)
    spec = chart.to_dict()
    if datasets:
        spec.setdefault("datasets", {}).update(datasets)
    return spec


def _dataset_name(values: object) -> str:
    """Altair's name for inline values (``altair.vegalite.v6.api._dataset_name``): a hash of their JSON."""
    if values == [{}]:
        return "empty"
    text = json.dumps(values, sort_keys=True, default=str)
    return "data-" + hashlib.sha256(text.encode()).hexdigest()[:32]
