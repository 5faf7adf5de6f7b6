"""Vulnerable processes (coverage, reviews, access) and the policy checklist (code list,
who answers what, benchmark with suppression, monitor pre-fill)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from vib.core.errors import ValidationError
from vib.governance import checklist, selectors, services
from vib.governance.models import PolicyAnswer, PolicyChecklist, VulnerableProcess
from vib.organisations.models import Organisation, Tier

pytestmark = pytest.mark.django_db
FUTURE = date(2099, 1, 1)


def test_code_list_holds_the_13_basic_norms_and_ag_items():
    assert len(checklist.basic_norms()) == 13
    codes = [i.code for i in checklist.items()]
    assert len(codes) == len(set(codes))
    assert {
        "ag_protocol",
        "ag_registration",
        "ag_coordinator",
        "ag_training",
        "ag_aftercare",
    } <= set(codes)
    assert all(i.monitor_question for i in checklist.items())


def test_process_inventory_coverage_and_review(org, person):
    secretaris = person("secretaris", "secretaris")
    with pytest.raises(ValidationError) as error:
        services.vulnerable_process_create(
            actor=secretaris,
            organisation=org,
            name="Inkoop",
            kind="procurement",
            risk="extreme",
            safeguards=["magic"],
            next_review_on=date(2000, 1, 1),
        )
    assert set(error.value.message_dict) == {"risk", "safeguards", "next_review_on"}
    assert VulnerableProcess.objects.count() == 0
    high = services.vulnerable_process_create(
        actor=secretaris,
        organisation=org,
        name="Inkoop",
        kind="procurement",
        risk="high",
        safeguards=["rotation"],
        functions=["inkoper", "Inkoper "],
        next_review_on=FUTURE,
    )
    assert high.functions == ["inkoper"]
    services.vulnerable_process_create(
        actor=secretaris,
        organisation=org,
        name="Vergunningen",
        kind="permits",
        risk="medium",
        safeguards=["four_eyes"],
        next_review_on=FUTURE,
    )
    coverage = selectors.process_coverage(processes=list(VulnerableProcess.objects.all()))
    assert coverage.total == 2
    assert coverage.under_protected == 1
    assert coverage.missing_kinds == ["protection of confidential information"]
    services.vulnerable_process_review(
        actor=secretaris,
        process=high,
        risk="high",
        safeguards=["rotation", "four_eyes"],
        next_review_on=FUTURE,
        note="Vier ogen ingevoerd.",
    )
    coverage = selectors.process_coverage(processes=list(VulnerableProcess.objects.all()))
    assert coverage.under_protected == 0
    assert high.reviews.count() == 1
    assert selectors.vulnerable_functions(organisation=org) == {"inkoper": ("Inkoop",)}
    with pytest.raises(PermissionDenied):
        services.vulnerable_process_create(
            actor=person("medewerker", "reporter"),
            organisation=org,
            name="X",
            kind="hr",
            risk="low",
            next_review_on=FUTURE,
        )


def test_process_access(org, person, client):
    secretaris = person("secretaris", "secretaris")
    process = services.vulnerable_process_create(
        actor=secretaris,
        organisation=org,
        name="Inkoop",
        kind="procurement",
        risk="high",
        next_review_on=FUTURE,
    )
    other = Organisation.objects.create(
        code="GM9922", name="Ander", tier=Tier.GEMEENTE, reference_date=date(2026, 1, 1)
    )
    readers = {
        "secretaris": True,
        "registrar": True,
        "manager": True,
        "reporter": False,
        "griffier": False,
        "confidential_adviser": False,
    }
    for role, may in readers.items():
        client.force_login(secretaris if role == "secretaris" else person(f"x-{role}", role))
        assert client.get(f"/beleid/processen/{process.id}").status_code == (200 if may else 404)
    client.force_login(person("other-secretaris", "secretaris", organisation=other))
    assert client.get(f"/beleid/processen/{process.id}").status_code == 404
    assert client.get(f"/beleid/processen/{uuid.uuid4()}").status_code == 404


def test_checklist_answers_by_owner(org, person):
    secretaris, griffier = person("secretaris", "secretaris"), person("griffier", "griffier")
    staff, reps = checklist.Audience.STAFF, checklist.Audience.REPRESENTATIVES
    services.checklist_answer(
        actor=secretaris,
        organisation=org,
        year=2026,
        answers={("code_of_conduct", staff): ("yes", ""), ("screening", staff): ("no", "")},
    )
    with pytest.raises(PermissionDenied):
        services.checklist_answer(
            actor=secretaris,
            organisation=org,
            year=2026,
            answers={("code_of_conduct", reps): ("yes", "")},
        )
    with pytest.raises(ValidationError):
        services.checklist_answer(
            actor=griffier,
            organisation=org,
            year=2026,
            answers={("screening", reps): ("yes", "")},  # screening is for staff only
        )
    services.checklist_answer(
        actor=griffier,
        organisation=org,
        year=2026,
        answers={("code_of_conduct", reps): ("partly", "In herziening.")},
    )
    assert PolicyAnswer.objects.count() == 3
    assert selectors.checklist_for_monitor(organisation=org, year=2026) == {
        "O2": {"staff": "yes", "representatives": "partly"},
        "O3": {"staff": "no"},
    }


def test_benchmark_suppresses_small_groups(org, person, django_assert_max_num_queries):
    secretaris = person("secretaris", "secretaris")
    staff = checklist.Audience.STAFF
    services.checklist_answer(
        actor=secretaris,
        organisation=org,
        year=2026,
        answers={("code_of_conduct", staff): ("yes", ""), ("oath", staff): ("no", "")},
    )
    peers = [
        Organisation.objects.create(
            code=f"GM98{i:02d}",
            name=f"Peer {i}",
            tier=Tier.GEMEENTE,
            inhabitants=25_000 + i,
            reference_date=date(2026, 1, 1),
        )
        for i in range(14)
    ]
    for index, peer in enumerate(peers):
        sheet = PolicyChecklist.objects.create(organisation=peer, year=2026, version="2026.1")
        PolicyAnswer.objects.create(
            checklist=sheet,
            item="code_of_conduct",
            audience=staff,
            answer="yes" if index % 2 else "no",
            answered_at="2026-01-01T00:00Z",
        )
        if index < 5:  # only 5 + own answer "oath": a group under 10
            PolicyAnswer.objects.create(
                checklist=sheet,
                item="oath",
                audience=staff,
                answer="yes",
                answered_at="2026-01-01T00:00Z",
            )
    with django_assert_max_num_queries(4):
        benchmark = selectors.checklist_benchmark(organisation=org, year=2026)
    rows = {(r.item.code, r.audience): r for r in benchmark.rows}
    conduct = rows[("code_of_conduct", staff)]
    assert conduct.own == "yes"
    assert conduct.group_size == 15
    assert conduct.share_yes == pytest.approx(8 / 15)
    assert rows[("oath", staff)].share_yes is None  # 6 answers: suppressed
    assert benchmark.group_size == 15
