"""WSGI entry point: gunicorn, started by scripts/serve.sh (geogrid/gunicorn_conf.py) or by the container."""
import os

from django.core.wsgi import get_wsgi_application

# A WSGI server is a deployment: production settings unless told otherwise (runserver is for development).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geogrid.settings.production")
application = get_wsgi_application()
