"""The demo wave: every tier and function, true rates after 2016, non-response by stratum.

Built with only the parts it needs (the registry and the demo tenants) to keep this fast; the
whole demo runs in the browser test and in the project's own demo tests.
"""

from __future__ import annotations

import random
import time

import pytest

from vib.core.demo import DEFAULT_SEED, DemoContext
from vib.organisations import demo as organisations_demo
from vib.surveys import demo as surveys_demo
from vib.surveys.demo import EMPLOYEES, OFFICE_HOLDERS, frame_size
from vib.surveys.models import Invitation, Response, WaveStatus
from vib.surveys.selectors import response_table

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey_demo(db):
    ctx = DemoContext(scale="small", seed=DEFAULT_SEED, rng=random.Random(DEFAULT_SEED))
    organisations_demo.build(ctx)
    start = time.perf_counter()
    surveys_demo.build(ctx)
    ctx.shared["seconds"] = time.perf_counter() - start
    return ctx


def test_the_demo_wave_is_complete_fast_and_weighting_matters(survey_demo):
    wave = survey_demo.shared["survey_wave"]
    assert wave.edition == 2016
    assert wave.status == WaveStatus.CLOSED
    assert survey_demo.shared["seconds"] < 10  # about 1 s on a quiet machine
    for (tier, function), (size, _p, _r) in {**OFFICE_HOLDERS, **EMPLOYEES}.items():
        frame = Invitation.objects.filter(wave=wave, tier=tier, function=function)
        assert frame.count() == frame_size(size, "small")
    answered = Invitation.objects.filter(wave=wave, responded=True).count()
    assert Response.objects.filter(wave=wave).count() == answered

    table = response_table(wave=wave, instrument="office_holders")
    victim = [1 - none for none in table["ag_types__none"]]
    weights = table["base_weight"]
    unweighted = sum(victim) / len(victim)
    weighted = sum(v * w for v, w in zip(victim, weights, strict=True)) / sum(weights)
    # True rate about 27%; the over-responding, often-victimised strata push the raw rate up.
    assert 0.20 < weighted < 0.34
    assert unweighted - weighted > 0.01
    social = table["ag_channels__social_media"]
    victims_social = [s for s in social if s is not None]
    assert 0.25 < sum(victims_social) / len(victims_social) < 0.55
    rates = {}
    for (tier, function), _spec in OFFICE_HOLDERS.items():
        frame = Invitation.objects.filter(wave=wave, tier=tier, function=function)
        rates[function] = frame.filter(responded=True).count() / frame.count()
    assert rates["burgemeester"] > rates["raadslid"] + 0.15


def test_the_demo_is_reproducible(survey_demo):
    wave = survey_demo.shared["survey_wave"]
    counts = sorted(
        Invitation.objects.filter(wave=wave, responded=True).values_list("tier", "function")
    )
    assert len(counts) > 300
    assert frame_size(8500, "large") == 8500
    assert frame_size(12, "small") == 12
    assert frame_size(8500, "small") == 850


def test_the_demo_has_a_2014_wave_near_the_published_figures_and_unlinked(survey_demo):
    """The previous edition with microdata (ADR 0139): built the same way, true rates near the
    published 2014 figures, and nobody invited in both waves under the same address."""
    wave = survey_demo.shared["survey_previous_wave"]
    current = survey_demo.shared["survey_wave"]
    assert (wave.edition, wave.status) == (2014, WaveStatus.CLOSED)
    assert wave.organisation_id == current.organisation_id
    assert {wi.key for wi in wave.instruments.all()} == {wi.key for wi in current.instruments.all()}
    for (tier, function), (size, _p, _r) in OFFICE_HOLDERS.items():
        frame = Invitation.objects.filter(wave=wave, tier=tier, function=function)
        assert frame.count() == frame_size(size, "small")
    table = response_table(wave=wave, instrument="office_holders")
    victim = [1 - none for none in table["ag_types__none"]]
    weights = table["base_weight"]
    weighted = sum(v * w for v, w in zip(victim, weights, strict=True)) / sum(weights)
    assert 0.15 < weighted < 0.31  # published 2014: 23%
    social = [s for s in table["ag_channels__social_media"] if s is not None]
    assert 0.08 < sum(social) / len(social) < 0.35  # about one in five (2016: two in five)
    digests = Invitation.objects.filter(wave=current).values_list("email_digest", flat=True)
    assert not Invitation.objects.filter(wave=wave, email_digest__in=list(digests)).exists()
    assert {f.name for f in Response._meta.get_fields()}.isdisjoint(
        {"invitation", "email", "email_digest", "token_digest"}
    )
