"""Routes of the favorites, watchlist and personal recommendations API under /api/v1/."""

from django.urls import path

from . import views

app_name = "favorites"

urlpatterns = [
    path("favorites/", views.FavoriteCollectionApi.as_view(), name="favorite-list"),
    path("favorites/stats/", views.FavoriteStatsApi.as_view(), name="favorite-stats"),
    path("favorites/export/", views.FavoriteExportApi.as_view(), name="favorite-export"),
    path("favorites/export/json/", views.FavoriteExportJsonApi.as_view(), name="favorite-export-json"),
    path("favorites/export/csv/", views.FavoriteExportCsvApi.as_view(), name="favorite-export-csv"),
    path("favorites/<int:id>/", views.FavoriteDetailApi.as_view(), name="favorite-detail"),
    path("watchlist/", views.WatchlistCollectionApi.as_view(), name="watchlist-list"),
    path("watchlist/<int:id>/", views.WatchlistDetailApi.as_view(), name="watchlist-detail"),
    path("recommendations/for-you/", views.ForYouApi.as_view(), name="for-you"),
]
