"""Errors as ``application/problem+json`` (RFC 9457), as the NL GOV API Design Rules ask.

Three ways an error can leave ``/api/``, all ending in the same body
(``type``, ``title``, ``status``, ``detail``, ``instance`` and, for 400, ``invalidParams``):

* an exception inside a DRF view → :func:`problem_exception_handler`;
* an unknown URL under ``/api/v1/`` → the catch-all :class:`NotFoundView`;
* anything Django itself answers (an unknown ``/api/…`` path, a crash outside DRF) →
  :func:`problem_response`, used by :class:`vib.api.middleware.ApiVersionMiddleware`.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

logger = logging.getLogger(__name__)

PROBLEM = "application/problem+json"

# Titles are the HTTP reason phrases (RFC 9457 §4.2.1 with type "about:blank"), translated.
_TITLES = {
    400: gettext_lazy("Bad Request"),
    401: gettext_lazy("Unauthorized"),
    403: gettext_lazy("Forbidden"),
    404: gettext_lazy("Not Found"),
    405: gettext_lazy("Method Not Allowed"),
    406: gettext_lazy("Not Acceptable"),
    413: gettext_lazy("Content Too Large"),
    415: gettext_lazy("Unsupported Media Type"),
    429: gettext_lazy("Too Many Requests"),
    500: gettext_lazy("Internal Server Error"),
    503: gettext_lazy("Service Unavailable"),
}

_DETAILS = {
    400: gettext_lazy("The request contains invalid input."),
    401: gettext_lazy("Authentication credentials were not provided or are invalid."),
    403: gettext_lazy("You may not perform this action."),
    404: gettext_lazy("The resource does not exist or you may not see it."),
    405: gettext_lazy("This method is not allowed on this resource."),
    406: gettext_lazy("The requested media type cannot be served; use application/json."),
    415: gettext_lazy("Unsupported media type; send application/json."),
    413: gettext_lazy("The request body is too large."),
    429: gettext_lazy("Too many requests; try again later."),
    500: gettext_lazy("An unexpected error occurred."),
}


def _title(status_code: int) -> str:
    if status_code in _TITLES:
        return str(_TITLES[status_code])
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return _("Error")


def _default_detail(status_code: int) -> str:
    if status_code in _DETAILS:
        return str(_DETAILS[status_code])
    return _title(status_code)


def _invalid_params(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """Flatten DRF's nested validation errors into RFC 9457 style ``invalidParams``."""
    params: list[dict[str, str]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            params.extend(_invalid_params(value, name))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                params.extend(_invalid_params(value, f"{prefix}[{index}]"))
            else:
                params.extend(_invalid_params(value, prefix))
    else:
        params.append(
            {
                "name": prefix or "nonFieldErrors",
                "code": str(getattr(detail, "code", None) or "invalid"),
                "reason": str(detail),
            }
        )
    return params


def problem(
    status_code: int, detail: str = "", *, instance: str = "", **extra: Any
) -> dict[str, Any]:
    """The problem details body for ``status_code``."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": _title(status_code),
        "status": status_code,
        "detail": detail or _default_detail(status_code),
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return body


def problem_response(
    request: HttpRequest, status_code: int, detail: str = "", **extra: Any
) -> HttpResponse:
    """A plain Django response with a problem body, for answers made outside DRF."""
    body = problem(status_code, detail, instance=request.path, **extra)
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status_code, content_type=PROBLEM
    )


class ContentTooLarge(exceptions.APIException):
    """A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (Django raises ``RequestDataTooBig`` when
    the body is read, which with a session happens inside the CSRF check or the parser)."""

    status_code = 413
    default_detail = _DETAILS[413]
    default_code = "too_large"


def _as_drf_exception(exc: Exception) -> Exception:
    if isinstance(exc, RequestDataTooBig):
        return ContentTooLarge()
    if isinstance(exc, SuspiciousOperation):
        # Too many fields or files, a malformed multipart body: the client's fault, as
        # Django itself answers them outside DRF.
        return exceptions.ParseError(_default_detail(400))
    if isinstance(exc, Http404):
        return exceptions.NotFound(_default_detail(404))
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied(_default_detail(403))
    if isinstance(exc, DjangoValidationError):
        # Services raise Django's ValidationError; it is the client's fault, so a 400.
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return exceptions.ValidationError(detail)
    return exc


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    exc = _as_drf_exception(exc)
    response = exception_handler(exc, context)
    request = context.get("request")
    instance = request.path if request is not None else ""
    if response is None:
        # Not an API exception: a bug. Log it with its traceback and answer a bare 500. Tell
        # whoever listens for failed requests, as Django does for its own views (the outage
        # middleware turns a lost database into a 503 this way).
        logger.error("Unhandled exception in API view", exc_info=exc)
        if request is not None:
            got_request_exception.send(sender=None, request=request._request)
        return Response(
            problem(500, instance=instance),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
            content_type=PROBLEM,
        )
    if isinstance(exc, exceptions.ValidationError):
        body = problem(
            response.status_code, instance=instance, invalidParams=_invalid_params(exc.detail)
        )
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        body = problem(response.status_code, str(detail), instance=instance)
        if response.status_code == 400:
            # A body that is not even JSON (ParseError): the body as a whole is the parameter.
            code = str(getattr(exc, "default_code", "invalid"))
            body["invalidParams"] = [{"name": "body", "code": code, "reason": body["detail"]}]
    if isinstance(exc, exceptions.AuthenticationFailed) and response.status_code == 401:
        # RFC 6750 §3: tell the client its token was refused (not merely missing).
        response["WWW-Authenticate"] = 'Bearer realm="api", error="invalid_token"'
    response.data = body
    response.content_type = PROBLEM
    return response


class NotFoundView(APIView):
    """Catch-all for unknown URLs under ``/api/v1/``: 404 as problem+json for any method."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    schema = None  # not part of the API description

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        raise exceptions.NotFound(_default_detail(404))
