from django.urls import path

from geogrid.grids import views

urlpatterns = [
    path("plan/<code:code>", views.plan_page, name="plan"),
]
