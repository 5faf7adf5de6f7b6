"""API for the public registry of organisations and (members only) their units.

The interface speaks Dutch (NL GOV /core/interface-language; see ``docs/api.md``):
``/organisaties``, ``/organisaties/{id}``, ``/organisaties/{id}/eenheden``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from vib import access
from vib.api.scopes import ScopedIsAuthenticated
from vib.organisations import selectors
from vib.organisations.models import Organisation, SizeClass, Tier, Unit

ID_PARAMETER = OpenApiParameter(
    "id", OpenApiTypes.UUID, OpenApiParameter.PATH, description=_("The organisation's id.")
)
SIZE_CLASSES = [value for value in SizeClass.values if value]


@extend_schema_serializer(component_name="Organisatie")
class OrganisationSerializer(serializers.ModelSerializer[Organisation]):
    naam = serializers.CharField(source="name", read_only=True)
    bestuurslaag = serializers.ChoiceField(source="tier", choices=Tier.choices, read_only=True)
    provincieCode = serializers.CharField(  # noqa: N815 - API properties are lowerCamelCase
        source="province.code",
        allow_null=True,
        default=None,
        read_only=True,
        help_text=_("Code of the province a municipality or water board lies in."),
    )
    inwoners = serializers.IntegerField(source="inhabitants", allow_null=True, read_only=True)
    grootteklasse = serializers.SerializerMethodField(
        help_text=_("Size class by inhabitants (municipalities only).")
    )
    peildatum = serializers.DateField(
        source="reference_date",
        read_only=True,
        help_text=_("Reference date of the registry data."),
    )

    class Meta:
        model = Organisation
        fields = [
            "id",
            "code",
            "naam",
            "bestuurslaag",
            "provincieCode",
            "inwoners",
            "grootteklasse",
            "peildatum",
        ]
        read_only_fields = ["id", "code"]

    @extend_schema_field(
        {"type": "string", "enum": [*SIZE_CLASSES, None], "nullable": True, "readOnly": True}
    )
    def get_grootteklasse(self, obj: Organisation) -> str | None:
        return obj.size_class or None


@extend_schema_serializer(component_name="Eenheid")
class UnitSerializer(serializers.ModelSerializer[Unit]):
    naam = serializers.CharField(source="name", read_only=True)
    onderdeelVan = serializers.UUIDField(  # noqa: N815
        source="parent_id",
        allow_null=True,
        read_only=True,
        help_text=_("The unit this unit is part of."),
    )

    class Meta:
        model = Unit
        fields = ["id", "naam", "onderdeelVan"]
        read_only_fields = ["id"]


class OrganisationFilterSerializer(serializers.Serializer[Any]):
    """The query parameters of the list; validated, so a bad value is a 400."""

    bestuurslaag = serializers.ChoiceField(choices=Tier.choices, required=False)
    zoek = serializers.CharField(
        required=False,
        max_length=100,
        help_text=_("Part of the name, or the exact code."),
    )


@extend_schema_view(
    list=extend_schema(
        operation_id="organisatiesList",
        summary="Organisations in the registry",
        parameters=[OrganisationFilterSerializer],
    ),
    retrieve=extend_schema(
        operation_id="organisatieGet", summary="One organisation", parameters=[ID_PARAMETER]
    ),
)
class OrganisationViewSet(viewsets.ReadOnlyModelViewSet[Organisation]):
    """The registry of Dutch public bodies: public information, no log-in needed."""

    serializer_class = OrganisationSerializer
    permission_classes = [permissions.AllowAny]
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self) -> Any:
        filters = OrganisationFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.organisation_list(
            tier=filters.validated_data.get("bestuurslaag"),
            q=filters.validated_data.get("zoek"),
        )

    def get_object(self) -> Organisation:
        return selectors.organisation_get(id=self.kwargs["pk"])

    @extend_schema(
        operation_id="organisatieEenhedenList",
        summary="Units of an organisation (members only)",
        description=(
            "The organisational units, for people who hold a role in the organisation. "
            "Anyone else gets 404, also when the organisation exists."
        ),
        parameters=[ID_PARAMETER],
        responses=UnitSerializer(many=True),
    )
    @action(
        detail=True,
        url_path="eenheden",
        permission_classes=[ScopedIsAuthenticated],
    )
    def units(self, request: Request, pk: str) -> Response:
        units = access.units_of_organisation(user=request.user, id=pk, request=request)
        page = self.paginate_queryset(units)  # type: ignore[arg-type]
        data = UnitSerializer(page, many=True).data  # type: ignore[arg-type]
        return self.get_paginated_response(data)


def register(router: SimpleRouter) -> None:
    router.register("organisaties", OrganisationViewSet, basename="organisation")
