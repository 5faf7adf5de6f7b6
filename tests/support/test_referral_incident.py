"""The consented referral reaches the incident module through its services, for real."""

from __future__ import annotations

import pytest

from vib.access import support as access
from vib.access.incidents import access_incident, incidents_visible_to
from vib.core.errors import NotFound
from vib.support import codes, services

pytestmark = pytest.mark.django_db


def test_the_linked_incident_is_seen_by_the_municipality_and_the_case_is_not(sdemo, people):
    raadslid, adviser = people["raadslid"], people["steunpunt-adviseur"]
    help_request = services.help_request_submit(
        submitted_by=raadslid,
        organisation=sdemo.shared["tenants"]["a"],
        function=codes.Function.COUNCILLOR,
        theme=codes.Theme.ONLINE_HATE,
        urgency=codes.Urgency.URGENT,
        description="Het hele verhaal, alleen voor het steunteam.",
        contact=codes.Contact.PLATFORM,
    )
    services.case_take_on(help_request=help_request, actor=adviser)
    referral = services.referral_propose(
        help_request=help_request,
        actor=adviser,
        target=codes.ReferralTarget.INCIDENT,
        shared_summary="Bedreigd via sociale media.",
    )
    services.referral_decide(referral=referral, actor=raadslid, consent=True)
    referral = services.referral_create_linked(referral=referral, actor=adviser)

    coordinator = people["coordinator-ag"]
    incident = access_incident(user=coordinator, id=referral.linked_object_id)
    assert incident.organisation == help_request.organisation
    assert incident.description == "Bedreigd via sociale media."
    assert incident.channel == "sociale_media"
    assert incidents_visible_to(coordinator).filter(pk=incident.pk).exists()
    with pytest.raises(NotFound):
        access.access_case(user=coordinator, id=help_request.id)
    with pytest.raises(NotFound):  # the adviser holds no role in the municipality
        access_incident(user=adviser, id=incident.pk)


def test_integrity_referral_is_refused_clearly_until_that_service_exists(sdemo, people):
    adviser = people["steunpunt-adviseur"]
    help_request = services.help_request_submit(
        submitted_by=people["wethouder"],
        organisation=sdemo.shared["tenants"]["a"],
        function=codes.Function.ALDERMAN,
        theme=codes.Theme.INTEGRITY,
        urgency=codes.Urgency.NORMAL,
        description="Dilemma",
        contact=codes.Contact.PLATFORM,
    )
    services.case_take_on(help_request=help_request, actor=adviser)
    referral = services.referral_propose(
        help_request=help_request,
        actor=adviser,
        target=codes.ReferralTarget.INTEGRITY,
        shared_summary="Vraag over een nevenfunctie.",
    )
    services.referral_decide(referral=referral, actor=people["wethouder"], consent=True)
    from vib.core.errors import ValidationError

    with pytest.raises(ValidationError):
        services.referral_create_linked(referral=referral, actor=adviser)
    referral.refresh_from_db()
    assert referral.status == codes.ReferralStatus.CONSENTED
