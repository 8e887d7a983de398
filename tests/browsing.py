"""Browser-test helpers: a page that records every request, and logging in."""
from urllib.parse import urlparse

# The demo logins' password in tests: conftest.py hands it to load_demo as GEOGRID_DEMO_PASSWORD.
PASSWORD = "geogrid-test-login"


class Recorder:
    """A browser page with every request and page error it produced."""

    def __init__(self, browser, **context):
        """`context`: new_context options over the desktop default (1280 x 800, zh-CN), e.g. a phone's."""
        self.context = browser.new_context(**{"viewport": {"width": 1280, "height": 800}, "locale": "zh-CN", **context})
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def assert_stayed_local(self):
        network = [url for url in self.requests if urlparse(url).scheme in ("http", "https", "ws", "wss")]
        assert network, "no request was recorded"
        outside = [url for url in network if urlparse(url).hostname != "127.0.0.1"]
        assert outside == [], f"requests left 127.0.0.1: {outside}"
        assert self.errors == [], f"JavaScript errors: {self.errors}"


def log_in(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
