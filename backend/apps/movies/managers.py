"""Read-side querysets for the catalog (chainable; no HTTP ever)."""

from __future__ import annotations

from datetime import date

from django.apps import apps as django_apps
from django.db import connection, models
from django.db.models import BooleanField, Count, Exists, OuterRef, Q, Subquery, Value

# Trigram similarity above which a title counts as a fuzzy match (pg_trgm's default is 0.3).
TRIGRAM_THRESHOLD = 0.3
SEARCH_CONFIG = "simple"  # titles are multilingual: no stemming, no stop words
MAX_TMDB_ID = 2**31 - 1  # an integer column: a larger id matches nothing (and must not reach SQL)


class MovieQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def get_by_tmdb_id(self, tmdb_id: int):
        return self.active().get(tmdb_id=tmdb_id)

    def popular_movies(self, limit: int | None = None):
        queryset = self.active().order_by("-popularity", "tmdb_id")
        return queryset[:limit] if limit else queryset

    def top_rated(self, min_votes: int = 0):
        return (
            self.active()
            .filter(vote_count__gte=min_votes)
            .order_by("-vote_average", "-vote_count", "tmdb_id")
        )

    def by_genre(self, genre):
        """Movies of a genre (a Genre, its pk is not used: pass the object or its TMDb id)."""
        genre_tmdb_id = getattr(genre, "tmdb_id", genre)
        return self.filter(movie_genres__genre__tmdb_id=genre_tmdb_id)

    def with_all_genres(self, genre_ids):
        """Movies having every one of the genres (TMDb ids): one grouped subquery, whatever the count."""
        links = self.model._meta.get_field("movie_genres").related_model  # MovieGenre, without an import
        wanted = set(genre_ids)
        if not wanted:
            return self
        if max(wanted) > MAX_TMDB_ID:
            return self.none()
        matching = (
            links.objects.filter(genre__tmdb_id__in=wanted)
            .values("movie_id")
            .annotate(matched=Count("genre_id", distinct=True))
            .filter(matched=len(wanted))
            .values("movie_id")
        )
        return self.filter(pk__in=matching)

    def released_between(self, start: date | None = None, end: date | None = None):
        queryset = self
        if start:
            queryset = queryset.filter(release_date__gte=start)
        if end:
            queryset = queryset.filter(release_date__lte=end)
        return queryset

    def for_audience(self, *, include_adult: bool = False):
        return self if include_adult else self.filter(adult=False)

    def with_genres(self):
        """Each movie's genres in TMDb's order (primary first), one prefetch query for the page."""
        genre_model = self.model._meta.get_field("genres").related_model
        # The prefetch's join through movies_movie_genre is sticky, so the ordering reuses it.
        ordered = genre_model.objects.order_by("genre_movies__position", "genre_movies__id")
        return self.prefetch_related(models.Prefetch("genres", queryset=ordered))

    def with_user_flags(self, user):
        """is_favorite / in_watchlist / last_watched_on / last_rating as annotations (one query, none
        per item); false and null for anonymous users."""
        if user is None or not getattr(user, "is_authenticated", False):
            return self.annotate(
                is_favorite=Value(False, output_field=BooleanField()),
                in_watchlist=Value(False, output_field=BooleanField()),
            )
        return self.annotate(**user_flag_expressions(user, OuterRef("pk")))

    def search(self, query: str):
        """Ranked search on title and original title: full-text + trigram on PostgreSQL, icontains elsewhere."""
        query = (query or "").strip()
        if not query:
            return self.none()
        if connection.vendor == "postgresql":
            return self._search_postgres(query)
        return self._search_portable(query)

    def _search_postgres(self, query: str):
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramSimilarity
        from django.db.models.functions import Greatest

        vector = SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector(
            "original_title", weight="B", config=SEARCH_CONFIG
        )
        search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
        return (
            self.annotate(
                search_document=vector,
                search_rank=SearchRank(vector, search_query),
                similarity=Greatest(
                    TrigramSimilarity("title", query), TrigramSimilarity("original_title", query)
                ),
            )
            .filter(
                Q(search_document=search_query)
                | Q(similarity__gte=TRIGRAM_THRESHOLD)
                | Q(title__icontains=query)
            )
            .order_by("-search_rank", "-similarity", "-popularity", "tmdb_id")
        )

    def _search_portable(self, query: str):
        from django.db.models import Case, IntegerField, When

        words = [word for word in query.split() if word][:10]
        condition = Q()
        for word in words:
            condition &= Q(title__icontains=word) | Q(original_title__icontains=word)
        return (
            self.filter(condition)
            .annotate(
                search_rank=Case(
                    When(title__iexact=query, then=Value(3)),
                    When(title__istartswith=query, then=Value(2)),
                    When(title__icontains=query, then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            )
            .order_by("-search_rank", "-popularity", "tmdb_id")
        )


class MovieManager(models.Manager.from_queryset(MovieQuerySet)):
    pass


class GenreQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class GenreManager(models.Manager.from_queryset(GenreQuerySet)):
    pass


def user_flag_expressions(user, movie) -> dict:
    """The reader's flags of the movie `movie` refers to (an OuterRef), as annotation expressions:
    is_favorite, in_watchlist, and the last viewing's date and the latest rating (null if none)."""
    # By app label, not an import: the catalog does not depend on the other apps' modules.
    favorite = django_apps.get_model("favorites", "Favorite")
    watchlist_item = django_apps.get_model("favorites", "WatchlistItem")
    viewing = django_apps.get_model("history", "Viewing")
    viewings = viewing.objects.filter(user=user, movie=movie, is_active=True).order_by("-watched_on", "-id")
    return {
        "is_favorite": Exists(favorite.objects.filter(user=user, movie=movie, is_active=True)),
        "in_watchlist": Exists(watchlist_item.objects.filter(user=user, movie=movie, is_active=True)),
        "last_watched_on": Subquery(viewings.values("watched_on")[:1]),
        "last_rating": Subquery(viewings.filter(rating__isnull=False).values("rating")[:1]),
    }
