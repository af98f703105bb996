"""factory_boy factory for viewings."""

import datetime

import factory

from apps.favorites.tests.factories import UserFactory
from apps.history.models import Viewing
from apps.movies.tests.factories import MovieFactory


class ViewingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Viewing

    user = factory.SubFactory(UserFactory)
    movie = factory.SubFactory(MovieFactory)
    watched_on = factory.Sequence(lambda n: datetime.date(2024, 1, 1) + datetime.timedelta(days=n))
    rating = None
    rewatch = False
    review = ""
