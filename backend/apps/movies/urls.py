"""Routes of the movies and genres API under /api/v1/ (movies addressed by TMDb id)."""

from django.urls import path

from . import views

app_name = "movies"

urlpatterns = [
    path("movies/", views.MovieListView.as_view(), name="movie-list"),
    path("movies/popular/", views.PopularMoviesView.as_view(), name="movie-popular"),
    path("movies/top-rated/", views.TopRatedMoviesView.as_view(), name="movie-top-rated"),
    path("movies/trending/", views.TrendingMoviesView.as_view(), name="movie-trending"),
    path("movies/now-playing/", views.NowPlayingMoviesView.as_view(), name="movie-now-playing"),
    path("movies/upcoming/", views.UpcomingMoviesView.as_view(), name="movie-upcoming"),
    path("movies/search/", views.SearchMoviesView.as_view(), name="movie-search"),
    path("movies/discover/", views.DiscoverMoviesView.as_view(), name="movie-discover"),
    path("movies/<int:tmdb_id>/", views.MovieDetailView.as_view(), name="movie-detail"),
    path(
        "movies/<int:tmdb_id>/recommendations/",
        views.MovieRecommendationsView.as_view(),
        name="movie-recommendations",
    ),
    path("movies/<int:tmdb_id>/similar/", views.MovieSimilarView.as_view(), name="movie-similar"),
    path("movies/<int:tmdb_id>/sync/", views.MovieSyncView.as_view(), name="movie-sync"),
    path("genres/", views.GenreListView.as_view(), name="genre-list"),
    path("genres/<int:genre_id>/movies/", views.GenreMoviesView.as_view(), name="genre-movies"),
]
