from django.urls import path

from maps import circles_views, dashboard_views, editor_views, events_views, hotline_views, views

urlpatterns = [
    path("", views.grid_map, name="map"),
    path("coverage", views.coverage_map, name="coverage-map"),
    path("plan/<code:code>", views.plan_page, name="plan"),
    path("alignment/", views.alignment_page, name="alignment"),
    path("alignment/<code:code>", views.alignment_page, name="alignment-department"),
    path("circles/", circles_views.circles_page, name="circles"),
    path("editor/", editor_views.editor_home, name="editor-home"),
    path("editor/<code:code>", editor_views.editor, name="editor"),
    path("adjustments/", editor_views.adjustments, name="adjustments"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/export.xlsx", dashboard_views.dashboard_export, name="dashboard-export"),
    path("report/", events_views.report_page, name="report"),
    path("report/mine", events_views.report_mine, name="report-mine"),
    path("events/", events_views.events_list, name="events"),
    path("events/unplaced", hotline_views.unplaced_page, name="events-unplaced"),
    path("events/hotline", hotline_views.hotline_page, name="events-hotline"),
    path("events/hotline/<int:pk>", hotline_views.hotline_page, name="events-hotline-batch"),
    path("events/<int:pk>", events_views.event_page, name="event"),
    path("events/<int:pk>/photos/<int:photo>", events_views.event_photo, name="event-photo"),
]
