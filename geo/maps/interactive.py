"""Folium maps of incidents and districts, built for ``st_folium`` and for plain HTML.

:func:`incident_map` draws one city: its district layer in force on a date as a
choropleth, the city outline, the incidents placed in a district as circle
markers (clustered), an optional heat layer, a layer control, the basemap (or a
plain background), attributions and a badge counting the records known only to
city level.  :func:`overview_map` draws both cities on one small map.

Every incident layer is *one* GeoJSON FeatureCollection (one JS array), never
one Python object per incident: a folium ``CircleMarker`` with a popup per
incident takes ~1 s per 1,000 incidents to render, the FeatureCollection a few
milliseconds.

Markup safety: every text that comes from data (place and district names,
summaries, dates, URLs, attribution lines) is escaped with :func:`html.escape`
in Python before it becomes part of any HTML string (popups, tooltips, legend,
attribution); JSON embedded in the page is HTML-safe (``<``, ``>``, ``&`` and
``'`` as ``\\uXXXX``), so a ``</script>`` in the data cannot close the script.
Source links are made only for ``http``/``https`` URLs.  And no data string is
ever compiled as a Jinja template: branca's ``MacroElement.render`` wraps every
rendered script in ``Element(text)``, which compiles ``text`` as a template again,
so a ``{{ 7*7 }}`` in a summary or a district name would be *evaluated on the
server* (and 8 MB of JSON takes a second to lex).  Every element here that holds
data renders through :class:`_RawScript`, which inserts the text verbatim.

Clicks in ``st_folium``: ``returned_objects=["last_active_drawing"]`` returns the
clicked feature as GeoJSON.  A district has ``properties.district_id``; an
incident has ``properties.record_id``; a click on a cluster bubble returns a
point without either (ignore it).
"""

from __future__ import annotations

import html
import importlib
import importlib.util
import json
from datetime import date, datetime
from urllib.parse import urlsplit

import folium
import numpy as np
import pandas as pd
from folium.plugins import HeatMap, MarkerCluster
from folium.utilities import JsCode

from geo.boundaries import BoundarySet, Layer, city_display_name
from geo.maps._elements import LEGEND_FOLDED_BELOW, _GeoJson, _HeatMap, _HtmlControl, _PlainBackground
from geo.maps._packed import (
    POINT_LIMIT,
    POINTS_FROM_ZOOM,
    POPUP_LIMIT,
    VIEW_POINT_LIMIT,
    _ClusterAssets,
    _PackedClusters,
    _PackedHeat,
    _PackedPoints,
    drawn_incidents,
    grid_collection,
    in_cell,
    pack,
    representation,
    selected_record,
    view_token,
    within,
)
from geo.maps.assets import DEFAULT_BASE_URL
from geo.maps.style import (
    EVENT_COLOURS,
    OTHER_COLOUR,
    ZERO_FILL,
    _check_columns,
    badge_text,
    district_values,
    shade_classes,
    shade_fill,
)
from geo.schema import EVENT_TYPES, LANGUAGES, METRICS
from geo.words import attribution_text, capital, named, named_column, number, range_text, word

__all__ = [
    "CITY_EXTENTS",
    "DEFAULT_ASSET_BASE",
    "POINTS_FROM_ZOOM",
    "POINT_LIMIT",
    "POPUP_LIMIT",
    "VIEW_POINT_LIMIT",
    "drawn_incidents",
    "drawn_without_districts",
    "in_cell",
    "incident_map",
    "incidents_in_view",
    "overview_map",
    "representation",
    "selected_record",
    "within",
]

#: Where the page serves Leaflet & co. locally (see ``geo.maps.assets``).
DEFAULT_ASSET_BASE = DEFAULT_BASE_URL

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_TILE_ATTRIBUTION = "© OpenStreetMap contributors"
MAX_ZOOM = 19

_NEEDED_COLUMNS = ("record_id", "date", "city_id", "attribution", "district_id", "latitude", "longitude", "event_type")


# ----------------------------------------------------------------------------- words


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")


# ----------------------------------------------------------------------------- public


def incident_map(
    joined: pd.DataFrame,
    boundaries: BoundarySet | None,
    *,
    city_id: str,
    on: date,
    districts: pd.DataFrame | None = None,
    metric: str = "detained",
    lang: str = "en",
    tiles: bool = True,
    height: int = 600,
    asset_base: str | None = DEFAULT_ASSET_BASE,
    legend: bool = True,
) -> folium.Map:
    """A map of one city: district choropleth, outline, incidents, heat layer.

    Parameters
    ----------
    joined : pandas.DataFrame
        Records already filtered by the page and joined
        (:func:`geo.join.join_incidents`): :mod:`geo.schema` columns plus
        ``city_id``, ``district_id``, ``attribution``.  Only rows of ``city_id``
        are drawn: those with attribution ``district`` as points, those with
        attribution ``city`` counted in the badge.
    boundaries : geo.boundaries.BoundarySet or None
        ``None`` (no boundaries anywhere): no district layer and no outline; the
        incidents with precise coordinates (:func:`drawn_without_districts`) are
        drawn where their sources put them, in no district, the rest counted in
        the badge, and the legend says districts are missing.
    city_id : str
        ``almaty`` or ``astana``.
    on : date
        The day whose district layer is drawn (Astana had 4, 5 or 6 districts).
    districts : pandas.DataFrame, optional
        The choropleth values: columns ``district_id``, ``incidents`` and
        ``detained_low`` (the reconciled floor), e.g. from
        :func:`geo.districts.district_table`; rows of other districts or kinds
        are ignored.  When ``None`` the districts are shaded by the number of
        incidents in ``joined`` (detained figures are never summed: that would
        count overlapping reports twice) and the legend says so.
    metric : {'detained', 'incidents'}
        What the districts are shaded by.
    lang : {'en', 'ru', 'kk'}
        Language of names and words (geo.words: Kazakh falls back to Russian, then English).
    tiles : bool
        Draw the OpenStreetMap basemap (needs a network; when tiles fail, a note
        appears and the map keeps a plain background).  ``False``: plain
        background only.
    height : int
        Map height in pixels.
    asset_base : str or None
        Base URL of locally served Leaflet/plugin files, passed to
        ``geo.maps.assets.localize`` when that module exists; ``None`` keeps folium's
        CDN URLs.
    legend : bool
        Draw the legend control (a small map beside its own caption may leave it out).

    Returns
    -------
    folium.Map
        Layers (in the layer control): districts (feature properties
        ``district_id``, ``name``, ``metric``, ``value``, class ``pm-district``),
        city boundary, incidents (a GeoJSON in a MarkerCluster; past POPUP_LIMIT packed points clustered
        by supercluster; properties ``record_id`` or ``i``, ``event_type``; class ``pm-incident``), heat map (off).

    Raises
    ------
    ValueError
        Unknown ``city_id``, ``metric`` or ``lang``; ``joined`` or
        ``districts`` lack a needed column.
    """
    _check_lang(lang)
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; expected one of {list(METRICS)}")
    if boundaries is None:
        return _map_without_districts(
            joined, city_id=city_id, on=on, lang=lang, tiles=tiles, height=height, asset_base=asset_base, legend=legend
        )
    if city_id not in set(boundaries.outlines["city_id"]):
        raise ValueError(
            f"unknown city_id {city_id!r}; the boundaries have outlines of {sorted(boundaries.outlines['city_id'])}"
        )
    _check_columns(joined, _NEEDED_COLUMNS, "joined")
    on = _as_date(on)
    in_city = joined["city_id"] == city_id
    placed = _rows(joined, in_city & (joined["attribution"] == "district"))
    city_level = int((in_city & (joined["attribution"] == "city")).sum())

    outline = boundaries.outline(city_id)
    m = _base_map(outline.bounds, height=height, tiles=tiles, lang=lang)
    city_name = city_display_name(city_id, on, lang)

    layer = boundaries.layer_for(city_id, on)
    legend_parts = []
    if layer is not None:
        values, shaded_by, legend_title = district_values(placed, layer, districts, metric, lang)
        classes = shade_classes(values.values())
        ranges = _district_ranges(districts, lang) if shaded_by == "detained" else {}
        _district_layer(layer, values, shaded_by, classes, lang, ranges).add_to(m)
        legend_parts.append(
            f"<b>{html.escape(word('map_districts_on', lang, city=city_name, date=on.isoformat()))}</b>"
        )
        legend_parts.append(_scale_legend(legend_title, classes, lang))
    else:
        legend_parts.append(f"<b>{html.escape(word('no_layer', lang, city=city_name, date=on.isoformat()))}</b>")
    _outline_layer(boundaries, [city_id], lang).add_to(m)

    legend_parts.extend(_add_incidents(m, placed, lang))
    legend_parts.append(_event_legend(lang))

    if legend:
        _legend_control("<br>".join(legend_parts), lang).add_to(m)
    _badge(city_level, lang).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    m.fit_bounds(_latlng_bounds(outline.bounds))
    _localize(m, asset_base)
    return m


def incidents_in_view(
    frame: pd.DataFrame, lang: str, *, asset_base: str | None = DEFAULT_ASSET_BASE
) -> folium.FeatureGroup:
    """The incidents of a zoomed-in grid map's view as one layer for ``st_folium(feature_group_to_add=…)``.

    ``frame`` is :func:`within` the view (at most :data:`VIEW_POINT_LIMIT` rows); packed
    points in a cluster, selected by a click as on a packed map (:func:`selected_record`).
    The grid map carries the cluster plugin's files for it: st_folium loads a map's files
    once, when it first draws the map, not when a layer is added.
    """
    group = folium.FeatureGroup(name=word("incidents", lang), control=False)
    cluster = MarkerCluster(
        spiderfy_on_max_zoom=True, show_coverage_on_hover=False, chunked_loading=True, control=False
    ).add_to(group)
    _PackedPoints(pack(frame), view_token(_texts(frame, "record_id"))).add_to(cluster)
    _localize(group, asset_base)  # the grid map loaded these files (_ClusterAssets); no CDN address either way
    return group


def _add_grid(m: folium.Map, drawn: pd.DataFrame, lang: str) -> str:
    """The incidents counted per square (:func:`geo.maps._packed.grid_collection`) on ``m``; its legend."""
    collection, counts = grid_collection(drawn, lang)
    classes = shade_classes(counts)
    _GeoJson(
        collection,
        name=word("grid_layer", lang),
        style_function=lambda feature: {
            "fillColor": shade_fill(feature["properties"]["count"], classes),
            "fillOpacity": 0.55,
            "weight": 0.5,
            "color": "#555555",
            "className": "pm-grid",
        },
        on_each_feature=JsCode(_TOOLTIP_JS),
    ).add_to(m)
    return _scale_legend(word("grid_cell", lang), classes, lang)


#: The columns a map of more than POPUP_LIMIT incidents reads (no popups: a click shows the record).
_LEAN_COLUMNS = (
    "record_id",
    "city_id",
    "district_id",
    "attribution",
    "latitude",
    "longitude",
    "event_type",
    "detained_low",
)


def _rows(joined: pd.DataFrame, mask: pd.Series) -> pd.DataFrame:
    """``joined[mask]``, only the columns the map needs when it draws too many for popups (one copy, not three)."""
    located = mask & joined["latitude"].notna() & joined["longitude"].notna()
    if representation(int(located.sum())) == "popups":
        return joined[mask]
    return joined.loc[mask, [c for c in _LEAN_COLUMNS if c in joined.columns]]


def _add_incidents(m: folium.Map, placed: pd.DataFrame, lang: str) -> list[str]:
    """Draw ``placed`` on ``m`` as :func:`representation` says; the legend's lines about them."""
    drawn = drawn_incidents(placed)
    kind = representation(len(drawn))
    if kind == "grid":
        _ClusterAssets().add_to(m)  # for the incidents of a zoomed-in view (incidents_in_view)
        note = word("map_grid_note", lang, n=number(len(drawn), lang), zoom=POINTS_FROM_ZOOM)
        return [html.escape(note), _add_grid(m, drawn, lang)]
    if kind == "popups":
        looks = {"spiderfy_on_max_zoom": True, "show_coverage_on_hover": False, "chunked_loading": True}
        cluster = MarkerCluster(name=word("incidents", lang), show=True, **looks).add_to(m)
        _incident_layer(_incident_collection(drawn, lang)).add_to(cluster)
        _heat_layer(drawn, lang).add_to(m)
        return []
    points = _PackedClusters(pack(drawn), view_token(_texts(drawn, "record_id")), word("incidents", lang))
    points.add_to(m)
    _PackedHeat(points, name=word("heat", lang), show=False, **_HEAT_LOOK).add_to(m)
    return [html.escape(word("map_click_below", lang))]


#: Each city's extent (west, south, east, north), the bounding box of the city outline the
#: project ships (data/boundaries: OpenStreetMap for Almaty, the city's planning GIS for
#: Astana) rounded outwards to 0.01°: where a map without boundaries looks.
CITY_EXTENTS = {"almaty": (76.73, 43.03, 77.17, 43.41), "astana": (71.21, 50.85, 71.79, 51.36)}


def drawn_without_districts(records: pd.DataFrame) -> pd.Series:
    """Which records a map without boundaries draws as points: precise coordinates (``geo_precision`` 1 or 2).

    The others (city level, coarse or missing coordinates) are counted and listed, never pinned.
    """
    precision = pd.to_numeric(records["geo_precision"], errors="coerce")
    located = records["latitude"].notna() & records["longitude"].notna()
    return located & precision.isin([1, 2])


def _map_without_districts(
    joined: pd.DataFrame,
    *,
    city_id: str,
    on: date,
    lang: str,
    tiles: bool,
    height: int,
    asset_base: str | None,
    legend: bool,
) -> folium.Map:
    """:func:`incident_map` when there are no boundaries: the city's precise incidents, no districts."""
    if city_id not in CITY_EXTENTS:
        raise ValueError(f"unknown city_id {city_id!r}; expected one of {sorted(CITY_EXTENTS)}")
    _check_columns(joined, (*_NEEDED_COLUMNS, "geo_precision"), "joined")
    on = _as_date(on)
    in_city = joined["city_id"] == city_id
    drawn = in_city & drawn_without_districts(joined)
    extent = CITY_EXTENTS[city_id]
    m = _base_map(extent, height=height, tiles=tiles, lang=lang)
    parts = _add_incidents(m, _rows(joined, drawn), lang)
    if legend:
        city_name = city_display_name(city_id, on, lang)
        note = f"<b>{html.escape(word('map_no_districts', lang, city=city_name))}</b>"
        _legend_control("<br>".join([note, *parts, _event_legend(lang)]), lang).add_to(m)
    _badge(int((in_city & ~drawn).sum()), lang).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    m.fit_bounds(_latlng_bounds(extent))
    _localize(m, asset_base)
    return m


def _legend_control(body: str, lang: str) -> _HtmlControl:
    """The legend as a box that folds to its title (a click opens or folds it); folded on a narrow map."""
    folding = (
        f'<details class="pm-legend-fold" open><summary style="cursor:pointer;font-weight:bold">'
        f"{html.escape(word('legend', lang))}</summary>{body}</details>"
    )
    return _HtmlControl(folding, position="bottomright", css_class="pm-legend", fold_below=LEGEND_FOLDED_BELOW)


def _badge(count: int, lang: str) -> _HtmlControl:
    """The count of records known only to city level, top right."""
    return _HtmlControl(
        html.escape(badge_text(count, lang)), position="topright", css_class="pm-city-badge", data={"count": count}
    )


def overview_map(
    joined: pd.DataFrame,
    boundaries: BoundarySet,
    on: date,
    *,
    lang: str = "en",
    tiles: bool = True,
    height: int = 400,
    asset_base: str | None = DEFAULT_ASSET_BASE,
) -> folium.Map:
    """A small map of both cities: outlines, district lines on ``on``, incident points.

    The points are the rows of ``joined`` with attribution ``district`` (any
    city), drawn as one GeoJSON without clustering; same popups and feature
    properties as :func:`incident_map`.  Past :data:`POPUP_LIMIT` of them, the
    incidents counted per square instead.  The view fits both city outlines.
    """
    _check_lang(lang)
    _check_columns(joined, _NEEDED_COLUMNS, "joined")
    on = _as_date(on)
    outlines = boundaries.outlines
    bounds = tuple(outlines.total_bounds)
    m = _base_map(bounds, height=height, tiles=tiles, lang=lang)
    for city_id in outlines["city_id"]:
        layer = boundaries.layer_for(city_id, on)
        if layer is None:
            continue
        lines = _district_collection(layer, {}, "", lang)
        _GeoJson(
            lines,
            name=f"{word('districts', lang)}: {city_display_name(city_id, on, lang)}",
            style_function=lambda _: {
                "color": "#555555",
                "weight": 1,
                "fill": False,
                "className": "pm-district",
            },
            on_each_feature=JsCode(_TOOLTIP_JS),
            attribution=html.escape(attribution_text(layer.attribution, lang)),
            bounds=layer.districts.total_bounds,
        ).add_to(m)
    _outline_layer(boundaries, list(outlines["city_id"]), lang).add_to(m)
    placed = drawn_incidents(_rows(joined, joined["attribution"] == "district"))
    if representation(len(placed)) == "popups":
        _incident_layer(_incident_collection(placed, lang), name=word("incidents", lang)).add_to(m)
        _legend_control(_event_legend(lang), lang).add_to(m)
    else:  # a small map of both cities: where the incidents are, counted; the Map page has them one by one
        _legend_control(_add_grid(m, placed, lang), lang).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    m.fit_bounds(_latlng_bounds(bounds))
    _localize(m, asset_base)
    return m


# ----------------------------------------------------------------------------- map pieces


def _base_map(bounds, *, height: int, tiles: bool, lang: str) -> folium.Map:
    minx, miny, maxx, maxy = bounds
    m = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=11,
        tiles=None,
        height=height,
        control_scale=True,
    )
    # the map's own zoom limit: without a tile layer (tiles=False) Leaflet has none, and
    # MarkerCluster then refuses to draw ("Map has no maxZoom specified")
    m.options["max_zoom"] = MAX_ZOOM
    m.default_js = [js for js in m.default_js if js[0] == "leaflet"]  # never a folium.Icon here: folium's jQuery,
    m.default_css = [css for css in m.default_css if css[0] == "leaflet_css"]  # Bootstrap, Font Awesome only delay
    if tiles:
        basemap = folium.TileLayer(
            OSM_TILES, attr=attribution_text(OSM_TILE_ATTRIBUTION, lang), name="OpenStreetMap", max_zoom=MAX_ZOOM
        ).add_to(m)
        _PlainBackground(
            tiles_name=basemap.get_name(),
            message=word("tile_error", lang),
            short=word("tile_error_short", lang),
            close=word("close", lang),
        ).add_to(m)
    else:
        _PlainBackground(
            tiles_name=None,
            message=word("no_tiles", lang),
            short=word("no_tiles_short", lang),
            close=word("close", lang),
        ).add_to(m)
    return m


_TOOLTIP_JS = """
function (feature, layer) {
    if (feature.properties && feature.properties.tooltip) {
        layer.bindTooltip(feature.properties.tooltip, {sticky: true});
    }
}
"""


def _district_layer(
    layer: Layer,
    values: dict[str, int],
    shaded_by: str,
    classes: list[tuple[int, int, str]],
    lang: str,
    ranges: dict[str, str] | None = None,
) -> folium.GeoJson:
    collection = _district_collection(layer, values, shaded_by, lang, ranges)

    def style(feature: dict) -> dict:
        return {
            "fillColor": shade_fill(feature["properties"]["value"], classes),
            "fillOpacity": 0.6,
            "color": "#444444",
            "weight": 1.5,
            "className": "pm-district",
        }

    return _GeoJson(
        collection,
        name=word("districts", lang),
        style_function=style,
        highlight_function=lambda _: {"weight": 3, "color": "#000000"},
        on_each_feature=JsCode(_TOOLTIP_JS),
        attribution=html.escape(attribution_text(layer.attribution, lang)),
        bounds=layer.districts.total_bounds,
    )


def _district_ranges(districts: pd.DataFrame | None, lang: str) -> dict[str, str]:
    """Each district's detained figure as the Districts page writes it (``10–20``, ``at least 230``)."""
    if districts is None or "detained_high" not in districts.columns:
        return {}
    rows = districts.drop_duplicates("district_id")
    return {
        str(d): range_text(low, high, lang)
        for d, low, high in zip(rows["district_id"], rows["detained_low"], rows["detained_high"])
    }


def _district_collection(
    layer: Layer, values: dict[str, int], shaded_by: str, lang: str, ranges: dict[str, str] | None = None
) -> dict:
    """The districts with ``district_id``, ``name`` (in ``lang``), ``tooltip`` (escaped HTML)
    and, when ``shaded_by`` is a metric, ``metric`` and ``value`` (the tooltip gives the
    detained figure's whole range when ``ranges`` has it, as the Districts page does)."""
    features = []
    for row, geometry in zip(layer.districts.to_dict("records"), layer.districts.geometry):
        district_id = str(row["district_id"])
        name = named(row, "name", lang) or district_id
        props: dict[str, str | int] = {"district_id": district_id, "name": name}
        tooltip = f"<b>{html.escape(name)}</b>"
        if shaded_by:
            value = int(values.get(district_id, 0))
            props |= {"metric": shaded_by, "value": value}
            if ranges and ranges.get(district_id):
                tooltip += f"<br>{html.escape(word('detained', lang))}: {html.escape(ranges[district_id])}"
            else:
                tooltip += f"<br>{html.escape(word('legend_short_' + shaded_by, lang))}: {number(value, lang)}"
        props["tooltip"] = tooltip
        features.append(
            {"type": "Feature", "id": district_id, "properties": props, "geometry": geometry.__geo_interface__}
        )
    return {"type": "FeatureCollection", "features": features}


def _scale_legend(metric_label: str, classes: list[tuple[int, int, str]], lang: str) -> str:
    swatch = (
        '<span style="display:inline-block;width:14px;height:10px;margin-right:5px;'
        'border:1px solid #666;background:{}"></span>'
    )
    rows = [f'<div class="pm-legend-title">{html.escape(metric_label)}</div>']
    rows.append(f"<div>{swatch.format(ZERO_FILL)}0</div>")
    for lo, hi, colour in classes:
        span = number(lo, lang) if lo == hi else f"{number(lo, lang)}–{number(hi, lang)}"
        rows.append(f'<div class="pm-legend-class">{swatch.format(colour)}{span}</div>')
    return "".join(rows)


def _event_legend(lang: str) -> str:
    dot = (
        '<span style="display:inline-block;width:10px;height:10px;border-radius:50%;'
        'margin-right:5px;border:1px solid #222;background:{}"></span>'
    )
    rows = [f"<div><b>{html.escape(word('event_type', lang))}</b></div>"]
    for kind in EVENT_TYPES:
        rows.append(f"<div>{dot.format(EVENT_COLOURS[kind])}{html.escape(capital(word(f'event_{kind}', lang)))}</div>")
    return "".join(rows)


def _outline_layer(boundaries: BoundarySet, city_ids: list[str], lang: str) -> folium.GeoJson:
    rows = boundaries.outlines[boundaries.outlines["city_id"].isin(city_ids)]
    features = [
        {
            "type": "Feature",
            "id": str(city_id),
            "properties": {"city_id": str(city_id)},
            "geometry": geometry.__geo_interface__,
        }
        for city_id, geometry in zip(rows["city_id"], rows.geometry)
    ]
    attributions = list(dict.fromkeys(a for a in rows["attribution"] if a))
    return _GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=word("city_outline", lang),
        style_function=lambda _: {
            "color": "#222222",
            "weight": 2.5,
            "fill": False,
            "dashArray": "6 4",
            "className": "pm-city-outline",
        },
        attribution=html.escape(" | ".join(attribution_text(a, lang) for a in attributions)) if attributions else None,
        interactive=False,
        bounds=rows.total_bounds if len(rows) else None,
    )


_POINT_JS = """
function (feature, latlng) {
    var colours = __COLOURS__;
    return L.circleMarker(latlng, {
        radius: 7, weight: 1, color: "#1a1a1a", opacity: 1, fillOpacity: 0.9,
        fillColor: colours[feature.properties.event_type] || "__OTHER__",
        className: "pm-incident"
    });
}
""".replace("__COLOURS__", json.dumps(EVENT_COLOURS)).replace("__OTHER__", OTHER_COLOUR)

_POPUP_JS = """
function (feature, layer) {
    layer.bindPopup(feature.properties.popup, {maxWidth: 320});
}
"""


def _incident_layer(collection: dict, name: str | None = None) -> folium.GeoJson:
    return _GeoJson(
        collection,
        name=name,
        control=name is not None,
        point_to_layer=JsCode(_POINT_JS),
        on_each_feature=JsCode(_POPUP_JS),
    )


#: How the heat layer looks, packed or not.
_HEAT_LOOK = {"radius": 20, "blur": 15, "min_opacity": 0.3}


def _heat_layer(placed: pd.DataFrame, lang: str) -> HeatMap:
    lat = placed["latitude"].to_numpy(dtype=float, na_value=np.nan)
    lon = placed["longitude"].to_numpy(dtype=float, na_value=np.nan)
    weight = (
        placed["detained_low"].astype("Float64").fillna(1).clip(lower=1).to_numpy(dtype=float)
        if "detained_low" in placed
        else np.ones(len(placed))
    )
    keep = ~(np.isnan(lat) | np.isnan(lon))
    heat = _HeatMap([], name=word("heat", lang), show=False, **_HEAT_LOOK)
    # One array, built without folium's per-point validation (the join checked them).
    heat.data = np.column_stack([lat[keep].round(6), lon[keep].round(6), weight[keep]]).tolist()
    return heat


def _incident_collection(placed: pd.DataFrame, lang: str) -> dict:
    """One FeatureCollection of points with ``record_id``, ``event_type`` and the popup HTML."""
    frame = placed[~(placed["latitude"].isna() | placed["longitude"].isna())]
    if frame.empty:
        return {"type": "FeatureCollection", "features": []}
    lat = frame["latitude"].to_numpy(dtype=float).round(6).tolist()
    lon = frame["longitude"].to_numpy(dtype=float).round(6).tolist()
    ids = _texts(frame, "record_id")
    kinds = _texts(frame, "event_type")
    popups = _popups(frame, lang)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"record_id": rid, "event_type": kind, "popup": popup},
                "geometry": {"type": "Point", "coordinates": [x, y]},
            }
            for rid, kind, popup, y, x in zip(ids, kinds, popups, lat, lon)
        ],
    }


_INT_COLUMNS = ("detained_low", "detained_high", "participants_low", "participants_high", "injured")


def _popups(frame: pd.DataFrame, lang: str) -> list[str]:
    """The popup of every record; every text from the data is escaped here, column by column."""
    esc = html.escape
    days = pd.to_datetime(frame["date"], errors="coerce").to_numpy(dtype="datetime64[D]")
    dates = ["" if d == "NaT" else d for d in np.datetime_as_string(days, unit="D").tolist()]
    times = _escaped(frame, "time_local")
    approx = [p == "range" for p in _texts(frame, "time_precision")]
    places = _escaped(named_column(frame, "place_name", lang).to_frame("place"), "place")
    summaries = _escaped(frame, "summary")
    ids = _escaped(frame, "record_id")
    urls = _texts(frame, "source_urls")
    ints = {name: _ints(frame, name) for name in _INT_COLUMNS}
    titles = {k: esc(capital(word(f"event_{k}", lang))) for k in EVENT_COLOURS}
    heads = {key: esc(word(key, lang)) for key in ("detained", "participants", "injured", "sources", "record")}
    approx_text = f" ({esc(word('approx', lang))})"
    link_cache: dict[str, str | None] = {}
    out = []
    for i, kind in enumerate(_texts(frame, "event_type")):
        when = dates[i]
        if times[i]:
            when += " " + times[i] + (approx_text if approx[i] else "")
        parts = [f"<b>{titles.get(kind) or esc(kind)}</b><div>{when}</div>"]
        place = places[i]
        if place:
            parts.append(f"<div>{place}</div>")
        for key, low, high in (
            ("detained", ints["detained_low"][i], ints["detained_high"][i]),
            ("participants", ints["participants_low"][i], ints["participants_high"][i]),
            ("injured", ints["injured"][i], ints["injured"][i]),
        ):
            if low is not None or high is not None:
                parts.append(f"<div>{heads[key]}: {esc(range_text(low, high, lang))}</div>")
        if summaries[i]:
            parts.append(f'<p style="margin:4px 0">{summaries[i]}</p>')
        links, hidden = _source_links(urls[i], link_cache)
        if links:
            parts.append(f"<div>{heads['sources']}: {' · '.join(links)}</div>")
        if hidden:
            parts.append(f'<div style="color:#666">{esc(word("links_hidden", lang, n=hidden))}</div>')
        parts.append(f'<div style="color:#666">{heads["record"]}: {ids[i]}</div>')
        out.append("".join(parts))
    return out


def _texts(frame: pd.DataFrame, name: str) -> list[str]:
    """A text column as a list of ``str`` (``''`` when blank or absent)."""
    if name not in frame:
        return [""] * len(frame)
    return frame[name].astype("string").fillna("").tolist()


def _escaped(frame: pd.DataFrame, name: str) -> list[str]:
    """A text column HTML-escaped exactly like :func:`html.escape`, in one pass per character."""
    if name not in frame:
        return [""] * len(frame)
    col = frame[name].astype("string").fillna("")
    for raw, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;")):
        col = col.str.replace(raw, entity, regex=False)
    return col.tolist()


def _ints(frame: pd.DataFrame, name: str) -> list[int | None]:
    if name not in frame:
        return [None] * len(frame)
    values = frame[name].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    return [None if v != v else int(v) for v in values]


def _source_links(urls: str, cache: dict[str, str | None] | None = None) -> tuple[list[str], int]:
    """Escaped links for the http(s) URLs (text: the host name) and how many others were dropped.

    ``cache`` (URL -> link, ``None`` for a dropped URL) saves parsing a URL that
    many records cite.
    """
    cache = {} if cache is None else cache
    links, hidden = [], 0
    for url in urls.split():
        if url not in cache:
            cache[url] = _source_link(url)
        link = cache[url]
        if link is None:
            hidden += 1
        else:
            links.append(link)
    return links, hidden


def _source_link(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    return f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">{html.escape(host)}</a>'


# ----------------------------------------------------------------------------- helpers


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def _latlng_bounds(bounds) -> list[list[float]]:
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    return [[miny, minx], [maxy, maxx]]


def _localize(m: folium.Map | folium.FeatureGroup, asset_base: str | None) -> None:
    """Point the map's JS/CSS at locally served files when ``geo.maps.assets`` is there."""
    if asset_base is None or importlib.util.find_spec("geo.maps.assets") is None:
        return
    for packed in (e for e in m._children.values() if isinstance(e, _PackedClusters)):
        packed.serve_from(asset_base)  # supercluster has no CDN address for localize to replace
    importlib.import_module("geo.maps.assets").localize(m, asset_base)
