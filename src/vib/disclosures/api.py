"""API of the disclosures module.

* ``/openbare-registers`` and ``/openbare-registers/{code}``: the public register, no log-in
  (the same document as the open-data JSON);
* ``/nevenwerkzaamheden`` and ``/financiele-belangen``: what the caller may see, only through
  ``vib.access.disclosures``.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from vib.access.disclosures import (
    access_financial_interest,
    access_side_activity,
    financial_interests_visible_to,
    side_activities_visible_to,
)
from vib.accounts.middleware import logged_in_user
from vib.audit.models import Action
from vib.audit.services import audit_record
from vib.disclosures import opendata, public_cache, selectors
from vib.disclosures.models import FinancialInterest, SideActivity
from vib.organisations.models import Organisation


class DateFilter(serializers.Serializer[Any]):
    peildatum = serializers.DateField(
        required=False, help_text=_("Show the register as it stood on this date.")
    )


@extend_schema_serializer(component_name="OpenbaarRegisterOrganisatie")
class PublicOrganisationSerializer(serializers.ModelSerializer[Organisation]):
    naam = serializers.CharField(source="name", read_only=True)
    bestuurslaag = serializers.CharField(source="tier", read_only=True)

    class Meta:
        model = Organisation
        fields = ["code", "naam", "bestuurslaag"]


class PublicRegisterViewSet(viewsets.ReadOnlyModelViewSet[Organisation]):
    """The public registers of side functions: public by law, no log-in needed."""

    serializer_class = PublicOrganisationSerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9]{2,16}"

    def get_queryset(self) -> Any:
        return selectors.published_organisations()

    @extend_schema(
        operation_id="openbaarRegisterGet",
        summary="The public register of one organisation",
        parameters=[
            DateFilter,
            OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        filters = DateFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        organisation = selectors.public_organisation(code=kwargs["code"])
        today = timezone.localdate()
        on = min(filters.validated_data.get("peildatum") or today, today)
        document = public_cache.cached(
            organisation.pk,
            "api",
            on,
            lambda: opendata.register_document(
                selectors.public_register(organisation=organisation, on=on)
            ),
        )
        return Response(document)


@extend_schema_serializer(component_name="Nevenwerkzaamheid")
class SideActivitySerializer(serializers.ModelSerializer[SideActivity]):
    organisatie = serializers.UUIDField(source="organisation_id", read_only=True)
    declarant = serializers.CharField(source="declarant.name", read_only=True)
    rol = serializers.CharField(source="role", read_only=True)
    instantie = serializers.CharField(source="body", read_only=True)
    kvkNummer = serializers.CharField(source="kvk_number", read_only=True)  # noqa: N815
    ambtshalve = serializers.BooleanField(source="by_virtue_of_office", read_only=True)
    bezoldigd = serializers.BooleanField(source="paid", read_only=True)
    voornemen = serializers.BooleanField(source="intention", read_only=True)
    begindatum = serializers.DateField(source="start_date", read_only=True)
    einddatum = serializers.DateField(source="end_date", read_only=True, allow_null=True)
    beoordeling = serializers.CharField(source="decision", read_only=True)
    beperkingen = serializers.CharField(source="restrictions", read_only=True)

    class Meta:
        model = SideActivity
        fields = [
            "id",
            "organisatie",
            "declarant",
            "rol",
            "instantie",
            "kvkNummer",
            "ambtshalve",
            "bezoldigd",
            "voornemen",
            "begindatum",
            "einddatum",
            "status",
            "beoordeling",
            "beperkingen",
        ]


class SideActivityViewSet(viewsets.ReadOnlyModelViewSet[SideActivity]):
    """Side activities the caller may see: their own, or their organisation's as registrar or
    assessor."""

    serializer_class = SideActivitySerializer
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self) -> Any:
        return side_activities_visible_to(self.request.user).order_by("-start_date", "id")

    def get_object(self) -> SideActivity:
        return access_side_activity(
            user=self.request.user, id=self.kwargs["pk"], request=self.request
        )


@extend_schema_serializer(component_name="FinancieelBelang")
class FinancialInterestSerializer(serializers.ModelSerializer[FinancialInterest]):
    organisatie = serializers.UUIDField(source="organisation_id", read_only=True)
    declarant = serializers.CharField(source="declarant.name", read_only=True)
    soort = serializers.CharField(source="kind", read_only=True)
    houder = serializers.CharField(source="holder", read_only=True)
    aanleiding = serializers.CharField(source="occasion", read_only=True)
    gemeldOp = serializers.DateTimeField(source="declared_at", read_only=True)  # noqa: N815

    class Meta:
        model = FinancialInterest
        fields = [
            "id",
            "organisatie",
            "declarant",
            "soort",
            "houder",
            "aanleiding",
            "gemeldOp",
            "status",
        ]


class FinancialInterestViewSet(viewsets.ReadOnlyModelViewSet[FinancialInterest]):
    """Financial interests: the compliance officer's, and each declarant their own. The list
    leaves the description out; it is read (and audited) one at a time in the web interface."""

    serializer_class = FinancialInterestSerializer
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self) -> Any:
        return financial_interests_visible_to(self.request.user).order_by("-declared_at", "id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        audit_record(
            actor=logged_in_user(request),
            action=Action.LIST,
            object_type="disclosures.financialinterest",
            request=request,
            channel="api",
        )
        return super().list(request, *args, **kwargs)

    def get_object(self) -> FinancialInterest:
        return access_financial_interest(
            user=self.request.user, id=self.kwargs["pk"], request=self.request
        )


def register(router: Any) -> None:
    router.register("openbare-registers", PublicRegisterViewSet, basename="public-register")
    router.register("nevenwerkzaamheden", SideActivityViewSet, basename="side-activity")
    router.register("financiele-belangen", FinancialInterestViewSet, basename="financial-interest")
