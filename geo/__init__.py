"""protest-map's data layer: records, boundaries, the spatial join and reconciled figures.

This package never imports streamlit; the pages call it.
"""

__version__ = "0.1.0"
