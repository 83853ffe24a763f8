"""What every benchmark shares: timing a call, and the machine line printed above each table."""

from __future__ import annotations

import os
import platform
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely


def timed(fn):
    """``(seconds, result)`` of one call."""
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def best(fn, repeat: int):
    """``(fewest seconds, last result)`` over ``repeat`` calls."""
    fewest, result = float("inf"), None
    for _ in range(max(1, repeat)):
        seconds, result = timed(fn)
        fewest = min(fewest, seconds)
    return fewest, result


def machine() -> str:
    """One line: platform, CPU, cores and the versions that matter for the figures."""
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    versions = (
        f"python {platform.python_version()}, numpy {np.__version__}, pandas "
        f"{pd.__version__}, geopandas {gpd.__version__}, shapely {shapely.__version__}, "
        f"pyproj {pyproj.__version__}"
    )
    return f"machine: {platform.platform()}; CPU {cpu}; {os.cpu_count()} cores (one used); {versions}"


def reference_boundaries():
    """The configured boundaries (``PROTESTMAP_BOUNDARIES``), or exit saying how to get them."""
    from geo.boundaries import load_boundaries
    from geo.errors import BoundariesNotConfigured
    from geo.settings import HOW_TO_GET_BOUNDARIES, get_settings

    folder = get_settings().boundaries_dir
    if folder is None:
        raise SystemExit(HOW_TO_GET_BOUNDARIES)
    try:
        return load_boundaries(folder)
    except BoundariesNotConfigured as err:
        raise SystemExit(f"{err}\n{HOW_TO_GET_BOUNDARIES}") from None
