from django.urls import path

from geogrid.exports import views

urlpatterns = [
    path("", views.export_page, name="export"),
]
