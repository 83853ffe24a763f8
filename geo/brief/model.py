"""A briefing pack's content: everything the HTML, PDF and PNG exports show, computed once.

:func:`build_briefing` takes the joined records (the same frame the dashboard
caches) and the view's :class:`~geo.filters.Filters`, and computes the figures
through the same functions the pages call (:func:`geo.filters.filter_records`,
:func:`geo.aggregate.detained_range`, :func:`geo.districts.district_table`,
:mod:`geo.series`), with the same inputs, so a pack shows the numbers the app
shows for the same filters.  The renderers (:mod:`geo.brief.html`,
:mod:`geo.brief.pdf`, :mod:`geo.brief.png`, :mod:`geo.maps.static`) only lay this
out; this module never imports them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from urllib.parse import urlencode, urlsplit

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
        link = self.app_link.replace(f"/{self.page}", "/sources", 1)
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
        sources=source_list(records, events, filters.lang),
        boundaries=boundaries,
        attributions=list(dict.fromkeys(a for a in attributions if a)),
        page=page,
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


def source_list(records: pd.DataFrame, events: pd.DataFrame | None = None, lang: str = "en") -> list[SourceRef]:
    """Every source URL the records (then the key events) cite, in first-cited order, with who cites it.

    A key event is named ``key event YYYY-MM-DD`` (in ``lang``), so the timeline's labels are traceable too.
    """
    ids: dict[str, dict[str, None]] = {}  # url -> record ids (ordered sets: a URL may be cited 100,000 times)
    names: dict[str, dict[str, None]] = {}
    for rid, urls, named in zip(records["record_id"], records["source_urls"], records["source_names"]):
        parts = [n.strip() for n in str(named).split(";") if n.strip()]
        for url in str(urls).split():
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
