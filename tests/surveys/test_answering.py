"""Answering through the link: routing, saving and resuming, validation, single use."""

from __future__ import annotations

import json

import pytest
from tests.surveys.conftest import VICTIM, frame_csv, link_tokens

from vib.surveys.models import Draft, Invitation, Response
from vib.surveys.questionnaires import InstrumentError, load_instrument, parse_instrument
from vib.surveys.services import FrameImportError, frame_import_csv, wave_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the visitor chose English
    return client


def _post(client, url, data):
    return client.post(url, data)


def _page_data(answers, questions):
    data = {}
    for q in questions:
        value = answers.get(q)
        if isinstance(value, list):
            data[q] = value
        elif isinstance(value, dict):
            data.update({f"{q}__{k}": v for k, v in value.items()})
        elif value is not None:
            data[q] = str(value)
    return data


def test_a_respondent_answers_stops_resumes_and_cannot_reuse_the_link(
    open_wave, mailoutbox, client
):
    token = link_tokens(mailoutbox)["p0@example.nl"]
    url = f"/monitor/antwoorden/{token}"
    instrument = load_instrument("office_holders-2016.1")
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "start"}).status_code == 302
    # Page 1, with a missing answer: an error, nothing stored beyond the page.
    response = client.post(url, {"page": 0, "action": "next", "years_in_office": "lt2"})
    assert response.status_code == 400
    assert b"error-summary" in response.content
    assert b"Answer this question." in response.content
    strata = {"tier": "gemeente", "function": "raadslid", "gender": "v"}
    page = 0
    while page < 3:
        group = instrument.visible_groups(VICTIM, strata)[page]
        data = _page_data(VICTIM, [q.id for q in group.questions])
        assert client.post(url, {"page": page, "action": "next", **data}).status_code == 302
        page += 1
    # Stop halfway: the answers so far are kept, encrypted, keyed by the token's digest only.
    assert b"saved" in client.post(url, {"page": page, "action": "stop"}).content
    draft = Draft.objects.get()
    assert json.loads(draft.answers)["ag_types"] == ["verbal", "threat"]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT answers FROM {Draft._meta.db_table}")  # noqa: S608 - constant
        assert "threat" not in cursor.fetchone()[0]  # encrypted at rest
    # Resume in a new browser: we are back on page 4 with a welcome-back note.
    client.cookies.clear()
    client.cookies["django_language"] = "en"
    resumed = client.get(url)
    assert b"Welcome back" in resumed.content
    assert instrument.visible_groups(VICTIM, strata)[3].title.en.encode() in resumed.content
    groups = instrument.visible_groups(VICTIM, strata)
    while page < len(groups):
        data = _page_data(VICTIM, [q.id for q in groups[page].questions])
        response = client.post(url, {"page": page, "action": "next", **data})
        assert response.status_code == 302, response.content.decode()[:2000]
        page += 1
    assert response["Location"] == "/monitor/bedankt"
    assert Response.objects.count() == 1
    assert Response.objects.get().answers["ag_channels"] == ["social_media"]
    assert not Draft.objects.exists()
    # The link is spent.
    again = client.get(url)
    assert again.status_code == 410
    assert client.post(url, {"page": 0, "action": "next"}).status_code == 410
    assert Response.objects.count() == 1


def test_routing_skips_the_incident_block_for_non_victims():
    instrument = load_instrument("office_holders-2016.1")
    strata = {"tier": "gemeente", "function": "raadslid", "gender": ""}
    ids = [g.id for g in instrument.visible_groups({"ag_types": ["none"]}, strata)]
    assert "recent_incident" not in ids
    assert "aggression_details" not in ids
    assert "recent_incident" in [g.id for g in instrument.visible_groups(VICTIM, strata)]
    # Stale answers to questions no longer routed are dropped.
    pruned = instrument.prune({**VICTIM, "ag_types": ["none"]}, strata)
    assert "incident_type" not in pruned


def test_the_organisation_questionnaire_routes_by_function():
    instrument = load_instrument("organisations-2016.1")
    secretaris = [g.id for g in instrument.visible_groups({}, {"function": "secretaris"})]
    griffier = [g.id for g in instrument.visible_groups({}, {"function": "griffier"})]
    assert "integrity_staff" in secretaris
    assert "integrity_staff" not in griffier
    assert "integrity_representatives" in griffier


def test_bad_and_unknown_links_look_the_same(client, open_wave):
    assert client.get("/monitor/antwoorden/" + "x" * 43).status_code == 404
    assert client.get("/monitor/antwoorden/short").status_code == 404


def test_an_invalid_answer_is_refused_and_not_stored(open_wave, mailoutbox, client):
    token = link_tokens(mailoutbox)["p1@example.nl"]
    url = f"/monitor/antwoorden/{token}"
    client.post(url, {"action": "start"})
    response = client.post(
        url, {"page": 0, "action": "next", "years_in_office": "forever", "hours_per_week": "many"}
    )
    assert response.status_code == 400
    assert b"Choose from the answers shown." in response.content
    assert b"Enter a whole number." in response.content
    assert json.loads(Draft.objects.get().answers) == {}


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "code: x\nversion: '1'\ntitle: {nl: a, en: b}\nintro: {nl: a, en: b}\ngroups: []",
            "needs a list of groups",
        ),
        (
            "code: x\nversion: '1'\ntitle: {nl: a}\nintro: {nl: a, en: b}\ngroups: [{id: g}]",
            "exactly the languages",
        ),
        (
            "code: x\nversion: '1'\ntitle: {nl: a, en: b}\nintro: {nl: a, en: b}\ngroups:\n"
            "- id: g\n  title: {nl: a, en: b}\n  questions:\n"
            "  - {id: q, type: single, text: {nl: a, en: b}, options: [\n"
            "      {value: a, label: {nl: a, en: b}}, {value: b, label: {nl: a, en: b}}]}\n"
            "  - {id: r, type: number, min: 0, max: 3, text: {nl: a, en: b},\n"
            "     show_if: {question: q, equals: a}}\n",
            "not a question of an earlier group",
        ),
    ],
)
def test_invalid_instruments_are_refused_with_the_place(source, message):
    with pytest.raises(InstrumentError, match=message):
        parse_instrument(source, name="test.yaml")


def test_a_bad_frame_file_names_every_problem_and_writes_nothing(wave, researcher):
    bad = frame_csv(
        [
            ("office_holders", "a@example.nl", "gemeente", "GM0344", "raadslid", "v"),
            ("office_holders", "not-an-address", "gemeente", "GM0344", "raadslid", "v"),
            ("unknown", "b@example.nl", "stad", "GM9999", "koning", "q"),
            ("office_holders", "a@example.nl", "gemeente", "GM0344", "raadslid", "v"),
        ]
    )
    with pytest.raises(FrameImportError) as caught:
        frame_import_csv(actor=researcher, wave=wave, file=bad)
    messages = [str(e) for e in caught.value.errors]
    assert any("Line 3, column email" in m for m in messages)
    assert any("Line 4, column instrument" in m for m in messages)
    assert any("Line 4, column tier" in m for m in messages)
    assert any("Line 4, column function" in m for m in messages)
    assert any("Line 4, column gender" in m for m in messages)
    assert any("Line 5, column email" in m for m in messages)
    assert not Invitation.objects.exists()


def test_a_wave_needs_a_link_in_its_texts(researcher, org):
    import datetime as dt

    from vib.core.errors import ValidationError

    with pytest.raises(ValidationError) as caught:
        wave_create(
            actor=researcher,
            organisation=org,
            edition=2026,
            title="W",
            field_start=dt.date(2026, 1, 2),
            field_end=dt.date(2026, 1, 1),
            instruments=["nope-1"],
            invitation_body="no link here",
        )
    assert set(caught.value.message_dict) == {"invitation_body", "field_end", "instruments"}


def test_reminders_go_only_to_those_who_have_not_answered(open_wave, mailoutbox, researcher):
    from django.test import TestCase

    from vib.surveys.services import reminders_send, response_submit

    tokens = link_tokens(mailoutbox)
    response_submit(token=tokens["p0@example.nl"], answers=VICTIM)
    mailoutbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        count = reminders_send(actor=researcher, wave=open_wave, base_url="http://testserver")
    assert count == len(tokens) - 1
    reminded = link_tokens(mailoutbox)
    assert "p0@example.nl" not in reminded
    assert reminded["p1@example.nl"] == tokens["p1@example.nl"]  # the same link
