from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "geogrid.events"
    verbose_name = "事件"
