# ruff: noqa
import time
import pytest
from django.test import Client
from apps.favorites.tests.test_signed_in_reads import reader, LIST
from apps.favorites.models import Favorite
from apps.movies.tests.factories import MovieFactory

pytestmark = [pytest.mark.django_db, pytest.mark.off_contract]


def t(label, fn, n=3000):
    for _ in range(100):
        fn()
    s = time.process_time()
    for _ in range(n):
        fn()
    v = (time.process_time() - s) / n * 1e6
    print(f"{label:30} {v:.1f}us")
    return v


def test_perf(monkeypatch):
    movies = [MovieFactory(tmdb_id=1000 + i, popularity=100 - i) for i in range(20)]
    ann = reader("ann@example.com")
    for m in movies[:5]:
        Favorite.objects.create(user=ann.user, movie=m)
    token = ann._credentials["HTTP_AUTHORIZATION"]
    c = Client()
    c.get(LIST)
    c.get(LIST, HTTP_AUTHORIZATION=token)
    a = t("anon request", lambda: c.get(LIST))
    s = t("signed request", lambda: c.get(LIST, HTTP_AUTHORIZATION=token))
    f = t("signed favorites", lambda: c.get("/api/v1/favorites/?page_size=20", HTTP_AUTHORIZATION=token))
    from core.cache import namespaces

    real = namespaces.versions_and_values
    frozen = real.__wrapped__ if hasattr(real, "__wrapped__") else None
    from core.cache import keys

    uid = ann.user.pk
    import jwt

    result = {}

    def fake(names, extra):
        k = (tuple(names), tuple(extra))
        if k not in result:
            result[k] = real(names, extra)
        return result[k]

    monkeypatch.setattr(namespaces, "versions_and_values", fake)
    s2 = t("signed, no redis", lambda: c.get(LIST, HTTP_AUTHORIZATION=token))
    f2 = t("favorites, no redis", lambda: c.get("/api/v1/favorites/?page_size=20", HTTP_AUTHORIZATION=token))
    print("ratios", a / s, a / s2, a / f, a / f2)
