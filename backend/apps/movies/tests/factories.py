"""factory_boy factories for catalog models."""

import factory
from django.utils.text import slugify

from apps.movies.models import Genre, Movie, MovieGenre


class GenreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Genre
        django_get_or_create = ("tmdb_id",)

    tmdb_id = factory.Sequence(lambda n: 90000 + n)
    name = factory.Sequence(lambda n: f"Genre {n}")
    slug = factory.LazyAttribute(lambda genre: slugify(genre.name))


class MovieFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Movie
        skip_postgeneration_save = True

    tmdb_id = factory.Sequence(lambda n: 1_000_000 + n)
    title = factory.Sequence(lambda n: f"Movie {n}")
    original_title = factory.LazyAttribute(lambda movie: movie.title)
    original_language = "en"
    popularity = factory.Sequence(lambda n: float(n % 500))
    vote_average = 7.0
    vote_count = 1000
    release_date = factory.Faker("date_between", start_date="-40y", end_date="-1y")
    runtime = 120
    status = "Released"

    @factory.post_generation
    def genres(self, create, extracted, **kwargs):
        if create and extracted:
            for position, genre in enumerate(extracted):
                MovieGenre.objects.create(movie=self, genre=genre, is_primary=position == 0)
