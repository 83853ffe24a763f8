"""The command line: ``python -m geo validate|join|summary|import|datasets|brief|boundaries``.

Output that scripts read goes to stdout (or the ``--out`` file); errors go to
stderr with a non-zero exit status (1 for bad input, 2 for bad usage).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from geo import schema
from geo.errors import ProtestMapError, RecordsValidationError


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return args.func(args)
    except RecordsValidationError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"error: {len(exc.problems)} problem(s); nothing was written", file=sys.stderr)
        return 1
    except ProtestMapError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a file that cannot be read or written: its name and why, never a traceback
        print(f"error: {exc.filename or ''}{': ' if exc.filename else ''}{exc.strerror or exc}", file=sys.stderr)
        return 1


# --------------------------------------------------------------------------- commands


def _validate(args) -> int:
    from geo.records import read_records

    result = read_records(args.file)
    for problem in result.problems:
        print(problem)
    if result.problems:
        print(
            f"{args.file}: {len(result.problems)} problem(s) in {len(result.rejected)} of {result.rows_read} row(s)",
            file=sys.stderr,
        )
        return 1
    print(f"{args.file}: {len(result.records)} record(s), no problems", file=sys.stderr)
    return 0


def _records_out(out: str) -> Path:
    """``--out`` of a command that writes records: a .csv (formula-safe) or .geojson file name."""
    path = Path(out)
    if path.suffix.lower() not in (".csv", ".geojson", ".json"):
        raise ProtestMapError(f"--out {path}: expected a .csv (native, formula-safe) or .geojson file name")
    return path


def _join(args) -> int:
    from geo.boundaries import load_boundaries
    from geo.export import write_records
    from geo.join import join_incidents
    from geo.records import load_records

    out = _records_out(args.out)
    records = load_records(args.file)
    joined = join_incidents(records, load_boundaries())
    write_records(joined, out)
    counts = joined["attribution"].value_counts().reindex(schema.ATTRIBUTIONS, fill_value=0)
    summary = ", ".join(f"{n} {k}" for k, n in counts.items())
    print(f"{len(joined)} record(s) joined ({summary}) -> {out}", file=sys.stderr)
    return 0


def _summary(args) -> int:
    from geo.aggregate import detained_range

    records, boundaries = _summary_records(args)
    result = detained_range(records, area=args.area, start=args.date_from, end=args.date_to, boundaries=boundaries)
    if args.json:
        json.dump(result.to_dict(), sys.stdout, ensure_ascii=False, indent=2, default=str)
        print()
        return 0
    print(f"{result.area}, {result.start} to {result.end}: {result.label()} detained")
    print(f"  floor rests on: {', '.join(result.basis) or 'no record'}")
    print(f"  high end rests on: {', '.join(result.high_basis) or 'no record'}")
    if result.breakdown:
        print("  breakdown of the floor: " + ", ".join(f"{k} {v:,}" for k, v in result.breakdown.items()))
    for note in result.notes:
        print(f"  note: {note}")
    if result.alternatives:
        print("  considered and not used for the floor:")
        for alt in result.alternatives:
            if alt.detained_low is None:
                figure = "no number"
            elif alt.detained_high is None:
                figure = f"at least {alt.detained_low:,}"
            elif alt.detained_high != alt.detained_low:
                figure = f"{alt.detained_low:,}–{alt.detained_high:,}"
            else:
                figure = f"{alt.detained_low:,}"
            print(f"    {alt.record_id} ({figure}): {alt.reason}")
    return 0


def _import(args) -> int:
    from geo.export import safe_csv
    from geo.importing import import_rows
    from geo.importing.candidates import COMPARE_COLUMNS, apply_decisions, find_candidates, load_decisions
    from geo.store import check_dataset_name, file_version, open_store

    path = Path(args.file)
    if not path.is_file():
        raise ProtestMapError(f"{path}: file not found")
    name = args.dataset or path.stem
    try:
        check_dataset_name(name)
    except ProtestMapError as exc:
        how = "choose another --dataset" if args.dataset else f"{path.name} names it: give one with --dataset NAME"
        raise ProtestMapError(f"{exc}; {how}") from None
    store = open_store(args.store)
    known = {d.name for d in store.datasets()}
    if name in known and not args.replace:
        raise ProtestMapError(f"dataset {name!r} exists in {store}; choose another --dataset or pass --replace")
    others = sorted(known - {name})
    existing = store.read_columns(others, COMPARE_COLUMNS) if others else None  # a few columns, not whole datasets

    def progress(done: int, total: int) -> None:
        print(f"\rimporting {path.name}: {done:,} / {total:,} rows", end="", file=sys.stderr, flush=True)

    result = import_rows(path, format=args.format, mapping=args.mapping, existing=existing, progress=progress)
    print(file=sys.stderr)
    result.check()
    candidates = find_candidates(result.records, existing, districts=_districts(result.records, existing))
    # decided as the file says; what it leaves undecided is imported with a flag naming the look-alike
    result = apply_decisions(result, candidates, load_decisions(args.decisions) if args.decisions else {})
    if args.candidates_out and len(candidates):
        Path(args.candidates_out).write_text(
            safe_csv(candidates.assign(decision=""), index=False, lineterminator="\r\n"), encoding="utf-8"
        )
    if len(result.records):  # the store first: the rejected rows' file can never cost the valid rows
        store.write(
            name,
            result.records,
            kind="import",
            source_file=str(path),
            source_format=result.format,
            version=file_version(path),
            notes="; ".join(result.notes),
            replace=args.replace,
        )
        _place_in_database(store, name, result.records)
    rejected_path, said = _side_file(result)
    c = result.counts
    print(
        f"{path}: {c['total']:,} rows: {c['imported']:,} imported ({c['flagged']:,} flagged), "
        f"{c['merged']:,} merged, {c['rejected']:,} rejected"
    )
    for _, row in result.merged.head(20).iterrows():
        print(f"  merged: row {row['row']} into {row['record_id']} ({row['why']})")
    if len(result.merged) > 20:
        print(f"  ... and {len(result.merged) - 20:,} more merged rows")
    if rejected_path:
        print(f"  rejected rows, with the reason, ready to fix and import again: {rejected_path}")
    _say_candidates(candidates, args)
    for line in said:
        print(f"  note: {line}", file=sys.stderr)
    if len(result.records):
        print(f"  dataset {name!r} in {store} ({result.format})")
    for note in result.notes:
        print(f"  note: {note}", file=sys.stderr)
    return 0 if len(result.records) or not c["total"] else 1


def _place_in_database(store, name: str, records) -> None:
    """In a PostGIS store, the new dataset placed in the districts now (kept there), not at the app's first view."""
    from geo.boundaries import load_boundaries
    from geo.postgis import PostGISStore, join_in_database

    if not isinstance(store, PostGISStore):
        return
    try:
        bset = load_boundaries()
    except ProtestMapError:
        return  # without boundaries there is nothing to place; the app places by the stated city
    join_in_database(store, [name], bset, records=records.assign(dataset=name))
    print(f"  placed in the districts by the database ({len(records):,} records)", file=sys.stderr)


def _districts(records, existing):
    """Each record's and each existing record's district, for the duplicate candidates (None without boundaries)."""
    from geo.boundaries import load_boundaries
    from geo.join import join_incidents

    if existing is None or not len(records) or not len(existing):
        return None
    try:
        bset = load_boundaries()
    except ProtestMapError:
        return None
    return join_incidents(records, bset)["district_id"], join_incidents(existing, bset)["district_id"]


def _say_candidates(candidates, args) -> None:
    decided = "decided with " + args.decisions if args.decisions else "imported with a flag, undecided"
    if not len(candidates):
        return
    print(f"  {len(candidates):,} possible duplicate(s) of records already in the store ({decided}):")
    for row in candidates.head(20).itertuples():
        print(f"    row {row.row}: {row.record_id} may repeat {row.existing_record_id} ({row.reason})")
    if len(candidates) > 20:
        print(f"    ... and {len(candidates) - 20:,} more")
    if args.candidates_out:
        print(f"  the candidates, with a decision column to fill (same, included_in, distinct): {args.candidates_out}")
    elif not args.decisions:
        print(
            "  to decide: --candidates-out FILE writes them with a decision column (same, included_in, "
            "distinct); import again with --replace --decisions FILE"
        )


def _datasets_list(args) -> int:
    from dataclasses import asdict

    from geo.store import open_store

    store = open_store(args.store, read_only=True)  # listing never writes (a read-only file system is fine)
    infos = store.datasets()
    if args.json:
        json.dump([asdict(i) for i in infos], sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    rows = [
        (
            i.name,
            i.kind,
            f"{i.rows:,}",
            i.created_at,
            f"{i.source_file} ({i.source_format})" if i.source_format else i.source_file,
            i.version[:19] + ("…" if len(i.version) > 19 else ""),
        )
        for i in infos
    ]
    table = [("name", "kind", "rows", "created (UTC)", "source file (format)", "version"), *rows]
    widths = [max(len(r[k]) for r in table) for k in range(len(table[0]))]
    for row in table:
        print(
            "  ".join(
                cell.ljust(w) if k != 2 else cell.rjust(w) for k, (cell, w) in enumerate(zip(row, widths))
            ).rstrip()
        )
    print(f"{len(infos)} dataset(s) in {_where(store)}", file=sys.stderr)
    return 0


def _datasets_export(args) -> int:
    from geo.export import write_records
    from geo.store import open_store

    out = _records_out(args.out)
    records = open_store(args.store, read_only=True).read([args.name])
    write_records(records.drop(columns=["dataset"]), out)
    what = "native CSV, formula-safe" if out.suffix.lower() == ".csv" else "GeoJSON"
    print(f"{len(records):,} record(s) of dataset {args.name!r} -> {out} ({what})", file=sys.stderr)
    return 0


def _datasets_delete(args) -> int:
    from geo.store import open_store

    if args.name == schema.EMBEDDED_DATASET:
        raise ProtestMapError(
            f"dataset {args.name!r} is the embedded dataset (data/incidents/incidents.csv), not an import: the "
            "app puts it back in the store whenever it opens it, so it is not deleted. To leave it out of a "
            "view, choose other datasets under Datasets in the sidebar (data=NAME in the page address)"
        )
    store = open_store(args.store)
    infos = {d.name: d for d in store.datasets()}
    info = infos.get(args.name)
    if info is None:
        known = ", ".join(repr(n) for n in infos) or "no datasets"
        raise ProtestMapError(f"no dataset named {args.name!r} in the store {str(_where(store))!r}; it has {known}")
    what = f"dataset {info.name!r} ({info.rows:,} record(s) from {info.source_file or 'no file'}, {info.created_at})"
    if not args.yes:
        if not sys.stdin.isatty():
            raise ProtestMapError(f"{what} not deleted: there is no terminal to ask; pass --yes to delete it")
        print(f"delete {what} from {_where(store)}? [y/N] ", end="", file=sys.stderr, flush=True)
        if sys.stdin.readline().strip().lower() not in ("y", "yes"):
            print(f"{what} not deleted", file=sys.stderr)
            return 1
    store.delete(info.name)
    print(f"deleted {what} from {_where(store)}", file=sys.stderr)
    return 0


def _where(store) -> object:
    """The store's file (a backend without one: the store itself)."""
    return getattr(store, "path", store)


def _side_file(result) -> tuple[Path | None, list[str]]:
    """Write the rejected rows' file (after the store): its path, or ``None`` and why, and what was said."""
    from geo.errors import SideFileError
    from geo.importing import write_rejected

    said: list[str] = []
    if not len(result.rejected):
        return None, said
    try:
        return write_rejected(result, said=said), said
    except SideFileError as exc:
        shown = result.rejected.head(20)
        lines = [
            f"row {r['row']}, column {r['column']}, value {r['value']!r}: {r['reason']}" for _, r in shown.iterrows()
        ]
        more = [f"... and {len(result.rejected) - 20:,} more"] if len(result.rejected) > 20 else []
        return None, [*said, f"{exc}; the rejected rows are:", *lines, *more]


def _brief(args) -> int:
    from geo.brief import build_briefing, format_of, write_brief
    from geo.words import range_text

    fmt = format_of(args.out)  # a wrong extension is said before any work
    filters = _brief_filters(args)
    joined, boundaries = _brief_records(args, filters)
    briefing = build_briefing(joined, filters, boundaries=boundaries, app_url=args.app_url)
    out = write_brief(briefing, args.out, chart=args.chart)
    what = f"{args.chart} " if fmt == "png" else ""
    head = briefing.headline
    figure = (
        f"{range_text(head.detained_low, head.detained_high, 'en')} detained" if head.basis else "no detained figure"
    )
    print(
        f"{briefing.area}, {filters.start} to {filters.end}: {figure}; "
        f"{len(briefing.records)} record(s), {len(briefing.sources)} source(s), data {briefing.data_version}",
        file=sys.stderr,
    )
    print(f"wrote {what}{fmt.upper()} {out} ({out.stat().st_size:,} bytes)", file=sys.stderr)
    print(out)
    return 0


def _brief_filters(args):
    """The pack's filters: the app link's query (``--link``), then the options, read as the app reads its URL."""
    from urllib.parse import parse_qsl, urlsplit

    from geo.filters import Filters

    query = dict(parse_qsl(urlsplit(args.link).query)) if args.link else {}
    given = {
        "city": args.city,
        "from": args.date_from,
        "to": args.date_to,
        "lang": args.lang,
        "types": args.types,
        "prec": args.prec,
        "metric": args.metric,
    }
    query.update({k: v for k, v in given.items() if v is not None})
    if args.dataset:
        query["data"] = ",".join(args.dataset)
    if query.get("city", "").strip().lower() == "national":
        query["city"] = "all"
    filters = Filters.from_query(query)
    if filters.problems:  # the app falls back and warns; a command that writes a file refuses
        raise ProtestMapError("; ".join(p.split("; using ")[0] for p in filters.problems))
    return filters


def _brief_records(args, filters):
    """(joined records, boundaries or None) for the pack: ``--data`` files, else the datasets asked for."""
    from geo.boundaries import load_boundaries
    from geo.errors import BoundariesNotConfigured
    from geo.join import join_incidents, place_by_stated_city
    from geo.records import keep_ids_apart, load_embedded_records

    if args.data:
        records = _brief_files(args.data)
    elif filters.datasets == ("embedded",):
        records = load_embedded_records()
    else:
        from geo.store import open_store

        store = open_store(args.store)
        known = {d.name for d in store.datasets()}
        unknown = [n for n in filters.datasets if n not in known]
        if unknown:
            raise ProtestMapError(f"dataset(s) {', '.join(unknown)} not in {store}; it has {', '.join(sorted(known))}")
        records = keep_ids_apart(store.read(list(filters.datasets)))
    try:
        boundaries = load_boundaries()
    except BoundariesNotConfigured as exc:
        print(f"note: no boundaries, so no maps or district tables in the pack: {exc}", file=sys.stderr)
        return place_by_stated_city(records), None
    return join_incidents(records, boundaries), boundaries


def _brief_files(paths: list[str]):
    """Read each ``--data`` file as ``import`` would (any supported format); rejected rows are said, not lost."""
    import pandas as pd

    from geo.importing import import_rows
    from geo.records import keep_ids_apart

    frames: list[pd.DataFrame] = []
    for name in paths:
        path = Path(name)
        if not path.is_file():
            raise ProtestMapError(f"--data {path}: file not found")
        result = import_rows(path, existing=pd.concat(frames, ignore_index=True) if frames else None)
        result.check()
        c = result.counts
        print(
            f"{path}: {c['total']:,} rows: {c['imported']:,} in the pack, {c['merged']:,} merged into "
            f"other rows, {c['rejected']:,} rejected",
            file=sys.stderr,
        )
        if len(result.rejected):
            for _, bad in result.rejected.head(10).iterrows():
                print(
                    f"  {bad['file']}: row {bad['row']}, column {bad['column']}, value {bad['value']!r}: "
                    f"{bad['reason']}",
                    file=sys.stderr,
                )
            written, said = _side_file(result)
            if written:
                print(f"  rejected rows, with the reason: {written}", file=sys.stderr)
            for line in said:
                print(f"  note: {line}", file=sys.stderr)
        frames.append(result.records.assign(dataset=path.stem))
    records = pd.concat(frames, ignore_index=True)
    if records.empty:
        raise ProtestMapError(f"no usable row in {', '.join(paths)}")
    return keep_ids_apart(records)


def _boundaries_check(args) -> int:
    from geo.boundaries import check_boundaries

    folder = Path(args.folder) if args.folder else None
    problems = check_boundaries(folder)
    for line in problems:
        print(line)
    if problems:
        print(f"{len(problems)} problem(s) in the boundary files", file=sys.stderr)
        return 1
    print("boundary files: all checks passed", file=sys.stderr)
    return 0


def _boundaries_fetch(args) -> int:
    from geo.boundaries.fetch import fetch_boundaries

    written = fetch_boundaries(Path(args.dest) if args.dest else None, timeout=args.timeout)
    for path in written:
        print(path)
    return 0


# --------------------------------------------------------------------------- helpers


def _summary_records(args):
    from geo.aggregate import parse_area
    from geo.boundaries import load_boundaries
    from geo.errors import BoundariesNotConfigured
    from geo.join import join_incidents
    from geo.records import keep_ids_apart, load_embedded_records, load_records

    if args.data and args.dataset:
        raise ProtestMapError("summary: give --data FILE or --dataset NAME, not both")
    if args.data:
        records = load_records(args.data)
    elif args.dataset:  # only reads: the embedded dataset from its file, the others from the store read-only
        from geo.errors import StoreError
        from geo.published import PublishedStore
        from geo.store import open_store

        store = open_store(args.store, read_only=True)
        try:
            records = keep_ids_apart(PublishedStore(store).read(args.dataset))
        except StoreError:
            raise
        except ProtestMapError as exc:  # an unknown name: say which store was looked in
            raise ProtestMapError(f"{exc} (in the store {_where(store)})") from None
    else:
        records = load_embedded_records()
    try:
        needs_districts = parse_area(args.area).district_id is not None
    except ProtestMapError:
        needs_districts = True  # perhaps a bare district id: the join knows them
    try:
        boundaries = load_boundaries()
    except BoundariesNotConfigured as exc:
        if needs_districts:
            parse_area(args.area)  # an unknown name is the first thing to say
            raise ProtestMapError(f"area {args.area!r} is a district: {exc}") from None
        print("note: no boundaries configured; figures are by stated city only", file=sys.stderr)
        return records, None
    return join_incidents(records, boundaries), boundaries


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m geo", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(metavar="COMMAND")

    v = sub.add_parser("validate", help="check an incident file; every problem, one per line")
    v.add_argument("file")
    v.set_defaults(func=_validate)

    j = sub.add_parser("join", help="join incidents to city and district boundaries")
    j.add_argument("file")
    j.add_argument("--out", required=True, help="output .csv or .geojson")
    j.set_defaults(func=_join)

    s = sub.add_parser("summary", help="reconciled detained figure for an area and a date window")
    s.add_argument("--area", default="national", help="national, Almaty, Nur-Sultan (or Astana), or city/district_id")
    s.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD")
    s.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD")
    s.add_argument("--data", help="incident file (default: the embedded dataset)")
    s.add_argument(
        "--dataset", action="append", metavar="NAME", help="a dataset of the store instead of a file (repeatable)"
    )
    s.add_argument("--store", help="store location for --dataset (default: PROTESTMAP_STORE or the cache)")
    s.add_argument("--json", action="store_true", help="print a JSON object")
    s.set_defaults(func=_summary)

    i = sub.add_parser("import", help="import a file (native, ACLED, CCC-style or mapped) into the store")
    i.add_argument("file")
    i.add_argument("--format", choices=schema.IMPORT_FORMATS, help="default: detected from the header")
    i.add_argument(
        "--mapping",
        help="column mapping file (.json or .toml) for --format mapped; for --format acled, "
        "the ACLED type rules (a copy of geo/importing/acled_types.toml, changed)",
    )
    i.add_argument("--dataset", help="dataset name in the store (default: the file name without extension)")
    i.add_argument("--store", help="store location (default: PROTESTMAP_STORE or the cache)")
    i.add_argument("--replace", action="store_true", help="replace a dataset of the same name")
    i.add_argument(
        "--decisions",
        help="CSV of decisions on possible duplicates: record_id, existing_record_id, decision "
        "(same: merged; included_in: imported inside it; distinct)",
    )
    i.add_argument("--candidates-out", help="write the possible duplicates to this CSV, with a decision column to fill")
    i.set_defaults(func=_import)

    d = sub.add_parser("datasets", help="list, export or delete the datasets of the store")
    dsub = d.add_subparsers(metavar="ACTION")
    dl = dsub.add_parser("list", help="name, kind, rows, created, source file and format, version of each dataset")
    dl.add_argument("--json", action="store_true", help="print a JSON list")
    dl.set_defaults(func=_datasets_list)
    de = dsub.add_parser("export", help="one dataset as native CSV (formula-safe) or GeoJSON, by --out's extension")
    de.add_argument("name")
    de.add_argument("--out", required=True, help="FILE.csv or FILE.geojson")
    de.set_defaults(func=_datasets_export)
    dd = dsub.add_parser("delete", help="remove one imported dataset (asks on a terminal)")
    dd.add_argument("name")
    dd.add_argument("--yes", action="store_true", help="delete without asking")
    dd.set_defaults(func=_datasets_delete)
    for action in (dl, de, dd):
        action.add_argument("--store", help="store location (default: PROTESTMAP_STORE or the cache)")

    br = sub.add_parser(
        "brief",
        help="a briefing pack of one view: PDF, self-contained HTML or PNG (by --out's extension)",
        description="Filters are those of the app's URL; --link takes them from a copied app link.",
    )
    br.add_argument("--out", required=True, help="brief.pdf, brief.html or brief.png")
    br.add_argument("--city", help="all (default: both cities and the national figure), Almaty, Nur-Sultan or Astana")
    br.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="first day (default 2019-06-09)")
    br.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="last day (default 2019-06-13)")
    br.add_argument("--lang", help="en (default), ru or kk")
    br.add_argument("--types", help="event types, comma-separated (default: all)")
    br.add_argument("--prec", help="geo precisions, comma-separated (default: 1,2,3,4)")
    br.add_argument("--metric", help="shade districts by detained (default) or incidents")
    br.add_argument("--link", help="an app link (e.g. http://localhost:8501/map?city=almaty&to=2019-06-10)")
    br.add_argument(
        "--data",
        action="append",
        metavar="FILE",
        help="incident file in any importable format (repeatable; default: the embedded dataset)",
    )
    br.add_argument("--dataset", action="append", metavar="NAME", help="a dataset of the store (repeatable)")
    br.add_argument("--store", help="store location for --dataset (default: PROTESTMAP_STORE or the cache)")
    br.add_argument("--chart", choices=["map", "timeline"], default="map", help="what a .png shows (default map)")
    br.add_argument(
        "--app-url",
        default="http://localhost:8501",
        help="the app's address for the pack's link back (default http://localhost:8501)",
    )
    br.set_defaults(func=_brief)

    b = sub.add_parser("boundaries", help="check or fetch the district boundary files")
    bsub = b.add_subparsers(metavar="ACTION")
    bc = bsub.add_parser("check", help="check the configured (or given) boundary folder")
    bc.add_argument("--folder", help="folder to check (default: PROTESTMAP_BOUNDARIES)")
    bc.set_defaults(func=_boundaries_check)
    bf = bsub.add_parser("fetch", help="download the boundaries from their public origins")
    bf.add_argument("--dest", help="folder to write (default: the cache, found without a setting)")
    bf.add_argument("--timeout", type=float, default=None, help="seconds per request")
    bf.set_defaults(func=_boundaries_fetch)
    return p
