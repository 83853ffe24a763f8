"""The native incident schema: columns, allowed values, and what the loader produces.

After :func:`geo.records.load_records` a records frame has exactly these columns
(in this order, plus any extra columns the file had, kept as text after them):

* text columns (``str``, ``""`` when blank): ``record_id``, ``time_local``,
  ``time_precision``, ``city``, ``place_name_*``, ``coord_source``, ``event_type``,
  ``detained_text``, ``count_kind``, ``included_in``, ``contested_by``, ``summary``,
  ``notes``, ``inferred``, ``source_urls``, ``source_names``
* dates (``datetime64[ns]``, day resolution): ``date``, ``period_start``,
  ``period_end`` (both default to ``date``)
* floats (``NaN`` when blank): ``latitude``, ``longitude``
* nullable integers (``Int64``, ``<NA>`` when blank): ``geo_precision``,
  ``detained_low``, ``detained_high``, ``participants_low``,
  ``participants_high``, ``injured``
* ``source_row`` (``int``): the row number in the source file (CSV: header is
  row 1; GeoJSON: feature number), and ``source_file`` (``str``).
"""

from __future__ import annotations

TEXT_COLUMNS = [
    "record_id",
    "time_local",
    "time_precision",
    "city",
    "place_name_en",
    "place_name_ru",
    "place_name_kk",
    "coord_source",
    "event_type",
    "detained_text",
    "count_kind",
    "included_in",
    "contested_by",
    "summary",
    "notes",
    "inferred",
    "source_urls",
    "source_names",
]
#: ``detained_text``: how the sources word a count that is not a number ("dozens",
#: "several"), kept beside (or instead of) ``detained_low``/``detained_high``.
#: ``inferred``: the columns (space-separated names) whose value this dataset infers
#: rather than a source states, e.g. ``period_start`` of a running total whose start
#: day no statement gives; answers that rest on them say so.
DATE_COLUMNS = ["date", "period_start", "period_end"]
FLOAT_COLUMNS = ["latitude", "longitude"]
INT_COLUMNS = [
    "geo_precision",
    "detained_low",
    "detained_high",
    "participants_low",
    "participants_high",
    "injured",
]

#: The native column order (CSV header order of the embedded dataset).
COLUMNS = [
    "record_id",
    "date",
    "time_local",
    "time_precision",
    "period_start",
    "period_end",
    "city",
    "place_name_en",
    "place_name_ru",
    "place_name_kk",
    "latitude",
    "longitude",
    "coord_source",
    "geo_precision",
    "event_type",
    "detained_low",
    "detained_high",
    "detained_text",
    "count_kind",
    "included_in",
    "contested_by",
    "participants_low",
    "participants_high",
    "injured",
    "summary",
    "notes",
    "inferred",
    "source_urls",
    "source_names",
]

#: Columns a file must have; the others may be absent and are then blank.
REQUIRED_COLUMNS = ["record_id", "date", "city", "event_type", "source_urls"]

CITIES = ("Almaty", "Nur-Sultan", "Astana", "national", "other")
#: ``city`` value -> ``city_id`` of the boundary layers (national/other have none).
#: The capital's names (Astana until 2019-03-23, Nur-Sultan until 2022-09-17, Astana
#: again since) are one city, ``astana``, for every rule.
CITY_IDS = {"Almaty": "almaty", "Nur-Sultan": "astana", "Astana": "astana"}
TIME_PRECISIONS = ("exact", "range", "day")
EVENT_TYPES = (
    "rally",
    "detention",
    "police_violence",
    "journalist_detained",
    "journalist_assaulted",
    "official_statement",
)
#: ``incremental``: the detentions of one episode; ``cumulative``: every detention in
#: the record's area and period (a total); ``partial``: some of the people detained in
#: its area and period (journalists, those charged, those moved away): a floor for
#: that total, containing nothing; ``snapshot``: people held at one moment, never added.
COUNT_KINDS = ("incremental", "cumulative", "partial", "snapshot")
#: Event types that are detentions: such a record without a number (``detained_text``
#: "dozens", or nothing) is a count nobody knows, which leaves a figure's high end open.
DETENTION_TYPES = ("detention", "journalist_detained")
GEO_PRECISIONS = (1, 2, 3, 4)
#: The app's languages (the sidebar's order): English, Russian, Kazakh.
LANGUAGES = ("en", "ru", "kk")
#: What the district map can be shaded by.
METRICS = ("detained", "incidents")
#: The store's name for the dataset the project ships.
EMBEDDED_DATASET = "embedded"
#: The formats :mod:`geo.importing` reads (a dataset's ``source_format``): native files,
#: ACLED exports, Crowd Counting-style sheets, and any table through a column mapping.
IMPORT_FORMATS = ("native", "acled", "ccc", "mapped")

#: Columns the spatial join adds (``join_code``: the main reason of ``join_note`` as a
#: short stable code, see :data:`geo.join.JOIN_CODES`).
JOIN_COLUMNS = ["city_id", "district_id", "district_name_en", "attribution", "join_note", "join_code"]
ATTRIBUTIONS = ("district", "city", "outside", "unlocated")
