"""Incidents at size: packed points and a grid of counts, for :mod:`geo.maps.interactive`.

A GeoJSON point with its popup costs about 760 bytes of the page; past a thousand
incidents the map sends them packed instead, 7 bytes each before base64:

* longitude and latitude as ``uint16`` steps across the drawn points' box (1/65,535
  of it: under a metre across a city, finer than any source places an incident),
* the heat weight (``detained_low``, at least 1) as ``uint16``,
* the event type as a ``uint8`` code into a list sent once.

The page's script unpacks them once into one supercluster index (and the heat layer's
points) and draws only what lies in the view: clusters as bubbles with their counts,
points alone as circle markers (:class:`_PackedClusters`), a few hundred elements
whatever the number of incidents.  A marker carries its position in the drawn order and
a token of the drawn set (:func:`view_token`): a click returns both, and the page shows
that record's details (:func:`geo.maps.selected_record`), so no popup travels with the page.

Past :data:`POINT_LIMIT` incidents even that is too much: the map
shows the number of incidents in each cell of a grid (:func:`grid_collection`), and the
page draws the incidents of the view once the reader has zoomed in.
"""

from __future__ import annotations

import base64
import hashlib
import html

import numpy as np
import pandas as pd
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.plugins import MarkerCluster
from folium.template import Template

from geo.maps._elements import _HeatMap, _RawScript
from geo.maps.assets import DEFAULT_BASE_URL
from geo.maps.style import EVENT_COLOURS, OTHER_COLOUR
from geo.words import number, word

#: The grid's cell, in degrees (about 1.1 km north-south, 0.8 km east-west at 43°N).
GRID_DEGREES = 0.01
_STEPS = 65_535


#: Up to this many drawn incidents each one is a GeoJSON point with its popup (about 760 bytes each).
POPUP_LIMIT = 1_000
#: Up to this many, every incident is a packed point (7 bytes before base64; see geo.maps._packed):
#: a click selects it and the page shows its record. Beyond, a grid of counts (see POINTS_FROM_ZOOM).
POINT_LIMIT = 150_000
#: On a grid map, the zoom from which the page draws the incidents of the view (:func:`incidents_in_view`).
POINTS_FROM_ZOOM = 14
#: At most this many incidents of the view are drawn on a grid map (zoom in further for more).
VIEW_POINT_LIMIT = 20_000


def drawn_incidents(placed: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``placed`` a map draws as points (those with coordinates), in the order drawn."""
    return placed[placed["latitude"].notna() & placed["longitude"].notna()]


def representation(n: int) -> str:
    """How a map draws ``n`` incidents: ``popups``, ``points`` (packed) or ``grid`` (see :data:`POINT_LIMIT`)."""
    return "popups" if n <= POPUP_LIMIT else "points" if n <= POINT_LIMIT else "grid"


def within(frame: pd.DataFrame, bounds: dict | None) -> pd.DataFrame:
    """The rows of ``frame`` inside ``bounds`` (Leaflet's ``{"_southWest": {lat, lng}, "_northEast": …}``)."""
    if not bounds:
        return frame.iloc[:0]
    try:
        sw, ne = bounds["_southWest"], bounds["_northEast"]
        south, west, north, east = (float(v) for v in (sw["lat"], sw["lng"], ne["lat"], ne["lng"]))
    except (KeyError, TypeError, ValueError):
        return frame.iloc[:0]
    lat, lon = frame["latitude"], frame["longitude"]
    return frame[(lat >= south) & (lat <= north) & (lon >= west) & (lon <= east)]


def selected_record(frame: pd.DataFrame, props: dict) -> str | None:
    """The ``record_id`` a click on a map drawn from ``frame`` (:func:`drawn_incidents` order) chose, if any.

    A GeoJSON point says its ``record_id``; a packed point says its position and the
    token of the set it was drawn in, honoured only if ``frame`` is that set.
    """
    if props.get("record_id"):
        return str(props["record_id"])
    position, token = props.get("i"), props.get("view")
    if not isinstance(position, int) or not isinstance(token, str) or not 0 <= position < len(frame):
        return None
    ids = frame["record_id"].astype("string").fillna("").tolist()
    return ids[position] if view_token(ids) == token else None


def view_token(record_ids: list[str]) -> str:
    """A short digest of the drawn records, in order: a click is honoured only on the map it came from."""
    return hashlib.sha1("\n".join(record_ids).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def pack(frame: pd.DataFrame) -> dict:
    """``frame``'s points packed (see the module's description): ``n``, ``box``, ``kinds``, ``payload``."""
    lat = frame["latitude"].to_numpy(dtype=float)
    lon = frame["longitude"].to_numpy(dtype=float)
    n = len(frame)
    if n:
        west, south, east, north = float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())
    else:
        west = south = east = north = 0.0
    east, north = max(east, west + 1e-9), max(north, south + 1e-9)
    x = np.rint((lon - west) / (east - west) * _STEPS).astype("<u2")
    y = np.rint((lat - south) / (north - south) * _STEPS).astype("<u2")
    if "detained_low" in frame:
        weight = frame["detained_low"].astype("Float64").fillna(1).clip(lower=1, upper=_STEPS)
        weight = weight.to_numpy(dtype=float).astype("<u2")
    else:
        weight = np.ones(n, dtype="<u2")
    codes, kinds = pd.factorize(frame["event_type"].astype("string").fillna(""), sort=True)
    if len(kinds) > 255:
        raise ValueError(f"{len(kinds)} event types: at most 255 can be packed")
    raw = x.tobytes() + y.tobytes() + weight.tobytes() + codes.astype("u1").tobytes()
    return {
        "n": n,
        "box": [west, south, east, north],
        "kinds": [str(k) for k in kinds],
        "payload": base64.b64encode(raw).decode("ascii"),
    }


#: The packed points read back in the page (``n``, ``x``/``y``/``w``/``k`` typed arrays over the
#: payload, ``sx``/``sy`` the steps) and ``pointMarker(i, lat, lng)``, the circle marker of point ``i``.
_UNPACK_JS = """
    var packed = {{ this.packed|tojson }}, n = packed.n, box = packed.box;
    var raw = atob(packed.payload), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    var buf = bytes.buffer;
    var x = new Uint16Array(buf, 0, n), y = new Uint16Array(buf, 2 * n, n);
    var w = new Uint16Array(buf, 4 * n, n), k = new Uint8Array(buf, 6 * n, n);
    var sx = (box[2] - box[0]) / {{ this.steps }}, sy = (box[3] - box[1]) / {{ this.steps }};
    var colours = {{ this.colours|tojson }}, other = {{ this.other|tojson }}, token = {{ this.token|tojson }};
    function pointMarker(i, lat, lng) {
        var kind = packed.kinds[k[i]];
        var marker = L.circleMarker([lat, lng], {
            radius: 7, weight: 1, color: "#1a1a1a", opacity: 1, fillOpacity: 0.9,
            fillColor: colours[kind] || other, className: "pm-incident"
        });
        marker.feature = {type: "Feature", properties: {i: i, view: token, event_type: kind}};
        return marker;
    }
"""


class _PackedPoints(_RawScript):
    """The packed incidents, unpacked in the page into circle markers added to the parent cluster.

    Used for a grid map's zoomed-in view (:func:`geo.maps.incidents_in_view`, in a
    folium ``MarkerCluster``); a packed map draws :class:`_PackedClusters` instead.
    Defines ``heat_of_<name>`` (the heat layer's points) for :class:`_PackedHeat`.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var heat_of_{{ this.get_name() }} = (function () {"""
        + _UNPACK_JS
        + """
            var markers = new Array(n), heat = new Array(n);
            for (i = 0; i < n; i++) {
                var lat = box[1] + y[i] * sy, lng = box[0] + x[i] * sx;
                markers[i] = pointMarker(i, lat, lng);
                heat[i] = [lat, lng, w[i]];
            }
            {{ this._parent.get_name() }}.addLayers(markers);
            return heat;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, packed: dict, token: str):
        super().__init__()
        self._name = "PackedPoints"
        self.packed = packed
        self.token = token
        self.steps = _STEPS
        self.colours = EVENT_COLOURS
        self.other = OTHER_COLOUR


#: supercluster's browser build (it bundles kdbush), under the folder the page's files are served from.
SUPERCLUSTER_JS = "supercluster/dist/supercluster.min.js"
#: How the points cluster: ``radius`` in screen pixels (``extent`` 256, Leaflet's tile size, makes
#: supercluster's zooms Leaflet's), clusters up to ``maxZoom``; past it every point is drawn alone.
CLUSTER_OPTIONS = {"radius": 60, "extent": 256, "maxZoom": 17, "minPoints": 2}


class _PackedClusters(JSCSSMixin, Layer, _RawScript):
    """The packed incidents as one layer clustered in the page by supercluster.

    The script unpacks the points once, builds one ``Supercluster`` index of them and
    draws, on every ``moveend``/``zoomend``, only what lies in the view at that zoom:
    a cluster as a bubble with its count (the cluster plugin's look: its stylesheets;
    a click zooms to where it splits, ``getClusterExpansionZoom``), a point alone as the
    circle marker of its event type carrying ``{i, view, event_type}`` (an
    ``L.FeatureGroup``: st_folium hears the click and returns the feature, see
    :func:`selected_record`).  A few hundred elements on the map at any zoom, whatever
    the number of incidents.  Points at one place never split; past the clusters' last
    zoom (``CLUSTER_OPTIONS["maxZoom"]``) each but the first is drawn beside it on a
    spiral with a leg to it (what the cluster plugin's spiderfy did), so every one can be
    clicked.  Defines ``heat_of_<name>`` for :class:`_PackedHeat`.

    For tests the layer (``isPackedIncidents``) holds ``index``, ``count``,
    ``latLngOf(i)`` and ``drawn(i)`` (the marker of point ``i`` while drawn alone).
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>.pm-cluster.marker-cluster{border-radius:50%}</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        var heat_of_{{ this.get_name() }} = [];  // filled below, as the points are unpacked
        var {{ this.get_name() }} = (function () {"""
        + _UNPACK_JS
        + """
            var points = new Array(n), heat = new Array(n);
            for (i = 0; i < n; i++) {
                var lat = box[1] + y[i] * sy, lng = box[0] + x[i] * sx;
                points[i] = {type: "Feature", i: i, geometry: {type: "Point", coordinates: [lng, lat]}};
                heat[i] = [lat, lng, w[i]];
            }
            heat_of_{{ this.get_name() }} = heat;
            var options = {{ this.options|tojson }}, index = new Supercluster(options).load(points);
            // points at one place never split: past the clusters' last zoom they are spread around it
            var rank = new Uint32Array(n), seen = new Map(), spreadZoom = options.maxZoom + 1;
            for (i = 0; i < n; i++) {
                var same = seen.get(x[i] * 65536 + y[i]) || 0;
                rank[i] = same;
                seen.set(x[i] * 65536 + y[i], same + 1);
            }
            function spread(latlng, r, map) {  // a spiral, 16 px apart at spreadZoom
                var angle = r * 2.39996, far = 16 * Math.sqrt(r), at = map.project(latlng, spreadZoom);
                return map.unproject(at.add(L.point(far * Math.cos(angle), far * Math.sin(angle))), spreadZoom);
            }

            function bubble(feature, map) {
                var count = feature.properties.point_count, at = feature.geometry.coordinates;
                var look = count < 10 ? "small" : count < 100 ? "medium" : "large";
                var size = count < 10 ? 30 : count < 100 ? 36 : count < 1000 ? 42 : 48, inner = size - 10;
                var marker = L.marker([at[1], at[0]], {icon: L.divIcon({
                    className: "marker-cluster marker-cluster-" + look + " pm-cluster",
                    iconSize: [size, size],
                    html: '<div data-count="' + count + '" style="width:' + inner + "px;height:" + inner
                        + 'px;border-radius:50%"><span style="line-height:' + inner + 'px">' + count
                        + "</span></div>"
                })});
                marker.on("click", function () {
                    var zoom = index.getClusterExpansionZoom(feature.properties.cluster_id);
                    map.setView(marker.getLatLng(), Math.min(zoom, map.getMaxZoom()));
                });
                return marker;
            }

            var Packed = L.FeatureGroup.extend({
                isPackedIncidents: true,
                initialize: function () {
                    L.FeatureGroup.prototype.initialize.call(this, []);
                    this.index = index;
                    this.count = n;
                    // bubbles in a plain group: a click on one is no feature for st_folium
                    this._bubbles = L.layerGroup();
                    this.addLayer(this._bubbles);
                    this._singles = {};
                    this._view = null;
                },
                latLngOf: function (i) {
                    var at = points[i].geometry.coordinates;
                    return L.latLng(at[1], at[0]);
                },
                drawn: function (i) { return this._singles[i] || null; },
                onAdd: function (map) {
                    L.FeatureGroup.prototype.onAdd.call(this, map);
                    map.on("moveend zoomend", this.redraw, this);
                    this.redraw();
                },
                onRemove: function (map) {
                    map.off("moveend zoomend", this.redraw, this);
                    L.FeatureGroup.prototype.onRemove.call(this, map);
                    this._bubbles.clearLayers();
                    for (var i in this._singles) { this.removeLayer(this._singles[i]); }
                    this._singles = {};
                    this._view = null;
                },
                redraw: function () {
                    var map = this._map;
                    if (!map) { return; }
                    var zoom = Math.round(map.getZoom()), view = map.getBounds().pad(0.2);
                    var key = zoom + " " + view.toBBoxString();
                    if (key === this._view) { return; }
                    this._view = key;
                    var box = [view.getWest(), view.getSouth(), view.getEast(), view.getNorth()];
                    var found = index.getClusters(box, zoom);
                    var singles = this._singles, keep = {};
                    this._bubbles.clearLayers();
                    for (var j = 0; j < found.length; j++) {
                        var f = found[j], at = f.geometry.coordinates;
                        if (f.properties && f.properties.cluster) {
                            this._bubbles.addLayer(bubble(f, map));
                        } else {
                            var spot = L.latLng(at[1], at[0]);
                            keep[f.i] = true;
                            if (rank[f.i]) {  // one of several at this place: beside it, a leg to it
                                var moved = spread(spot, rank[f.i], map);
                                this._bubbles.addLayer(L.polyline([spot, moved], {
                                    weight: 1, color: "#222222", opacity: 0.6, interactive: false
                                }));
                                spot = moved;
                            }
                            if (!singles[f.i]) {  // a point drawn already stays the same marker
                                singles[f.i] = pointMarker(f.i, spot.lat, spot.lng);
                                this.addLayer(singles[f.i]);
                            }
                        }
                    }
                    for (var i in singles) {
                        if (!keep[i]) { this.removeLayer(singles[i]); delete singles[i]; }
                    }
                }
            });
            return new Packed();
        })();
        {% endmacro %}
        """
    )

    def __init__(self, packed: dict, token: str, name: str):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "PackedClusters"
        self.packed = packed
        self.token = token
        self.steps = _STEPS
        self.colours = EVENT_COLOURS
        self.other = OTHER_COLOUR
        self.options = CLUSTER_OPTIONS
        self.default_js = [("supercluster", f"{DEFAULT_BASE_URL}/{SUPERCLUSTER_JS}")]
        # the bubbles' look: the cluster plugin's stylesheets (names geo.maps.assets serves locally)
        self.default_css = list(MarkerCluster.default_css)

    def serve_from(self, base: str) -> None:
        """Load supercluster from ``base`` (where the page's files are served; see geo.maps.assets)."""
        self.default_js = [("supercluster", f"{base.rstrip('/')}/{SUPERCLUSTER_JS}")]


class _ClusterAssets(JSCSSMixin):
    """The cluster plugin's files on a map that draws no cluster yet: a layer added later
    (``st_folium(feature_group_to_add=…)``) may need them, and st_folium loads a map's
    files only when it first draws it."""

    _template = Template("")
    default_js = MarkerCluster.default_js
    default_css = MarkerCluster.default_css

    def __init__(self):
        super().__init__()
        self._name = "ClusterAssets"


class _PackedHeat(_HeatMap):
    """The heat layer over the points a :class:`_PackedClusters` or :class:`_PackedPoints` unpacked (none twice)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.heatLayer(
                heat_of_{{ this.source.get_name() }}, {{ this.options|tojavascript }}
            );
        {% endmacro %}
        """
    )

    def __init__(self, source: _PackedClusters | _PackedPoints, **kwargs):
        super().__init__([], **kwargs)
        self.source = source  # named when rendered: st_folium renames every element first


def grid_collection(frame: pd.DataFrame, lang: str) -> tuple[dict, list[int]]:
    """The incidents counted per cell of a :data:`GRID_DEGREES` grid: a FeatureCollection and the counts.

    Each cell with incidents is a square with ``cell`` (``"<column>:<row>"`` from 0°, 0°),
    ``count`` and its ``tooltip`` (escaped HTML).  The counts are records, never summed
    detentions (overlapping reports would be counted twice).
    """
    lat = frame["latitude"].to_numpy(dtype=float)
    lon = frame["longitude"].to_numpy(dtype=float)
    keep = ~(np.isnan(lat) | np.isnan(lon))
    col = np.floor(lon[keep] / GRID_DEGREES).astype(np.int64)
    row = np.floor(lat[keep] / GRID_DEGREES).astype(np.int64)
    if col.size:  # one dense key per cell of the points' box: a count, not a sort
        c0, r0 = int(col.min()), int(row.min())
        height = int(row.max()) - r0 + 1
        tally = np.bincount((col - c0) * height + (row - r0))
        keys = np.flatnonzero(tally)
        cells = np.stack([keys // height + c0, keys % height + r0], axis=1)
        counts = tally[keys]
    else:
        cells, counts = np.empty((0, 2), dtype=np.int64), np.empty(0, dtype=np.int64)
    head = html.escape(word("grid_cell", lang))
    features = []
    for (c, r), count in zip(cells, counts):
        w, s = round(int(c) * GRID_DEGREES, 5), round(int(r) * GRID_DEGREES, 5)
        e, n = round(w + GRID_DEGREES, 5), round(s + GRID_DEGREES, 5)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "cell": f"{int(c)}:{int(r)}",
                    "count": int(count),
                    "tooltip": f"{head}: {number(int(count), lang)}",
                },
                "geometry": {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]},
            }
        )
    return {"type": "FeatureCollection", "features": features}, [int(c) for c in counts]


def in_cell(frame: pd.DataFrame, cell: str) -> pd.Series:
    """Which rows of ``frame`` lie in the grid cell ``"<column>:<row>"`` (see :func:`grid_collection`).

    A cell that is not of that form (a click's value comes from the browser) holds no row.
    """
    try:
        c, r = (int(v) for v in str(cell).split(":"))
    except ValueError:
        return pd.Series(False, index=frame.index)
    col = np.floor(frame["longitude"].to_numpy(dtype=float) / GRID_DEGREES)
    row = np.floor(frame["latitude"].to_numpy(dtype=float) / GRID_DEGREES)
    return pd.Series((col == c) & (row == r), index=frame.index)
