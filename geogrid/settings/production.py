"""Production settings: DEBUG off, everything else from the environment. `manage.py check --deploy` passes.

Used by `scripts/serve.sh` (and the demo) on this machine and by the container. The secret key is
DJANGO_SECRET_KEY, or else the one generated for this installation on first use in GEOGRID_SECRET_KEY_FILE
(var/secret_key: mode 0600, git-ignored, never printed). HTTPS settings are on unless GEOGRID_HTTPS=0, which
the embedded server sets when it speaks plain HTTP itself (README "The two commands").
"""
import os
import secrets
from pathlib import Path

from geogrid.settings import *  # noqa: F401,F403
from geogrid.settings import BASE_DIR, INSTALLED_APPS, LOGGING, MIDDLEWARE, STATIC_ROOT, STORAGES


def installation_secret_key(path: Path) -> str:
    """The key in `path`, written there first (0600) if there is none. Concurrent first starts (gunicorn's
    workers) agree on one key: it is written to a private file that is then linked into place, and only
    the first link wins."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(50))
        try:
            os.link(scratch, path)
        except FileExistsError:
            pass
        finally:
            scratch.unlink()
    return path.read_text().strip()


# The demo town's generator is not part of the server: `scripts/demo.sh` loads the town with the default settings
# (the demo app has no models or migrations, so a database it loaded serves unchanged under these).
INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "geogrid.demo"]
DEBUG = False
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or installation_secret_key(
    Path(os.environ.get("GEOGRID_SECRET_KEY_FILE", BASE_DIR / "var" / "secret_key")))
# localhost: this machine (the embedded server, the container's own healthcheck); more from the environment.
ALLOWED_HOSTS = ["localhost", "127.0.0.1",
                 *(h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h)]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# gunicorn serves the collected static files itself (no CDN, no extra web server needed).
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "whitenoise.middleware.WhiteNoiseMiddleware")
STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
STATIC_ROOT = Path(os.environ.get("GEOGRID_STATIC_ROOT") or STATIC_ROOT)  # collectstatic's target (var/static)

# GEOGRID_HTTPS=0: browsers reach this server over plain HTTP (an intranet without TLS): no redirect to
# https, no HSTS, cookies not limited to HTTPS (a browser would not send them back).
HTTPS = os.environ.get("GEOGRID_HTTPS", "1") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS and os.environ.get("DJANGO_SECURE_SSL_REDIRECT", "1") == "1"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # container healthchecks speak plain HTTP inside the network
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Every line with its time, level and process: the embedded server's logs are files (var/log/, rotated by
# scripts/supervise.py, which reads each process's output).
LOGGING = {**LOGGING,
           "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"}},
           "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}}}
