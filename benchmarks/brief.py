"""Benchmark: how long a briefing pack takes, format by format, beside bare-bones equivalents.

Views: the June 2019 view of the embedded data (both cities and the national
figure, English; Almaty alone, Russian), then the Almaty view with ``--sizes``
extra synthetic incidents (copies of the embedded Almaty points scattered over
the city, joined like real records).  Each step is timed once per view, best
of ``--repeat``:

* figures: :func:`geo.brief.build_briefing` (reconciliation, district tables, series);
* map PNG: :func:`geo.maps.static.map_png` beside the baseline ``GeoDataFrame.plot``
  of the same districts and points saved at the same size (no legend, labels,
  scale bar or attribution);
* timeline PNG (vl-convert), PDF (:func:`geo.brief.pdf.render_pdf`);
* HTML: :func:`geo.brief.html.render_html` (self-contained: every script inlined)
  beside the baseline folium ``Map.get_root().render()`` of the same map, which
  links its scripts from CDNs and so needs a network.

Then the packs at size (``--scale``, default 100,000; ``--scale 0`` skips them): the
synthetic incidents of ``python -m benchmarks scale`` (:func:`benchmarks.scale.complete`
of :func:`benchmarks.join.synthetic_records`: both cities, 2019-2025), as generated and
with figures (:func:`with_figures`: counts on the detentions, named places, journalists),
viewed whole (both cities, 2019-2025).  One table, view × measure, each timed once
(a pack this size is not timed twice): the figures (:func:`geo.brief.build_briefing`), the
PDF and the HTML (each with the figures), the HTML's size and the PDF's pages, beside the
targets of the issue on scale (a pack ≤ 20 s, the HTML ≤ 10 MB, the PDF ≤ 30 pages).
"""

from __future__ import annotations

import argparse
import io
import re
from datetime import date

import numpy as np
import pandas as pd
import shapely

from benchmarks.timing import best, machine, reference_boundaries, timed
from geo.filters import Filters
from geo.join import join_incidents
from geo.records import load_embedded_records

JUNE = {"start": date(2019, 6, 9), "end": date(2019, 6, 13)}
#: The whole span of the synthetic incidents of ``benchmarks.scale`` (both cities).
SCALE_VIEW = {"start": date(2019, 1, 1), "end": date(2025, 12, 31)}
#: measure -> (unit, target) of a pack at size (the issue on scale).
PACK_TARGETS = {
    "figures": ("s", None),
    "PDF, with figures": ("s", 20.0),
    "PDF pages": ("pages", 30.0),
    "HTML, with figures": ("s", 20.0),
    "HTML size": ("MB", 10.0),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks brief", description=__doc__)
    parser.add_argument("--sizes", default="1000,10000", help="extra synthetic Almaty incidents, comma-separated")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--scale", type=int, default=100_000, help="records of the packs at size (default 100,000; 0: none)"
    )
    args = parser.parse_args(argv)
    boundaries = reference_boundaries()
    embedded = load_embedded_records()
    views = [
        ("June 2019, national, en", embedded, Filters(**JUNE)),
        ("June 2019, Almaty, ru", embedded, Filters(city="almaty", lang="ru", **JUNE)),
    ]
    for n in (int(s) for s in args.sizes.split(",") if s.strip()):
        views.append(
            (
                f"Almaty + {n:,} synthetic",
                _with_synthetic(embedded, boundaries, n, args.seed),
                Filters(city="almaty", **JUNE),
            )
        )

    print(machine())
    print("seconds, best of", args.repeat, "(baselines: bare GeoDataFrame.plot PNG; folium HTML linking CDNs)")
    head = (
        f"{'view':<28} {'records':>8} {'figures':>8} {'map PNG':>8} {'baseline':>9} {'timeline':>9} "
        f"{'PDF':>6} {'PDF MB':>7} {'HTML':>6} {'HTML MB':>8} {'baseline':>9} {'total':>6}"
    )
    print(head)
    for name, records, filters in views:
        print(_row(name, records, filters, boundaries, args.repeat))
    if args.scale > 0:
        print(f"\npacks of {args.scale:,} synthetic records (benchmarks.scale), both cities, 2019-2025; seconds, once")
        print(f"{'view':<22} {'measure':<20} {'ours':>9} {'unit':<6} {'target':>7} pass")
        for name, frame in (
            ("as generated", scale_records(boundaries, args.scale, args.seed)),
            ("with figures", with_figures(scale_records(boundaries, args.scale, args.seed), args.seed)),
        ):
            for measure, value in pack_at_size(frame, boundaries).items():
                unit, target = PACK_TARGETS[measure]
                ok = "" if target is None else ("yes" if value <= target else "NO")
                shown = "" if target is None else f"{target:g}"
                print(f"{name:<22} {measure:<20} {value:>9.2f} {unit:<6} {shown:>7} {ok}")
    return 0


def scale_records(boundaries, n: int, seed: int) -> pd.DataFrame:
    """The synthetic incidents of ``python -m benchmarks scale``, as it makes them."""
    from benchmarks.join import synthetic_records
    from benchmarks.scale import complete

    return complete(synthetic_records(boundaries, n, seed))


def with_figures(records: pd.DataFrame, seed: int = 0, places: int = 400) -> pd.DataFrame:
    """``records`` with what a real export has: counts, named places, journalists (fixed seed).

    A detention gets a count (1-40; one in five a range, one in ten "at least"); nine
    records in ten name one of ``places`` places (the place's number per city, in English,
    Russian and Kazakh); one in a hundred is about a journalist.
    """
    rng = np.random.default_rng(seed + 1)
    out = records.copy()
    n = len(out)
    journalist = rng.random(n) < 0.01
    out.loc[journalist, "event_type"] = np.where(
        rng.random(int(journalist.sum())) < 0.7, "journalist_detained", "journalist_assaulted"
    )
    detention = out["event_type"].isin(["detention", "journalist_detained"]).to_numpy()
    low = rng.integers(1, 41, n)
    high = np.where(rng.random(n) < 0.2, low + rng.integers(1, 30, n), low)
    open_ended = rng.random(n) < 0.1
    out["detained_low"] = pd.Series(low, index=out.index, dtype="Int64").where(detention, pd.NA)
    out["detained_high"] = pd.Series(high, index=out.index, dtype="Int64").where(detention & ~open_ended, pd.NA)
    out["count_kind"] = np.where(detention, "incremental", "")
    spot = rng.integers(0, places, n)
    named = rng.random(n) < 0.9
    out["place_name_en"] = np.where(named, [f"Synthetic place {k}" for k in spot], "")
    out["place_name_ru"] = np.where(named, [f"Условное место {k}" for k in spot], "")
    out["place_name_kk"] = np.where(named, [f"Шартты орын {k}" for k in spot], "")
    out["source_names"] = "Example"
    return out


def pack_at_size(records: pd.DataFrame, boundaries) -> dict[str, float]:
    """Seconds of the figures, of the PDF and of the HTML (each with its figures, from the joined records),
    the HTML's megabytes and the PDF's pages, for the whole view of ``records``."""
    from geo.brief import build_briefing
    from geo.brief.html import render_html
    from geo.brief.pdf import render_pdf

    joined = join_incidents(records, boundaries)
    filters = Filters(**SCALE_VIEW)
    t_fig, brief = timed(lambda: build_briefing(joined, filters, boundaries=boundaries))
    t_pdf, pdf = timed(lambda: render_pdf(brief))
    brief.drawn.clear()  # the HTML makes its own timeline, as a pack of its own does
    t_html, page = timed(lambda: render_html(brief))
    return {
        "figures": t_fig,
        "PDF, with figures": t_fig + t_pdf,
        "PDF pages": float(pdf_pages(pdf)),
        "HTML, with figures": t_fig + t_html,
        "HTML size": len(page.encode("utf-8")) / 1e6,
    }


def pdf_pages(pdf: bytes) -> int:
    """The page count of a PDF from fpdf2: the ``/Count`` of its page tree (one tree, no nesting)."""
    counts = [int(m) for m in re.findall(rb"/Count (\d+)", pdf)]
    return max(counts) if counts else 0


def _row(name, records, filters, boundaries, repeat) -> str:
    from geo.brief import build_briefing
    from geo.brief.html import render_html
    from geo.brief.pdf import render_pdf
    from geo.brief.png import timeline_png
    from geo.maps.static import map_png

    joined = join_incidents(records, boundaries)
    t_fig, brief = best(lambda: build_briefing(joined, filters, boundaries=boundaries), repeat)
    city = brief.cities[0]
    t_map, _ = best(lambda: map_png(brief, city_id=city.city_id), repeat)
    t_map_base, _ = best(lambda: _baseline_png(city, boundaries), repeat)
    t_tl, _ = best(lambda: timeline_png(brief), repeat)
    t_pdf, pdf = best(lambda: render_pdf(brief), repeat)
    t_html, page = best(lambda: render_html(brief), repeat)
    t_html_base, _ = best(lambda: _baseline_html(city, boundaries, brief), repeat)
    total = t_fig + t_pdf + t_html + t_map + t_tl
    return (
        f"{name:<28} {len(records):>8,} {t_fig:>8.2f} {t_map:>8.2f} {t_map_base:>9.2f} {t_tl:>9.2f} "
        f"{t_pdf:>6.2f} {len(pdf) / 1e6:>7.1f} {t_html:>6.2f} {len(page.encode()) / 1e6:>8.1f} "
        f"{t_html_base:>9.2f} {total:>6.2f}"
    )


def _baseline_png(city, boundaries) -> bytes:
    import geopandas as gpd
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5, 6.0))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    boundaries.layer_for(city.city_id, city.layer_date).districts.plot(ax=ax, column="area_km2", edgecolor="k")
    placed = city.placed
    gpd.GeoSeries(gpd.points_from_xy(placed["longitude"], placed["latitude"]), crs=4326).plot(ax=ax, color="r")
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=200)
    return out.getvalue()


def _baseline_html(city, boundaries, brief) -> str:
    from geo.maps import incident_map

    table = city.districts[city.districts["kind"] == "district"]
    m = incident_map(
        city.records,
        boundaries,
        city_id=city.city_id,
        on=city.layer_date,
        districts=table,
        lang=brief.lang,
        tiles=False,
        asset_base=None,
    )
    return m.get_root().render()


def _with_synthetic(embedded: pd.DataFrame, boundaries, n: int, seed: int) -> pd.DataFrame:
    """``embedded`` plus ``n`` copies of its Almaty point incidents, scattered inside the city."""
    rng = np.random.default_rng(seed)
    points = embedded[
        (embedded["city"] == "Almaty")
        & embedded["geo_precision"].isin([1, 2])
        & (embedded["period_start"] >= pd.Timestamp(JUNE["start"]))
        & (embedded["period_end"] <= pd.Timestamp(JUNE["end"]))
        & (embedded["included_in"] == "")
        & (embedded["contested_by"] == "")
    ]
    copies = points.sample(n, replace=True, random_state=seed).reset_index(drop=True)
    outline = boundaries.outline("almaty")
    minx, miny, maxx, maxy = outline.bounds
    xs, ys = [], []
    while len(xs) < n:
        x, y = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)
        inside = shapely.contains_xy(outline, x, y)
        xs.extend(x[inside])
        ys.extend(y[inside])
    copies["record_id"] = [f"SYN-{i}" for i in range(n)]
    copies["longitude"], copies["latitude"] = xs[:n], ys[:n]
    return pd.concat([embedded, copies], ignore_index=True)
