"""The words of the app's pages: navigation, filters, page text, the Import page, a public deployment's notices.

Part of :data:`geo.words.WORDS` (one key, one entry in English, Russian and Kazakh).
"""

from __future__ import annotations


def w(en: str, ru: str, kk: str) -> dict[str, str]:
    """One entry of the table: a word in each language."""
    return {"en": en, "ru": ru, "kk": kk}


PAGES: dict[str, dict[str, str]] = {
    # ---- the app and its pages
    "app_title": w("protest-map", "protest-map", "protest-map"),
    "overview": w("Overview", "Обзор", "Шолу"),
    "map": w("Map", "Карта", "Карта"),
    "timeline": w("Timeline", "Хронология", "Хронология"),
    "districts": w("Districts", "Районы", "Аудандар"),
    "sources": w("Sources", "Источники", "Дереккөздер"),
    "briefing": w("Briefing", "Справка", "Анықтама"),
    "import": w("Import", "Импорт", "Импорт"),
    "filters": w("Filters", "Фильтры", "Сүзгілер"),
    "language": w("Language", "Язык", "Тіл"),
    "city": w("City", "Город", "Қала"),
    "all_cities": w("Both cities and national", "Оба города и вся страна", "Екі қала және бүкіл ел"),
    "dates": w("Dates", "Даты", "Күндер"),
    "event_types": w("Event types", "Типы событий", "Оқиға түрлері"),
    "precision": w("Place known to", "Точность места", "Орын дәлдігі"),
    "prec_1": w("1 named place", "1 названное место", "1 аталған орын"),
    "prec_2": w("2 part of a city", "2 часть города", "2 қаланың бір бөлігі"),
    "prec_3": w("3 city only", "3 только город", "3 тек қала"),
    "prec_4": w("4 country only", "4 только страна", "4 тек ел"),
    "metric": w("Shade districts by", "Закрасить районы по", "Аудандарды бояу"),
    "metric_detained": w("detentions", "задержаниям", "ұстаулар бойынша"),
    "metric_incidents": w("incidents", "инцидентам", "оқиғалар бойынша"),
    "datasets": w("Datasets", "Наборы данных", "Деректер жиындары"),
    "dataset_embedded": w("Shipped dataset", "Встроенный набор", "Кіріктірілген жиын"),
    "share": w(
        "Copy the page address to share this exact view.",
        "Скопируйте адрес страницы, чтобы поделиться этим видом.",
        "Дәл осы көріністі бөлісу үшін беттің мекенжайын көшіріңіз.",
    ),
    "detained_national": w("Detained, whole country", "Задержано по стране", "Ұсталғандар, бүкіл ел"),
    "detained_in": w("Detained, {area}", "Задержано, {area}", "Ұсталғандар, {area}"),
    "journalists": w(
        "Journalists detained or assaulted",
        "Журналисты задержаны или избиты",
        "Ұсталған, ұрылған журналистер",  # the long form («немесе соққыға жығылған») is cut off in a metric
    ),
    "rallies": w("Rallies", "Митинги", "Митингілер"),
    "basis_heading": w("What this figure rests on", "На чём основана цифра", "Бұл сан неге сүйенеді"),
    "considered": w(
        "Figures considered and not used for the floor",
        "Рассмотренные, но не использованные для нижней оценки цифры",
        "Қаралған, бірақ төменгі шекке алынбаған сандар",
    ),
    "key_dates": w("Key dates", "Ключевые даты", "Негізгі күндер"),
    "records_shown": w("records shown", "записей показано", "көрсетілген жазбалар"),
    "city_level": w(
        "Known only to city level (not on the map)",
        "Известно только до уровня города (не на карте)",
        "Тек қала деңгейінде белгілі (картада жоқ)",
    ),
    "clear_selection": w("Show all records", "Показать все записи", "Барлық жазбаларды көрсету"),
    "day": w("Day", "День", "Күн"),
    "all_days": w("All days", "Все дни", "Барлық күндер"),
    "no_boundaries": w(
        "District boundaries are not configured", "Границы районов не настроены", "Аудан шекаралары бапталмаған"
    ),
    "no_boundaries_how": w(
        "Without them the maps show incidents in no district and the figures are by city. To get districts, "
        "restore the folder {folder} ({restore}), point {setting} at a folder of boundary files, or run "
        "{command} on a machine with a network.",
        "Без них карты показывают инциденты вне районов, а цифры — по городам. Чтобы вернуть районы, "
        "восстановите папку {folder} ({restore}), укажите в {setting} папку с файлами границ или "
        "выполните {command} на компьютере с сетью.",
        "Оларсыз карталар оқиғаларды аудансыз көрсетеді, ал сандар қалалар бойынша. Аудандарды қайтару үшін "
        "{folder} қалтасын қалпына келтіріңіз ({restore}), {setting} айнымалысында шекара файлдары бар "
        "қалтаны көрсетіңіз немесе желісі бар компьютерде {command} орындаңыз.",
    ),
    "details": w("Details", "Подробности", "Толығырақ"),
    "download_csv": w("Download CSV", "Скачать CSV", "CSV жүктеп алу"),
    "download_geojson": w("Download GeoJSON", "Скачать GeoJSON", "GeoJSON жүктеп алу"),
    "hour_of_day": w("Hour of day (where reported)", "Час дня (где известен)", "Тәулік сағаты (белгілі болса)"),
    "place": w("Place", "Место", "Орын"),
    "event": w("Event", "Событие", "Оқиға"),
    "summary": w("Summary", "Краткое описание", "Қысқаша сипаттама"),
    "source": w("Source", "Источник", "Дереккөз"),
    "source_names": w("Reported by", "Кто сообщил", "Кім хабарлады"),
    "per_km2": w("Detained per km²", "Задержано на км²", "Бір км²-ге ұсталғандар"),
    "incidents_per_km2": w("Incidents per km²", "Инцидентов на км²", "Бір км²-ге оқиғалар"),
    "detained_low": w("Detained (at least)", "Задержано (не менее)", "Ұсталғандар (кемінде)"),
    "detained_high": w("Detained (highest reported)", "Задержано (наибольшее)", "Ұсталғандар (ең көп хабарланғаны)"),
    "reason": w("Why not used", "Почему не использовано", "Неге алынбады"),
    # ---- table columns
    "time": w("Time", "Время", "Уақыты"),
    "all_sources": w("All sources", "Все источники", "Барлық дереккөздер"),
    "name_in_en": w("In English", "По-английски", "Ағылшынша"),
    "name_in_ru": w("In Russian", "По-русски", "Орысша"),
    "name_in_kk": w("In Kazakh", "По-казахски", "Қазақша"),
    "overview_intro": w(
        "Protest incidents and arrests in Almaty and Nur-Sultan (Astana), Kazakhstan.",
        "Протесты и задержания в Алматы и Нур-Султане (Астане), Казахстан.",
        "Алматы мен Нұр-Сұлтандағы (Астанадағы) наразылықтар мен ұстаулар, Қазақстан.",
    ),
    "brief_intro": w(
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
    "brief_prepare": w("Prepare the briefing pack", "Подготовить справку", "Анықтаманы дайындау"),
    "brief_stale": w(
        "The filters changed since the pack was prepared: prepare it again.",
        "Фильтры изменились после подготовки: подготовьте справку заново.",
        "Анықтама дайындалғаннан кейін сүзгілер өзгерді: оны қайта дайындаңыз.",
    ),
    "brief_ready": w("Pack prepared", "Справка готова", "Анықтама дайын"),
    "brief_step_figures": w("Reconciling the figures", "Сверка цифр", "Сандарды салыстыру"),
    "brief_step_map": w("Drawing the map", "Рисование карты", "Картаны салу"),
    "brief_step_timeline": w("Drawing the timeline", "Рисование хронологии", "Хронологияны салу"),
    "brief_step_pdf": w("Laying out the PDF", "Вёрстка PDF", "PDF беттеу"),
    "brief_step_html": w("Writing the HTML file", "Запись HTML-файла", "HTML файлын жазу"),
    "download_pdf": w("Briefing PDF (A4)", "Справка PDF (A4)", "Анықтама PDF (A4)"),
    "download_html": w(
        "Briefing HTML (works offline)", "Справка HTML (работает без сети)", "Анықтама HTML (желісіз жұмыс істейді)"
    ),
    "download_map_png": w("Map as PNG", "Карта в PNG", "Карта PNG түрінде"),
    "download_timeline_png": w("Timeline as PNG", "Хронология в PNG", "Хронология PNG түрінде"),
    "no_boundaries_brief": w(
        "Without district boundaries the pack has figures by city, no maps.",
        "Без границ районов в справке только цифры по городам, без карт.",
        "Аудан шекараларынсыз анықтамада тек қалалар бойынша сандар бар, карта жоқ.",
    ),
    # ---- the Import page (names and formats in {fields}: the same in every language)
    "import_public": w(
        "This is a public deployment: nothing can be imported here.",
        "Это публичная версия: импорт здесь недоступен.",
        "Бұл жария нұсқа: мұнда импорт қолжетімсіз.",
    ),
    "import_intro": w(
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
    "import_store_error": w(
        "The dataset store cannot be opened: {problem}",
        "Не удаётся открыть хранилище наборов данных: {problem}",
        "Деректер жиындарының қоймасын ашу мүмкін емес: {problem}",
    ),
    "import_file": w("File", "Файл", "Файл"),
    "import_too_large": w(
        "{name} is {size} MB; this page takes files up to {mb} MB. Import larger files with `{command}`.",
        "Файл {name} весит {size} МБ, а эта страница принимает файлы до {mb} МБ. Файлы больше импортируйте "
        "командой `{command}`.",
        "{name} файлының көлемі {size} МБ, ал бұл бет {mb} МБ-қа дейінгі файлдарды қабылдайды. Үлкенірек "
        "файлдарды `{command}` командасымен импорттаңыз.",
    ),
    "import_upload_failed": w(
        "The file could not be kept for the import: {reason}",
        "Не удалось сохранить файл для импорта: {reason}",
        "Импорт үшін файлды сақтау мүмкін болмады: {reason}",
    ),
    "import_read": w(
        "{rows} rows, {encoding}, delimiter {delimiter}; detected format: **{format}**",
        "Строк: {rows}, кодировка {encoding}, разделитель {delimiter}; определён формат: **{format}**",
        "Жолдар: {rows}, кодтау {encoding}, бөлгіш {delimiter}; анықталған формат: **{format}**",
    ),
    "import_format": w("Format", "Формат", "Формат"),
    "import_format_native": w(
        "native (protest-map CSV/GeoJSON)",
        "собственный (CSV/GeoJSON protest-map)",
        "өз форматы (protest-map CSV/GeoJSON)",
    ),
    "import_format_acled": w("{name} export", "выгрузка {name}", "{name} экспорты"),
    "import_format_ccc": w("{name}-style sheet", "таблица в стиле {name}", "{name} үлгісіндегі кесте"),
    "import_format_mapped": w(
        "any CSV, columns mapped by hand",
        "любой CSV, столбцы сопоставляются вручную",
        "кез келген CSV, бағандар қолмен сәйкестендіріледі",
    ),
    "import_mapping_title": w(
        "Which column is which", "Какой столбец чему соответствует", "Қай баған неге сәйкес келеді"
    ),
    "import_no_column": w("(none)", "(нет)", "(жоқ)"),
    "import_acled_title": w(
        "How {acled} events are typed", "Как типизируются события {acled}", "{acled} оқиғаларының түрі"
    ),
    "import_acled_intro": w(
        "Each {acled} sub-event type of the file and the protest-map type it becomes; change one if you "
        "disagree. Before these, three rules apply: a journalist as the target makes a journalist event, an "
        "attack by the police or the army is police violence, and a protest for which {acled} states an arrest "
        "count is a detention of that many. A type left blank is not imported (its rows are rejected). Each "
        "record's {column} column says which rule typed it and where its counts came from.",
        "Каждый тип подсобытия {acled} из файла и тип protest-map, которым он станет; измените, если не "
        "согласны. Прежде них действуют три правила: журналист как объект делает событие журналистским, "
        "нападение полиции или армии — это насилие полиции, а протест, для которого {acled} указывает число "
        "задержанных, — задержание стольких людей. Тип, оставленный пустым, не импортируется (его строки "
        "отклоняются). Столбец {column} каждой записи говорит, каким правилом она типизирована и откуда "
        "её числа.",
        "Файлдағы әр {acled} ішкі оқиға түрі және ол айналатын protest-map түрі; келіспесеңіз, өзгертіңіз. "
        "Олардан бұрын үш ереже қолданылады: нысана журналист болса, оқиға журналистік болады; полиция "
        "немесе армия шабуылы — полиция зорлығы; {acled} ұсталғандар санын көрсеткен наразылық — сонша "
        "адамды ұстау. Бос қалған түр импортталмайды (оның жолдары қабылданбайды). Әр жазбаның {column} "
        "бағаны оны қай ереже түрлегенін және сандары қайдан алынғанын айтады.",
    ),
    "import_candidates_title": w("Possible duplicates", "Возможные повторы", "Ықтимал қайталаулар"),
    "import_candidates_intro": w(
        "{n} records of the file look like records already in the store: the same type on the same day or "
        "one day apart, in the same district or within 500 m, or a source in common. Say for each whether it "
        "is the same episode (not imported again), part of it (imported as included in it, never counted "
        "twice) or a different one; what you leave undecided is imported with a flag.",
        "{n} записей файла похожи на записи, уже сохранённые: тот же тип в тот же или соседний день, в том "
        "же районе или ближе 500 м, или общий источник. Укажите для каждой, тот же ли это эпизод (не "
        "импортируется повторно), его часть (импортируется как входящая в него, никогда не считается "
        "дважды) или другой; нерешённые импортируются с пометкой.",
        "Файлдың {n} жазбасы сақталған жазбаларға ұқсайды: бір күні немесе бір күн аралығында, бір ауданда "
        "не 500 м ішінде бір түрдегі оқиға, не ортақ дереккөз. Әрқайсысы үшін бұл сол эпизод па (қайта "
        "импортталмайды), оның бөлігі ме (соның ішіндегі ретінде импортталады, ешқашан екі рет "
        "саналмайды) әлде басқа ма, көрсетіңіз; шешілмегендері белгімен импортталады.",
    ),
    "import_cand_row": w("Row", "Строка", "Жол"),
    "import_cand_record": w("Record of the file", "Запись файла", "Файл жазбасы"),
    "import_cand_existing": w("Existing record", "Сохранённая запись", "Сақталған жазба"),
    "import_cand_dataset": w("Its dataset", "Её набор", "Оның жиыны"),
    "import_cand_days": w("Days apart", "Дней между", "Күн айырмасы"),
    "import_cand_metres": w("Metres apart", "Метров между", "Метр арақашықтық"),
    "import_cand_reason": w("Why", "Почему", "Неге"),
    "import_cand_decision": w("Decision", "Решение", "Шешім"),
    "import_decision_same": w("the same episode", "тот же эпизод", "сол эпизод"),
    "import_decision_included_in": w("part of it", "его часть", "оның бөлігі"),
    "import_decision_distinct": w("a different one", "другой", "басқа"),
    "import_acled_sub": w("{acled} sub-event type", "Тип подсобытия {acled}", "{acled} ішкі оқиға түрі"),
    "import_acled_rows": w("Rows", "Строк", "Жолдар"),
    "import_acled_native": w("protest-map type", "Тип в protest-map", "protest-map түрі"),
    "import_col_help": w(
        "The native column `{column}`", "Столбец `{column}` собственного формата", "Өз форматының `{column}` бағаны"
    ),
    "import_col_date": w("Date", "Дата", "Күні"),
    "import_col_city": w("City", "Город", "Қала"),
    "import_col_event_type": w("Event type", "Тип события", "Оқиға түрі"),
    "import_col_source_urls": w("Source links", "Ссылки на источники", "Дереккөз сілтемелері"),
    "import_col_latitude": w("Latitude", "Широта", "Ендік"),
    "import_col_longitude": w("Longitude", "Долгота", "Бойлық"),
    "import_col_geo_precision": w("Place known to", "Точность места", "Орын дәлдігі"),
    "import_col_place_name_en": w("Place name in English", "Название места на английском", "Орынның ағылшынша атауы"),
    "import_col_place_name_ru": w("Place name in Russian", "Название места на русском", "Орынның орысша атауы"),
    "import_col_detained_low": w("Detained (at least)", "Задержано (не менее)", "Ұсталғандар (кемінде)"),
    "import_col_detained_high": w(
        "Detained (highest reported)", "Задержано (наибольшее)", "Ұсталғандар (ең көп хабарланғаны)"
    ),
    "import_col_participants_low": w("Participants (at least)", "Участники (не менее)", "Қатысушылар (кемінде)"),
    "import_col_participants_high": w(
        "Participants (highest reported)", "Участники (наибольшее)", "Қатысушылар (ең көп хабарланғаны)"
    ),
    "import_col_injured": w("Injured", "Пострадавшие", "Жарақат алғандар"),
    "import_col_summary": w("Summary", "Краткое описание", "Қысқаша сипаттама"),
    "import_col_source_names": w("Reported by", "Кто сообщил", "Кім хабарлады"),
    "import_col_record_id": w("Record id", "Идентификатор записи", "Жазба идентификаторы"),
    "import_col_notes": w("Notes", "Примечания", "Ескертпелер"),
    "import_constant_city": w(
        "…or one city for every row (Almaty, Nur-Sultan, or {national} for the whole country)",
        "…или один город для всех строк (Алматы, Нур-Султан или {national} для всей страны)",
        "…немесе барлық жолдарға бір қала (Алматы, Нұр-Сұлтан немесе бүкіл ел үшін {national})",
    ),
    "import_constant_type": w(
        "…or one event type for every row ({rally}, {detention}, …)",
        "…или один тип события для всех строк (например, {rally} или {detention}; понятны и «митинг», «задержание»)",
        "…немесе барлық жолдарға бір оқиға түрі (мысалы, {rally} немесе {detention}; орысша «митинг», "
        "«задержание» де түсініледі)",
    ),
    "import_date_format": w(
        "Date format if not {formats} (e.g. {example})",
        "Формат даты, если не {formats} (например, {example})",
        "Күн форматы, егер {formats} болмаса (мысалы, {example})",
    ),
    "import_preview_title": w(
        "The first rows as they would be imported",
        "Первые строки в том виде, в каком они будут импортированы",
        "Алғашқы жолдар импортталатын түрінде",
    ),
    "import_dataset_name": w("Dataset name", "Название набора данных", "Деректер жиынының атауы"),
    "import_check": w("Check every row", "Проверить все строки", "Барлық жолдарды тексеру"),
    "import_leave_ok": w(
        "You can leave this page while the rows are checked; the result waits here.",
        "Пока строки проверяются, можно уйти с этой страницы: результат будет ждать здесь.",
        "Жолдар тексеріліп жатқанда бұл беттен кетуге болады: нәтиже осында күтеді.",
    ),
    "import_progress": w(
        "Checked {done} of {total} rows", "Проверено строк: {done} из {total}", "{total} жолдың {done} жолы тексерілді"
    ),
    "import_imported": w("Imported", "Импортировано", "Импортталды"),
    "import_of_which_flagged": w("of which flagged: {n}", "из них с пометками: {n}", "оның ішінде белгіленгені: {n}"),
    "import_flagged": w("Flagged", "С пометками", "Белгіленді"),
    "import_merged": w("Merged", "Объединено", "Біріктірілді"),
    "import_rejected": w("Rejected", "Отклонено", "Қабылданбады"),
    "import_merged_intro": w(
        "Merged into records that already exist:",
        "Объединены с уже существующими записями:",
        "Бұрыннан бар жазбалармен біріктірілді:",
    ),
    "import_rejected_intro": w(
        "Rejected rows (fix them and import the file again):",
        "Отклонённые строки (исправьте их и импортируйте файл снова):",
        "Қабылданбаған жолдар (оларды түзетіп, файлды қайта импорттаңыз):",
    ),
    "import_download_rejected": w(
        "Download the rejected rows (CSV)",
        "Скачать отклонённые строки (CSV)",
        "Қабылданбаған жолдарды жүктеп алу (CSV)",
    ),
    "import_records_intro": w(
        "Records to import (flags say what looked suspicious):",
        "Записи для импорта (пометки показывают, что выглядело подозрительно):",
        "Импортталатын жазбалар (белгілер күмәнді көрінгенін көрсетеді):",
    ),
    "import_where": w(
        "Where they fall ({city}, districts in force on {date}):",
        "Где они находятся ({city}, районы на {date}):",
        "Олар қайда орналасқан ({city}, {date} күнгі аудандар):",
    ),
    "import_go": w(
        "Import {n} records as dataset '{name}'",
        "Импортировать как набор данных «{name}» (записей: {n})",
        "{n} жазбаны «{name}» деректер жиыны ретінде импорттау",
    ),
    "import_done": w(
        "Imported {n} records as '{name}'. Choose it under Datasets in the sidebar.",
        "Импортировано записей: {n}, набор данных «{name}». Выберите его в списке «Наборы данных» на боковой панели.",
        "{n} жазба «{name}» деректер жиыны ретінде импортталды. Оны бүйірлік тақтадағы «Деректер жиындары» "
        "тізімінен таңдаңыз.",
    ),
    "import_next": w(
        "To import another file, choose it above.",
        "Чтобы импортировать другой файл, выберите его выше.",
        "Басқа файлды импорттау үшін оны жоғарыдан таңдаңыз.",
    ),
    "import_upload_button": w("Choose a file", "Выбрать файл", "Файлды таңдау"),
    "import_upload_limit": w(
        "Up to {mb} MB per file • {types}", "До {mb} МБ на файл • {types}", "Бір файлға {mb} МБ дейін • {types}"
    ),
    # ---- a public deployment (PROTESTMAP_MODE=public): what it says instead of a server path
    "public_no_boundaries": w(
        "The operator of this site can add them.",
        "Их может добавить оператор этого сайта.",
        "Оларды осы сайттың операторы қоса алады.",
    ),
    "public_store_unreadable": w(
        "The operator's datasets cannot be read just now; the embedded dataset is shown.",
        "Наборы данных оператора сейчас недоступны; показан встроенный набор данных.",
        "Оператордың деректер жиындары қазір оқылмайды; кірістірілген деректер жиыны көрсетілген.",
    ),
    "public_no_map_files": w(
        "The map cannot be drawn: its script files are missing on the server. The figures and tables still work.",
        "Карту нельзя нарисовать: на сервере нет её файлов скриптов. Цифры и таблицы доступны.",
        "Картаны салу мүмкін емес: серверде оның скрипт файлдары жоқ. Сандар мен кестелер қолжетімді.",
    ),
}
