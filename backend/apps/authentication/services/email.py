"""EmailService: renders the account emails (plain text + HTML) with links into the frontend."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

TEMPLATE_DIR = "authentication/emails"


class EmailKind:
    VERIFY_EMAIL = "verify_email"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - an email kind, not a secret
    ACCOUNT_EXISTS = "account_exists"
    ALL = (VERIFY_EMAIL, PASSWORD_RESET, ACCOUNT_EXISTS)


def frontend_link(path: str, **params: str) -> str:
    """FRONTEND_URL + path, with query parameters named like the API fields the page posts back."""
    base = settings.FRONTEND_URL.rstrip("/")
    query = f"?{urlencode(params)}" if params else ""
    return f"{base}/{path.lstrip('/')}{query}"


class EmailService:
    def send(self, *, kind: str, user_id: int, token: str = "") -> bool:
        """Sends one account email; False when the user is gone (nothing to send)."""
        if kind not in EmailKind.ALL:
            raise ValueError(f"Unknown email kind {kind!r}")
        user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
        if user is None:
            return False
        context = {"email": user.email, "link": self._link(kind=kind, email=user.email, token=token)}
        context["hours"] = settings.EMAIL_VERIFICATION_TOKEN_HOURS
        context["reset_link"] = frontend_link(settings.FRONTEND_RESET_PASSWORD_PATH, email=user.email)
        message = EmailMultiAlternatives(
            subject=render_to_string(f"{TEMPLATE_DIR}/{kind}_subject.txt", context).strip(),
            body=render_to_string(f"{TEMPLATE_DIR}/{kind}.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[user.email],
        )
        message.attach_alternative(render_to_string(f"{TEMPLATE_DIR}/{kind}.html", context), "text/html")
        message.send()
        return True

    def _link(self, *, kind: str, email: str, token: str) -> str:
        # Parameter names match the fields of the endpoint the page posts to.
        if kind == EmailKind.VERIFY_EMAIL:
            return frontend_link(settings.FRONTEND_VERIFY_EMAIL_PATH, token=token)  # POST auth/verify-email/
        if kind == EmailKind.PASSWORD_RESET:
            # POST auth/password/reset/confirm/ {token, new_password}
            return frontend_link(settings.FRONTEND_RESET_PASSWORD_PATH, token=token)
        return frontend_link(settings.FRONTEND_LOGIN_PATH, email=email)  # POST auth/login/ {email, password}
