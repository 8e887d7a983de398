from django.urls import path

from geogrid.alignment import views

urlpatterns = [
    path("alignment/", views.alignment_page, name="alignment"),
    path("alignment/<code:code>", views.alignment_page, name="alignment-department"),
]
