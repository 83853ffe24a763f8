"""Import: upload -> detect format -> map columns if needed -> check every row -> preview -> import.

Local mode only: a public deployment does not register this page (app.py), and
the page itself refuses to run there.  The upload is kept on disk only while the
import needs it (pages/ui/uploads.py).
"""

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.errors import ProtestMapError
from geo.importing import FORMATS, detect_format, import_rows, preview, read_table
from geo.importing.acled import AcledTypes, load_acled_types
from geo.importing.candidates import COMPARE_COLUMNS, DECISIONS, apply_decisions, find_candidates
from geo.importing.pipeline import rejected_csv
from geo.join import join_incidents
from geo.maps import incident_map
from geo.schema import EVENT_TYPES
from geo.store import file_version
from geo.words import number
from pages.ui import data, deployment, internals, jobs, state, tables, uploads
from pages.ui.i18n import city_label, t

#: Largest upload this page accepts (Streamlit's own limit is server.maxUploadSize).
MAX_UPLOAD_MB = 50
FILE_TYPES = ["csv", "tsv", "txt", "geojson", "json"]
#: Native columns offered in the column-mapping step, the required ones first.
MAPPABLE = [
    "date",
    "city",
    "event_type",
    "source_urls",
    "latitude",
    "longitude",
    "geo_precision",
    "place_name_en",
    "place_name_ru",
    "detained_low",
    "detained_high",
    "participants_low",
    "participants_high",
    "injured",
    "summary",
    "source_names",
    "record_id",
    "notes",
]
#: Names in the words' fields: the same in every language.
NAMES = {"acled": "ACLED", "ccc": "Crowd Counting", "encodings": "UTF-8, UTF-8-BOM, Windows-1251"}

f = state.current()
lang = f.lang
st.title(t("import", lang))
if deployment.public():  # never registered in public mode; and should it be reached, it writes nothing
    st.info(t("import_public", lang))
    st.stop()
st.caption(t("import_intro", lang, mb=MAX_UPLOAD_MB, **NAMES))

opened, problem = data.store()
if opened is None:
    st.error(t("import_store_error", lang, problem=problem))
    st.stop()


def acled_types(table) -> AcledTypes:
    """The ACLED type rules, with the page's changes to the sub-event types of this file."""
    st.subheader(t("import_acled_title", lang, acled="ACLED"))
    st.caption(t("import_acled_intro", lang, acled="ACLED", column="acled_rule"))
    rules = load_acled_types()
    sub = table.frame["sub_event_type"] if "sub_event_type" in table.frame.columns else pd.Series(dtype=str)
    seen = sub.astype(str).str.strip().value_counts()
    shown = pd.DataFrame(
        {
            "sub": seen.index,
            "rows": seen.to_numpy(),
            "native": [rules.sub_event_type.get(s.casefold()) for s in seen.index],
        }
    )
    edited = st.data_editor(
        shown,
        hide_index=True,
        width="stretch",
        disabled=["sub", "rows"],
        key=f"import_acled_types_{upload.file_id}",  # a new file starts from the default types
        column_config={
            "sub": st.column_config.TextColumn(t("import_acled_sub", lang, acled="ACLED")),
            "rows": st.column_config.NumberColumn(t("import_acled_rows", lang)),
            "native": st.column_config.SelectboxColumn(t("import_acled_native", lang), options=list(EVENT_TYPES)),
        },
    )
    changes = {
        row.sub: row.native
        for row in edited.itertuples()
        if isinstance(row.native, str) and row.native and row.native != rules.sub_event_type.get(row.sub.casefold())
    }
    dropped = [row.sub for row in edited.itertuples() if not row.native and row.sub.casefold() in rules.sub_event_type]
    if dropped:
        rules = rules.without_sub_event_types(dropped)
    return rules.with_sub_event_types(changes) if changes else rules


def check_rows(path, fmt, mapping, existing, bset, progress):
    """Every row checked (in the job's thread: no Streamlit here), and the duplicate candidates."""
    result = import_rows(path, format=fmt, mapping=mapping, existing=existing, progress=progress)
    districts = None
    if bset is not None and existing is not None and len(result.records):
        districts = (join_incidents(result.records, bset)["district_id"], join_incidents(existing, bset)["district_id"])
    return result, find_candidates(result.records, existing, districts=districts)


def decide(result, candidates):
    """The duplicate candidates, each with the user's decision; the result with them applied."""
    if candidates.empty:
        return result
    st.subheader(t("import_candidates_title", lang))
    st.caption(t("import_candidates_intro", lang, n=number(len(candidates), lang)))
    shown = candidates.assign(decision=None)
    choices = {d: t(f"import_decision_{d}", lang) for d in DECISIONS}
    edited = st.data_editor(
        shown,
        hide_index=True,
        width="stretch",
        key=f"import_candidates_{upload.file_id}",
        disabled=[c for c in shown.columns if c != "decision"],
        column_config={
            "row": st.column_config.NumberColumn(t("import_cand_row", lang)),
            "record_id": st.column_config.TextColumn(t("import_cand_record", lang)),
            "existing_record_id": st.column_config.TextColumn(t("import_cand_existing", lang)),
            "existing_dataset": st.column_config.TextColumn(t("import_cand_dataset", lang)),
            "days_apart": st.column_config.NumberColumn(t("import_cand_days", lang)),
            "metres": st.column_config.NumberColumn(t("import_cand_metres", lang)),
            "reason": st.column_config.TextColumn(t("import_cand_reason", lang)),
            "decision": st.column_config.SelectboxColumn(
                t("import_cand_decision", lang), options=list(DECISIONS), format_func=choices.get
            ),
        },
    )
    decisions = {
        (str(r), str(e)): d
        for r, e, d in zip(edited["record_id"], edited["existing_record_id"], edited["decision"])
        if isinstance(d, str) and d in DECISIONS
    }
    try:
        return apply_decisions(result, candidates, decisions)
    except ProtestMapError as exc:
        st.error(str(exc))
        st.stop()


def format_label(fmt: str) -> str:
    return t(f"import_format_{fmt}", lang, name=NAMES.get(fmt, ""))


st.html(
    internals.uploader_words_css(
        t("import_upload_button", lang),
        t("import_upload_limit", lang, mb=MAX_UPLOAD_MB, types=", ".join(x.upper() for x in FILE_TYPES)),
    )
)
upload = st.file_uploader(t("import_file", lang), type=FILE_TYPES, key="import_file")
done = st.session_state.get("pm_imported")
if upload is not None and done and done[0] == upload.file_id:  # imported: its upload is gone from the disk
    uploads.discard()
    st.success(t("import_done", lang, n=number(done[1], lang), name=done[2]))
    st.caption(t("import_next", lang))
    st.stop()
if upload is None:
    uploads.discard()  # taken out of the uploader: abandoned
    st.stop()
if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
    uploads.discard()
    st.error(
        t(
            "import_too_large",
            lang,
            name=upload.name,
            size=f"{upload.size / 1024 / 1024:.1f}",
            mb=MAX_UPLOAD_MB,
            command="python -m geo import FILE",
        )
    )
    st.stop()

try:
    path = uploads.keep(upload).path  # written once, 0600 in a 0700 folder of its own; a new file replaces it
except ProtestMapError as exc:
    st.error(t("import_upload_failed", lang, reason=str(exc)))
    st.stop()

held = st.session_state.get("import_table")
if held is None or held[0] != upload.file_id:  # read once per upload, not on every rerun
    try:
        st.session_state["import_table"] = (upload.file_id, read_table(path))
    except ProtestMapError as exc:
        st.session_state.pop("import_table", None)
        st.error(str(exc))
        st.stop()
table = st.session_state["import_table"][1]
detected = detect_format(table)
formats = list(FORMATS)
st.write(
    t(
        "import_read",
        lang,
        rows=number(len(table.frame), lang),
        encoding=table.encoding,
        delimiter=repr(table.delimiter),
        format=format_label(detected) if detected in formats else detected,
    )
)
fmt = st.radio(
    t("import_format", lang),
    formats,
    index=formats.index(detected if detected in formats else "mapped"),
    horizontal=True,
    format_func=format_label,
    key="import_format",
)

mapping = None
if fmt == "mapped":
    st.subheader(t("import_mapping_title", lang))
    choices = [None, *table.frame.columns]
    mapping = {}
    left, right = st.columns(2)
    for n, column in enumerate(MAPPABLE):
        with left if n % 2 == 0 else right:
            picked = st.selectbox(
                t(f"import_col_{column}", lang),
                choices,
                format_func=lambda c: t("import_no_column", lang) if c is None else str(c),
                help=t("import_col_help", lang, column=column),
                key=f"map_{column}",
            )
            if picked is not None:
                mapping[column] = picked
    constant_city = st.text_input(t("import_constant_city", lang, national="national"), key="map_city_c")
    if constant_city and "city" not in mapping:
        mapping["city"] = "=" + constant_city
    constant_type = st.text_input(
        t("import_constant_type", lang, rally="rally", detention="detention"), key="map_type_c"
    )
    if constant_type and "event_type" not in mapping:
        mapping["event_type"] = "=" + constant_type
    date_format = st.text_input(
        t("import_date_format", lang, formats="YYYY-MM-DD, DD.MM.YYYY", example="%d/%m/%Y"), key="map_datefmt"
    )
    if date_format:
        mapping["date_format"] = date_format

if fmt == "acled":  # how its events are typed: the default rules, each sub-event type changeable here
    mapping = acled_types(table)

st.subheader(t("import_preview_title", lang))
try:
    st.dataframe(preview(table, mapping, n=10, format=fmt), hide_index=True, width="stretch")
except ProtestMapError as exc:
    st.error(str(exc))
    st.stop()

name = st.text_input(t("import_dataset_name", lang), value=path.stem, key="import_name")
job_key = (upload.file_id, fmt, repr(mapping))
if st.button(t("import_check", lang), key="import_check"):
    known = [d.name for d in opened.datasets() if d.name != name]
    existing = opened.read_columns(known, COMPARE_COLUMNS) if known else None  # a few columns, not whole datasets
    bset, _ = data.boundaries()
    # one check per session: a new click cancels the check before it (it stops at its next chunk)
    jobs.replace("import_job", job_key, lambda progress: check_rows(path, fmt, mapping, existing, bset, progress))
key, job = jobs.current("import_job")
if job is None or key != job_key:
    st.stop()
if job.running:
    st.caption(t("import_leave_ok", lang))
    jobs.show_progress(
        job, lambda done, total: t("import_progress", lang, done=number(done, lang), total=number(total, lang))
    )
    st.stop()
if job.error is not None:
    if isinstance(job.error, ProtestMapError):
        st.error(str(job.error))
        st.stop()
    raise job.error
result, candidates = job.result
result.check()
result = decide(result, candidates)

counts = result.counts
cols = st.columns(4)
cols[0].metric(
    t("import_imported", lang),
    number(counts["imported"], lang),
    help=t("import_of_which_flagged", lang, n=number(counts["flagged"], lang)),
)
cols[1].metric(t("import_flagged", lang), number(counts["flagged"], lang))
cols[2].metric(t("import_merged", lang), number(counts["merged"], lang))
cols[3].metric(t("import_rejected", lang), number(counts["rejected"], lang))
for note in result.notes:
    st.text(note)
if len(result.merged):
    st.write(t("import_merged_intro", lang))
    st.dataframe(result.merged, hide_index=True, width="stretch")
if len(result.rejected):
    st.write(t("import_rejected_intro", lang))
    st.dataframe(result.rejected, hide_index=True, width="stretch")
    st.download_button(
        t("import_download_rejected", lang),
        rejected_csv(result).encode("utf-8-sig"),  # formula-safe, as python -m geo import writes it
        file_name=f"{path.stem}.rejected.csv",
        mime="text/csv",
    )
if len(result.records):
    st.write(t("import_records_intro", lang))
    joined = data.join_preview(result.records)
    flagged_first = joined.sort_values("flags", ascending=False, key=lambda s: s != "")
    tables.table(flagged_first, lang)
    placed = joined[joined["city_id"] != ""]
    bset, _ = data.boundaries()
    if bset is not None and len(placed):
        city = placed["city_id"].value_counts().index[0]
        on = placed["date"].max().date()
        st.write(t("import_where", lang, city=city_label(city, lang), date=on))
        st_folium(
            incident_map(joined, bset, city_id=city, on=on, lang=lang, height=420),
            height=420,
            use_container_width=True,
            returned_objects=[],
            key="import-map",
        )

if len(result.records) and st.button(
    t("import_go", lang, n=number(counts["imported"], lang), name=name), type="primary", key="import_go"
):
    try:
        info = opened.write(
            name,
            result.records,
            kind="import",
            source_file=upload.name,
            source_format=result.format,
            version=file_version(path),
            notes="; ".join(result.notes),
        )
    except ProtestMapError as exc:
        st.error(str(exc))
        st.stop()
    data.forget_records()
    jobs.drop("import_job")
    uploads.discard()  # the import is done: the file leaves the disk
    st.session_state["pm_imported"] = (upload.file_id, info.rows, info.name)
    st.success(t("import_done", lang, n=number(info.rows, lang), name=info.name))
