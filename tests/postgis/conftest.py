"""The PostGIS tests' server: one throwaway PostgreSQL + PostGIS per test session.

The fixtures ``postgis_server`` (session) and ``postgis_url`` (a new database with
PostGIS per test) are in ``tests/conftest.py``, so that ``tests/test_store.py`` runs
its backend-neutral tests on this server too; their code is
:func:`geo.postgis.server.throwaway_server` (a server on a Unix socket in a temporary
folder, no TCP port, removed afterwards: the tests never use a server they did not
start) and :func:`geo.postgis.server.scratch_database`.
"""
