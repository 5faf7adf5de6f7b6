"""Page-number pagination with strict parameters: ``page`` and ``pageSize`` (lowerCamelCase).

A malformed ``page`` or ``pageSize`` is a 400 with ``invalidParams``; a page past the end is
a 404 (the page does not exist).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request


def _positive_int(request: Request, name: str, maximum: int | None = None) -> None:
    raw = request.query_params.get(name)
    if raw is None:
        return
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise ValidationError({name: [_("Must be a positive whole number.")]}, code="invalid")
    if maximum is not None and int(raw) > maximum:
        raise ValidationError(
            {name: [_("Must be at most %(maximum)d.") % {"maximum": maximum}]},
            code="max_value",
        )


class Pagination(PageNumberPagination):
    page_size_query_param = "pageSize"
    max_page_size = 200
    page_query_description = _("A page number within the result set, starting at 1.")  # type: ignore[assignment]
    page_size_query_description = _("Number of results per page (at most 200).")  # type: ignore[assignment]

    def paginate_queryset(
        self, queryset: Any, request: Request, view: Any = None
    ) -> list[Any] | None:
        _positive_int(request, self.page_query_param)
        _positive_int(request, self.page_size_query_param, self.max_page_size)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            schema = parameter.setdefault("schema", {})
            schema["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                schema["maximum"] = self.max_page_size
        return parameters

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        result = super().get_paginated_response_schema(schema)
        properties = result["properties"]
        properties["next"]["example"] = "https://vib.example.nl/api/v1/organisaties?page=3"
        properties["previous"]["example"] = "https://vib.example.nl/api/v1/organisaties?page=1"
        return result
