"""A URLconf with the module's API routes, until the shell's router calls ``register``."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from vib.disclosures.api import register
from vib.governance.api import register as register_governance

router = SimpleRouter(trailing_slash=False)
register(router)
register_governance(router)

urlpatterns = [
    path("api/v1/", include((router.urls, "api"))),
]
