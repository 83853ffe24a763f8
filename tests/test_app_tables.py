"""The app's tables and names in the chosen language, driven through AppTest as in test_app.py.

Column titles are the words table's, no cell reads ``None``, numbers are written one way per
language, the Districts page gives the map's range text, and a city is named as it was
called on the view's dates.
"""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest
from test_app import _boundaries, _navigation_like_the_server, open_page  # noqa: F401 (autouse fixtures)

from geo.words import number, range_text, word

JUNE = {"from": "2019-06-09", "to": "2019-06-13"}
#: What must never be seen in a cell: Python's, pandas' and NumPy's names for "nothing".
NOTHING = {"None", "nan", "NaN", "<NA>", "NaT", "null", ""}


def _cells(frame: pd.DataFrame) -> list:
    return [v for column in frame.columns for v in frame[column].tolist()]


def _no_nothing(frame: pd.DataFrame, *, links: tuple[str, ...] = ()) -> None:
    """No cell is None, NaN or a text of theirs (a link cell may be blank: it has no link)."""
    for column in frame.columns:
        for value in frame[column].tolist():
            assert value is not None and not (isinstance(value, float) and math.isnan(value)), (column, value)
            if isinstance(value, list):
                continue
            if column in links and value == "":
                continue
            assert str(value) not in NOTHING, (column, value)


RECORD_COLUMNS = (
    "record",
    "date",
    "time",
    "city",
    "event",
    "place",
    "district",
    "detained",
    "summary",
    "source",
    "all_sources",
    "source_names",
)


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_the_sources_tables_are_titled_in_the_chosen_language(lang):
    at = open_page("pages/views/sources.py", city="almaty", lang=lang)
    records, disputed, considered = (d.value for d in at.dataframe)
    assert list(records.columns) == [word(k, lang) for k in RECORD_COLUMNS]
    assert list(disputed.columns) == [
        word(k, lang) for k in ("record", "date", "city", "detained", "source_names", "contested_by", "notes")
    ]
    assert list(considered.columns) == [word(k, lang) for k in ("record", "detained", "reason")]
    for frame in (records, disputed, considered):
        _no_nothing(frame, links=(word("source", lang),))
        assert not {"record_id", "detained_low", "detained_high", "reason", "contested_by"} & set(frame.columns)
    rows = records.set_index(word("record", lang))
    # an unknown clock time and a record in no district: an em dash, not None
    assert rows.loc["ALA-20190609-06", word("time", lang)] == "—"
    assert rows.loc["ALA-20190609-06", word("district", lang)] == "—"
    # the district in the chosen language, from the boundary files
    almaly = {"ru": "Алмалинский район", "kk": "Алмалы ауданы"}[lang]
    assert almaly in set(rows[word("district", lang)])
    # figures as ranges in the language; the event type translated; the data's ids as they are
    assert rows.loc["ALA-20190609-02", word("detained", lang)] == word("at_least", lang, n="100")
    assert rows.loc["ALA-20190609-02", word("event", lang)] == word("event_detention", lang)
    assert rows.loc["ALA-20190609-02", word("city", lang)] == "Алматы"
    assert [b.label for b in at.get("download_button")] == [word("download_csv", lang), word("download_geojson", lang)]


def test_the_overview_basis_tables_name_the_city_as_it_was_then():
    at = open_page("pages/views/overview.py", lang="ru", **JUNE)
    basis, considered = (d.value for d in at.dataframe)
    assert list(basis.columns) == [
        word(k, "ru") for k in ("record", "date", "city", "detained", "summary", "source_names")
    ]
    assert list(considered.columns) == ["Запись", "Задержано", "Почему не использовано"]
    assert basis.set_index("Запись").loc["KZ-20190618-01", "Задержано"] == "4\u202f000"
    assert basis.set_index("Запись").loc["KZ-20190618-01", "Город"] == "Казахстан, вся страна"
    rows = considered.set_index("Запись")
    assert rows.loc["ALA-20190609-02", "Задержано"] == "не менее 100"
    for frame in (basis, considered):
        _no_nothing(frame)
    # the headline is written as every number of the language is
    assert at.metric[0].value == "4\u202f000"


def _june_district_table(city: str, folder) -> pd.DataFrame:
    from datetime import date

    from geo.boundaries import load_boundaries
    from geo.districts import district_table
    from geo.filters import Filters, filter_records
    from geo.join import join_incidents
    from geo.records import load_embedded_records

    bset = load_boundaries(folder)
    start, end = date(2019, 6, 9), date(2019, 6, 13)
    records = filter_records(join_incidents(load_embedded_records(), bset), Filters(start=start, end=end))
    return district_table(records, bset, city_id=city, start=start, end=end)


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_districts_show_the_maps_range_text_for_every_row(lang, boundary_real_dir):
    at = open_page("pages/views/districts.py", city="almaty", lang=lang, **JUNE)
    (table,) = (d.value for d in at.dataframe)
    _no_nothing(table)
    rows = table.set_index(word("district", lang))
    almaly = {"en": "Almaly", "ru": "Алмалинский район", "kk": "Алмалы ауданы"}[lang]
    # the district table the map is shaded from (geo.districts.district_table): Almaly is open-ended
    source = _june_district_table("almaty", boundary_real_dir)
    row = source[source["name_en"] == "Almaly"].iloc[0]
    assert (row["detained_low"], row["detained_high"] is pd.NA) == (230, True)
    assert rows.loc[almaly, word("detained", lang)] == range_text(row["detained_low"], row["detained_high"], lang)
    assert (
        rows.loc[almaly, word("detained", lang)]
        == {"en": "at least 230", "ru": "не менее 230", "kk": "кемінде 230"}[lang]
    )
    # the remainders: city level and the national figure no source splits by city, as ranges too
    city_level = table.iloc[-2]
    national = table.iloc[-1]
    assert city_level[word("detained", lang)] == word("at_least", lang, n="0")
    assert national[word("detained", lang)] == word("at_least", lang, n=number(3562, lang))
    assert national[word("area_km2", lang)] == "—" and national[word("per_km2", lang)] == "—"
    # one number format per language: a decimal comma in Russian and Kazakh
    area = rows.loc[almaly, word("area_km2", lang)]
    assert re.fullmatch(r"\d+\.\d" if lang == "en" else r"\d+,\d", area), area


def test_districts_page_names_the_city_as_it_was_then():
    at = open_page("pages/views/districts.py", city="astana", lang="kk", **JUNE)
    assert [s.value for s in at.subheader] == ["Нұр-Сұлтан"]
    at = open_page("pages/views/districts.py", city="astana", **{"from": "2023-01-01", "to": "2023-01-31"})
    assert [s.value for s in at.subheader] == ["Astana"]


@pytest.mark.parametrize(
    "dates,lang,label",
    [
        (JUNE, "en", "Detained, Nur-Sultan"),
        (JUNE, "ru", "Задержано, Нур-Султан"),
        (JUNE, "kk", "Ұсталғандар, Нұр-Сұлтан"),
        ({"from": "2023-01-01", "to": "2023-12-31"}, "en", "Detained, Astana"),
        ({"from": "2023-01-01", "to": "2023-12-31"}, "ru", "Задержано, Астана"),
        ({"from": "2022-09-01", "to": "2022-09-30"}, "en", "Detained, Nur-Sultan / Astana"),
    ],
)
def test_the_overview_names_the_city_as_it_was_called(dates, lang, label):
    at = open_page("pages/views/overview.py", city="astana", lang=lang, **dates)
    assert at.metric[0].label == label
    assert word("overview_intro", lang) in at.caption[0].value


def test_the_sources_figure_names_its_area_in_the_chosen_language():
    at = open_page("pages/views/sources.py", city="astana", lang="ru", **JUNE)
    assert at.metric[0].label == "Задержано (Нур-Султан, 2019-06-09 – 2019-06-13)"
    at = open_page("pages/views/sources.py", lang="kk", **JUNE)
    assert at.metric[0].label == "Ұсталғандар (Қазақстан, бүкіл ел, 2019-06-09 – 2019-06-13)"


def test_long_lists_show_their_first_thousand_and_say_how_many(monkeypatch, tmp_path):
    """1,200 detentions reported without a number: the figures considered are listed 1,000 at a time."""
    from benchmarks.join import synthetic_records
    from benchmarks.scale import complete
    from benchmarks.timing import reference_boundaries
    from geo.store import open_store
    from pages.ui import data
    from pages.ui.tables import TABLE_LIMIT

    records = complete(synthetic_records(reference_boundaries(), 1_200, 3)).assign(event_type="detention")
    store = tmp_path / "store.sqlite"
    open_store(store).write("many", records, kind="import")
    monkeypatch.setenv("PROTESTMAP_STORE", str(store))
    data.forget_records()
    view = {"data": "many", "from": "2019-01-01", "to": "2025-12-31"}
    try:
        sources = open_page("pages/views/sources.py", **view)
        overview = open_page("pages/views/overview.py", **view)
    finally:
        data.forget_records()
    said = "The first 1,000 of 1,200 figures considered; every record is in the CSV download on the Sources page"
    for at in (sources, overview):
        assert said in [c.value for c in at.caption]
        considered = [d.value for d in at.dataframe if list(d.value.columns) == ["Record", "Detained", "Why not used"]]
        assert [len(frame) for frame in considered] == [TABLE_LIMIT]
        assert considered[0]["Record"].tolist() == sorted(records["record_id"])[:TABLE_LIMIT]


def test_a_long_record_list_shows_its_first_records_by_date_then_id():
    """Past the limit a table lists the first records by date, then record id (ties kept in their order)."""
    from streamlit.testing.v1 import AppTest

    def page():
        import numpy as np
        import pandas as pd

        from benchmarks.join import synthetic_records
        from benchmarks.scale import complete
        from benchmarks.timing import reference_boundaries
        from geo.join import join_incidents
        from pages.ui import tables

        bset = reference_boundaries()
        records = join_incidents(complete(synthetic_records(bset, 1_500, 5)), bset)
        rng = np.random.default_rng(2)
        records["date"] = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 30, len(records)), unit="D")
        records.loc[records.index[::7], "date"] = pd.NaT  # undated ones last
        tables.table(records.sample(frac=1, random_state=4), "en", limit=400)

    at = AppTest.from_function(page, default_timeout=120).run()
    assert not at.exception
    (frame,) = [d.value for d in at.dataframe]
    assert "The first 400 of 1,500" in " ".join(c.value for c in at.caption)
    shown = list(zip(frame["Date"], frame["Record"]))
    assert len(shown) == 400
    dated = [(d, r) for d, r in shown if d != "—"]
    assert dated == sorted(dated)  # by date, then by record id
    assert len(dated) == 400  # 1,286 dated records: the undated come after them all


def test_a_large_views_records_are_listed_on_the_map_page_when_asked(monkeypatch, tmp_path):
    """Past 1,000 records the Map page draws its map and lists the records when the reader asks."""
    from benchmarks.join import synthetic_records
    from benchmarks.scale import complete
    from benchmarks.timing import reference_boundaries
    from geo.store import open_store
    from pages.ui import data

    records = complete(synthetic_records(reference_boundaries(), 2_600, 4)).assign(geo_precision=1)
    store = tmp_path / "store.sqlite"
    open_store(store).write("many", records, kind="import")
    monkeypatch.setenv("PROTESTMAP_STORE", str(store))
    monkeypatch.setenv("PROTESTMAP_CACHE", str(tmp_path / "cache"))
    data.forget_records()
    try:
        at = open_page("pages/views/map.py", data="many", city="almaty", **{"from": "2019-01-01", "to": "2025-12-31"})
        placed = int(re.sub(r"\D", "", next(c.value for c in at.caption if "records shown" in c.value.lower())))
        assert placed > 1_000
        assert [len(d.value) for d in at.dataframe] == [0]  # the city-level list (none), not yet the records
        (toggle,) = at.toggle
        assert toggle.label == f"List them: the first 1,000 of {number(placed, 'en')} records (by date)"
        toggle.set_value(True).run()
        assert [len(d.value) for d in at.dataframe] == [0, 1_000]
        assert "The first 1,000 of" in " ".join(c.value for c in at.caption)
        at.run()  # the reader's choice stays
        assert [len(d.value) for d in at.dataframe] == [0, 1_000]
    finally:
        data.forget_records()
