"""Movie and genre API views: thin — validate, call one service method, serialize."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView, ListAPIView

from core.cache.http import cache_catalog_response
from core.exceptions import ValidationFailed
from core.pagination import pagination_meta, parse_page_params
from core.permissions import IsStaff
from core.responses import APIResponse

from .models import Movie, RecommendationType
from .params import (
    AudienceParams,
    DetailParams,
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
        audience = Audience.for_request(
            request, language=params.get("language", ""), region=params.get("region", "")
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
        response = APIResponse(data, meta=meta)
        if result.degraded:
            response.cache_ttl = settings.CACHE_TTL_DEGRADED  # read by the view cache
        return response


def movie_list_view(
    class_name: str,
    operation_id: str,
    summary: str,
    fetch: Callable[..., MoviePage],
    *,
    params_class=AudienceParams,
    path_parameters: tuple = (),
    tag: str = "movies",
) -> type:
    """A cached, paginated movie list: validate the query, `fetch(params, path_kwargs, page=,
    page_size=, audience=)` one page from a service, answer in the envelope."""

    @cache_catalog_response("list")
    class View(MoviePageMixin, ListAPIView):
        @extend_schema(
            tags=[tag],
            operation_id=operation_id,
            summary=summary,
            parameters=[*path_parameters, params_class],
        )
        def get(self, request, *args, **kwargs):
            params, page, page_size, audience = self.read_params(request)
            result = fetch(params, kwargs, page=page, page_size=page_size, audience=audience)
            return self.respond(request, result, params, audience)

    View.params_class = params_class
    View.__name__ = View.__qualname__ = class_name
    return View


def _tmdb_list(method: str) -> Callable[..., MoviePage]:
    return lambda params, kwargs, **page: getattr(MovieService(), method)(**page)


MovieListView = movie_list_view(
    "MovieListView",
    "movies_list",
    "Browse the local catalog (filters, ordering, full-text q)",
    lambda params, kwargs, **page: MovieService().browse_catalog(filters=params, **page),
    params_class=LocalListParams,
)
PopularMoviesView = movie_list_view(
    "PopularMoviesView",
    "movies_popular",
    "Popular movies (TMDb, else local)",
    _tmdb_list("get_popular_movies"),
)
TopRatedMoviesView = movie_list_view(
    "TopRatedMoviesView",
    "movies_top_rated",
    "Top rated movies (TMDb, else local)",
    _tmdb_list("get_top_rated_movies"),
)
NowPlayingMoviesView = movie_list_view(
    "NowPlayingMoviesView",
    "movies_now_playing",
    "Movies now in cinemas (TMDb, else local)",
    _tmdb_list("get_now_playing_movies"),
)
UpcomingMoviesView = movie_list_view(
    "UpcomingMoviesView",
    "movies_upcoming",
    "Upcoming movies (TMDb, else local)",
    _tmdb_list("get_upcoming_movies"),
)
TrendingMoviesView = movie_list_view(
    "TrendingMoviesView",
    "movies_trending",
    "Trending movies today or this week (TMDb, else local popularity)",
    lambda params, kwargs, **page: MovieService().get_trending_movies(window=params["window"], **page),
    params_class=TrendingParams,
)
SearchMoviesView = movie_list_view(
    "SearchMoviesView",
    "movies_search",
    "Search movies by title (TMDb, else the local full-text search)",
    lambda params, kwargs, **page: MovieService().search_movies(
        query=params["q"], year=params.get("year"), **page
    ),
    params_class=SearchParams,
)


def _discover(params: dict, kwargs: dict, *, audience: Audience, **page) -> MoviePage:
    audience = _discover_audience(params.get("include_adult"), audience)
    return MovieService().discover(filters=discover_filters(params), audience=audience, **page)


def _discover_audience(include_adult: bool | None, audience: Audience) -> Audience:
    """`include_adult=false` hides adult titles; `true` is for a reader whose preferences allow them."""
    if include_adult is None or include_adult == audience.include_adult:
        return audience
    if include_adult:
        raise ValidationFailed(
            {"include_adult": ["Adult titles need a signed-in user whose preferences include them."]}
        )
    return replace(audience, include_adult=False)


DiscoverMoviesView = movie_list_view(
    "DiscoverMoviesView",
    "movies_discover",
    "Discover movies with TMDb's own parameters (TMDb, else the local catalog); unknown ones are a 400",
    _discover,
    params_class=DiscoverParams,
)


@cache_catalog_response("detail")
class MovieDetailView(GenericAPIView):
    serializer_class = MovieDetailSerializer
    params_class = DetailParams  # what the cache key is built from

    @extend_schema(
        tags=["movies"],
        operation_id="movies_retrieve",
        summary="One movie by TMDb id (fetched from TMDb when unknown)",
        parameters=[TMDB_ID_PARAMETER, DetailParams],
    )
    def get(self, request, tmdb_id: int):
        params = validate_params(DetailParams, request)
        audience = Audience.for_request(
            request, language=params.get("language", ""), region=params.get("region", "")
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


def _related_view(relation_type: str, name: str, summary: str) -> type:
    def fetch(params: dict, kwargs: dict, **page) -> MoviePage:
        return RecommendationService().get_related_page(
            tmdb_id=kwargs["tmdb_id"], relation_type=relation_type, **page
        )

    return movie_list_view(
        f"Movie{name.title()}View", f"movies_{name}", summary, fetch, path_parameters=(TMDB_ID_PARAMETER,)
    )


MovieRecommendationsView = _related_view(
    RecommendationType.RECOMMENDATION, "recommendations", "Movies TMDb recommends after this one"
)
MovieSimilarView = _related_view(RecommendationType.SIMILAR, "similar", "Movies similar to this one")


@cache_catalog_response("list")
class GenreListView(ListAPIView):
    serializer_class = GenreSerializer

    def get_queryset(self):
        return GenreService().list_genres()

    @extend_schema(tags=["genres"], operation_id="genres_list", summary="Every movie genre")
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


def _genre_movies(params: dict, kwargs: dict, **page) -> MoviePage:
    genre_id = kwargs["genre_id"]
    filters = {"with_genres": str(genre_id)}
    if params.get("ordering"):
        filters["sort_by"] = _ordering_to_sort(params["ordering"])
    result = MovieService().discover(filters=filters, **page)
    if not result.total_results:
        GenreService().get_genre(tmdb_id=genre_id)  # an empty page of an unknown genre is a 404
    return result


GenreMoviesView = movie_list_view(
    "GenreMoviesView",
    "genres_movies",
    "Movies of one genre (TMDb discover, else the local catalog)",
    _genre_movies,
    params_class=GenreMoviesParams,
    path_parameters=(GENRE_ID_PARAMETER,),
    tag="genres",
)


def _ordering_to_sort(ordering: str) -> str:
    field = {"release_date": "primary_release_date"}.get(ordering.lstrip("-"), ordering.lstrip("-"))
    return f"{field}.{'desc' if ordering.startswith('-') else 'asc'}"
