"""Root URL configuration: /api/v1/, the OpenAPI schema and docs, health probes, admin."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from core.health import LivenessView, ReadinessView
from core.metrics import metrics_view

api_v1 = [
    path("", include("apps.movies.urls")),
    path("auth/", include("apps.authentication.urls")),
    path("users/", include("apps.users.urls")),
    path("", include("apps.favorites.urls")),
    path("", include("apps.history.urls")),
    path("", include("apps.imports.urls")),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    re_path(r"^health/live/?$", LivenessView.as_view(), name="health-live"),
    re_path(r"^health/ready/?$", ReadinessView.as_view(), name="health-ready"),
    path("metrics", metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    # TMDb's v3 dialect, served from the mirror (plain Django views: not in the OpenAPI schema).
    path(settings.TMDB_COMPAT_PREFIX, include("apps.tmdbcompat.urls")),
]

if settings.BENCH_ENDPOINTS:
    from core.benchmark import baseline_view

    urlpatterns.append(path("bench/baseline", baseline_view, name="bench-baseline"))

# Errors raised outside any view (e.g. a foreign Host header) still answer in the envelope under /api/.
handler400 = "core.middleware.bad_request"
