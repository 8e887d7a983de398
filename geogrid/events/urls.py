from django.urls import path

from geogrid.events import views

urlpatterns = [
    path("report/", views.report_page, name="report"),
    path("report/mine", views.report_mine, name="report-mine"),
    path("events/", views.events_list, name="events"),
    path("events/unplaced", views.unplaced_page, name="events-unplaced"),
    path("events/<int:pk>", views.event_page, name="event"),
    path("events/<int:pk>/photos/<int:photo>", views.event_photo, name="event-photo"),
]
