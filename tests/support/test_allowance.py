"""The home-security allowance: at most €2,500 approved per office holder per calendar year."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections
from django.utils import timezone

from vib.core.errors import ValidationError
from vib.support import codes, services
from vib.support.models import AllowanceYear, SecurityMeasure
from vib.support.selectors import allowance_paid, allowance_total

pytestmark = pytest.mark.django_db


def approve(world, help_request, amount, on=None):
    return services.measure_approve(
        help_request=help_request,
        actor=world.adviser,
        description="Camerabel",
        amount=amount,
        approved_on=on,
    )


def test_the_cap_is_the_rule_and_is_stored_per_year(world):
    assert Decimal("2500.00") == codes.ALLOWANCE_CAP
    approve(world, world.taken(), "1000")
    year = AllowanceYear.objects.get(office_holder=world.raadslid)
    assert year.cap == Decimal("2500.00")
    assert year.approved_total == Decimal("1000.00")


def test_the_cap_holds_over_all_requests_of_the_office_holder(world):
    first, second = world.taken(), world.taken()
    approve(world, first, "1500.00")
    approve(world, second, "1000.00")  # exactly the cap
    with pytest.raises(ValidationError) as exc:
        approve(world, second, "0.01")
    assert "amount" in exc.value.message_dict
    assert SecurityMeasure.objects.count() == 2
    assert allowance_total(office_holder=world.raadslid, year=timezone.localdate().year) == (
        Decimal("2500.00"),
        Decimal("2500.00"),
    )


def test_a_refused_approval_writes_nothing(world):
    help_request = world.taken()
    approve(world, help_request, "2000")
    with pytest.raises(ValidationError):
        approve(world, help_request, "600")
    assert SecurityMeasure.objects.count() == 1
    assert AllowanceYear.objects.get().approved_total == Decimal("2000.00")


def test_the_cap_is_per_calendar_year(world):
    help_request = world.taken()
    today = timezone.localdate()
    approve(world, help_request, "2500", on=date(today.year - 1, 12, 31))
    approve(world, help_request, "2500", on=today)
    assert AllowanceYear.objects.filter(office_holder=world.raadslid).count() == 2


def test_the_cap_is_per_office_holder(world):
    approve(world, world.taken(), "2500")
    approve(world, world.taken(office_holder=world.wethouder, function="wethouder"), "2500")
    assert SecurityMeasure.objects.count() == 2


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "NaN", "Infinity", "", None, "2500.001e9"])
def test_bad_amounts_are_refused(world, amount):
    with pytest.raises(ValidationError):
        approve(world, world.taken(), amount)
    assert not SecurityMeasure.objects.exists()


def test_only_the_adviser_approves(world):
    help_request = world.taken()
    services.case_add_expert(help_request=help_request, member=world.m_expert, actor=world.adviser)
    for who in (world.expert, world.adviser2, world.raadslid):
        with pytest.raises(PermissionDenied):
            services.measure_approve(
                help_request=help_request, actor=who, description="x", amount="10"
            )


def test_approval_date_in_the_future_is_refused(world):
    with pytest.raises(ValidationError):
        approve(world, world.taken(), "10", on=date(timezone.localdate().year + 1, 1, 1))


def test_payments_are_at_most_what_was_approved(world):
    measure = approve(world, world.taken(), "800")
    with pytest.raises(ValidationError):
        services.measure_record_payment(
            measure=measure, actor=world.adviser, amount="800.01", paid_on=timezone.localdate()
        )
    services.measure_record_payment(
        measure=measure, actor=world.adviser, amount="750", paid_on=timezone.localdate()
    )
    with pytest.raises(ValidationError):  # once
        services.measure_record_payment(
            measure=measure, actor=world.adviser, amount="10", paid_on=timezone.localdate()
        )
    this_year = timezone.localdate().year
    assert allowance_paid(office_holder=world.raadslid, year=this_year) == Decimal("750")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite locks the file)"
)
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_approvals_cannot_exceed_the_cap_together():
    """Two advisers approve €1,500 each for the same office holder at the same moment."""
    from tests.support.conftest import World

    world = World()
    first, second = world.taken(), world.taken()
    barrier = threading.Barrier(2)
    results: list[str] = []

    def run(help_request):
        try:
            barrier.wait(timeout=10)
            approve(world, help_request, "1500")
            results.append("ok")
        except ValidationError:
            results.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(r,)) for r in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["ok", "refused"]
    assert AllowanceYear.objects.get().approved_total == Decimal("1500.00")
    assert SecurityMeasure.objects.count() == 1
