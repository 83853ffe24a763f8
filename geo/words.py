"""Every word a user sees, in English, Russian and Kazakh, and the one way numbers are written.

The app's pages, the maps, the charts and the briefing packs all take their words
from :data:`WORDS`, each keyed once; :func:`word` looks one up.  A word missing in a
language falls back by one rule, in one place (:data:`FALLBACK`: Kazakh to Russian to
English), and ``tests/test_words.py`` lists every key that lacks a language (there are
none).  :func:`number` and :func:`range_text` are the only formatters of counts:
``4,000`` and ``at least 100`` in English, ``4 000`` and ``не менее 100`` in Russian,
``4 000`` and ``кемінде 100`` in Kazakh (thousands apart by a narrow no-break space).

Place and district names are data, not words: they come from the records and the
boundary files in each language (:func:`geo.boundaries.city_display_name` names a
city as it was called on a date).  Reasons :mod:`geo.aggregate` gives in English
are translated phrase by phrase by :func:`reason_text`.

:data:`GLOSSARY` notes the choice behind each domain term's translation.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd

from geo.schema import LANGUAGES

__all__ = [
    "FALLBACK",
    "GLOSSARY",
    "LANGUAGES",
    "WORDS",
    "capital",
    "missing",
    "named",
    "named_column",
    "number",
    "plural_key",
    "range_text",
    "reason_text",
    "word",
]

#: Where a language looks when a word is missing in it.
FALLBACK = {"en": ("en",), "ru": ("ru", "en"), "kk": ("kk", "ru", "en")}


def _w(en: str, ru: str, kk: str) -> dict[str, str]:
    return {"en": en, "ru": ru, "kk": kk}


#: Domain terms and the reasons for their translations.
GLOSSARY: dict[str, str] = {
    "detained": "ru «задержано», kk «ұсталғандар» (those detained) for a count, «ұсталды» for the event: "
    "the count is of people, so the noun, not the verb, heads a column or a legend.",
    "event_detention": "ru «задержание», kk «ұстау»: the act, as an event type.",
    "event_rally": "ru and kk «митинг»: the word both languages' media use for these gatherings "
    "(«акция протеста» and «шеру», a march, are narrower); one word on the map, the timeline "
    "and the packs.",
    "at_least": "ru «не менее», kk «кемінде»: a floor, never an estimate («около», «шамамен» would be wrong).",
    "precision": "ru «точность места», kk «орын дәлдігі»: how precisely a source places an event.",
    "district": "ru «район», kk «аудан»: the city's administrative district (not a neighbourhood).",
    "range_note": "ru «минимально обоснованное … наибольшее сообщённое», kk «ең аз негізделген … ең көп "
    "хабарланған»: the floor is what the sources prove, the high end what they report.",
    "incidents": "ru «инциденты», kk «оқиғалар»: every record of an event, with or without detentions.",
    "briefing": "ru «справка», kk «анықтама»: the short written pack of an analyst, not a «брифинг» (the meeting).",
    "sources": "ru «источники», kk «дереккөздер»: the outlets and documents a figure comes from.",
    "floor": "ru «нижняя оценка», kk «төменгі шек»: the lowest defensible number.",
}

WORDS: dict[str, dict[str, str]] = {
    # ---- the app and its pages
    "app_title": _w("protest-map", "protest-map", "protest-map"),
    "overview": _w("Overview", "Обзор", "Шолу"),
    "map": _w("Map", "Карта", "Карта"),
    "timeline": _w("Timeline", "Хронология", "Хронология"),
    "districts": _w("Districts", "Районы", "Аудандар"),
    "sources": _w("Sources", "Источники", "Дереккөздер"),
    "briefing": _w("Briefing", "Справка", "Анықтама"),
    "import": _w("Import", "Импорт", "Импорт"),
    "filters": _w("Filters", "Фильтры", "Сүзгілер"),
    "language": _w("Language", "Язык", "Тіл"),
    "city": _w("City", "Город", "Қала"),
    "all_cities": _w("Both cities and national", "Оба города и вся страна", "Екі қала және бүкіл ел"),
    "dates": _w("Dates", "Даты", "Күндер"),
    "event_types": _w("Event types", "Типы событий", "Оқиға түрлері"),
    "precision": _w("Place known to", "Точность места", "Орын дәлдігі"),
    "prec_1": _w("1 named place", "1 названное место", "1 аталған орын"),
    "prec_2": _w("2 part of a city", "2 часть города", "2 қаланың бір бөлігі"),
    "prec_3": _w("3 city only", "3 только город", "3 тек қала"),
    "prec_4": _w("4 country only", "4 только страна", "4 тек ел"),
    "metric": _w("Shade districts by", "Закрасить районы по", "Аудандарды бояу"),
    "metric_detained": _w("detentions", "задержаниям", "ұстаулар бойынша"),
    "metric_incidents": _w("incidents", "инцидентам", "оқиғалар бойынша"),
    "datasets": _w("Datasets", "Наборы данных", "Деректер жиындары"),
    "share": _w(
        "Copy the page address to share this exact view.",
        "Скопируйте адрес страницы, чтобы поделиться этим видом.",
        "Дәл осы көріністі бөлісу үшін беттің мекенжайын көшіріңіз.",
    ),
    "detained_national": _w("Detained, whole country", "Задержано по стране", "Ұсталғандар, бүкіл ел"),
    "detained_in": _w("Detained, {area}", "Задержано, {area}", "Ұсталғандар, {area}"),
    "journalists": _w(
        "Journalists detained or assaulted",
        "Журналисты задержаны или избиты",
        "Ұсталған немесе соққыға жығылған журналистер",
    ),
    "rallies": _w("Rallies", "Митинги", "Митингілер"),
    "basis_heading": _w("What this figure rests on", "На чём основана цифра", "Бұл сан неге сүйенеді"),
    "considered": _w(
        "Figures considered and not used for the floor",
        "Рассмотренные, но не использованные для нижней оценки цифры",
        "Қаралған, бірақ төменгі шекке алынбаған сандар",
    ),
    "key_dates": _w("Key dates", "Ключевые даты", "Негізгі күндер"),
    "records_shown": _w("records shown", "записей показано", "көрсетілген жазбалар"),
    "city_level": _w(
        "Known only to city level (not on the map)",
        "Известно только до уровня города (не на карте)",
        "Тек қала деңгейінде белгілі (картада жоқ)",
    ),
    "clear_selection": _w("Show all records", "Показать все записи", "Барлық жазбаларды көрсету"),
    "day": _w("Day", "День", "Күн"),
    "all_days": _w("All days", "Все дни", "Барлық күндер"),
    "no_boundaries": _w(
        "District boundaries are not configured", "Границы районов не настроены", "Аудан шекаралары бапталмаған"
    ),
    "download_csv": _w("Download CSV", "Скачать CSV", "CSV жүктеп алу"),
    "download_geojson": _w("Download GeoJSON", "Скачать GeoJSON", "GeoJSON жүктеп алу"),
    "hour_of_day": _w("Hour of day (where reported)", "Час дня (где известен)", "Тәулік сағаты (белгілі болса)"),
    "place": _w("Place", "Место", "Орын"),
    "event": _w("Event", "Событие", "Оқиға"),
    "summary": _w("Summary", "Краткое описание", "Қысқаша сипаттама"),
    "source": _w("Source", "Источник", "Дереккөз"),
    "source_names": _w("Reported by", "Кто сообщил", "Кім хабарлады"),
    "per_km2": _w("Detained per km²", "Задержано на км²", "Бір км²-ге ұсталғандар"),
    "incidents_per_km2": _w("Incidents per km²", "Инцидентов на км²", "Бір км²-ге оқиғалар"),
    "detained_low": _w("Detained (at least)", "Задержано (не менее)", "Ұсталғандар (кемінде)"),
    "detained_high": _w("Detained (highest reported)", "Задержано (наибольшее)", "Ұсталғандар (ең көп хабарланғаны)"),
    "reason": _w("Why not used", "Почему не использовано", "Неге алынбады"),
    "brief_intro": _w(
        "The current view as a pack for a briefing: an A4 PDF to print or mail, one HTML file whose map and "
        "charts work with no network, and PNGs of the map and the timeline for slides. The figures are the "
        "ones the app shows for these filters.",
        "Текущий вид как материалы для брифинга: PDF формата A4 для печати или почты, один HTML-файл, карта "
        "и графики в котором работают без сети, и PNG карты и хронологии для слайдов. Цифры те же, что "
        "приложение показывает для этих фильтров.",
        "Ағымдағы көрініс анықтама ретінде: басып шығаруға не поштамен жіберуге арналған A4 PDF, картасы мен "
        "графиктері желісіз жұмыс істейтін бір HTML файлы және слайдтарға арналған карта мен хронологияның "
        "PNG суреттері. Сандар қосымша осы сүзгілер үшін көрсететін сандармен бірдей.",
    ),
    "brief_prepare": _w("Prepare the briefing pack", "Подготовить справку", "Анықтаманы дайындау"),
    "brief_stale": _w(
        "The filters changed since the pack was prepared: prepare it again.",
        "Фильтры изменились после подготовки: подготовьте справку заново.",
        "Анықтама дайындалғаннан кейін сүзгілер өзгерді: оны қайта дайындаңыз.",
    ),
    "brief_ready": _w("Pack prepared", "Справка готова", "Анықтама дайын"),
    "brief_step_figures": _w("Reconciling the figures", "Сверка цифр", "Сандарды салыстыру"),
    "brief_step_map": _w("Drawing the map", "Рисование карты", "Картаны салу"),
    "brief_step_timeline": _w("Drawing the timeline", "Рисование хронологии", "Хронологияны салу"),
    "brief_step_pdf": _w("Laying out the PDF", "Вёрстка PDF", "PDF беттеу"),
    "brief_step_html": _w("Writing the HTML file", "Запись HTML-файла", "HTML файлын жазу"),
    "download_pdf": _w("Briefing PDF (A4)", "Справка PDF (A4)", "Анықтама PDF (A4)"),
    "download_html": _w(
        "Briefing HTML (works offline)", "Справка HTML (работает без сети)", "Анықтама HTML (желісіз жұмыс істейді)"
    ),
    "download_map_png": _w("Map as PNG", "Карта в PNG", "Карта PNG түрінде"),
    "download_timeline_png": _w("Timeline as PNG", "Хронология в PNG", "Хронология PNG түрінде"),
    "no_boundaries_brief": _w(
        "Without district boundaries the pack has figures by city, no maps.",
        "Без границ районов в справке только цифры по городам, без карт.",
        "Аудан шекараларынсыз анықтамада тек қалалар бойынша сандар бар, карта жоқ.",
    ),
    # ---- the Import page (names and formats in {fields}: the same in every language)
    "import_public": _w(
        "This is a public deployment: nothing can be imported here.",
        "Это публичная версия: импорт здесь недоступен.",
        "Бұл жария нұсқа: мұнда импорт қолжетімсіз.",
    ),
    "import_intro": _w(
        "Native CSV/GeoJSON, {acled} exports, {ccc}-style sheets or any other CSV ({encodings}; `,` `;` or tab). "
        "Every row ends up imported, merged into an existing record or rejected with its reason. "
        "Files up to {mb} MB.",
        "Собственный формат CSV/GeoJSON, выгрузки {acled}, таблицы в стиле {ccc} или любой другой CSV "
        "({encodings}; разделитель `,`, `;` или табуляция). Каждая строка будет импортирована, объединена с "
        "существующей записью или отклонена с указанием причины. Файлы до {mb} МБ.",
        "Өз CSV/GeoJSON форматы, {acled} экспорттары, {ccc} үлгісіндегі кестелер немесе кез келген басқа CSV "
        "({encodings}; бөлгіш `,`, `;` немесе табуляция). Әр жол импортталады, бар жазбамен біріктіріледі "
        "немесе себебі көрсетіліп қабылданбайды. Файлдар {mb} МБ-қа дейін.",
    ),
    "import_store_error": _w(
        "The dataset store cannot be opened: {problem}",
        "Не удаётся открыть хранилище наборов данных: {problem}",
        "Деректер жиындарының қоймасын ашу мүмкін емес: {problem}",
    ),
    "import_file": _w("File", "Файл", "Файл"),
    "import_too_large": _w(
        "{name} is {size} MB; this page takes files up to {mb} MB. Import larger files with `{command}`.",
        "Файл {name} весит {size} МБ, а эта страница принимает файлы до {mb} МБ. Файлы больше импортируйте "
        "командой `{command}`.",
        "{name} файлының көлемі {size} МБ, ал бұл бет {mb} МБ-қа дейінгі файлдарды қабылдайды. Үлкенірек "
        "файлдарды `{command}` командасымен импорттаңыз.",
    ),
    "import_upload_failed": _w(
        "The file could not be kept for the import: {reason}",
        "Не удалось сохранить файл для импорта: {reason}",
        "Импорт үшін файлды сақтау мүмкін болмады: {reason}",
    ),
    "import_read": _w(
        "{rows} rows, {encoding}, delimiter {delimiter}; detected format: **{format}**",
        "Строк: {rows}, кодировка {encoding}, разделитель {delimiter}; определён формат: **{format}**",
        "Жолдар: {rows}, кодтау {encoding}, бөлгіш {delimiter}; анықталған формат: **{format}**",
    ),
    "import_format": _w("Format", "Формат", "Формат"),
    "import_format_native": _w(
        "native (protest-map CSV/GeoJSON)",
        "собственный (CSV/GeoJSON protest-map)",
        "өз форматы (protest-map CSV/GeoJSON)",
    ),
    "import_format_acled": _w("{name} export", "выгрузка {name}", "{name} экспорты"),
    "import_format_ccc": _w("{name}-style sheet", "таблица в стиле {name}", "{name} үлгісіндегі кесте"),
    "import_format_mapped": _w(
        "any CSV, columns mapped by hand",
        "любой CSV, столбцы сопоставляются вручную",
        "кез келген CSV, бағандар қолмен сәйкестендіріледі",
    ),
    "import_mapping_title": _w(
        "Which column is which", "Какой столбец чему соответствует", "Қай баған неге сәйкес келеді"
    ),
    "import_no_column": _w("(none)", "(нет)", "(жоқ)"),
    "import_col_help": _w(
        "The native column `{column}`", "Столбец `{column}` собственного формата", "Өз форматының `{column}` бағаны"
    ),
    "import_col_date": _w("Date", "Дата", "Күні"),
    "import_col_city": _w("City", "Город", "Қала"),
    "import_col_event_type": _w("Event type", "Тип события", "Оқиға түрі"),
    "import_col_source_urls": _w("Source links", "Ссылки на источники", "Дереккөз сілтемелері"),
    "import_col_latitude": _w("Latitude", "Широта", "Ендік"),
    "import_col_longitude": _w("Longitude", "Долгота", "Бойлық"),
    "import_col_geo_precision": _w("Place known to", "Точность места", "Орын дәлдігі"),
    "import_col_place_name_en": _w("Place name in English", "Название места на английском", "Орынның ағылшынша атауы"),
    "import_col_place_name_ru": _w("Place name in Russian", "Название места на русском", "Орынның орысша атауы"),
    "import_col_detained_low": _w("Detained (at least)", "Задержано (не менее)", "Ұсталғандар (кемінде)"),
    "import_col_detained_high": _w(
        "Detained (highest reported)", "Задержано (наибольшее)", "Ұсталғандар (ең көп хабарланғаны)"
    ),
    "import_col_participants_low": _w("Participants (at least)", "Участники (не менее)", "Қатысушылар (кемінде)"),
    "import_col_participants_high": _w(
        "Participants (highest reported)", "Участники (наибольшее)", "Қатысушылар (ең көп хабарланғаны)"
    ),
    "import_col_injured": _w("Injured", "Пострадавшие", "Жарақат алғандар"),
    "import_col_summary": _w("Summary", "Краткое описание", "Қысқаша сипаттама"),
    "import_col_source_names": _w("Reported by", "Кто сообщил", "Кім хабарлады"),
    "import_col_record_id": _w("Record id", "Идентификатор записи", "Жазба идентификаторы"),
    "import_col_notes": _w("Notes", "Примечания", "Ескертпелер"),
    "import_constant_city": _w(
        "…or one city for every row (Almaty, Nur-Sultan, or {national} for the whole country)",
        "…или один город для всех строк (Алматы, Нур-Султан или {national} для всей страны)",
        "…немесе барлық жолдарға бір қала (Алматы, Нұр-Сұлтан немесе бүкіл ел үшін {national})",
    ),
    "import_constant_type": _w(
        "…or one event type for every row ({rally}, {detention}, …)",
        "…или один тип события для всех строк (например, {rally} или {detention}; понятны и «митинг», «задержание»)",
        "…немесе барлық жолдарға бір оқиға түрі (мысалы, {rally} немесе {detention}; орысша «митинг», "
        "«задержание» де түсініледі)",
    ),
    "import_date_format": _w(
        "Date format if not {formats} (e.g. {example})",
        "Формат даты, если не {formats} (например, {example})",
        "Күн форматы, егер {formats} болмаса (мысалы, {example})",
    ),
    "import_preview_title": _w(
        "The first rows as they would be imported",
        "Первые строки в том виде, в каком они будут импортированы",
        "Алғашқы жолдар импортталатын түрінде",
    ),
    "import_dataset_name": _w("Dataset name", "Название набора данных", "Деректер жиынының атауы"),
    "import_check": _w("Check every row", "Проверить все строки", "Барлық жолдарды тексеру"),
    "import_leave_ok": _w(
        "You can leave this page while the rows are checked; the result waits here.",
        "Пока строки проверяются, можно уйти с этой страницы: результат будет ждать здесь.",
        "Жолдар тексеріліп жатқанда бұл беттен кетуге болады: нәтиже осында күтеді.",
    ),
    "import_progress": _w(
        "Checked {done} of {total} rows", "Проверено строк: {done} из {total}", "{total} жолдың {done} жолы тексерілді"
    ),
    "import_imported": _w("Imported", "Импортировано", "Импортталды"),
    "import_of_which_flagged": _w("of which flagged: {n}", "из них с пометками: {n}", "оның ішінде белгіленгені: {n}"),
    "import_flagged": _w("Flagged", "С пометками", "Белгіленді"),
    "import_merged": _w("Merged", "Объединено", "Біріктірілді"),
    "import_rejected": _w("Rejected", "Отклонено", "Қабылданбады"),
    "import_merged_intro": _w(
        "Merged into records that already exist:",
        "Объединены с уже существующими записями:",
        "Бұрыннан бар жазбалармен біріктірілді:",
    ),
    "import_rejected_intro": _w(
        "Rejected rows (fix them and import the file again):",
        "Отклонённые строки (исправьте их и импортируйте файл снова):",
        "Қабылданбаған жолдар (оларды түзетіп, файлды қайта импорттаңыз):",
    ),
    "import_download_rejected": _w(
        "Download the rejected rows (CSV)",
        "Скачать отклонённые строки (CSV)",
        "Қабылданбаған жолдарды жүктеп алу (CSV)",
    ),
    "import_records_intro": _w(
        "Records to import (flags say what looked suspicious):",
        "Записи для импорта (пометки показывают, что выглядело подозрительно):",
        "Импортталатын жазбалар (белгілер күмәнді көрінгенін көрсетеді):",
    ),
    "import_where": _w(
        "Where they fall ({city}, districts in force on {date}):",
        "Где они находятся ({city}, районы на {date}):",
        "Олар қайда орналасқан ({city}, {date} күнгі аудандар):",
    ),
    "import_go": _w(
        "Import {n} records as dataset '{name}'",
        "Импортировать как набор данных «{name}» (записей: {n})",
        "{n} жазбаны «{name}» деректер жиыны ретінде импорттау",
    ),
    "import_done": _w(
        "Imported {n} records as '{name}'. Choose it under Datasets in the sidebar.",
        "Импортировано записей: {n}, набор данных «{name}». Выберите его в списке «Наборы данных» на боковой панели.",
        "{n} жазба «{name}» деректер жиыны ретінде импортталды. Оны бүйірлік тақтадағы «Деректер жиындары» "
        "тізімінен таңдаңыз.",
    ),
    "import_next": _w(
        "To import another file, choose it above.",
        "Чтобы импортировать другой файл, выберите его выше.",
        "Басқа файлды импорттау үшін оны жоғарыдан таңдаңыз.",
    ),
    # ---- a public deployment (PROTESTMAP_MODE=public): what it says instead of a server path
    "public_no_boundaries": _w(
        "The operator of this site can add them.",
        "Их может добавить оператор этого сайта.",
        "Оларды осы сайттың операторы қоса алады.",
    ),
    "public_store_unreadable": _w(
        "The operator's datasets cannot be read just now; the embedded dataset is shown.",
        "Наборы данных оператора сейчас недоступны; показан встроенный набор данных.",
        "Оператордың деректер жиындары қазір оқылмайды; кірістірілген деректер жиыны көрсетілген.",
    ),
    "public_no_map_files": _w(
        "The map cannot be drawn: its script files are missing on the server. The figures and tables still work.",
        "Карту нельзя нарисовать: на сервере нет её файлов скриптов. Цифры и таблицы доступны.",
        "Картаны салу мүмкін емес: серверде оның скрипт файлдары жоқ. Сандар мен кестелер қолжетімді.",
    ),
    # ---- events and counts (one word each, everywhere)
    "event_rally": _w("rally", "митинг", "митинг"),
    "event_detention": _w("detention", "задержание", "ұстау"),
    "event_police_violence": _w("police violence", "насилие полиции", "полиция зорлығы"),
    "event_journalist_detained": _w("journalist detained", "задержан журналист", "журналист ұсталды"),
    "event_journalist_assaulted": _w("journalist assaulted", "нападение на журналиста", "журналистке шабуыл"),
    "event_official_statement": _w("official statement", "официальное заявление", "ресми мәлімдеме"),
    "event_type": _w("Event type", "Тип события", "Оқиға түрі"),
    "detained": _w("Detained", "Задержано", "Ұсталғандар"),
    "incidents": _w("Incidents", "Инциденты", "Оқиғалар"),
    "participants": _w("Participants", "Участники", "Қатысушылар"),
    "injured": _w("Injured", "Пострадавшие", "Жарақат алғандар"),
    "at_least": _w("at least {n}", "не менее {n}", "кемінде {n}"),
    "approx": _w("approx.", "прибл.", "шамамен"),
    "record": _w("Record", "Запись", "Жазба"),
    "records": _w("Records", "Записей", "Жазбалар"),
    "figure": _w("Figure", "Цифра", "Сан"),
    "basis": _w("Rests on", "Основано на", "Негізі"),
    "high_basis": _w("High end from", "Верхняя оценка из", "Жоғарғы шегі"),
    "range_note": _w(
        "Ranges: the lowest defensible number, then the highest reported; overlapping reports are never added twice.",
        "Диапазон: минимально обоснованное число и наибольшее сообщённое; пересекающиеся сообщения не "
        "суммируются дважды.",
        "Аралық: ең аз негізделген сан, содан кейін ең көп хабарланғаны; қабаттасқан хабарлар екі рет қосылмайды.",
    ),
    "district": _w("District", "Район", "Аудан"),
    "date": _w("Date", "Дата", "Күні"),
    "notes": _w("Notes", "Примечания", "Ескертпелер"),
    "none": _w("none", "нет", "жоқ"),
    "all": _w("all", "все", "барлығы"),
    "and_more": _w("and {n} more", "и ещё {n}", "және тағы {n}"),
    "area_km2": _w("Area, km²", "Площадь, км²", "Аумағы, км²"),
    "national": _w("Kazakhstan, whole country", "Казахстан, вся страна", "Қазақстан, бүкіл ел"),
    "national_short": _w("national", "по стране", "ел бойынша"),
    "both_cities": _w(
        "Almaty and Nur-Sultan (Astana)", "Алматы и Нур-Султан (Астана)", "Алматы және Нұр-Сұлтан (Астана)"
    ),
    "city_choice_astana": _w("Nur-Sultan / Astana", "Нур-Султан / Астана", "Нұр-Сұлтан / Астана"),
    "city_choice_almaty": _w("Almaty", "Алматы", "Алматы"),
    "km": _w("km", "км", "км"),
    # ---- the interactive map
    "city_outline": _w("City boundary", "Граница города", "Қала шекарасы"),
    "heat": _w(
        "Heat map (weight: detained, else 1; reports not reconciled)",
        "Тепловая карта (вес: задержано, иначе 1; сообщения не сведены)",
        "Жылу картасы (салмағы: ұсталғандар, болмаса 1; хабарлар салыстырылмаған)",
    ),
    "legend_detained": _w(
        "Detained, at least (reconciled floor)",
        "Задержано, не менее (сведённая оценка)",
        "Ұсталғандар, кемінде (салыстырылған төменгі шек)",
    ),
    "legend_incidents": _w("Incidents", "Инциденты", "Оқиғалар"),
    "legend_incidents_only": _w(
        "Incidents (detention figures are not added up per district here: overlapping reports would be counted twice)",
        "Инциденты (число задержанных здесь не суммируется по районам: пересекающиеся сообщения были бы учтены дважды)",
        "Оқиғалар (ұсталғандар саны мұнда аудандар бойынша қосылмайды: қабаттасқан хабарлар екі рет есептелер еді)",
    ),
    "legend_short_detained": _w("Detained, at least", "Задержано, не менее", "Ұсталғандар, кемінде"),
    "legend_short_incidents": _w("Incidents", "Инциденты", "Оқиғалар"),
    "map_districts_on": _w("{city}: districts on {date}", "{city}: районы на {date}", "{city}: {date} аудандары"),
    "no_layer": _w(
        "{city}: no district layer is in force on {date}",
        "{city}: на {date} нет действующего слоя районов",
        "{city}: {date} күні қолданыстағы аудандар қабаты жоқ",
    ),
    "links_hidden": _w(
        "source link(s) not shown (not http/https): {n}",
        "ссылки на источники не показаны (не http/https): {n}",
        "көрсетілмеген дереккөз сілтемелері (http/https емес): {n}",
    ),
    "tile_error": _w(
        "Basemap tiles could not be loaded (no network): districts and incidents are drawn on a plain background.",
        "Не удалось загрузить подложку карты (нет сети): районы и инциденты показаны на простом фоне.",
        "Картаның негізгі қабаты жүктелмеді (желі жоқ): аудандар мен оқиғалар қарапайым фонда көрсетілген.",
    ),
    "no_tiles": _w(
        "No basemap: districts and incidents are drawn on a plain background.",
        "Без подложки: районы и инциденты показаны на простом фоне.",
        "Негізгі қабатсыз: аудандар мен оқиғалар қарапайым фонда көрсетілген.",
    ),
    "map_both_cities": _w("Both cities", "Оба города", "Екі қала"),
    "badge_one": _w(
        "{n} record known only to city level (not on the map)",
        "{n} запись известна только до уровня города (не на карте)",
        "{n} жазба тек қала деңгейінде белгілі (картада жоқ)",
    ),
    "badge_few": _w(
        "{n} records known only to city level (not on the map)",
        "{n} записи известны только до уровня города (не на карте)",
        "{n} жазба тек қала деңгейінде белгілі (картада жоқ)",
    ),
    "badge_many": _w(
        "{n} records known only to city level (not on the map)",
        "{n} записей известны только до уровня города (не на карте)",
        "{n} жазба тек қала деңгейінде белгілі (картада жоқ)",
    ),
    "stacked": _w(
        "Incidents at the same spot are fanned out around it (thin lines lead to the spot).",
        "Инциденты в одной точке разведены вокруг неё (тонкие линии ведут к точке).",
        "Бір нүктедегі оқиғалар оның айналасына таратылған (жіңішке сызықтар нүктеге апарады).",
    ),
    # ---- the timeline and hour charts
    "chart_title": _w(
        "Detained per day by city, and the official national totals",
        "Задержания по дням и городам и официальные данные по стране",
        "Қалалар бойынша күн сайынғы ұсталғандар және елдің ресми жалпы сандары",
    ),
    "events_title": _w("Key events", "Ключевые события", "Негізгі оқиғалар"),
    "daily_title": _w(
        "Detained per day, by city: lowest defensible to highest reported",
        "Задержано за день по городам: от минимальной обоснованной до максимальной сообщённой оценки",
        "Қалалар бойынша бір күнде ұсталғандар: ең аз негізделгеннен ең көп хабарланғанға дейін",
    ),
    "national_title": _w(
        "Official national totals, each over its own period (never added to the city figures)",
        "Официальные данные по стране, каждое за свой период (не суммируются с данными городов)",
        "Елдің ресми жалпы сандары, әрқайсысы өз кезеңі үшін (қала сандарына ешқашан қосылмайды)",
    ),
    "national_detained": _w(
        "Detained, national total", "Задержано, всего по стране", "Ұсталғандар, ел бойынша барлығы"
    ),
    "uncounted": _w(
        "Detentions reported without a number", "Задержания без указания числа", "Саны айтылмаған ұстаулар"
    ),
    "spanning": _w(
        "Figures over several days (not split by day)",
        "Данные за несколько дней (без разбивки по дням)",
        "Бірнеше күнгі сандар (күндерге бөлінбеген)",
    ),
    "period": _w("Period", "Период", "Кезең"),
    "statement_date": _w("Stated on", "Дата заявления", "Мәлімдеме күні"),
    "bound": _w("Figure", "Цифра", "Сан"),
    "bound_closed": _w("reported figure", "сообщённое число", "хабарланған сан"),
    "bound_open": _w("at least (no upper figure)", "не менее (без верхней границы)", "кемінде (жоғарғы шегі жоқ)"),
    "no_number": _w(
        "detentions reported, no number", "задержания были, число не сообщается", "ұстаулар болды, саны айтылмаған"
    ),
    "hour_title": _w(
        "Records by hour of day (local time as reported: exact or approximate)",
        "Записи по часу суток (местное время по сообщениям: точное или приблизительное)",
        "Тәулік сағаттары бойынша жазбалар (хабарланған жергілікті уақыт: дәл немесе шамамен)",
    ),
    "hour": _w("Hour of day (local)", "Час (местное время)", "Тәулік сағаты (жергілікті)"),
    "no_clock_time": _w(
        "No record in this view gives a clock time.",
        "Ни одна запись в этом виде не указывает время.",
        "Бұл көріністегі бірде-бір жазбада уақыт көрсетілмеген.",
    ),
    # ---- the briefing packs
    "brief_title": _w("Protest incidents and detentions", "Протесты и задержания", "Наразылықтар мен ұстаулар"),
    "subtitle": _w("Briefing pack", "Информационная справка", "Ақпараттық анықтама"),
    "window": _w("Dates", "Даты", "Күндер"),
    "filters_used": _w("Filters used", "Использованные фильтры", "Қолданылған сүзгілер"),
    "generated": _w("Generated", "Создано", "Жасалды"),
    "generated_utc": _w("Generated (UTC)", "Создано (UTC)", "Жасалды (UTC)"),
    "data_version": _w("Data version", "Версия данных", "Деректер нұсқасы"),
    "open_in_app": _w("Open this view in the app", "Открыть этот вид в приложении", "Бұл көріністі қосымшада ашу"),
    "key_figures": _w("Key figures", "Основные цифры", "Негізгі сандар"),
    "alternatives": _w(
        "Figures considered and not used for the floor",
        "Рассмотренные, но не использованные для нижней оценки цифры",
        "Қаралған, бірақ төменгі шекке алынбаған сандар",
    ),
    "alternatives_above": _w(
        "The figures the headline considered and did not use for its floor, and why, are listed under Key figures.",
        "Цифры, рассмотренные для основной оценки и не использованные для нижней границы, с причинами, "
        "приведены в разделе «Основные цифры».",
        "Басты сан үшін қаралған, бірақ төменгі шекке алынбаған сандар мен себептері «Негізгі сандар» "
        "бөлімінде берілген.",
    ),
    "no_alternatives": _w(
        "No other figure was considered.", "Другие цифры не рассматривались.", "Басқа сандар қаралмады."
    ),
    "incidents_mapped": _w("placed in a district", "с районом", "ауданы белгілі"),
    "incidents_city_level": _w(
        "known only to city level", "известны только до уровня города", "тек қала деңгейінде белгілі"
    ),
    "districts_on": _w("districts in force on {date}", "районы на {date}", "{date} күнгі аудандар"),
    "discrepancies": _w("Where sources disagree", "Где источники расходятся", "Дереккөздер келіспейтін жерлер"),
    "no_discrepancies": _w(
        "No figure in this view is disputed or given as a range.",
        "В этом виде нет спорных цифр и диапазонов.",
        "Бұл көріністе даулы немесе аралықпен берілген сан жоқ.",
    ),
    "contested_by": _w("Contested by", "Оспаривается", "Дауласатын жазба"),
    "cited_by": _w("cited by", "цитируется в", "сілтеме жасаған"),
    "incident_list": _w(
        "Incidents and statements in this view",
        "Инциденты и заявления в этом виде",
        "Бұл көріністегі оқиғалар мен мәлімдемелер",
    ),
    "key_events": _w("Key events", "Ключевые события", "Негізгі оқиғалар"),
    "key_event_ref": _w("key event {date}", "ключевое событие {date}", "негізгі оқиға {date}"),
    "no_boundaries_pack": _w(
        "District boundaries are not configured: figures by city only.",
        "Границы районов не настроены: только данные по городам.",
        "Аудан шекаралары бапталмаған: тек қалалар бойынша сандар.",
    ),
    "attribution": _w("Boundaries", "Границы", "Шекаралар"),
    "page": _w("Page {n} of {total}", "Страница {n} из {total}", "{n}-бет, барлығы {total}"),
    "national_remainder": _w(
        "national figure not split by city", "по стране, без разбивки по городам", "ел бойынша, қалаларға бөлінбеген"
    ),
    "city_level_remainder": _w("city level, no district", "уровень города, без района", "қала деңгейі, аудансыз"),
    "list_capped": _w(
        "Listed here: the first {shown} of {total} {what}. Every one is in the CSV download of the app's "
        "Sources page for this view: {link}",
        "Здесь первые {shown} из {total} ({what}). Все есть в CSV-выгрузке страницы «Источники» этого вида: {link}",
        "Мұнда {total} ішінен алғашқы {shown} ({what}). Барлығы осы көріністің «Дереккөздер» бетіндегі CSV "
        "жүктемесінде: {link}",
    ),
    "what_records": _w("records", "записи", "жазба"),
    "what_sources": _w("sources", "источники", "дереккөз"),
    "what_discrepancies": _w("disputed figures", "спорные цифры", "даулы сан"),
    "what_alternatives": _w("figures considered", "рассмотренные цифры", "қаралған сан"),
    "app_version": _w("protest-map version", "Версия protest-map", "protest-map нұсқасы"),
    "record_count": _w("Records in the data", "Записей в данных", "Деректердегі жазбалар"),
    "by_city": _w("By city", "По городам", "Қалалар бойынша"),
    "map_of": _w("Map: {city}", "Карта: {city}", "Карта: {city}"),
    "no_records": _w(
        "No incident or statement in this view.",
        "В этом виде нет инцидентов и заявлений.",
        "Бұл көріністе оқиға немесе мәлімдеме жоқ.",
    ),
    "no_events": _w(
        "No key event in these dates.", "В эти даты нет ключевых событий.", "Бұл күндерде негізгі оқиға жоқ."
    ),
    "no_sources": _w(
        "No source is cited in this view.", "В этом виде нет источников.", "Бұл көріністе дереккөз келтірілмеген."
    ),
    "address": _w("Address", "Адрес", "Мекенжай"),
    "host": _w("Site", "Сайт", "Сайт"),
    "named_as": _w(
        "Outlets the citing records name",
        "Издания, названные в цитирующих записях",
        "Сілтеме жасаған жазбалар атаған басылымдар",
    ),
    "not_a_link": _w("not a web address, not linked", "не веб-адрес, без ссылки", "веб-мекенжай емес, сілтемесіз"),
    "chart_failed": _w(
        "The timeline chart could not be drawn:",
        "Не удалось построить график:",
        "Хронология графигін салу мүмкін болмады:",
    ),
    "chart_needs_js": _w(
        "The timeline chart needs JavaScript.", "Для графика нужен JavaScript.", "Графикке JavaScript керек."
    ),
    "chart_actions": _w("Save the chart", "Сохранить график", "Графикті сақтау"),
    "save_png": _w("Save as PNG", "Сохранить как PNG", "PNG ретінде сақтау"),
    "save_svg": _w("Save as SVG", "Сохранить как SVG", "SVG ретінде сақтау"),
    "offline_note": _w(
        "This file works offline: it loads nothing from the network.",
        "Этот файл работает без сети: он ничего не загружает из интернета.",
        "Бұл файл желісіз жұмыс істейді: ол желіден ештеңе жүктемейді.",
    ),
    "records_total": _w(
        "{version}, {n} records in the data",
        "{version}, записей в данных: {n}",
        "{version}, деректердегі жазбалар: {n}",
    ),
    "records_in_view": _w("Records in view", "Записей в виде", "Көріністегі жазбалар"),
    "map_caption": _w("{city}: {districts}.", "{city}: {districts}.", "{city}: {districts}."),
    "timeline_caption": _w(
        "Detained per day by city (lowest defensible to highest reported) and the official national totals, "
        "each over its own period, {start} – {end}.",
        "Задержано за день по городам (от минимально обоснованного до наибольшего сообщённого) и официальные "
        "общенациональные цифры, каждая за свой период, {start} – {end}.",
        "Қалалар бойынша бір күнде ұсталғандар (ең аз негізделгеннен ең көп хабарланғанға дейін) және елдің "
        "ресми жалпы сандары, әрқайсысы өз кезеңі үшін, {start} – {end}.",
    ),
    "no_districts": _w(
        "No district layer is in force for {city} on {date}.",
        "Для {city} на {date} нет действующего слоя районов.",
        "{city} үшін {date} күні қолданыстағы аудандар қабаты жоқ.",
    ),
}


def word(key: str, lang: str = "en", **values) -> str:
    """The word ``key`` in ``lang`` (by :data:`FALLBACK`), with ``{name}`` fields filled from ``values``."""
    entry = WORDS[key]
    for code in FALLBACK.get(lang, FALLBACK["en"]):
        text = entry.get(code)
        if text:
            return text.format(**values) if values else text
    raise KeyError(f"{key!r} has no word in {lang!r} nor in its fallbacks")


def named(values, prefix: str, lang: str) -> str:
    """A name kept in the data in several languages (``name_en``, ``name_ru``, ``name_kk``), in ``lang``.

    ``values`` is a mapping (a record as a dict, a row); the first non-blank of
    ``{prefix}_{code}`` for the codes of :data:`FALLBACK` wins: the data's names fall
    back by the same rule as the words.
    """
    for code in FALLBACK.get(lang, FALLBACK["en"]):
        value = values.get(f"{prefix}_{code}")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def named_column(frame: pd.DataFrame, prefix: str, lang: str) -> pd.Series:
    """:func:`named` for every row of a frame at once (``''`` where every language is blank)."""
    out = pd.Series("", index=frame.index, dtype=object)
    for code in reversed(FALLBACK.get(lang, FALLBACK["en"])):
        column = f"{prefix}_{code}"
        if column in frame.columns:
            values = frame[column].fillna("").astype(str).str.strip()
            out = values.where(values != "", out)
    return out


def missing(lang: str) -> list[str]:
    """The keys without a word of their own in ``lang`` (they fall back)."""
    return sorted(key for key, entry in WORDS.items() if not entry.get(lang))


def capital(text: str) -> str:
    """The first letter upper case (a legend entry, a table title), the rest as it is."""
    return text[:1].upper() + text[1:]


def number(n, lang: str = "en") -> str:
    """A count: ``4,000`` in English; ``4 000`` (narrow no-break space) in Russian and Kazakh."""
    text = f"{int(n):,}"
    return text if lang == "en" else text.replace(",", "\u202f")


def range_text(low, high, lang: str = "en") -> str:
    """A count as people write it: ``''``, ``700``, ``30–100`` or ``at least 100``."""
    if low is None or pd.isna(low):
        return ""
    if high is None or pd.isna(high):
        return word("at_least", lang, n=number(low, lang))
    if int(high) == int(low):
        return number(low, lang)
    return f"{number(low, lang)}–{number(high, lang)}"


def plural_key(stem: str, n: int, lang: str) -> str:
    """``stem_one``, ``stem_few`` or ``stem_many``: the form a count needs (Russian has three)."""
    if lang == "ru":
        if n % 10 == 1 and n % 100 != 11:
            return f"{stem}_one"
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return f"{stem}_few"
        return f"{stem}_many"
    return f"{stem}_one" if n == 1 else f"{stem}_many"  # Kazakh keeps the noun singular after a number


# --------------------------------------------------------------------------- reasons

#: Column names that reasons mention.
_FIELDS = {
    "ru": {"period_start": "начало периода", "period_end": "конец периода"},
    "kk": {"period_start": "кезең басы", "period_end": "кезең соңы"},
}


def _fields(lang: str) -> Callable[[re.Match], str]:
    def replace(m: re.Match) -> str:
        names = ", ".join(_FIELDS[lang].get(f.strip(), f.strip()) for f in m["f"].split(","))
        inferred = {"ru": "выведено, источник этого не говорит", "kk": "шығарылған, дереккөз мұны айтпайды"}[lang]
        return f" ({names}: {inferred})"

    return replace


#: The phrases of geo.aggregate's reasons (English) and their translations.
_REASONS: list[tuple[re.Pattern, dict[str, object]]] = [
    (
        re.compile(r"contained in (?P<a>.+?), which is counted"),
        {"ru": r"входит в \g<a>, которая учтена", "kk": r"\g<a> ішінде, ол есептелген"},
    ),
    (
        re.compile(r"contested by (?P<a>.+?): counts toward the high end only"),
        {
            "ru": r"оспаривается записью \g<a>: учитывается только в верхней оценке",
            "kk": r"\g<a> жазбасы дауласады: тек жоғарғы шекке есептеледі",
        },
    ),
    (
        re.compile(r"its parts \((?P<a>.+?)\) add up to more; counted instead"),
        {
            "ru": r"её части (\g<a>) в сумме больше; учтены они",
            "kk": r"оның бөліктері (\g<a>) қосқанда көбірек; солар есептелді",
        },
    ),
    (
        re.compile(r"overlaps (?P<a>.+?), which give\(s\) the higher floor"),
        {
            "ru": r"пересекается с \g<a>, что даёт более высокую нижнюю оценку",
            "kk": r"\g<a> жазбасымен қабаттасады, ол төменгі шекті жоғарырақ береді",
        },
    ),
    (re.compile(r"not needed for the floor"), {"ru": "не нужна для нижней оценки", "kk": "төменгі шекке қажет емес"}),
    (
        re.compile(r"people held at one moment \(snapshot\), not a count of detentions"),
        {
            "ru": "число удерживаемых в один момент (срез), а не число задержаний",
            "kk": "бір сәттегі ұсталып отырғандар саны (кесінді), ұстаулар саны емес",
        },
    ),
    (
        re.compile(
            r"covers (?P<s>[\d-]+)\.\.(?P<e>[\d-]+), which reaches beyond the window "
            r"(?P<lo>[\d-]+)\.\.(?P<hi>[\d-]+)"
        ),
        {
            "ru": r"охватывает \g<s>..\g<e>, что выходит за окно \g<lo>..\g<hi>",
            "kk": r"\g<s>..\g<e> кезеңін қамтиды, бұл \g<lo>..\g<hi> аралығынан шығады",
        },
    ),
    (
        re.compile(r"national figure that no source splits by area: unallocated here"),
        {
            "ru": "цифра по стране, которую ни один источник не разбивает по территории: здесь не распределена",
            "kk": "ешбір дереккөз аумақтарға бөлмейтін ел бойынша сан: мұнда бөлінбеген",
        },
    ),
    (
        re.compile(r"city-level figure that no source splits by area: unallocated here"),
        {
            "ru": "цифра по городу, которую ни один источник не разбивает по районам: здесь не распределена",
            "kk": "ешбір дереккөз аудандарға бөлмейтін қала бойынша сан: мұнда бөлінбеген",
        },
    ),
    (re.compile(r"count kind not given"), {"ru": "тип подсчёта не указан", "kk": "есеп түрі көрсетілмеген"}),
    (
        re.compile(r"counts part of those detained in its cell; what is counted there \((?P<a>.+?)\) gives more"),
        {
            "ru": r"считает лишь часть задержанных в своей ячейке; учтённое там (\g<a>) даёт больше",
            "kk": r"өз ұяшығындағы ұсталғандардың бір бөлігін ғана санайды; ондағы есептелгені (\g<a>) көбірек береді",
        },
    ),
    (re.compile(r"reported without a number"), {"ru": "сообщено без числа", "kk": "саны айтылмай хабарланған"}),
    (re.compile(r" \((?P<f>[a-z_, ]+) inferred\)"), {"ru": _fields("ru"), "kk": _fields("kk")}),
    (
        re.compile(r"; the high end stays open"),
        {"ru": "; верхняя оценка остаётся открытой", "kk": "; жоғарғы шегі ашық қалады"},
    ),
    (re.compile(r"; (?P<a>\S+) covers it"), {"ru": r"; её покрывает \g<a>", "kk": r"; оны \g<a> қамтиды"}),
    (
        re.compile(r"^inferred, not stated by a source: "),
        {"ru": "выведено, источник этого не говорит: ", "kk": "шығарылған, дереккөз мұны айтпайды: "},
    ),
    (
        re.compile(r"; used for the high end"),
        {"ru": "; использована для верхней оценки", "kk": "; жоғарғы шекке пайдаланылды"},
    ),
    (re.compile(r" and (?P<n>[\d,]+) more"), {"ru": r" и ещё \g<n>", "kk": r" және тағы \g<n>"}),
]


def reason_text(reason: str, lang: str = "en") -> str:
    """Why a figure was not used for the floor (:class:`geo.aggregate.Alternative`), in ``lang``.

    The reasons are written in English by :mod:`geo.aggregate`; each known phrase is
    replaced, record ids untouched.  A phrase not known here stays in English rather
    than be guessed.
    """
    if lang == "en":
        return reason
    for pattern, replacements in _REASONS:
        replacement = replacements.get(lang) or replacements["ru"]
        reason = pattern.sub(replacement, reason)
    return reason
