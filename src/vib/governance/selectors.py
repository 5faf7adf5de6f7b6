"""Reads of the governance module: coverage of the process inventory, the checklist and its
benchmark, and what other modules ask of it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from vib.core import disclosure
from vib.governance import checklist
from vib.governance.models import (
    EXPECTED_KINDS,
    Answer,
    PolicyAnswer,
    PolicyChecklist,
    ProcessKind,
    Risk,
    Safeguard,
    VulnerableProcess,
)
from vib.organisations.models import Organisation

# Disclosure control for the benchmark (docs/domain.md §7) is ``vib.core.disclosure``'s: no
# group under 10 organisations, and no 0 % or 100 % in groups under 20.

# A high-risk process is covered only with at least one of these control safeguards.
CONTROLS = (Safeguard.SEGREGATION, Safeguard.FOUR_EYES)


def vulnerable_functions(*, organisation: Organisation) -> dict[str, tuple[str, ...]]:
    """Function title (case-folded) → names of the active vulnerable processes it is part of.

    Called by ``vib.disclosures`` to flag side activities of people in vulnerable functions.
    """
    mapping: dict[str, list[str]] = defaultdict(list)
    rows = VulnerableProcess.objects.filter(organisation=organisation, active=True).values_list(
        "name", "functions"
    )
    for name, functions in rows:
        for function in functions or []:
            mapping[function.casefold()].append(name)
    return {key: tuple(sorted(names)) for key, names in mapping.items()}


@dataclass(frozen=True)
class CoverageRow:
    process: VulnerableProcess
    safeguards: tuple[bool, ...]  # in the order of Safeguard.values
    review_overdue: bool
    under_protected: bool


@dataclass(frozen=True)
class Coverage:
    rows: list[CoverageRow]
    safeguard_labels: list[str]
    by_risk: dict[str, int]
    missing_kinds: list[str]
    overdue: int
    under_protected: int
    with_safeguards: int

    @property
    def total(self) -> int:
        return len(self.rows)


def process_coverage(*, processes: list[VulnerableProcess], today: date | None = None) -> Coverage:
    """The coverage overview of an inventory (already filtered by ``vib.access``)."""
    today = today or timezone.localdate()
    rows = []
    for process in processes:
        chosen = set(process.safeguards or [])
        under = process.risk == Risk.HIGH and not chosen.intersection(CONTROLS)
        rows.append(
            CoverageRow(
                process=process,
                safeguards=tuple(value in chosen for value in Safeguard.values),
                review_overdue=process.next_review_on < today,
                under_protected=under or not chosen,
            )
        )
    kinds = {p.kind for p in processes}
    return Coverage(
        rows=rows,
        safeguard_labels=[str(label) for label in Safeguard.labels],
        by_risk={str(Risk(r).label): sum(1 for p in processes if p.risk == r) for r in Risk.values},
        missing_kinds=[str(ProcessKind(k).label) for k in EXPECTED_KINDS if k not in kinds],
        overdue=sum(1 for r in rows if r.review_overdue),
        under_protected=sum(1 for r in rows if r.under_protected),
        with_safeguards=sum(1 for p in processes if p.safeguards),
    )


# --- the checklist ----------------------------------------------------------------------------


def checklist_get(*, organisation: Organisation, year: int) -> PolicyChecklist | None:
    return (
        PolicyChecklist.objects.filter(organisation=organisation, year=year)
        .prefetch_related("answers")
        .first()
    )


def checklist_for_monitor(*, organisation: Organisation, year: int) -> dict[str, dict[str, str]]:
    """Pre-fill for the monitor's organisation questionnaire:
    ``{monitor_question: {audience: answer}}`` (only answered items)."""
    sheet = checklist_get(organisation=organisation, year=year)
    if sheet is None:
        return {}
    questions = {i.code: i.monitor_question for i in checklist.items(sheet.version)}
    result: dict[str, dict[str, str]] = defaultdict(dict)
    for answer in sheet.answers.all():
        question = questions.get(answer.item)
        if question:
            result[question][answer.audience] = answer.answer
    return dict(result)


@dataclass(frozen=True)
class BenchmarkRow:
    item: checklist.Item
    audience: str
    own: str  # "" when not answered
    group_size: int
    share_yes: float | None  # None when suppressed


@dataclass(frozen=True)
class Benchmark:
    rows: list[BenchmarkRow]
    group_label: str
    group_size: int
    answered: int
    yes: int


def comparable_organisations(organisation: Organisation) -> Q:
    """Same tier; for municipalities also the same size class (inhabitants)."""
    q = Q(tier=organisation.tier)
    if organisation.tier == "gemeente" and organisation.inhabitants is not None:
        bounds = {"xs": (0, 20_000), "s": (20_000, 50_000), "m": (50_000, 100_000)}
        low, high = bounds.get(organisation.size_class, (100_000, None))
        q &= Q(inhabitants__gte=low)
        if high is not None:
            q &= Q(inhabitants__lt=high)
    return q


def checklist_benchmark(*, organisation: Organisation, year: int) -> Benchmark:
    """Where the organisation stands per item and how comparable organisations do (aggregated
    share 'yes', suppressed for small groups). Two queries."""
    sheet = checklist_get(organisation=organisation, year=year)
    version = sheet.version if sheet else checklist.CURRENT_VERSION
    own = {(a.item, a.audience): a.answer for a in (sheet.answers.all() if sheet else [])}
    group = Organisation.objects.filter(comparable_organisations(organisation))
    counts = (
        PolicyAnswer.objects.filter(
            checklist__year=year,
            checklist__version=version,
            checklist__organisation__in=group,
        )
        .exclude(answer=Answer.NOT_APPLICABLE)
        .values("item", "audience")
        .annotate(n=Count("id"), yes=Count("id", filter=Q(answer=Answer.YES)))
    )
    by_key = {(c["item"], c["audience"]): (c["n"], c["yes"]) for c in counts}
    rows = []
    for item in checklist.items(version):
        for audience in item.audiences:
            n, yes = by_key.get((item.code, audience), (0, 0))
            share = yes / n if n else 0.0
            rows.append(
                BenchmarkRow(
                    item=item,
                    audience=audience,
                    own=own.get((item.code, audience), ""),
                    group_size=n,
                    share_yes=None if disclosure.hides_share(n, share) else share,
                )
            )
    label = organisation.get_tier_display()
    if organisation.tier == "gemeente" and organisation.inhabitants is not None:
        from vib.organisations.models import SizeClass

        label = f"{label}, {SizeClass(organisation.size_class).label}"
    return Benchmark(
        rows=rows,
        group_label=str(label),
        group_size=PolicyChecklist.objects.filter(
            year=year, version=version, organisation__in=group
        ).count(),
        answered=sum(1 for r in rows if r.own),
        yes=sum(1 for r in rows if r.own == Answer.YES),
    )
