"""users/me API views: the signed-in user's profile, preferences and account deletion."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.authentication.views import NoStoreMixin, validated
from core.responses import APIResponse
from core.schema import EnvelopeAutoSchema

from . import serializers as s
from .services import UserService

TAGS = ["users"]


class DeleteWithBodySchema(EnvelopeAutoSchema):
    """Documents the JSON body of DELETE users/me/ (drf-spectacular skips DELETE bodies by default)."""

    def _get_request_body(self, direction="request"):
        if self.method != "DELETE":
            return super()._get_request_body(direction)
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"


class MeView(NoStoreMixin, APIView):
    permission_classes = [IsAuthenticated]
    schema = DeleteWithBodySchema()

    @extend_schema(
        tags=TAGS,
        operation_id="users_me_retrieve",
        summary="My account and profile",
        responses=s.MeSerializer,
    )
    def get(self, request):
        profile = UserService().get_profile(request.user)
        return APIResponse(s.MeSerializer(profile).data)

    @extend_schema(
        tags=TAGS,
        operation_id="users_me_update",
        summary="Update my profile (display name, avatar URL, bio)",
        request=s.ProfileUpdateInputSerializer,
        responses=s.MeSerializer,
    )
    def patch(self, request):
        profile = UserService().update_profile(
            user=request.user, **validated(s.ProfileUpdateInputSerializer, request)
        )
        return APIResponse(s.MeSerializer(profile).data, message="Profile updated.")

    @extend_schema(
        tags=TAGS,
        operation_id="users_me_delete",
        summary="Delete my account for good (password required): favorites, watchlist, sessions go too",
        request=s.AccountDeleteInputSerializer,
        responses={204: None},
    )
    def delete(self, request):
        UserService().delete_account(user=request.user, **validated(s.AccountDeleteInputSerializer, request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PreferencesView(NoStoreMixin, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="users_me_preferences_retrieve",
        summary="My preferences (they drive movie listings)",
        responses=s.PreferencesSerializer,
    )
    def get(self, request):
        return APIResponse(s.PreferencesSerializer(UserService().get_profile(request.user)).data)

    @extend_schema(
        tags=TAGS,
        operation_id="users_me_preferences_update",
        summary="Update my preferences: language, region, include_adult, favorite genres (TMDb ids)",
        request=s.PreferencesUpdateInputSerializer,
        responses=s.PreferencesSerializer,
    )
    def patch(self, request):
        profile = UserService().update_preferences(
            user=request.user, **validated(s.PreferencesUpdateInputSerializer, request)
        )
        return APIResponse(s.PreferencesSerializer(profile).data, message="Preferences updated.")
