"""pages.ui.memory hands freed memory back to the system (run in a fresh interpreter of its own)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

_FREED_BUT_KEPT = """
import numpy as np

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) // 1024

big = np.ones(16 * 2**20 // 8)
del big  # a freed 16 MB block raises glibc's mmap threshold: the next arrays come from its heap
blocks = [np.ones(2**20 // 8) for _ in range(300)]  # 300 MB, as a page's frames at a million records
blocks = blocks[-1:]  # freed, all but the one on top of the heap, so the heap cannot shrink by itself
kept = rss_mb()
from pages.ui import memory
memory.release()
print(kept, rss_mb())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim: Linux only")
def test_memory_a_run_let_go_of_goes_back_to_the_system():
    run = subprocess.run([sys.executable, "-c", _FREED_BUT_KEPT], capture_output=True, text=True, check=True, cwd=ROOT)
    kept, after = map(int, run.stdout.split())
    assert kept > 250 and after < kept - 200, (kept, after)
