"""The folium elements the interactive maps are built of, rendered without Jinja seeing the data.

See :mod:`geo.maps.interactive` (markup safety) for why every element here that holds
data renders through :class:`_RawScript`.
"""

from __future__ import annotations

import folium
from branca.element import Element, Figure
from folium.elements import MacroElement
from folium.plugins import HeatMap
from folium.template import Template

from geo.maps.style import PLAIN_BACKGROUND

#: Below this map width (px) the legend and the no-network note start folded (a phone): the city stays visible.
LEGEND_FOLDED_BELOW = 520

_BOX_CSS = (
    "background:rgba(255,255,255,0.93);padding:6px 9px;border-radius:4px;"
    "box-shadow:0 1px 4px rgba(0,0,0,0.3);font:12px/1.4 sans-serif;color:#222;max-width:260px"
)


class _Text(Element):
    """Text inserted into the page as is (never compiled as a template)."""

    def __init__(self, text: str):
        super().__init__()
        self._text = str(text)

    def render(self, **kwargs) -> str:
        return self._text


class _RawScript(MacroElement):
    """Renders like branca's ``MacroElement`` but adds its parts to the page as plain text.

    ``MacroElement.render`` wraps each rendered part in ``Element(part)``, which
    compiles ``part`` as a Jinja template a second time: Jinja syntax in the data
    would run.  Put this class after the folium class in the bases
    (``class X(folium.GeoJson, _RawScript)``) so that it replaces that last step.
    """

    # branca types Element.render as returning the HTML (str), but MacroElement.render,
    # whose job this replaces, is unannotated and returns None, as this one does
    def render(self, **kwargs) -> None:  # type: ignore[override]
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError(f"{self.get_name()} can only be rendered inside a Figure (a map's root)")
        module = self._template.module
        for part, target in (("header", figure.header), ("html", figure.html), ("script", figure.script)):
            macro = getattr(module, part, None)
            if macro is not None:
                target.add_child(_Text(macro(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


class _GeoJson(folium.GeoJson, _RawScript):
    """``folium.GeoJson`` whose rendered data is never compiled as a template.

    ``bounds`` (west, south, east, north), when the caller knows them (a boundary layer's),
    spares folium walking every coordinate for them (``st_folium`` asks the map for its bounds).
    """

    def __init__(self, *args, bounds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._known_bounds = None if bounds is None else [[bounds[1], bounds[0]], [bounds[3], bounds[2]]]

    def _get_self_bounds(self):
        return self._known_bounds if self._known_bounds is not None else super()._get_self_bounds()


class _HeatMap(HeatMap, _RawScript):
    """``folium.plugins.HeatMap`` whose rendered data is never compiled as a template."""


class _HtmlControl(_RawScript):
    """A Leaflet control showing HTML built (and escaped) in Python."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function () {
            var div = L.DomUtil.create("div", {{ this.css_class|tojson }});
            div.style.cssText = {{ this.css|tojson }};
            div.innerHTML = {{ this.html|tojson }};
            {%- for key, value in this.data.items() %}
            div.setAttribute({{ ("data-" ~ key)|tojson }}, {{ value|string|tojson }});
            {%- endfor %}
            {%- if this.fold_below %}
            var fold = div.querySelector("details");
            if (fold && {{ this._parent.get_name() }}.getSize().x < {{ this.fold_below }}) {
                fold.removeAttribute("open");
            }
            {%- endif %}
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, html_text: str, *, position: str, css_class: str, data: dict | None = None, fold_below: int = 0):
        super().__init__()
        self.fold_below = int(fold_below)
        self._name = "HtmlControl"
        self.html = html_text
        self.position = position
        self.css_class = css_class
        self.css = _BOX_CSS
        self.data = data or {}


class _PlainBackground(_RawScript):
    """Plain map background; with tiles, a note when a tile fails to load."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            map.getContainer().style.background = {{ this.background|tojson }};
            function showNote(text) {
                var note = L.control({position: "bottomleft"});
                note.onAdd = function () {
                    var div = L.DomUtil.create("div", "pm-tile-note");
                    div.style.cssText = {{ this.css|tojson }};
                    var close = L.DomUtil.create("button", "pm-tile-note-close", div);
                    close.type = "button";
                    close.textContent = "\u00d7";
                    close.title = {{ this.close|tojson }};
                    close.setAttribute("aria-label", {{ this.close|tojson }});
                    close.style.cssText = {{ this.close_css|tojson }};
                    close.onclick = function () { note.remove(); };
                    if (map.getSize().x < {{ this.fold_below }}) {  // a phone: the short words, the rest on a tap
                        var fold = L.DomUtil.create("details", "pm-tile-note-fold", div);
                        L.DomUtil.create("summary", "", fold).textContent = {{ this.short|tojson }};
                        fold.appendChild(document.createTextNode(text));
                    } else {
                        div.appendChild(document.createTextNode(text));
                    }
                    L.DomEvent.disableClickPropagation(div);
                    return div;
                };
                note.addTo(map);
            }
            {%- if this.tiles_name %}
            var shown = false;
            {{ this.tiles_name }}.on("tileerror", function () {
                if (shown) { return; }
                shown = true;
                showNote({{ this.message|tojson }});
            });
            {%- else %}
            showNote({{ this.message|tojson }});
            {%- endif %}
        })();
        {% endmacro %}
        """
    )

    def __init__(self, *, tiles_name: str | None, message: str, short: str, close: str = "Close"):
        super().__init__()
        self._name = "PlainBackground"
        self.short = short
        self.fold_below = LEGEND_FOLDED_BELOW
        self.tiles_name = tiles_name
        self.message = message
        self.background = PLAIN_BACKGROUND
        self.css = _BOX_CSS
        self.close = close
        self.close_css = "float:right;border:0;background:none;font:16px/1 sans-serif;cursor:pointer;margin-left:6px"
