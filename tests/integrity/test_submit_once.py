"""A report is made once: reloading the receipt page, or sending the same form again (back
button, double click), creates no second case; handlers get a confirmation after each change."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from vib.integrity.models import Case
from vib.web import once

from .helpers import CODE

pytestmark = pytest.mark.django_db

FORM = {
    "case_type": "report",
    "channel": "anonymous",
    "summary": "Er wordt geknoeid met declaraties op afdeling X.",
    "name": "",
    "email": "",
    "phone": "",
}


def _token(client: Client, organisation: Any) -> str:
    page = client.get(f"/integriteit/melden/{organisation.id}")
    token = page.context["form"]["once"].value()
    assert token
    assert f'name="once" value="{token}"' in page.content.decode()
    return str(token)


def test_reload_and_second_submit_make_no_second_case(world: Any, client: Client) -> None:
    url = f"/integriteit/melden/{world.a.id}"
    data = {**FORM, "once": _token(client, world.a)}
    sent = client.post(url, data)
    assert sent.status_code == 303
    assert sent["Location"] == "/integriteit/ontvangen"
    assert "sessionid" not in sent.cookies
    cookie = sent.cookies["vib_receipt"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/integriteit/ontvangen"
    receipt = client.get("/integriteit/ontvangen")
    code = CODE.search(receipt.content.decode()).group(1)  # type: ignore[union-attr]
    assert code.replace("-", "") not in cookie.value  # encrypted, not the code itself
    assert receipt["Cache-Control"].startswith("no-store")
    assert 'id="copy-code" hidden' in receipt.content.decode()  # shown by copy.js
    # Reload: the same code, nothing new.
    again = client.get("/integriteit/ontvangen")
    assert CODE.search(again.content.decode()).group(1) == code  # type: ignore[union-attr]
    # Back button + send again, or a double click: same token, no second case.
    twice = client.post(url, data)
    assert twice.status_code == 303
    assert twice["Location"] == "/integriteit/ontvangen"
    assert Case.objects.count() == 1
    # A new rendering of the form is a new report.
    client.post(url, {**FORM, "once": _token(client, world.a)})
    assert Case.objects.count() == 2
    # "I have saved the code": the browser forgets it; the page then says the report arrived.
    done = client.post("/integriteit/ontvangen")
    assert done.status_code == 303
    assert done["Location"] == "/integriteit/brievenbus"
    after = client.get("/integriteit/ontvangen").content.decode()
    assert not CODE.search(after)
    assert "Uw melding is ontvangen" in after


def test_refused_input_gives_the_token_back(world: Any, client: Client) -> None:
    url = f"/integriteit/melden/{world.a.id}"
    token = _token(client, world.a)
    refused = client.post(url, {**FORM, "once": token, "name": "Jan"})  # anonymous with a name
    assert refused.status_code == 400
    assert refused.context["form"]["once"].value() == token  # the corrected form resends it
    assert client.post(url, {**FORM, "once": token}).status_code == 303
    assert Case.objects.count() == 1


def test_an_old_or_forged_receipt_cookie_shows_no_code(world: Any, client: Client) -> None:
    client.cookies["vib_receipt"] = "gAAAAA-not-ours"
    page = client.get("/integriteit/ontvangen").content.decode()
    assert not CODE.search(page)
    assert "Uw melding is ontvangen" in page


def test_a_recorded_oral_report_is_not_recorded_twice(world: Any, client: Client) -> None:
    client.force_login(world.people["officer_a"])
    page = client.get("/integriteit/zaken/nieuw")
    data = {
        "case_type": "report",
        "channel": "anonymous",
        "minutes": "Gesprek op 3 maart: melder zag declaratiefraude.",
        "name": "",
        "email": "",
        "phone": "",
        "once": page.context["form"]["once"].value(),
    }
    first = client.post("/integriteit/zaken/nieuw", data)
    assert first.status_code == 200, first.content.decode()[:1500]
    assert CODE.search(first.content.decode())
    second = client.post("/integriteit/zaken/nieuw", data, follow=True)
    assert Case.objects.count() == 1
    assert "al vastgelegd" in second.content.decode()


def test_handlers_get_a_confirmation_after_each_change(world: Any, client: Client) -> None:
    client.post(f"/integriteit/melden/{world.a.id}", FORM)
    case = Case.objects.get()
    client.force_login(world.people["officer_a"])
    url = f"/integriteit/zaken/{case.id}"
    status = client.post(f"{url}/status", {"target": "acknowledged"}, follow=True)
    assert "De status is nu: Ontvangst bevestigd." in status.content.decode()
    message = client.post(f"{url}/berichten", {"body": "Notitie"}, follow=True)
    assert "Uw bericht is opgeslagen." in message.content.decode()
    # The message box is empty again after saving, and shows no error.
    assert 'aria-invalid="true"' not in message.content.decode()


def test_tokens_are_claimed_once_and_garbage_is_ignored() -> None:
    from django import forms

    class Form(once.SubmitOnceMixin, forms.Form):
        pass

    token = once.new_token()
    assert once.claim(Form({"once": token}), "t")
    assert not once.claim(Form({"once": token}), "t")
    assert once.claim(Form({"once": token}), "other-scope")
    assert once.claim(Form({"once": "x"}), "t")  # malformed: not a token, no protection
    assert once.claim(Form({"once": "x"}), "t")
