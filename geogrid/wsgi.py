"""WSGI entry point (gunicorn geogrid.wsgi)."""
import os

from django.core.wsgi import get_wsgi_application

# A WSGI server is a deployment: production settings unless told otherwise (the demo uses runserver).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geogrid.settings.production")
application = get_wsgi_application()
