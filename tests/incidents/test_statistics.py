"""The dashboard, the benchmark across organisations and the sector view: aggregates only,
counts under 10 suppressed, and no cell that can be worked out from the others."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from vib.core import disclosure
from vib.incidents import codes, selectors
from vib.incidents.models import Incident
from vib.incidents.services import new_reference
from vib.organisations.models import Organisation, SizeClass, Tier

pytestmark = pytest.mark.django_db


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=8), st.booleans())
def test_suppression_hides_small_cells_and_anything_that_reveals_them(counts, single):
    shown = selectors.suppress(counts, single_valued=single)
    for count, cell in zip(counts, shown, strict=True):
        assert cell is None or cell == count
        if disclosure.hides_count(count):
            assert cell is None
    hidden = [i for i, cell in enumerate(shown) if cell is None]
    if single and any(cell is not None for cell in shown):
        # The total is shown beside the cells: one hidden cell alone could be subtracted.
        assert len(hidden) != 1


def _org(code: str, inhabitants: int | None, tier: str = Tier.GEMEENTE, staff: int | None = None):
    return Organisation.objects.create(
        code=code,
        name=code,
        tier=tier,
        inhabitants=inhabitants,
        staff=staff,
        reference_date=date(2026, 1, 1),
    )


def _incidents(organisation, count: int, *, channel: str = "persoonlijk", types=("verbaal",)):
    now = timezone.now()
    Incident.objects.bulk_create(
        Incident(
            organisation=organisation,
            reference=new_reference(),
            reported_at=now,
            occurred_at=now - timedelta(days=1 + i % 200),
            place_kind="balie_kantoor",
            channel=channel,
            types=codes.to_mask(types, codes.TYPE_BITS),
            severity="ernstig",
            victim_groups=codes.GROUP_BITS["medewerker"],
        )
        for i in range(count)
    )


def test_comparable_organisations_share_tier_and_size_class():
    own = _org("GM9901", 60_000)
    same = [_org("GM9902", 55_000), _org("GM9903", 99_999)]
    _org("GM9904", 120_000)  # larger class
    _org("GM9905", None)  # size unknown
    _org("PV99", None, tier=Tier.PROVINCIE)
    assert own.size_class == SizeClass.M
    assert set(selectors.comparable_organisations(own)) == set(same)


def test_the_benchmark_shows_the_group_only_when_it_hides_every_organisation():
    own = _org("GM9901", 60_000, staff=500)
    others = [_org(f"GM99{10 + i}", 60_000 + i, staff=400) for i in range(3)]
    _incidents(own, 12)
    for other in others:
        _incidents(other, 20)
        _incidents(other, 4, channel="telefoon")  # 12 by phone in the group
    _incidents(others[0], 3, channel="sociale_media", types=("bedreiging",))
    since, until = selectors.period_default()
    figures = selectors.benchmark(own, since=since, until=until)
    assert figures.enough
    assert figures.comparables == 3
    assert figures.own_total == 12
    assert figures.group_total == 75
    channels = {row.label: row for row in figures.dimensions["channel"]}
    assert channels[str(codes.Channel.FACE_TO_FACE.label)].group == 60
    assert channels[str(codes.Channel.SOCIAL_MEDIA.label)].group is None  # 3 < 10
    # The other channels are 0 and shown; the 3 could be worked out from the total, so the
    # smallest non-zero channel (phone, 12) is hidden with it (ADR 0121).
    assert channels[str(codes.Channel.PHONE.label)].group is None
    types = {row.label: row for row in figures.dimensions["type"]}
    assert types[str(codes.IncidentType.THREAT.label)].group is None
    assert types[str(codes.IncidentType.THREAT.label)].group_share is None
    assert figures.own_rate == 2.4
    assert figures.group_rate == round(100 * 75 / 1200, 2)


def test_too_few_comparable_organisations_show_nothing():
    own = _org("GM9901", 60_000)
    other = _org("GM9902", 60_001)
    _incidents(other, 50)
    since, until = selectors.period_default()
    figures = selectors.benchmark(own, since=since, until=until)
    assert not figures.enough
    assert figures.group_total is None
    assert all(row.group is None for rows in figures.dimensions.values() for row in rows)


def test_secondary_suppression_when_one_cell_is_small():
    counts = [50, 30, 4, 0, 0, 0]  # a zero would not hide the 4: it stays [0, 4] apart
    assert selectors.suppress(counts, single_valued=True) == [50, None, None, 0, 0, 0]
    assert selectors.suppress([50, 30, 4, 12], single_valued=True) == [50, 30, None, None]
    assert selectors.suppress([50, 30, 4, 12], single_valued=False) == [50, 30, None, 12]


def test_the_sector_view_folds_organisations_into_groups():
    for i in range(4):
        _incidents(_org(f"GM99{20 + i}", 30_000 + i), 5)  # 20 in class S, 5 each
    _incidents(_org("PV98", None, tier=Tier.PROVINCIE), 7)  # one province alone: 7
    since, until = selectors.period_default()
    groups = {(g.tier, g.size): g for g in selectors.sector_overview(since=since, until=until)}
    small = groups[(Tier.GEMEENTE, SizeClass.S)]
    assert (small.organisations, small.reporting, small.total) == (4, 4, 20)
    province = groups[(Tier.PROVINCIE, SizeClass.NA)]
    assert province.total is None  # 7 < 10: the single province is not revealed


def test_the_dashboard_counts_in_a_fixed_number_of_queries(django_assert_num_queries):
    own = _org("GM9901", 60_000, staff=1000)
    _incidents(own, 30)
    _incidents(own, 5, channel="sociale_media", types=("bedreiging", "intimidatie"))
    since, until = selectors.period_default()
    with django_assert_num_queries(4):
        figures = selectors.dashboard(own, since=since, until=until)
    assert figures.total == 35
    assert figures.rate == 3.5
    types = {cell.label: cell.count for cell in figures.dimensions["type"]}
    assert types[str(codes.IncidentType.THREAT.label)] == 5
    assert types[str(codes.IncidentType.VERBAL.label)] == 30
    assert sum(cell.count or 0 for cell in figures.months) == 35
    assert len(figures.months) in (12, 13)
