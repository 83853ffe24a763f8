"""The command line as people and scripts use it: exit codes, stdout vs stderr, files written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from geo import schema

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "geo", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )


HEADER = ",".join(schema.COLUMNS)


def _csv(tmp_path, rows: list[dict], name="in.csv") -> Path:
    frame = pd.DataFrame(rows).reindex(columns=schema.COLUMNS).astype(object).fillna("")
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


GOOD = [
    {
        "record_id": "SQ",
        "date": "2019-06-09",
        "city": "Almaty",
        "event_type": "detention",
        "geo_precision": 1,
        "latitude": 43.25472,
        "longitude": 76.94306,
        "detained_low": 100,
        "count_kind": "incremental",
        "source_urls": "https://example.org/sq",
    },
    {
        "record_id": "CITY",
        "date": "2019-06-09",
        "city": "Almaty",
        "event_type": "detention",
        "geo_precision": 3,
        "detained_low": 5,
        "detained_high": 9,
        "count_kind": "incremental",
        "source_urls": "https://example.org/c",
    },
    {
        "record_id": "BAITEREK",
        "date": "2019-06-13",
        "city": "Nur-Sultan",
        "event_type": "detention",
        "geo_precision": 1,
        "latitude": 51.12806,
        "longitude": 71.43028,
        "detained_low": 7,
        "count_kind": "incremental",
        "source_urls": "https://example.org/b",
    },
    {
        "record_id": "KZ",
        "date": "2019-06-09",
        "city": "national",
        "event_type": "official_statement",
        "geo_precision": 4,
        "detained_low": 500,
        "detained_high": 500,
        "count_kind": "cumulative",
        "source_urls": "https://example.org/kz",
    },
]


def test_validate_ok_and_problems_one_per_line(tmp_path):
    good = _csv(tmp_path, GOOD)
    ok = run("validate", str(good))
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout == ""
    assert "4 record(s), no problems" in ok.stderr

    bad_rows = GOOD + [dict(GOOD[0], record_id="SQ", date="2019-13-01", city="Mars")]
    bad = _csv(tmp_path, bad_rows, "bad.csv")
    out = run("validate", str(bad))
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    assert lines == [
        f"{bad}, row 6, column 'record_id': value 'SQ': duplicate record_id; first used on row 2",
        f"{bad}, row 6, column 'date': value '2019-13-01': expected a date as YYYY-MM-DD",
        f"{bad}, row 6, column 'city': value 'Mars': expected one of Almaty, Nur-Sultan, Astana, national, other",
    ]
    assert "3 problem(s) in 1 of 5 row(s)" in out.stderr


def test_join_writes_every_row_with_the_join_columns(tmp_path, boundary_real_dir):
    src = _csv(tmp_path, GOOD)
    out_csv = tmp_path / "joined.csv"
    res = run("join", str(src), "--out", str(out_csv), env={"PROTESTMAP_BOUNDARIES": str(boundary_real_dir)})
    assert res.returncode == 0, res.stderr
    joined = pd.read_csv(out_csv, dtype=str, keep_default_na=False)
    assert list(joined.columns)[: len(schema.COLUMNS)] == schema.COLUMNS
    assert set(schema.JOIN_COLUMNS) <= set(joined.columns)
    got = joined.set_index("record_id")[["city_id", "district_id", "attribution"]].to_dict("index")
    assert got["SQ"]["attribution"] == "district" and got["SQ"]["city_id"] == "almaty"
    assert got["CITY"] == {"city_id": "almaty", "district_id": "", "attribution": "city"}
    assert got["BAITEREK"] == {"city_id": "astana", "district_id": "yesil", "attribution": "district"}
    assert got["KZ"] == {"city_id": "", "district_id": "", "attribution": "unlocated"}
    assert joined.loc[0, "date"] == "2019-06-09"

    out_geo = tmp_path / "joined.geojson"
    res = run("join", str(src), "--out", str(out_geo), env={"PROTESTMAP_BOUNDARIES": str(boundary_real_dir)})
    assert res.returncode == 0, res.stderr
    doc = json.loads(out_geo.read_text(encoding="utf-8"))
    feats = {f["properties"]["record_id"]: f for f in doc["features"]}
    assert feats["SQ"]["geometry"]["coordinates"] == [76.94306, 43.25472]
    assert feats["KZ"]["geometry"] is None
    assert feats["BAITEREK"]["properties"]["district_id"] == "yesil"


def test_join_refuses_bad_input_and_writes_nothing(tmp_path, boundary_real_dir):
    bad = _csv(tmp_path, [dict(GOOD[0], latitude="x")])
    out = tmp_path / "never.csv"
    res = run("join", str(bad), "--out", str(out), env={"PROTESTMAP_BOUNDARIES": str(boundary_real_dir)})
    assert res.returncode == 1
    assert "column 'latitude': value 'x'" in res.stderr
    assert res.stdout == "" and not out.exists()


def test_join_without_boundaries_says_how_to_get_them(tmp_path):
    src = _csv(tmp_path, GOOD)
    res = run(
        "join", str(src), "--out", str(tmp_path / "x.csv"), env={"PROTESTMAP_BOUNDARIES": str(tmp_path / "missing")}
    )
    assert res.returncode == 1
    assert "python -m geo boundaries fetch" in res.stderr and "PROTESTMAP_BOUNDARIES" in res.stderr


@pytest.mark.parametrize(
    "start, end, low, high, basis",
    [
        ("2019-06-09", "2019-06-09", 500, 500, ["KZ-20190609-02"]),
        ("2019-06-09", "2019-06-10", 700, 700, ["KZ-20190611-01"]),
        ("2019-06-09", "2019-06-13", 4000, 4000, ["KZ-20190618-01"]),
    ],
)
def test_summary_json_reproduces_the_seed_report(start, end, low, high, basis):
    """The embedded dataset gives the figures of the 11 June 2019 report, nationally."""
    res = run("summary", "--area", "national", "--from", start, "--to", end, "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert (doc["area"], doc["from"], doc["to"]) == ("national", start, end)
    assert (doc["detained_low"], doc["detained_high"], doc["basis"]) == (low, high, basis)
    assert all({"record_id", "reason"} <= set(a) for a in doc["alternatives"])


def test_summary_text_and_bad_area(tmp_path):
    res = run("summary", "--area", "Almaty", "--from", "2019-06-10", "--to", "2019-06-10")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("almaty, 2019-06-10 to 2019-06-10: ")
    assert "contested by" in res.stdout  # Al Jazeera's "200 in Almaty" is kept, as the high end
    res = run("summary", "--area", "Karaganda")
    assert res.returncode == 1 and "unknown area 'Karaganda'" in res.stderr and res.stdout == ""


def test_summary_of_a_district_and_of_own_data(tmp_path, boundary_real_dir):
    src = _csv(tmp_path, GOOD)
    env = {"PROTESTMAP_BOUNDARIES": str(boundary_real_dir)}
    res = run("summary", "--data", str(src), "--area", "astana/yesil", "--json", env=env)
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert (doc["detained_low"], doc["basis"]) == (7, ["BAITEREK"])
    res = run("summary", "--data", str(src), "--area", "Almaty", "--json", env=env)
    doc = json.loads(res.stdout)
    assert (doc["detained_low"], doc["detained_high"]) == (105, None)
    assert doc["breakdown"]["city_level"] == 5


def test_summary_checks_districts_against_the_boundaries(boundary_real_dir):
    env = {"PROTESTMAP_BOUNDARIES": str(boundary_real_dir)}
    # a district with no record that day: 0 found there, the city-level and national figures unknown
    res = run("summary", "--area", "almaty/medeu", "--from", "2019-06-09", "--to", "2019-06-13", "--json", env=env)
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert (doc["area"], doc["detained_low"], doc["detained_high"], doc["basis"]) == ("almaty/medeu", 0, None, [])
    res = run("summary", "--area", "astana/nosuch", env=env)
    assert res.returncode == 1 and "unknown district 'nosuch' of astana: expected one of" in res.stderr
    res = run("summary", "--area", "astana/nura", "--from", "2019-06-09", "--to", "2019-06-13", env=env)
    assert res.returncode == 1 and "'nura' of astana did not exist on 2019-06-09..2019-06-13" in res.stderr
    assert "Traceback" not in res.stderr


def test_summary_lists_detentions_without_a_number():
    res = run("summary", "--area", "national", "--from", "2019-06-11", "--to", "2019-06-11")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("national, 2019-06-11 to 2019-06-11: at least 0 detained")
    assert (
        "ALA-20190611-01 (no number): reported without a number ('several; a number of'); the high end stays open"
    ) in res.stdout


def test_boundaries_check(boundary_real_dir, tmp_path):
    res = run("boundaries", "check", "--folder", str(boundary_real_dir))
    assert res.returncode == 0, res.stdout + res.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    res = run("boundaries", "check", "--folder", str(empty))
    assert res.returncode == 1
    assert "holds no almaty_districts_osm*.geojson" in res.stderr
    broken = tmp_path / "broken"
    broken.mkdir()
    for f in boundary_real_dir.glob("*.geojson"):
        (broken / f.name).write_bytes(f.read_bytes())
    (broken / "astana_districts_2022_5.geojson").write_text("{not json", encoding="utf-8")
    res = run("boundaries", "check", "--folder", str(broken))
    assert res.returncode == 1
    assert "astana_districts_2022_5.geojson" in res.stdout


def test_boundaries_fetch_without_network_fails_clearly(tmp_path):
    env = {
        "PROTESTMAP_NOMINATIM_URL": "http://127.0.0.1:9",
        "PROTESTMAP_ASTANA_GIS_URL": "http://127.0.0.1:9/layer",
        "PROTESTMAP_HTTP_TIMEOUT": "3",
    }
    res = run("boundaries", "fetch", "--dest", str(tmp_path / "b"), env=env)
    assert res.returncode == 1
    assert res.stderr.startswith("error: ")
    assert "PROTESTMAP_BOUNDARIES" in res.stderr
    assert not (tmp_path / "b").exists() or not any((tmp_path / "b").iterdir())


ACLED_HEADER = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,"
    "assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,"
    "admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,"
    "tags,timestamp"
)


def _acled_row(event_id: str, date: str, lat: str = "43.2547", lon: str = "76.9431", tags: str = "arrests=5"):
    return (
        f"{event_id},{date},2019,1,Demonstrations,Protests,Arrests,Police,,State forces,Protesters,,"
        f"Protesters,State forces-Protesters,,398,Central Asia,Kazakhstan,Almaty,,,Almaty,{lat},{lon},1,"
        f"Vlast,National,Detentions.,0,{tags},1600000000"
    )


def test_import_counts_every_row_and_writes_the_rejected_ones(tmp_path, boundary_real_dir):
    src = tmp_path / "acled.csv"
    src.write_text(
        "\n".join(
            [
                ACLED_HEADER,
                _acled_row("KAZ1", "09 June 2019"),
                _acled_row("KAZ2", "2019-06-10", lat="76.9431", lon="43.2547"),  # swapped: imported, flagged
                _acled_row("KAZ3", "sometime"),  # rejected
                _acled_row("KAZ1", "09 June 2019"),  # same event again: merged
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    store = tmp_path / "store.sqlite"
    env = {"PROTESTMAP_BOUNDARIES": str(boundary_real_dir)}
    res = run("import", str(src), "--store", str(store), "--dataset", "acled-test", env=env)
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[0] == (f"{src}: 4 rows: 2 imported (1 flagged), 1 merged, 1 rejected")
    assert "merged: row 5 into ACLED-KAZ1" in res.stdout
    rejected = pd.read_csv(tmp_path / "acled.rejected.csv", dtype=str, keep_default_na=False)
    assert rejected[["event_id_cnty", "import_row", "import_column", "import_value"]].values.tolist() == [
        ["KAZ3", "4", "event_date", "sometime"]
    ]
    assert "importing acled.csv: 4 / 4 rows" in res.stderr

    from geo.store import open_store

    stored = open_store(store).read(["acled-test"])
    assert stored["record_id"].tolist() == ["ACLED-KAZ1", "ACLED-KAZ2"]
    assert "swapped" in stored.loc[1, "flags"]
    # the same name again needs --replace; with it the dataset is replaced, not doubled
    again = run("import", str(src), "--store", str(store), "--dataset", "acled-test", env=env)
    assert again.returncode == 1 and "--replace" in again.stderr
    again = run("import", str(src), "--store", str(store), "--dataset", "acled-test", "--replace", env=env)
    assert again.returncode == 0, again.stderr
    assert len(open_store(store).read(["acled-test"])) == 2


def test_import_a_windows_1251_team_sheet_through_a_mapping_file(tmp_path):
    sheet = tmp_path / "команда.csv"
    sheet.write_bytes(
        "Дата;Место;Широта;Долгота;Задержано;Ссылка\n"
        "09.06.2019;площадь Астана;43,25472;76,94306;около 50;https://example.org/a\n".encode("cp1251")
    )
    mapping = tmp_path / "map.toml"
    mapping.write_text(
        'date = "Дата"\ndate_format = "%d.%m.%Y"\ncity = "=Almaty"\nevent_type = "=detention"\n'
        'place_name_ru = "Место"\nlatitude = "Широта"\nlongitude = "Долгота"\n'
        'detained_low = "Задержано"\nsource_urls = "Ссылка"\ngeo_precision = "=1"\n',
        encoding="utf-8",
    )
    store = tmp_path / "store.sqlite"
    res = run("import", str(sheet), "--format", "mapped", "--mapping", str(mapping), "--store", str(store))
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[0].endswith("1 rows: 1 imported (1 flagged), 0 merged, 0 rejected")
    from geo.store import open_store

    row = open_store(store).read(["команда"]).iloc[0]
    assert (row["place_name_ru"], row["latitude"], row["detained_low"]) == ("площадь Астана", 43.25472, 50)
    assert "text" in row["flags"]


# --------------------------------------------------------------------------- brief


def test_brief_timeline_png_follows_the_apps_link(tmp_path, boundary_real_dir):
    from matplotlib.image import imread

    out = tmp_path / "slides" / "timeline.png"
    res = run(
        "brief",
        "--out",
        str(out),
        "--chart",
        "timeline",
        "--link",
        "http://localhost:8501/map?city=almaty&to=2019-06-10&lang=ru",
        env={"PROTESTMAP_BOUNDARIES": str(boundary_real_dir)},
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == str(out)
    assert "almaty, 2019-06-09 to 2019-06-10:" in res.stderr
    pixels = imread(out)
    assert pixels.shape[0] > 300 and pixels.shape[1] > 500 and pixels.std() > 0.05


def test_brief_refuses_what_the_app_would_only_warn_about(tmp_path):
    res = run("brief", "--out", str(tmp_path / "b.docx"))
    assert res.returncode == 1 and "cannot tell the format from the extension '.docx'" in res.stderr
    res = run("brief", "--out", str(tmp_path / "b.png"), "--city", "Paris", "--from", "2019-13-01")
    assert res.returncode == 1
    assert "city='paris' is not one of all, almaty, astana" in res.stderr
    assert "from='2019-13-01' is not a date" in res.stderr
    assert not list(tmp_path.iterdir())


def test_brief_of_an_acled_file_says_which_rows_it_left_out(tmp_path, boundary_real_dir):
    src = tmp_path / "acled.csv"
    src.write_text(
        "\n".join([ACLED_HEADER, _acled_row("KAZ1", "09 June 2019"), _acled_row("KAZ3", "sometime")]), encoding="utf-8"
    )
    out = tmp_path / "acled.png"
    res = run(
        "brief",
        "--data",
        str(src),
        "--city",
        "almaty",
        "--out",
        str(out),
        "--chart",
        "timeline",
        env={"PROTESTMAP_BOUNDARIES": str(boundary_real_dir)},
    )
    assert res.returncode == 0, res.stderr
    assert "2 rows: 1 in the pack, 0 merged into other rows, 1 rejected" in res.stderr
    assert "row 3, column event_date, value 'sometime'" in res.stderr
    assert (tmp_path / "acled.rejected.csv").is_file()
    assert "almaty, 2019-06-09 to 2019-06-13: 5 detained; 1 record(s)" in res.stderr
