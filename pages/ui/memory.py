"""Handing back to the system the memory a page's run let go of.

glibc's malloc keeps freed blocks for reuse, and after a large array is freed it serves the
next ones from its own heap, which it shrinks only from the top: at a million records a
page's run lets go of hundreds of megabytes that the process would otherwise keep.
"""

from __future__ import annotations

import ctypes
import sys


def release() -> None:
    """``malloc_trim(0)``: freed memory back to the system (Linux with glibc; elsewhere nothing)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # another C library (musl has no malloc_trim)
        return
