"""Auth API views: one per operation — validate, call one AuthService method, serialize."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.responses import APIResponse
from core.schema import NULL_ONLY
from core.throttles import AnonRateThrottle, UserRateThrottle

from . import serializers as s
from . import throttles
from .authentication import OptionalSessionJWTAuthentication, current_session_id
from .network import client_ip, device_label
from .services import AuthService

TAGS = ["auth"]
DEFAULT_THROTTLES = [AnonRateThrottle, UserRateThrottle]
# Operations that answer with a message only: the envelope's `data` is null.
NULL_DATA = {**NULL_ONLY, "description": "Always null: the outcome is in `message`."}


def message_only(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=NULL_DATA, description=description)


ACCEPTED_REGISTER = "If this address can be registered, a verification email is on its way."
ACCEPTED_RESEND = "If this address has an unverified account, a new verification email is on its way."
ACCEPTED_RESET = "If this address has an account, a password reset email is on its way."


class NoStoreMixin:
    """Tokens and personal data are never stored by browsers or shared caches."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        return response


def validated(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class AnonymousAuthView(NoStoreMixin, APIView):
    """Endpoints used before signing in: a stale Authorization header must not get in the way."""

    authentication_classes = []

    def get_authenticate_header(self, request):
        # Keeps 401 a 401 (DRF turns it into 403 when a view has no authenticator).
        return 'Bearer realm="api"'


class RegisterView(AnonymousAuthView):
    throttle_classes = [*DEFAULT_THROTTLES, throttles.RegisterThrottle]

    @extend_schema(
        tags=TAGS,
        operation_id="auth_register",
        summary="Create an account (the same 202 answer whether or not the email is taken)",
        request=s.RegisterInputSerializer,
        responses={202: s.RegisterOutputSerializer},
    )
    def post(self, request):
        email = AuthService().register(**validated(s.RegisterInputSerializer, request))
        data = s.RegisterOutputSerializer({"email": email, "verification_required": True}).data
        return APIResponse(data, message=ACCEPTED_REGISTER, status=status.HTTP_202_ACCEPTED)


class VerifyEmailView(AnonymousAuthView):
    @extend_schema(
        tags=TAGS,
        operation_id="auth_verify_email",
        summary="Confirm an email address with the emailed token",
        request=s.TokenInputSerializer,
        responses={200: s.EmailVerifiedOutputSerializer},
    )
    def post(self, request):
        user = AuthService().verify_email(**validated(s.TokenInputSerializer, request))
        return APIResponse(s.EmailVerifiedOutputSerializer(user).data, message="Email address verified.")


class VerifyEmailResendView(AnonymousAuthView):
    throttle_classes = [
        *DEFAULT_THROTTLES,
        throttles.VerifyResendIPThrottle,
        throttles.VerifyResendEmailThrottle,
    ]

    @extend_schema(
        tags=TAGS,
        operation_id="auth_verify_email_resend",
        summary="Send a new verification email (the same 202 answer for any address)",
        request=s.EmailInputSerializer,
        responses={202: message_only("Accepted.")},
    )
    def post(self, request):
        AuthService().resend_verification(**validated(s.EmailInputSerializer, request))
        return APIResponse(None, message=ACCEPTED_RESEND, status=status.HTTP_202_ACCEPTED)


class LoginView(AnonymousAuthView):
    throttle_classes = [*DEFAULT_THROTTLES, throttles.LoginIPThrottle, throttles.LoginAccountThrottle]

    @extend_schema(
        tags=TAGS,
        operation_id="auth_login",
        summary="Sign in: an access + refresh token pair and a new session",
        request=s.LoginInputSerializer,
        responses={200: s.LoginOutputSerializer},
    )
    def post(self, request):
        data = validated(s.LoginInputSerializer, request)
        agent = request.headers.get("User-Agent", "")
        pair = AuthService().login(
            **data, ip_address=client_ip(request), user_agent=agent, device=device_label(agent)
        )
        return APIResponse(s.LoginOutputSerializer(pair).data, message="Signed in.")


class TokenRefreshView(AnonymousAuthView):
    throttle_classes = [*DEFAULT_THROTTLES, throttles.TokenRefreshThrottle]

    @extend_schema(
        tags=TAGS,
        operation_id="auth_token_refresh",
        summary="Rotate a refresh token: a new pair; the old refresh token is dead (reuse ends the session)",
        request=s.RefreshInputSerializer,
        responses={200: s.TokenPairOutputSerializer},
    )
    def post(self, request):
        data = validated(s.RefreshInputSerializer, request)
        pair = AuthService().refresh(refresh=data["refresh"], ip_address=client_ip(request))
        return APIResponse(s.TokenPairOutputSerializer(pair).data, message="Tokens refreshed.")


class LogoutView(NoStoreMixin, APIView):
    authentication_classes = [OptionalSessionJWTAuthentication]

    @extend_schema(
        tags=TAGS,
        operation_id="auth_logout",
        auth=[{"jwtAuth": []}, {}],
        summary="Sign out of this session (by refresh token, or by the access token in use)",
        request=s.LogoutInputSerializer,
        responses={200: message_only("Signed out.")},
    )
    def post(self, request):
        data = validated(s.LogoutInputSerializer, request)
        AuthService().logout(refresh=data.get("refresh"), current_session_id=current_session_id(request))
        return APIResponse(None, message="Signed out.")


class LogoutAllView(NoStoreMixin, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="auth_logout_all",
        summary="Sign out everywhere (every session, this one included)",
        request=None,
        responses={200: s.RevokedCountOutputSerializer},
    )
    def post(self, request):
        count = AuthService().logout_all(user=request.user)
        return APIResponse({"revoked_sessions": count}, message="Signed out everywhere.")


class SessionListView(NoStoreMixin, ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = s.SessionSerializer

    def get_queryset(self):
        return AuthService().list_sessions(user=self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "current_session_id": current_session_id(self.request)}

    @extend_schema(tags=TAGS, operation_id="auth_sessions_list", summary="My signed-in sessions (devices)")
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


class SessionRevokeView(NoStoreMixin, GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = s.SessionSerializer

    @extend_schema(
        tags=TAGS,
        operation_id="auth_sessions_revoke",
        summary="End one of my sessions (another user's session is a 404)",
        parameters=[
            OpenApiParameter(
                "id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The session id (UUID)."
            )
        ],
        responses={204: None},
    )
    def delete(self, request, id):
        AuthService().revoke_session(user=request.user, session_id=id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(NoStoreMixin, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="auth_password_change",
        summary="Change my password (current one required); every other session ends",
        request=s.PasswordChangeInputSerializer,
        responses={200: message_only("Password changed.")},
    )
    def post(self, request):
        data = validated(s.PasswordChangeInputSerializer, request)
        AuthService().change_password(
            user=request.user, current_session_id=current_session_id(request), **data
        )
        return APIResponse(None, message="Password changed. Other sessions were signed out.")


class PasswordResetView(AnonymousAuthView):
    throttle_classes = [
        *DEFAULT_THROTTLES,
        throttles.PasswordResetIPThrottle,
        throttles.PasswordResetEmailThrottle,
    ]

    @extend_schema(
        tags=TAGS,
        operation_id="auth_password_reset",
        summary="Email a password reset link (the same 202 answer for any address)",
        request=s.EmailInputSerializer,
        responses={202: message_only("Accepted.")},
    )
    def post(self, request):
        AuthService().request_password_reset(**validated(s.EmailInputSerializer, request))
        return APIResponse(None, message=ACCEPTED_RESET, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(AnonymousAuthView):
    throttle_classes = [*DEFAULT_THROTTLES, throttles.PasswordResetIPThrottle]

    @extend_schema(
        tags=TAGS,
        operation_id="auth_password_reset_confirm",
        summary="Set a new password with the emailed token; every session ends",
        request=s.PasswordResetConfirmInputSerializer,
        responses={200: message_only("Password reset.")},
    )
    def post(self, request):
        AuthService().confirm_password_reset(**validated(s.PasswordResetConfirmInputSerializer, request))
        return APIResponse(None, message="Password reset. Sign in with the new password.")
