"""Template helpers of incident registration: code-list labels without per-row overhead.

``{{ incident.channel|label:"channel" }}`` gives the translated label of a stored code. Django's
``get_FOO_display`` rebuilds a dictionary of the field's choices on every call; on a list of 50
rows with four coded columns that was a noticeable part of the page.
"""

from __future__ import annotations

from functools import cache

from django import template
from django.utils.translation import get_language

from vib.incidents import codes

register = template.Library()

LISTS = {
    "status": codes.Status,
    "channel": codes.Channel,
    "platform": codes.Platform,
    "severity": codes.Severity,
    "place_kind": codes.PlaceKind,
    "type": codes.IncidentType,
    "group": codes.VictimGroup,
}


@cache
def _labels(name: str, language: str | None) -> dict[str, str]:
    return {value: str(label) for value, label in LISTS[name].choices}


@register.filter
def label(value: str, name: str) -> str:
    """The translated label of ``value`` in the code list ``name`` (the value if unknown)."""
    return _labels(name, get_language()).get(value, value)


@register.filter
def type_labels(mask: int) -> str:
    """The labels of the incident types in a bit mask, comma separated."""
    names = _labels("type", get_language())
    return ", ".join(names[value] for value in codes.from_mask(mask, codes.TYPE_BITS))
