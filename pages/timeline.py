"""Hand-over to app.py (see pages/__init__.py).

Streamlit's legacy pages-folder mode runs this file on a fresh server's first request to this page.
"""

import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).resolve().parents[1] / "app.py"), run_name="__main__")
