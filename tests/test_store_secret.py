"""The store's location as a Streamlit secret (PROTESTMAP_STORE in secrets.toml), in-process through AppTest.

When the environment variable PROTESTMAP_STORE is unset, the secret of that name says
where the store is: a file, or a team's PostGIS database.  A location's password never
reaches a page.
"""

from __future__ import annotations

import pytest
from test_app import _boundaries, _navigation_like_the_server  # noqa: F401  (fixtures, used by name)
from test_deployment import all_text, run_app
from test_store import make_records

from geo.store import open_store
from pages.ui import deployment

DEAD_SERVER = "postgresql://team:s3cret-pw@127.0.0.1:1/protests"


@pytest.fixture
def no_store_variable(monkeypatch):
    """PROTESTMAP_STORE unset in the environment (the test session sets it), so the secret counts."""
    monkeypatch.delenv("PROTESTMAP_STORE", raising=False)


def test_the_secret_names_the_store_when_the_variable_is_unset(no_store_variable, tmp_path):
    path = tmp_path / "from-secret" / "store.sqlite"
    at = run_app(secrets={"PROTESTMAP_STORE": str(path)})
    assert not at.sidebar.warning
    assert [d.name for d in open_store(path).datasets()] == ["embedded"]  # made there on first use, locally


def test_the_environment_variable_wins_over_the_secret(tmp_path, monkeypatch):
    from_env, from_secret = tmp_path / "env" / "store.sqlite", tmp_path / "secret" / "store.sqlite"
    monkeypatch.setenv("PROTESTMAP_STORE", str(from_env))
    run_app(secrets={"PROTESTMAP_STORE": str(from_secret)})
    assert from_env.is_file() and not from_secret.parent.exists()


@pytest.mark.parametrize("public", [False, True])
def test_a_team_database_in_the_secret_is_read(no_store_variable, postgis_url, public):
    open_store(postgis_url).write("team-2022", make_records(3, prefix="T"), source_file="team.csv")
    secrets = {"PROTESTMAP_STORE": postgis_url} | ({"PROTESTMAP_MODE": "public"} if public else {})
    at = run_app(secrets=secrets)
    assert not at.sidebar.warning, [w.value for w in at.sidebar.warning]
    assert "team-2022" in at.multiselect(key="f_data").options
    names = [d.name for d in open_store(postgis_url, read_only=True).datasets()]
    assert names == (["team-2022"] if public else ["embedded", "team-2022"])  # public mode wrote nothing


def test_a_database_that_cannot_be_reached_is_said_without_its_password(no_store_variable):
    at = run_app(secrets={"PROTESTMAP_STORE": DEAD_SERVER})
    (warning,) = at.sidebar.warning
    assert "cannot connect to the store 'postgresql://team:***@127.0.0.1:1/protests'" in warning.value
    assert "s3cret-pw" not in all_text(at)
    assert at.metric[0].value == "4,000"  # the embedded data still shows


def test_a_secret_that_is_not_a_text_is_a_clear_message(no_store_variable):
    at = run_app(secrets={"PROTESTMAP_STORE": {"path": "x"}})
    (warning,) = at.sidebar.warning
    assert "the Streamlit secret PROTESTMAP_STORE is a" in warning.value and "expected a text" in warning.value


@pytest.mark.parametrize(
    ("message", "location", "expected"),
    [
        (
            f"cannot use {DEAD_SERVER}: refused",
            DEAD_SERVER,
            "cannot use postgresql://team:***@127.0.0.1:1/protests: refused",
        ),
        (
            "password s3cret-pw was refused",
            "postgresql://team@db/x?sslmode=require&password=s3cret-pw",
            "password *** was refused",
        ),
        ("a message naming no location", "/srv/store.sqlite", "a message naming no location"),
    ],
)
def test_without_password_takes_the_password_out_of_a_message(message, location, expected):
    assert deployment.without_password(message, location) == expected
