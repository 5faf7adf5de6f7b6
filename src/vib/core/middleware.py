"""The probes' early answer, and the security headers Django does not set by itself."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import resolve

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)


class ProbeMiddleware:
    """``/healthz`` and ``/readyz`` answered before the host check, the HTTPS redirect and the
    session: the kubelet and the container's ``HEALTHCHECK`` ask over plain HTTP with the pod's
    address or 127.0.0.1 as the host, which ``VIB_ALLOWED_HOSTS`` rightly does not list, so
    Django would answer 400 (or 301 to HTTPS) and the pod would never be ready (ADR 0152).
    The answers hold no host-derived content and nothing personal."""

    PATHS = frozenset({"/healthz", "/readyz"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info not in self.PATHS:
            return self.get_response(request)
        request.resolver_match = match = resolve(request.path_info)
        return match.func(request)


class SecurityHeadersMiddleware:
    """Permissions-Policy everywhere; ``no-store`` on every page shown to a logged-in user,
    since those may hold personal data that must not linger in caches."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response
