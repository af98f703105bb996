"""ModelAdmin mixins shared by every app's admin: constant-query, cheap-count changelists."""

import logging

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from .paginators import CappedCountPaginator

logger = logging.getLogger(__name__)


class LeanChangeList(ChangeList):
    """Leaves the model admin's `changelist_defer` columns (big text/JSON) out of the page query."""

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        deferred = getattr(self.model_admin, "changelist_defer", ())
        return queryset.defer(*deferred) if deferred else queryset


class FastChangelistMixin:
    """No full COUNT(*) (show_full_result_count off, capped paginator, no filter facet counts —
    one COUNT per filter choice); 50 rows a page."""

    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    list_max_show_all = 200
    changelist_defer: tuple[str, ...] = ()

    def get_changelist(self, request, **kwargs):
        return LeanChangeList


def chunked(values: list, size: int = 500):
    """Consecutive slices of at most `size` items (bounded IN lists on every database)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


class SoftDeleteActionsMixin:
    """Bulk "Mark inactive" / "Restore" actions for models with BaseModelMixin's `is_active`."""

    actions = ["mark_inactive", "restore"]
    # The field that identifies changed rows to `after_active_change` (unique).
    soft_delete_key_field = "pk"

    def after_active_change(self, request: HttpRequest, keys: list) -> None:
        """Hook for the caches the change affects; `keys` are the changed rows' key field values."""

    def write_active(self, model, keys: list, *, active: bool) -> None:
        """Hook: how the flag is written (a model family with its own writer overrides it)."""
        field = self.soft_delete_key_field
        with transaction.atomic():
            for chunk in chunked(keys):
                model._default_manager.filter(**{f"{field}__in": chunk}).update(
                    is_active=active, updated_at=timezone.now()
                )

    def _set_active(self, request: HttpRequest, queryset: QuerySet, *, active: bool) -> None:
        field = self.soft_delete_key_field
        keys = list(queryset.filter(is_active=not active).values_list(field, flat=True))
        self.write_active(queryset.model, keys, active=active)
        if keys:
            self.after_active_change(request, keys)
        opts = queryset.model._meta
        name = opts.verbose_name if len(keys) == 1 else opts.verbose_name_plural
        verb = "restored" if active else "marked inactive"
        logger.info("admin: %d %s %s by %s", len(keys), opts.label, verb, request.user.get_username())
        self.message_user(request, f"{len(keys)} {name} {verb}.", messages.SUCCESS)

    @admin.action(description="Mark selected %(verbose_name_plural)s inactive", permissions=["change"])
    def mark_inactive(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_active(request, queryset, active=False)

    @admin.action(description="Restore selected %(verbose_name_plural)s", permissions=["change"])
    def restore(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_active(request, queryset, active=True)
