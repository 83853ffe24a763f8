"""The Streamlit side: ``views/`` holds one script per page, ``ui/`` what they share.

Pages are thin: read the filters, call :mod:`geo`, render.  ``app.py`` builds the
sidebar and ``st.navigation`` over ``views/``.

The small scripts directly in ``pages/`` (``map.py``, ``timeline.py`` ...) only
hand over to ``app.py``.  Streamlit still has a legacy mode for apps with a
``pages/`` folder, used on a server's first run until ``st.navigation`` switches it
off: it would run ``pages/<name>.py`` for ``/<name>`` directly, or show "Page not
found" when there is no such file.  One hand-over per page's ``url_path`` makes a
link straight to a page work on the very first request too.
"""
