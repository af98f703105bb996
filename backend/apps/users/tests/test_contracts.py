"""Contracts other apps rely on: IsEmailVerified with our tokens, and the documented auth endpoints."""

import pytest
import yaml
from django.core.management import call_command
from rest_framework.permissions import IsAuthenticated
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from apps.authentication.tests.factories import UserFactory
from apps.authentication.tests.fixtures import login
from core.permissions import IsEmailVerified
from core.responses import APIResponse

pytestmark = pytest.mark.django_db


class WriteView(APIView):
    permission_classes = [IsAuthenticated, IsEmailVerified]

    def post(self, request):
        return APIResponse({"ok": True})


@pytest.mark.parametrize(
    ("verified", "status", "code"), [(True, 200, None), (False, 403, "email_not_verified")]
)
def test_unverified_users_cannot_write_personal_collections(api_client, verified, status, code):
    # given
    user = UserFactory(email_verified=verified)
    access = login(api_client, user.email)["access"]
    request = APIRequestFactory().post("/x/", {}, format="json", HTTP_AUTHORIZATION=f"Bearer {access}")
    # when
    response = WriteView.as_view()(request)
    # then
    assert response.status_code == status
    if code:
        assert response.data["errors"]["code"] == code


@pytest.fixture(scope="module")
def schema(tmp_path_factory, django_db_blocker) -> dict:
    out = tmp_path_factory.mktemp("schema") / "schema.yml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    return yaml.safe_load(out.read_text())


@pytest.mark.parametrize(
    ("path", "method", "operation_id", "secured"),
    [
        ("/api/v1/auth/register/", "post", "auth_register", False),
        ("/api/v1/auth/verify-email/", "post", "auth_verify_email", False),
        ("/api/v1/auth/verify-email/resend/", "post", "auth_verify_email_resend", False),
        ("/api/v1/auth/login/", "post", "auth_login", False),
        ("/api/v1/auth/token/refresh/", "post", "auth_token_refresh", False),
        ("/api/v1/auth/logout/", "post", "auth_logout", True),
        ("/api/v1/auth/logout-all/", "post", "auth_logout_all", True),
        ("/api/v1/auth/sessions/", "get", "auth_sessions_list", True),
        ("/api/v1/auth/sessions/{id}/", "delete", "auth_sessions_revoke", True),
        ("/api/v1/auth/password/change/", "post", "auth_password_change", True),
        ("/api/v1/auth/password/reset/", "post", "auth_password_reset", False),
        ("/api/v1/auth/password/reset/confirm/", "post", "auth_password_reset_confirm", False),
        ("/api/v1/users/me/", "get", "users_me_retrieve", True),
        ("/api/v1/users/me/", "patch", "users_me_update", True),
        ("/api/v1/users/me/", "delete", "users_me_delete", True),
        ("/api/v1/users/me/preferences/", "get", "users_me_preferences_retrieve", True),
        ("/api/v1/users/me/preferences/", "patch", "users_me_preferences_update", True),
    ],
)
def test_every_account_endpoint_is_documented(schema, path, method, operation_id, secured):
    operation = schema["paths"][path][method]
    assert operation["operationId"] == operation_id
    assert ({"jwtAuth": []} in operation.get("security", [])) is secured
    assert "401" in operation["responses"] and "429" in operation["responses"]


def test_account_deletion_documents_its_password_body(schema):
    body = schema["paths"]["/api/v1/users/me/"]["delete"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "password" in schema["components"]["schemas"][ref]["required"]
