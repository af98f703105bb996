"""The HTTP transport for TMDb: pooled session, timeouts, bounded retries with backoff, typed errors."""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter

from .errors import TMDbError, TMDbNotConfigured, TMDbRateLimited, TMDbUnavailable, error_from_response
from .ratelimit import RateLimiter

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_REDIRECTS = 3
USER_AGENT = "movie-nexus/1.0 (+https://github.com/movie-nexus)"

_local = threading.local()
_session_lock = threading.Lock()
_sessions: dict[int, requests.Session] = {}


@dataclass(frozen=True)
class TransportPolicy:
    """Timeouts and the retry budget of one logical call (retries included)."""

    connect_timeout: float
    read_timeout: float
    max_retries: int
    backoff_base: float
    backoff_max: float
    time_budget: float

    @classmethod
    def from_settings(cls) -> TransportPolicy:
        return cls(
            connect_timeout=settings.TMDB_CONNECT_TIMEOUT,
            read_timeout=settings.TMDB_READ_TIMEOUT,
            max_retries=settings.TMDB_MAX_RETRIES,
            backoff_base=settings.TMDB_BACKOFF_BASE,
            backoff_max=settings.TMDB_BACKOFF_MAX,
            time_budget=settings.TMDB_TIME_BUDGET,
        )


def get_session() -> requests.Session:
    """One pooled session per process (keep-alive connections to TMDb are reused)."""
    import os

    pid = os.getpid()
    session = _sessions.get(pid)
    if session is None:
        with _session_lock:
            session = _sessions.get(pid)
            if session is None:
                session = requests.Session()
                adapter = HTTPAdapter(pool_connections=4, pool_maxsize=settings.TMDB_POOL_SIZE, max_retries=0)
                session.mount("http://", adapter)
                session.mount("https://", adapter)
                session.headers.update({"Accept": "application/json", "User-Agent": USER_AGENT})
                _sessions.clear()
                _sessions[pid] = session
    return session


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class BaseClient:
    """GET JSON from TMDb with auth, a shared rate limit and bounded, jittered retries."""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        access_token: str | None = None,
        policy: TransportPolicy | None = None,
        rate_limiter: RateLimiter | None = None,
        session: requests.Session | None = None,
    ):
        self._base_url = base_url
        self._api_key = api_key
        self._access_token = access_token
        self._policy = policy
        self._rate_limiter = rate_limiter
        self._session = session
        self.stats = {"calls": 0, "attempts": 0, "errors": 0, "rate_limited": 0}

    # Configuration is read at call time so settings overrides (tests, the double) apply.
    @property
    def base_url(self) -> str:
        return (self._base_url or settings.TMDB_BASE_URL).rstrip("/") + "/"

    @property
    def api_key(self) -> str:
        return self._api_key if self._api_key is not None else settings.TMDB_API_KEY

    @property
    def access_token(self) -> str:
        return self._access_token if self._access_token is not None else settings.TMDB_READ_ACCESS_TOKEN

    @property
    def configured(self) -> bool:
        return bool(self.api_key or self.access_token)

    @property
    def policy(self) -> TransportPolicy:
        return self._policy or TransportPolicy.from_settings()

    @property
    def rate_limiter(self) -> RateLimiter:
        if self._rate_limiter is None:
            self._rate_limiter = shared_rate_limiter()
        return self._rate_limiter

    def get(self, path: str, params: dict | None = None) -> dict:
        """The decoded JSON body of GET `path`; raises a TMDbError subclass on failure."""
        if not self.configured:
            raise TMDbNotConfigured(path=path)
        self.stats["calls"] += 1
        policy = self.policy
        deadline = time.monotonic() + policy.time_budget
        query = {key: value for key, value in (params or {}).items() if value is not None and value != ""}
        if self.api_key and not self.access_token:
            query["api_key"] = self.api_key
        attempt = 0
        while True:
            try:
                return self._attempt(path, query, policy, deadline)
            except TMDbUnavailable as exc:
                attempt += 1
                delay = self._retry_delay(exc, attempt, policy, deadline)
                if delay is None:
                    self.stats["errors"] += 1
                    raise
                logger.info("TMDb %s failed (%s); retry %d in %.2fs", path, exc, attempt, delay)
                time.sleep(delay)
            except TMDbError:
                self.stats["errors"] += 1
                raise

    def _retry_delay(
        self, exc: TMDbUnavailable, attempt: int, policy: TransportPolicy, deadline: float
    ) -> float | None:
        """Seconds to wait before the next attempt, or None to give up (count or time exhausted)."""
        if isinstance(exc, TMDbRateLimited):
            self.stats["rate_limited"] += 1
        if attempt > policy.max_retries or getattr(exc, "final", False):
            return None
        backoff = min(policy.backoff_max, policy.backoff_base * (2 ** (attempt - 1)))
        delay = random.uniform(backoff / 2, backoff)  # noqa: S311 - jitter, not cryptography
        if exc.retry_after is not None:
            delay = max(delay, exc.retry_after)
        if time.monotonic() + delay >= deadline:
            return None
        return delay

    def _attempt(self, path: str, query: dict, policy: TransportPolicy, deadline: float) -> dict:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not self.rate_limiter.acquire(deadline=deadline):
            error = TMDbRateLimited(
                "Client-side TMDb rate limit: no token within the time budget.", path=path
            )
            error.final = True
            raise error
        self.stats["attempts"] += 1
        remaining = max(0.05, deadline - time.monotonic())
        timeout = (min(policy.connect_timeout, remaining), min(policy.read_timeout, remaining))
        response = self._send(path, query, timeout)
        return self._decode(response, path)

    def _send(self, path: str, query: dict, timeout: tuple[float, float]) -> requests.Response:
        url = urljoin(self.base_url, path.lstrip("/"))
        headers = {"Authorization": f"Bearer {self.access_token}"} if self.access_token else {}
        session = self._session or get_session()
        origin = urlsplit(self.base_url).netloc
        try:
            for _ in range(MAX_REDIRECTS + 1):
                response = session.get(
                    url, params=query, headers=headers, timeout=timeout, allow_redirects=False
                )
                if not response.is_redirect:
                    return response
                url = self._redirect_target(response, url, origin, path)
                # Same host: keep the credentials; the Location's own query replaces ours.
                query = (
                    query if not urlsplit(url).query else {k: v for k, v in query.items() if k == "api_key"}
                )
        except requests.Timeout as exc:
            raise TMDbUnavailable("TMDb timed out.", path=path) from exc
        except requests.RequestException as exc:
            raise TMDbUnavailable(f"TMDb connection failed: {type(exc).__name__}.", path=path) from exc
        raise TMDbUnavailable("Too many redirects from TMDb.", path=path)

    @staticmethod
    def _redirect_target(response: requests.Response, url: str, origin: str, path: str) -> str:
        target = urljoin(url, response.headers.get("Location", ""))
        if urlsplit(target).netloc != origin:
            # Credentials ride in the query or header: never follow to another host.
            error = TMDbUnavailable("TMDb redirected to another host; not followed.", path=path)
            error.final = True
            raise error
        return target

    @staticmethod
    def _decode(response: requests.Response, path: str) -> dict:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400:
            raise error_from_response(response.status_code, body, retry_after=retry_after, path=path)
        if not isinstance(body, dict):
            raise TMDbUnavailable(
                "TMDb answered with malformed JSON.", http_status=response.status_code, path=path
            )
        return body


_limiter_lock = threading.Lock()
_shared_limiter: RateLimiter | None = None


def shared_rate_limiter() -> RateLimiter:
    global _shared_limiter
    with _limiter_lock:
        if _shared_limiter is None or _shared_limiter.rate != float(settings.TMDB_RATE_LIMIT):
            _shared_limiter = RateLimiter()
        return _shared_limiter
