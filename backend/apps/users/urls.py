"""Routes of the users API under /api/v1/users/."""

from django.urls import path

from . import views

app_name = "users"

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("me/preferences/", views.PreferencesView.as_view(), name="me-preferences"),
]
