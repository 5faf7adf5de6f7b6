"""The thin adapter between a consented referral and the other modules' *services* (ADR 0042).

The support desk never touches another module's models: a referral to the organisation's own
incident process goes through ``vib.incidents.services.incident_report``. Everything the
other module needs to know about the support desk's codes is translated here, in one place,
so a change of the incident service's signature is a change of this file only.

What crosses over: the consented summary (written by the adviser, read and approved by the
office holder), the office holder as the person it happened to, a coarse mapping of the theme
to incident type and channel, and the moment of the request. Nothing of the conversation,
the plan or the home security.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from vib.accounts.models import Actor
from vib.core.errors import ValidationError
from vib.support import codes

#: Recorded in the incident's audit trail as the channel through which it came in.
CHANNEL_LABEL = "steunpunt"


@dataclass(frozen=True)
class Link:
    object_type: str
    object_id: str


EXECUTIVES = {
    codes.Function.MAYOR,
    codes.Function.ALDERMAN,
    codes.Function.KINGS_COMMISSIONER,
    codes.Function.DEPUTY,
    codes.Function.DIKE_REEVE,
    codes.Function.WATER_BOARD_EXECUTIVE,
    codes.Function.MINISTER,
}

# theme → (incident types, channel, place) in the incident module's codes
INCIDENT_FACTS: dict[str, tuple[list[str], str, str]] = {
    codes.Theme.ONLINE_HATE: (["bedreiging"], "sociale_media", "online"),
    codes.Theme.SAFETY: (["bedreiging"], "anders", "anders"),
    codes.Theme.FAMILY: (["intimidatie"], "anders", "thuis"),
    codes.Theme.SUBVERSION: (["intimidatie"], "anders", "anders"),
    codes.Theme.INTEGRITY: (["intimidatie"], "anders", "anders"),
}

SEVERITY = {
    codes.Urgency.ACUTE: "zeer_ernstig",
    codes.Urgency.URGENT: "ernstig",
    codes.Urgency.NORMAL: "ernstig",
}


def create_linked(*, target: str, help_request: Any, summary: str, actor: Actor) -> Link:
    if target == codes.ReferralTarget.INCIDENT:
        return create_linked_incident(help_request=help_request, summary=summary)
    # The integrity module offers no service for an advice case yet (see the report, ADR 0042).
    raise ValidationError(
        _("Referral to the integrity process is not available yet. Refer by phone for now.")
    )


def create_linked_incident(*, help_request: Any, summary: str) -> Link:
    """Report the incident in the office holder's organisation, as the office holder's own.

    The incident service authorises its *actor* by the ``incidents.report`` capability in the
    organisation; the support adviser holds no role there, and the report is the office
    holder's (they consented to exactly this text), so the office holder is the actor and the
    person it happened to. The adviser who pressed the button is in the support audit trail.
    """
    try:
        from vib.incidents.services import ReportedVictim, ReportFacts, incident_report
    except ImportError:  # pragma: no cover - the incidents module is part of every install
        raise ValidationError(_("The incident module is not available.")) from None
    types, channel, place = INCIDENT_FACTS[help_request.theme]
    incident = incident_report(
        actor=help_request.office_holder,
        organisation=help_request.organisation,
        facts=ReportFacts(
            occurred_at=help_request.submitted_at,
            types=types,
            channel=channel,
            severity=SEVERITY[help_request.urgency],
            place_kind=place,
            description=summary,
        ),
        victim=ReportedVictim(
            group="bestuurder" if help_request.function in EXECUTIVES else "volksvertegenwoordiger",
            function=help_request.function,
        ),
        channel_label=CHANNEL_LABEL,
    )
    return Link(object_type="incidents.incident", object_id=str(incident.pk))
