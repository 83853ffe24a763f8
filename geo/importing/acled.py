"""ACLED exports (current and older columns) to native cells."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from geo.errors import MappingError
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

__all__ = ["ACLED_CITATION_URL", "ACLED_TYPES_FILE", "AcledTypes", "load_acled_types", "to_native_acled"]

#: ACLED rows carry no URLs; every imported ACLED record cites ACLED's data export tool
#: (where a user gets the export) and keeps ACLED's own ``source`` names in ``source_names``.
ACLED_CITATION_URL = "https://acleddata.com/data-export-tool/"

#: The default mapping from ACLED's event types to native ones (a file a user copies and edits).
ACLED_TYPES_FILE = Path(__file__).with_name("acled_types.toml")


@dataclass(frozen=True)
class AcledTypes:
    """How ACLED rows are typed (see ``acled_types.toml``, which documents each rule).

    Sub-event types are compared case-insensitively, trimmed.
    """

    sub_event_type: dict[str, str]
    arrests_stated: frozenset[str]
    arrests_type: str
    state_actor1: str
    state_sub_event_types: frozenset[str]
    state_type: str
    journalist_actors: str
    journalist_detained_sub_event_types: frozenset[str]
    journalist_detained: str
    journalist_assaulted_sub_event_types: frozenset[str]
    journalist_assaulted: str
    source: str = "the default ACLED types"

    def with_sub_event_types(self, types: dict[str, str]) -> AcledTypes:
        """The same rules with ``types`` (ACLED sub-event type -> native type) changed, as on the Import page."""
        from dataclasses import replace

        changed = dict(self.sub_event_type)
        for sub, native in types.items():
            changed[_key(sub)] = _native(native, f"sub_event_type {sub!r}", self.source)
        return replace(self, sub_event_type=changed, source=f"{self.source}, changed on the page")

    def without_sub_event_types(self, subs: list[str]) -> AcledTypes:
        """The same rules with ``subs`` left untyped (their rows rejected), as on the Import page."""
        from dataclasses import replace

        kept = {k: v for k, v in self.sub_event_type.items() if k not in {_key(s) for s in subs}}
        return replace(self, sub_event_type=kept, source=f"{self.source}, changed on the page")


def load_acled_types(source: str | Path | dict | AcledTypes | None = None) -> AcledTypes:
    """The ACLED type rules from ``source``: a TOML file, a dict of its content, or the default file.

    Raises
    ------
    MappingError
        The file cannot be read or parsed, a section or key is missing, a native type
        is not one of :data:`geo.schema.EVENT_TYPES`, or a pattern is not a valid
        regular expression; the message names the file and the key.
    """
    if isinstance(source, AcledTypes):
        return source
    where = "the ACLED types"
    if source is None or isinstance(source, (str, Path)):
        path = ACLED_TYPES_FILE if source is None else Path(source)
        where = f"ACLED types file {path}"
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError) as exc:
            raise MappingError(f"{where}: cannot be read ({exc})") from None
        except tomllib.TOMLDecodeError as exc:
            raise MappingError(f"{where}: not valid TOML ({exc})") from None
    else:
        data = source
    try:
        subs = {_key(k): _native(v, f"sub_event_type {k!r}", where) for k, v in data["sub_event_type"].items()}
        arrests, state, press = data["arrests_stated"], data["state_forces"], data["journalists"]
        types = AcledTypes(
            sub_event_type=subs,
            arrests_stated=frozenset(map(_key, arrests["sub_event_types"])),
            arrests_type=_native(arrests["type"], "arrests_stated.type", where),
            state_actor1=_pattern(state["actor1"], "state_forces.actor1", where),
            state_sub_event_types=frozenset(map(_key, state["sub_event_types"])),
            state_type=_native(state["type"], "state_forces.type", where),
            journalist_actors=_pattern(press["actors"], "journalists.actors", where),
            journalist_detained_sub_event_types=frozenset(map(_key, press["detained_sub_event_types"])),
            journalist_detained=_native(press["detained"], "journalists.detained", where),
            journalist_assaulted_sub_event_types=frozenset(map(_key, press["assaulted_sub_event_types"])),
            journalist_assaulted=_native(press["assaulted"], "journalists.assaulted", where),
            source=where if source is not None else "the default ACLED types",
        )
    except KeyError as exc:
        raise MappingError(f"{where}: {exc.args[0]!r} is missing (see {ACLED_TYPES_FILE.name})") from None
    except (TypeError, AttributeError) as exc:
        raise MappingError(f"{where}: a section has the wrong shape ({exc}; see {ACLED_TYPES_FILE.name})") from None
    return types


def _key(sub: object) -> str:
    return str(sub).strip().casefold()


def _native(value: object, key: str, where: str) -> str:
    from geo.schema import EVENT_TYPES

    if value not in EVENT_TYPES:
        raise MappingError(f"{where}: {key} is {value!r}; expected one of {', '.join(EVENT_TYPES)}")
    return str(value)


def _pattern(value: object, key: str, where: str) -> str:
    try:
        re.compile(str(value))
    except re.error as exc:
        raise MappingError(f"{where}: {key} is not a valid regular expression ({exc})") from None
    return str(value)


_COUNTRY_NAMES = {"kazakhstan", "казахстан", "қазақстан", "republic of kazakhstan", "республика казахстан"}


def to_native_acled(table: RawTable, types: str | Path | dict | AcledTypes | None = None) -> Converted:
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

    rules = load_acled_types(types)
    sub = b.col("sub_event_type")
    key = sub.str.casefold().str.strip()

    tags, notes = b.col("tags"), b.col("notes")
    counts_text = tags + " ; " + notes
    crowd = counts_text.str.extract(r"(?i)(?:crowd\s+)?\bsize\s*=\s*([^;\]\n]*)", expand=False).fillna("").str.strip()
    tagged = counts_text.str.extract(r"(?i)\barrests?\s*=\s*([^;\]\n]*)", expand=False).fillna("").str.strip()
    said = _per_unique(notes, lambda u: u.map(_arrests_said))
    several = said.str.startswith("several:")
    from_notes = said.where(~several, "")
    arrests = tagged.where(tagged != "", from_notes)
    p = _counts(crowd)
    d = _counts(arrests)
    stated = d.low != ""
    b.out["participants_low"], b.out["participants_high"] = p.low, p.high
    b.out["detained_low"], b.out["detained_high"] = d.low, d.high
    b.out["count_kind"] = pd.Series(np.where(stated, "incremental", ""), index=b.index)
    b.flag(p.textual, "crowd size stated as text ('" + crowd + "' read as " + p.shown + ")")
    b.flag(d.textual & (tagged != ""), "arrests stated as text ('" + arrests + "' read as " + d.shown + ")")
    b.flag(p.words, "crowd size '" + crowd + "' gives no number (kept in notes)")
    b.flag(d.words & (tagged != ""), "arrests '" + arrests + "' give no number (kept in notes)")
    b.flag(p.swapped | d.swapped, "a range was written high-low (swapped)")
    b.flag(
        several & (tagged == ""), "notes state several arrest counts (" + said.str[len("several:") :] + "): none used"
    )
    count_source = pd.Series(
        np.where(tagged != "", "tags", np.where(from_notes != "", "notes", "")), index=b.index, dtype=object
    )

    press = b.col("actor2").str.contains(rules.journalist_actors, case=False, regex=True) | b.col(
        "assoc_actor_2"
    ).str.contains(rules.journalist_actors, case=False, regex=True)
    by_state = b.col("actor1").str.contains(rules.state_actor1, case=False, regex=True)
    mapped = key.map(rules.sub_event_type)
    event_type = pd.Series("", index=b.index, dtype=object)
    rule = pd.Series("", index=b.index, dtype=object)
    for mask, native, why in (
        (press & key.isin(list(rules.journalist_detained_sub_event_types)), rules.journalist_detained, "journalists"),
        (press & key.isin(list(rules.journalist_assaulted_sub_event_types)), rules.journalist_assaulted, "journalists"),
        (by_state & key.isin(list(rules.state_sub_event_types)), rules.state_type, "state_forces"),
        (stated & key.isin(list(rules.arrests_stated)), rules.arrests_type, "arrests_stated"),
        (mapped.notna(), None, "sub_event_type"),
    ):
        todo = (event_type == "") & mask
        event_type = event_type.where(~todo, mapped if native is None else native)
        rule = rule.where(~todo, why)
    event_type = event_type.fillna("").astype(str)
    b.reject(
        event_type == "",
        "sub_event_type",
        sub,
        "ACLED sub_event_type '"
        + sub
        + "' has no protest-map type in "
        + rules.source
        + " (add it there to import such rows: "
        + ACLED_TYPES_FILE.name
        + ")",
    )
    b.out["event_type"] = event_type
    intervened = key == "protest with intervention"
    b.flag(
        intervened & (event_type == "rally"), "ACLED Protest with intervention: police intervened (recorded as rally)"
    )
    b.flag(key == "violent demonstration", "ACLED Violent demonstration (a riot)")
    b.flag(key == "mob violence", "ACLED Mob violence")
    derived = (
        "event_type "
        + event_type
        + " by rule "
        + rule
        + " (sub_event_type '"
        + sub
        + "')"
        + pd.Series(np.where(stated, "; detained " + d.shown + " from " + count_source, ""), index=b.index)
        + pd.Series(np.where(p.low != "", "; participants " + p.shown + " from the crowd size tag", ""), index=b.index)
    )
    acled_rule = derived.where(event_type != "", "")

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
        "acled_rule": acled_rule,
    }
    return b.done(extra)


#: How many people a note says were arrested or detained: digits next to the verb, in either
#: order ("12 protesters were detained", "police detained at least 30"), in English or Russian.
_QUALIFIER = r"(?:at least|no fewer than|more than|over|about|around|approximately|some|up to|не менее|более|около)"
_VERB = r"(?:arrest(?:ed|s)?|detain(?:ed|s)?|задержа(?:ны|но|ли|н)|арестова(?:ны|ли))"
_NUMBER = r"(\d{1,3}(?:[,\u00a0 ]\d{3})+|\d+)"
_PEOPLE = (
    r"(?:people|persons|individuals|protesters|protestors|demonstrators|activists|participants|journalists|"
    r"reporters|students|supporters|men|women|others|of them|человек|участников|активистов|журналистов)"
)
#: Between the number and the verb: at most one word and who they were ("12 young protesters were").
_BETWEEN = rf"(?:(?:[a-zа-яё-]+\s+)?{_PEOPLE}\s+)?(?:were\s+|was\s+|had been\s+|have been\s+|being\s+|got\s+)?"
_SAID = [
    re.compile(rf"(?i)\b({_QUALIFIER}\s+)?{_NUMBER}\s+{_BETWEEN}{_VERB}\b"),
    re.compile(rf"(?i)\b{_VERB}\s+({_QUALIFIER}\s+)?{_NUMBER}\b"),
]


def _arrests_said(note: str) -> str:
    """The arrest count a note states, as a count cell ('12', 'at least 30', 'about 50').

    ``'several:5, 10'`` when it states more than one (none is used: adding them could
    count one group twice); ``''`` when it states none, or only an upper bound ("up to 30").
    """
    found: list[str] = []
    for pattern in _SAID:
        for m in pattern.finditer(note):
            qualifier = (m.group(1) or "").strip().casefold()
            digits = re.sub(r"\D", "", m.group(2))
            if re.fullmatch(r"(?:19|20)\d\d", digits) and not re.search(_PEOPLE, m.group(0), re.IGNORECASE):
                continue  # "in 2019 arrested", "detained 2020": a year, not a count
            if qualifier in ("more than", "over", "более"):
                text = f"at least {int(digits) + 1}"
            elif qualifier in ("at least", "no fewer than", "не менее"):
                text = f"at least {digits}"
            elif qualifier == "up to":  # a ceiling, no floor: not a count
                continue
            elif qualifier:
                text = f"about {digits}"
            else:
                text = digits
            if text not in found:
                found.append(text)
    if len(found) > 1:
        return "several:" + ", ".join(found)
    return found[0] if found else ""
