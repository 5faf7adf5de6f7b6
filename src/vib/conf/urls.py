from django.contrib import admin
from django.urls import include, path

from vib.accounts.urls import auth_urlpatterns
from vib.core import views as core_views
from vib.web import views as web_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path(".well-known/security.txt", core_views.security_txt, name="security-txt"),
    path("api/v1/", include("vib.api.urls")),
    # Django's set_language, accepting this site's own forms by Sec-Fetch-Site (ADR 0124).
    path("i18n/setlang/", web_views.set_language, name="set_language"),
    path("beheer/", admin.site.urls),
    *auth_urlpatterns,
    path("tweede-factor/passkey/", include("vib.accounts.passkey_urls")),
    path("", include("vib.accounts.urls")),
    path("incidenten/", include("vib.incidents.urls")),
    path("integriteit/", include("vib.integrity.urls")),
    path("nevenwerkzaamheden/", include("vib.disclosures.urls")),
    path("beleid/", include("vib.governance.urls")),
    path("monitor/rapport/", include("vib.monitor.urls")),
    path("monitor/", include("vib.surveys.urls")),
    path("steunpunt/", include("vib.support.urls")),
    path("beheer-toegang/", include("vib.operations.urls")),
    path("", include("vib.web.urls")),
]

handler400 = "vib.web.views.bad_request"
handler403 = "vib.web.views.permission_denied"
handler404 = "vib.web.views.page_not_found"
handler500 = "vib.web.views.server_error"
