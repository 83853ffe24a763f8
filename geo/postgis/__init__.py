"""The dataset store in a team's shared PostgreSQL + PostGIS database (:class:`PostGISStore`).

:func:`join_in_database` and :func:`district_table_in_database` run the join's spatial
part and the district table's window and counts in SQL, with the same results as the
embedded path (:mod:`geo.join`, :mod:`geo.districts`).
"""

from geo.postgis._districts import district_table_in_database
from geo.postgis._join import join_in_database
from geo.postgis.store import PostGISStore

__all__ = ["PostGISStore", "district_table_in_database", "join_in_database"]
