"""geo.words: one table of words in three languages, one fallback rule, one way to write counts."""

from __future__ import annotations

import re

import pytest

from geo.aggregate import detained_range
from geo.words import (
    FALLBACK,
    GLOSSARY,
    LANGUAGES,
    WORDS,
    capital,
    missing,
    number,
    plural_key,
    range_text,
    reason_text,
    word,
)

_FIELD = re.compile(r"\{(\w+)\}")


def test_every_key_has_every_language():
    lacking = {lang: missing(lang) for lang in LANGUAGES}
    assert lacking == {"en": [], "ru": [], "kk": []}, f"keys without a word of their own: {lacking}"


@pytest.mark.parametrize("key", sorted(WORDS))
def test_every_word_is_written_in_its_language_with_the_same_fields(key):
    entry = WORDS[key]
    assert set(entry) == set(LANGUAGES), key
    fields = {lang: sorted(_FIELD.findall(text)) for lang, text in entry.items()}
    assert fields["ru"] == fields["en"] == fields["kk"], (key, fields)
    letters = re.sub(r"\{\w+\}|protest-map|PDF|HTML|PNG|CSV|GeoJSON|SVG|UTC|JavaScript|A4|http/https", "", entry["en"])
    if re.search("[A-Za-z]{2}", letters):  # words, not only placeholders, names and formats
        for lang in ("ru", "kk"):
            assert re.search("[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]", entry[lang]), (key, lang, entry[lang])
            rest = re.sub(
                r"\{\w+\}|protest-map|PDF|HTML|PNG|CSV|GeoJSON|SVG|UTC|JavaScript|A4|http/https", "", entry[lang]
            )
            assert not re.search(r"\b[A-Za-z]{3,}\b", rest), (key, lang, entry[lang])


def test_kazakh_uses_its_own_letters_somewhere():
    kazakh = " ".join(entry["kk"] for entry in WORDS.values())
    assert set("әғқңөұүі") <= set(kazakh)


def test_one_fallback_rule():
    assert FALLBACK == {"en": ("en",), "ru": ("ru", "en"), "kk": ("kk", "ru", "en")}
    WORDS["_test_only_en"] = {"en": "only English"}
    WORDS["_test_ru"] = {"en": "English", "ru": "по-русски"}
    try:
        assert word("_test_only_en", "kk") == word("_test_only_en", "ru") == "only English"
        assert word("_test_ru", "kk") == "по-русски"
        assert missing("kk")[:2] == ["_test_only_en", "_test_ru"]
    finally:
        del WORDS["_test_only_en"], WORDS["_test_ru"]
    assert word("at_least", "kk", n=number(1234, "kk")) == "кемінде 1\u202f234"
    assert word("page", "ru", n=2, total=5) == "Страница 2 из 5"


def test_one_way_to_write_counts():
    assert [number(4000, lang) for lang in LANGUAGES] == ["4,000", "4\u202f000", "4\u202f000"]
    assert [range_text(100, None, lang) for lang in LANGUAGES] == ["at least 100", "не менее 100", "кемінде 100"]
    assert range_text(30, 100, "ru") == "30–100" and range_text(700, 700, "en") == "700"
    assert range_text(None, None, "en") == "" and range_text(float("nan"), 5, "en") == ""
    import pandas as pd

    assert range_text(1500, pd.NA, "kk") == "кемінде 1\u202f500"


def test_one_word_for_an_event_everywhere():
    assert word("event_rally", "ru") == "митинг"  # the timeline said «акция протеста», the map «Митинг»
    assert capital(word("event_rally", "ru")) == "Митинг" and capital(word("event_detention", "kk")) == "Ұстау"


@pytest.mark.parametrize(
    "n, ru, en",
    [
        (1, "one", "one"),
        (2, "few", "many"),
        (5, "many", "many"),
        (11, "many", "many"),
        (21, "one", "many"),
        (112, "many", "many"),
    ],
)
def test_plurals(n, ru, en):
    assert plural_key("badge", n, "ru") == f"badge_{ru}"
    assert plural_key("badge", n, "en") == f"badge_{en}"
    assert word(plural_key("badge", n, "kk"), "kk", n=n).startswith(f"{n} жазба")


def test_the_glossary_explains_words_of_the_table():
    assert {"detained", "event_rally", "at_least", "district", "precision"} <= set(GLOSSARY)
    for term, note in GLOSSARY.items():
        assert note and (term in WORDS or term == "floor"), term


@pytest.mark.parametrize(
    "area,start,end",
    [
        ("national", "2019-06-09", "2019-06-13"),
        ("national", "2019-06-09", "2019-06-10"),
        ("almaty", "2019-06-09", "2019-06-10"),
        ("astana", "2019-06-09", "2019-06-13"),
        ("national", "2022-01-02", "2022-01-11"),
        ("almaty", "2022-01-04", "2022-01-07"),
        # detentions without a number, figures reaching beyond the window, inferred start days
        ("national", "2019-06-11", "2019-06-11"),
        ("national", "2022-01-03", "2022-01-31"),
        ("almaty/almaly", "2019-06-09", "2019-06-13"),
        ("national", "2019-06-09", "2019-06-12"),
    ],
)
def test_every_reason_the_data_gives_reads_in_russian_and_kazakh(embedded_joined, area, start, end):
    reasons = [a.reason for a in detained_range(embedded_joined, area=area, start=start, end=end).alternatives]
    assert reasons, "this window should have figures that were not used"
    for reason in reasons:
        assert reason_text(reason, "en") == reason
        for lang in ("ru", "kk"):
            said = reason_text(reason, lang)
            # record ids are upper case; the sources' own wording of a count ('dozens') is quoted data
            assert not re.search(r"\b[a-z]{3,}\b", re.sub(r"'[^']*'", "", said)), (reason, lang, said)
        assert reason_text(reason, "kk") != reason_text(reason, "ru")
