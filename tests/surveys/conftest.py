from __future__ import annotations

import pytest
from django.utils import timezone, translation


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the msgids); the site itself defaults to Dutch."""
    with translation.override("en"):
        yield


@pytest.fixture
def org(db):
    from vib.organisations.models import Organisation, Tier

    return Organisation.objects.create(
        code="GM0344", name="Utrecht", tier=Tier.GEMEENTE, reference_date="2025-01-01"
    )


@pytest.fixture
def researcher(org):
    from vib.accounts.services import role_assign, user_create

    user = user_create(email="onderzoeker@example.nl", full_name="Onderzoeker", password="x" * 14)
    role_assign(user=user, role="monitor_researcher", organisation=org)
    return user


def make_wave(researcher, org, **kwargs):
    import datetime as dt

    from vib.surveys.services import wave_create

    today = timezone.localdate()
    values = {
        "edition": 2026,
        "title": "Test wave",
        "field_start": today - dt.timedelta(days=1),
        "field_end": today + dt.timedelta(days=30),
        "instruments": ["office_holders-2016.1", "employees-2016.1", "organisations-2016.1"],
    }
    values.update(kwargs)
    return wave_create(actor=researcher, organisation=org, **values)


def frame_csv(rows):
    import io

    lines = ["instrument,email,tier,organisation,function,gender"]
    lines += [",".join(r) for r in rows]
    return io.StringIO("\n".join(lines) + "\n")


@pytest.fixture
def wave(researcher, org):
    return make_wave(researcher, org)


@pytest.fixture
def open_wave(wave, researcher, org, mailoutbox):
    """A wave in the field with 30 office holders and 2 organisation respondents, invited."""
    from vib.surveys.services import frame_import_csv, invitations_send

    rows = [
        (
            "office_holders",
            f"p{i}@example.nl",
            "gemeente",
            "GM0344",
            ("raadslid", "wethouder", "burgemeester")[i % 3],
            "vm"[i % 2],
        )
        for i in range(30)
    ]
    rows += [
        ("organisations", "sec@example.nl", "gemeente", "GM0344", "secretaris", ""),
        ("organisations", "grif@example.nl", "gemeente", "GM0344", "griffier", ""),
    ]
    frame_import_csv(actor=researcher, wave=wave, file=frame_csv(rows))
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        invitations_send(actor=researcher, wave=wave, base_url="http://testserver")
    wave.refresh_from_db()
    return wave


def link_tokens(mailoutbox):
    """email address -> token, read from the sent mail."""
    import re

    found = {}
    for message in mailoutbox:
        match = re.search(r"/monitor/antwoorden/([A-Za-z0-9_-]+)", message.body)
        found[message.to[0]] = match.group(1)
    return found


VICTIM = {
    "years_in_office": "y2_5",
    "hours_per_week": 20,
    "ag_types": ["verbal", "threat"],
    "ag_family": "no",
    "ag_channels": ["social_media"],
    "ag_count": 3,
    "incident_type": "threat",
    "incident_seriousness": 4,
    "incident_reported": "yes",
    "incident_aangifte": "no",
    "incident_registered": "dont_know",
    "incident_aftercare": "none",
    "incident_consequences": ["sleep"],
    "influence_decisions": "yes",
    "avoidance": ["none"],
    "safety_feeling": 3,
    "training": "never",
    "integrity_seen": ["none"],
    "integrity_advice": "no",
    "integrity_climate": {
        "open_discussion": "agree",
        "clear_rules": "neutral",
        "good_example": "agree",
    },
}
NOT_VICTIM = {
    **{
        k: v
        for k, v in VICTIM.items()
        if not k.startswith(("ag_", "incident_", "influence", "avoid"))
    },
    "ag_types": ["none"],
    "ag_family": "no",
}
