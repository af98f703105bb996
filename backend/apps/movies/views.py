"""Movie API views: thin — validate, call one service method, serialize."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView, ListAPIView

from core.cache.http import cache_catalog_response
from core.responses import APIResponse

from .serializers import MovieDetailSerializer, MovieListSerializer
from .services import MovieService

TMDB_ID_PARAMETER = OpenApiParameter(
    "tmdb_id", int, OpenApiParameter.PATH, description="The movie's TMDb id."
)


@cache_catalog_response("list")
class MovieListView(ListAPIView):
    serializer_class = MovieListSerializer

    def get_queryset(self):
        return MovieService().list_local()

    @extend_schema(
        tags=["movies"], operation_id="movies_list", summary="List the local catalog, most popular first"
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


@cache_catalog_response("detail")
class MovieDetailView(GenericAPIView):
    serializer_class = MovieDetailSerializer

    @extend_schema(
        tags=["movies"],
        operation_id="movies_retrieve",
        summary="One movie by TMDb id",
        parameters=[TMDB_ID_PARAMETER],
    )
    def get(self, request, tmdb_id: int):
        movie = MovieService().get_movie(tmdb_id=tmdb_id)
        return APIResponse(self.get_serializer(movie).data)
