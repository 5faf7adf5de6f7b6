from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from vib.organisations import api as organisations_api

router = SimpleRouter(trailing_slash=False)
router.register("organisaties", organisations_api.OrganisationViewSet, basename="organisation")

app_name = "api"
urlpatterns = [
    path(
        "openapi.json",
        SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]),
        name="openapi",
    ),
    *router.urls,
]
