"""The join's point-in-polygon answers, by either of its two paths."""

from __future__ import annotations

import pytest

from geo.join import _grid


@pytest.fixture(params=["grid", "direct"])
def point_test(request, monkeypatch):
    """Run the test with every layer's grid built at once ("grid") or never ("direct")."""
    monkeypatch.setattr(_grid, "DIRECT_POINTS", 0 if request.param == "grid" else 10**12)
    _grid._GRIDS.clear()  # a cached grid keeps the budget it was made with
    yield request.param
    _grid._GRIDS.clear()
