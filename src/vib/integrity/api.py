"""API for case handlers: ``/integriteitszaken`` (cases), ``…/{id}/berichten`` (messages) and
``…/{id}/termijnen`` (deadlines). Only the case team sees a case; everyone else gets the same
404 as for a case that does not exist. Reporter identities are never in the API.
"""

from __future__ import annotations

import contextlib
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
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from vib.access import integrity as door
from vib.accounts.middleware import logged_in_user
from vib.audit.models import Action
from vib.audit.services import audit_record
from vib.integrity import codes, selectors, services
from vib.integrity.deadlines import deadlines_of
from vib.integrity.models import Case

ID_PARAMETER = OpenApiParameter(
    "id", OpenApiTypes.UUID, OpenApiParameter.PATH, description=_("The case's id.")
)


@extend_schema_serializer(component_name="IntegriteitsTermijn")
class DeadlineSerializer(serializers.Serializer[Any]):
    soort = serializers.ChoiceField(
        choices=[("acknowledgement", _("Acknowledgement")), ("feedback", _("Feedback"))],
        source="kind",
    )
    uiterlijk = serializers.DateField(source="due", help_text=_("The last day allowed."))
    voldaanOp = serializers.DateTimeField(source="met_at", allow_null=True)  # noqa: N815
    verlopen = serializers.BooleanField(help_text=_("Passed without being met."))


def _deadlines(case: Case) -> list[dict[str, Any]]:
    from django.utils import timezone

    today = timezone.localdate()
    return [
        {"kind": d.kind, "due": d.due, "met_at": d.met_at, "verlopen": d.overdue(today)}
        for d in deadlines_of(case)
    ]


@extend_schema_serializer(component_name="Integriteitszaak")
class CaseSerializer(serializers.ModelSerializer[Case]):
    kenmerk = serializers.CharField(source="reference", read_only=True)
    organisatie = serializers.UUIDField(source="organisation_id", read_only=True)
    soort = serializers.ChoiceField(source="case_type", choices=codes.CaseType.choices)
    kanaal = serializers.ChoiceField(source="channel", choices=codes.Channel.choices)
    vorm = serializers.ChoiceField(source="form", choices=codes.Form.choices)
    categorie = serializers.SerializerMethodField()
    ontvangenOp = serializers.DateTimeField(source="received_at")  # noqa: N815
    ontvangstBevestigdOp = serializers.DateTimeField(source="acknowledged_at", allow_null=True)  # noqa: N815
    afgeslotenOp = serializers.DateTimeField(source="closed_at", allow_null=True)  # noqa: N815
    uitkomst = serializers.ChoiceField(
        source="outcome", choices=codes.Outcome.choices, allow_blank=True
    )
    termijnen = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "kenmerk",
            "organisatie",
            "soort",
            "kanaal",
            "vorm",
            "status",
            "categorie",
            "ontvangenOp",
            "ontvangstBevestigdOp",
            "afgeslotenOp",
            "uitkomst",
            "termijnen",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "nullable": True})
    def get_categorie(self, obj: Case) -> str | None:
        return obj.category.code if obj.category_id else None  # type: ignore[union-attr]

    @extend_schema_field(DeadlineSerializer(many=True))
    def get_termijnen(self, obj: Case) -> list[dict[str, Any]]:
        return DeadlineSerializer(_deadlines(obj), many=True).data  # type: ignore[return-value]


@extend_schema_serializer(component_name="IntegriteitsBericht")
class MessageSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(read_only=True, allow_null=True)
    auteur = serializers.ChoiceField(
        source="author_kind", choices=codes.Author.choices, read_only=True
    )
    tekst = serializers.CharField(source="body", max_length=20_000)
    naarMelder = serializers.BooleanField(source="to_reporter", default=False)  # noqa: N815
    naarVertrouwenspersoon = serializers.BooleanField(source="to_adviser", default=False)  # noqa: N815
    isVraag = serializers.BooleanField(source="is_question", default=False)  # noqa: N815
    aangemaaktOp = serializers.DateTimeField(source="at", read_only=True)  # noqa: N815


@extend_schema_view(
    list=extend_schema(operation_id="integriteitszakenList", summary="My integrity cases"),
    retrieve=extend_schema(
        operation_id="integriteitszaakGet", summary="One integrity case", parameters=[ID_PARAMETER]
    ),
)
class CaseViewSet(viewsets.GenericViewSet[Case]):
    """Integrity cases of the case teams the caller is on."""

    serializer_class = CaseSerializer
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self) -> Any:
        return door.cases_visible_to(self.request.user).order_by("-received_at")

    def list(self, request: Request) -> Response:
        audit_record(
            actor=logged_in_user(request),
            action=Action.LIST,
            object_type=door.CASE_TYPE,
            request=request,
            channel="api",
        )
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CaseSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        case = door.access_case(user=request.user, id=pk, request=request)
        return Response(CaseSerializer(case).data)

    @extend_schema(
        methods=["GET"],
        operation_id="integriteitszaakBerichtenList",
        summary="Messages and internal notes of a case",
        parameters=[ID_PARAMETER],
        responses=MessageSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        operation_id="integriteitszaakBerichtCreate",
        summary="Write to the reporter, or add an internal note",
        parameters=[ID_PARAMETER],
        request=MessageSerializer,
        responses={201: MessageSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="berichten")
    def messages(self, request: Request, pk: str) -> Response:
        if request.method == "POST":
            # Unreadable bodies (400/415) first: that says nothing about the case; then the
            # door (404), then the fields (400) of a case the caller may write to.
            data = request.data
            case = door.access_case(user=request.user, id=pk, request=request)
            serializer = MessageSerializer(data=data)
            serializer.is_valid(raise_exception=True)
            message = services.message_add(
                case=case,
                actor=logged_in_user(request),
                body=serializer.validated_data["body"],
                to_reporter=serializer.validated_data["to_reporter"],
                to_adviser=serializer.validated_data["to_adviser"],
                is_question=serializer.validated_data["is_question"],
            )
            view = next(
                m for m in selectors.conversation(case, audience="team") if m.id == message.id
            )
            return Response(MessageSerializer(view).data, status=status.HTTP_201_CREATED)
        self._check_page_parameters(request)
        case = door.access_case(user=request.user, id=pk, request=request)
        views = [m for m in selectors.conversation(case, audience="team") if m.id is not None]
        page = self.paginate_queryset(views)
        return self.get_paginated_response(MessageSerializer(page, many=True).data)

    def _check_page_parameters(self, request: Request) -> None:
        """Malformed paging is a 400 before the case is looked up (which says nothing)."""
        with contextlib.suppress(NotFound):
            self.paginator.paginate_queryset([], request, view=self)  # type: ignore[union-attr]

    @extend_schema(
        operation_id="integriteitszaakTermijnenList",
        summary="The legal deadlines of a case",
        parameters=[ID_PARAMETER],
        responses=DeadlineSerializer(many=True),
    )
    @action(detail=True, url_path="termijnen")
    def deadlines(self, request: Request, pk: str) -> Response:
        self._check_page_parameters(request)
        case = door.access_case(user=request.user, id=pk, request=request)
        # Paginated like every list of the API (and as documented), though a case has two.
        page = self.paginate_queryset(_deadlines(case))
        return self.get_paginated_response(DeadlineSerializer(page, many=True).data)


def register(router: Any) -> None:
    router.register("integriteitszaken", CaseViewSet, basename="integrity-case")
