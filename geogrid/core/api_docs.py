"""The API's documentation pages (Swagger UI and Redoc, from drf-spectacular-sidecar's vendored files) under the
site's Content-Security-Policy: no inline script on either page. Swagger UI's start-up script is served as a
file (drf-spectacular's split view: the same URL with ?script); Redoc starts from its <redoc spec-url> element,
without the web fonts drf-spectacular's template loads from the internet. Both write their styles into the page
at run time (Redoc also starts a worker from a blob:), so these two pages alone allow inline styles."""
from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

DOCS_POLICY = {"style-src": ["'unsafe-inline'"]}


@method_decorator(csp_update(DOCS_POLICY), name="dispatch")
class SwaggerView(SpectacularSwaggerSplitView):
    pass


@method_decorator(csp_update(DOCS_POLICY), name="dispatch")
class RedocView(SpectacularRedocView):
    template_name = "api_docs/redoc.html"
