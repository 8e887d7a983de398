from django.urls import path

from maps import circles_views, editor_views, views

urlpatterns = [
    path("", views.grid_map, name="map"),
    path("coverage", views.coverage_map, name="coverage-map"),
    path("plan/<str:code>", views.plan_page, name="plan"),
    path("alignment/", views.alignment_page, name="alignment"),
    path("alignment/<str:code>", views.alignment_page, name="alignment-department"),
    path("editor/", editor_views.editor_home, name="editor-home"),
    path("editor/<str:code>", editor_views.editor, name="editor"),
    path("adjustments/", editor_views.adjustments, name="adjustments"),
    path("circles/", circles_views.circles_page, name="circles"),
]
