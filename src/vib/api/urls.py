"""``/api/v1/``: the OpenAPI document, the resources, and a problem+json 404 for the rest."""

from typing import Any

from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from vib.api.errors import NotFoundView
from vib.api.registry import register_module_routes


class OpenApiView(SpectacularJSONAPIView):
    """The OpenAPI document, public and readable by online tools (NL GOV /core/doc-openapi)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []
    schema = None  # the document does not describe itself

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().get(request, *args, **kwargs)
        # A public document without credentials: any origin may read it.
        response["Access-Control-Allow-Origin"] = "*"
        return response


router = SimpleRouter(trailing_slash=False)
register_module_routes(router)

app_name = "api"
urlpatterns = [
    path("openapi.json", OpenApiView.as_view(), name="openapi"),
    *router.urls,
    re_path(r"^.*$", NotFoundView.as_view(), name="not-found"),
]
