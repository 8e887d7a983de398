"""Authentication: django-axes locks the login form, the admin login and the token endpoint per username and
per address; tokens expire and are revoked on logout; a session lasts a working day."""
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tests.browsing import PASSWORD

LIMIT = settings.AXES_FAILURE_LIMIT
TOKEN = "/api/v1/auth/token"
pytestmark = pytest.mark.django_db


def token_request(username: str, password: str, address: str = "10.0.0.1"):
    return Client(REMOTE_ADDR=address).post(TOKEN, {"username": username, "password": password},
                                            content_type="application/json")


def form_login(username: str, password: str, address: str = "10.0.0.1", url: str = "/accounts/login/"):
    client = Client(REMOTE_ADDR=address)
    return client, client.post(url, {"username": username, "password": password})


def test_the_token_endpoint_locks_a_username_whatever_the_address():
    for attempt in range(LIMIT - 1):
        refused = token_request("street", "wrong", address=f"10.0.1.{attempt}")
        assert refused.status_code == 400 and refused.json()["code"] == "invalid_credentials"
    locked = token_request("street", "wrong", address="10.0.1.99")
    assert locked.status_code == 429 and locked.json()["code"] == "login_locked"
    right_password = token_request("street", PASSWORD, address="10.0.1.100")
    assert right_password.status_code == 429 and right_password.json()["code"] == "login_locked"
    assert "分钟" in right_password.json()["message"]
    assert token_request("community", PASSWORD, address="10.0.1.100").status_code == 200  # other users still in


def test_an_address_is_locked_whatever_the_username():
    for attempt in range(LIMIT):
        token_request(f"nobody{attempt}", "wrong", address="10.0.2.1")
    assert token_request("community", PASSWORD, address="10.0.2.1").json()["code"] == "login_locked"
    _, page = form_login("community", PASSWORD, address="10.0.2.1")
    assert page.status_code == 429 and "已被暂时锁定" in page.content.decode()
    assert token_request("community", PASSWORD, address="10.0.2.2").status_code == 200


def test_the_login_form_and_the_admin_login_lock_with_a_chinese_page():
    for attempt in range(LIMIT - 1):
        _, page = form_login("street", "wrong", address=f"10.0.3.{attempt}")
        assert page.status_code == 200 and "用户名或密码错误" in page.content.decode()
    _, locked = form_login("street", "wrong", address="10.0.3.99", url="/admin/login/")
    assert locked.status_code == 429 and "已被暂时锁定" in locked.content.decode()
    client, still_locked = form_login("street", PASSWORD, address="10.0.3.100")
    assert still_locked.status_code == 429 and "_auth_user_id" not in client.session


def test_a_success_resets_the_count():
    for _ in range(2):
        for _ in range(LIMIT - 1):
            assert token_request("street", "wrong").status_code == 400
        assert token_request("street", PASSWORD).status_code == 200


def test_an_expired_token_answers_401_and_a_new_one_is_issued():
    key = token_request("street", PASSWORD).json()["token"]
    assert Client().get("/api/v1/search", {"q": "1"}, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(hours=settings.GEOGRID_TOKEN_TTL_HOURS,
                                                                              minutes=1))
    expired = Client().get("/api/v1/search", {"q": "1"}, HTTP_AUTHORIZATION=f"Token {key}")
    assert expired.status_code == 401 and expired.json()["code"] == "token_expired"
    assert not Token.objects.filter(key=key).exists()
    fresh = token_request("street", PASSWORD).json()
    assert fresh["token"] != key and Token.objects.filter(key=fresh["token"]).exists()


def test_a_token_lasts_its_configured_hours():
    body = token_request("street", PASSWORD).json()
    created = Token.objects.get(key=body["token"]).created
    assert body["expires_at"] == (created + timedelta(hours=settings.GEOGRID_TOKEN_TTL_HOURS)).astimezone(
        timezone.get_current_timezone()).isoformat()


def test_logging_out_revokes_the_token():
    key = token_request("street", PASSWORD).json()["token"]
    client, response = form_login("street", PASSWORD)
    assert response.status_code == 302
    assert client.post("/accounts/logout/").status_code == 302
    assert not Token.objects.filter(key=key).exists()
    assert Client().get("/api/v1/search", HTTP_AUTHORIZATION=f"Token {key}").json()["code"] == "authentication_failed"


def test_an_api_client_revokes_its_own_token():
    key = token_request("street", PASSWORD).json()["token"]
    assert Client().delete(TOKEN, HTTP_AUTHORIZATION=f"Token {key}").status_code == 204
    assert not Token.objects.filter(key=key).exists()
    assert Client().delete(TOKEN).status_code in (401, 403)


def test_a_session_lasts_a_working_day():
    assert settings.SESSION_COOKIE_AGE == 10 * 3600
    client, response = form_login("street", PASSWORD)
    assert response.cookies["sessionid"]["max-age"] == 10 * 3600
    assert client.session.get_expiry_age() == 10 * 3600
    assert User.objects.get(username="street").pk == int(client.session["_auth_user_id"])
