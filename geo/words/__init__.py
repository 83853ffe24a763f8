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
from geo.words._figures import FIGURES
from geo.words._pages import PAGES

__all__ = [
    "FALLBACK",
    "GLOSSARY",
    "LANGUAGES",
    "WORDS",
    "attribution_text",
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
#: Every word shown, keyed once: the pages' (``_pages``) and the figures' (``_figures``).
WORDS: dict[str, dict[str, str]] = {**PAGES, **FIGURES}
if len(WORDS) != len(PAGES) + len(FIGURES):  # a key in both tables would hide one of its entries
    raise ValueError(f"keys in both word tables: {sorted(set(PAGES) & set(FIGURES))}")


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


# --------------------------------------------------------------------------- attributions

#: The phrases of the attribution lines geo.boundaries writes (English) in each language.
#: OpenStreetMap's attribution may be given in the map's language: the name stays, the
#: word "contributors" is translated (as OpenStreetMap's own Russian pages write it).
_ATTRIBUTION_PHRASES: list[tuple[str, dict[str, str]]] = [
    ("OpenStreetMap contributors", {"ru": "участники OpenStreetMap", "kk": "OpenStreetMap қатысушылары"}),
    ("Districts: ", {"ru": "Районы: ", "kk": "Аудандар: "}),
    ("Astana city GIS", {"ru": "ГИС города Астаны", "kk": "Астана қаласының ГАЖ"}),
    ("licence not established", {"ru": "лицензия не установлена", "kk": "лицензиясы анықталмаған"}),
    ("licence not stated", {"ru": "лицензия не указана", "kk": "лицензиясы көрсетілмеген"}),
    ("source not stated", {"ru": "источник не указан", "kk": "дереккөзі көрсетілмеген"}),
    ("licence: ", {"ru": "лицензия: ", "kk": "лицензиясы: "}),
]


def attribution_text(line: str, lang: str = "en") -> str:
    """An attribution line of :mod:`geo.boundaries` (English) in ``lang``; names, URLs and licences stay."""
    if lang == "en":
        return line
    for english, translations in _ATTRIBUTION_PHRASES:
        line = line.replace(english, translations.get(lang, english))
    return line
