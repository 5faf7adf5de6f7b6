"""Demo part of the integrity module: realistic, synthetic cases across categories and
outcomes, some anonymous with ongoing conversations. Reproducible from ``ctx.rng``."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils.translation import gettext as _

from vib.core.demo import DemoContext, DemoLogin
from vib.integrity import codes, receipts, services
from vib.integrity.models import Case, CaseStatusChange, ViolationCategory

MEASURES = [
    ("Ontslag", codes.MeasureCategory.DISMISSAL),
    ("Schriftelijke berisping", codes.MeasureCategory.REPRIMAND),
    ("Overplaatsing", codes.MeasureCategory.TRANSFER),
    ("Waarschuwing door leidinggevende", codes.MeasureCategory.OTHER),
    ("Coachingstraject", codes.MeasureCategory.OTHER),
    ("Geen maatregel", codes.MeasureCategory.NONE),
]

STORIES = [
    (
        "financial",
        "Een collega declareert reiskosten voor dienstreizen die niet hebben plaatsgevonden.",
    ),
    ("conflict_of_interest", "Een inkoper gunt opdrachten aan het bedrijf van zijn zwager."),
    (
        "information",
        "Vertrouwelijke stukken over een aanbesteding zijn bij een inschrijver beland.",
    ),
    (
        "powers",
        "Een handhaver ziet overtredingen bij een bevriende ondernemer bewust over het hoofd.",
    ),
    (
        "behaviour",
        "Een leidinggevende maakt herhaaldelijk seksueel getinte opmerkingen in het team.",
    ),
    ("behaviour", "Een medewerker wordt al maanden buitengesloten en gepest door collega's."),
    (
        "private_life",
        "Een medewerker is buiten werktijd betrokken bij een vechtpartij met een burger.",
    ),
    ("resources", "Dienstauto's worden structureel privé gebruikt in het weekend."),
    ("wrong", "Meldingen over onveilige dijkinspecties worden niet opgevolgd door de afdeling."),
    (
        "conflict_of_interest",
        "Een wethouder heeft een niet gemelde nevenfunctie bij een projectontwikkelaar.",
    ),
]

QUESTIONS = [
    "Dank voor uw melding. Kunt u aangeven in welke periode dit speelde?",
    "Weet u of er andere collega's zijn die dit ook hebben gezien?",
]
ANSWERS = [
    "Het speelde vooral in het voorjaar, vanaf maart.",
    "Ja, ik denk dat twee collega's van de afdeling het ook weten.",
]


def _age(case: Case, days: int) -> None:
    """Move a demo case back in time (demo only): received ``days`` ago."""
    shift = timedelta(days=days)
    Case.objects.filter(pk=case.pk).update(received_at=case.received_at - shift)
    CaseStatusChange.objects.filter(case=case).update(at=case.received_at - shift)
    case.refresh_from_db()


def _walk(case: Case, user, rng: random.Random, target: str, category, measures) -> Case:
    """Take a case through the workflow up to ``target`` ("received" … "closed_*")."""
    t = services.case_transition
    if target == "received":
        return case
    case = t(case=case, actor=user, target=codes.Status.ACKNOWLEDGED)
    if case.case_type == codes.CaseType.ADVICE:
        return (
            t(case=case, actor=user, target=codes.Status.CLOSED)
            if target.startswith("closed")
            else case
        )
    if target == "acknowledged":
        return case
    case = t(case=case, actor=user, target=codes.Status.TRIAGE)
    case = services.case_classify(
        case=case,
        actor=user,
        category=category,
        subject_kind=rng.choice(
            [codes.SubjectKind.EMPLOYEE] * 4 + [codes.SubjectKind.OFFICE_HOLDER]
        ),
        subject_tier=rng.choice(list(codes.SubjectTier.values)),
        vulnerable_process=rng.choice(list(codes.VulnerableProcess.values)),
    )
    if target == "triage":
        return case
    if target == "closed_forward":
        services.case_forward(case=case, actor=user, authority=codes.Authority.HUIS)
        return t(case=case, actor=user, target=codes.Status.CLOSED)
    if target == "closed_outside":
        case = services.case_classify(case=case, actor=user, triage=codes.Triage.OUTSIDE_SCOPE)
        return t(case=case, actor=user, target=codes.Status.CLOSED)
    case = services.case_classify(
        case=case,
        actor=user,
        triage=codes.Triage.INQUIRY,
        investigation=rng.choice(list(codes.InvestigationKind.values)),
    )
    case = t(case=case, actor=user, target=codes.Status.INVESTIGATION)
    if target == "investigation":
        return case
    finding = {
        "closed_founded": codes.Finding.FOUNDED,
        "closed_unfounded": codes.Finding.UNFOUNDED,
        "closed_not_established": codes.Finding.NOT_ESTABLISHED,
    }[target]
    case = services.case_classify(
        case=case, actor=user, finding=finding, aangifte=rng.random() < 0.2
    )
    case = t(case=case, actor=user, target=codes.Status.FINDING)
    if finding == codes.Finding.FOUNDED:
        case = t(case=case, actor=user, target=codes.Status.MEASURES)
        services.measure_add(case=case, actor=user, measure=rng.choice(measures))
    return t(case=case, actor=user, target=codes.Status.CLOSED)


PLAN = [
    # (channel, case type, target, days ago, ongoing conversation)
    (codes.Channel.ANONYMOUS, codes.CaseType.REPORT, "received", 2, False),
    (codes.Channel.ANONYMOUS, codes.CaseType.REPORT, "received", 9, False),  # overdue
    (codes.Channel.ANONYMOUS, codes.CaseType.REPORT, "triage", 40, True),
    (codes.Channel.ANONYMOUS, codes.CaseType.REPORT, "investigation", 85, True),
    (codes.Channel.CONFIDENTIAL, codes.CaseType.REPORT, "acknowledged", 20, False),
    (codes.Channel.NAMED, codes.CaseType.REPORT, "closed_founded", 200, False),
    (codes.Channel.CONFIDENTIAL, codes.CaseType.REPORT, "closed_unfounded", 160, False),
    (codes.Channel.ANONYMOUS, codes.CaseType.REPORT, "closed_not_established", 120, True),
    (codes.Channel.NAMED, codes.CaseType.REPORT, "closed_forward", 60, False),
    (codes.Channel.NAMED, codes.CaseType.REPORT, "closed_outside", 30, False),
    (codes.Channel.NAMED, codes.CaseType.ADVICE, "closed_advice", 15, False),
    (codes.Channel.ANONYMOUS, codes.CaseType.REPORT, "closed_founded", 300, False),
]


def build(ctx: DemoContext) -> None:
    tenants = ctx.shared["tenants"]
    users = ctx.shared["users"]
    rng = ctx.rng
    categories = {c.code: c for c in ViolationCategory.objects.filter(typology__current=True)}
    handlers = {"a": users.get("integriteit"), "d": users.get("integriteit-rijk")}
    repeat = 1 if ctx.scale == "small" else 8
    for key, organisation in tenants.items():
        measures = [
            services.measure_type_create(organisation=organisation, name=name, category=category)
            for name, category in MEASURES
        ]
        handler = handlers.get(key)
        if handler is None:
            continue
        plan = PLAN * repeat if key == "a" else PLAN[: 6 * repeat]
        for number, (channel, case_type, target, days, talk) in enumerate(plan):
            category_code, story = STORIES[number % len(STORIES)]
            identity = None
            if channel != codes.Channel.ANONYMOUS:
                identity = services.Identity(name=f"Melder {number + 1} (demo)", email="")
            case, _code = services.report_submit(
                organisation=organisation,
                channel=channel,
                case_type=case_type,
                summary=story,
                identity=identity,
                wants_adviser=number % 4 == 2,
            )
            _age(case, days + rng.randint(0, 3))
            case = _walk(
                case,
                handler,
                rng,
                target,
                categories[category_code],
                [m for m in measures if m.category != codes.MeasureCategory.NONE] or measures,
            )
            if case.acknowledged_at is not None:  # acknowledged within the week, as it should
                acknowledged = case.received_at + timedelta(days=rng.randint(1, 6))
                Case.objects.filter(pk=case.pk).update(acknowledged_at=acknowledged)
                case.refresh_from_db()
            if talk:
                for question, answer in zip(QUESTIONS, ANSWERS, strict=True):
                    services.message_add(
                        case=case, actor=handler, body=question, to_reporter=True, is_question=True
                    )
                    services.mailbox_message_add(case=case, body=answer)
                services.message_add(
                    case=case,
                    actor=handler,
                    body="Interne notitie: getuigen benaderen.",
                )
            if key == "a" and number == 2:
                # One mailbox the demo visitor can open: the code follows from the seed. One
                # generator for the whole code (a fresh one per character gave 20 times the same).
                mailbox_rng = random.Random(f"{ctx.seed}:mailbox")
                demo_code = "".join(
                    mailbox_rng.choice(receipts.ALPHABET) for _ in range(receipts.LENGTH)
                )
                Case.objects.filter(pk=case.pk).update(
                    mailbox_index=receipts.index(demo_code),
                    mailbox_hash=receipts.slow_hash(demo_code),
                )
                ctx.logins.append(
                    DemoLogin(
                        "/integriteit/brievenbus",
                        receipts.grouped(demo_code),
                        _("Receipt code of anonymous demo report %(reference)s")
                        % {"reference": case.reference},
                    )
                )
            services.fact_sync(Case.objects.get(pk=case.pk))
