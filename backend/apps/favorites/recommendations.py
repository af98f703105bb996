"""Personal recommendations: stored TMDb relations of the user's favorites, ranked; no upstream calls."""

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from apps.movies.models import Movie, MovieGenre, MovieRecommendation, RecommendationType
from apps.users.models import Profile
from core import cache

from . import caching
from .models import Favorite, WatchlistItem
from .services import include_adult_for

# A favorite added this many days ago counts half as much as one added today.
RECENCY_HALF_LIFE_DAYS = 180
# TMDb's "recommendations" (people who liked X also liked) say more about taste than "similar"
# (same keywords and genres).
TYPE_WEIGHTS = {RecommendationType.RECOMMENDATION: 1.0, RecommendationType.SIMILAR: 0.8}
UNRATED_WEIGHT = 1.0  # an unrated favorite counts as a middling 5/10
MAX_SOURCES = 200  # the most recent favorites considered
MAX_CANDIDATES = 500  # ranked results kept (and cached)
FALLBACK_GENRES_FROM_FAVORITES = 3


class Strategy:
    FAVORITES = "favorites"  # related to the user's favorites
    PREFERRED_GENRES = "preferred_genres"  # popular in the genres chosen in the profile
    FAVORITE_GENRES = "favorite_genres"  # popular in the genres the user's favorites have most
    POPULAR = "popular"  # popular overall


@dataclass(frozen=True)
class ForYou:
    strategy: str
    movies: Sequence  # a QuerySet or a RankedMovies: both paginate with count() and slicing


def rating_weight(user_rating: int | None) -> float:
    """0.6 for a 1/10 up to 1.5 for a 10/10."""
    return UNRATED_WEIGHT if user_rating is None else 0.5 + user_rating / 10


def recency_weight(added_at: datetime, now: datetime) -> float:
    age_days = max((now - added_at).total_seconds() / 86400, 0.0)
    return math.pow(0.5, age_days / RECENCY_HALF_LIFE_DAYS)


class RankedMovies:
    """Movie ids in rank order, materialised one page at a time (two queries per page)."""

    def __init__(self, movie_ids: list[int]):
        self.movie_ids = movie_ids

    def count(self) -> int:
        return len(self.movie_ids)

    def __len__(self) -> int:
        return len(self.movie_ids)

    def __getitem__(self, window: slice) -> list[Movie]:
        page_ids = self.movie_ids[window]
        movies = Movie.objects.active().with_genres().in_bulk(page_ids)
        return [movies[movie_id] for movie_id in page_ids if movie_id in movies]


class RecommendationService:
    def __init__(self, *, user, clock: Callable[[], datetime] = timezone.now):
        self.user = user
        self.clock = clock

    def for_you(self) -> ForYou:
        """Movies related to the user's favorites, best first; popular titles for a new user."""
        include_adult = include_adult_for(self.user)
        ranked = cache.get_or_set(
            caching.for_you_key(self.user.pk, include_adult=include_adult),
            lambda: self.rank_related(include_adult=include_adult),
            ttl=caching.FOR_YOU_TTL,
            level="query",
        )
        if ranked:
            return ForYou(Strategy.FAVORITES, RankedMovies(ranked))
        return self._fallback(include_adult=include_adult)

    def rank_related(self, *, include_adult: bool) -> list[int]:
        """Movie pks scored by the sum over favorites of relation score * type * rating * recency weights."""
        now = self.clock()
        sources = Favorite.objects.of(self.user).order_by("-added_at")
        weights = {
            movie_id: rating_weight(rating) * recency_weight(added_at, now)
            for movie_id, rating, added_at in sources.values_list("movie_id", "user_rating", "added_at")[
                :MAX_SOURCES
            ]
        }
        if not weights:
            return []
        relations = self._candidate_relations(list(weights), include_adult=include_adult)
        top_by_source: dict[tuple, float] = defaultdict(float)
        for source_id, _, kind, score, _ in relations:
            top_by_source[source_id, kind] = max(top_by_source[source_id, kind], score)
        scores: dict[int, float] = defaultdict(float)
        popularity: dict[int, float] = {}
        for source_id, target_id, kind, score, target_popularity in relations:
            top = top_by_source[source_id, kind]
            strength = 0.5 + 0.5 * (score / top if top > 0 else 1.0)
            scores[target_id] += weights[source_id] * TYPE_WEIGHTS.get(kind, 0.5) * strength
            popularity[target_id] = target_popularity
        ranked = sorted(scores, key=lambda pk: (-scores[pk], -popularity[pk], pk))
        return ranked[:MAX_CANDIDATES]

    def _candidate_relations(self, source_ids: list[int], *, include_adult: bool) -> list[tuple]:
        """Stored relations from these movies to active movies not already in a list of the user's."""
        relations = (
            MovieRecommendation.objects.filter(
                source_movie_id__in=source_ids, recommended_movie__is_active=True
            )
            .exclude(recommended_movie_id__in=Favorite.objects.of(self.user).movie_ids())
            .exclude(recommended_movie_id__in=WatchlistItem.objects.of(self.user).movie_ids())
        )
        if not include_adult:
            relations = relations.filter(recommended_movie__adult=False)
        return list(
            relations.values_list(
                "source_movie_id",
                "recommended_movie_id",
                "recommendation_type",
                "score",
                "recommended_movie__popularity",
            )
        )

    def _fallback(self, *, include_adult: bool) -> ForYou:
        genre_ids = list(
            Profile.favorite_genres.through.objects.filter(profile__user=self.user).values_list(
                "genre_id", flat=True
            )
        )
        strategy = Strategy.PREFERRED_GENRES if genre_ids else Strategy.POPULAR
        if not genre_ids:
            genre_ids = self._genres_of_favorites()
            strategy = Strategy.FAVORITE_GENRES if genre_ids else strategy
        movies = (
            Movie.objects.popular_movies()
            .exclude(pk__in=Favorite.objects.of(self.user).movie_ids())
            .exclude(pk__in=WatchlistItem.objects.of(self.user).movie_ids())
            .with_genres()
        )
        if not include_adult:
            movies = movies.filter(adult=False)
        if genre_ids:
            movies = movies.filter(
                Exists(MovieGenre.objects.filter(movie=OuterRef("pk"), genre_id__in=genre_ids))
            )
        return ForYou(strategy, movies)

    def _genres_of_favorites(self) -> list[int]:
        rows = (
            MovieGenre.objects.filter(movie_id__in=Favorite.objects.of(self.user).movie_ids())
            .values("genre_id")
            .annotate(n=Count("id"))
            .order_by("-n", "genre_id")[:FALLBACK_GENRES_FROM_FAVORITES]
        )
        return [row["genre_id"] for row in rows]
