"""The demo builds, and every page of the module answers for the people who use it."""

from __future__ import annotations

import pytest

from vib.disclosures.models import Declarant, FinancialInterest, SideActivity

pytestmark = pytest.mark.django_db


def test_demo_pages(demo, client):
    tenants = demo.shared["tenants"]
    users = demo.shared["users"]
    code = tenants["a"].code
    assert client.get("/nevenwerkzaamheden/openbaar").status_code == 200
    page = client.get(f"/nevenwerkzaamheden/openbaar/{code}")
    assert page.status_code == 200
    assert users["wethouder"].full_name in page.content.decode()
    for who, path in [
        ("wethouder", "/nevenwerkzaamheden/"),
        ("wethouder", "/nevenwerkzaamheden/melden"),
        ("registrator", "/nevenwerkzaamheden/registratie"),
        ("compliance", "/nevenwerkzaamheden/financiele-belangen"),
        ("medewerker", "/nevenwerkzaamheden/financiele-belangen/melden"),
        ("secretaris", "/beleid/"),
        ("secretaris", "/beleid/checklist/2026"),
        ("griffier", "/beleid/checklist/2026"),
    ]:
        client.force_login(users[who])
        response = client.get(path)
        assert response.status_code == 200, (who, path, response.status_code)
    activity = SideActivity.objects.filter(organisation=tenants["a"]).first()
    client.force_login(users["registrator"])
    response = client.get(f"/nevenwerkzaamheden/activiteiten/{activity.id}")
    assert response.status_code == 200
    # The history speaks Dutch: labels, never the stored status codes.
    history = response.content.decode().split('id="history-title"')[1]
    assert "gemeld, wacht op registratie" in history or "geregistreerd" in history
    for code in ("declared", "registered", "· →"):
        assert code not in history, code
    interest = FinancialInterest.objects.first()
    client.force_login(users["compliance"])
    assert client.get(f"/nevenwerkzaamheden/financiele-belangen/{interest.id}").status_code == 200
    assert Declarant.objects.count() >= 8
