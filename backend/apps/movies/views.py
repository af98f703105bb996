"""Movie and genre API views: thin — validate, call one service method, serialize."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView, ListAPIView

from core.exceptions import ValidationFailed
from core.pagination import pagination_meta, parse_page_params
from core.permissions import IsStaff
from core.responses import APIResponse

from .models import Movie, RecommendationType
from .params import (
    AudienceParams,
    DiscoverParams,
    GenreMoviesParams,
    LocalListParams,
    SearchParams,
    TrendingParams,
    discover_filters,
)
from .serializers import GenreSerializer, MovieDetailSerializer, MovieListSerializer
from .services import Audience, GenreService, MoviePage, MovieService, RecommendationService

TMDB_ID_PARAMETER = OpenApiParameter(
    "tmdb_id", int, OpenApiParameter.PATH, description="The movie's TMDb id."
)
GENRE_ID_PARAMETER = OpenApiParameter(
    "genre_id", int, OpenApiParameter.PATH, description="The genre's TMDb id."
)


def validate_params(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.query_params)
    if not serializer.is_valid():
        raise ValidationFailed(serializer.errors)
    return serializer.validated_data


def selected_fields(params: dict, serializer_class) -> list[str] | None:
    """The `fields=` subset, validated against the serializer's fields (400 on unknown names)."""
    raw = params.get("fields")
    if not raw:
        return None
    wanted = [name.strip() for name in raw.split(",") if name.strip()]
    unknown = sorted(set(wanted) - set(serializer_class.selectable_fields()))
    if unknown:
        raise ValidationFailed({"fields": [f"Unknown field(s): {', '.join(unknown)}."]})
    return wanted


class MoviePageMixin:
    """Shared plumbing of movie lists: params, the reader's audience, the paginated envelope."""

    serializer_class = MovieListSerializer
    params_class = AudienceParams

    def get_queryset(self):
        return Movie.objects.none()  # lists are built by services; this documents the item type

    def read_params(self, request) -> tuple[dict, int, int, Audience]:
        params = validate_params(self.params_class, request)
        page, page_size = parse_page_params(request)
        audience = Audience.for_user(
            request.user, language=params.get("language", ""), region=params.get("region", "")
        )
        return params, page, page_size, audience

    def respond(self, request, result: MoviePage, params: dict, audience: Audience) -> APIResponse:
        fields = selected_fields(params, self.serializer_class)
        data = self.serializer_class(
            result.movies, many=True, fields=fields, context={"request": request}
        ).data
        meta = {
            "source": result.source,
            "language": audience.effective_language,
            **result.notes,
            "pagination": pagination_meta(
                request,
                page=result.page,
                page_size=result.page_size,
                total_results=result.total_results,
                total_pages=result.total_pages,
            ),
        }
        return APIResponse(data, meta=meta)


class MovieListView(MoviePageMixin, ListAPIView):
    params_class = LocalListParams

    @extend_schema(
        tags=["movies"],
        operation_id="movies_list",
        summary="Browse the local catalog (filters, ordering, full-text q)",
        parameters=[LocalListParams],
    )
    def get(self, request, *args, **kwargs):
        params, page, page_size, audience = self.read_params(request)
        result = MovieService().browse_catalog(
            filters=params, page=page, page_size=page_size, audience=audience
        )
        return self.respond(request, result, params, audience)


def _tmdb_list_view(name: str, summary: str, method: str, params_class=AudienceParams):
    """A view class for one TMDb-backed list (popular, top rated, now playing, upcoming)."""

    class View(MoviePageMixin, ListAPIView):
        @extend_schema(
            tags=["movies"], operation_id=f"movies_{name}", summary=summary, parameters=[params_class]
        )
        def get(self, request, *args, **kwargs):
            params, page, page_size, audience = self.read_params(request)
            result = getattr(MovieService(), method)(page=page, page_size=page_size, audience=audience)
            return self.respond(request, result, params, audience)

    View.params_class = params_class
    View.__name__ = View.__qualname__ = f"{name.title().replace('_', '')}MoviesView"
    return View


PopularMoviesView = _tmdb_list_view("popular", "Popular movies (TMDb, else local)", "get_popular_movies")
TopRatedMoviesView = _tmdb_list_view(
    "top_rated", "Top rated movies (TMDb, else local)", "get_top_rated_movies"
)
NowPlayingMoviesView = _tmdb_list_view(
    "now_playing", "Movies now in cinemas (TMDb, else local)", "get_now_playing_movies"
)
UpcomingMoviesView = _tmdb_list_view("upcoming", "Upcoming movies (TMDb, else local)", "get_upcoming_movies")


class TrendingMoviesView(MoviePageMixin, ListAPIView):
    params_class = TrendingParams

    @extend_schema(
        tags=["movies"],
        operation_id="movies_trending",
        summary="Trending movies today or this week (TMDb, else local popularity)",
        parameters=[TrendingParams],
    )
    def get(self, request, *args, **kwargs):
        params, page, page_size, audience = self.read_params(request)
        result = MovieService().get_trending_movies(
            window=params["window"], page=page, page_size=page_size, audience=audience
        )
        return self.respond(request, result, params, audience)


class SearchMoviesView(MoviePageMixin, ListAPIView):
    params_class = SearchParams

    @extend_schema(
        tags=["movies"],
        operation_id="movies_search",
        summary="Search movies by title (TMDb, else the local full-text search)",
        parameters=[SearchParams],
    )
    def get(self, request, *args, **kwargs):
        params, page, page_size, audience = self.read_params(request)
        result = MovieService().search_movies(
            query=params["q"], year=params.get("year"), page=page, page_size=page_size, audience=audience
        )
        return self.respond(request, result, params, audience)


class DiscoverMoviesView(MoviePageMixin, ListAPIView):
    params_class = DiscoverParams

    @extend_schema(
        tags=["movies"],
        operation_id="movies_discover",
        summary="Discover movies with TMDb's filters (TMDb, else the local catalog)",
        parameters=[DiscoverParams],
    )
    def get(self, request, *args, **kwargs):
        params, page, page_size, audience = self.read_params(request)
        filters = discover_filters(params)
        result = MovieService().discover(filters=filters, page=page, page_size=page_size, audience=audience)
        return self.respond(request, result, params, audience)


class MovieDetailView(GenericAPIView):
    serializer_class = MovieDetailSerializer

    @extend_schema(
        tags=["movies"],
        operation_id="movies_retrieve",
        summary="One movie by TMDb id (fetched from TMDb when unknown)",
        parameters=[TMDB_ID_PARAMETER, AudienceParams],
    )
    def get(self, request, tmdb_id: int):
        params = validate_params(AudienceParams, request)
        audience = Audience.for_user(
            request.user, language=params.get("language", ""), region=params.get("region", "")
        )
        movie = MovieService().get_movie_details(tmdb_id=tmdb_id, audience=audience)
        fields = selected_fields(params, MovieDetailSerializer)
        data = MovieDetailSerializer(movie, fields=fields, context={"request": request}).data
        return APIResponse(data, meta={"language": audience.effective_language})


class MovieSyncView(GenericAPIView):
    serializer_class = MovieDetailSerializer
    permission_classes = [IsStaff]

    @extend_schema(
        tags=["movies"],
        operation_id="movies_sync",
        summary="Staff: resync one movie from TMDb now",
        parameters=[TMDB_ID_PARAMETER],
        request=None,
    )
    def post(self, request, tmdb_id: int):
        movie = MovieService().sync_movie_from_tmdb(tmdb_id=tmdb_id)
        movie = Movie.objects.with_genres().with_user_flags(request.user).get(pk=movie.pk)
        return APIResponse(MovieDetailSerializer(movie, context={"request": request}).data, message="Synced")


def _related_view(relation_type: str, name: str, summary: str):
    class View(MoviePageMixin, ListAPIView):
        @extend_schema(
            tags=["movies"],
            operation_id=f"movies_{name}",
            summary=summary,
            parameters=[TMDB_ID_PARAMETER, AudienceParams],
        )
        def get(self, request, tmdb_id: int):
            params, page, page_size, audience = self.read_params(request)
            result = RecommendationService().get_related_page(
                tmdb_id=tmdb_id,
                relation_type=relation_type,
                page=page,
                page_size=page_size,
                audience=audience,
            )
            return self.respond(request, result, params, audience)

    View.__name__ = View.__qualname__ = f"Movie{name.title()}View"
    return View


MovieRecommendationsView = _related_view(
    RecommendationType.RECOMMENDATION, "recommendations", "Movies TMDb recommends after this one"
)
MovieSimilarView = _related_view(RecommendationType.SIMILAR, "similar", "Movies similar to this one")


class GenreListView(ListAPIView):
    serializer_class = GenreSerializer

    def get_queryset(self):
        return GenreService().list_genres()

    @extend_schema(tags=["genres"], operation_id="genres_list", summary="Every movie genre")
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


class GenreMoviesView(MoviePageMixin, ListAPIView):
    params_class = GenreMoviesParams

    @extend_schema(
        tags=["genres"],
        operation_id="genres_movies",
        summary="Movies of one genre (TMDb discover, else the local catalog)",
        parameters=[GENRE_ID_PARAMETER, GenreMoviesParams],
    )
    def get(self, request, genre_id: int):
        params, page, page_size, audience = self.read_params(request)
        filters = {"with_genres": str(genre_id)}
        if params.get("ordering"):
            filters["sort_by"] = _ordering_to_sort(params["ordering"])
        result = MovieService().discover(filters=filters, page=page, page_size=page_size, audience=audience)
        if not result.total_results:
            GenreService().get_genre(tmdb_id=genre_id)  # an empty page of an unknown genre is a 404
        return self.respond(request, result, params, audience)


def _ordering_to_sort(ordering: str) -> str:
    field = {"release_date": "primary_release_date"}.get(ordering.lstrip("-"), ordering.lstrip("-"))
    return f"{field}.{'desc' if ordering.startswith('-') else 'asc'}"
