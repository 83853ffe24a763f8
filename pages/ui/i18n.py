"""UI labels in English, Russian and (where we can do it well) Kazakh.

A label missing in Kazakh falls back to Russian, then English; place and
district names always come from the data in the chosen language.
"""

from __future__ import annotations

from geo.briefing import LABELS as BRIEF_LABELS

LABELS: dict[str, dict[str, str]] = {
    "app_title": {"en": "protest-map", "ru": "protest-map", "kk": "protest-map"},
    "overview": {"en": "Overview", "ru": "Обзор", "kk": "Шолу"},
    "filters": {"en": "Filters", "ru": "Фильтры", "kk": "Сүзгілер"},
    "all_cities": {"en": "Both cities and national", "ru": "Оба города и вся страна",
                   "kk": "Екі қала және бүкіл ел"},
    "dates": {"en": "Dates", "ru": "Даты", "kk": "Күндер"},
    "precision": {"en": "Place known to", "ru": "Точность места"},
    "language": {"en": "Language", "ru": "Язык", "kk": "Тіл"},
    "import": {"en": "Import", "ru": "Импорт", "kk": "Импорт"},
    "metric": {"en": "Shade districts by", "ru": "Закрасить районы по"},
    "metric_detained": {"en": "detentions", "ru": "задержаниям"},
    "metric_incidents": {"en": "incidents", "ru": "инцидентам"},
    "detained_national": {"en": "Detained, whole country", "ru": "Задержано по стране"},
    "journalists": {"en": "Journalists detained or assaulted", "ru": "Журналисты задержаны или избиты"},
    "rallies": {"en": "Rallies", "ru": "Митинги", "kk": "Митингілер"},
    "basis": {"en": "What this figure rests on", "ru": "На чём основана цифра"},
    "considered": {"en": "Figures considered and not used for the floor",
                   "ru": "Рассмотренные, но не использованные для нижней оценки цифры"},
    "key_dates": {"en": "Key dates", "ru": "Ключевые даты"},
    "records_shown": {"en": "records shown", "ru": "записей показано"},
    "city_level": {"en": "Known only to city level (not on the map)",
                   "ru": "Известно только до уровня города (не на карте)"},
    "clear_selection": {"en": "Show all records", "ru": "Показать все записи"},
    "day": {"en": "Day", "ru": "День", "kk": "Күн"},
    "all_days": {"en": "All days", "ru": "Все дни"},
    "no_boundaries": {"en": "District boundaries are not configured", "ru": "Границы районов не настроены"},
    "download_csv": {"en": "Download CSV", "ru": "Скачать CSV"},
    "download_geojson": {"en": "Download GeoJSON", "ru": "Скачать GeoJSON"},
    "share": {"en": "Copy the page address to share this exact view.",
              "ru": "Скопируйте адрес страницы, чтобы поделиться этим видом."},
    "hour_of_day": {"en": "Hour of day (where reported)", "ru": "Час дня (где известен)"},
    "prec_1": {"en": "1 named place", "ru": "1 названное место"},
    "prec_2": {"en": "2 part of a city", "ru": "2 часть города"},
    "prec_3": {"en": "3 city only", "ru": "3 только город"},
    "prec_4": {"en": "4 country only", "ru": "4 только страна"},
    "place": {"en": "Place", "ru": "Место", "kk": "Орын"},
    "event": {"en": "Event", "ru": "Событие"},
    "summary": {"en": "Summary", "ru": "Кратко"},
    "source": {"en": "Source", "ru": "Источник", "kk": "Дереккөз"},
    "source_names": {"en": "Reported by", "ru": "Кто сообщил"},
    "per_km2": {"en": "Detained per km²", "ru": "Задержано на км²"},
    "incidents_per_km2": {"en": "Incidents per km²", "ru": "Инцидентов на км²"},
    "detained_low": {"en": "Detained (at least)", "ru": "Задержано (не менее)"},
    "detained_high": {"en": "Detained (highest reported)", "ru": "Задержано (наибольшее)"},
    "reason": {"en": "Why not used", "ru": "Почему не использовано"},
    "briefing": {"en": "Briefing", "ru": "Справка", "kk": "Анықтама"},
    "brief_intro": {
        "en": "The current view as a pack for a briefing: an A4 PDF to print or mail, one HTML file "
              "whose map and charts work with no network, and PNGs of the map and the timeline for slides. "
              "The figures are the ones the app shows for these filters.",
        "ru": "Текущий вид как материалы для брифинга: PDF формата A4 для печати или почты, один HTML-файл, "
              "карта и графики в котором работают без сети, и PNG карты и хронологии для слайдов. "
              "Цифры те же, что приложение показывает для этих фильтров.",
    },
    "brief_prepare": {"en": "Prepare the briefing pack", "ru": "Подготовить справку"},
    "brief_stale": {"en": "The filters changed since the pack was prepared: prepare it again.",
                    "ru": "Фильтры изменились после подготовки: подготовьте справку заново."},
    "brief_ready": {"en": "Pack prepared", "ru": "Справка готова"},
    "brief_step_figures": {"en": "Reconciling the figures", "ru": "Сверка цифр"},
    "brief_step_map": {"en": "Drawing the map", "ru": "Рисование карты"},
    "brief_step_timeline": {"en": "Drawing the timeline", "ru": "Рисование хронологии"},
    "brief_step_pdf": {"en": "Laying out the PDF", "ru": "Вёрстка PDF"},
    "brief_step_html": {"en": "Writing the HTML file", "ru": "Запись HTML-файла"},
    "download_pdf": {"en": "Briefing PDF (A4)", "ru": "Справка PDF (A4)"},
    "download_html": {"en": "Briefing HTML (works offline)", "ru": "Справка HTML (работает без сети)"},
    "download_map_png": {"en": "Map as PNG", "ru": "Карта в PNG"},
    "download_timeline_png": {"en": "Timeline as PNG", "ru": "Хронология в PNG"},
    "no_boundaries_brief": {"en": "Without district boundaries the pack has figures by city, no maps.",
                            "ru": "Без границ районов в справке только цифры по городам, без карт."},
}

#: Words the pages share with the briefing packs, kept once in geo.briefing.
SHARED = (
    "area_km2", "city", "datasets", "date", "detained", "discrepancies", "district", "districts",
    "event_types", "incidents", "map", "notes", "range_note", "sources", "timeline",
    *(f"event_{kind}" for kind in ("rally", "detention", "police_violence", "journalist_detained",
                                   "journalist_assaulted", "official_statement")),
)
LABELS.update({key: BRIEF_LABELS[key] for key in SHARED})


def t(key: str, lang: str) -> str:
    """The label ``key`` in ``lang`` (Kazakh falls back to Russian, then English)."""
    entry = LABELS[key]
    if lang in entry:
        return entry[lang]
    if lang == "kk" and "ru" in entry:
        return entry["ru"]
    return entry["en"]


def city_label(city_id: str) -> str:
    """A city as the filters name it, whatever the date (the city was renamed twice)."""
    return {"almaty": "Almaty", "astana": "Nur-Sultan / Astana"}[city_id]
