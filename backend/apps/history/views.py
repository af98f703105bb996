"""Watched-history API views: list/add, retrieve/update/remove, stats; thin like the favorites ones."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.mixins import ListModelMixin
from rest_framework.response import Response

from apps.favorites.services import AddOutcome, EntryFilters
from apps.favorites.views import PersonalApi
from apps.movies.services import MovieService
from core.responses import APIResponse

from . import serializers as s
from .models import Viewing
from .services import HistoryService

HISTORY = ["history"]
ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The viewing's id.")


class ViewingApi(PersonalApi):
    # The catalog collaborator (syncs unknown movies from TMDb); tests swap in a double.
    movie_service_class = MovieService
    OutputSerializer = s.ViewingOutputSerializer

    def get_service(self) -> HistoryService:
        return HistoryService(user=self.request.user, movies=self.movie_service_class())

    def get_serializer_class(self):
        return self.OutputSerializer

    def output(self, entry) -> dict:
        return self.get_serializer(entry).data


class ViewingCollectionApi(ListModelMixin, ViewingApi):
    FilterSerializer = s.ViewingFilterSerializer
    InputSerializer = s.ViewingAddInputSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Viewing.objects.none()
        params = self.FilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return self.get_service().list_entries(filters=EntryFilters(**params.validated_data))

    @extend_schema(
        tags=HISTORY, operation_id="watched_list", summary="List my viewings", parameters=[FilterSerializer]
    )
    def get(self, request):
        return self.list(request)

    @extend_schema(
        tags=HISTORY,
        operation_id="watched_add",
        summary="Log a viewing",
        description=(
            "Unknown movies are synced from TMDb first (503 with Retry-After, nothing written, when "
            "TMDb is down). One viewing per movie and day: 201 when logged or restored, 200 with the "
            "existing viewing, unchanged, when that day is already logged."
        ),
        request=InputSerializer,
        responses={201: s.ViewingOutputSerializer, 200: s.ViewingOutputSerializer},
    )
    def post(self, request):
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = dict(payload.validated_data)
        result = self.get_service().add(tmdb_id=values.pop("movie_id"), **values)
        if result.outcome is AddOutcome.EXISTING:
            return APIResponse(self.output(result.entry), message="Already logged that day.")
        return APIResponse.created(self.output(result.entry), message="Viewing logged.")


class ViewingDetailApi(ViewingApi):
    queryset = Viewing.objects.none()
    UpdateSerializer = s.ViewingUpdateInputSerializer

    @extend_schema(
        tags=HISTORY, operation_id="watched_retrieve", summary="One of my viewings", parameters=[ID_PARAMETER]
    )
    def get(self, request, id: int):
        return APIResponse(self.output(self.get_service().get_entry(entry_id=id)))

    @extend_schema(
        tags=HISTORY,
        operation_id="watched_update",
        summary="Change one of my viewings",
        parameters=[ID_PARAMETER],
        request=UpdateSerializer,
        responses={200: s.ViewingOutputSerializer},
    )
    def patch(self, request, id: int):
        payload = self.UpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        entry = self.get_service().update(entry_id=id, **payload.validated_data)
        return APIResponse(self.output(entry), message="Updated.")

    @extend_schema(
        tags=HISTORY,
        operation_id="watched_remove",
        summary="Remove one of my viewings",
        parameters=[ID_PARAMETER],
        responses={204: OpenApiResponse(description="Removed.")},
    )
    def delete(self, request, id: int):
        self.get_service().remove(entry_id=id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class HistoryStatsApi(PersonalApi):
    OutputSerializer = s.HistoryStatsOutputSerializer

    @extend_schema(
        tags=HISTORY,
        operation_id="watched_stats",
        summary="Statistics about my watched history",
        responses=OutputSerializer,
    )
    def get(self, request):
        return APIResponse(self.OutputSerializer(HistoryService(user=request.user).stats()).data)
