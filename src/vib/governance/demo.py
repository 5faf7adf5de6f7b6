"""Demo part of the governance module: an inventory for tenant A and checklists, including
synthetic answers of comparable municipalities so the benchmark has a group to show."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from vib.core.demo import DemoContext
from vib.governance import checklist
from vib.governance.models import (
    Answer,
    PolicyAnswer,
    PolicyChecklist,
    ProcessKind,
    ProcessReview,
    Risk,
    Safeguard,
    VulnerableProcess,
)
from vib.organisations.models import Organisation

PROCESSES = [
    (
        "Inkoop en aanbesteding",
        ProcessKind.PROCUREMENT,
        Risk.HIGH,
        ["inkoper"],
        [Safeguard.SEGREGATION, Safeguard.FOUR_EYES, Safeguard.VOG],
    ),
    (
        "Omgevingsvergunningen",
        ProcessKind.PERMITS,
        Risk.MEDIUM,
        ["vergunningverlener"],
        [Safeguard.FOUR_EYES],
    ),
    (
        "Toezicht en handhaving",
        ProcessKind.ENFORCEMENT,
        Risk.HIGH,
        ["handhaver"],
        [Safeguard.ROTATION],
    ),
    ("Subsidieverlening", ProcessKind.SUBSIDIES, Risk.MEDIUM, ["subsidieadviseur"], []),
    (
        "Basisregistratie personen",
        ProcessKind.INFORMATION,
        Risk.MEDIUM,
        ["medewerker burgerzaken"],
        [Safeguard.SCREENING, Safeguard.VOG],
    ),
]


def build(ctx: DemoContext) -> None:
    tenants = ctx.shared["tenants"]
    users = ctx.shared["users"]
    rng = ctx.rng
    today = timezone.localdate()
    a = tenants["a"]
    for index, (name, kind, risk, functions, safeguards) in enumerate(PROCESSES):
        reviewed = today - timedelta(days=200 + 100 * index)
        process = VulnerableProcess.objects.create(
            organisation=a,
            name=name,
            kind=kind,
            risk=risk,
            functions=functions,
            safeguards=[str(s) for s in safeguards],
            owner="Afdelingshoofd (demo)",
            last_reviewed_on=reviewed,
            next_review_on=reviewed + timedelta(days=365),
        )
        ProcessReview.objects.create(
            process=process,
            reviewed_on=reviewed,
            reviewer=users["secretaris"],
            risk=risk,
            safeguards=process.safeguards,
            note="Jaarlijkse herbeoordeling (demo).",
        )

    # Checklists: tenant A answered by secretaris and griffier; comparable municipalities get
    # synthetic answers so the (suppressed-when-small) benchmark has something to show.
    items = checklist.items()
    peers = list(
        Organisation.objects.filter(tier=a.tier, inhabitants__gte=100_000).exclude(pk=a.pk)[:14]
    )
    sheets = [
        PolicyChecklist(organisation=org, year=today.year, version=checklist.CURRENT_VERSION)
        for org in [a, *peers]
    ]
    PolicyChecklist.objects.bulk_create(sheets)
    answers = []
    now = timezone.now()
    for sheet in sheets:
        own = sheet.organisation_id == a.pk
        for item in items:
            for audience in item.audiences:
                if own and rng.random() < 0.15:
                    continue  # tenant A has not finished yet
                value = rng.choices(
                    [Answer.YES, Answer.PARTLY, Answer.NO], weights=[0.65, 0.2, 0.15]
                )[0]
                answerer = users[
                    "griffier" if audience == checklist.Audience.REPRESENTATIVES else "secretaris"
                ]
                answers.append(
                    PolicyAnswer(
                        checklist=sheet,
                        item=item.code,
                        audience=audience,
                        answer=value,
                        answered_by=answerer if own else None,
                        answered_at=now,
                    )
                )
    PolicyAnswer.objects.bulk_create(answers)
