"""The words of the figures: events and counts, the interactive map, the charts, the briefing packs.

Part of :data:`geo.words.WORDS` (one key, one entry in English, Russian and Kazakh).
"""

from __future__ import annotations

from geo.words._pages import w

FIGURES: dict[str, dict[str, str]] = {
    # ---- events and counts (one word each, everywhere)
    "event_rally": w("rally", "митинг", "митинг"),
    "event_detention": w("detention", "задержание", "ұстау"),
    "event_police_violence": w("police violence", "насилие полиции", "полиция зорлығы"),
    "event_journalist_detained": w("journalist detained", "задержан журналист", "журналист ұсталды"),
    "event_journalist_assaulted": w("journalist assaulted", "нападение на журналиста", "журналистке шабуыл"),
    "event_official_statement": w("official statement", "официальное заявление", "ресми мәлімдеме"),
    "event_type": w("Event type", "Тип события", "Оқиға түрі"),
    "detained": w("Detained", "Задержано", "Ұсталғандар"),
    "incidents": w("Incidents", "Инциденты", "Оқиғалар"),
    "participants": w("Participants", "Участники", "Қатысушылар"),
    "injured": w("Injured", "Пострадавшие", "Жарақат алғандар"),
    "at_least": w("at least {n}", "не менее {n}", "кемінде {n}"),
    "approx": w("approx.", "прибл.", "шамамен"),
    "record": w("Record", "Запись", "Жазба"),
    "records": w("Records", "Записей", "Жазбалар"),
    "figure": w("Figure", "Цифра", "Сан"),
    "basis": w("Rests on", "Основано на", "Негізі"),
    "high_basis": w("High end from", "Верхняя оценка из", "Жоғарғы шегі"),
    "range_note": w(
        "Ranges: the lowest defensible number, then the highest reported; overlapping reports are never added twice.",
        "Диапазон: минимально обоснованное число и наибольшее сообщённое; пересекающиеся сообщения не "
        "суммируются дважды.",
        "Аралық: ең аз негізделген сан, содан кейін ең көп хабарланғаны; қабаттасқан хабарлар екі рет қосылмайды.",
    ),
    "district": w("District", "Район", "Аудан"),
    "date": w("Date", "Дата", "Күні"),
    "notes": w("Notes", "Примечания", "Ескертпелер"),
    "none": w("none", "нет", "жоқ"),
    "all": w("all", "все", "барлығы"),
    "and_more": w("and {n} more", "и ещё {n}", "және тағы {n}"),
    "area_km2": w("Area, km²", "Площадь, км²", "Аумағы, км²"),
    "national": w("Kazakhstan, whole country", "Казахстан, вся страна", "Қазақстан, бүкіл ел"),
    "national_short": w("national", "по стране", "ел бойынша"),
    "both_cities": w(
        "Almaty and Nur-Sultan (Astana)", "Алматы и Нур-Султан (Астана)", "Алматы және Нұр-Сұлтан (Астана)"
    ),
    "city_choice_astana": w("Nur-Sultan / Astana", "Нур-Султан / Астана", "Нұр-Сұлтан / Астана"),
    "city_choice_almaty": w("Almaty", "Алматы", "Алматы"),
    "km": w("km", "км", "км"),
    # ---- the interactive map
    "legend": w("Legend", "Легенда", "Шартты белгілер"),
    "close": w("Close", "Закрыть", "Жабу"),
    "map_no_districts": w(
        "No district boundaries: the incidents of {city} are drawn where their sources put them, in no district",
        "Нет границ районов: инциденты ({city}) показаны там, где их указали источники, вне районов",
        "Аудан шекаралары жоқ: оқиғалар ({city}) дереккөздер көрсеткен жерде, аудансыз көрсетілген",
    ),
    "city_outline": w("City boundary", "Граница города", "Қала шекарасы"),
    "heat": w(
        "Heat map (weight: detained, else 1; reports not reconciled)",
        "Тепловая карта (вес: задержано, иначе 1; сообщения не сведены)",
        "Жылу картасы (салмағы: ұсталғандар, болмаса 1; хабарлар салыстырылмаған)",
    ),
    "legend_detained": w(
        "Detained, at least (reconciled floor)",
        "Задержано, не менее (сведённая оценка)",
        "Ұсталғандар, кемінде (салыстырылған төменгі шек)",
    ),
    "legend_incidents": w("Incidents", "Инциденты", "Оқиғалар"),
    "legend_incidents_only": w(
        "Incidents (detention figures are not added up per district here: overlapping reports would be counted twice)",
        "Инциденты (число задержанных здесь не суммируется по районам: пересекающиеся сообщения были бы учтены дважды)",
        "Оқиғалар (ұсталғандар саны мұнда аудандар бойынша қосылмайды: қабаттасқан хабарлар екі рет есептелер еді)",
    ),
    "legend_short_detained": w("Detained, at least", "Задержано, не менее", "Ұсталғандар, кемінде"),
    "legend_short_incidents": w("Incidents", "Инциденты", "Оқиғалар"),
    "map_districts_on": w("{city}: districts on {date}", "{city}: районы на {date}", "{city}: {date} аудандары"),
    "no_layer": w(
        "{city}: no district layer is in force on {date}",
        "{city}: на {date} нет действующего слоя районов",
        "{city}: {date} күні қолданыстағы аудандар қабаты жоқ",
    ),
    "grid_layer": w("Incidents per square", "Инциденты по квадратам", "Шаршылар бойынша оқиғалар"),
    "grid_cell": w(
        "Incidents in the square (about 1 km)",
        "Инцидентов в квадрате (около 1 км)",
        "Шаршыдағы оқиғалар (шамамен 1 км)",
    ),
    "map_grid_note": w(
        "Incidents: {n}. Counted per square of about 1 km; zoom in (to level {zoom}) to see them one by one "
        "and click one for its record",
        "Инциденты: {n}. Показано их число в квадратах около 1 км; приблизьте карту (до масштаба {zoom}), "
        "чтобы увидеть их по отдельности и выбрать щелчком",
        "Оқиғалар: {n}. Шамамен 1 км шаршылардағы саны көрсетілген; оларды жеке көріп, басып таңдау үшін "
        "картаны жақындатыңыз ({zoom} деңгейіне дейін)",
    ),
    "map_click_below": w(
        "Click an incident: its record is shown below the map",
        "Щёлкните по инциденту: его запись появится под картой",
        "Оқиғаны басыңыз: оның жазбасы картаның астында көрсетіледі",
    ),
    "map_zoom_further": w(
        "Incidents in this view: {n}. Zoom in further to draw them one by one (at most {limit})",
        "Инцидентов в этом виде: {n}. Приблизьте карту ещё, чтобы показать их по отдельности (не более {limit})",
        "Бұл көріністегі оқиғалар: {n}. Оларды жеке көрсету үшін картаны тағы жақындатыңыз (көп дегенде {limit})",
    ),
    "table_first": w(
        "The first {shown} of {n} records (by date); the whole list: the CSV on the Sources page",
        "Первые {shown} из {n} записей (по дате); весь список — CSV на странице «Источники»",
        "{n} жазбаның алғашқы {shown} (күні бойынша); толық тізім — «Дереккөздер» бетіндегі CSV",
    ),
    "table_on_request": w(
        "List them: the first {shown} of {n} records (by date)",
        "Показать их: первые {shown} из {n} записей (по дате)",
        "Көрсету: {n} жазбаның алғашқы {shown} (күні бойынша)",
    ),
    "list_first": w(
        "The first {shown} of {n} {what}; every record is in the CSV download on the Sources page",
        "Первые {shown} из {n} ({what}); все записи есть в CSV-выгрузке на странице «Источники»",
        "{n} ішінен алғашқы {shown} ({what}); барлық жазба «Дереккөздер» бетіндегі CSV-де бар",
    ),
    "links_hidden": w(
        "source link(s) not shown (not http/https): {n}",
        "ссылки на источники не показаны (не http/https): {n}",
        "көрсетілмеген дереккөз сілтемелері (http/https емес): {n}",
    ),
    "tile_error": w(
        "Basemap tiles could not be loaded (no network): districts and incidents are drawn on a plain background.",
        "Не удалось загрузить подложку карты (нет сети): районы и инциденты показаны на простом фоне.",
        "Картаның негізгі қабаты жүктелмеді (желі жоқ): аудандар мен оқиғалар қарапайым фонда көрсетілген.",
    ),
    "tile_error_short": w("No basemap (no network)", "Нет подложки (нет сети)", "Негізгі қабат жоқ (желі жоқ)"),
    "no_tiles_short": w("No basemap", "Без подложки", "Негізгі қабатсыз"),
    "no_tiles": w(
        "No basemap: districts and incidents are drawn on a plain background.",
        "Без подложки: районы и инциденты показаны на простом фоне.",
        "Негізгі қабатсыз: аудандар мен оқиғалар қарапайым фонда көрсетілген.",
    ),
    "map_both_cities": w("Both cities", "Оба города", "Екі қала"),
    "badge_one": w(
        "{n} record known only to city level (not on the map)",
        "{n} запись известна только до уровня города (не на карте)",
        "{n} жазба тек қала деңгейінде белгілі (картада жоқ)",
    ),
    "badge_few": w(
        "{n} records known only to city level (not on the map)",
        "{n} записи известны только до уровня города (не на карте)",
        "{n} жазба тек қала деңгейінде белгілі (картада жоқ)",
    ),
    "badge_many": w(
        "{n} records known only to city level (not on the map)",
        "{n} записей известны только до уровня города (не на карте)",
        "{n} жазба тек қала деңгейінде белгілі (картада жоқ)",
    ),
    "stacked": w(
        "Incidents at the same spot are fanned out around it (thin lines lead to the spot).",
        "Инциденты в одной точке разведены вокруг неё (тонкие линии ведут к точке).",
        "Бір нүктедегі оқиғалар оның айналасына таратылған (жіңішке сызықтар нүктеге апарады).",
    ),
    # ---- the timeline and hour charts
    "chart_title": w(
        "Detained per day by city, and the official national totals",
        "Задержания по дням и городам и официальные данные по стране",
        "Қалалар бойынша күн сайынғы ұсталғандар және елдің ресми жалпы сандары",
    ),
    "events_title": w("Key events", "Ключевые события", "Негізгі оқиғалар"),
    "daily_title": w(
        "Detained per day, by city: lowest defensible to highest reported",
        "Задержано за день по городам: от минимальной обоснованной до максимальной сообщённой оценки",
        "Қалалар бойынша бір күнде ұсталғандар: ең аз негізделгеннен ең көп хабарланғанға дейін",
    ),
    "national_title": w(
        "Official national totals, each over its own period (never added to the city figures)",
        "Официальные данные по стране, каждое за свой период (не суммируются с данными городов)",
        "Елдің ресми жалпы сандары, әрқайсысы өз кезеңі үшін (қала сандарына ешқашан қосылмайды)",
    ),
    "national_detained": w("Detained, national total", "Задержано, всего по стране", "Ұсталғандар, ел бойынша барлығы"),
    "uncounted": w("Detentions reported without a number", "Задержания без указания числа", "Саны айтылмаған ұстаулар"),
    "spanning": w(
        "Figures over several days (not split by day)",
        "Данные за несколько дней (без разбивки по дням)",
        "Бірнеше күнгі сандар (күндерге бөлінбеген)",
    ),
    "period": w("Period", "Период", "Кезең"),
    "statement_date": w("Stated on", "Дата заявления", "Мәлімдеме күні"),
    "bound": w("Figure", "Цифра", "Сан"),
    "bound_closed": w("reported figure", "сообщённое число", "хабарланған сан"),
    "bound_open": w("at least (no upper figure)", "не менее (без верхней границы)", "кемінде (жоғарғы шегі жоқ)"),
    "no_number": w(
        "detentions reported, no number", "задержания были, число не сообщается", "ұстаулар болды, саны айтылмаған"
    ),
    "hour_title": w(
        "Records by hour of day (local time as reported: exact or approximate)",
        "Записи по часу суток (местное время по сообщениям: точное или приблизительное)",
        "Тәулік сағаттары бойынша жазбалар (хабарланған жергілікті уақыт: дәл немесе шамамен)",
    ),
    "hour": w("Hour of day (local)", "Час (местное время)", "Тәулік сағаты (жергілікті)"),
    "no_clock_time": w(
        "No record in this view gives a clock time.",
        "Ни одна запись в этом виде не указывает время.",
        "Бұл көріністегі бірде-бір жазбада уақыт көрсетілмеген.",
    ),
    "events_list_title": w(
        "Key events, by number", "Ключевые события по номерам", "Негізгі оқиғалар нөмірлері бойынша"
    ),
    "style_title": w("Lines", "Линии", "Сызықтар"),
    "style_range": w(
        "lowest defensible – highest reported",
        "мин. обоснованное – макс. сообщённое",
        "ең аз негізделген – ең көп хабарланған",
    ),
    "style_open": w("at least: no upper figure", "не менее: без верхней границы", "кемінде: жоғарғы шегі жоқ"),
    "style_event": w("key event", "ключевое событие", "негізгі оқиға"),
    "style_period": w(
        "the period a national total covers", "период общего числа по стране", "ел бойынша жалпы сан кезеңі"
    ),
    # ---- the briefing packs
    "brief_title": w("Protest incidents and detentions", "Протесты и задержания", "Наразылықтар мен ұстаулар"),
    "subtitle": w("Briefing pack", "Информационная справка", "Ақпараттық анықтама"),
    "window": w("Dates", "Даты", "Күндер"),
    "filters_used": w("Filters used", "Использованные фильтры", "Қолданылған сүзгілер"),
    "generated": w("Generated", "Создано", "Жасалды"),
    "generated_utc": w("Generated (UTC)", "Создано (UTC)", "Жасалды (UTC)"),
    "data_version": w("Data version", "Версия данных", "Деректер нұсқасы"),
    "open_in_app": w("Open this view in the app", "Открыть этот вид в приложении", "Бұл көріністі қосымшада ашу"),
    "key_figures": w("Key figures", "Основные цифры", "Негізгі сандар"),
    "alternatives": w(
        "Figures considered and not used for the floor",
        "Рассмотренные, но не использованные для нижней оценки цифры",
        "Қаралған, бірақ төменгі шекке алынбаған сандар",
    ),
    "alternatives_above": w(
        "The figures the headline considered and did not use for its floor, and why, are listed under Key figures.",
        "Цифры, рассмотренные для основной оценки и не использованные для нижней границы, с причинами, "
        "приведены в разделе «Основные цифры».",
        "Басты сан үшін қаралған, бірақ төменгі шекке алынбаған сандар мен себептері «Негізгі сандар» "
        "бөлімінде берілген.",
    ),
    "no_alternatives": w(
        "No other figure was considered.", "Другие цифры не рассматривались.", "Басқа сандар қаралмады."
    ),
    "incidents_mapped": w("placed in a district", "с районом", "ауданы белгілі"),
    "incidents_city_level": w(
        "known only to city level", "известны только до уровня города", "тек қала деңгейінде белгілі"
    ),
    "districts_on": w("districts in force on {date}", "районы на {date}", "{date} күнгі аудандар"),
    "discrepancies": w("Where sources disagree", "Где источники расходятся", "Дереккөздер келіспейтін жерлер"),
    "no_discrepancies": w(
        "No figure in this view is disputed or given as a range.",
        "В этом виде нет спорных цифр и диапазонов.",
        "Бұл көріністе даулы немесе аралықпен берілген сан жоқ.",
    ),
    "contested_by": w("Contested by", "Оспаривается", "Дауласатын жазба"),
    "cited_by": w("cited by", "цитируется в", "сілтеме жасаған"),
    "incident_list": w(
        "Incidents and statements in this view",
        "Инциденты и заявления в этом виде",
        "Бұл көріністегі оқиғалар мен мәлімдемелер",
    ),
    "key_events": w("Key events", "Ключевые события", "Негізгі оқиғалар"),
    "key_event_ref": w("key event {date}", "ключевое событие {date}", "негізгі оқиға {date}"),
    "no_boundaries_pack": w(
        "District boundaries are not configured: figures by city only.",
        "Границы районов не настроены: только данные по городам.",
        "Аудан шекаралары бапталмаған: тек қалалар бойынша сандар.",
    ),
    "attribution": w("Boundaries", "Границы", "Шекаралар"),
    "page": w("Page {n} of {total}", "Страница {n} из {total}", "{n}-бет, барлығы {total}"),
    "national_remainder": w(
        "national figure not split by city", "по стране, без разбивки по городам", "ел бойынша, қалаларға бөлінбеген"
    ),
    "city_level_remainder": w("city level, no district", "уровень города, без района", "қала деңгейі, аудансыз"),
    "list_capped": w(
        "Listed here: the first {shown} of {total} {what}. Every one is in the CSV download of the app's "
        "Sources page for this view: {link}",
        "Здесь первые {shown} из {total} ({what}). Все есть в CSV-выгрузке страницы «Источники» этого вида: {link}",
        "Мұнда {total} ішінен алғашқы {shown} ({what}). Барлығы осы көріністің «Дереккөздер» бетіндегі CSV "
        "жүктемесінде: {link}",
    ),
    "what_records": w("records", "записи", "жазба"),
    "what_sources": w("sources", "источники", "дереккөз"),
    "what_discrepancies": w("disputed figures", "спорные цифры", "даулы сан"),
    "what_alternatives": w("figures considered", "рассмотренные цифры", "қаралған сан"),
    # ---- a briefing pack of many records (geo.brief.model.Summary)
    "summary_unlisted": w(
        "This view holds {total} records, more than a pack lists one by one ({limit}). Its figures, district "
        "tables and timeline count every one of them; listed here are the places with the most records and the "
        "most detained and {shown} key records, so {n} records are not listed. Every one is in the CSV download "
        "of the app's Sources page for this view: {link} (from the command line, {command} writes every record "
        "of a data file with its district).",
        "Записей в этом виде: {total}, больше, чем справка перечисляет по одной ({limit}). Цифры, таблицы "
        "районов и хронология учитывают все записи; здесь перечислены места с наибольшим числом записей и "
        "задержанных и ключевые записи ({shown}). Не перечислено записей: {n}. Все они есть в CSV-выгрузке "
        "страницы «Источники» этого вида: {link} (в командной строке {command} записывает все записи файла "
        "данных с их районами).",
        "Бұл көріністегі жазбалар: {total}, анықтама бір-бірлеп тізетін саннан ({limit}) көп. Сандар, аудан "
        "кестелері мен хронология барлық жазбаны есептейді; мұнда жазбалары мен ұсталғандары ең көп орындар "
        "және негізгі жазбалар ({shown}) тізілген. Тізілмеген жазбалар: {n}. Олардың бәрі осы көріністің "
        "«Дереккөздер» бетіндегі CSV жүктемесінде бар: {link} (командалық жолда {command} деректер файлының "
        "барлық жазбасын аудандарымен жазады).",
    ),
    "top_by_records": w(
        "Places with the most records", "Места с наибольшим числом записей", "Жазбалары ең көп орындар"
    ),
    "top_by_detained": w(
        "Places with the most detained", "Места с наибольшим числом задержанных", "Ұсталғандары ең көп орындар"
    ),
    "places_note": w(
        "A place is named as its records name it. Its figure reconciles that place's records alone, by the rules "
        "of every figure here: overlapping reports are never added twice. Records that name no place: {n} (they "
        "are in the figures and the district tables).",
        "Место названо так, как его называют записи. Его цифра сводит только записи этого места по тем же "
        "правилам, что и все цифры здесь: пересекающиеся сообщения не суммируются дважды. Записей без "
        "названного места: {n} (они учтены в цифрах и таблицах районов).",
        "Орын жазбаларда аталғандай берілген. Оның саны тек сол орынның жазбаларын осындағы барлық сандардың "
        "ережесімен келістіреді: қабаттасқан хабарлар екі рет қосылмайды. Орны аталмаған жазбалар: {n} (олар "
        "сандар мен аудан кестелерінде есептелген).",
    ),
    "no_places": w(
        "No record of this view names its place.",
        "Ни одна запись этого вида не называет место.",
        "Бұл көріністің бірде-бір жазбасы орнын атамайды.",
    ),
    "key_records": w("Key records", "Ключевые записи", "Негізгі жазбалар"),
    "key_records_note": w(
        "{shown} of the view's {total} records: the first and the last, those with the largest detained figures "
        "and those about journalists.",
        "Ключевых записей: {shown} из {total}: первая и последняя запись вида, записи с наибольшими цифрами "
        "задержанных и записи о журналистах.",
        "Көріністің {total} жазбасының {shown}: алғашқы және соңғы жазба, ұсталғандар саны ең көп жазбалар "
        "және журналистер туралы жазбалар.",
    ),
    "key_sources": w(
        "The sources of the key records and of the key events ({shown}); the view's records cite {total} "
        "sources in all. Every record's sources are in the CSV download.",
        "Источники ключевых записей и ключевых событий ({shown}); всего записи вида ссылаются на источники: "
        "{total}. Источники каждой записи есть в CSV-выгрузке.",
        "Негізгі жазбалар мен негізгі оқиғалардың дереккөздері ({shown}); көрініс жазбалары сілтеме жасаған "
        "дереккөздер барлығы: {total}. Әр жазбаның дереккөздері CSV жүктемесінде бар.",
    ),
    "app_version": w("protest-map version", "Версия protest-map", "protest-map нұсқасы"),
    "record_count": w("Records in the data", "Записей в данных", "Деректердегі жазбалар"),
    "by_city": w("By city", "По городам", "Қалалар бойынша"),
    "map_of": w("Map: {city}", "Карта: {city}", "Карта: {city}"),
    "no_records": w(
        "No incident or statement in this view.",
        "В этом виде нет инцидентов и заявлений.",
        "Бұл көріністе оқиға немесе мәлімдеме жоқ.",
    ),
    "no_events": w(
        "No key event in these dates.", "В эти даты нет ключевых событий.", "Бұл күндерде негізгі оқиға жоқ."
    ),
    "no_sources": w(
        "No source is cited in this view.", "В этом виде нет источников.", "Бұл көріністе дереккөз келтірілмеген."
    ),
    "address": w("Address", "Адрес", "Мекенжай"),
    "host": w("Site", "Сайт", "Сайт"),
    "named_as": w(
        "Outlets the citing records name",
        "Издания, названные в цитирующих записях",
        "Сілтеме жасаған жазбалар атаған басылымдар",
    ),
    "not_a_link": w("not a web address, not linked", "не веб-адрес, без ссылки", "веб-мекенжай емес, сілтемесіз"),
    "chart_failed": w(
        "The timeline chart could not be drawn:",
        "Не удалось построить график:",
        "Хронология графигін салу мүмкін болмады:",
    ),
    "chart_needs_js": w(
        "The timeline chart needs JavaScript.", "Для графика нужен JavaScript.", "Графикке JavaScript керек."
    ),
    "chart_actions": w("Save the chart", "Сохранить график", "Графикті сақтау"),
    "save_png": w("Save as PNG", "Сохранить как PNG", "PNG ретінде сақтау"),
    "save_svg": w("Save as SVG", "Сохранить как SVG", "SVG ретінде сақтау"),
    "offline_note": w(
        "This file works offline: it loads nothing from the network.",
        "Этот файл работает без сети: он ничего не загружает из интернета.",
        "Бұл файл желісіз жұмыс істейді: ол желіден ештеңе жүктемейді.",
    ),
    "records_total": w(
        "{version}, {n} records in the data",
        "{version}, записей в данных: {n}",
        "{version}, деректердегі жазбалар: {n}",
    ),
    "records_in_view": w("Records in view", "Записей в виде", "Көріністегі жазбалар"),
    "map_caption": w("{city}: {districts}.", "{city}: {districts}.", "{city}: {districts}."),
    "timeline_caption": w(
        "Detained per day by city (lowest defensible to highest reported) and the official national totals, "
        "each over its own period, {start} – {end}.",
        "Задержано за день по городам (от минимально обоснованного до наибольшего сообщённого) и официальные "
        "общенациональные цифры, каждая за свой период, {start} – {end}.",
        "Қалалар бойынша бір күнде ұсталғандар (ең аз негізделгеннен ең көп хабарланғанға дейін) және елдің "
        "ресми жалпы сандары, әрқайсысы өз кезеңі үшін, {start} – {end}.",
    ),
    "no_districts": w(
        "No district layer is in force for {city} on {date}.",
        "Для {city} на {date} нет действующего слоя районов.",
        "{city} үшін {date} күні қолданыстағы аудандар қабаты жоқ.",
    ),
}
