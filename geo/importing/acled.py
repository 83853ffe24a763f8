"""ACLED exports (current and older columns) to native cells."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.importing.builder import Converted, _Builder
from geo.importing.read import RawTable
from geo.importing.values import (
    _city_values,
    _counts,
    _decimal,
    _join_text,
    _parse_dates,
    _per_unique,
)

__all__ = ["ACLED_CITATION_URL", "to_native_acled"]

#: ACLED rows carry no URLs; every imported ACLED record cites ACLED's data export tool
#: (where a user gets the export) and keeps ACLED's own ``source`` names in ``source_names``.
ACLED_CITATION_URL = "https://acleddata.com/data-export-tool/"

_COUNTRY_NAMES = {"kazakhstan", "казахстан", "қазақстан", "republic of kazakhstan", "республика казахстан"}


def to_native_acled(table: RawTable) -> Converted:
    """Convert an ACLED export (current or older columns) to native cells.

    What ACLED's columns mean is from ACLED's codebook (acleddata.com/knowledge-base/codebook,
    and the codebook table shipped with the acledR package) and its "Tags in the data" and
    "Guide to 2023 ACLED column changes" pages.

    * ``record_id`` is ``'ACLED-' + event_id_cnty``; a row without one is rejected.
    * ``date`` from ``event_date``, written ``2019-06-09`` or ``09 June 2019`` (also
      ``09-June-2019`` and ``9 Jun 2019``); any other text rejects the row, naming the cell.
    * ``time_precision``: ACLED codes how sure the *date* is: 1 the actual day, 2 a day
      within a known week or weekend, 3 only the month (or a day mid-period).  Ours says how
      precise the time of day is: with an ACLED 1 we know the day only, so ``day``; with 2 or 3
      the event happened on an uncertain day around ``date``, which we call ``range`` (and say
      so in a flag).  ``period_start``/``period_end`` stay at ``date``: ACLED does not give the
      window, and a guessed window would change what counts add up to.
    * ``city`` from ``location`` (``Almaty``, ``Nur-Sultan``/``Astana``, ``... city``, Cyrillic
      ``Алматы``/``Астана``/``Нур-Султан`` ...), then ``admin1`` when it names the city itself;
      ``national`` when the location is the country; ``other`` otherwise.
    * ``geo_precision``: ACLED 1 (the town itself), 2 (near or part of it), 3 (only the wider
      region, coded at its capital) map to our 1, 2 and 3.  A precision-3 event is therefore
      city level at best: :func:`geo.join.join_incidents` never puts precision 3 in a district.
      A country-level row gets 4.
    * ``event_type`` from ``sub_event_type``: ``Arrests`` -> ``detention``;
      ``Excessive force against protesters`` (also spelled "protestors") -> ``police_violence``;
      ``Peaceful protest`` -> ``rally``; ``Protest with intervention`` -> ``rally`` with a flag
      and a note that police intervened (ACLED: an attempt to disperse or suppress a peaceful
      protest without serious injuries); any other type -> ``rally`` with a flag naming it.
    * counts only where stated, in ``tags`` (``;``-separated, e.g. ``crowd size=around 200``;
      the crowd size tag applies to ACLED's protest and riot events) or as ``arrests=12`` /
      ``[size=...]`` in tags or notes: ``participants_low/high`` and ``detained_low/high``
      (``count_kind`` ``incremental`` when an arrest count was found).  Words like "dozens" or
      "no report" give no number; they stay in ``notes``.
    * ``source_urls``: ACLED rows carry no URLs, and the native schema wants one, so every
      row cites :data:`ACLED_CITATION_URL`; ACLED's ``source`` names go to ``source_names``.
    * ``notes`` is ACLED's notes; ``place_name_en`` the location.  ``acled_*`` extra columns
      keep the event id, actors, sub-event type, precisions, tags, admin1 and timestamp.
    """
    b = _Builder(table)
    event_id = b.col("event_id_cnty")
    b.reject(event_id == "", "event_id_cnty", event_id, "an ACLED row needs event_id_cnty (its event id)")
    b.out["record_id"] = ("ACLED-" + event_id.str.replace(r"\s+", "", regex=True)).where(event_id != "", "")

    raw_date = b.col("event_date")
    iso = _parse_dates(raw_date, ["%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%d-%b-%Y"])
    b.reject(iso == "", "event_date", raw_date, "expected an ACLED event_date like 2019-06-09 or 09 June 2019")
    b.out["date"] = iso

    tp = b.col("time_precision")
    b.out["time_precision"] = tp.map({"1": "day", "2": "range", "3": "range"}).fillna("").astype(str)
    b.flag(tp.isin(["2", "3"]), "ACLED time_precision " + tp + ": the day is approximate")
    b.flag(~tp.isin(["", "1", "2", "3"]), "ACLED time_precision " + tp + " unknown (left blank)")

    location, admin1, country = b.col("location"), b.col("admin1"), b.col("country")
    city = _city_values(location, keep_unknown=False)
    from_admin = _city_values(admin1, keep_unknown=False, admin=True)
    city = city.where(city != "", from_admin)
    is_country = location.str.casefold().isin(_COUNTRY_NAMES) | (
        (location != "") & (location.str.casefold() == country.str.casefold())
    )
    city = city.where(city != "", np.where(is_country, "national", "other"))
    b.out["city"] = city
    place = location.where(~is_country, "")
    cyrillic = place.str.contains(r"[\u0400-\u04ff]", regex=True)
    b.out["place_name_en"] = place.where(~cyrillic, "")
    b.out["place_name_ru"] = place.where(cyrillic, "")

    lat, lon = _decimal(b.col("latitude")), _decimal(b.col("longitude"))
    b.out["latitude"], b.out["longitude"] = lat, lon
    b.out["coord_source"] = pd.Series(np.where((lat != "") & (lon != ""), "ACLED", ""), index=b.index)
    gp = b.col("geo_precision")
    precision = gp.where(gp.isin(["1", "2", "3"]), "")
    b.flag(~gp.isin(["", "1", "2", "3"]), "ACLED geo_precision " + gp + " unknown (left blank)")
    b.out["geo_precision"] = precision.where(~is_country, "4")

    sub = b.col("sub_event_type")
    key = sub.str.casefold().str.strip()
    event_type = key.map(_ACLED_SUB_EVENTS).fillna("rally").astype(str)
    b.out["event_type"] = event_type
    intervened = key == "protest with intervention"
    b.flag(intervened, "ACLED Protest with intervention: police intervened (recorded as rally)")
    unknown = ~key.isin(list(_ACLED_SUB_EVENTS))
    b.flag(unknown, "ACLED sub_event_type '" + sub + "' has no native type (recorded as rally)")

    tags, notes = b.col("tags"), b.col("notes")
    counts_text = tags + " ; " + notes
    crowd = counts_text.str.extract(r"(?i)(?:crowd\s+)?\bsize\s*=\s*([^;\]\n]*)", expand=False).fillna("").str.strip()
    arrests = counts_text.str.extract(r"(?i)\barrests?\s*=\s*([^;\]\n]*)", expand=False).fillna("").str.strip()
    p = _counts(crowd)
    d = _counts(arrests)
    b.out["participants_low"], b.out["participants_high"] = p.low, p.high
    b.out["detained_low"], b.out["detained_high"] = d.low, d.high
    b.out["count_kind"] = pd.Series(np.where(d.low != "", "incremental", ""), index=b.index)
    b.flag(p.textual, "crowd size stated as text ('" + crowd + "' read as " + p.shown + ")")
    b.flag(d.textual, "arrests stated as text ('" + arrests + "' read as " + d.shown + ")")
    b.flag(p.words, "crowd size '" + crowd + "' gives no number (kept in notes)")
    b.flag(d.words, "arrests '" + arrests + "' give no number (kept in notes)")
    b.flag(p.swapped | d.swapped, "a range was written high-low (swapped)")

    extra_notes = pd.Series(
        np.where(intervened, "ACLED: protest with intervention (police intervened).", ""), index=b.index
    )
    words = np.where(p.words & ~notes.str.contains("size=", case=False, regex=False), "crowd size: " + crowd + ".", "")
    b.out["notes"] = _join_text([notes, extra_notes, pd.Series(words, index=b.index)], " ")
    b.out["summary"] = _join_text([sub, location], ", ")
    b.out["source_names"] = _per_unique(
        b.col("source"), lambda u: u.str.split(";").map(lambda parts: "; ".join(s.strip() for s in parts if s.strip()))
    )
    b.out["source_urls"] = pd.Series([ACLED_CITATION_URL] * b.n, index=b.index, dtype=object)

    extra = {
        "acled_event_id_cnty": event_id,
        "acled_sub_event_type": sub,
        "acled_actor1": b.col("actor1"),
        "acled_assoc_actor_1": b.col("assoc_actor_1"),
        "acled_actor2": b.col("actor2"),
        "acled_assoc_actor_2": b.col("assoc_actor_2"),
        "acled_admin1": admin1,
        "acled_time_precision": tp,
        "acled_geo_precision": gp,
        "acled_tags": tags,
        "acled_timestamp": b.col("timestamp"),
    }
    return b.done(extra)


_ACLED_SUB_EVENTS = {
    "peaceful protest": "rally",
    "protest with intervention": "rally",
    "excessive force against protesters": "police_violence",
    "excessive force against protestors": "police_violence",
    "arrests": "detention",
}
