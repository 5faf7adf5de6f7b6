"""A URLconf with only the shell and this module, so these tests do not depend on modules that
are being built at the same time (the real one is ``vib.conf.urls``, with the same prefix)."""

from django.urls import include, path

from vib.web.urls import auth_urlpatterns

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    *auth_urlpatterns,
    path("monitor/", include("vib.surveys.urls")),
    path("", include("vib.web.urls")),
]
