"""Reads of the surveys module: response rates, the response table and population counts.

The monitor's analysis (``vib.monitor`` on top of ``vib.stats``) reads the data through
:func:`response_table` and :func:`population_counts` (or the files of ``vib surveys export``);
see ``docs/surveys.md``. None of these returns anything that identifies a person.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from vib.surveys import strata as strata_mod
from vib.surveys.models import Draft, Invitation, Response, Wave, WaveInstrument
from vib.surveys.questionnaires import Instrument, Question, load_instrument
from vib.surveys.tokens import draft_key, well_formed

# --- dashboard -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StratumProgress:
    instrument: str
    tier: str
    function: str
    population: int
    invited: int
    responded: int

    @property
    def rate(self) -> float:
        return self.responded / self.invited if self.invited else 0.0

    @property
    def percent(self) -> int:
        return round(100 * self.rate)

    @property
    def tier_label(self) -> str:
        return strata_mod.tier_label(self.tier)

    @property
    def function_label(self) -> str:
        return strata_mod.function_label(self.function)


def wave_progress(*, wave: Wave) -> list[StratumProgress]:
    """Population, invited and responded per instrument x tier x function (one query)."""
    rows = (
        Invitation.objects.filter(wave=wave)
        .values("instrument__code", "tier", "function")
        .annotate(
            population=Count("id"),
            invited=Count("id", filter=Q(sent_on__isnull=False)),
            responded=Count("id", filter=Q(responded=True)),
        )
        .order_by("instrument__code", "tier", "function")
    )
    return [
        StratumProgress(
            instrument=r["instrument__code"],
            tier=r["tier"],
            function=r["function"],
            population=r["population"],
            invited=r["invited"],
            responded=r["responded"],
        )
        for r in rows
    ]


def progress_totals(progress: list[StratumProgress]) -> dict[str, StratumProgress]:
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for p in progress:
        t = totals[p.instrument]
        t[0] += p.population
        t[1] += p.invited
        t[2] += p.responded
    return {k: StratumProgress(k, "", "", *v) for k, v in totals.items()}


SMALL_STRATUM = 10


def small_strata(progress: list[StratumProgress]) -> list[StratumProgress]:
    """Strata so small that a response there could be recognised (shown as a warning)."""
    return [p for p in progress if p.population < SMALL_STRATUM]


def wave_instruments(*, wave: Wave) -> list[tuple[WaveInstrument, Instrument]]:
    return [(wi, load_instrument(wi.key)) for wi in wave.instruments.all()]


# --- the respondent's side -------------------------------------------------------------------


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link belongs to (also when answered or closed), or ``None``."""
    from vib.surveys.tokens import invitation_digest

    if not well_formed(token):
        return None
    return (
        Invitation.objects.select_related("wave", "instrument")
        .filter(token_digest=invitation_digest(token))
        .first()
    )


def wave_answerable(*, wave: Wave) -> bool:
    """Is the wave in the field today?"""
    from django.utils import timezone

    from vib.surveys.models import WaveStatus

    today = timezone.localdate()
    return wave.status == WaveStatus.OPEN and wave.field_start <= today <= wave.field_end


def draft_for_token(token: str) -> Draft | None:
    return Draft.objects.filter(key=draft_key(token)).first() if well_formed(token) else None


# --- data out --------------------------------------------------------------------------------

STRATA_COLUMNS = ("tier", "function", "gender")
FIXED_COLUMNS = (
    "response_id",
    "edition",
    "instrument",
    "instrument_version",
    "tier",
    "function",
    "gender",
    "stratum",
    "organisation_code",
    "stratum_population",
    "stratum_respondents",
    "base_weight",
)
INTEGER_TYPES = ("scale", "number")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "string" | "integer" | "number" | "binary"
    question: Question | None = None
    option: str = ""
    row: str = ""


def answer_columns(instrument: Instrument, *, include_open_text: bool = False) -> list[Column]:
    """The flat columns of an instrument's answers, in questionnaire order."""
    columns: list[Column] = []
    for group in instrument.groups:
        for q in group.questions:
            if q.type == "multiple":
                columns += [
                    Column(f"{q.id}__{o.value}", "binary", q, option=o.value) for o in q.options
                ]
            elif q.type == "grid":
                columns += [Column(f"{q.id}__{r.id}", "string", q, row=r.id) for r in q.rows]
            elif q.type in INTEGER_TYPES:
                columns.append(Column(q.id, "integer", q))
            elif q.type == "text":
                if include_open_text:
                    columns.append(Column(q.id, "string", q))
            else:
                columns.append(Column(q.id, "string", q))
    return columns


def _cell(column: Column, answers: dict[str, Any]) -> Any:
    assert column.question is not None
    value = answers.get(column.question.id)
    if value is None:
        return None
    if column.option:
        return int(column.option in value)
    if column.row:
        return value.get(column.row)
    return value


def population_counts(*, wave: Wave, instrument: str) -> list[dict[str, Any]]:
    """Frame counts per tier x function x gender (the finest cells), with respondents.

    Strata without any respondent are included: weighting needs them.
    """
    rows = (
        Invitation.objects.filter(wave=wave, instrument__code=instrument)
        .values("tier", "function", "gender")
        .annotate(population=Count("id"), respondents=Count("id", filter=Q(responded=True)))
        .order_by("tier", "function", "gender")
    )
    return [
        {
            "tier": r["tier"],
            "function": r["function"],
            "gender": r["gender"] or None,
            "stratum": strata_mod.stratum_key(r["tier"], r["function"]),
            "population": r["population"],
            "respondents": r["respondents"],
        }
        for r in rows
    ]


def response_table(
    *, wave: Wave, instrument: str, include_open_text: bool = False
) -> dict[str, list[Any]]:
    """The responses of one instrument as column arrays (``{column: [values…]}``).

    Every row carries its stratum (``tier:function``), the stratum's population size and
    respondent count, and the base weight ``population / respondents``. Missing answers are
    ``None`` (a question the respondent was not routed to, or left open). Rows are sorted by
    the random response id, so their order says nothing about when anyone answered.
    """
    wi = WaveInstrument.objects.get(wave=wave, code=instrument)
    definition = load_instrument(wi.key)
    columns = answer_columns(definition, include_open_text=include_open_text)
    population: dict[str, int] = defaultdict(int)
    respondents: dict[str, int] = defaultdict(int)
    for cell in population_counts(wave=wave, instrument=instrument):
        population[cell["stratum"]] += cell["population"]
    responses = list(
        Response.objects.filter(instrument=wi)
        .order_by("id")
        .values_list("id", "tier", "function", "gender", "organisation_code", "answers")
    )
    for _id, tier, function, *_rest in responses:
        respondents[strata_mod.stratum_key(tier, function)] += 1
    table: dict[str, list[Any]] = {name: [] for name in FIXED_COLUMNS}
    table.update({c.name: [] for c in columns})
    for rid, tier, function, gender, organisation_code, answers in responses:
        stratum = strata_mod.stratum_key(tier, function)
        n_pop, n_resp = population[stratum], respondents[stratum]
        fixed = (
            str(rid),
            wave.edition,
            wi.code,
            wi.version,
            tier,
            function,
            gender or None,  # empty means unknown: missing, as in CSV
            stratum,
            organisation_code or None,
            n_pop,
            n_resp,
            n_pop / n_resp if n_pop else None,
        )
        for name, value in zip(FIXED_COLUMNS, fixed, strict=True):
            table[name].append(value)
        for column in columns:
            table[column.name].append(_cell(column, answers))
    return table


# --- waves (non-confidential summaries for the CLI; the web goes through vib.access) ---------


def wave_list() -> list[Wave]:
    return list(Wave.objects.select_related("organisation").order_by("-edition", "title"))


def wave_find(ref: str) -> Wave:
    """A wave by id, or by edition year when exactly one wave has it; ``LookupError`` else."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    ref = ref.strip()
    if ref.isdigit() and len(ref) == 4:
        waves = list(Wave.objects.filter(edition=int(ref))[:2])
        if len(waves) == 1:
            return waves[0]
        raise LookupError(
            _("More than one wave has edition %(ref)s; give its id.") % {"ref": ref}
            if waves
            else _("No wave has edition %(ref)s.") % {"ref": ref}
        )
    try:
        return Wave.objects.get(pk=ref)
    except (Wave.DoesNotExist, ValidationError, ValueError):
        raise LookupError(_("No wave with id %(ref)s.") % {"ref": ref}) from None
