from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from geogrid.core import converters
from geogrid.core.views import healthz

converters.register()  # <code:...> in every app's urls.py

admin.site.site_header = "GeoGrid 网格化服务管理"
admin.site.site_title = "GeoGrid"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="maps/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", include("geogrid.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger's init script from a URL (no inline script); Redoc without the template's web fonts: no CDN.
    path("api/schema/swagger/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-swagger"),
    path("api/schema/redoc/", SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html"),
         name="api-redoc"),
    path("tiles/", include("tiles.urls")),
    path("open311/v2/", include("geogrid.events.open311_urls")),
    path("imports/", include("geogrid.imports.urls")),
    path("exports/", include("geogrid.exports.urls")),
    path("", include("maps.urls")),
]
