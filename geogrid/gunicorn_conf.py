"""gunicorn settings for the embedded server (scripts/serve.sh): `gunicorn -c geogrid/gunicorn_conf.py`.

GEOGRID_BIND (default 127.0.0.1:8000) and GEOGRID_WORKERS (default 2 per core plus one, at most 8: each
worker keeps one database connection). Access and error log go to stdout, which scripts/supervise.py writes
to var/log/gunicorn.log and rotates. gunicorn restarts a worker that dies; a request running longer than
`timeout` (a large import upload is the longest) gets its worker replaced.
"""
import os

wsgi_app = "geogrid.wsgi:application"
bind = [os.environ.get("GEOGRID_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("GEOGRID_WORKERS") or min(2 * (os.cpu_count() or 1) + 1, 8))
timeout = 300
graceful_timeout = 30
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
