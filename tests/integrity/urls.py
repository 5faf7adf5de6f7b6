"""The site's URLs for the integrity tests, independent of modules still under construction.

Mirrors ``vib.conf.urls`` but includes another module's URLs only when they import, and
mounts this module's API routes (``vib.integrity.api.register``) until the shared router
collects them.
"""

from __future__ import annotations

import importlib

from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from vib.api.errors import NotFoundView
from vib.integrity import api as integrity_api
from vib.web.urls import auth_urlpatterns

router = SimpleRouter(trailing_slash=False)
integrity_api.register(router)

MODULES = {
    "incidenten/": "vib.incidents.urls",
    "nevenwerkzaamheden/": "vib.disclosures.urls",
    "beleid/": "vib.governance.urls",
    "monitor/": "vib.surveys.urls",
    "steunpunt/": "vib.support.urls",
}

api_patterns = [*router.urls, re_path(r"^.*$", NotFoundView.as_view(), name="not-found")]
urlpatterns = [
    path("api/v1/", include((api_patterns, "api"))),
    path("i18n/", include("django.conf.urls.i18n")),
    *auth_urlpatterns,
    path("integriteit/", include("vib.integrity.urls")),
]
for prefix, module in MODULES.items():
    try:
        importlib.import_module(module)
    except Exception:  # noqa: S112 - another engineer's module may be half-built
        continue
    urlpatterns.append(path(prefix, include(module)))
urlpatterns.append(path("", include("vib.web.urls")))

handler404 = "vib.web.views.page_not_found"
