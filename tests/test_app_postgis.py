"""The app on a team's PostGIS store: the same pages and figures, the join and the district table in SQL."""

from __future__ import annotations

from unittest.mock import patch

import pandas as pd
import streamlit as st
from test_app import open_page

import geo.postgis._districts as sql_districts
import geo.postgis._join as sql_join
from geo.store import open_store


def districts_table(**query) -> pd.DataFrame:
    return open_page("pages/views/districts.py", **query).dataframe[0].value


def test_the_districts_page_on_postgis_shows_the_embedded_stores_table_counted_in_sql(postgis_url, monkeypatch):
    query = {"city": "almaty", "from": "2019-06-09", "to": "2019-06-13"}
    embedded = districts_table(**query)  # the session's SQLite store

    monkeypatch.setenv("PROTESTMAP_STORE", postgis_url)
    st.cache_data.clear()  # a server keeps one store; this process changed it
    calls = {"located": 0, "window": 0}
    located, window = sql_join._locate_in_database, sql_districts._claims_frame

    def count(name, real):
        def wrapped(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)

        return wrapped

    with (
        patch.object(sql_join, "_locate_in_database", count("located", located)),
        patch.object(sql_districts, "_claims_frame", count("window", window)),
    ):
        ours = districts_table(**query)
    pd.testing.assert_frame_equal(ours, embedded)
    assert calls["located"] == 1 and calls["window"] >= 1  # placed by PostGIS once; the tables' windows from SQL
    assert [d.name for d in open_store(postgis_url).datasets()] == ["embedded"]  # written there on first use
    assert ours.iloc[0]["District"] == "Almaly" and ours["Incidents"].astype(int).sum() > 0


def test_the_overview_on_postgis_gives_the_seed_reports_figure(postgis_url, monkeypatch):
    monkeypatch.setenv("PROTESTMAP_STORE", postgis_url)
    at = open_page("pages/views/overview.py", **{"from": "2019-06-09", "to": "2019-06-10"})
    values = {m.label: m.value for m in at.metric}
    assert values["Detained, whole country"] == "700"
