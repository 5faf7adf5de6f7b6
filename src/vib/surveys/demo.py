"""Demo part of the surveys module: a closed 2016-like wave with a synthetic frame and responses.

The frame has every tier and function of the monitor at realistic sizes (``--scale large``) or
one tenth of them with at least 12 per stratum (``--scale small``, what ``vib demo`` and the
test fixture build), see docs/adr/0055. Responses are drawn so that their *true* rates follow
the published 2016 monitor — about 27% of office holders met aggression or violence, social
media doubled against 2014, 9% say it influenced their decisions — while the chance to respond
differs by stratum (and the strata that answer most are also the most victimised), so the
unweighted figures are too high and weighting to the frame visibly matters. Everything is
synthetic and reproducible from ``ctx.rng``.

A 2014 wave is built the same way after it (so the 2016 wave is the same with or without it),
with true rates near the published 2014 figures — 23% of office holders, 25% of employees,
social media for about one in five victims — so the report can test the change between the
editions on both waves' microdata (ADR 0139). For the demo both waves use the 2016
questionnaires; its invitation addresses are its own (nobody is linked across the waves).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from vib.core.demo import DemoContext
from vib.organisations.models import Organisation, Tier
from vib.surveys import tokens
from vib.surveys.models import Invitation, Response, Wave, WaveInstrument, WaveStatus
from vib.surveys.questionnaires import Instrument, Question, load_instrument
from vib.surveys.services import default_texts

INSTRUMENTS = ("office_holders-2016.1", "employees-2016.1", "organisations-2016.1")

# (tier, function): (frame size, response propensity, true A&G rate in the last 12 months)
OFFICE_HOLDERS: dict[tuple[str, str], tuple[int, float, float]] = {
    (Tier.GEMEENTE, "burgemeester"): (342, 0.70, 0.55),
    (Tier.GEMEENTE, "wethouder"): (1200, 0.52, 0.36),
    (Tier.GEMEENTE, "raadslid"): (8500, 0.22, 0.26),
    (Tier.PROVINCIE, "cdk"): (12, 0.75, 0.50),
    (Tier.PROVINCIE, "gedeputeerde"): (80, 0.50, 0.33),
    (Tier.PROVINCIE, "statenlid"): (570, 0.26, 0.22),
    (Tier.WATERSCHAP, "dijkgraaf"): (21, 0.70, 0.24),
    (Tier.WATERSCHAP, "db_lid"): (100, 0.45, 0.15),
    (Tier.WATERSCHAP, "ab_lid"): (600, 0.18, 0.10),
}
# Employees: a sample per tier (not a census).
EMPLOYEES: dict[tuple[str, str], tuple[int, float, float]] = {
    (Tier.GEMEENTE, "medewerker"): (3000, 0.35, 0.30),
    (Tier.PROVINCIE, "medewerker"): (600, 0.40, 0.18),
    (Tier.WATERSCHAP, "medewerker"): (500, 0.38, 0.15),
    (Tier.RIJK, "medewerker"): (1500, 0.30, 0.22),
}
ORGANISATION_PROPENSITY = {"secretaris": 0.70, "griffier": 0.60}
SOCIAL_MEDIA_AMONG_VICTIMS = 0.40  # 2014: about 20% — doubled
INFLUENCE_RATE = 0.09  # of all office holders
WOMEN_SHARE = {"burgemeester": 0.25, "cdk": 0.2, "dijkgraaf": 0.15}
FIELD_START = dt.date(2016, 3, 1)
FIELD_END = dt.date(2016, 4, 15)


@dataclass(frozen=True)
class Edition:
    """What differs between the demo's waves: the true rates, as factors on the 2016 ones."""

    year: int
    field_start: dt.date
    field_end: dt.date
    office_holder_factor: float  # on every stratum's A&G rate
    employee_factor: float
    social_media: float  # share of victims met via social media
    email_prefix: str  # the invitation addresses of this wave only


EDITIONS = (
    Edition(2016, FIELD_START, FIELD_END, 1.0, 1.0, SOCIAL_MEDIA_AMONG_VICTIMS, "persoon"),
    # 2014 as published: 23% of office holders (2016: 27%), 25% of employees, social media
    # for about 20% of the victims
    Edition(2014, dt.date(2014, 3, 3), dt.date(2014, 4, 18), 0.855, 0.99, 0.20, "persoon-2014"),
)
VICTIM_TYPES = ("verbal", "intimidation", "threat", "physical", "property")


def frame_size(size: int, scale: str) -> int:
    """Full size at ``large``; at ``small`` a tenth, but at least 12 (or all of a tiny stratum)."""
    return size if scale == "large" else max(round(size / 10), min(size, 12))


def _answers(
    instrument: Instrument, strata: dict[str, str], rng: random.Random, fixed: dict[str, Any]
) -> dict[str, Any]:
    """A routed, valid set of answers; ``fixed`` sets the answers the true rates depend on."""
    answers: dict[str, Any] = {}
    for group in instrument.groups:
        if group.show_if is not None and not group.show_if.holds(answers, strata):
            continue
        for q in group.questions:
            if q.show_if is not None and not q.show_if.holds(answers, strata):
                continue
            value = fixed[q.id] if q.id in fixed else _random_answer(q, rng)
            if value is not None:
                answers[q.id] = value
    return answers


def _random_answer(q: Question, rng: random.Random) -> Any:
    if q.type == "single":
        return rng.choice(q.option_values())
    if q.type == "multiple":
        plain = [o.value for o in q.options if not o.exclusive]
        exclusive = [o.value for o in q.options if o.exclusive]
        if exclusive and rng.random() < 0.4:
            return [exclusive[0]]
        chosen = set(rng.sample(plain, k=min(len(plain), rng.choice((1, 1, 2)))))
        return [v for v in plain if v in chosen]
    if q.type == "scale":
        return rng.randint(q.minimum, q.maximum)  # type: ignore[arg-type]
    if q.type == "number":
        low, high = q.minimum or 0, q.maximum or 0
        return rng.randint(low, min(high, low + 40))
    if q.type == "grid":
        return {row.id: rng.choice(q.option_values()) for row in q.rows}
    return None  # open text stays empty in the demo


def _person_fixed(
    rng: random.Random, victim: bool, influence_given_victim: float, social_media: float
) -> dict[str, Any]:
    if not victim:
        return {"ag_types": ["none"]}
    types = [t for t in VICTIM_TYPES if rng.random() < 0.35] or ["verbal"]
    channels = ["social_media"] if rng.random() < social_media else []
    channels += [c for c in ("in_person", "phone", "mail", "at_home") if rng.random() < 0.3]
    if not channels:
        channels = ["in_person"]
    return {
        "ag_types": types,
        "ag_channels": channels,
        "influence_decisions": "yes" if rng.random() < influence_given_victim else "no",
    }


def build(ctx: DemoContext) -> None:
    rng = random.Random(ctx.rng.random())
    users = ctx.shared.get("users", {})
    researcher = users.get("monitor")
    waves = [_wave(ctx, rng, edition) for edition in EDITIONS]
    ctx.shared["survey_wave"] = waves[0]
    ctx.shared["survey_previous_wave"] = waves[1]
    if researcher is not None:
        ctx.shared["survey_researcher"] = researcher


def _wave(ctx: DemoContext, rng: random.Random, edition: Edition) -> Wave:
    """One closed wave of the demo with its frame (invitations) and responses."""
    wave = Wave.objects.create(
        organisation=ctx.shared["tenants"]["a"],
        edition=edition.year,
        title=f"Monitor Integriteit en Veiligheid {edition.year} (demo)",
        field_start=edition.field_start,
        field_end=edition.field_end,
        status=WaveStatus.CLOSED,
        demo=True,
        **default_texts(),
    )
    loaded = {key: load_instrument(key) for key in INSTRUMENTS}
    wis = {
        i.code: WaveInstrument.objects.create(
            wave=wave, code=i.code, version=i.version, digest=i.digest
        )
        for i in loaded.values()
    }
    by_tier: dict[str, list[Organisation]] = {}
    for org in Organisation.objects.filter(active=True).order_by("code"):
        by_tier.setdefault(org.tier, []).append(org)

    invitations: list[Invitation] = []
    responses: list[Response] = []
    counter = 0

    def add(
        code: str,
        tier: str,
        function: str,
        organisation: Organisation | None,
        responds: bool,
        answers: dict[str, Any] | None,
        gender: str,
    ) -> None:
        nonlocal counter
        counter += 1
        email = f"{edition.email_prefix}-{counter:05d}@monitor-demo.invalid"
        invitations.append(
            Invitation(
                wave=wave,
                instrument=wis[code],
                email=email,
                email_digest=tokens.email_digest(email),
                tier=tier,
                organisation=organisation,
                function=function,
                gender=gender,
                token_digest=f"{rng.getrandbits(256):064x}",
                token="",
                sent_on=edition.field_start,
                reminders=0 if responds else 1,
                responded=responds,
            )
        )
        if responds and answers is not None:
            responses.append(
                Response(
                    wave=wave,
                    instrument=wis[code],
                    tier=tier,
                    function=function,
                    gender=gender,
                    organisation_code=organisation.code
                    if organisation and code == "organisations"
                    else "",
                    answers=answers,
                )
            )

    for code, table, influence, factor in (
        ("office_holders", OFFICE_HOLDERS, INFLUENCE_RATE / 0.27, edition.office_holder_factor),
        ("employees", EMPLOYEES, 0.0, edition.employee_factor),
    ):
        instrument = loaded[f"{code}-2016.1"]
        for (tier, function), (size, propensity, ag_rate) in table.items():
            for _ in range(frame_size(size, ctx.scale)):
                victim = rng.random() < ag_rate * factor
                # Non-response depends on the stratum only (missing at random given the
                # strata), so post-stratification recovers the true rate.
                responds = rng.random() < propensity
                gender = "v" if rng.random() < WOMEN_SHARE.get(function, 0.33) else "m"
                strata = {"tier": tier, "function": function, "gender": gender}
                answers = None
                if responds:
                    fixed = _person_fixed(rng, victim, influence, edition.social_media)
                    answers = _answers(instrument, strata, rng, fixed)
                organisation = rng.choice(by_tier[tier]) if by_tier.get(tier) else None
                add(code, tier, function, organisation, responds, answers, gender)

    organisations = loaded["organisations-2016.1"]
    for tier, orgs in by_tier.items():
        picked = orgs if ctx.scale == "large" else orgs[: frame_size(len(orgs), "small")]
        for org in picked:
            functions = ["secretaris"] + (
                ["griffier"] if tier in (Tier.GEMEENTE, Tier.PROVINCIE) else []
            )
            for function in functions:
                responds = rng.random() < ORGANISATION_PROPENSITY[function]
                strata = {"tier": tier, "function": function, "gender": ""}
                answers = _answers(organisations, strata, rng, {}) if responds else None
                add("organisations", tier, function, org, responds, answers, "")

    Invitation.objects.bulk_create(invitations, batch_size=1000)
    rng.shuffle(responses)  # stored in random order, as a closed wave's are
    Response.objects.bulk_create(responses, batch_size=1000)
    return wave
