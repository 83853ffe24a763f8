"""ACLED events typed as they happened (geo/importing/acled_types.toml): detentions, police
violence and attacks on journalists are not rallies; counts only where ACLED states them."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from importing_support import ACLED_HEADER, acled_row, run, write_csv

from geo.importing import MappingError, preview, read_table
from geo.importing.acled import ACLED_TYPES_FILE, _arrests_said, load_acled_types

POLICE = "Police Forces of Kazakhstan (2019-)"
JOURNALISTS = "Journalists (Kazakhstan)"


@pytest.fixture
def typed_file(tmp_path):
    rows = [
        acled_row(
            event_id_cnty="T1",
            event_date="2022-01-05",
            sub_event_type="Protest with intervention",
            actor2=POLICE,
            notes="Police detained at least 30 protesters near the akimat.",
        ),
        acled_row(
            event_id_cnty="T2",
            event_date="2022-01-05",
            sub_event_type="Excessive force against protesters",
            actor2="Protesters (Kazakhstan)",
            notes="Police used stun grenades.",
        ),
        acled_row(
            event_id_cnty="T3",
            event_date="2022-01-06",
            sub_event_type="Arrests",
            disorder_type="Strategic developments",
            actor1=POLICE,
            actor2=JOURNALISTS,
            notes="Police detained 2 journalists covering the rally.",
        ),
        acled_row(
            event_id_cnty="T4",
            event_date="2022-01-06",
            sub_event_type="Attack",
            actor1=POLICE,
            actor2="Civilians (Kazakhstan)",
            assoc_actor_2=JOURNALISTS,
            notes="A reporter was beaten.",
        ),
        acled_row(
            event_id_cnty="T5",
            event_date="2022-01-06",
            sub_event_type="Attack",
            actor1=POLICE,
            actor2="Civilians (Kazakhstan)",
            notes="Police beat a passer-by.",
        ),
        acled_row(
            event_id_cnty="T6",
            event_date="2022-01-07",
            sub_event_type="Armed clash",
            actor1="Military Forces of Kazakhstan (2019-)",
            notes="Clashes at the airport.",
        ),
        acled_row(
            event_id_cnty="T7",
            event_date="2022-01-04",
            sub_event_type="Peaceful protest",
            notes="5 were detained on Monday and 10 were detained on Tuesday.",
        ),
        acled_row(
            event_id_cnty="T8",
            event_date="2022-01-05",
            sub_event_type="Violent demonstration",
            notes="More than 100 people were detained.",
        ),
        acled_row(
            event_id_cnty="T9",
            event_date="2022-01-05",
            sub_event_type="Protest with intervention",
            notes="Police dispersed the crowd; dozens were detained.",
        ),
    ]
    return write_csv(tmp_path / "acled-jan.csv", ACLED_HEADER, rows)


def test_each_acled_event_gets_the_native_type_it_was(typed_file):
    result = run(typed_file)
    rec = result.records.set_index("record_id")
    types = rec["event_type"].to_dict()
    assert types == {
        "ACLED-T1": "detention",
        "ACLED-T2": "police_violence",
        "ACLED-T3": "journalist_detained",
        "ACLED-T4": "journalist_assaulted",
        "ACLED-T5": "police_violence",
        "ACLED-T7": "rally",
        "ACLED-T8": "detention",
        "ACLED-T9": "rally",
    }
    rules = rec["acled_rule"].str.extract(r"by rule (\w+)", expand=False).to_dict()
    assert rules == {
        "ACLED-T1": "arrests_stated",
        "ACLED-T2": "sub_event_type",
        "ACLED-T3": "journalists",
        "ACLED-T4": "journalists",
        "ACLED-T5": "state_forces",
        "ACLED-T7": "sub_event_type",
        "ACLED-T8": "arrests_stated",
        "ACLED-T9": "sub_event_type",
    }
    [clash] = result.rejected.to_dict("records")
    assert (clash["event_id_cnty"], clash["column"], clash["value"]) == ("T6", "sub_event_type", "Armed clash")
    assert "has no protest-map type in the default ACLED types" in clash["reason"]
    assert result.counts["imported"] + result.counts["rejected"] == result.counts["total"] == 9


def test_counts_come_only_from_what_acled_states(typed_file):
    rec = run(typed_file).records.set_index("record_id")
    t1 = rec.loc["ACLED-T1"]
    assert t1["detained_low"] == 30 and pd.isna(t1["detained_high"]) and t1["count_kind"] == "incremental"
    assert t1["acled_rule"].endswith("; detained at least 30 from notes")
    t3 = rec.loc["ACLED-T3"]
    assert (t3["detained_low"], t3["detained_high"]) == (2, 2)
    t8 = rec.loc["ACLED-T8"]  # "more than 100": at least 101, never a guess above it
    assert t8["detained_low"] == 101 and pd.isna(t8["detained_high"])
    t7 = rec.loc["ACLED-T7"]  # two counts in one note: neither used, and it says so
    assert pd.isna(t7["detained_low"])
    assert "notes state several arrest counts (5, 10): none used" in t7["flags"]
    t9 = rec.loc["ACLED-T9"]  # "dozens": no number
    assert pd.isna(t9["detained_low"]) and t9["count_kind"] == ""
    assert "ACLED Protest with intervention: police intervened (recorded as rally)" in t9["flags"]
    for rid in ("ACLED-T2", "ACLED-T4", "ACLED-T5"):
        assert pd.isna(rec.loc[rid, "detained_low"]), rid


@pytest.mark.parametrize(
    ("note", "said"),
    [
        ("12 protesters were arrested in Almaty.", "12"),
        ("Police detained at least 30 protesters.", "at least 30"),
        ("Around 50 demonstrators were detained.", "about 50"),
        ("1,200 people were detained", "1200"),
        ("задержаны 15 человек", "15"),
        ("On 9 June, 2019, around 200 protested; police arrested 12", "12"),
        ("In 2019 police arrested activists", ""),
        ("In 2019 arrested activists", ""),
        ("arrested on 12 June", ""),
        ("up to 30 people were detained", ""),
        ("dozens were detained", ""),
    ],
)
def test_an_arrest_count_is_read_from_notes_only_where_stated(note, said):
    assert _arrests_said(note) == said


def test_the_type_rules_are_a_file_a_user_can_change(tmp_path, typed_file):
    changed = ACLED_TYPES_FILE.read_text(encoding="utf-8").replace(
        '"Arrests" = "detention"', '"Arrests" = "detention"\n"Armed clash" = "police_violence"'
    )
    mine = tmp_path / "my_types.toml"
    mine.write_text(changed, encoding="utf-8")
    result = run(typed_file, format="acled", mapping=mine)
    assert result.rejected.empty
    assert result.records.set_index("record_id").loc["ACLED-T6", "event_type"] == "police_violence"
    rule = result.records.set_index("record_id").loc["ACLED-T6", "acled_rule"]
    assert rule == "event_type police_violence by rule sub_event_type (sub_event_type 'Armed clash')"


def test_the_page_s_changes_are_applied_and_shown_in_the_preview(typed_file):
    types = load_acled_types().with_sub_event_types({"Violent demonstration": "police_violence"})
    shown = preview(read_table(typed_file), types, n=9, format="acled").set_index("record_id")
    assert shown.loc["ACLED-T8", "event_type"] == "detention"  # the stated arrests still come first
    assert types.sub_event_type["violent demonstration"] == "police_violence"
    untyped = load_acled_types().without_sub_event_types(["Peaceful protest"])
    assert "peaceful protest" not in untyped.sub_event_type and "arrests" in untyped.sub_event_type
    assert "changed on the page" in types.source
    with pytest.raises(MappingError, match="sub_event_type 'Mob violence' is 'riot'; expected one of rally"):
        types.with_sub_event_types({"Mob violence": "riot"})


def test_a_broken_types_file_is_a_clear_message(tmp_path):
    bad = tmp_path / "types.toml"
    bad.write_text('[sub_event_type]\n"Arrests" = "detention"\n', encoding="utf-8")
    with pytest.raises(MappingError, match=rf"ACLED types file {bad}: 'arrests_stated' is missing"):
        load_acled_types(bad)
    bad.write_text("[sub_event_type\n", encoding="utf-8")
    with pytest.raises(MappingError, match="not valid TOML"):
        load_acled_types(bad)
    text = ACLED_TYPES_FILE.read_text(encoding="utf-8").replace('actor1 = "police', 'actor1 = "(police')
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError, match=re.escape("state_forces.actor1 is not a valid regular expression")):
        load_acled_types(bad)
