"""Two refreshes of one token at the same moment, on real PostgreSQL: at most one wins."""

import threading

import pytest
from django.db import connection

from apps.authentication.exceptions import TokenNotValid
from apps.authentication.models import UserSession
from apps.authentication.services import TokenService

from .factories import UserFactory


def _race(raw_refresh: str, workers: int) -> list:
    barrier = threading.Barrier(workers)
    outcomes: list = []

    def attempt():
        try:
            barrier.wait(timeout=10)
            outcomes.append(TokenService().rotate(raw_refresh=raw_refresh))
        except TokenNotValid as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("workers", [2, 6])
def test_concurrent_refreshes_of_one_token_let_at_most_one_through(workers):
    # given
    assert connection.vendor == "postgresql"
    user = UserFactory()
    pair = TokenService().issue_for_new_session(user=user, ip_address=None, user_agent="", device="")
    # when
    outcomes = _race(pair.refresh, workers)
    # then
    assert len(outcomes) == workers
    winners = [outcome for outcome in outcomes if not isinstance(outcome, Exception)]
    assert len(winners) <= 1
    session = UserSession.objects.get(id=pair.session.id)
    assert session.refresh_jti != TokenService().decode_refresh(pair.refresh)["jti"]
    # the losers presented an already-rotated token: that is reuse, and the family is ended
    assert session.revoked_reason == UserSession.RevokeReason.REUSE_DETECTED


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_parallel_password_guesses_cannot_exceed_the_lockout_threshold(settings):
    # given
    from apps.authentication.exceptions import AccountLocked, InvalidCredentials
    from apps.authentication.services import AuthService

    user = UserFactory(email="target@example.com")
    barrier = threading.Barrier(12)
    outcomes: list[str] = []

    def guess(n: int):
        try:
            barrier.wait(timeout=10)
            AuthService().login(
                email=user.email, password=f"guess {n}", ip_address=None, user_agent="", device=""
            )
        except InvalidCredentials:
            outcomes.append("checked")
        except AccountLocked:
            outcomes.append("locked")
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=guess, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then: only THRESHOLD passwords were ever compared, whatever the interleaving
    assert len(outcomes) == 12
    assert outcomes.count("checked") == settings.LOGIN_LOCKOUT_THRESHOLD
    assert outcomes.count("locked") == 12 - settings.LOGIN_LOCKOUT_THRESHOLD
