"""The tables the pages show: column titles in the chosen language, counts as ranges, sources as links.

Every table goes through here so that they all read alike:

* column titles are words of :data:`geo.words.WORDS` in the reader's language (never
  a column name such as ``record_id`` or ``detained_low``);
* a value that is not known is an em dash (:data:`UNKNOWN`), never ``None``, ``nan``
  or ``<NA>``; a figure is :func:`geo.words.range_text` (``at least 100``, ``30–100``);
* numbers are written one way per language (:func:`geo.words.number`, and
  :func:`decimal` for areas and densities): ``1,234.5`` in English, ``1 234,5`` in
  Russian and Kazakh;
* the data's own values (record ids, summaries, source names, links) are shown as they are.

The frames are plain text (Streamlit escapes it); the pages' downloads keep the data's own columns.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import streamlit as st

from geo.boundaries import city_display_name
from geo.words import named, named_column, number, range_text, reason_text
from pages.ui import data
from pages.ui.i18n import t

#: What a table shows for a value nobody reported.
UNKNOWN = "—"

#: The records' ``city`` text -> city_id, for frames that were not joined (the join adds ``city_id``).
CITY_IDS = {"Almaty": "almaty", "Nur-Sultan": "astana", "Astana": "astana"}


def display_frame(records: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The records as the pages list them: one text column per field, titled in ``lang``."""
    sources = records["source_urls"].fillna("").astype(str).str.split()
    return pd.DataFrame(
        {
            t("record", lang): _text(records["record_id"]),
            t("date", lang): records["date"].dt.strftime("%Y-%m-%d").fillna(UNKNOWN),
            t("time", lang): _text(records["time_local"]),
            t("city", lang): city_names(records, lang),
            t("event", lang): records["event_type"].map(lambda e: t(f"event_{e}", lang)),
            t("place", lang): _text(named_column(records, "place_name", lang)),
            t("district", lang): district_names(records, lang),
            t("detained", lang): detained_texts(records, lang),
            t("summary", lang): _text(records["summary"]),
            t("source", lang): [urls[0] if urls else "" for urls in sources],  # a link cell: blank, not a dash
            t("all_sources", lang): [list(urls) for urls in sources],
            t("source_names", lang): _text(records["source_names"]),
        },
        index=records.index,
    )


#: A page lists at most this many records (the first by date), and says how many there are and where the rest is.
TABLE_LIMIT = data.TABLE_LIMIT


def table(records: pd.DataFrame, lang: str, *, compact: bool = False, limit: int = TABLE_LIMIT) -> None:
    """Render ``records`` with clickable sources: the first ``limit`` by date, the count of the rest said."""
    if len(records) > limit:  # the order from the two keys alone, then only the first rows taken
        keys = pd.DataFrame({"date": records["date"].to_numpy(), "record_id": records["record_id"].to_numpy()})
        first = records.iloc[keys.sort_values(["date", "record_id"], kind="stable").index[:limit]]
        st.caption(t("table_first", lang, shown=number(limit, lang), n=number(len(records), lang)))
        records = first
    frame = display_frame(records, lang)
    if compact:
        frame = frame[[t("record", lang), t("date", lang), t("detained", lang), t("summary", lang)]]
    show(frame, lang)


def table_on_request(records: pd.DataFrame, lang: str, *, key: str, compact: bool = False) -> None:
    """:func:`table` of ``records``; past :data:`TABLE_LIMIT` only when the reader asks (a toggle saying
    how many there are), so that a page of a large view draws its map first (a table's code and its
    thousand rows cost a Map page half a second, a filter change 0.4 s, at 100,000 incidents)."""
    if len(records) <= TABLE_LIMIT or st.toggle(
        t("table_on_request", lang, shown=number(TABLE_LIMIT, lang), n=number(len(records), lang)), key=key
    ):
        table(records, lang, compact=compact)


def show_first(rows, make, lang: str, what: str, *, total: int | None = None, limit: int = TABLE_LIMIT) -> None:
    """``show(make(rows, lang))`` of a long list's first ``limit`` entries, in its own order, saying how many
    there are (``what``: ``records``, ``discrepancies`` or ``alternatives``); the rest is never built.

    ``total``: the whole list's length when ``rows`` is already its beginning."""
    total = len(rows) if total is None else total
    if total > min(limit, len(rows)):
        shown = min(limit, len(rows))
        words = {"shown": number(shown, lang), "n": number(total, lang), "what": t(f"what_{what}", lang)}
        st.caption(t("list_first", lang, **words))
        rows = rows[:limit]
    show(make(rows, lang), lang)


def show(frame: pd.DataFrame, lang: str) -> None:
    """``st.dataframe`` as every page uses it: no index, the column's width, links clickable."""
    config = {}
    if t("source", lang) in frame.columns:
        config[t("source", lang)] = st.column_config.LinkColumn(t("source", lang))
    if t("all_sources", lang) in frame.columns:
        config[t("all_sources", lang)] = st.column_config.ListColumn(t("all_sources", lang))
    st.dataframe(frame, hide_index=True, width="stretch", column_config=config)


def basis_frame(records: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The records a figure rests on (the Overview's expander)."""
    keep = ["record", "date", "city", "detained", "summary", "source_names"]
    return display_frame(records, lang)[[t(k, lang) for k in keep]]


def discrepancy_frame(disputed: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Where sources disagree (the Sources page; the packs list the same rows)."""
    keep = ["record", "date", "city", "detained", "source_names"]
    frame = display_frame(disputed, lang)[[t(k, lang) for k in keep]]
    frame[t("contested_by", lang)] = _text(disputed["contested_by"]).to_numpy()
    frame[t("notes", lang)] = _text(disputed["notes"]).to_numpy()
    return frame


def alternatives_frame(alternatives: Iterable[dict], lang: str) -> pd.DataFrame:
    """Every figure considered and not used for the floor, with why, in ``lang``."""
    rows = list(alternatives)
    return pd.DataFrame(
        {
            t("record", lang): [a["record_id"] for a in rows],
            t("detained", lang): [range_text(a["detained_low"], a["detained_high"], lang) or UNKNOWN for a in rows],
            t("reason", lang): [reason_text(a["reason"], lang) for a in rows],
        },
        columns=[t("record", lang), t("detained", lang), t("reason", lang)],
    )


def districts_frame(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A :func:`geo.districts.district_table` as the Districts page shows it.

    The detained figure is the district's range as the map's and the packs' (``at least
    230``, ``1–100``: :func:`geo.words.range_text`), for the remainder rows too; the name
    in ``lang`` first, then in the other two languages.
    """
    others = [code for code in ("en", "ru", "kk") if code != lang]
    frame = {t("district", lang): [named(row, "name", lang) for row in table.to_dict("records")]}
    for code in others:
        frame[t(f"name_in_{code}", lang)] = _text(table[f"name_{code}"]).tolist()
    frame |= {
        t("detained", lang): detained_texts(table, lang).tolist(),
        t("incidents", lang): [number(n, lang) for n in table["incidents"]],
        t("area_km2", lang): [decimal(v, 1, lang) for v in table["area_km2"]],
        t("per_km2", lang): [decimal(v, 2, lang) for v in table["detained_per_km2"]],
        t("incidents_per_km2", lang): [decimal(v, 3, lang) for v in table["incidents_per_km2"]],
    }
    return pd.DataFrame(frame)


# --------------------------------------------------------------------------- cells


def detained_texts(frame: pd.DataFrame, lang: str) -> pd.Series:
    """Each row's detained figure: ``700``, ``30–100``, ``at least 100``; :data:`UNKNOWN` without a number."""
    return pd.Series(
        [range_text(lo, hi, lang) or UNKNOWN for lo, hi in zip(frame["detained_low"], frame["detained_high"])],
        index=frame.index,
        dtype=object,
    )


def decimal(value, digits: int, lang: str) -> str:
    """``1,234.5`` in English, ``1 234,5`` in Russian and Kazakh (as :func:`geo.words.number`); NA: :data:`UNKNOWN`."""
    if value is None or pd.isna(value):
        return UNKNOWN
    text = f"{float(value):,.{digits}f}"
    return text if lang == "en" else text.replace(",", "\u202f").replace(".", ",")


def city_names(records: pd.DataFrame, lang: str) -> pd.Series:
    """Each record's city as it was called on its date (Nur-Sultan in June 2019), in ``lang``."""
    ids = records["city_id"] if "city_id" in records.columns else records["city"].map(CITY_IDS)
    out = []
    for city, city_id, day in zip(records["city"], ids, records["date"]):
        if city == "national":
            out.append(t("national", lang))
        elif isinstance(city_id, str) and city_id in ("almaty", "astana") and pd.notna(day):
            out.append(city_display_name(city_id, pd.Timestamp(day).date(), lang))
        else:
            out.append(str(city) if isinstance(city, str) and city.strip() else UNKNOWN)
    return pd.Series(out, index=records.index, dtype=object)


def district_names(records: pd.DataFrame, lang: str) -> pd.Series:
    """Each record's district in ``lang`` (the boundary files have the three names), :data:`UNKNOWN` if none."""
    if "district_id" not in records.columns:
        return pd.Series(UNKNOWN, index=records.index, dtype=object)
    names = _district_names(lang)
    english = records["district_name_en"] if "district_name_en" in records.columns else records["district_id"]
    out = []
    for district_id, name_en in zip(records["district_id"], english):
        if not isinstance(district_id, str) or not district_id:
            out.append(UNKNOWN)  # placed in no district (city level, outside, unlocated)
        else:
            out.append(names.get(district_id) or (name_en if isinstance(name_en, str) and name_en else district_id))
    return pd.Series(out, index=records.index, dtype=object)


def _district_names(lang: str) -> dict[str, str]:
    bset, _ = data.boundaries()
    return {} if bset is None else _names_of(bset, lang)


def _names_of(bset, lang: str) -> dict[str, str]:
    """The district names of a boundary set in ``lang``, made once per set (never changed once loaded)."""
    kept = _NAMES.get((id(bset), lang))
    if kept is None or kept[0] is not bset:
        names = {
            str(row["district_id"]): named(row, "name", lang)
            for layer in bset.layers
            for row in layer.districts[["district_id", "name_en", "name_ru", "name_kk"]].to_dict("records")
        }
        if len(_NAMES) >= 12:  # a few boundary sets in three languages; an older one is let go
            _NAMES.clear()
        kept = _NAMES[(id(bset), lang)] = (bset, names)  # the set kept with them: its id stays its own
    return kept[1]


_NAMES: dict[tuple[int, str], tuple[object, dict[str, str]]] = {}


def _text(values) -> pd.Series:
    """Text cells: blank, ``None`` and NA all become :data:`UNKNOWN`."""
    series = pd.Series(values)
    text = series.astype(object).where(series.notna(), "").astype(str).str.strip()
    return text.where(text != "", UNKNOWN)
