"""A changelist paginator whose count never scans a whole large table."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property


class MoreThan(int):
    """cap + 1, a true lower bound of a count past the cap; shows as "more than 10000"."""

    def __str__(self) -> str:
        return f"more than {int(self) - 1}"


class About(int):
    """A planner's estimate; shows as "~50000" on the changelist."""

    def __str__(self) -> str:
        return f"~{int(self)}"


class CappedCountPaginator(Paginator):
    """Counts at most ADMIN_COUNT_CAP + 1 rows (`SELECT COUNT(*) FROM (… LIMIT cap + 1)`).

    Past the cap an unfiltered PostgreSQL table reports the planner's row estimate
    (pg_class.reltuples, free; shown "~N"); anything else reports cap + 1 (shown "more than
    cap"), so
    the changelist offers the first cap / per_page pages and search or filters narrow the rest.
    """

    @cached_property
    def count(self) -> int:
        cap = settings.ADMIN_COUNT_CAP
        counted = self.object_list.order_by()[: cap + 1].count()  # no ORDER BY: counting needs no sort
        if counted <= cap:
            return counted
        estimate = self._estimated_table_rows()
        return About(estimate) if estimate > cap else MoreThan(cap + 1)

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
