"""Demo part of the support desk: two teams, their people, requests across themes with plans
and follow-ups, pseudonymised history for the statistics, and the library. All synthetic."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from vib.accounts.demo import give_demo_second_factor
from vib.accounts.models import User
from vib.accounts.services import user_create
from vib.core.demo import DEMO_DOMAIN, DemoContext, DemoLogin
from vib.organisations.models import Organisation
from vib.support import codes, services
from vib.support.models import RequestFact, SupportTeam, TeamMember

NATIONAL = "Netwerk Weerbaar Bestuur — landelijk steunteam"
REGIONAL = "Steunteam regio Utrecht"

# (address local part, synthetic name, team, role, expertise)
TEAM_PEOPLE: list[tuple[str, str, str, str, str]] = [
    ("steunpunt-coordinator", "Marieke Netwerk", REGIONAL, codes.MemberRole.COORDINATOR, ""),
    ("steunpunt-adviseur", "Wouter Weerbaar", REGIONAL, codes.MemberRole.ADVISER, ""),
    ("steunpunt-adviseur2", "Nadia Vangnet", REGIONAL, codes.MemberRole.ADVISER, ""),
    ("steunpunt-adviseur-landelijk", "Tom Ruggesteun", NATIONAL, codes.MemberRole.ADVISER, ""),
    (
        "steunpunt-beveiliging",
        "Erik Slotvast",
        NATIONAL,
        codes.MemberRole.EXPERT,
        codes.Expertise.SECURITY,
    ),
    ("steunpunt-jurist", "Sara Rechtuit", NATIONAL, codes.MemberRole.EXPERT, codes.Expertise.LEGAL),
    (
        "steunpunt-nazorg",
        "Ingrid Opvang",
        NATIONAL,
        codes.MemberRole.EXPERT,
        codes.Expertise.AFTERCARE,
    ),
]

# (office holder, tenant, function, theme, urgency, description, adviser, expert, plan, close)
REQUESTS: list[tuple[str, str, str, str, str, str, str, str, list[str], bool]] = [
    (
        "burgemeester",
        "a",
        codes.Function.MAYOR,
        codes.Theme.SAFETY,
        codes.Urgency.URGENT,
        "Na een besluit over een demonstratie staan er 's avonds mensen voor mijn huis.",
        "steunpunt-adviseur",
        "steunpunt-beveiliging",
        ["Beveiligingsscan thuis inplannen", "Contact met de politie-eenheid over surveillance"],
        False,
    ),
    (
        "wethouder",
        "a",
        codes.Function.ALDERMAN,
        codes.Theme.INTEGRITY,
        codes.Urgency.NORMAL,
        "Een projectontwikkelaar biedt mij een functie aan; "
        "ik twijfel over belangenverstrengeling.",
        "steunpunt-adviseur",
        "steunpunt-jurist",
        ["Integriteitsgesprek over de nevenfunctie", "Advies over melding aan de raad"],
        True,
    ),
    (
        "statenlid",
        "b",
        codes.Function.STATES_MEMBER,
        codes.Theme.ONLINE_HATE,
        codes.Urgency.URGENT,
        "Op sociale media verschijnen bedreigende berichten over mijn gezin.",
        "steunpunt-adviseur2",
        "steunpunt-nazorg",
        ["Berichten vastleggen en aangifte voorbereiden", "Nazorggesprek met partner"],
        False,
    ),
    (
        "dijkgraaf",
        "c",
        codes.Function.DIKE_REEVE,
        codes.Theme.SUBVERSION,
        codes.Urgency.NORMAL,
        "Een aannemer oefent druk uit rond een aanbesteding; ik vermoed criminele belangen.",
        "steunpunt-adviseur-landelijk",
        "steunpunt-jurist",
        ["Weerbaarheidsscan van de aanbesteding"],
        False,
    ),
    (
        "burgemeester",
        "a",
        codes.Function.MAYOR,
        codes.Theme.FAMILY,
        codes.Urgency.NORMAL,
        "Mijn kinderen worden op school aangesproken over mijn werk.",
        "",
        "",
        [],
        False,
    ),
]

INSTRUMENTS: list[tuple[str, str, str, str, str, str]] = [
    (
        codes.InstrumentKind.CODE_OF_CONDUCT,
        codes.Theme.INTEGRITY,
        "Modelgedragscode integriteit politieke ambtsdragers",
        "Model code of conduct on integrity for political office holders",
        "Een modelgedragscode voor raden, Staten en algemene besturen, met toelichting.",
        "A model code of conduct for councils, Provincial Councils and water boards, explained.",
    ),
    (
        codes.InstrumentKind.GUIDE,
        codes.Theme.SAFETY,
        "Handreiking aangifte doen bij de politie",
        "Guide: reporting a crime to the police",
        "Hoe u aangifte doet van bedreiging of intimidatie, ook op het adres van uw organisatie.",
        "How to report threats or intimidation to the police, using your organisation's address.",
    ),
    (
        codes.InstrumentKind.GUIDE,
        codes.Theme.ONLINE_HATE,
        "Omgaan met online haat",
        "Dealing with online hate",
        "Vastleggen, melden bij het platform, aangifte en steun voor u en uw naasten.",
        "Record it, report it to the platform, report it to the police, get support.",
    ),
    (
        codes.InstrumentKind.GUIDE,
        codes.Theme.INTEGRITY,
        "Integriteitsrisicoanalyse vóór benoeming",
        "Integrity risk analysis before appointment",
        "Een handreiking voor de risicoanalyse van kandidaat-wethouders en gedeputeerden.",
        "A guide to the risk analysis of candidate aldermen and provincial executives.",
    ),
    (
        codes.InstrumentKind.GUIDE,
        codes.Theme.SUBVERSION,
        "Weerbaar tegen ondermijning",
        "Resilience against subversion",
        "Signalen van criminele beïnvloeding herkennen en wat u dan doet.",
        "Recognising signs of criminal influence, and what to do.",
    ),
    (
        codes.InstrumentKind.TRAINING,
        codes.Theme.SAFETY,
        "Training weerbaarheid voor raadsleden",
        "Resilience training for council members",
        "Een dagdeel over omgaan met agressie, intimidatie en bedreiging.",
        "A half-day on dealing with aggression, intimidation and threats.",
    ),
    (
        codes.InstrumentKind.TRAINING,
        codes.Theme.FAMILY,
        "Bijeenkomst voor partners en gezin",
        "",
        "Een bijeenkomst voor partners van ambtsdragers over veiligheid thuis.",
        "",
    ),
]


def build(ctx: DemoContext) -> None:
    tenants: dict[str, Organisation] = ctx.shared["tenants"]
    users: dict[str, User] = ctx.shared["users"]
    province = tenants["b"]
    national = services.team_create(name=NATIONAL, scope=codes.Scope.NATIONAL, phone="070 000 1234")
    regional = services.team_create(
        name=REGIONAL, scope=codes.Scope.REGIONAL, phone="030 000 5678", region=province
    )
    teams = {NATIONAL: national, REGIONAL: regional}
    members: dict[str, TeamMember] = {}
    for local, name, team, role, expertise in TEAM_PEOPLE:
        email = f"{local}@{DEMO_DOMAIN}"
        user = user_create(email=email, full_name=name, password=ctx.password(email))
        members[local] = services.team_member_add(
            team=teams[team], person=user, role=role, expertise=expertise
        )
        users[local] = user
        give_demo_second_factor(user, ctx.seed)  # team members see personal data
        ctx.logins.append(
            DemoLogin(
                email,
                ctx.password(email),
                f"{TEAM_PEOPLE_LABEL} — {team}: {codes.MemberRole(role).label}",
            )
        )

    today = timezone.localdate()
    for holder, key, function, theme, urgency, text, adviser, expert, plan, close in REQUESTS:
        help_request = services.help_request_submit(
            submitted_by=users[holder],
            organisation=tenants[key],
            function=function,
            theme=theme,
            urgency=urgency,
            description=text,
            contact=codes.Contact.PHONE,
            contact_details="06 0000 0000",
            wants_scan=theme == codes.Theme.SAFETY,
            wants_allowance=theme == codes.Theme.SAFETY,
        )
        if not adviser:
            continue
        advising = members[adviser].user
        services.case_take_on(help_request=help_request, actor=advising)
        services.message_add(
            help_request=help_request,
            actor=advising,
            records_contact=True,
            text="Telefonisch contact gehad; afspraak gemaakt voor een gesprek.",
        )
        if expert:
            services.case_add_expert(
                help_request=help_request, member=members[expert], actor=advising
            )
        for i, action in enumerate(plan):
            services.plan_action_add(
                help_request=help_request,
                actor=advising,
                description=action,
                follow_up_on=today + timedelta(days=7 * (i + 1)),
            )
        if theme == codes.Theme.SAFETY:
            services.measure_approve(
                help_request=help_request,
                actor=advising,
                description="Camerabel en extra verlichting bij de voordeur",
                amount=Decimal("850.00"),
            )
        if close:
            services.case_close(
                help_request=help_request,
                actor=advising,
                note="Advies gegeven; geen verdere actie nodig.",
            )
            services.request_rate(help_request=help_request, actor=users[holder], score=4)

    for kind, theme, title_nl, title_en, summary_nl, summary_en in INSTRUMENTS:
        services.instrument_save(
            actor=members["steunpunt-coordinator"].user,
            kind=kind,
            theme=theme,
            title_nl=title_nl,
            title_en=title_en,
            summary_nl=summary_nl,
            summary_en=summary_en,
        )

    _history(ctx, [national, regional], tenants)
    ctx.shared["support_teams"] = teams


TEAM_PEOPLE_LABEL = "Steunteam"


def _history(ctx: DemoContext, teams: list[SupportTeam], tenants: dict[str, Organisation]) -> None:
    """Pseudonymised facts of earlier years' requests (whose personal data retention removed),
    so the statistics show numbers above the suppression threshold."""
    rng = ctx.rng
    n = 120 if ctx.scale == "small" else 6000
    today = timezone.localdate()
    tiers = [t.tier for t in tenants.values()]
    facts = []
    for _ in range(n):
        month = (today - timedelta(days=rng.randint(30, 730))).replace(day=1)
        urgency = rng.choices(codes.Urgency.values, weights=[1, 4, 8])[0]
        facts.append(
            RequestFact(
                team=rng.choice(teams),
                month=month,
                tier=rng.choices(tiers, weights=[8, 2, 1, 1])[0],
                function=rng.choices(
                    codes.Function.values, weights=[6, 8, 12, 2, 1, 2, 4, 1, 1, 2, 1]
                )[0],
                theme=rng.choices(codes.Theme.values, weights=[8, 9, 5, 2, 2])[0],
                urgency=urgency,
                hours_to_first_contact=round(
                    rng.uniform(0.2, 4.0 if urgency != "normal" else 72), 1
                ),
            )
        )
    RequestFact.objects.bulk_create(facts, batch_size=1000)
