"""View filters (URL round trip, tolerant parsing) and district tables that add up."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from geo.boundaries import load_boundaries
from geo.districts import district_table
from geo.filters import Filters, filter_records
from geo.join import join_incidents
from geo.records import load_embedded_records


def test_defaults_open_on_june_2019_and_make_an_empty_query():
    f = Filters()
    assert (f.city, f.start, f.end, f.lang) == ("all", date(2019, 6, 9), date(2019, 6, 13), "en")
    assert f.to_query() == {}
    assert Filters.from_query({}) == f


def test_query_round_trip():
    f = Filters(
        city="astana",
        start=date(2022, 1, 2),
        end=date(2022, 1, 12),
        event_types=("detention", "rally"),
        precisions=(1, 2),
        lang="ru",
        metric="incidents",
    )
    q = f.to_query()
    assert q == {
        "city": "astana",
        "from": "2022-01-02",
        "to": "2022-01-12",
        "types": "rally,detention",
        "prec": "1,2",
        "lang": "ru",
        "metric": "incidents",
    }
    back = Filters.from_query(q)
    assert back == f.but(event_types=("rally", "detention")) and back.problems == ()


def test_bad_query_values_fall_back_and_say_so():
    f = Filters.from_query(
        {
            "city": "Karaganda",
            "from": "9 June",
            "to": "2019-06-01",
            "types": "rally,<script>",
            "prec": "1,x",
            "lang": "de",
        }
    )
    assert (f.city, f.lang, f.event_types, f.precisions) == ("all", "en", ("rally",), (1,))
    assert (f.start, f.end) == (date(2019, 6, 1), date(2019, 6, 9))
    assert len(f.problems) == 6
    assert "city='karaganda' is not one of all, almaty, astana; using all" in f.problems
    assert Filters.from_query({"city": "Nur-Sultan"}).city == "astana"


@pytest.fixture
def joined(boundary_real_dir):
    boundaries = load_boundaries(boundary_real_dir)
    return boundaries, join_incidents(load_embedded_records(), boundaries)


def test_filter_records_by_period_city_type_and_precision(joined):
    _, records = joined
    view = filter_records(records, Filters())
    # the minister's 18 June statement covers 9-13 June and belongs to the view
    assert "KZ-20190618-01" in set(view["record_id"])
    assert view["period_start"].max() <= pd.Timestamp("2019-06-13")
    almaty = filter_records(records, Filters(city="almaty"))
    assert set(almaty["city"]) == {"Almaty", "national"}
    only_city = filter_records(records, Filters(city="almaty"), include_national=False)
    assert set(only_city["city"]) == {"Almaty"}
    precise = filter_records(records, Filters(precisions=(1,), event_types=("detention",)))
    assert set(precise["geo_precision"]) == {1} and set(precise["event_type"]) == {"detention"}


def test_a_view_of_every_record_is_the_frame_itself_and_changing_it_changes_only_the_view(joined):
    """No copy of a million records for a whole dataset's view (pandas takes no rows for an all-true mask,
    and copy-on-write guards the cached join); changing the view leaves the join as it was."""
    import numpy as np

    _, records = joined
    whole = Filters(start=date(2000, 1, 1), end=date(2030, 12, 31))
    view = filter_records(records, whole)
    assert len(view) == len(records) and view.index.equals(records.index)
    assert np.shares_memory(view["latitude"].to_numpy(), records["latitude"].to_numpy())
    before = records["summary"].copy()
    view.loc[view.index[0], "summary"] = "changed in the view"
    view["extra"] = 1
    assert records["summary"].equals(before) and "extra" not in records.columns
    some = filter_records(records, Filters())  # a part: rows taken, as before
    assert len(some) < len(records)


def test_almaty_district_table_adds_up(joined):
    boundaries, records = joined
    f = Filters()
    view = filter_records(records, f)
    table = district_table(view, boundaries, city_id="almaty", start=f.start, end=f.end)
    districts = table[table["kind"] == "district"]
    assert len(districts) == 8
    assert set(districts["district_id"]) == {
        "alatau",
        "almaly",
        "auezov",
        "bostandyk",
        "medeu",
        "nauryzbay",
        "turksib",
        "zhetysu",
    }
    top = districts.iloc[0]
    # Astana Square lies in Almaly: the square's counts are the district's
    assert (top["district_id"], top["name_ru"]) == ("almaly", "Алмалинский район")
    from geo.aggregate import detained_range

    city = detained_range(view, area="Almaty", start=f.start, end=f.end)
    remainder = table.loc[table["kind"] == "city_level", "detained_low"].item()
    assert districts["detained_low"].sum() + remainder == city.detained_low
    national = detained_range(view, area="national", start=f.start, end=f.end)
    unallocated = table.loc[table["kind"] == "unallocated", "detained_low"].item()
    assert (
        unallocated
        == national.breakdown["unallocated"]
        == national.detained_low - sum(v for k, v in national.breakdown.items() if k != "unallocated")
    )
    assert top["detained_per_km2"] == pytest.approx(top["detained_low"] / top["area_km2"], abs=1e-3)


def test_astana_table_follows_the_layer_of_the_date(joined):
    boundaries, records = joined
    table = district_table(records, boundaries, city_id="astana", start=date(2023, 1, 1), end=date(2023, 6, 1))
    assert sorted(table.loc[table["kind"] == "district", "district_id"]) == [
        "almaty_district",
        "baikonyr",
        "nura",
        "saryarka",
        "yesil",
    ]
    assert list(table.columns)[:3] == ["district_id", "name_en", "name_ru"]
