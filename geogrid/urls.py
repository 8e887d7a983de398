from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from geogrid.core.views import healthz

admin.site.site_header = "GeoGrid 网格化服务管理"
admin.site.site_title = "GeoGrid"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="maps/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", include("geogrid.api_urls")),
    path("tiles/", include("tiles.urls")),
    path("open311/v2/", include("geogrid.events.open311_urls")),
    path("imports/", include("geogrid.imports.urls")),
    path("exports/", include("geogrid.exports.urls")),
    path("", include("maps.urls")),
]
