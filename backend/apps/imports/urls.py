"""Routes of the imports, review queue and history export under /api/v1/."""

from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("imports/", views.ImportCollectionApi.as_view(), name="import-list"),
    path("imports/<int:id>/", views.ImportDetailApi.as_view(), name="import-detail"),
    path("imports/<int:id>/review/", views.ImportReviewApi.as_view(), name="import-review"),
    path(
        "imports/<int:id>/review/<int:position>/",
        views.ImportReviewDecisionApi.as_view(),
        name="import-review-decide",
    ),
    path("watched/export/", views.HistoryExportApi.as_view(), name="watched-export"),
]
