"""A briefing pack's content: everything the HTML, PDF and PNG exports show, computed once.

:func:`build_briefing` takes the joined records (the same frame the dashboard
caches) and the view's :class:`~geo.filters.Filters`, and computes the figures
through the same functions the pages call (:func:`geo.filters.filter_records`,
:func:`geo.aggregate.detained_range`, :func:`geo.districts.district_table`,
:mod:`geo.series`), with the same inputs, so a pack shows the numbers the app
shows for the same filters.  The renderers (:mod:`geo.brief_html`,
:mod:`geo.brief_pdf`, :mod:`geo.staticmap`) only lay this out.

:func:`write_brief` picks the format from the output file's extension.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pandas as pd

from geo import schema
from geo.aggregate import Area, Reconciliation, detained_range
from geo.boundaries import BoundarySet, city_display_name
from geo.errors import ProtestMapError
from geo.filters import Filters, filter_records

#: Where the app is reached when nothing else is known (``streamlit run`` on this machine).
DEFAULT_APP_URL = "http://localhost:8501"
FORMATS = ("html", "pdf", "png")
#: The map PNG is for slides: 16:9, 2,000 × 1,125 pixels.
SLIDE_SIZE_IN = (40 / 3, 7.5)
SLIDE_DPI = 150
CITIES = ("almaty", "astana")

#: The pack's own words; Kazakh falls back to Russian, then English (as the app does).
LABELS: dict[str, dict[str, str]] = {
    "title": {"en": "Protest incidents and detentions", "ru": "Протесты и задержания",
              "kk": "Наразылықтар мен ұстаулар"},
    "subtitle": {"en": "Briefing pack", "ru": "Информационная справка", "kk": "Ақпараттық анықтама"},
    "national": {"en": "Kazakhstan, whole country", "ru": "Казахстан, вся страна", "kk": "Қазақстан, бүкіл ел"},
    "both_cities": {"en": "Almaty and Nur-Sultan (Astana)", "ru": "Алматы и Нур-Султан (Астана)"},
    "window": {"en": "Dates", "ru": "Даты", "kk": "Күндер"},
    "filters": {"en": "Filters used", "ru": "Использованные фильтры", "kk": "Қолданылған сүзгілер"},
    "event_types": {"en": "Event types", "ru": "Типы событий"},
    "precision": {"en": "Place known to (precision)", "ru": "Точность места"},
    "datasets": {"en": "Datasets", "ru": "Наборы данных"},
    "generated": {"en": "Generated", "ru": "Создано", "kk": "Жасалды"},
    "data_version": {"en": "Data version", "ru": "Версия данных"},
    "open_in_app": {"en": "Open this view in the app", "ru": "Открыть этот вид в приложении"},
    "key_figures": {"en": "Key figures", "ru": "Основные цифры", "kk": "Негізгі сандар"},
    "detained": {"en": "Detained", "ru": "Задержано", "kk": "Ұсталды"},
    "range_note": {
        "en": "Ranges: the lowest defensible number, then the highest reported; overlapping "
              "reports are never added twice.",
        "ru": "Диапазон: минимально обоснованное число и наибольшее сообщённое; "
              "пересекающиеся сообщения не суммируются дважды.",
    },
    "basis": {"en": "Rests on", "ru": "Основано на", "kk": "Негізі"},
    "high_basis": {"en": "High end from", "ru": "Верхняя оценка из"},
    "alternatives": {"en": "Figures considered and not used for the floor",
                     "ru": "Рассмотренные, но не использованные для нижней оценки цифры"},
    "reason": {"en": "Why not", "ru": "Почему нет"},
    "incidents": {"en": "Incidents", "ru": "Инциденты"},
    "incidents_mapped": {"en": "placed in a district", "ru": "с районом"},
    "incidents_city_level": {"en": "known only to city level", "ru": "известны только до уровня города"},
    "map": {"en": "Map", "ru": "Карта", "kk": "Карта"},
    "timeline": {"en": "Timeline", "ru": "Хронология", "kk": "Хронология"},
    "districts": {"en": "Districts", "ru": "Районы", "kk": "Аудандар"},
    "district": {"en": "District", "ru": "Район", "kk": "Аудан"},
    "area_km2": {"en": "Area, km²", "ru": "Площадь, км²"},
    "districts_on": {"en": "districts in force on {date}", "ru": "районы на {date}"},
    "discrepancies": {"en": "Where sources disagree", "ru": "Где источники расходятся"},
    "no_discrepancies": {"en": "No figure in this view is disputed or given as a range.",
                         "ru": "В этом виде нет спорных цифр и диапазонов."},
    "contested_by": {"en": "Contested by", "ru": "Оспаривается"},
    "record": {"en": "Record", "ru": "Запись", "kk": "Жазба"},
    "date": {"en": "Date", "ru": "Дата", "kk": "Күні"},
    "city": {"en": "City", "ru": "Город", "kk": "Қала"},
    "place": {"en": "Place", "ru": "Место", "kk": "Орны"},
    "event": {"en": "Event", "ru": "Событие", "kk": "Оқиға"},
    "summary": {"en": "Summary", "ru": "Краткое описание"},
    "notes": {"en": "Notes", "ru": "Примечания"},
    "sources": {"en": "Sources", "ru": "Источники", "kk": "Дереккөздер"},
    "cited_by": {"en": "cited by", "ru": "цитируется в"},
    "incident_list": {"en": "Incidents and statements in this view", "ru": "Инциденты и заявления в этом виде"},
    "key_events": {"en": "Key events", "ru": "Ключевые события"},
    "key_event_ref": {"en": "key event {date}", "ru": "ключевое событие {date}"},
    "no_boundaries": {"en": "District boundaries are not configured: figures by city only.",
                      "ru": "Границы районов не настроены: только данные по городам."},
    "attribution": {"en": "Boundaries", "ru": "Границы", "kk": "Шекаралар"},
    "page": {"en": "Page {n} of {total}", "ru": "Страница {n} из {total}", "kk": "{n}-бет, барлығы {total}"},
    "at_least": {"en": "at least {n}", "ru": "не менее {n}", "kk": "кемінде {n}"},
    "national_remainder": {"en": "national figure not split by city", "ru": "по стране, без разбивки по городам"},
    "city_level_remainder": {"en": "city level, no district", "ru": "уровень города, без района"},
    "none": {"en": "none", "ru": "нет", "kk": "жоқ"},
    "list_capped": {
        "en": "Listed here: the first {shown} of {total} {what}. Every one is in the CSV download of the "
              "app's Sources page for this view: {link}",
        "ru": "Здесь первые {shown} из {total} ({what}). Все есть в CSV-выгрузке страницы «Источники» "
              "этого вида: {link}",
    },
    "what_records": {"en": "records", "ru": "записи"},
    "what_sources": {"en": "sources", "ru": "источники"},
    "what_discrepancies": {"en": "disputed figures", "ru": "спорные цифры"},
    "what_alternatives": {"en": "figures considered", "ru": "рассмотренные цифры"},
    "and_more": {"en": "and {n} more", "ru": "и ещё {n}"},
    "all": {"en": "all", "ru": "все", "kk": "барлығы"},
    # the HTML and PDF packs' own words
    "app_version": {"en": "protest-map version", "ru": "Версия protest-map"},
    "record_count": {"en": "Records in the data", "ru": "Записей в данных"},
    "by_city": {"en": "By city", "ru": "По городам"},
    "map_of": {"en": "Map: {city}", "ru": "Карта: {city}"},
    "figure": {"en": "Figure", "ru": "Цифра"},
    "alternatives_above": {
        "en": "The figures the headline considered and did not use for its floor, and why, are listed under Key figures.",
        "ru": "Цифры, рассмотренные для основной оценки и не использованные для нижней границы, с причинами, приведены в разделе «Основные цифры».",
    },
    "no_alternatives": {"en": "No other figure was considered.", "ru": "Другие цифры не рассматривались."},
    "no_records": {"en": "No incident or statement in this view.", "ru": "В этом виде нет инцидентов и заявлений."},
    "no_events": {"en": "No key event in these dates.", "ru": "В эти даты нет ключевых событий."},
    "no_sources": {"en": "No source is cited in this view.", "ru": "В этом виде нет источников."},
    "address": {"en": "Address", "ru": "Адрес"},
    "host": {"en": "Site", "ru": "Сайт"},
    "named_as": {"en": "Outlets the citing records name", "ru": "Издания, названные в цитирующих записях"},
    "not_a_link": {"en": "not a web address, not linked", "ru": "не веб-адрес, без ссылки"},
    "chart_failed": {"en": "The timeline chart could not be drawn:", "ru": "Не удалось построить график:"},
    "chart_needs_js": {"en": "The timeline chart needs JavaScript.", "ru": "Для графика нужен JavaScript."},
    "chart_actions": {"en": "Save the chart", "ru": "Сохранить график"},
    "save_png": {"en": "Save as PNG", "ru": "Сохранить как PNG"},
    "save_svg": {"en": "Save as SVG", "ru": "Сохранить как SVG"},
    "offline_note": {
        "en": "This file works offline: it loads nothing from the network.",
        "ru": "Этот файл работает без сети: он ничего не загружает из интернета.",
    },
    "generated_utc": {"en": "Generated (UTC)", "ru": "Создано (UTC)"},
    "records_total": {"en": "{version}, {n} records in the data", "ru": "{version}, записей в данных: {n}"},
    "detained_in": {"en": "Detained, {area}", "ru": "Задержано, {area}"},
    "records_in_view": {"en": "Records in view", "ru": "Записей в виде"},
    "map_caption": {"en": "{city}: {districts}.", "ru": "{city}: {districts}."},
    "timeline_caption": {
        "en": "Detained per day by city (lowest defensible to highest reported) and the official national totals, each over its own period, {start} – {end}.",
        "ru": "Задержано за день по городам (от минимально обоснованного до наибольшего сообщённого) и официальные общенациональные цифры, каждая за свой период, {start} – {end}.",
    },
    "national_short": {"en": "national", "ru": "по стране"},
    "no_districts": {
        "en": "No district layer is in force for {city} on {date}.",
        "ru": "Для {city} на {date} нет действующего слоя районов.",
    },
}
for _kind in schema.EVENT_TYPES:
    LABELS.setdefault(f"event_{_kind}", {"en": _kind.replace("_", " ")})
LABELS["event_rally"] |= {"ru": "митинг", "kk": "митинг"}
LABELS["event_detention"] |= {"ru": "задержание"}
LABELS["event_police_violence"] |= {"ru": "насилие полиции"}
LABELS["event_journalist_detained"] |= {"ru": "задержан журналист"}
LABELS["event_journalist_assaulted"] |= {"ru": "нападение на журналиста"}
LABELS["event_official_statement"] |= {"ru": "официальное заявление"}


def label(key: str, lang: str = "en", **values) -> str:
    """The pack's word for ``key`` in ``lang`` (Kazakh falls back to Russian, then English)."""
    entry = LABELS[key]
    text = entry.get(lang) or (entry.get("ru") if lang == "kk" else None) or entry["en"]
    return text.format(**values) if values else text


def number(n: int, lang: str = "en") -> str:
    """``4,000`` in English, ``4 000`` (narrow no-break space) in Russian and Kazakh."""
    text = f"{int(n):,}"
    return text if lang == "en" else text.replace(",", "\u202f")


def range_text(low, high, lang: str = "en") -> str:
    """A count as people write it: ``''``, ``700``, ``30–100`` or ``at least 100``."""
    if low is None or pd.isna(low):
        return ""
    if high is None or pd.isna(high):
        return label("at_least", lang, n=number(low, lang))
    if int(high) == int(low):
        return number(low, lang)
    return f"{number(low, lang)}–{number(high, lang)}"


#: Column names that reasons mention, in Russian.
_FIELDS_RU = {"period_start": "начало периода", "period_end": "конец периода"}

#: geo.aggregate's reasons (English) as Russian: (pattern, replacement); Kazakh reads the Russian.
_REASONS_RU: list[tuple[re.Pattern, object]] = [
    (re.compile(r"contained in (?P<a>.+?), which is counted"), r"входит в \g<a>, которая учтена"),
    (re.compile(r"contested by (?P<a>.+?): counts toward the high end only"),
     r"оспаривается записью \g<a>: учитывается только в верхней оценке"),
    (re.compile(r"its parts \((?P<a>.+?)\) add up to more; counted instead"),
     r"её части (\g<a>) в сумме больше; учтены они"),
    (re.compile(r"overlaps (?P<a>.+?), which give\(s\) the higher floor"),
     r"пересекается с \g<a>, что даёт более высокую нижнюю оценку"),
    (re.compile(r"not needed for the floor"), "не нужна для нижней оценки"),
    (re.compile(r"people held at one moment \(snapshot\), not a count of detentions"),
     "число удерживаемых в один момент (срез), а не число задержаний"),
    (re.compile(r"covers (?P<s>\S+?)\.\.(?P<e>\S+), which reaches beyond the window (?P<lo>\S+?)\.\.(?P<hi>\S+)"),
     r"охватывает \g<s>..\g<e>, что выходит за окно \g<lo>..\g<hi>"),
    (re.compile(r"national figure that no source splits by area: unallocated here"),
     "цифра по стране, которую ни один источник не разбивает по территории: здесь не распределена"),
    (re.compile(r"city-level figure that no source splits by area: unallocated here"),
     "цифра по городу, которую ни один источник не разбивает по районам: здесь не распределена"),
    (re.compile(r"count kind not given"), "тип подсчёта не указан"),
    (re.compile(r"counts part of those detained in its cell; what is counted there \((?P<a>.+?)\) gives more"),
     r"считает лишь часть задержанных в своей ячейке; учтённое там (\g<a>) даёт больше"),
    (re.compile(r"reported without a number"), "сообщено без числа"),
    (re.compile(r" \((?P<f>[a-z_, ]+) inferred\)"),
     lambda m: " (" + ", ".join(_FIELDS_RU.get(f.strip(), f.strip()) for f in m["f"].split(","))
     + ": выведено, источник этого не говорит)"),
    (re.compile(r"; the high end stays open"), "; верхняя оценка остаётся открытой"),
    (re.compile(r"; (?P<a>\S+) covers it"), r"; её покрывает \g<a>"),
    (re.compile(r"^inferred, not stated by a source: "), "выведено, источник этого не говорит: "),
    (re.compile(r"; used for the high end"), "; использована для верхней оценки"),
    (re.compile(r" and (?P<n>[\d,]+) more"), r" и ещё \g<n>"),
]


def reason_text(reason: str, lang: str = "en") -> str:
    """Why a figure was not used for the floor (:class:`geo.aggregate.Alternative`), in ``lang``.

    The reasons are written in English by :mod:`geo.aggregate`; Russian (and Kazakh,
    which reads Russian here) replace each known phrase, record ids untouched.  A phrase
    not known here stays in English rather than be guessed.
    """
    if lang == "en":
        return reason
    for pattern, replacement in _REASONS_RU:
        reason = pattern.sub(replacement, reason)
    return reason


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
        return label(key, self.lang, **values)

    @property
    def area_name(self) -> str:
        if self.area == "national":
            return label("national", self.lang)
        return city_display_name(self.area, self.filters.end, self.lang)

    @property
    def title(self) -> str:
        f = self.filters
        return f"{label('title', self.lang)}: {self.area_name}, {f.start.isoformat()} – {f.end.isoformat()}"

    def cap_note(self, shown: int, total: int, what: str) -> str:
        """What a list cut to ``shown`` of ``total`` entries says (``""`` when nothing was cut).

        ``what`` is ``records``, ``sources``, ``discrepancies`` or ``alternatives``.
        """
        if shown >= total:
            return ""
        link = self.app_link.replace(f"/{self.page}", "/sources", 1)
        return self.t("list_capped", shown=number(shown, self.lang), total=number(total, self.lang),
                      what=self.t(f"what_{what}"), link=link)

    def filter_lines(self) -> list[tuple[str, str]]:
        """(what, value) pairs describing the filters, for the pack's header."""
        f = self.filters
        default = Filters()
        types = (label("all", self.lang) if set(f.event_types) == set(default.event_types)
                 else ", ".join(label(f"event_{k}", self.lang) for k in f.event_types))
        precs = (label("all", self.lang) if set(f.precisions) == set(default.precisions)
                 else ", ".join(str(p) for p in f.precisions))
        return [
            (label("city", self.lang), self.area_name),
            (label("window", self.lang), f"{f.start.isoformat()} – {f.end.isoformat()}"),
            (label("event_types", self.lang), types),
            (label("precision", self.lang), precs),
            (label("datasets", self.lang), ", ".join(f.datasets)),
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
    for city_id in (CITIES if filters.city == "all" else (filters.city,)):
        figure = detained_range(everywhere, area=Area(city_id), start=start, end=end)
        table = None
        if boundaries is not None and boundaries.layer_for(city_id, end) is not None:
            table = district_table(everywhere, boundaries, city_id=city_id, start=start, end=end)
        cities.append(CityPart(
            city_id=city_id,
            name=city_display_name(city_id, end, filters.lang),
            figure=figure,
            districts=table,
            records=filter_records(joined, filters.but(city=city_id), include_national=False),
            layer_date=end,
        ))

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
        generated_at=(now or datetime.now(timezone.utc)).replace(microsecond=0),
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
                ids.setdefault(url, {})[label("key_event_ref", lang, date=f"{pd.Timestamp(day):%Y-%m-%d}")] = None
                names.setdefault(url, {})
    return [SourceRef(url=url, host=urlsplit(url).hostname or "", record_ids=list(rids), names=list(names[url]))
            for url, rids in ids.items()]


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
    return f"{shown} {label('and_more', lang, n=number(len(ids) - limit, lang))}"


def timeline_png(briefing: Briefing, *, scale: float = 2.0) -> bytes:
    """The timeline chart as PNG (rendered offline by vl-convert, the same chart as the app's)."""
    import vl_convert

    key = ("timeline", scale)
    if key not in briefing.drawn:
        briefing.drawn[key] = vl_convert.vegalite_to_png(briefing.timeline_chart().to_json(), scale=scale)
    return briefing.drawn[key]


def render(briefing: Briefing, fmt: str, *, chart: str = "map") -> bytes:
    """The pack in ``fmt`` (``html``, ``pdf`` or ``png``; a PNG is the ``map`` or the ``timeline``)."""
    if fmt == "html":
        from geo.brief_html import render_html

        return render_html(briefing).encode("utf-8")
    if fmt == "pdf":
        from geo.brief_pdf import render_pdf

        return render_pdf(briefing)
    if fmt == "png":
        if chart == "timeline":
            return timeline_png(briefing)
        if chart != "map":
            raise ProtestMapError(f"unknown chart {chart!r}; expected map or timeline")
        from geo.staticmap import map_png

        return map_png(briefing, size_in=SLIDE_SIZE_IN, dpi=SLIDE_DPI)
    raise ProtestMapError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def format_of(path: Path | str) -> str:
    """The format an output file's extension asks for."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ProtestMapError(
            f"{path}: cannot tell the format from the extension {Path(path).suffix or '(none)'!r}; "
            f"use .{', .'.join(FORMATS)}"
        )
    return suffix


def write_brief(briefing: Briefing, out: Path | str, *, chart: str = "map") -> Path:
    """Write the pack to ``out`` in the format its extension names; returns the path."""
    out = Path(out)
    data = render(briefing, format_of(out), chart=chart)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out
