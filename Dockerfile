# GeoGrid application image: Django under gunicorn, GDAL/GEOS/PROJ from Debian 12 for GeoDjango, the PostgreSQL 15
# client (pg_dump, pg_restore, psql) for `manage.py backup` and `restore`. One image, several commands
# (docker-compose.yml): migrate as the owner role, gunicorn and the worker as the app role, the nightly backup.
FROM python:3.11-slim-bookworm

RUN apt-get update \
 && apt-get install -y --no-install-recommends gdal-bin libgdal32 libgeos-c1v5 libproj25 binutils postgresql-client-15 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements/base.txt requirements/
RUN pip install --no-cache-dir -r requirements/base.txt
COPY . .

ENV DJANGO_SETTINGS_MODULE=geogrid.settings.production PYTHONUNBUFFERED=1 GEOGRID_BACKUP_DIR=/app/var/backups
RUN DJANGO_SECRET_KEY=collectstatic-only DJANGO_ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
 && useradd --system --home /app geogrid \
 && mkdir -p /app/var/media /app/var/backups && chmod 0700 /app/var/backups && chown -R geogrid /app/var
USER geogrid

EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --retries=5 CMD ["python", "docker/healthcheck.py", "app"]
CMD ["docker/gunicorn.sh"]
