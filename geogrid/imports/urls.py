from django.urls import path

from geogrid.imports import views

urlpatterns = [
    path("new", views.upload, name="import-new"),
    path("<int:pk>", views.job_detail, name="import-job"),
]
