from django.urls import path

from geogrid.hotline import views

urlpatterns = [
    path("events/hotline", views.hotline_page, name="events-hotline"),
    path("events/hotline/<int:pk>", views.hotline_page, name="events-hotline-batch"),
]
