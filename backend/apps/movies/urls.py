"""Routes of the movies API under /api/v1/."""

from django.urls import path

from . import views

app_name = "movies"

urlpatterns = [
    path("movies/", views.MovieListView.as_view(), name="movie-list"),
    path("movies/<int:tmdb_id>/", views.MovieDetailView.as_view(), name="movie-detail"),
]
