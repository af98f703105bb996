"""Imports and exports API views: thin — validate, call one service method, serialize."""

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.mixins import ListModelMixin
from rest_framework.parsers import MultiPartParser
from rest_framework.throttling import UserRateThrottle

from apps.favorites.views import FirstRendererNegotiation, PersonalApi
from apps.movies.services import MovieService
from core.responses import APIResponse

from . import serializers as s
from .exports import HistoryExportService
from .models import Import, ImportRow
from .services import ImportService
from .throttles import ImportUploadThrottle

IMPORTS = ["imports"]
ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The import's id.")
POSITION = OpenApiParameter("position", int, OpenApiParameter.PATH, description="The row's position.")


class ImportCollectionApi(ListModelMixin, PersonalApi):
    extra_error_codes = {"POST": ("409",)}  # one import per user at a time (the schema says so)
    parser_classes = [MultiPartParser]
    throttle_classes = [UserRateThrottle, ImportUploadThrottle]
    serializer_class = s.ImportOutputSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Import.objects.none()
        return ImportService(user=self.request.user).list_imports()

    @extend_schema(tags=IMPORTS, operation_id="imports_list", summary="My imports, newest first")
    def get(self, request):
        return self.list(request)

    @extend_schema(
        tags=IMPORTS,
        operation_id="imports_start",
        summary="Import a Letterboxd, IMDb, Trakt, CSV or Movie Nexus export",
        description=(
            "The file is checked and parsed at once (413 over the size, zip-expansion or entry limits; "
            "400 when it is not that source's export); matching runs in the background: follow it at "
            "GET imports/{id}/. One import per user at a time (409 while one is queued or running); "
            "uploads are throttled per user (429). docs/imports.md has the formats and rules."
        ),
        request={"multipart/form-data": s.ImportInputSerializer},
        responses={202: s.ImportOutputSerializer},
    )
    def post(self, request):
        payload = s.ImportInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = ImportService(user=request.user).start(
            source=payload.validated_data["source"], upload=payload.validated_data["file"]
        )
        return APIResponse(s.ImportOutputSerializer(upload).data, message="Import queued.", status=202)


class ImportDetailApi(PersonalApi):
    @extend_schema(
        tags=IMPORTS,
        operation_id="imports_progress",
        summary="An import's progress: status, counts, match rate, failed rows",
        parameters=[ID],
        responses=s.ImportProgressSerializer,
    )
    def get(self, request, id: int):
        progress = ImportService(user=request.user).progress(import_id=id)
        return APIResponse(s.ImportProgressSerializer(progress).data)


class ImportReviewApi(ListModelMixin, PersonalApi):
    serializer_class = s.ReviewRowSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ImportRow.objects.none()
        return ImportService(user=self.request.user).review_queue(import_id=self.kwargs["id"])

    @extend_schema(
        tags=IMPORTS,
        operation_id="imports_review_list",
        summary="Rows of an import waiting for review, with their candidates",
        parameters=[ID],
    )
    def get(self, request, id: int):
        return self.list(request)


class ImportReviewDecisionApi(PersonalApi):
    movie_service_class = MovieService

    @extend_schema(
        tags=IMPORTS,
        operation_id="imports_review_decide",
        summary="Confirm one candidate of a row in review, or skip the row",
        parameters=[ID, POSITION],
        request=s.ReviewDecisionInputSerializer,
        responses=s.ReviewRowSerializer,
    )
    def post(self, request, id: int, position: int):
        payload = s.ReviewDecisionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        service = ImportService(user=request.user, movies=self.movie_service_class())
        row = service.decide(import_id=id, position=position, tmdb_id=payload.validated_data.get("tmdb_id"))
        return APIResponse(s.ReviewRowSerializer(row).data, message=f"Row {row.status}.")


class HistoryExportApi(PersonalApi):
    content_negotiation_class = FirstRendererNegotiation
    CONTENT_TYPES = {"letterboxd": "text/csv; charset=utf-8", "json": "application/json"}
    EXTENSIONS = {"letterboxd": "csv", "json": "json"}

    @extend_schema(
        tags=["history"],
        operation_id="watched_export",
        summary="Download my history (Letterboxd CSV) or everything (JSON), streamed",
        parameters=[s.ExportParamsSerializer],
        responses={
            (200, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="data: {format, version, favorites, watchlist, history}; imports back with "
                "source=movienexus.",
            ),
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="Letterboxd's import columns: Title, Year, imdbID, tmdbID, WatchedDate, Rating10, "
                "Rewatch, Review.",
            ),
        },
    )
    def get(self, request):
        params = s.ExportParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        kind = params.validated_data["format"]
        export = HistoryExportService(user=request.user)
        chunks = export.letterboxd_chunks() if kind == "letterboxd" else export.json_chunks()
        response = StreamingHttpResponse(chunks, content_type=self.CONTENT_TYPES[kind])
        filename = f"movie-nexus-{kind}-{timezone.now():%Y%m%d}.{self.EXTENSIONS[kind]}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
