"""The demo wave: every tier and function, true rates after 2016, non-response by stratum."""

from __future__ import annotations

import time

import pytest

from vib.surveys.demo import OFFICE_HOLDERS, frame_size
from vib.surveys.models import Invitation, Response, WaveStatus
from vib.surveys.selectors import response_table

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_closed_2016_wave_with_every_stratum(demo):
    wave = demo.shared["survey_wave"]
    assert wave.edition == 2016
    assert wave.status == WaveStatus.CLOSED
    for (tier, function), (size, _p, _r) in OFFICE_HOLDERS.items():
        assert Invitation.objects.filter(
            wave=wave, tier=tier, function=function
        ).count() == frame_size(size, "small")
    assert (
        Response.objects.filter(wave=wave).count()
        == Invitation.objects.filter(wave=wave, responded=True).count()
    )


def test_weighting_matters_in_the_demo(demo):
    """Unweighted, the over-responding high-victimisation strata push the rate up."""
    wave = demo.shared["survey_wave"]
    table = response_table(wave=wave, instrument="office_holders")
    victim = [1 - none for none in table["ag_types__none"]]
    weights = table["base_weight"]
    unweighted = sum(victim) / len(victim)
    weighted = sum(v * w for v, w in zip(victim, weights, strict=True)) / sum(weights)
    assert 0.20 < weighted < 0.34
    assert unweighted - weighted > 0.01
    rates = {}
    for (tier, function), (_s, _p, _r) in OFFICE_HOLDERS.items():
        frame = Invitation.objects.filter(wave=wave, tier=tier, function=function)
        rates[function] = frame.filter(responded=True).count() / frame.count()
    assert rates["burgemeester"] > rates["raadslid"] + 0.15


def test_the_small_demo_wave_builds_fast(db):
    from vib.core.demo import build_demo

    start = time.perf_counter()
    build_demo(scale="small")
    assert time.perf_counter() - start < 20
