"""Personal recommendations: stored TMDb relations of the user's favorites and rated viewings, ranked.

No upstream calls. Favorites and high ratings pull towards related films, low ratings push away
from them; watched movies are excluded; every recommendation carries the reason that weighed most.
"""

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, DateTimeField, Exists, OuterRef, Value
from django.db.models.functions import Cast
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
# A viewing's rating pulls (above NEUTRAL_RATING) or pushes (below) with a weight from +1 (10/10)
# to -1 (1/10); unrated viewings only exclude the movie.
NEUTRAL_RATING = 5.5
MAX_SOURCES = 400  # the most recent favorites and rated viewings considered
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


@dataclass(frozen=True)
class Source:
    """A favorite or rated viewing the ranking starts from, with its signed weight."""

    title: str
    rating: int | None
    weight: float


def viewing_weight(rating: int) -> float:
    """+1.0 for a 10/10 down to -1.0 for a 1/10; 5 and 6 are nearly neutral."""
    return (rating - NEUTRAL_RATING) / (10 - NEUTRAL_RATING)


def reason_for(source: Source) -> str:
    if source.rating is not None:
        return f"because you rated {source.title} {source.rating}/10"
    return f"because {source.title} is in your favorites"


def recency_weight(added_at: datetime, now: datetime) -> float:
    age_days = max((now - added_at).total_seconds() / 86400, 0.0)
    return math.pow(0.5, age_days / RECENCY_HALF_LIFE_DAYS)


class RankedMovies:
    """(movie id, reason) pairs in rank order, materialised one page at a time (two queries per page).

    Each movie comes with `recommendation_reason` set.
    """

    def __init__(self, ranked: list):
        self.movie_ids = [movie_id for movie_id, _ in ranked]
        self.reasons = dict(ranked)

    def count(self) -> int:
        return len(self.movie_ids)

    def __len__(self) -> int:
        return len(self.movie_ids)

    def __getitem__(self, window: slice) -> list[Movie]:
        page_ids = self.movie_ids[window]
        movies = Movie.objects.active().with_genres().in_bulk(page_ids)
        page = [movies[movie_id] for movie_id in page_ids if movie_id in movies]
        for movie in page:
            movie.recommendation_reason = self.reasons[movie.pk]
        return page


class RecommendationService:
    def __init__(self, *, user, clock: Callable[[], datetime] = timezone.now):
        self.user = user
        self.clock = clock

    def for_you(self) -> ForYou:
        """Movies related to the user's favorites, best first; popular titles for a new user."""
        include_adult = include_adult_for(self.user)
        ranked = cache.get_or_set(
            caching.for_you_key(self.user.pk, include_adult=include_adult),
            lambda: self.rank_with_reasons(include_adult=include_adult),
            ttl=caching.FOR_YOU_TTL,
            level="query",
        )
        if ranked:
            return ForYou(Strategy.FAVORITES, RankedMovies(ranked))
        return self._fallback(include_adult=include_adult)

    def rank_related(self, *, include_adult: bool) -> list[int]:
        """Movie pks, best first (see rank_with_reasons)."""
        return [movie_id for movie_id, _ in self.rank_with_reasons(include_adult=include_adult)]

    def rank_with_reasons(self, *, include_adult: bool) -> list[list]:
        """[movie pk, reason] pairs scored by the sum over sources of relation score * type * weight.

        A source's weight is its rating and recency weight (favorites) or its signed viewing
        weight times recency (rated viewings); a movie both favorite and rated adds both. Movies
        whose total is not positive (pushed away by low ratings) are dropped. The reason names the
        source that pulled the most.
        """
        sources = self._sources()
        if not sources:
            return []
        relations = self._candidate_relations(list(sources), include_adult=include_adult)
        top_by_source: dict[tuple, float] = defaultdict(float)
        for source_id, _, kind, score, _ in relations:
            top_by_source[source_id, kind] = max(top_by_source[source_id, kind], score)
        scores: dict[int, float] = defaultdict(float)
        best: dict[int, tuple[float, int]] = {}
        popularity: dict[int, float] = {}
        for source_id, target_id, kind, score, target_popularity in relations:
            top = top_by_source[source_id, kind]
            strength = 0.5 + 0.5 * (score / top if top > 0 else 1.0)
            contribution = sources[source_id].weight * TYPE_WEIGHTS.get(kind, 0.5) * strength
            scores[target_id] += contribution
            popularity[target_id] = target_popularity
            if contribution > best.get(target_id, (0.0, 0))[0]:
                best[target_id] = (contribution, source_id)
        kept = [pk for pk in scores if scores[pk] > 0 and pk in best]
        ranked = sorted(kept, key=lambda pk: (-scores[pk], -popularity[pk], pk))[:MAX_CANDIDATES]
        return [[pk, reason_for(sources[best[pk][1]])] for pk in ranked]

    def _sources(self) -> dict[int, Source]:
        """Favorites and rated viewings (the latest rating of each movie), in one query."""
        from apps.history.models import Viewing

        now = self.clock()
        favorites = (
            Favorite.objects.of(self.user)
            .order_by()
            .values_list("movie_id", "movie__title", "user_rating", "added_at", Value(True))
        )
        viewings = (
            Viewing.objects.of(self.user)
            .filter(rating__isnull=False)
            .order_by()
            .values_list(
                "movie_id", "movie__title", "rating", Cast("watched_on", DateTimeField()), Value(False)
            )
        )
        rows = favorites.union(viewings, all=True).order_by("-added_at", "movie_id")[:MAX_SOURCES]
        weights: dict[int, float] = defaultdict(float)
        labels: dict[int, tuple[str, int | None]] = {}
        rated: set[int] = set()
        for movie_id, title, rating, when, is_favorite in rows:
            if is_favorite:
                weights[movie_id] += rating_weight(rating) * recency_weight(when, now)
            elif movie_id not in rated:  # only the latest rating of a movie counts
                rated.add(movie_id)
                weights[movie_id] += viewing_weight(rating) * recency_weight(when, now)
            if movie_id not in labels or labels[movie_id][1] is None:
                labels[movie_id] = (title, rating)
        return {pk: Source(labels[pk][0], labels[pk][1], weight) for pk, weight in weights.items()}

    def _candidate_relations(self, source_ids: list[int], *, include_adult: bool) -> list[tuple]:
        """Stored relations from these movies to active movies not already in a list of the user's
        nor watched by them."""
        relations = (
            MovieRecommendation.objects.filter(
                source_movie_id__in=source_ids, recommended_movie__is_active=True
            )
            .exclude(recommended_movie_id__in=Favorite.objects.of(self.user).movie_ids())
            .exclude(recommended_movie_id__in=WatchlistItem.objects.of(self.user).movie_ids())
            .exclude(recommended_movie_id__in=_watched(self.user))
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
            .exclude(pk__in=_watched(self.user))
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


def _watched(user):
    """The movies the user has an active viewing of (a subquery)."""
    from apps.history.models import Viewing

    return Viewing.objects.of(user).movie_ids()
