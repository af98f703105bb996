"""ApiKey: a consumer's key to the TMDb-compatible API (stored hashed, revocable, rate-limited)."""

from django.conf import settings
from django.db import models

from .managers import ApiKeyManager


class ApiKey(models.Model):
    name = models.CharField(max_length=100, unique=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tmdb_api_keys",
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False, help_text="The key's first characters.")
    is_active = models.BooleanField(default=True, db_index=True)
    rate_limit = models.PositiveIntegerField(
        default=0, help_text="Requests per minute; 0 = TMDB_COMPAT_DEFAULT_RATE."
    )
    request_count = models.PositiveBigIntegerField(default=0, editable=False)
    throttled_count = models.PositiveBigIntegerField(default=0, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiKeyManager()

    class Meta:
        db_table = "tmdbcompat_api_key"
        ordering = ["name"]
        verbose_name = "TMDb API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def effective_rate(self) -> int:
        return self.rate_limit or settings.TMDB_COMPAT_DEFAULT_RATE
