"""WSGI entry point (gunicorn geogrid.wsgi)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geogrid.settings")
application = get_wsgi_application()
