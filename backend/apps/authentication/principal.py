"""Bearer authentication without SQL on the hot path.

What a request needs of its user — still active, staff or not, email verified, the session epoch,
the reading preferences — is cached per user as a `Principal`, stamped with the user's data
namespace version (`keys.user_data_namespace`). One Redis round trip (MGET) reads that version,
the principal and the token's session state; a principal stamped with an older version is read
again from the database. Every change to what a principal holds bumps the version once the
change commits (`forget`): saving or deleting the user, a profile or preferences change, a
revoked session (logout, logout everywhere, password change), staff (de)activation. So a user
logged out, deactivated or deleted is refused on their very next request, on any process.

The request's user is a real `User` instance holding only the principal's fields; any other
field is loaded from the database, all together, the first time a view reads one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model

from core import cache
from core.cache import keys, namespaces

# The User columns a principal holds; every other column is deferred on the request's user.
PRINCIPAL_FIELDS = ("id", "is_active", "is_staff", "is_superuser", "email_verified", "session_epoch")


@dataclass(frozen=True, slots=True)
class Preferences:
    """The reading preferences of Profile that catalog reads need (Audience reads these names)."""

    language: str = ""
    region: str = ""
    include_adult: bool = False


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: int
    is_active: bool
    is_staff: bool
    is_superuser: bool
    email_verified: bool
    session_epoch: int
    preferences: Preferences

    def as_user(self):
        """A User with the principal's fields loaded and the rest deferred (loaded on first use)."""
        model = get_user_model()
        known = {
            "id": self.user_id,
            "is_active": self.is_active,
            "is_staff": self.is_staff,
            "is_superuser": self.is_superuser,
            "email_verified": self.email_verified,
            "session_epoch": self.session_epoch,
        }
        # Model.from_db takes the values in the model's column order.
        names = [field.attname for field in model._meta.concrete_fields if field.attname in known]
        user = model.from_db("default", names, [known[name] for name in names])
        user.cached_preferences = self.preferences
        return user


@dataclass(frozen=True, slots=True)
class Authenticated:
    """A request's verified bearer token, its user, and the user's data version (None: no cache)."""

    principal: Principal
    token: Any
    version: int | None


def load_principal(user_id: int) -> Principal | None:
    """The principal read from the database (None: no such user). Two queries at most."""
    from apps.users.models import Profile

    row = get_user_model().objects.filter(pk=user_id).values_list(*PRINCIPAL_FIELDS).first()
    if row is None:
        return None
    profile = (
        Profile.objects.filter(user_id=user_id).values_list("language", "region", "include_adult").first()
    )
    return Principal(*row, preferences=Preferences(*profile) if profile else Preferences())


def read(user_id: int, sid: str) -> tuple[Principal | None, Any, int | None]:
    """(principal, the cached state of session `sid` or None, the user's data version) in one
    round trip; the principal from the database when the cache holds none for the current
    account version. The data version (favorites, history) versions their flags and pages."""
    principal_key, session_key = keys.user_principal(user_id), keys.session_state(sid)
    found = namespaces.versions_and_values(
        [keys.user_data_namespace(user_id), keys.user_account_namespace(user_id)],
        [principal_key, session_key],
    )
    if found is None:  # the cache cannot answer: the database decides, nothing is stored
        return load_principal(user_id), None, None
    (data_version, account_version), values = found
    cached = values.get(principal_key)
    if isinstance(cached, tuple) and len(cached) == 2 and cached[0] == account_version:
        principal = cached[1]
    else:
        principal = load_principal(user_id)
        # Stamped with the version read before the database: a change committed meanwhile has
        # bumped it, so this entry is refused by the next request.
        cache.set(principal_key, (account_version, principal), ttl=settings.AUTH_PRINCIPAL_CACHE_SECONDS)
    return principal, values.get(session_key), data_version


def forget(user_id: int) -> None:
    """Everything cached about the user, their principal included, is stale (now, and again once
    the open transaction commits)."""
    cache.invalidate_user(user_id, account=True)


def forget_when_changed(
    model, *, user_id=lambda instance: instance.user_id, new_rows: bool = True, account: bool = True
) -> None:
    """Whatever saves or deletes a `model` row (a service, the admin, a cascade, a shell), the
    owner's cache goes stale once it commits (`new_rows=False`: a new row has nothing cached yet;
    `account=False`: the row is the user's data, their principal stays). The services invalidate explicitly too; this is
    the net under everything else."""
    from django.db.models.signals import post_delete, post_save

    def changed(sender, instance, created: bool = False, **kwargs) -> None:
        if new_rows or not created:
            cache.invalidate_user(user_id(instance), account=account)

    label = model._meta.label_lower
    # weak=False: `changed` lives only in this closure, a weak reference would drop it at once.
    post_save.connect(changed, sender=model, dispatch_uid=f"forget-{label}-saved", weak=False)
    post_delete.connect(changed, sender=model, dispatch_uid=f"forget-{label}-deleted", weak=False)
