"""The site's URLs for the integrity tests, robust against modules still under construction.

Uses the real ``vib.conf.urls`` when it imports. Otherwise (another module half-built in the
shared working tree) it mounts what the integrity tests need: the accounts and web shell, this
module's pages and its API routes through ``vib.integrity.api.register``.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.urls import include, path, re_path

try:
    from vib.conf.urls import urlpatterns as _site
except Exception:
    _site = None

handler404 = "vib.web.views.page_not_found"


def _fallback() -> list[Any]:
    from rest_framework.routers import SimpleRouter

    from vib.api.errors import NotFoundView
    from vib.integrity import api as integrity_api

    router = SimpleRouter(trailing_slash=False)
    integrity_api.register(router)
    api_patterns = [*router.urls, re_path(r"^.*$", NotFoundView.as_view(), name="not-found")]
    patterns: list[Any] = [
        path("api/v1/", include((api_patterns, "api"))),
        path("i18n/", include("django.conf.urls.i18n")),
    ]
    accounts = importlib.import_module("vib.accounts.urls")
    patterns += [*getattr(accounts, "auth_urlpatterns", []), path("", include(accounts))]
    patterns.append(path("integriteit/", include("vib.integrity.urls")))
    for prefix, module in {
        "incidenten/": "vib.incidents.urls",
        "nevenwerkzaamheden/": "vib.disclosures.urls",
        "beleid/": "vib.governance.urls",
        "monitor/": "vib.surveys.urls",
        "steunpunt/": "vib.support.urls",
    }.items():
        try:
            importlib.import_module(module)
        except Exception:  # noqa: S112 - another engineer's module may be half-built
            continue
        patterns.append(path(prefix, include(module)))
    patterns.append(path("", include("vib.web.urls")))
    return patterns


urlpatterns = _site if _site is not None else _fallback()
