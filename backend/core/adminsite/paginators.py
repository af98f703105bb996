"""A changelist paginator whose count never scans a whole large table."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property


class CappedCountPaginator(Paginator):
    """Counts at most ADMIN_COUNT_CAP rows (`SELECT COUNT(*) FROM (… LIMIT cap)`).

    Past the cap an unfiltered PostgreSQL table reports the planner's row estimate
    (pg_class.reltuples, free); anything else reports the cap, so the changelist offers
    the first cap / per_page pages and search or filters narrow the rest.
    """

    @cached_property
    def count(self) -> int:
        cap = settings.ADMIN_COUNT_CAP
        counted = self.object_list.order_by()[:cap].count()  # no ORDER BY: counting needs no sort
        if counted < cap:
            return counted
        return max(cap, self._estimated_table_rows())

    def _estimated_table_rows(self) -> int:
        queryset = self.object_list
        if getattr(queryset, "query", None) is None or queryset.query.where:
            return 0
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return 0
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
                [queryset.model._meta.db_table],
            )
            row = cursor.fetchone()
        return int(row[0]) if row and row[0] else 0
