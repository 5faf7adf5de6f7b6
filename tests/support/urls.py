"""A URLconf for the support tests: the shell, log-in, and the support desk under /steunpunt/.

The project's URLconf includes every module; while other modules are being built in the same
tree, a half-finished one must not break these tests, so they mount only what they need.
"""

from django.urls import include, path

from vib.web.urls import auth_urlpatterns

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    *auth_urlpatterns,
    path("steunpunt/", include("vib.support.urls")),
    path("", include("vib.web.urls")),
]

handler404 = "vib.web.views.page_not_found"
