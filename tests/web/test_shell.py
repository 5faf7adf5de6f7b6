"""The web shell: log-in, start page per role, organisation switcher, errors, CSP hygiene."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils.html import escape

from vib.accounts.models import User
from vib.accounts.roles import ORG_VIEW_MEMBERS
from vib.accounts.selectors import has_capability, organisations_of
from vib.accounts.services import role_assign
from vib.organisations.models import Organisation
from vib.web import views

pytestmark = pytest.mark.django_db

DUTCH_FIRST = [
    "vib.web.middleware.DutchFirstLocaleMiddleware"
    if m == "django.middleware.locale.LocaleMiddleware"
    else m
    for m in __import__("django.conf").conf.settings.MIDDLEWARE
]


def html(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def logged_in(client: Client) -> Any:
    """A fresh client per person, logged in as after the real log-in (second factor done)."""

    def log_in(user: User | str) -> tuple[Client, User]:
        if isinstance(user, str):
            user = User.objects.get(email=f"{user}@demo.vib.nl")
        other = type(client)()
        other.force_login(user)
        return other, user

    return log_in


# --- log-in ------------------------------------------------------------------------------


def test_login_page_is_dutch_with_labels_and_autocomplete(client: Client) -> None:
    response = client.get(reverse("login"))
    page = html(response)
    assert response.status_code == 200
    assert '<html lang="nl"' in page
    assert '<h1 class="utrecht-heading-1">Inloggen</h1>' in page
    assert '<label class="utrecht-form-label" for="id_username">E-mailadres</label>' in page
    assert '<label class="utrecht-form-label" for="id_password">Wachtwoord</label>' in page
    assert 'autocomplete="username"' in page
    assert 'autocomplete="current-password"' in page
    assert 'href="#main"' in page
    assert 'id="main"' in page


@override_settings(MIDDLEWARE=DUTCH_FIRST)
def test_dutch_first_even_when_the_browser_prefers_english(client: Client) -> None:
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="nl"' in html(response)
    client.post(reverse("set_language"), {"language": "en", "next": "/inloggen"})
    assert '<html lang="en"' in html(client.get(reverse("login")))


def test_language_switch_turns_the_page_english(client: Client) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/inloggen"})
    assert response.status_code == 302
    page = html(client.get(reverse("login")))
    assert '<html lang="en"' in page
    assert ">Log in</h1>" in page
    assert 'lang="nl">Nederlands</button>' in page


def test_login_works_and_a_failure_shows_an_error_summary(demo: Any, client: Client) -> None:
    login = demo.logins[0]
    failed = client.post(reverse("login"), {"username": login.email, "password": "fout"})
    assert failed.status_code == 200
    assert 'id="error-summary"' in html(failed)
    assert "Er is een probleem" in html(failed)
    assert 'aria-invalid="true"' in html(failed)

    response = client.post(reverse("login"), {"username": login.email, "password": login.password})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    home = html(client.get(reverse("web:home")))
    assert "Welkom, Sanne Voorbeeld" in home
    assert "Uitloggen" in home


def test_logout_is_a_post(demo: Any, logged_in: Any) -> None:
    client, _ = logged_in("medewerker")
    assert 'action="/uitloggen"' in html(client.get(reverse("web:home")))
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("web:home")).status_code == 302  # back to the log-in page


# --- start page per role -----------------------------------------------------------------


def test_start_page_for_every_demo_role(demo: Any, logged_in: Any) -> None:
    for login in (login for login in demo.logins if "@" in login.email):  # not mailbox codes
        client, user = logged_in(User.objects.get(email=login.email))
        response = client.get(reverse("web:home"))
        page = html(response)
        assert response.status_code == 200, login.email
        assert f"Welkom, {user.full_name}" in page, login.email
        for assignment in user.role_assignments.select_related("role", "organisation"):
            assert escape(str(assignment.role)) in page, (login.email, assignment.role_id)
        organisation = organisations_of(user).first()
        if organisation is not None:
            assert f"U werkt voor {organisation.name}." in page
        else:
            assert "organisatie-overstijgend" in page
        members = reverse("web:members")
        assert (f'href="{members}"' in page) == has_capability(
            user, ORG_VIEW_MEMBERS, organisation
        ), login.email
        assert ('href="/beheer/"' in page) == user.is_staff, login.email


def test_a_reporter_sees_units_but_not_members(demo: Any, logged_in: Any) -> None:
    client, _ = logged_in("medewerker")
    assert client.get(reverse("web:units")).status_code == 200
    members = html(client.get(reverse("web:members")))
    assert "Er zijn geen rolhouders om te tonen." in members


def test_members_and_units_pages_link_to_details(demo: Any, logged_in: Any) -> None:
    client, _ = logged_in("beheerder")
    members = html(client.get(reverse("web:members")))
    assert "<caption" in members
    assert 'scope="col"' in members
    assert 'scope="row"' in members
    member_url = re.search(r'href="(/organisatie/leden/[^"]+)"', members)
    assert member_url is not None
    assert client.get(member_url.group(1)).status_code == 200
    units = html(client.get(reverse("web:units")))
    unit_url = re.search(r'href="(/organisatie/eenheden/[^"]+)"', units)
    assert unit_url is not None
    assert "Handhaving" in units
    assert client.get(unit_url.group(1)).status_code == 200


def test_another_organisations_unit_is_not_found(demo: Any, logged_in: Any) -> None:
    client, _ = logged_in("beheerder")
    other = demo.shared["tenants"]["b"].units.first()
    response = client.get(reverse("web:unit", args=[other.id]))
    assert response.status_code == 404
    assert "Pagina niet gevonden" in html(response)


# --- organisation switcher ---------------------------------------------------------------


def test_switcher_only_for_people_of_several_organisations(demo: Any, logged_in: Any) -> None:
    client, user = logged_in("integriteit")
    assert 'id="vib-organisation"' not in html(client.get(reverse("web:home")))

    tenants = demo.shared["tenants"]
    role_assign(user=user, role="reporter", organisation=tenants["b"], function="adviseur")
    page = html(client.get(reverse("web:home")))
    assert 'id="vib-organisation"' in page
    options = re.findall(r'<option value="([^"]+)"', page.split('id="vib-organisation"')[1])
    assert set(options) == {str(tenants["a"].id), str(tenants["b"].id)}

    response = client.post(
        reverse("web:switch-organisation"),
        {"organisation": str(tenants["b"].id), "next": reverse("web:units")},
    )
    assert response["Location"] == reverse("web:units")
    assert f"U werkt voor {tenants['b'].name}." in html(client.get(reverse("web:home")))


def test_switcher_refuses_an_organisation_without_a_role(demo: Any, logged_in: Any) -> None:
    client, _user = logged_in("integriteit")
    tenants = demo.shared["tenants"]
    foreign = tenants["c"]
    response = client.post(
        reverse("web:switch-organisation"),
        {"organisation": str(foreign.id), "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("web:home")  # no open redirect
    page = html(client.get(reverse("web:home")))
    assert "U heeft geen rol in die organisatie." in page
    assert f"U werkt voor {tenants['a'].name}." in page
    assert client.get(reverse("web:switch-organisation")).status_code == 405


# --- public registry ---------------------------------------------------------------------


def test_registry_is_public_searchable_and_paginated(demo: Any, client: Client) -> None:
    page = html(client.get(reverse("web:organisations")))
    assert "Volgende pagina" in page
    assert 'href="/inloggen"' in page  # anonymous navigation offers the log-in page
    water = html(client.get(reverse("web:organisations"), {"tier": "waterschap"}))
    assert "Stichtse Rijnlanden" in water
    assert "Gemeente" not in water.split("<tbody")[1]
    found = html(client.get(reverse("web:organisations"), {"zoek": "GM0344"}))
    assert "1 organisatie gevonden." in found
    none = html(client.get(reverse("web:organisations"), {"zoek": "bestaat-echt-niet"}))
    assert "Geen organisaties gevonden" in none


def test_registry_htmx_request_gets_only_the_results(demo: Any, client: Client) -> None:
    count = Organisation.objects.filter(active=True, tier="provincie").count()
    response = client.get(
        reverse("web:organisations"), {"tier": "provincie"}, HTTP_HX_REQUEST="true"
    )
    page = html(response)
    assert "<html" not in page
    assert 'hx-swap-oob="innerHTML"' in page
    assert f"{count} organisaties gevonden." in page
    assert "HX-Request" in response["Vary"]


# --- errors --------------------------------------------------------------------------------


def test_error_pages_render(demo: Any, client: Client) -> None:
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in html(response)
    rf = RequestFactory()
    for handler, status, title in (
        (views.bad_request, 400, "Ongeldig verzoek"),
        (views.permission_denied, 403, "Geen toegang"),
        (views.page_not_found, 404, "Pagina niet gevonden"),
    ):
        response = handler(rf.get("/x"), None)
        assert response.status_code == status
        assert title in html(response)
    # A bare request: no user, no session, no middleware ran (the database may be down).
    response = views.server_error(rf.get("/x"))
    assert response.status_code == 500
    assert "Er ging iets mis" in html(response)
    assert "Uitloggen" not in html(response)


def _crash(request: Any) -> Any:
    raise RuntimeError("boom")


urlpatterns = [
    __import__("django.urls").urls.path("crash", _crash),
    *__import__("vib.conf.urls").conf.urls.urlpatterns,
]


@override_settings(DEBUG=True)
def test_debug_mode_shows_the_dutch_error_pages_not_djangos_url_list(demo: Any) -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    page = html(response)
    assert "Pagina niet gevonden" in page
    assert "URLconf" not in page
    assert "Using the URLconf" not in page
    assert "Content-Security-Policy" in response.headers  # the page went through the shell
    # The API keeps its JSON problem details.
    assert not client.get("/api/v1/bestaat-niet")["Content-Type"].startswith("text/html")


@override_settings(DEBUG=True, ROOT_URLCONF=__name__)
def test_debug_mode_shows_the_dutch_500_page_and_no_traceback() -> None:
    response = Client(raise_request_exception=False).get("/crash")
    assert response.status_code == 500
    page = html(response)
    assert "Er ging iets mis" in page
    assert "Traceback" not in page
    assert "RuntimeError" not in page


def test_an_empty_choice_says_kies(demo: Any) -> None:

    from vib.accounts.models import RoleAssignment

    field = RoleAssignment._meta.get_field("role").formfield()
    assert next(iter(field.choices)) == ("", "— Kies —")


# --- CSP ----------------------------------------------------------------------------------


def test_csp_has_a_nonce_and_pages_carry_no_inline_styles_or_scripts(
    demo: Any, logged_in: Any
) -> None:
    client, _ = logged_in("beheerder")
    anonymous = Client()
    pages = [
        (anonymous, reverse("login")),
        (anonymous, reverse("web:organisations")),
        (anonymous, "/bestaat-niet"),
        (client, reverse("web:home")),
        (client, reverse("web:units")),
        (client, reverse("web:members")),
        (client, reverse("web:organisations") + "?pagina=2"),
    ]
    for who, url in pages:
        response = who.get(url)
        policy = response["Content-Security-Policy"]
        nonce = re.search(r"'nonce-([^']+)'", policy)
        assert "style-src 'self'" in policy
        assert "'unsafe-inline'" not in policy
        page = html(response)
        assert not re.search(r"<[^>]+\sstyle=", page), url
        assert "<style" not in page, url
        scripts = re.findall(r"<script[^>]*>", page)
        # Only pages with a script (htmx: the registry) carry a nonce; the others run none.
        assert bool(scripts) == bool(nonce), (url, policy)
        for tag in scripts:
            assert nonce is not None
            assert f'nonce="{nonce.group(1)}"' in tag, (url, tag)
        assert not re.search(r"\son[a-z]+=", page), url  # no inline event handlers
