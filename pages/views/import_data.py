"""Import: upload -> detect format -> map columns if needed -> check every row -> preview -> import."""

import re
import tempfile
from pathlib import Path

import streamlit as st
from streamlit_folium import st_folium

from geo.errors import ProtestMapError
from geo.importing import FORMATS, detect_format, import_rows, preview, read_table
from geo.maps import incident_map
from geo.store import file_version
from pages.ui import data, jobs, state, tables
from pages.ui.i18n import t

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

f = state.current()
lang = f.lang
st.title(t("import", lang))
st.caption(
    "Native CSV/GeoJSON, ACLED exports, Crowd Counting-style sheets or any other CSV (UTF-8, UTF-8 with "
    "BOM or Windows-1251; `,` `;` or tab). Every row ends up imported, merged into an existing record "
    f"or rejected with its reason. Files up to {MAX_UPLOAD_MB} MB."
)

opened, problem = data.store()
if opened is None:
    st.error(f"The dataset store cannot be opened: {problem}")
    st.stop()

upload = st.file_uploader("File", type=FILE_TYPES, key="import_file")
if upload is None:
    st.stop()
if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
    st.error(
        f"{upload.name} is {upload.size / 1024 / 1024:.1f} MB; this page takes files up to "
        f"{MAX_UPLOAD_MB} MB. Import larger files with `python -m geo import FILE`."
    )
    st.stop()

folder = Path(tempfile.gettempdir()) / "protest-map-uploads" / upload.file_id
folder.mkdir(parents=True, exist_ok=True)
path = folder / (re.sub(r"[^\w.\-]+", "_", Path(upload.name).name) or "upload.csv")
path.write_bytes(upload.getvalue())

try:
    table = read_table(path)
except ProtestMapError as exc:
    st.error(str(exc))
    st.stop()
detected = detect_format(table)
st.write(f"{len(table.frame):,} rows, {table.encoding}, delimiter {table.delimiter!r}; detected format: **{detected}**")
formats = list(FORMATS)
fmt = st.radio(
    "Format",
    formats,
    index=formats.index(detected if detected in formats else "mapped"),
    horizontal=True,
    key="import_format",
)

mapping = None
if fmt == "mapped":
    st.subheader("Which column is which")
    choices = ["(none)", *table.frame.columns]
    mapping = {}
    left, right = st.columns(2)
    for n, column in enumerate(MAPPABLE):
        with left if n % 2 == 0 else right:
            picked = st.selectbox(column, choices, key=f"map_{column}")
            if picked != "(none)":
                mapping[column] = picked
    constant_city = st.text_input("…or one city for every row (Almaty, Nur-Sultan, national)", key="map_city_c")
    if constant_city and "city" not in mapping:
        mapping["city"] = "=" + constant_city
    constant_type = st.text_input("…or one event type for every row (rally, detention, …)", key="map_type_c")
    if constant_type and "event_type" not in mapping:
        mapping["event_type"] = "=" + constant_type
    date_format = st.text_input("Date format if not YYYY-MM-DD or DD.MM.YYYY (e.g. %d/%m/%Y)", key="map_datefmt")
    if date_format:
        mapping["date_format"] = date_format

st.subheader("The first rows as they would be imported")
try:
    st.dataframe(preview(table, mapping, n=10, format=fmt), hide_index=True, width="stretch")
except ProtestMapError as exc:
    st.error(str(exc))
    st.stop()

name = st.text_input("Dataset name", value=path.stem, key="import_name")
job_key = (upload.file_id, fmt, repr(mapping))
if st.button("Check every row", key="import_check"):
    known = [d.name for d in opened.datasets() if d.name != name]
    existing = opened.read(known) if known else None
    st.session_state["import_job"] = (
        job_key,
        jobs.start(
            lambda progress: import_rows(path, format=fmt, mapping=mapping, existing=existing, progress=progress)
        ),
    )
key, job = st.session_state.get("import_job", (None, None))
if job is None or key != job_key:
    st.stop()
if job.running:
    st.caption("You can leave this page while the rows are checked; the result waits here.")
    jobs.show_progress(job, "Checked {done:,} of {total:,} rows")
    st.stop()
if job.error is not None:
    if isinstance(job.error, ProtestMapError):
        st.error(str(job.error))
        st.stop()
    raise job.error
result = job.result
result.check()

counts = result.counts
cols = st.columns(4)
cols[0].metric("Imported", f"{counts['imported']:,}", help=f"of which flagged: {counts['flagged']:,}")
cols[1].metric("Flagged", f"{counts['flagged']:,}")
cols[2].metric("Merged", f"{counts['merged']:,}")
cols[3].metric("Rejected", f"{counts['rejected']:,}")
for note in result.notes:
    st.text(note)
if len(result.merged):
    st.write("Merged into records that already exist:")
    st.dataframe(result.merged, hide_index=True, width="stretch")
if len(result.rejected):
    st.write("Rejected rows (fix them and import the file again):")
    st.dataframe(result.rejected, hide_index=True, width="stretch")
    st.download_button(
        "Download the rejected rows (CSV)",
        result.rejected.to_csv(index=False),
        file_name=f"{path.stem}.rejected.csv",
        mime="text/csv",
    )
if len(result.records):
    st.write("Records to import (flags say what looked suspicious):")
    joined = data.join_preview(result.records)
    flagged_first = joined.sort_values("flags", ascending=False, key=lambda s: s != "")
    tables.table(flagged_first, lang)
    placed = joined[joined["city_id"] != ""]
    bset, _ = data.boundaries()
    if bset is not None and len(placed):
        city = placed["city_id"].value_counts().index[0]
        on = placed["date"].max().date()
        st.write(f"Where they fall ({city}, districts in force on {on}):")
        st_folium(
            incident_map(joined, bset, city_id=city, on=on, lang=lang, height=420),
            height=420,
            use_container_width=True,
            returned_objects=[],
            key="import-map",
        )

if len(result.records) and st.button(
    f"Import {counts['imported']:,} records as dataset '{name}'", type="primary", key="import_go"
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
    st.cache_data.clear()
    st.session_state.pop("import_job", None)
    st.success(f"Imported {info.rows:,} records as '{info.name}'. Choose it under Datasets in the sidebar.")
