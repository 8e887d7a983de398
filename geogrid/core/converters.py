"""The `<code:...>` path converter for area, grid and department codes in URLs.

Any path segment but one holding a NUL byte: PostgreSQL refuses NUL in a query, so such a URL is simply not
found (404) instead of a database error. Registered in geogrid/urls.py, used by every app's urls.py."""
from django.urls import register_converter


class CodeConverter:
    regex = r"[^/\x00]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def register() -> None:
    register_converter(CodeConverter, "code")
