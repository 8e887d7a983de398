from django.urls import path

from geogrid.circles import views

urlpatterns = [
    path("circles/", views.circles_page, name="circles"),
]
