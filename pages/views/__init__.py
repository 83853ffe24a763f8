"""One script per dashboard page; ``app.py`` registers them with ``st.navigation``."""
