from django.urls import path

from geogrid.adjustments import views

urlpatterns = [
    path("editor/", views.editor_home, name="editor-home"),
    path("editor/<code:code>", views.editor, name="editor"),
    path("adjustments/", views.adjustments, name="adjustments"),
]
