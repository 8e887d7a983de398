from django.urls import path

from geogrid.coverage import views

urlpatterns = [
    path("coverage", views.coverage_map, name="coverage-map"),
]
