"""Favorites, watchlist and for-you API views: thin — validate, call one service method, serialize."""

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.mixins import ListModelMixin
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from apps.movies.services import MovieService
from core.cache.http import PAGING_PARAMETERS
from core.permissions import IsEmailVerified
from core.responses import APIResponse

from . import caching
from . import serializers as s
from .exports import ExportService
from .managers import attach_movie_flags
from .models import Favorite, WatchlistItem
from .recommendations import RecommendationService
from .services import AddOutcome, EntryFilters, FavoriteService, UserMovieEntryService, WatchlistService

PRIVATE_NO_STORE = "private, no-store"
ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The entry's id.")
FAVORITES, WATCHLIST, RECOMMENDATIONS = ["favorites"], ["watchlist"], ["recommendations"]
EXPORT_CSV_COLUMNS = "Columns: list, tmdb_id, title, year, rating, notes, added_at."


class PersonalApi(GenericAPIView):
    """Base of every view here: signed-in users only, writes need a verified email, never cached."""

    permission_classes = [IsAuthenticated, IsEmailVerified]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = PRIVATE_NO_STORE
        return response


class EntryApi(PersonalApi):
    """Shared by the favorites and watchlist views; subclasses name the service and serializers."""

    service_class: type[UserMovieEntryService]
    # The catalog collaborator (syncs unknown movies from TMDb); tests swap in a double.
    movie_service_class = MovieService
    OutputSerializer: type[Serializer]

    def get_service(self) -> UserMovieEntryService:
        return self.service_class(user=self.request.user, movies=self.movie_service_class())

    def get_serializer_class(self):
        return self.OutputSerializer

    def output(self, entry) -> dict:
        return self.get_serializer(entry).data


class EntryCollectionApi(ListModelMixin, EntryApi):
    list_name: str  # names its cached pages
    FilterSerializer: type[Serializer]
    InputSerializer: type[Serializer]
    added_message = "Added."
    existing_message = "Already there."

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return self.service_class.model.objects.none()
        params = self.FilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        values = dict(params.validated_data)
        fields = values.pop("fields", None)
        self.item_fields = [name.strip() for name in fields.split(",")] if fields else None
        return self.get_service().list_entries(filters=EntryFilters(**values))

    def get_serializer(self, *args, **kwargs):
        if self.request is not None and self.request.method == "GET":  # the list's compact items
            kwargs.setdefault("context", self.get_serializer_context())
            return self.ListItemSerializer(*args, fields=getattr(self, "item_fields", None), **kwargs)
        return super().get_serializer(*args, **kwargs)

    def dispatch(self, request, *args, **kwargs):
        """A page cached for this user and query answers before DRF runs (as the catalog's do):
        no SQL, no serialization. Pages are kept per data version: any change of theirs, or to
        the catalog, is a new key."""
        if request.method == "GET":
            known = self.known_parameters()
            cached, request.page_store_as = caching.page_lookup(
                request, list_name=self.list_name, known=known
            )
            if cached is not None:
                cached["Cache-Control"] = PRIVATE_NO_STORE
                cached["X-Cache"] = "HIT"
                cached["Vary"] = "Authorization"
                return cached
        return super().dispatch(request, *args, **kwargs)

    @classmethod
    def known_parameters(cls) -> frozenset[str]:
        """What the page depends on: the filters and paging (worked out once per class)."""
        known = cls.__dict__.get("_known_parameters")
        if known is None:
            known = frozenset({*cls.FilterSerializer().fields, *PAGING_PARAMETERS})
            cls._known_parameters = known
        return known

    def get(self, request):
        response = self.list(request)
        response.store_as = getattr(request, "page_store_as", None)
        return response

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        attach_movie_flags(page or ())
        return page

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if getattr(response, "store_as", None):
            caching.store_page(response.store_as, response)
        return response

    def post(self, request):
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = dict(payload.validated_data)
        service = self.get_service()
        result = service.add(tmdb_id=values.pop("movie_id"), **values)
        entry = service.get_entry(entry_id=result.entry.pk)  # as stored, its movie with the flags
        if result.outcome is AddOutcome.EXISTING:
            return APIResponse(self.output(entry), message=self.existing_message)
        return APIResponse.created(self.output(entry), message=self.added_message)


class EntryDetailApi(EntryApi):
    UpdateSerializer: type[Serializer]

    def get(self, request, id: int):
        return APIResponse(self.output(self.get_service().get_entry(entry_id=id)))

    def patch(self, request, id: int):
        payload = self.UpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        entry = self.get_service().update(entry_id=id, **payload.validated_data)
        return APIResponse(self.output(entry), message="Updated.")

    def delete(self, request, id: int):
        self.get_service().remove(entry_id=id)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _collection_schema(*, tags, noun: str, prefix: str):
    """The list/add operations' schema, from the view's own FilterSerializer/InputSerializer/OutputSerializer."""
    return lambda view: _collection_schema_for(view, tags=tags, noun=noun, prefix=prefix)


def _collection_schema_for(view, *, tags, noun: str, prefix: str):
    filters, add_input, output = view.FilterSerializer, view.InputSerializer, view.OutputSerializer
    return extend_schema_view(
        get=extend_schema(
            tags=tags,
            operation_id=f"{prefix}_list",
            summary=f"List my {noun}",
            parameters=[filters],
        ),
        post=extend_schema(
            tags=tags,
            operation_id=f"{prefix}_add",
            summary=f"Add a movie to my {noun}",
            description=(
                "Unknown movies are synced from TMDb first (503 with Retry-After, nothing written, "
                "when TMDb is down). 201 when added or restored, 200 with the existing entry, unchanged, "
                "when the movie is already there."
            ),
            request=add_input,
            responses={201: output, 200: output},
        ),
    )(view)


def _detail_schema(*, tags, noun: str, prefix: str):
    """The retrieve/update/remove operations' schema, from the view's UpdateSerializer/OutputSerializer."""
    return lambda view: _detail_schema_for(view, tags=tags, noun=noun, prefix=prefix)


def _detail_schema_for(view, *, tags, noun: str, prefix: str):
    update_input, output = view.UpdateSerializer, view.OutputSerializer
    return extend_schema_view(
        get=extend_schema(
            tags=tags,
            operation_id=f"{prefix}_retrieve",
            summary=f"One of my {noun}",
            parameters=[ID_PARAMETER],
        ),
        patch=extend_schema(
            tags=tags,
            operation_id=f"{prefix}_update",
            summary=f"Change one of my {noun}",
            parameters=[ID_PARAMETER],
            request=update_input,
            responses={200: output},
        ),
        delete=extend_schema(
            tags=tags,
            operation_id=f"{prefix}_remove",
            summary=f"Remove a movie from my {noun} (re-adding restores it)",
            parameters=[ID_PARAMETER],
            responses={204: OpenApiResponse(description="Removed.")},
        ),
    )(view)


@_collection_schema(tags=FAVORITES, noun="favorites", prefix="favorites")
class FavoriteCollectionApi(EntryCollectionApi):
    service_class = FavoriteService
    list_name = "favorites"
    FilterSerializer = s.FavoriteFilterSerializer
    InputSerializer = s.FavoriteAddInputSerializer
    OutputSerializer = s.FavoriteOutputSerializer
    ListItemSerializer = s.FavoriteListItemSerializer
    added_message = "Added to favorites."
    existing_message = "Already in favorites."


@_detail_schema(tags=FAVORITES, noun="favorites", prefix="favorites")
class FavoriteDetailApi(EntryDetailApi):
    service_class = FavoriteService
    queryset = Favorite.objects.none()
    UpdateSerializer = s.FavoriteUpdateInputSerializer
    OutputSerializer = s.FavoriteOutputSerializer


@_collection_schema(tags=WATCHLIST, noun="watchlist", prefix="watchlist")
class WatchlistCollectionApi(EntryCollectionApi):
    service_class = WatchlistService
    list_name = "watchlist"
    FilterSerializer = s.WatchlistFilterSerializer
    InputSerializer = s.WatchlistAddInputSerializer
    OutputSerializer = s.WatchlistItemOutputSerializer
    ListItemSerializer = s.WatchlistListItemSerializer
    added_message = "Added to the watchlist."
    existing_message = "Already in the watchlist."


@_detail_schema(tags=WATCHLIST, noun="watchlist", prefix="watchlist")
class WatchlistDetailApi(EntryDetailApi):
    service_class = WatchlistService
    queryset = WatchlistItem.objects.none()
    UpdateSerializer = s.WatchlistUpdateInputSerializer
    OutputSerializer = s.WatchlistItemOutputSerializer


class FavoriteStatsApi(PersonalApi):
    OutputSerializer = s.FavoriteStatsOutputSerializer

    @extend_schema(
        tags=FAVORITES,
        operation_id="favorites_stats",
        summary="Statistics about my favorites",
        responses=OutputSerializer,
    )
    def get(self, request):
        stats = FavoriteService(user=request.user).stats()
        return APIResponse(self.OutputSerializer(stats).data)


class FirstRendererNegotiation(DefaultContentNegotiation):
    """`?format=` names the export's file format here, not a DRF renderer: errors are always JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class FavoriteExportApi(PersonalApi):
    """`?format=csv|json`: one operation, two media types (kept for existing callers)."""

    content_negotiation_class = FirstRendererNegotiation
    ParamsSerializer = s.ExportParamsSerializer
    CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
    fixed_format: str | None = None

    @extend_schema(
        tags=FAVORITES,
        operation_id="favorites_export",
        summary="Download my favorites and watchlist (CSV or JSON), streamed",
        description="Deprecated: its 200 is JSON or CSV by `format`; use favorites/export/json/ or /csv/.",
        deprecated=True,
        parameters=[ParamsSerializer],
        responses={
            (200, "application/json"): s.ExportOutputSerializer,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description=EXPORT_CSV_COLUMNS),
        },
    )
    def get(self, request):
        export_format = self.fixed_format or self._format(request)
        export = ExportService(user=request.user)
        chunks = export.csv_chunks() if export_format == "csv" else export.json_chunks()
        response = StreamingHttpResponse(chunks, content_type=self.CONTENT_TYPES[export_format])
        filename = f"movie-nexus-{timezone.now():%Y%m%d}.{export_format}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def _format(self, request) -> str:
        params = self.ParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        return params.validated_data["format"]


def _fixed_format_export(export_format: str, media_type: str, response) -> type[FavoriteExportApi]:
    """favorites/export/json/ and /csv/: one media type each, so a typed client knows what it gets."""

    class View(FavoriteExportApi):
        fixed_format = export_format

        @extend_schema(
            tags=FAVORITES,
            operation_id=f"favorites_export_{export_format}",
            summary=f"Download my favorites and watchlist as {export_format.upper()}, streamed",
            parameters=[],
            responses={(200, media_type): response},
        )
        def get(self, request):
            return super().get(request)

    View.__name__ = View.__qualname__ = f"FavoriteExport{export_format.capitalize()}Api"
    return View


FavoriteExportJsonApi = _fixed_format_export("json", "application/json", s.ExportOutputSerializer)
FavoriteExportCsvApi = _fixed_format_export(
    "csv", "text/csv", OpenApiResponse(OpenApiTypes.STR, description=EXPORT_CSV_COLUMNS)
)


class ForYouApi(PersonalApi):
    serializer_class = s.ForYouMovieSerializer

    @extend_schema(
        tags=RECOMMENDATIONS,
        operation_id="recommendations_for_you",
        summary="Movies for me, from my favorites and ratings",
        description=(
            "Ranks stored TMDb recommendations and similar titles of my favorites and rated viewings "
            "by my ratings and how recently I added or watched them: high ratings pull towards "
            "related titles, low ratings push away from them. Excludes my favorites, watchlist and "
            "watched movies. Each item says why (`reason`). Without favorites or ratings (or related "
            "titles), popular movies in my preferred genres. `meta.strategy` says which."
        ),
        responses=s.ForYouMovieSerializer(many=True),
    )
    def get(self, request):
        result = RecommendationService(user=request.user).for_you()
        page = self.paginate_queryset(result.movies)
        data = self.get_serializer(page, many=True).data
        return self.paginator.get_paginated_response(data, meta={"strategy": result.strategy})
