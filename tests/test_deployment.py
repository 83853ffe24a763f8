"""Public mode (PROTESTMAP_MODE as an environment variable or a Streamlit secret) and the Import page's uploads.

In-process through AppTest from app.py, with the fixtures of tests/test_app.py.  A
public deployment offers no upload and no write, has no Import page, lists the
operator's datasets only, writes nothing to the store and shows no server path.
Locally an upload lives 0600 in a 0700 folder of its own for as long as its import
needs it.  The Import page speaks Russian and Kazakh.
"""

from __future__ import annotations

import gc
import hashlib
import os
import re
import stat
import tempfile
import time
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from test_app import (  # noqa: F401  (fixtures, used by name)
    ACLED_HEADER,
    ACLED_ROWS,
    _boundaries,
    _navigation_like_the_server,
)

from geo.errors import ProtestMapError
from geo.published import PublishedStore
from geo.records import load_embedded_records
from geo.store import open_store
from geo.words import word
from pages.ui import uploads

ROOT = Path(__file__).resolve().parents[1]
PUBLIC_PAGES = [
    "pages/views/overview.py",
    "pages/views/map.py",
    "pages/views/timeline.py",
    "pages/views/districts.py",
    "pages/views/sources.py",
    "pages/views/briefing.py",
]
ACLED_FILE = "\n".join([ACLED_HEADER, *ACLED_ROWS]).encode("utf-8")


def run_app(*, secrets: dict | None = None, **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def all_text(at: AppTest) -> str:
    """Every element's content (its protobuf as text: labels, values, help, options, component arguments)."""
    out: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    walk(at.sidebar)
    return "\n".join(out)


def server_paths(*extra: Path) -> list[str]:
    return [str(ROOT), str(Path.home()), tempfile.gettempdir() + os.sep, *(str(p) for p in extra)]


@pytest.fixture
def registered(monkeypatch):
    """The url_paths app.py hands to st.navigation, per run."""
    seen: list[list[str]] = []
    original = st.navigation

    def record(pages, *args, **kwargs):
        seen.append([p.url_path for p in pages])
        return original(pages, *args, **kwargs)

    monkeypatch.setattr(st, "navigation", record)
    return seen


@pytest.fixture
def operator_store(tmp_path, monkeypatch) -> Path:
    """A store the operator filled (one import of three records), as the deployment's PROTESTMAP_STORE."""
    path = tmp_path / "published" / "store.sqlite"
    embedded = load_embedded_records()
    records = embedded[embedded["date"] == "2019-06-10"].head(3).copy()  # in the view the app opens on
    records["record_id"] = "OP-" + records["record_id"]
    for column in ("included_in", "contested_by"):
        records[column] = ""
    open_store(path).write("operator-2022", records, source_file="operator.csv")
    monkeypatch.setenv("PROTESTMAP_STORE", str(path))
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- public mode


@pytest.mark.parametrize("how", ["environment", "secret"])
def test_a_public_deployment_offers_no_write_no_import_page_and_no_server_path(
    how, operator_store, monkeypatch, registered, tmp_path
):
    before = _digest(operator_store)
    if how == "environment":
        monkeypatch.setenv("PROTESTMAP_MODE", "public")
        at = run_app()
    else:
        at = run_app(secrets={"PROTESTMAP_MODE": "public"})

    # the Import page is not registered: not in the navigation, not reachable
    assert registered[-1] == ["", "map", "timeline", "districts", "sources", "briefing"]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/views/import_data.py")
    # only the datasets the operator put in the store (and the shipped one)
    assert at.multiselect(key="f_data").options == ["Shipped dataset", "operator-2022"]  # the shipped one by its title
    for page in PUBLIC_PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert at.get("file_uploader") == [], page
        assert [b.label for b in at.button] in ([], [word("brief_prepare", "en")]), page  # a pack writes nothing
        text = all_text(at)
        assert [p for p in server_paths(operator_store, tmp_path) if p in text] == [], page
    # the operator's records are there to see
    at.switch_page("pages/views/sources.py").run()
    at.multiselect(key="f_data").set_value(["embedded", "operator-2022"]).run()
    ids = at.dataframe[0].value["Record"].tolist()
    assert any(i.startswith("OP-") for i in ids) and any(not i.startswith("OP-") for i in ids)
    # the app only read the store
    assert _digest(operator_store) == before
    assert [d.name for d in open_store(operator_store).datasets()] == ["operator-2022"]


def test_locally_the_import_page_is_registered(registered):
    at = run_app()
    assert registered[-1][-1] == "import"
    at.switch_page("pages/views/import_data.py").run()
    assert at.get("file_uploader")


def test_a_public_deployment_without_a_store_shows_the_embedded_data_and_creates_nothing(tmp_path, monkeypatch):
    store = tmp_path / "cloud" / "store.sqlite"  # Community Cloud: nothing there at first
    monkeypatch.setenv("PROTESTMAP_STORE", str(store))
    monkeypatch.setenv("PROTESTMAP_MODE", "public")
    cache = tmp_path / "cache"
    monkeypatch.setenv("PROTESTMAP_CACHE", str(cache))
    at = run_app()
    assert at.metric[0].value == "4,000"
    assert at.multiselect(key="f_data").options == ["Shipped dataset"]
    assert not store.parent.exists()
    assert not cache.exists()  # nor the join's answers kept for the next start
    monkeypatch.setenv("PROTESTMAP_MODE", "local")  # the same place, locally: the store is made there
    run_app()
    assert store.is_file()
    assert len(list((cache / "placements").glob("*.arrow"))) == 1


def test_public_messages_name_no_server_path(tmp_path, monkeypatch):
    missing = tmp_path / "no-boundaries-here"
    not_a_store = tmp_path / "notes.sqlite"
    not_a_store.write_text("not a database", encoding="utf-8")
    monkeypatch.setenv("PROTESTMAP_BOUNDARIES", str(missing))
    monkeypatch.setenv("PROTESTMAP_STORE", str(not_a_store))
    st.cache_resource.clear()
    try:
        local = run_app()
        monkeypatch.setenv("PROTESTMAP_MODE", "public")
        public = run_app()
        public_brief = run_app()
        public_brief.switch_page("pages/views/briefing.py").run()
    finally:
        st.cache_resource.clear()
    # locally the paths help whoever runs the app
    assert str(missing) in local.warning[0].value
    assert str(not_a_store) in local.sidebar.warning[0].value
    # in public mode the same problems, without them
    assert public.warning[0].value == f"{word('no_boundaries')}. {word('public_no_boundaries')}"
    assert public.sidebar.warning[0].value == word("public_store_unreadable")
    assert public_brief.warning[0].value == f"{word('no_boundaries_brief')} {word('public_no_boundaries')}"
    for at in (public, public_brief):
        text = all_text(at)
        assert [p for p in server_paths(missing, not_a_store) if p in text] == []
    assert public.metric[0].value == "4,000"  # the embedded data still shows


@pytest.mark.parametrize(
    ("secrets", "said"),
    [
        ({}, "The environment variable PROTESTMAP_MODE is 'open'; "),
        ({"PROTESTMAP_MODE": "yes"}, "The Streamlit secret PROTESTMAP_MODE is 'yes'; "),
    ],
)
def test_an_unknown_mode_is_a_clear_message(secrets, said, monkeypatch):
    if not secrets:
        monkeypatch.setenv("PROTESTMAP_MODE", "open")
    at = run_app(secrets=secrets)
    (error,) = at.error
    assert error.value.startswith(said + "expected one of 'local', 'public'"), error.value
    assert not at.title and not at.get("file_uploader")  # the app stopped there


def test_without_a_secrets_file_reading_the_secret_is_silent():
    at = run_app()
    assert not at.error and not at.warning and not at.sidebar.warning
    assert "secret" not in all_text(at).lower()


def test_the_published_store_never_writes(operator_store):
    published = PublishedStore(open_store(operator_store, read_only=True))
    with pytest.raises(ProtestMapError, match="public"):
        published.write("visitor", load_embedded_records())
    with pytest.raises(ProtestMapError, match="public"):
        published.delete("operator-2022")
    with pytest.raises(ProtestMapError, match="read-only"):
        open_store(operator_store, read_only=True).write("visitor", load_embedded_records())
    frame = published.read()
    assert frame["dataset"].drop_duplicates().tolist() == ["embedded", "operator-2022"]
    assert [d.name for d in open_store(operator_store).datasets()] == ["operator-2022"]


# --------------------------------------------------------------------------- uploads, locally


@pytest.fixture
def upload_root(tmp_path, monkeypatch) -> Path:
    """The system's temporary folder, for this test: where protest-map-uploads is made (and a store of its own)."""
    monkeypatch.setenv("PROTESTMAP_STORE", str(tmp_path / "store.sqlite"))  # no earlier import to merge into
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    return tmp / uploads.PARENT


def _import_page(**query) -> AppTest:
    at = run_app(**query)
    at.switch_page("pages/views/import_data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _upload(at: AppTest, name: str, body: bytes) -> uploads.Upload:
    at.file_uploader(key="import_file").set_value((name, body, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at.session_state[uploads.KEY]


def _check_every_row(at: AppTest) -> None:
    at.button(key="import_check").click().run()
    for _ in range(120):  # checked in a background thread; the page polls it
        if at.metric:
            assert not at.exception and not at.error, ([e.value for e in at.exception], [e.value for e in at.error])
            return
        time.sleep(0.25)
        at.run()
    raise AssertionError("the rows were not checked within 30 s")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_an_upload_is_0600_in_a_0700_folder_of_its_own_and_gone_after_the_import(upload_root):
    at = _import_page()
    upload = _upload(at, "acled-kaz.csv", ACLED_FILE)
    assert upload.path.read_bytes() == ACLED_FILE
    assert (_mode(upload.path), _mode(upload.folder), _mode(upload_root)) == (0o600, 0o700, 0o700)
    assert upload.folder.parent == upload_root and upload.folder.name.startswith(uploads.PREFIX)
    at.run()  # a rerun does not write it again
    assert at.session_state[uploads.KEY] is upload and list(upload_root.iterdir()) == [upload.folder]

    at.text_input(key="import_name").set_value("upload-mode-test").run()
    _check_every_row(at)
    at.button(key="import_go").click().run()
    assert "Imported 2 records as 'upload-mode-test'" in at.success[0].value
    assert not upload.folder.exists() and list(upload_root.iterdir()) == []
    at.run()  # the file is still in the uploader: it is not written again
    assert "Imported 2 records as 'upload-mode-test'" in at.success[0].value
    assert uploads.KEY not in at.session_state and list(upload_root.iterdir()) == []


def test_a_new_file_replaces_the_upload_and_an_empty_uploader_removes_it(upload_root):
    at = _import_page()
    first = _upload(at, "first.csv", ACLED_FILE)
    second = _upload(at, "second.csv", ACLED_FILE.replace(b"KAZ9001", b"KAZ9101"))
    assert not first.folder.exists()
    assert second.folder.is_dir() and second.path.name == "second.csv" and b"KAZ9101" in second.path.read_bytes()
    assert list(upload_root.iterdir()) == [second.folder]
    at.file_uploader(key="import_file").set_value(None).run()  # abandoned
    assert not second.folder.exists() and list(upload_root.iterdir()) == []


def test_the_upload_goes_with_the_session(upload_root):
    at = _import_page()
    folder = _upload(at, "acled-kaz.csv", ACLED_FILE).folder
    assert folder.is_dir()
    del at  # what Streamlit does with a session's state some time after its tab is closed
    gc.collect()
    assert not folder.exists()


def test_stale_upload_folders_are_swept_but_not_a_live_one(upload_root):
    live = uploads.Upload("live", "live.csv", b"a,b\n")
    stale = Path(tempfile.mkdtemp(prefix=uploads.PREFIX, dir=uploads.parent()))
    fresh = Path(tempfile.mkdtemp(prefix=uploads.PREFIX, dir=uploads.parent()))
    other = upload_root / "not-ours"
    other.mkdir()
    long_ago = time.time() - (uploads.STALE_AFTER_HOURS + 1) * 3600
    for folder in (live.folder, stale, other):
        os.utime(folder, (long_ago, long_ago))
    assert uploads.sweep() == [stale]
    assert live.folder.is_dir() and fresh.is_dir() and other.is_dir() and not stale.exists()
    live.remove()
    assert not live.folder.exists()


def test_an_upload_folder_of_someone_else_is_refused(upload_root, tmp_path):
    upload_root.symlink_to(tmp_path)
    with pytest.raises(ProtestMapError, match="not a folder of this user's"):
        uploads.parent()


# --------------------------------------------------------------------------- the Import page in Russian and Kazakh

#: What the page shows as it is in every language: formats, encodings, the file's name, a command, and the
#: values one types in the mapping step (the schema's codes and date patterns).
NAMES = re.compile(
    r"ACLED|Crowd Counting|UTF-8-BOM|UTF-8|utf-8|Windows-1251|CSV|GeoJSON|protest-map|acled-kaz|"
    r"python -m geo import FILE|\bnational\b|\brally\b|\bdetention\b|YYYY-MM-DD|DD\.MM\.YYYY"
)


def _ui_words(at: AppTest) -> list[str]:
    """The page's own words: titles, captions, labels, options, buttons, metrics, help (not the data's)."""
    words = [e.value for e in [*at.title, *at.caption, *at.subheader, *at.markdown, *at.success]]
    words += [at.file_uploader(key="import_file").label]
    radio = at.radio(key="import_format")
    words += [radio.label, *radio.options]
    words += [w.label for w in at.text_input] + [b.label for b in at.button]
    words += [b.label for b in at.get("download_button")]
    words += [m.label for m in at.metric] + [m.help or "" for m in at.metric]
    return words


def _english_in(words: list[str]) -> list[str]:
    return [w for w in words if re.search(r"\b[A-Za-z]{3,}\b", NAMES.sub("", w))]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "ru",
            {
                "title": "Импорт",
                "file": "Файл",
                "format": "Формат",
                "acled": "выгрузка ACLED",
                "check": "Проверить все строки",
                "metrics": ["Импортировано", "С пометками", "Объединено", "Отклонено"],
                "go": "Импортировать как набор данных «июнь» (записей: 2)",
                "where": "Где они находятся (Алматы, районы на 2019-06-10):",
            },
        ),
        (
            "kk",
            {
                "title": "Импорт",
                "file": "Файл",
                "format": "Формат",
                "acled": "ACLED экспорты",
                "check": "Барлық жолдарды тексеру",
                "metrics": ["Импортталды", "Белгіленді", "Біріктірілді", "Қабылданбады"],
                "go": "2 жазбаны «маусым» деректер жиыны ретінде импорттау",
                "where": "Олар қайда орналасқан (Алматы, 2019-06-10 күнгі аудандар):",
            },
        ),
    ],
)
def test_the_import_page_speaks_russian_and_kazakh(lang, expected, upload_root):
    at = _import_page(lang=lang)
    assert at.title[0].value == expected["title"]
    assert at.file_uploader(key="import_file").label == expected["file"]
    _upload(at, "acled-kaz.csv", ACLED_FILE)
    radio = at.radio(key="import_format")
    assert radio.label == expected["format"] and radio.value == "acled"
    assert expected["acled"] in radio.options
    at.text_input(key="import_name").set_value({"ru": "июнь", "kk": "маусым"}[lang]).run()
    assert at.button(key="import_check").label == expected["check"]
    _check_every_row(at)
    assert [m.label for m in at.metric] == expected["metrics"]
    assert at.button(key="import_go").label == expected["go"]
    assert expected["where"] in [m.value for m in at.markdown]
    assert _english_in(_ui_words(at)) == []

    at.radio(key="import_format").set_value("mapped").run()  # the column mapping step
    labels = {s.key: s.label for s in at.selectbox if s.key and s.key.startswith("map_")}
    assert len(labels) == 18
    for column in ("date", "city", "event_type", "source_urls", "latitude", "detained_low"):
        assert labels[f"map_{column}"] == word(f"import_col_{column}", lang)
    labels = list(labels.values())
    assert at.selectbox(key="map_date").options[0] == word("import_no_column", lang)
    assert _english_in(labels + [w.label for w in at.text_input]) == []
