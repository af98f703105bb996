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

Each process also keeps what a request read and verified (principal, data version, live sessions)
in its own memory, and trusts it while it hears the "users" broadcast (core.cache.broadcast):
every invalidation of a user is announced, and the writer's process waits, once the change has
committed, until every listening process has dropped its copy. So a warm signed-in request
usually makes no Redis round trip at all, and a change is still seen on the very next request
on any process. Without Redis, or while the broadcast is not heard, every request reads Redis.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model

from core import cache
from core.cache import USER_CHANGE_HOOKS, keys, namespaces
from core.cache.broadcast import Broadcast, Listener

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


@dataclass
class Read:
    """What `read` found: the principal, the session's cached state, the data version, and when
    it was read (None: from this process's copy, already verified)."""

    principal: Principal | None
    session_state: Any
    version: int | None
    ticket: tuple[float, int] | None = None  # (monotonic time, copies' generation) before reading


def read(user_id: int, sid: str) -> Read:
    """This process's verified copy when it may be trusted; else (principal, the cached state of
    session `sid`, the user's data version) in one round trip, the principal from the database
    when the cache holds none for the current account version. The data version (favorites,
    history) versions the user's flags and pages."""
    kept = copies.get(user_id, sid)
    if kept is not None:
        principal, version = kept
        return Read(principal, (user_id, principal.session_epoch), version)
    ticket = (time.monotonic(), copies.generation)
    principal_key, session_key = keys.user_principal(user_id), keys.session_state(sid)
    found = namespaces.versions_and_values(
        [keys.user_data_namespace(user_id), keys.user_account_namespace(user_id)],
        [principal_key, session_key],
    )
    if found is None:  # the cache cannot answer: the database decides, nothing is stored
        return Read(load_principal(user_id), None, None)
    (data_version, account_version), values = found
    cached = values.get(principal_key)
    if isinstance(cached, tuple) and len(cached) == 2 and cached[0] == account_version:
        principal = cached[1]
    else:
        principal = load_principal(user_id)
        # Stamped with the version read before the database: a change committed meanwhile has
        # bumped it, so this entry is refused by the next request.
        cache.set(principal_key, (account_version, principal), ttl=settings.AUTH_PRINCIPAL_CACHE_SECONDS)
    return Read(principal, values.get(session_key), data_version, ticket)


def verified(user_id: int, sid: str, found: Read) -> None:
    """The request's token, user and session were accepted: this process may keep the read."""
    if found.ticket is not None and found.version is not None and found.principal is not None:
        copies.keep(user_id, sid, found.principal, found.version, found.ticket)


@dataclass
class _Copy:
    checked: float
    principal: Principal
    version: int
    sessions: set[str] = field(default_factory=set)


class Copies:
    """This process's verified reads, per user; trusted while the "users" broadcast is heard and
    for AUTH_LOCAL_SECONDS at most. Thread-safe (threaded workers share it)."""

    MAX_USERS = 50_000

    def __init__(self):
        self.entries: dict[int, _Copy] = {}
        self.lock = threading.Lock()
        self.generation = 0  # moves on with every change heard: a read from before is not kept
        self.listener = Listener(users, on_message=lambda payload: self.drop(int(payload)))

    def get(self, user_id: int, sid: str) -> tuple[Principal, int] | None:
        copy = self.entries.get(user_id)
        if copy is None or sid not in copy.sessions:
            return None
        since = self.listener.trusted_since()
        if (
            since is None
            or copy.checked < since
            or time.monotonic() - copy.checked > settings.AUTH_LOCAL_SECONDS
        ):
            return None
        return copy.principal, copy.version

    def keep(
        self, user_id: int, sid: str, principal: Principal, version: int, ticket: tuple[float, int]
    ) -> None:
        checked, generation = ticket
        since = self.listener.trusted_since()
        if since is None or checked < since:
            return
        with self.lock:
            if generation != self.generation:
                return  # a change was heard while this was read: it may predate it
            if len(self.entries) >= self.MAX_USERS:
                self.entries.clear()
            copy = self.entries.get(user_id)
            if copy is None or copy.version != version or copy.principal != principal:
                copy = self.entries[user_id] = _Copy(checked, principal, version)
            copy.checked = max(copy.checked, checked)  # verified again now: trusted for longer
            copy.sessions.add(sid)

    def drop(self, user_id: int) -> None:
        with self.lock:
            self.generation += 1
            self.entries.pop(user_id, None)

    def clear(self) -> None:
        with self.lock:
            self.generation += 1
            self.entries.clear()


users = Broadcast("users")  # a user id, announced whenever anything cached about them changes
copies = Copies()


def _user_changed(user_id: int, *, committed: bool) -> None:
    """This process drops its copy at once; the others are told (and, once the change has
    committed, waited for)."""
    copies.drop(user_id)
    users.announce(str(user_id), wait=committed)


USER_CHANGE_HOOKS.append(_user_changed)


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
