"""TMDb v3 paths, mounted under TMDB_COMPAT_PREFIX (default /tmdb/3/)."""

from django.urls import path, re_path

from . import views

app_name = "tmdbcompat"

urlpatterns = [
    path("configuration", views.configuration, name="configuration"),
    path("genre/movie/list", views.genre_movie_list, name="genres"),
    path("movie/changes", views.changes, name="changes"),
    path("movie/<int:tmdb_id>", views.movie_details, name="movie"),
    path("movie/<int:tmdb_id>/<str:name>", views.movie_part, name="movie-part"),
    path("movie/<str:kind>", views.movie_list, name="movie-list"),
    path("trending/movie/<str:window>", views.trending, name="trending"),
    path("search/movie", views.search, name="search"),
    path("discover/movie", views.discover, name="discover"),
    path("find/<str:external_id>", views.find, name="find"),
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not-found"),
]
