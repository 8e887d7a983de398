from django.urls import path

from maps import views

urlpatterns = [
    path("", views.grid_map, name="map"),
    path("coverage", views.coverage_map, name="coverage-map"),
    path("plan/<str:code>", views.plan_page, name="plan"),
    path("alignment/", views.alignment_page, name="alignment"),
    path("alignment/<str:code>", views.alignment_page, name="alignment-department"),
]
