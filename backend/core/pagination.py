"""Page-number pagination that validates its parameters and reports in `meta.pagination`."""

import math

from rest_framework import serializers
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.utils.urls import remove_query_param, replace_query_param

from .constants import DEFAULT_PAGE_SIZE, MAX_PAGE, MAX_PAGE_SIZE
from .exceptions import ValidationFailed
from .responses import APIResponse


class PageParamsSerializer(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, max_value=MAX_PAGE, default=1)
    page_size = serializers.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, default=DEFAULT_PAGE_SIZE)


def parse_page_params(request: Request) -> tuple[int, int]:
    """Validated (page, page_size) from the query string; 400 with field errors otherwise."""
    raw = {key: request.query_params[key] for key in ("page", "page_size") if key in request.query_params}
    serializer = PageParamsSerializer(data=raw)
    if not serializer.is_valid():
        raise ValidationFailed(serializer.errors)
    return serializer.validated_data["page"], serializer.validated_data["page_size"]


def pagination_meta(
    request: Request, *, page: int, page_size: int, total_results: int, total_pages: int | None = None
) -> dict:
    if total_pages is None:
        total_pages = math.ceil(total_results / page_size) if total_results else 0
    url = request.build_absolute_uri()
    has_next = page < min(total_pages, MAX_PAGE)
    previous = None
    if page > 1:
        target = min(page - 1, max(total_pages, 1))
        previous = (
            remove_query_param(url, "page") if target == 1 else replace_query_param(url, "page", target)
        )
    return {
        "page": page,
        "page_size": page_size,
        "total_pages": total_pages,
        "total_results": total_results,
        "next": replace_query_param(url, "page", page + 1) if has_next else None,
        "previous": previous,
    }


class EnvelopePagination(BasePagination):
    """Slices a queryset with one COUNT and one SELECT; a page past the end is empty, not an error."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page, self.page_size = parse_page_params(request)
        self.total_results = (
            queryset.count()
            if hasattr(queryset, "count") and not isinstance(queryset, list)
            else len(queryset)
        )
        offset = (self.page - 1) * self.page_size
        if offset >= self.total_results:
            return []
        return list(queryset[offset : offset + self.page_size])

    def meta(self) -> dict:
        return {
            "pagination": pagination_meta(
                self.request, page=self.page, page_size=self.page_size, total_results=self.total_results
            )
        }

    def get_paginated_response(self, data, *, message: str = "OK", meta: dict | None = None):
        return APIResponse(data, message=message, meta={**(meta or {}), **self.meta()})

    def get_paginated_response_schema(self, schema):
        from .schema import envelope_schema

        return envelope_schema(schema, paginated=True)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "required": False,
                "in": "query",
                "description": f"Page number, 1 to {MAX_PAGE}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "description": f"Results per page, 1 to {MAX_PAGE_SIZE}.",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_PAGE_SIZE,
                    "default": DEFAULT_PAGE_SIZE,
                },
            },
        ]
