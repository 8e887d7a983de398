"""Settings for development and tests; `geogrid.settings.production` tightens them for deployment.

The database comes from ``DATABASE_URL`` when it is set (docker-compose, production). Otherwise GeoGrid
talks to the project-local PostgreSQL cluster that ``scripts/setup.sh`` starts: data in ``.pg/data``,
a unix socket in ``.pg/run`` and its own port, so it never collides with a system PostgreSQL.
"""
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_gis",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc served from our static files, no CDN
    "leaflet",
    "django_tasks",
    "django_tasks_db",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "axes",
    "geogrid.core",
    "geogrid.areas",
    "geogrid.grids",
    "geogrid.buildings",
    "geogrid.departments",
    "geogrid.staff",
    "geogrid.stations",
    "geogrid.events",
    "geogrid.hotline",
    "geogrid.workdays",
    "geogrid.scores",
    "geogrid.instructions",
    "geogrid.roads",
    "geogrid.accounts",
    "geogrid.locate",
    "geogrid.coverage",
    "geogrid.imports",
    "geogrid.exports",
    "geogrid.adjustments",
    "geogrid.search",
    "geogrid.alignment",
    "geogrid.circles",
    "geogrid.demo",
    "maps",
    "tiles",
]

MIDDLEWARE = [
    "geogrid.core.outage.DatabaseOutageMiddleware",  # 503 + Retry-After, not 500, while PostgreSQL is away
    "geogrid.core.middleware.BodySizeLimitMiddleware",  # 413 from Content-Length, before anything reads the body
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pghistory.middleware.HistoryMiddleware",  # who and which URL, for the audit trail
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into the lockout answer
]

ROOT_URLCONF = "geogrid.urls"
WSGI_APPLICATION = "geogrid.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "geogrid.accounts.menu.menu",
            ],
        },
    },
]

PG_DIR = BASE_DIR / ".pg"
LOCAL_PGPORT = int(os.environ.get("GEOGRID_PGPORT", "54329"))
# Persistent connections on every path: a request (or task) reuses its process's connection for this many
# seconds (0: one connection per request), checked before reuse so a connection broken by a database restart
# is replaced instead of failing the request.
CONN_MAX_AGE = int(os.environ.get("GEOGRID_CONN_MAX_AGE", "60"))


def _database(url: str | None, local_user: str) -> dict:
    if url:
        config = dj_database_url.parse(url)
    else:
        config = {
            "NAME": os.environ.get("GEOGRID_DB_NAME", "geogrid"),
            "USER": local_user,
            "HOST": str(PG_DIR / "run"),
            "PORT": str(LOCAL_PGPORT),
        }
    config["ENGINE"] = "django.contrib.gis.db.backends.postgis"
    config["CONN_MAX_AGE"] = CONN_MAX_AGE
    config["CONN_HEALTH_CHECKS"] = True
    # Several test runs can share one cluster when each names its own test database.
    config["TEST"] = {"NAME": os.environ.get("GEOGRID_TEST_DB") or f"test_{config['NAME']}"}
    return config


# Two roles (README "Database roles"): the app role serves requests and runs tasks; it may not create tables,
# nor change or remove audit rows. The owner role owns the schema: migrations, the demo loader and the tests
# use it (GEOGRID_DB_ROLE=owner). With DATABASE_URL alone, both are that one role (the operator's choice).
DATABASE_ROLES = {
    "app": _database(os.environ.get("DATABASE_URL"), "geogrid"),
    "owner": _database(os.environ.get("DATABASE_OWNER_URL") or os.environ.get("DATABASE_URL"), "geogrid_owner"),
}
DATABASE_ROLE = os.environ.get("GEOGRID_DB_ROLE", "app")
if DATABASE_ROLE not in DATABASE_ROLES:
    raise ValueError(f"GEOGRID_DB_ROLE must be one of {sorted(DATABASE_ROLES)}, not {DATABASE_ROLE!r}")
DATABASES = {"default": dict(DATABASE_ROLES[DATABASE_ROLE])}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# Messages are written in English in the code (gettext) and shipped translated: geogrid/locale/zh_Hans (the
# compiled .mo is committed, so a server needs no gettext tools). README "Messages and translations".
LOCALE_PATHS = [BASE_DIR / "geogrid" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("GEOGRID_MEDIA_ROOT") or BASE_DIR / "var" / "media")  # uploads, ticket photos
MEDIA_URL = "media/"

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Authentication: the login form, the admin login and POST /api/v1/auth/token are throttled by django-axes,
# per username and, separately, per client address (either locks); a success resets the count. A locked
# client gets 429: JSON {"code": "login_locked"} on the API, a Chinese page otherwise (accounts/lockout.py).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("GEOGRID_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("GEOGRID_LOGIN_COOLOFF_MINUTES", "15")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "geogrid.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "geogrid.accounts.lockout.client_address"  # as the API's rate limits see it
# API tokens expire this many hours after they were issued (401 token_expired) and are deleted on logout;
# a session lasts a working day.
GEOGRID_TOKEN_TTL_HOURS = float(os.environ.get("GEOGRID_TOKEN_TTL_HOURS", "10"))
SESSION_COOKIE_AGE = int(float(os.environ.get("GEOGRID_SESSION_HOURS", "10")) * 3600)

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes a missing or expired credential a 401 (session: 403).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "geogrid.accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("GEOGRID_ANON_RATE", "120/minute"),
        "user": "6000/minute",
        "login": "10/minute",
        "report": os.environ.get("GEOGRID_REPORT_RATE", "20/hour"),
    },
    # Client address for rate limits: REMOTE_ADDR unless a trusted proxy in front adds X-Forwarded-For.
    "NUM_PROXIES": int(os.environ.get("GEOGRID_NUM_PROXIES", "0")),
    # Every error in one shape: {"code", "message", "field"} (geogrid/core/api.py).
    "EXCEPTION_HANDLER": "geogrid.core.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# OpenAPI 3 from the code: /api/schema/ (YAML or ?format=json), /api/schema/swagger/ and /api/schema/redoc/.
SPECTACULAR_SETTINGS = {
    "TITLE": "GeoGrid API",
    "DESCRIPTION": "网格化服务管理平台接口：定位、网格、调整、多网合一、事件（含 Open311 GeoReport v2）、服务圈。"
                   "Every error answers {code, message, field}.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},  # no call to validator.swagger.io
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"ChangeRequestStatusEnum": "geogrid.adjustments.models.ChangeRequest.Status"},
}

# Rate-limit counters must be shared by every gunicorn worker: keep them in PostgreSQL.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "geogrid_cache"}}

# Background work (imports, bulk routing, isochrones) runs in `manage.py run_worker`; the queue is a
# PostgreSQL table (django-tasks + django-tasks-db), so there is no extra server to run.
# GEOGRID_TASKS_IMMEDIATE=1 runs tasks inside the request instead (browser tests, which run no worker).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
                     if os.environ.get("GEOGRID_TASKS_IMMEDIATE") == "1" else "django_tasks_db.DatabaseBackend"}}
# The worker stops a task still running this many seconds after it started and fails it (`task_timeout`), its
# import job or circle run with it (geogrid/core/worker.py); 0: no limit.
GEOGRID_TASK_TIME_LIMIT = float(os.environ.get("GEOGRID_TASK_TIME_LIMIT_MINUTES", "120")) * 60

# The audit trail's admin page (pghistory) is for superusers only: it shows personal data unmasked.
PGHISTORY_ADMIN_CLASS = "geogrid.core.audit_admin.AuditEventsAdmin"

# Map widgets in the admin and on our pages: no online basemap by default (intranet first).
# Our own basemap tiles come with the tiles issue; until then the map shows our vector layers only.
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (26.95, 108.68),
    "DEFAULT_ZOOM": 13,
    "MIN_ZOOM": 5,
    "MAX_ZOOM": 19,
    "TILES": [],
    "ATTRIBUTION_PREFIX": "GeoGrid",
    "RESET_VIEW": False,
}

# Projected CRS for areas and lengths: CGCS2000 / 3-degree Gauss-Krüger CM 108E (EPSG:4545).
GEOGRID_AREA_SRID = int(os.environ.get("GEOGRID_AREA_SRID", "4545"))
# Grid coding rule (geogrid/grids/coding.py): community code + 3-digit sequence for level 1, parent code +
# 3 digits below, numbered in rows of 500 m from north to south, west to east inside a row.
GEOGRID_GRID_CODE_RULE = {"sequence_digits": 3, "row_height_m": 500, "order": "rows"}

# Events: open tickets of the same category this close (metres) are suggested as duplicates (FixMyStreet: ~50 m).
GEOGRID_DUPLICATE_RADIUS_M = float(os.environ.get("GEOGRID_DUPLICATE_RADIUS_M", "50"))
# Public reports (Open311 POST): photos per report and bytes per photo (the rate per address: "report" above).
GEOGRID_REPORT_PHOTO_MAX_BYTES = 5 * 1024 * 1024
GEOGRID_REPORT_PHOTOS_MAX = 4

# Debian 12 ships GDAL 3.6, which cannot block file/network access from spatial references (needs 3.9).
# GeoGrid only builds spatial references from EPSG numbers it validated, never from client-sent WKT.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Tiles (tiles/): vector tiles come from the database; raster tiles from these GeoTIFFs, served as
# /tiles/raster/<name>/{z}/{x}/{y}.png. Cloud-Optimised GeoTIFFs with overviews read fast at every zoom.
# style "hillshade": a DEM in metres, shaded (optional "z_factor" exaggerates relief); "rgb": an 8-bit
# orthophoto. The demo DEM is written by `manage.py load_demo`. A DEM's tiles are drawn from its hillshade,
# made once beside it by `manage.py prepare_rasters` (gdaldem; load_demo and scripts/serve.sh run it).
GEOGRID_RASTERS = {
    "hillshade": {"path": BASE_DIR / "var" / "demo" / "dem.tif", "style": "hillshade", "label": "地形晕渲"},
}
# Online basemaps the web map offers beside its own (roads, water, buildings and hillshade from our data).
# None by default: GeoGrid runs on intranets and the map must not call out. Each entry: "name" (shown in
# the layer switcher), "url" ({z}/{x}/{y}, {s} for "subdomains"), "attribution", optional "subdomains",
# "max_zoom" and "overlay_url" (a label layer drawn over it, as Tianditu serves names apart).
GEOGRID_ONLINE_BASEMAPS: list[dict] = []
if os.environ.get("GEOGRID_TIANDITU_KEY"):  # 天地图: a key from the Tianditu console
    _tianditu = ("https://t{s}.tianditu.gov.cn/%s_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=%s"
                 "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk="
                 + os.environ["GEOGRID_TIANDITU_KEY"])
    GEOGRID_ONLINE_BASEMAPS += [
        {"name": "天地图矢量", "url": _tianditu % ("vec", "vec"), "overlay_url": _tianditu % ("cva", "cva"),
         "subdomains": "01234567", "attribution": "天地图", "max_zoom": 18},
        {"name": "天地图影像", "url": _tianditu % ("img", "img"), "overlay_url": _tianditu % ("cia", "cia"),
         "subdomains": "01234567", "attribution": "天地图", "max_zoom": 18},
    ]
if os.environ.get("GEOGRID_OSM_BASEMAP") == "1":
    GEOGRID_ONLINE_BASEMAPS.append({"name": "OpenStreetMap", "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                                    "attribution": "© OpenStreetMap contributors", "max_zoom": 19})

# Content-Security-Policy on every response (django-csp 4): scripts only from our own static files (no inline
# script, no eval; JSON handed to a page rides in <script type="application/json">, which never runs), nothing
# framed, no plugins. django-leaflet's admin widget starts its map with an inline script carrying the request's
# nonce; a page that renders no such script gets no nonce in its header. Leaflet and Chart.js position elements through style attributes: style-src-attr allows
# those, style sheets stay our own. The API docs pages (geogrid/urls.py) add what Swagger UI and Redoc need.
def _tile_origin(url: str) -> str:
    """https://t{s}.tianditu.gov.cn/... -> https://*.tianditu.gov.cn (a CSP source)."""
    scheme, _, host = url.split("/")[:3]
    return f"{scheme}//{'*.' + host.split('.', 1)[1] if '{s}' in host else host}"


_BASEMAP_ORIGINS = sorted({_tile_origin(b[key]) for b in GEOGRID_ONLINE_BASEMAPS
                           for key in ("url", "overlay_url") if key in b})
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],  # a nonce only on a page that asks for one: the admin's map widget
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *_BASEMAP_ORIGINS],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Request bodies: one declared larger than this is refused (413) before it is read (geogrid/core/middleware.py);
# the largest legitimate body is an import upload (geogrid/imports/forms.py MAX_UPLOAD_MB) with its form fields.
GEOGRID_MAX_REQUEST_BODY = int(os.environ.get("GEOGRID_MAX_REQUEST_BODY", str(520 * 1024 * 1024)))
# Any other body (JSON, form fields): an adjustment request carries a community's grid geometries.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# The four-eyes rule for change requests: nobody approves their own (GEOGRID_FOUR_EYES=0 turns it off, e.g. for a
# street office of one clerk).
GEOGRID_FOUR_EYES = os.environ.get("GEOGRID_FOUR_EYES", "1") not in ("0", "false", "False")
