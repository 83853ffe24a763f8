"""``python -m benchmarks [name] [options]``: run one benchmark, or all of them.

python -m benchmarks                      # every benchmark, default options
python -m benchmarks join --n 1000000 --seed 0
python -m benchmarks maps --sizes 1000,10000,50000
python -m benchmarks aggregate --sizes 10000,100000,1000000
python -m benchmarks imports --rows 100000
python -m benchmarks brief --sizes 1000,10000
python -m benchmarks scale --quick            # 1k and 10k: ours, baseline, target, pass
python -m benchmarks pages --sizes 100000      # the app in headless Chromium beside a bare Streamlit app
python -m benchmarks postgis --quick           # the PostGIS store beside the embedded one (a throwaway server)
"""

from __future__ import annotations

import sys

from benchmarks import aggregate, brief, imports, join, maps, pages, postgis, scale

BENCHMARKS = {
    "join": join.main,
    "maps": maps.main,
    "aggregate": aggregate.main,
    "imports": imports.main,
    "brief": brief.main,
    "scale": scale.main,
    "pages": pages.main,
    "postgis": postgis.main,
}


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        print("benchmarks:", ", ".join(BENCHMARKS))
        return 0
    if argv and not argv[0].startswith("-"):
        name, rest = argv[0], argv[1:]
        if name not in BENCHMARKS:
            print(f"unknown benchmark {name!r}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
            return 2
        return BENCHMARKS[name](rest)
    status = 0
    for name, run in BENCHMARKS.items():
        print(f"== {name}")
        status |= run(argv)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
