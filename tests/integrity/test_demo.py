"""The demo data: realistic cases across categories and outcomes, mailboxes in use."""

from __future__ import annotations

import pytest

from vib.integrity import services
from vib.integrity.models import Case, Message, ReportFact

pytestmark = pytest.mark.django_db


def test_demo_has_cases_of_every_kind_and_a_working_mailbox(demo):
    tenant_a = demo.shared["tenants"]["a"]
    cases = Case.objects.filter(organisation=tenant_a)
    assert cases.count() >= 12
    assert {"received", "acknowledged", "triage", "investigation", "closed"} <= set(
        cases.values_list("status", flat=True)
    )
    assert {"founded", "unfounded", "not_established"} <= set(
        cases.values_list("finding", flat=True)
    )
    assert cases.filter(channel="anonymous").count() >= 5
    assert cases.exclude(category=None).values("category").distinct().count() >= 5
    assert Message.objects.filter(case__channel="anonymous", author_kind="reporter").exists()
    assert ReportFact.objects.count() == Case.objects.count()
    receipt = next(login for login in demo.logins if login.email == "/integriteit/brievenbus")
    case = services.mailbox_find(receipt.password)
    assert case is not None
    assert case.messages.filter(is_question=True).exists()


def test_demo_receipt_code_is_not_one_character_repeated(demo):
    """A fresh generator per character made the demo code 20 times the same letter."""
    receipt = next(login for login in demo.logins if login.email == "/integriteit/brievenbus")
    code = receipt.password.replace("-", "")
    assert len(code) == 20
    assert len(set(code)) >= 8  # 20 draws from 32 letters: fewer than 8 distinct is ~1e-7
