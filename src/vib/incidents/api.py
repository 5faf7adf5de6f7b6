"""API of incident registration: ``/incidenten``.

* ``GET /incidenten`` — the incidents the caller handles plus their own reports (filters as
  query parameters); ``POST /incidenten`` — report an incident;
* ``GET /incidenten/{id}`` — one incident (handlers get the handling record, the reporter
  only the reporter's fields); ``PATCH /incidenten/{id}`` — change the facts (handlers);
* ``POST /incidenten/{id}/statuswijzigingen`` — a new status through the workflow
  (handlers); the history comes with ``GET /incidenten/{id}``.

Objects only through ``vib.access.incidents``; writes only through ``services``. A write
first parses its body (malformed JSON: 400, another media type: 415, whoever asks), then looks
up the object (404), then validates the content (400).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from vib.access import incidents as door
from vib.access.organisations import units_visible_to
from vib.accounts.middleware import logged_in_user
from vib.core.errors import ValidationError
from vib.incidents import codes, selectors, services
from vib.incidents.models import Incident, Transition

ID_PARAMETER = OpenApiParameter(
    "id", OpenApiTypes.UUID, OpenApiParameter.PATH, description=_("The incident's id.")
)

# Service field → API property, so that invalidParams name what the client sent.
API_NAMES = {
    "organisation": "organisatie",
    "occurred_at": "datumTijd",
    "types": "soorten",
    "channel": "kanaal",
    "platform": "platform",
    "severity": "ernst",
    "place_kind": "plaats",
    "location": "locatie",
    "description": "omschrijving",
    "unit": "eenheid",
    "victim_group": "slachtofferGroep",
    "victim_name": "namensNaam",
    "perpetrator_kind": "daderSoort",
    "perpetrator_category": "daderCategorie",
    "perpetrator_description": "daderOmschrijving",
    "damage_amount": "schadeEuro",
    "recovery_claimed": "geclaimdEuro",
    "recovery_received": "verhaaldEuro",
    "to_status": "status",
}


def _service_call(call: Any) -> Any:
    """Run a service; its ValidationError becomes a 400 that names the API's properties."""
    try:
        return call()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise exceptions.ValidationError(
                {
                    API_NAMES.get(field, field): messages
                    for field, messages in exc.message_dict.items()
                }
            ) from None
        raise exceptions.ValidationError({"nonFieldErrors": exc.messages}) from None


class TypesField(serializers.ListField):
    child = serializers.ChoiceField(choices=codes.IncidentType.choices)


# --- representations ---------------------------------------------------------------------------


class RoleViewSerializer(serializers.Serializer[Any]):
    # A representation with two views: a handler gets every property, the reporter of an
    # incident the same object without the properties of ``handler_only``. The schema says so
    # (``HandlerOnlyExtension``): those properties are optional, the others required.
    handler_only: tuple[str, ...] = ()

    def is_handler_view(self, instance: Any) -> bool:
        raise NotImplementedError

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self.is_handler_view(instance):
            for name in self.handler_only:
                data.pop(name, None)
        return data


class HandlerOnlyExtension(OpenApiSerializerExtension):
    """Documents a ``RoleViewSerializer``: its ``handler_only`` properties are not required
    (read-only properties otherwise are) and say that only handlers receive them."""

    target_class = RoleViewSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = auto_schema._map_serializer(
            self.target, direction, bypass_extensions=True
        )
        handler_only = set(self.target.handler_only)
        required = [name for name in schema.get("required", []) if name not in handler_only]
        if required:
            schema["required"] = required
        else:
            schema.pop("required", None)
        note = gettext("Only for handlers.")
        for name in handler_only & schema.get("properties", {}).keys():
            prop = schema["properties"][name]
            if "$ref" in prop:  # a bare reference takes no siblings in OpenAPI 3.0
                prop = schema["properties"][name] = {"allOf": [prop]}
            description = prop.get("description", "")
            if note not in description:
                prop["description"] = f"{description} {note}".strip()
        return schema


@extend_schema_serializer(component_name="Statuswijziging")
class TransitionSerializer(RoleViewSerializer):
    """A step in an incident's status history; ``toelichting`` only in a handler's view."""

    handler_only = ("toelichting",)

    van = serializers.CharField(source="from_status", read_only=True, allow_blank=True)
    status = serializers.CharField(source="to_status", read_only=True)
    op = serializers.DateTimeField(source="at", read_only=True)
    toelichting = serializers.CharField(source="note", read_only=True)

    def is_handler_view(self, instance: Transition) -> bool:
        return bool(self.context.get("can_handle"))


HANDLER_ONLY = (
    "eenheid",
    "slachtofferGroepen",
    "schadeEuro",
    "geclaimdEuro",
    "verhaaldEuro",
    "afgeslotenOp",
    "bron",
    "externId",
    "namens",
)


@extend_schema_serializer(component_name="Incident")
class IncidentSerializer(RoleViewSerializer):
    """An incident. A handler gets every property (``behandelaar`` is true); the reporter of
    an incident gets the reporter's view (``behandelaar`` is false), which leaves out the
    properties that are only for handlers."""

    # A plain serializer (no model introspection per instance: it is on the write path).
    handler_only = HANDLER_ONLY

    id = serializers.UUIDField(read_only=True)
    referentie = serializers.CharField(source="reference", read_only=True)
    organisatie = serializers.UUIDField(source="organisation_id", read_only=True)
    status = serializers.ChoiceField(choices=codes.Status.choices, read_only=True)
    gemeldOp = serializers.DateTimeField(source="reported_at", read_only=True)  # noqa: N815
    datumTijd = serializers.DateTimeField(source="occurred_at", read_only=True)  # noqa: N815
    plaats = serializers.ChoiceField(
        source="place_kind", choices=codes.PlaceKind.choices, read_only=True
    )
    locatie = serializers.CharField(source="location", read_only=True)
    kanaal = serializers.ChoiceField(
        source="channel", choices=codes.Channel.choices, read_only=True
    )
    platform = serializers.CharField(read_only=True, allow_blank=True)
    soorten = serializers.SerializerMethodField()
    ernst = serializers.ChoiceField(
        source="severity", choices=codes.Severity.choices, read_only=True
    )
    omschrijving = serializers.CharField(source="description", read_only=True)
    eenheid = serializers.UUIDField(source="unit_id", read_only=True, allow_null=True)
    slachtofferGroepen = serializers.SerializerMethodField()  # noqa: N815
    schadeEuro = serializers.DecimalField(  # noqa: N815
        source="damage_amount", max_digits=12, decimal_places=2, read_only=True, allow_null=True
    )
    geclaimdEuro = serializers.DecimalField(  # noqa: N815
        source="recovery_claimed", max_digits=12, decimal_places=2, read_only=True, allow_null=True
    )
    verhaaldEuro = serializers.DecimalField(  # noqa: N815
        source="recovery_received", max_digits=12, decimal_places=2, read_only=True, allow_null=True
    )
    afgeslotenOp = serializers.DateTimeField(  # noqa: N815
        source="closed_at", read_only=True, allow_null=True
    )
    bron = serializers.CharField(source="source", read_only=True)
    externId = serializers.CharField(source="external_id", read_only=True)  # noqa: N815
    namens = serializers.BooleanField(
        source="on_behalf", read_only=True, help_text=_("Reported on behalf of someone else.")
    )
    behandelaar = serializers.SerializerMethodField(
        help_text=_(
            "True when this is the handler's view with the handling fields; false for the "
            "reporter's view."
        )
    )

    def get_soorten(self, obj: Incident) -> list[str]:
        return obj.type_values

    def get_slachtofferGroepen(self, obj: Incident) -> list[str]:  # noqa: N802
        return obj.group_values

    def get_behandelaar(self, obj: Incident) -> bool:
        return self.is_handler_view(obj)

    def is_handler_view(self, instance: Incident) -> bool:
        return bool(getattr(instance, "can_handle", False))


@extend_schema_serializer(component_name="IncidentDetail")
class IncidentDetailSerializer(IncidentSerializer):
    """An incident with its status history. In the reporter's view (``behandelaar`` is false)
    the history has no ``toelichting`` and the properties that are only for handlers are left
    out."""

    statusgeschiedenis = serializers.SerializerMethodField()

    @extend_schema_field(TransitionSerializer(many=True))
    def get_statusgeschiedenis(self, obj: Incident) -> Any:
        context = {"can_handle": self.is_handler_view(obj)}
        return TransitionSerializer(selectors.status_history(obj), many=True, context=context).data


@extend_schema_serializer(component_name="IncidentGemeld")
class IncidentCreatedSerializer(serializers.Serializer[Any]):
    """The answer to a report: what identifies it; the incident itself is at ``Location``."""

    id = serializers.UUIDField(read_only=True)
    referentie = serializers.CharField(source="reference", read_only=True)
    status = serializers.ChoiceField(choices=codes.Status.choices, read_only=True)
    gemeldOp = serializers.DateTimeField(source="reported_at", read_only=True)  # noqa: N815


class IncidentCreateSerializer(serializers.Serializer[Any]):
    organisatie = serializers.UUIDField(
        required=False,
        help_text=_("Needed when you may report for more than one organisation."),
    )
    datumTijd = serializers.DateTimeField()  # noqa: N815
    soorten = TypesField(allow_empty=False)
    kanaal = serializers.ChoiceField(choices=codes.Channel.choices)
    platform = serializers.ChoiceField(
        choices=codes.Platform.choices, required=False, allow_blank=True
    )
    plaats = serializers.ChoiceField(choices=codes.PlaceKind.choices)
    locatie = serializers.CharField(required=False, allow_blank=True, max_length=200)
    ernst = serializers.ChoiceField(choices=codes.Severity.choices)
    omschrijving = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    eenheid = serializers.UUIDField(required=False, allow_null=True)
    slachtofferGroep = serializers.ChoiceField(  # noqa: N815
        choices=codes.VictimGroup.choices, default=codes.VictimGroup.EMPLOYEE
    )
    namensNaam = serializers.CharField(  # noqa: N815
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=_("Report on behalf of this person (needs the right to report for others)."),
    )
    daderSoort = serializers.ChoiceField(  # noqa: N815
        choices=codes.PerpetratorKind.choices, default=codes.PerpetratorKind.UNKNOWN
    )
    daderCategorie = serializers.ChoiceField(  # noqa: N815
        choices=codes.PerpetratorCategory.choices, default=codes.PerpetratorCategory.UNKNOWN
    )
    daderOmschrijving = serializers.CharField(  # noqa: N815
        required=False, allow_blank=True, max_length=300
    )


class IncidentUpdateSerializer(serializers.Serializer[Any]):
    datumTijd = serializers.DateTimeField(required=False)  # noqa: N815
    soorten = TypesField(required=False, allow_empty=False)
    kanaal = serializers.ChoiceField(choices=codes.Channel.choices, required=False)
    platform = serializers.ChoiceField(
        choices=codes.Platform.choices, required=False, allow_blank=True
    )
    plaats = serializers.ChoiceField(choices=codes.PlaceKind.choices, required=False)
    locatie = serializers.CharField(required=False, allow_blank=True, max_length=200)
    ernst = serializers.ChoiceField(choices=codes.Severity.choices, required=False)
    omschrijving = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    eenheid = serializers.UUIDField(required=False, allow_null=True)
    schadeEuro = serializers.DecimalField(  # noqa: N815
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    geclaimdEuro = serializers.DecimalField(  # noqa: N815
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    verhaaldEuro = serializers.DecimalField(  # noqa: N815
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )


UPDATE_FIELDS = {
    "datumTijd": "occurred_at",
    "soorten": "types",
    "kanaal": "channel",
    "platform": "platform",
    "plaats": "place_kind",
    "locatie": "location",
    "ernst": "severity",
    "omschrijving": "description",
    "eenheid": "unit",
    "schadeEuro": "damage_amount",
    "geclaimdEuro": "recovery_claimed",
    "verhaaldEuro": "recovery_received",
}


class TransitionCreateSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=codes.Status.choices)
    toelichting = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class IncidentFilterSerializer(serializers.Serializer[Any]):
    """The list's query parameters; validated, so a bad value is a 400."""

    status = serializers.ChoiceField(choices=codes.Status.choices, required=False)
    soort = serializers.ChoiceField(choices=codes.IncidentType.choices, required=False)
    kanaal = serializers.ChoiceField(choices=codes.Channel.choices, required=False)
    ernst = serializers.ChoiceField(choices=codes.Severity.choices, required=False)
    slachtofferGroep = serializers.ChoiceField(  # noqa: N815
        choices=codes.VictimGroup.choices, required=False
    )
    organisatie = serializers.UUIDField(required=False)
    eenheid = serializers.UUIDField(required=False)
    vanaf = serializers.DateField(required=False, help_text=_("Occurred on or after this date."))
    tot = serializers.DateField(required=False, help_text=_("Occurred on or before this date."))
    nazorg = serializers.ChoiceField(
        choices=[("open", "open"), ("verlopen", "verlopen")],
        required=False,
        help_text=_("Only incidents with open (or overdue) aftercare."),
    )
    zoek = serializers.CharField(
        required=False, max_length=100, help_text=_("Reference, or part of the description.")
    )


# --- the viewset -------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        operation_id="incidentenList",
        summary="Incidents you handle, and your own reports",
        parameters=[IncidentFilterSerializer],
    ),
    retrieve=extend_schema(
        operation_id="incidentGet",
        summary="One incident, with its status history",
        parameters=[ID_PARAMETER],
        responses=IncidentDetailSerializer,
    ),
    create=extend_schema(
        operation_id="incidentCreate",
        summary="Report an incident",
        request=IncidentCreateSerializer,
        responses={201: IncidentCreatedSerializer},
    ),
    partial_update=extend_schema(
        operation_id="incidentUpdate",
        summary="Change the facts of an incident (handlers)",
        parameters=[ID_PARAMETER],
        request=IncidentUpdateSerializer,
        responses={200: IncidentDetailSerializer},
    ),
)
class IncidentViewSet(viewsets.GenericViewSet[Incident]):
    serializer_class = IncidentSerializer
    lookup_value_regex = "[0-9a-fA-F-]{36}"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        filters = IncidentFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        qs = door.incidents_and_own_visible_to(self.request.user)
        if data.get("organisatie"):
            qs = qs.filter(organisation_id=data["organisatie"])
        if data.get("eenheid"):
            qs = qs.filter(unit_id=data["eenheid"])
        selection = selectors.IncidentFilters(
            status=data.get("status", ""),
            types=(data["soort"],) if data.get("soort") else (),
            channel=data.get("kanaal", ""),
            severity=data.get("ernst", ""),
            group=data.get("slachtofferGroep", ""),
            since=data.get("vanaf"),
            until=data.get("tot"),
            aftercare={"verlopen": "overdue", "open": "open"}.get(data.get("nazorg", ""), ""),
            q=data.get("zoek", ""),
        )
        return selectors.filter_incidents(qs, selection).order_by("-occurred_at", "-id")

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(IncidentSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        incident = door.access_incident(user=request.user, id=pk, request=request)
        return Response(IncidentDetailSerializer(incident).data)

    def create(self, request: Request) -> Response:
        body = IncidentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        unit = None
        if data.get("eenheid"):
            unit = self._unit(request, None, data["eenheid"])
        incident = _service_call(
            lambda: services.incident_report(
                actor=logged_in_user(request),
                organisation=data.get("organisatie") or (unit.organisation_id if unit else None),
                facts=services.ReportFacts(
                    occurred_at=data["datumTijd"],
                    types=data["soorten"],
                    channel=data["kanaal"],
                    platform=data.get("platform", ""),
                    severity=data["ernst"],
                    place_kind=data["plaats"],
                    location=data.get("locatie", ""),
                    description=data.get("omschrijving", ""),
                    unit=unit,
                ),
                victim=services.ReportedVictim(
                    group=data["slachtofferGroep"], name=data.get("namensNaam", "")
                ),
                perpetrator=services.ReportedPerpetrator(
                    kind=data["daderSoort"],
                    category=data["daderCategorie"],
                    description=data.get("daderOmschrijving", ""),
                ),
                request=request,
                channel_label="api",
            )
        )
        # A short answer with the incident's address: the report path stays lean, and GET gives
        # each caller their own view (the reporter's, or a handler's record).
        return Response(
            IncidentCreatedSerializer(incident).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api:incident-detail", args=[incident.pk])},
        )

    def partial_update(self, request: Request, pk: str) -> Response:
        body = IncidentUpdateSerializer(data=request.data, partial=True)  # parsed: 400/415 first
        incident = door.access_handled_incident(user=request.user, id=pk, request=request)
        body.is_valid(raise_exception=True)
        changes = {UPDATE_FIELDS[name]: value for name, value in body.validated_data.items()}
        if "unit" in changes:
            changes["unit"] = self._unit(request, incident.organisation, changes["unit"])
        updated = _service_call(
            lambda: services.incident_update(
                incident=incident,
                actor=logged_in_user(request),
                request=request,
                channel_label="api",
                **changes,
            )
        )
        updated.can_handle = True
        return Response(IncidentDetailSerializer(updated).data)

    @extend_schema(
        operation_id="incidentStatuswijzigingCreate",
        summary="Move an incident through the workflow (handlers)",
        parameters=[ID_PARAMETER],
        request=TransitionCreateSerializer,
        responses={201: TransitionSerializer},
    )
    @action(detail=True, methods=["post"], url_path="statuswijzigingen")
    def transitions(self, request: Request, pk: str) -> Response:
        body = TransitionCreateSerializer(data=request.data)  # parsed: 400/415 first
        incident = door.access_handled_incident(user=request.user, id=pk, request=request)
        body.is_valid(raise_exception=True)
        _service_call(
            lambda: services.incident_transition(
                incident=incident,
                actor=logged_in_user(request),
                to_status=body.validated_data["status"],
                note=body.validated_data.get("toelichting", ""),
                request=request,
                channel_label="api",
            )
        )
        latest = selectors.status_history(incident)[-1]
        return Response(
            TransitionSerializer(latest, context={"can_handle": True}).data,
            status=status.HTTP_201_CREATED,
        )

    # -- helpers ---------------------------------------------------------------------------------

    def _unit(self, request: Request, organisation: Any, wanted: Any) -> Any:
        """A unit the caller may see (of ``organisation``, when given)."""
        if wanted is None:
            return None
        unit = units_visible_to(request.user, organisation).filter(pk=wanted).first()
        if unit is None:
            raise exceptions.ValidationError({"eenheid": [_("Unknown unit.")]})
        return unit


def register(router: Any) -> None:
    router.register("incidenten", IncidentViewSet, basename="incident")
