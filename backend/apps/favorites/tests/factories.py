"""factory_boy factories for users (as this app needs them), favorites and watchlist entries."""

import factory
from django.contrib.auth import get_user_model

from apps.favorites.models import Favorite, WatchlistItem
from apps.movies.tests.factories import MovieFactory


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"fan{n}@example.com")
    email_verified = True
    password = factory.django.Password("correct horse battery staple")


class FavoriteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Favorite

    user = factory.SubFactory(UserFactory)
    movie = factory.SubFactory(MovieFactory)
    user_rating = 7
    notes = ""


class WatchlistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WatchlistItem

    user = factory.SubFactory(UserFactory)
    movie = factory.SubFactory(MovieFactory)
    notes = ""


def bulk_movies(count: int, *, genres=()) -> list:
    """Many movies (with genres) in three INSERTs, for tests that only need volume."""
    from apps.movies.models import Movie, MovieGenre

    movies = Movie.objects.bulk_create(MovieFactory.build_batch(count))
    MovieGenre.objects.bulk_create(
        [MovieGenre(movie=movie, genre=genre) for movie in movies for genre in genres]
    )
    return movies


def bulk_entries(model, *, user, count: int, genres=()) -> list:
    return model.objects.bulk_create(
        [model(user=user, movie=movie) for movie in bulk_movies(count, genres=genres)]
    )
