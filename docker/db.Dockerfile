# The database of the production path: the official PostGIS image plus pgRouting (service circles), and the
# script creating GeoGrid's roles when the volume is first initialised (docker/initdb.d).
FROM postgis/postgis:15-3.3
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15-pgrouting \
 && rm -rf /var/lib/apt/lists/*
COPY docker/initdb.d/ /docker-entrypoint-initdb.d/
