"""Routes of the watched-history API under /api/v1/."""

from django.urls import path

from . import views

app_name = "history"

urlpatterns = [
    path("watched/", views.ViewingCollectionApi.as_view(), name="watched-list"),
    path("watched/stats/", views.HistoryStatsApi.as_view(), name="watched-stats"),
    path("watched/<int:id>/", views.ViewingDetailApi.as_view(), name="watched-detail"),
]
