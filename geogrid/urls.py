from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from geogrid.core import converters
from geogrid.core.api_docs import RedocView, SwaggerView
from geogrid.core.views import healthz

converters.register()  # <code:...> in every app's urls.py

admin.site.site_header = "GeoGrid 网格化服务管理"
admin.site.site_title = "GeoGrid"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", include("geogrid.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/schema/swagger/", SwaggerView.as_view(url_name="api-schema"), name="api-swagger"),
    path("api/schema/redoc/", RedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("tiles/", include("tiles.urls")),
    path("open311/v2/", include("geogrid.events.open311_urls")),
    path("imports/", include("geogrid.imports.urls")),
    path("exports/", include("geogrid.exports.urls")),
    # The pages, each app's own (geogrid/<app>/urls.py); maps/ has the map page at /.
    path("", include("geogrid.coverage.urls")),
    path("", include("geogrid.grids.urls")),
    path("", include("geogrid.alignment.urls")),
    path("", include("geogrid.circles.urls")),
    path("", include("geogrid.adjustments.urls")),
    path("", include("geogrid.scores.urls")),
    path("", include("geogrid.hotline.urls")),  # before events/<int:pk>
    path("", include("geogrid.events.urls")),
    path("", include("maps.urls")),
]
