"""The Streamlit side: ``views/`` holds one script per page, ``ui/`` what they share.

Pages are thin: read the filters, call :mod:`geo`, render.  ``app.py`` builds the
sidebar and ``st.navigation`` over ``views/``.

No page script lies directly in ``pages/``: Streamlit still has a legacy mode for
apps with a ``pages/`` folder, used on a server's first run before
``st.navigation`` switches it off, which would run ``pages/*.py`` directly
(without ``app.py`` and its sidebar) and list every file there as a page.
"""
