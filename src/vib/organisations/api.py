"""API for the registry of organisations and (tenant-scoped) their units."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from vib import access
from vib.organisations import selectors
from vib.organisations.models import Organisation, Tier, Unit


class OrganisationSerializer(serializers.ModelSerializer[Organisation]):
    provinceCode = serializers.CharField(  # noqa: N815 - API properties are lowerCamelCase
        source="province.code", allow_null=True, default=None, read_only=True
    )
    sizeClass = serializers.CharField(source="size_class", read_only=True)  # noqa: N815
    referenceDate = serializers.DateField(source="reference_date", read_only=True)  # noqa: N815

    class Meta:
        model = Organisation
        fields = [
            "id",
            "code",
            "name",
            "tier",
            "provinceCode",
            "inhabitants",
            "sizeClass",
            "referenceDate",
        ]


class UnitSerializer(serializers.ModelSerializer[Unit]):
    parentId = serializers.UUIDField(  # noqa: N815
        source="parent_id", allow_null=True, read_only=True
    )

    class Meta:
        model = Unit
        fields = ["id", "name", "parentId"]


@extend_schema_view(
    list=extend_schema(
        summary="Organisations in the registry",
        parameters=[
            OpenApiParameter("tier", str, enum=[t.value for t in Tier]),
            OpenApiParameter("zoek", str, description="Part of the name or the exact code."),
        ],
    ),
    retrieve=extend_schema(summary="One organisation"),
)
class OrganisationViewSet(viewsets.ReadOnlyModelViewSet[Organisation]):
    """The registry of Dutch public bodies is public information."""

    serializer_class = OrganisationSerializer
    permission_classes = [permissions.AllowAny]
    lookup_value_regex = "[0-9a-f-]{36}"

    def get_queryset(self) -> Any:
        tier = self.request.query_params.get("tier")
        if tier and tier not in Tier.values:
            raise ValidationError({"tier": [f"Unknown tier {tier!r}."]})
        return selectors.organisation_list(tier=tier, q=self.request.query_params.get("zoek"))

    def get_object(self) -> Organisation:
        return selectors.organisation_get(id=self.kwargs["pk"])

    @extend_schema(summary="Units of an organisation (members only)", responses=UnitSerializer(many=True))
    @action(
        detail=True,
        url_path="eenheden",
        permission_classes=[permissions.IsAuthenticated],
        pagination_class=None,
    )
    def units(self, request: Request, pk: str) -> Response:
        units = access.units_of_organisation(user=request.user, id=pk, request=request)
        return Response(UnitSerializer(units, many=True).data)
