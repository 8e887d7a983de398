"""POST /api/v1/auth/token: a token for API clients; DELETE revokes the caller's token (the API's logout).

Password guessing is stopped by django-axes (per username and per address, as on the login form: 429
`login_locked`) and by the "login" rate. A token expires GEOGRID_TOKEN_TTL_HOURS after it was issued;
asking again after that issues a new one.
"""
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from geogrid.accounts.authentication import token_expired
from geogrid.accounts.lockout import LoginLocked
from geogrid.core.api import DomainError, ErrorSerializer, Input, StrictCharField, validated


class TokenView(APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema_serializer(component_name="AuthTokenInput")
    class InputSerializer(Input):
        username = StrictCharField(max_length=150)
        password = StrictCharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})

    @extend_schema_serializer(component_name="AuthTokenOutput")
    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()
        expires_at = serializers.DateTimeField()

    def get_permissions(self) -> list:
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(operation_id="auth_token", request=InputSerializer, auth=[],
                   responses={200: OutputSerializer, 400: ErrorSerializer,
                              429: OpenApiResponse(ErrorSerializer, description="login_locked 或请求过于频繁")})
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        # The Django request, so that axes counts the failure and flags a lockout on what its middleware sees.
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None:
            if getattr(request._request, "axes_locked_out", False):
                raise LoginLocked()
            raise DomainError("用户名或密码错误", code="invalid_credentials")
        # A token issued is a login: axes resets the failure count, the user's last_login is updated.
        user_logged_in.send(sender=type(user), request=request._request, user=user)
        token = Token.objects.filter(user=user).first()
        if token is not None and token_expired(token):
            token.delete()
            token = None
        token = token or Token.objects.create(user=user)
        expires_at = token.created + timedelta(hours=settings.GEOGRID_TOKEN_TTL_HOURS)
        return Response(self.OutputSerializer({"token": token.key, "expires_at": expires_at}).data)

    @extend_schema(operation_id="auth_token_revoke", request=None,
                   responses={204: None, 401: ErrorSerializer, 403: ErrorSerializer})
    def delete(self, request: Request) -> Response:
        Token.objects.filter(user=request.user).delete()
        return Response(status=204)
