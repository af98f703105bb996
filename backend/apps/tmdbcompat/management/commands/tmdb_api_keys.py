"""`manage.py tmdb_api_keys create NAME [--rate N] [--owner EMAIL]` prints a new key once; `revoke NAME`."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.tmdbcompat.apikeys import ApiKeyService


class Command(BaseCommand):
    help = "Issue or revoke keys of the TMDb-compatible API (docs/tmdb-compat.md)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Issue a key; it is printed once.")
        create.add_argument("name")
        create.add_argument("--rate", type=int, default=0, help="requests per minute (0: the default)")
        create.add_argument("--owner", default="", help="the owning user's email")
        revoke = actions.add_parser("revoke", help="Revoke a key at once.")
        revoke.add_argument("name")

    def handle(self, *args, action, name, **options):
        if action == "revoke":
            if not ApiKeyService.revoke(name=name):
                raise CommandError(f"No active key named {name!r}.")
            self.stdout.write(f"revoked {name}")
            return
        if options["rate"] < 0:
            raise CommandError("--rate must be 0 or more.")
        owner = self._owner(options["owner"])
        try:
            _, raw = ApiKeyService.create(name=name, owner=owner, rate_limit=options["rate"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(raw)

    @staticmethod
    def _owner(email: str):
        if not email:
            return None
        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No user with email {email!r}.")
        return user
