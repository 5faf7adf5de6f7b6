"""API of the governance module: the vulnerable-process inventory (through ``vib.access``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers, viewsets

from vib.access.governance import access_vulnerable_process, vulnerable_processes_visible_to
from vib.governance.models import VulnerableProcess


@extend_schema_serializer(component_name="KwetsbaarProces")
class VulnerableProcessSerializer(serializers.ModelSerializer[VulnerableProcess]):
    organisatie = serializers.UUIDField(source="organisation_id", read_only=True)
    naam = serializers.CharField(source="name", read_only=True)
    soort = serializers.CharField(source="kind", read_only=True)
    risico = serializers.CharField(source="risk", read_only=True)
    kwetsbareFuncties = serializers.ListField(  # noqa: N815
        source="functions", child=serializers.CharField(), read_only=True
    )
    waarborgen = serializers.ListField(
        source="safeguards", child=serializers.CharField(), read_only=True
    )
    laatsteBeoordeling = serializers.DateField(  # noqa: N815
        source="last_reviewed_on", read_only=True, allow_null=True
    )
    volgendeBeoordeling = serializers.DateField(source="next_review_on", read_only=True)  # noqa: N815

    class Meta:
        model = VulnerableProcess
        fields = [
            "id",
            "organisatie",
            "naam",
            "soort",
            "risico",
            "kwetsbareFuncties",
            "waarborgen",
            "laatsteBeoordeling",
            "volgendeBeoordeling",
        ]


class VulnerableProcessViewSet(viewsets.ReadOnlyModelViewSet[VulnerableProcess]):
    """The vulnerable processes of the caller's organisations (internal, not public)."""

    serializer_class = VulnerableProcessSerializer
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self) -> Any:
        return vulnerable_processes_visible_to(self.request.user).order_by("kind", "name", "id")

    def get_object(self) -> VulnerableProcess:
        return access_vulnerable_process(
            user=self.request.user, id=self.kwargs["pk"], request=self.request
        )


def register(router: Any) -> None:
    router.register("kwetsbare-processen", VulnerableProcessViewSet, basename="vulnerable-process")
